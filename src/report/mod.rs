//! Reports: every format reads the same records — per file, the findings (applied fixes and what
//! is left), the problems, and the diff.

mod github;
mod json;
mod markdown;
mod sarif;
mod statistics;
mod text;

use crate::engine::{Finding, Problem};
use crate::spec::{Safety, Spec};
use crate::walk::WalkProblem;
use std::collections::BTreeMap;
use std::sync::Arc;

pub use github::render_github;
pub use json::render_json;
pub use markdown::render_markdown;
pub use sarif::render_sarif;
pub use statistics::render_statistics;
pub use text::{print_summary, print_text, unified_diff};

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
    /// The codemod id of each suppressed finding.
    pub suppressed: Vec<String>,
    /// The text as read (no byte-order mark), for reporters that locate edits by line.
    pub text: Option<String>,
}

/// What became of a finding's fix in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixState {
    /// Written to the file.
    Applied,
    /// In the dry run's diff: `--write` applies it.
    Pending,
    /// A `review` fix left out: `--unsafe-fixes` applies it.
    NeedsUnsafeFixes,
    /// Fixed, but the file could not be written (see the file's problems).
    NotWritten,
    /// No automatic fix here (none exists, or the guard refused it): a person fixes it.
    Manual,
}

impl FileReport {
    pub fn fix_state(&self, mode: Mode, finding: &Finding) -> FixState {
        match (&finding.fix, finding.applied) {
            (None, _) => FixState::Manual,
            (Some(_), true) if mode == Mode::DryRun => FixState::Pending,
            (Some(_), true) if self.written => FixState::Applied,
            (Some(_), true) => FixState::NotWritten,
            (Some(_), false) if finding.spec.safety == Safety::Review => FixState::NeedsUnsafeFixes,
            (Some(_), false) => FixState::Manual,
        }
    }
}

/// A problem of the walk or of a file, with the file it is about.
#[derive(Debug, Clone, Copy)]
pub struct ProblemRef<'a> {
    pub file: &'a str,
    pub line: Option<usize>,
    pub message: &'a str,
    pub is_error: bool,
}

#[derive(Debug)]
pub struct RunReport {
    pub mode: Mode,
    /// The codemods that ran.
    pub codemods: Vec<Arc<Spec>>,
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

    /// The findings still in the code on disk after this run: all of them in a dry run; after
    /// `--write`, those not fixed (or whose file could not be written).
    pub fn outstanding(&self) -> impl Iterator<Item = (&FileReport, &Finding)> {
        let all = self.mode == Mode::DryRun;
        self.files.iter().flat_map(move |f| f.findings.iter().filter(move |x| all || !x.applied || !f.written).map(move |x| (f, x)))
    }

    /// The problems of the walk, then those of each file.
    pub fn problems(&self) -> impl Iterator<Item = ProblemRef<'_>> {
        let walk = self.walk_problems.iter().map(|p| ProblemRef { file: &p.display, line: None, message: &p.message, is_error: p.is_error });
        let files = self.files.iter().flat_map(|f| {
            f.problems.iter().map(move |p| ProblemRef { file: &f.display, line: p.line, message: &p.message, is_error: p.is_error })
        });
        walk.chain(files)
    }

    pub fn suppressed(&self) -> usize {
        self.files.iter().map(|f| f.suppressed.len()).sum()
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
