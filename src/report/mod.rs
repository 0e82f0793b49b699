//! Reports: every format reads the same records — per file, the findings (applied fixes and what
//! is left), the problems, and the diff.

mod json;
mod text;

use crate::engine::{Finding, Problem};
use crate::walk::WalkProblem;
use std::collections::BTreeMap;

pub use json::render_json;
pub use text::{print_text, unified_diff};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    DryRun,
    Write,
}

#[derive(Debug)]
pub struct FileReport {
    pub display: String,
    /// Unified diff of the fix (dry-run text output only).
    pub diff: Option<String>,
    pub changed: bool,
    pub written: bool,
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
}

#[derive(Debug)]
pub struct RunReport {
    pub mode: Mode,
    pub files_scanned: usize,
    /// Files with anything to say, in path order.
    pub files: Vec<FileReport>,
    pub walk_problems: Vec<WalkProblem>,
}

/// Exit codes, documented in the README.
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_PENDING: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

impl RunReport {
    /// The fixes applied: in a `--write` run, only those of the files actually written.
    pub fn applied(&self) -> impl Iterator<Item = (&FileReport, &Finding)> {
        self.files.iter().filter(|f| self.mode == Mode::DryRun || f.written).flat_map(|f| f.findings.iter().filter(|x| x.applied).map(move |x| (f, x)))
    }

    pub fn unfixed(&self) -> impl Iterator<Item = (&FileReport, &Finding)> {
        self.files.iter().flat_map(|f| f.findings.iter().filter(|x| !x.applied).map(move |x| (f, x)))
    }

    /// Fix counts per codemod id, sorted by id.
    pub fn applied_by_codemod(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for (_, finding) in self.applied() {
            *counts.entry(finding.id()).or_insert(0) += 1;
        }
        counts
    }

    pub fn has_errors(&self) -> bool {
        self.walk_problems.iter().any(|p| p.is_error) || self.files.iter().any(|f| f.problems.iter().any(|p| p.is_error))
    }

    /// 2 on errors; 1 when fixes are pending (dry-run) or findings remain; else 0.
    pub fn exit_code(&self) -> i32 {
        if self.has_errors() {
            return EXIT_ERROR;
        }
        let pending = self.mode == Mode::DryRun && self.files.iter().any(|f| f.changed);
        let unwritten = self.mode == Mode::Write && self.files.iter().any(|f| f.changed && !f.written);
        let skipped = self.files.iter().any(|f| !f.problems.is_empty());
        if pending || unwritten || skipped || self.unfixed().next().is_some() { EXIT_PENDING } else { EXIT_CLEAN }
    }
}
