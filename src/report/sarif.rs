//! `--format sarif`: a SARIF 2.1.0 log for code-scanning tools. One rule per codemod (its help is
//! the spec's explanation), one result per finding still in the code, and the fix as a SARIF
//! `fix` where its edits are in the file as read (fixes of the first pass: nearly all).

use super::{FileReport, RunReport};
use crate::engine::{Edit, Finding};
use crate::source::line_col;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use std::collections::HashMap;

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Characters left as they are in a relative URI path: RFC 3986 unreserved ones and `/`.
const URI_PATH: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// Artifact locations are relative to the directory pulumi-fix ran in.
const SRCROOT: &str = "%SRCROOT%";

pub fn render_sarif(report: &RunReport) -> String {
    let mut codemods: Vec<_> = report.codemods.iter().collect();
    codemods.sort_by(|a, b| a.id.cmp(&b.id));
    let rule_index: HashMap<&str, usize> = codemods.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let rules: Vec<Value> = codemods
        .iter()
        .map(|spec| {
            let seed = spec.seed.join("; ");
            json!({
                "id": spec.id,
                "shortDescription": {"text": spec.summary},
                "fullDescription": {"text": spec.explanation.trim_end()},
                "help": {
                    "text": format!("{}\n\nSeed: {seed}\nSafety: {}", spec.explanation.trim_end(), spec.safety.name()),
                    "markdown": format!("{}\n\n**Seed:** {seed}  \n**Safety:** `{}`", spec.explanation.trim_end(), spec.safety.name()),
                },
                "defaultConfiguration": {"level": "warning"},
                "properties": {
                    "safety": spec.safety.name(),
                    "language": spec.language.name(),
                    "seed": spec.seed,
                    "tags": ["pulumi", spec.language.name()],
                },
            })
        })
        .collect();

    let results: Vec<Value> = report
        .outstanding()
        .map(|(file, finding)| {
            let mut result = json!({
                "ruleId": finding.id(),
                "level": "warning",
                "message": {"text": finding.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact(&file.display),
                        "region": region(finding.location.start, finding.location.end),
                    }
                }],
                "properties": {"safety": finding.spec.safety.name(), "applied": finding.applied},
            });
            if let Some(index) = rule_index.get(finding.id()) {
                result["ruleIndex"] = json!(index);
            }
            if let Some(fix) = sarif_fix(file, finding) {
                result["fixes"] = json!([fix]);
            }
            result
        })
        .collect();

    let notifications: Vec<Value> = report
        .problems()
        .map(|p| {
            let mut location = json!({"physicalLocation": {"artifactLocation": artifact(p.file)}});
            if let Some(line) = p.line {
                location["physicalLocation"]["region"] = json!({"startLine": line});
            }
            json!({"level": if p.is_error { "error" } else { "warning" }, "message": {"text": p.message}, "locations": [location]})
        })
        .collect();

    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "pulumi-fix",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "invocations": [{
                "executionSuccessful": !report.has_errors(),
                "toolExecutionNotifications": notifications,
            }],
        }],
    });
    serde_json::to_string_pretty(&log).expect("JSON values always serialize") + "\n"
}

fn artifact(display: &str) -> Value {
    json!({"uri": utf8_percent_encode(display, URI_PATH).to_string(), "uriBaseId": SRCROOT})
}

/// A text region; SARIF's end column, like ours, is that of the character after the region.
fn region(start: (usize, usize), end: (usize, usize)) -> Value {
    json!({"startLine": start.0, "startColumn": start.1, "endLine": end.0, "endColumn": end.1})
}

/// The fix as SARIF replacements, when its edits are in the text as read.
fn sarif_fix(file: &FileReport, finding: &Finding) -> Option<Value> {
    let fix = finding.fix.as_ref().filter(|fix| fix.pass == 1)?;
    let text = file.text.as_deref()?;
    let mut edits: Vec<&Edit> = fix.edits.iter().collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits.dedup();
    let replacements: Vec<Value> = edits
        .iter()
        .map(|e| json!({"deletedRegion": region(line_col(text, e.range.start), line_col(text, e.range.end)), "insertedContent": {"text": e.replacement}}))
        .collect();
    Some(json!({
        "description": {"text": format!("{} ({})", finding.spec.summary, finding.spec.safety.name())},
        "artifactChanges": [{"artifactLocation": artifact(&file.display), "replacements": replacements}],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_relative_paths() {
        assert_eq!(artifact("dir%1/we:ird,name.py")["uri"], "dir%251/we%3Aird%2Cname.py");
        assert_eq!(artifact("a b/ü.py")["uri"], "a%20b/%C3%BC.py");
        assert_eq!(artifact("app/__main__.py")["uri"], "app/__main__.py");
    }
}
