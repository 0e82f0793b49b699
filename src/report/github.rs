//! `--format github`: GitHub Actions workflow commands, one `::warning` annotation per finding
//! still in the code and one `::error` / `::warning` per problem, shown on the pull request's diff.

use super::{FixState, RunReport};
use crate::spec::Safety;
use std::fmt::Write as _;

pub fn render_github(report: &RunReport) -> String {
    let mut out = String::new();
    for (file, finding) in report.outstanding() {
        let (line, col) = finding.location.start;
        let (end_line, end_col) = finding.location.end;
        let status = match (file.fix_state(report.mode, finding), finding.spec.safety) {
            (FixState::Pending, Safety::Safe) => "fix available: run `pulumi-fix --write`",
            (FixState::Pending | FixState::NeedsUnsafeFixes, _) => "review fix available: run `pulumi-fix --write --unsafe-fixes`",
            (FixState::NotWritten, _) => "fixed, but the file could not be written",
            (FixState::Applied, _) => "fixed",
            (FixState::Manual, _) => "no automatic fix; fix it by hand",
        };
        let title = format!("pulumi-fix: {}", finding.id());
        let message = format!("{} ({status})", finding.message);
        let _ = writeln!(
            out,
            "::warning file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}",
            property(&file.display),
            property(&title),
            data(&message)
        );
    }
    for problem in report.problems() {
        let level = if problem.is_error { "error" } else { "warning" };
        let line = problem.line.map(|l| format!(",line={l}")).unwrap_or_default();
        let _ = writeln!(out, "::{level} file={}{line},title={}::{}", property(problem.file), property("pulumi-fix"), data(problem.message));
    }
    out
}

/// Escapes a command's message, as the Actions runner expects.
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command property: as a message, and also the `:` and `,` that delimit properties.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("100% done\r\nnext: a, b"), "100%25 done%0D%0Anext: a, b");
        assert_eq!(property("dir%1/we:ird,name.py"), "dir%251/we%3Aird%2Cname.py");
        assert_eq!(property("two\nlines"), "two%0Alines");
    }
}
