//! `--statistics`: one line per codemod that found anything — fixes (applied, or pending in a dry
//! run), findings left, and findings suppressed — and a total.

use super::{FixState, RunReport};
use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Default)]
struct Counts {
    safety: &'static str,
    fixes: usize,
    left: usize,
    suppressed: usize,
}

pub fn render_statistics(report: &RunReport) -> String {
    let mut rows: BTreeMap<&str, Counts> = BTreeMap::new();
    for spec in &report.codemods {
        rows.insert(&spec.id, Counts { safety: spec.safety.name(), ..Default::default() });
    }
    for file in &report.files {
        for finding in &file.findings {
            let row = rows.entry(finding.id()).or_insert_with(|| Counts { safety: finding.spec.safety.name(), ..Default::default() });
            match file.fix_state(report.mode, finding) {
                FixState::Applied | FixState::Pending => row.fixes += 1,
                FixState::NeedsUnsafeFixes | FixState::NotWritten | FixState::Manual => row.left += 1,
            }
        }
        for id in &file.suppressed {
            rows.entry(id).or_default().suppressed += 1;
        }
    }
    rows.retain(|_, c| c.fixes + c.left + c.suppressed > 0);
    let width = rows.keys().map(|k| k.len()).chain(["CODEMOD".len(), "total".len()]).max().unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(out, "{:width$}  {:6}  {:>5}  {:>4}  {:>10}", "CODEMOD", "SAFETY", "FIXES", "LEFT", "SUPPRESSED");
    let mut total = Counts::default();
    for (id, c) in &rows {
        let _ = writeln!(out, "{id:width$}  {:6}  {:>5}  {:>4}  {:>10}", c.safety, c.fixes, c.left, c.suppressed);
        total.fixes += c.fixes;
        total.left += c.left;
        total.suppressed += c.suppressed;
    }
    let _ = writeln!(out, "{:width$}  {:6}  {:>5}  {:>4}  {:>10}", "total", "", total.fixes, total.left, total.suppressed);
    out
}
