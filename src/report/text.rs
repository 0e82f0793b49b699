//! Human output: unified diffs on stdout (so `pulumi-fix > fix.patch` gives a patch `git apply`
//! takes), everything else on stderr.

use super::{Mode, RunReport};
use similar::TextDiff;
use std::io::Write;

/// A unified diff with `a/` and `b/` headers, as `git apply` expects from the repository root.
pub fn unified_diff(display: &str, old: &str, new: &str) -> String {
    TextDiff::from_lines(old, new).unified_diff().context_radius(3).header(&format!("a/{display}"), &format!("b/{display}")).to_string()
}

pub fn print_text(report: &RunReport, quiet: bool, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<()> {
    for file in &report.files {
        if let Some(diff) = &file.diff {
            out.write_all(diff.as_bytes())?;
        }
    }
    for problem in &report.walk_problems {
        writeln!(err, "{}: {}", problem.display, problem.message)?;
    }
    for file in &report.files {
        for problem in &file.problems {
            match problem.line {
                Some(line) => writeln!(err, "{}:{}: {}", file.display, line, problem.message)?,
                None => writeln!(err, "{}: {}", file.display, problem.message)?,
            }
        }
    }
    let unfixed: Vec<_> = report.unfixed().collect();
    for (file, finding) in &unfixed {
        let (line, column) = finding.location.start;
        let hint = if finding.fix.is_some() { " [review fix: apply with --unsafe-fixes]" } else { "" };
        writeln!(err, "{}:{}:{}: {} {}{}", file.display, line, column, finding.id(), finding.message, hint)?;
    }
    if quiet {
        return Ok(());
    }
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
    if !unfixed.is_empty() {
        writeln!(err, "{} finding{} without an applied fix (listed above).", unfixed.len(), plural(unfixed.len()))?;
    }
    if report.mode == Mode::DryRun && changed > 0 {
        writeln!(err, "Run with --write to apply.")?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
