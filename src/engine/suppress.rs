//! Suppressions: `# pulumi-fix: ignore[id, ...]` (`//` in TypeScript) on a line of the flagged
//! code, or alone on the line just before it; a bare `ignore` silences every codemod there. The
//! configuration's per-path ignores silence codemods in a whole file. A suppressed finding is not
//! reported and its fix is not applied.

use super::{Location, Problem};

const MARKER: &str = "pulumi-fix:";

#[derive(Debug)]
struct Comment {
    line: usize,
    /// The comment is the whole line, so it also covers the next line.
    own_line: bool,
    /// `None`: a bare `ignore`. Else the ids, each with whether it silenced something.
    ids: Option<Vec<(String, bool)>>,
    used: bool,
}

#[derive(Debug, Default)]
pub struct Suppressions {
    comments: Vec<Comment>,
    file_ignores: Vec<String>,
    /// Comments that look like suppressions but cannot be read.
    malformed: Vec<Problem>,
}

impl Suppressions {
    /// The suppression comments of `text` (written after `comment_prefix`), plus the codemods the
    /// configuration ignores for the whole file.
    pub fn parse(text: &str, comment_prefix: &str, file_ignores: &[String]) -> Suppressions {
        let mut suppressions = Suppressions { file_ignores: file_ignores.to_vec(), ..Default::default() };
        if !text.contains(MARKER) {
            return suppressions;
        }
        for (index, line) in text.lines().enumerate() {
            match parse_line(line, comment_prefix) {
                None => {}
                Some(Ok((own_line, ids))) => {
                    let ids = ids.map(|ids| ids.into_iter().map(|id| (id, false)).collect());
                    suppressions.comments.push(Comment { line: index + 1, own_line, ids, used: false });
                }
                Some(Err(message)) => suppressions.malformed.push(Problem { line: Some(index + 1), message, is_error: false }),
            }
        }
        suppressions
    }

    /// Whether a finding of codemod `id` at `location` is silenced; remembers which suppression did it.
    pub fn suppresses(&mut self, id: &str, location: &Location) -> bool {
        if self.file_ignores.iter().any(|i| i == id) {
            return true;
        }
        let (first, last) = (location.start.0, location.end.0);
        let mut silenced = false;
        for comment in &mut self.comments {
            let covers = (first..=last).contains(&comment.line) || (comment.own_line && comment.line + 1 == first);
            if !covers {
                continue;
            }
            let this_one = match &mut comment.ids {
                None => true,
                Some(ids) => {
                    let mut named = false;
                    for (_, used) in ids.iter_mut().filter(|(named, _)| named == id) {
                        *used = true;
                        named = true;
                    }
                    named
                }
            };
            comment.used |= this_one;
            silenced |= this_one;
        }
        silenced
    }

    /// Malformed suppression comments: always reported, since they silence nothing.
    pub fn malformed(&self) -> &[Problem] {
        &self.malformed
    }

    /// Suppressions that silenced nothing. `is_active` tells whether a codemod id runs at all.
    pub fn unused(&self, is_active: impl Fn(&str) -> bool) -> Vec<Problem> {
        let mut problems = Vec::new();
        for comment in &self.comments {
            let message = match &comment.ids {
                None if !comment.used => "unused suppression `pulumi-fix: ignore`: no finding here to silence; remove it".to_string(),
                None => continue,
                Some(ids) => {
                    let (inactive, unused): (Vec<&str>, Vec<&str>) =
                        ids.iter().filter(|(_, used)| !used).map(|(id, _)| id.as_str()).partition(|id| !is_active(id));
                    let mut parts = Vec::new();
                    if !unused.is_empty() {
                        parts.push(format!("no {} finding here to silence", quoted(&unused)));
                    }
                    if !inactive.is_empty() {
                        parts.push(format!("{} not active in this run (unknown id, or not selected)", quoted(&inactive)));
                    }
                    if parts.is_empty() {
                        continue;
                    }
                    format!("unused suppression: {}; remove {}", parts.join("; "), if unused.len() + inactive.len() == 1 { "it" } else { "them" })
                }
            };
            problems.push(Problem { line: Some(comment.line), message, is_error: false });
        }
        problems
    }
}

fn quoted(ids: &[&str]) -> String {
    ids.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ")
}

type ParsedLine = Result<(bool, Option<Vec<String>>), String>;

/// `None` when the line has no suppression comment; else whether the comment is the whole line
/// and its ids (`None` for all), or why it cannot be read.
fn parse_line(line: &str, prefix: &str) -> Option<ParsedLine> {
    let at = line.find(MARKER)?;
    let before = line[..at].trim_end();
    let comment_start = before.strip_suffix(prefix)?.len();
    // The prefix must start a comment, not end some other token (`"#`, `https://`).
    if !line[..comment_start].chars().next_back().is_none_or(char::is_whitespace) {
        return None;
    }
    let own_line = line[..comment_start].trim().is_empty();
    let rest = line[at + MARKER.len()..].trim_start();
    let after = rest.strip_prefix("ignore")?;
    match after.strip_prefix('[') {
        None if after.starts_with(|c: char| c.is_alphanumeric() || c == '-' || c == '_') => None,
        None => Some(Ok((own_line, None))),
        Some(list) => {
            let Some(end) = list.find(']') else {
                return Some(Err("malformed suppression: `ignore[` without a closing `]`; write `pulumi-fix: ignore[codemod-id]`".into()));
            };
            let ids: Vec<String> = list[..end].split(',').map(str::trim).filter(|id| !id.is_empty()).map(String::from).collect();
            if ids.is_empty() {
                return Some(Err("malformed suppression: `ignore[]` names no codemod; name one, or write a bare `ignore`".into()));
            }
            Some(Ok((own_line, Some(ids))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(first: usize, last: usize) -> Location {
        Location { start: (first, 1), end: (last, 1), byte_range: (0, 0) }
    }

    #[test]
    fn reads_the_comment_forms() {
        assert_eq!(parse_line("x = 1  # pulumi-fix: ignore[a, b]", "#"), Some(Ok((false, Some(vec!["a".into(), "b".into()])))));
        assert_eq!(parse_line("    # pulumi-fix: ignore", "#"), Some(Ok((true, None))));
        assert_eq!(parse_line("f(); // pulumi-fix:ignore — reason", "//"), Some(Ok((false, None))));
        assert_eq!(parse_line("# pulumi-fix: ignored", "#"), None);
        assert_eq!(parse_line("x = \"# pulumi-fix: ignore\"", "#"), None, "inside a string");
        assert_eq!(parse_line("// pulumi-fix: ignore", "#"), None, "another language's comment");
        assert_eq!(parse_line("url = 'https://pulumi-fix: ignore'", "//"), None);
        assert!(matches!(parse_line("# pulumi-fix: ignore[a", "#"), Some(Err(_))));
        assert!(matches!(parse_line("# pulumi-fix: ignore[ ]", "#"), Some(Err(_))));
    }

    #[test]
    fn covers_the_flagged_lines_and_the_own_line_before() {
        let text = "a  # pulumi-fix: ignore[x]\n# pulumi-fix: ignore[y]\nb\nc  # pulumi-fix: ignore\nd\n";
        let mut s = Suppressions::parse(text, "#", &[]);
        assert!(s.suppresses("x", &at(1, 1)));
        assert!(!s.suppresses("y", &at(1, 1)), "y is named for line 3");
        assert!(s.suppresses("y", &at(3, 3)), "own-line comment covers the next line");
        assert!(s.suppresses("anything", &at(3, 5)), "bare ignore on line 4, inside the flagged range");
        assert!(!s.suppresses("x", &at(5, 5)), "a trailing comment does not reach the next line");
        assert!(s.unused(|_| true).is_empty());
    }

    #[test]
    fn file_ignores_silence_the_whole_file() {
        let mut s = Suppressions::parse("x\n", "#", &["x".into()]);
        assert!(s.suppresses("x", &at(1, 1)));
        assert!(!s.suppresses("y", &at(1, 1)));
    }

    #[test]
    fn unused_ones_are_reported_with_their_line() {
        let text = "a  # pulumi-fix: ignore[x, y, typo]\nb  # pulumi-fix: ignore\n";
        let mut s = Suppressions::parse(text, "#", &[]);
        assert!(s.suppresses("x", &at(1, 1)));
        let unused = s.unused(|id| id != "typo");
        assert_eq!(unused.len(), 2);
        assert_eq!(unused[0].line, Some(1));
        assert!(unused[0].message.contains("no `y` finding here"), "{}", unused[0].message);
        assert!(unused[0].message.contains("`typo` not active"), "{}", unused[0].message);
        assert_eq!(unused[1].line, Some(2));
    }
}
