//! Human output: unified diffs on stdout (so `pulumi-fix > fix.patch` gives a patch `git apply`
//! takes; colored only when asked or on a terminal), everything else on stderr.

use super::{FixState, Mode, RunReport};
use anstyle::{AnsiColor, Style};
use similar::TextDiff;
use std::io::Write;

/// A unified diff with `a/` and `b/` headers, as `git apply` expects from the repository root.
pub fn unified_diff(display: &str, old: &str, new: &str) -> String {
    TextDiff::from_lines(old, new).unified_diff().context_radius(3).header(&format!("a/{display}"), &format!("b/{display}")).to_string()
}

pub fn print_text(report: &RunReport, quiet: bool, color: bool, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<()> {
    for file in &report.files {
        if let Some(diff) = &file.diff {
            if color {
                write_colored_diff(diff, out)?;
            } else {
                out.write_all(diff.as_bytes())?;
            }
        }
    }
    for problem in report.problems() {
        match problem.line {
            Some(line) => writeln!(err, "{}:{}: {}", problem.file, line, problem.message)?,
            None => writeln!(err, "{}: {}", problem.file, problem.message)?,
        }
    }
    for (file, finding) in report.unfixed() {
        let (line, column) = finding.location.start;
        let hint = if file.fix_state(report.mode, finding) == FixState::NeedsUnsafeFixes { " [review fix: apply with --unsafe-fixes]" } else { "" };
        writeln!(err, "{}:{}:{}: {} {}{}", file.display, line, column, finding.id(), finding.message, hint)?;
    }
    if quiet {
        return Ok(());
    }
    print_summary(report, err)
}

/// The closing lines: how many files, fixes per codemod, what is left.
pub fn print_summary(report: &RunReport, err: &mut dyn Write) -> std::io::Result<()> {
    let counts = report.applied_by_codemod();
    let fixes: usize = counts.values().sum();
    let changed = report.files.iter().filter(|f| f.changed && (report.mode == Mode::DryRun || f.written)).count();
    let verb = match report.mode {
        Mode::DryRun => "would apply",
        Mode::Write => "applied",
    };
    writeln!(
        err,
        "Scanned {} file{}: {verb} {fixes} fix{} in {changed} file{}.",
        report.files_scanned,
        plural(report.files_scanned),
        if fixes == 1 { "" } else { "es" },
        plural(changed)
    )?;
    let width = counts.keys().map(|k| k.len()).max().unwrap_or(0);
    for (id, count) in &counts {
        writeln!(err, "  {id:width$}  {count}")?;
    }
    let created: Vec<_> = report.applied().filter_map(|(file, finding)| Some((file, finding, finding.creates.as_ref()?))).collect();
    if !created.is_empty() {
        let will = if report.mode == Mode::DryRun { "would create" } else { "will create" };
        writeln!(err, "The next `pulumi up` {will} {} new resource{}:", created.len(), plural(created.len()))?;
        for (file, finding, creates) in created {
            writeln!(err, "  + {creates}  ({}:{})", file.display, finding.location.start.0)?;
        }
    }
    let unfixed = report.unfixed().count();
    if unfixed > 0 {
        writeln!(err, "{} finding{} without an applied fix (listed above).", unfixed, plural(unfixed))?;
    }
    let suppressed = report.suppressed();
    if suppressed > 0 {
        writeln!(err, "{} finding{} suppressed by `pulumi-fix: ignore` comments or per-file-ignores.", suppressed, plural(suppressed))?;
    }
    if report.mode == Mode::DryRun && changed > 0 {
        writeln!(err, "Run with --write to apply.")?;
    }
    Ok(())
}

fn write_colored_diff(diff: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let header = Style::new().bold();
    let removed = AnsiColor::Red.on_default();
    let added = AnsiColor::Green.on_default();
    let hunk = AnsiColor::Cyan.on_default();
    // `--- `/`+++ ` are headers only before the first hunk: inside one they are changed lines.
    let mut in_hunk = false;
    for line in diff.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let ending = &line[content.len()..];
        in_hunk |= content.starts_with("@@");
        let style = if !in_hunk && (content.starts_with("--- ") || content.starts_with("+++ ")) {
            header
        } else if content.starts_with('-') {
            removed
        } else if content.starts_with('+') {
            added
        } else if content.starts_with("@@") {
            hunk
        } else {
            Style::new()
        };
        write!(out, "{style}{content}{style:#}{ending}")?;
    }
    Ok(())
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colored_diff_keeps_the_text_and_colors_each_kind_of_line() {
        let diff = unified_diff("a.py", "x = 1\ny = 2\n", "x = 1\ny = 3\n");
        let mut out = Vec::new();
        write_colored_diff(&diff, &mut out).unwrap();
        let colored = String::from_utf8(out).unwrap();
        assert!(colored.contains("\u{1b}[31m-y = 2\u{1b}[0m\n"), "{colored:?}");
        assert!(colored.contains("\u{1b}[32m+y = 3\u{1b}[0m\n"), "{colored:?}");
        let stripped = regex::Regex::new("\u{1b}\\[[0-9;]*m").unwrap().replace_all(&colored, "");
        assert_eq!(stripped, diff);
    }
}
