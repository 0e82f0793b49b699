//! `--format markdown` and `--summary-file`: a pull-request body. What was fixed, grouped by
//! codemod with counts, each codemod's explanation, safety and seed; the fixes that need a
//! review (they can change what `pulumi up` does); what is left to fix by hand; problems.

use super::text::plural;
use super::{FileReport, FixState, Mode, RunReport};
use crate::engine::Finding;
use crate::spec::{Safety, Spec};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

/// A codemod's spec and its fixes.
type Group<'a> = (&'a Arc<Spec>, Vec<(&'a FileReport, &'a Finding)>);

pub fn render_markdown(report: &RunReport) -> String {
    let findings: Vec<(&FileReport, &Finding, FixState)> =
        report.files.iter().flat_map(|f| f.findings.iter().map(move |x| (f, x, f.fix_state(report.mode, x)))).collect();
    let fixed: Vec<_> = findings.iter().filter(|(_, _, s)| matches!(s, FixState::Applied | FixState::Pending)).collect();
    let mut by_codemod: BTreeMap<&str, Group> = BTreeMap::new();
    for (file, finding, _) in &fixed {
        by_codemod.entry(finding.id()).or_insert_with(|| (&finding.spec, Vec::new())).1.push((file, finding));
    }
    let files_fixed = report.files.iter().filter(|f| f.findings.iter().any(|x| matches!(f.fix_state(report.mode, x), FixState::Applied | FixState::Pending))).count();
    let (done, would) = match report.mode {
        Mode::Write => ("", "made"),
        Mode::DryRun => (" to apply", "proposed"),
    };

    let mut out = String::new();
    let n = fixed.len();
    if n == 0 {
        out.push_str("## pulumi-fix: no fixes\n\n");
    } else {
        let _ = writeln!(out, "## pulumi-fix: {n} fix{}{done} in {files_fixed} file{}\n", if n == 1 { "" } else { "es" }, plural(files_fixed));
        let _ = writeln!(
            out,
            "These changes were {would} by `pulumi-fix`, codemods for the mistakes that make Pulumi programs fail `pulumi preview`, `pulumi up`, `tsc` or CI.\n"
        );
        out.push_str("| Codemod | Fixes | Safety | What it fixes |\n|---|---:|---|---|\n");
        for (id, (spec, list)) in &by_codemod {
            let _ = writeln!(out, "| {} | {} | {} | {} |", code(id), list.len(), spec.safety.name(), cell(&spec.summary));
        }
        out.push('\n');
    }

    let review: Vec<_> = findings
        .iter()
        .filter(|(_, f, s)| f.spec.safety == Safety::Review && matches!(s, FixState::Applied | FixState::Pending | FixState::NeedsUnsafeFixes))
        .collect();
    if !review.is_empty() {
        let _ = writeln!(out, "### Needs review ({})\n", review.len());
        out.push_str(
            "These fixes are marked `review`: they can change what `pulumi up` does — for example create, replace or delete a resource — so read the plan of `pulumi preview` before merging.\n\n",
        );
        for (file, finding, state) in &review {
            let status = match state {
                FixState::Applied => "applied",
                FixState::Pending => "in this change",
                _ => "not applied: run `pulumi-fix --write --unsafe-fixes` to apply it",
            };
            let creates_verb = if matches!(state, FixState::Applied | FixState::Pending) { "`pulumi up` creates" } else { "it would create" };
            let creates = finding.creates.as_ref().map(|c| format!("; {creates_verb} {}", code(c))).unwrap_or_default();
            let _ = writeln!(out, "- {} {}: {} ({status}{creates})", code(&place(file, finding)), code(finding.id()), one_line(&finding.message));
        }
        out.push('\n');
    }

    for (id, (spec, list)) in &by_codemod {
        let _ = writeln!(out, "### {} — {} fix{}\n", code(id), list.len(), if list.len() == 1 { "" } else { "es" });
        let _ = writeln!(out, "{}\n", spec.summary);
        let _ = writeln!(out, "Safety: `{}` · Seed: {}\n", spec.safety.name(), spec.seed.join("; "));
        let _ = writeln!(out, "<details><summary>Why</summary>\n\n{}\n\n</details>\n", spec.explanation.trim());
        for (file, finding) in list {
            let _ = writeln!(out, "- {} {}", code(&place(file, finding)), one_line(&finding.message));
        }
        out.push('\n');
    }

    let manual: Vec<_> = findings.iter().filter(|(_, _, s)| matches!(s, FixState::Manual | FixState::NotWritten)).collect();
    if !manual.is_empty() {
        let _ = writeln!(out, "### Not fixed automatically ({})\n", manual.len());
        for (file, finding, _) in &manual {
            let _ = writeln!(out, "- {} {}: {}", code(&place(file, finding)), code(finding.id()), one_line(&finding.message));
        }
        out.push('\n');
    }

    let problems: Vec<_> = report.problems().collect();
    if !problems.is_empty() {
        let _ = writeln!(out, "### Problems ({})\n", problems.len());
        for p in &problems {
            let at = p.line.map_or_else(|| p.file.to_string(), |line| format!("{}:{line}", p.file));
            let _ = writeln!(out, "- {}{}: {}", if p.is_error { "**error** " } else { "" }, code(&at), one_line(p.message));
        }
        out.push('\n');
    }

    let suppressed = report.suppressed();
    if suppressed > 0 {
        let _ = writeln!(out, "{suppressed} finding{} suppressed by `pulumi-fix: ignore` comments or per-file-ignores.\n", plural(suppressed));
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn place(file: &FileReport, finding: &Finding) -> String {
    format!("{}:{}", file.display, finding.location.start.0)
}

/// A Markdown code span that holds any text, backticks included.
fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Text for one table cell: no line breaks, pipes escaped.
fn cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(code("a.py:3"), "`a.py:3`");
        assert_eq!(code("we`ird.py"), "``we`ird.py``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(cell("a | b\nc"), "a \\| b c");
    }
}
