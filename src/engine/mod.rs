//! The engine: run the compiled specs on a file, turn matches into edits, apply them under the
//! guard (no overlaps, no new syntax errors) until a fixed point, and describe what happened.

mod edits;
mod fixpoint;
pub(crate) mod matcher;
mod suppress;

use crate::lang::{Grammar, parse};
use crate::project::{FileContext, Workspace};
use crate::source::{ReadError, SourceFile};
use crate::spec::{CompiledSpec, FileFacts, List, Prefilter, Reader, RuleNeeds, Safety, Spec, SpecError, check_with_tree_sitter, compile_rules};
use rayon::prelude::*;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use tree_sitter::Tree;

pub use fixpoint::{FixRun, MAX_PASSES, RuleFault};
use suppress::Suppressions;

/// One text change: replace `range` (byte offsets) with `replacement`. An empty range inserts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
}

impl Edit {
    pub fn insert(at: usize, text: String) -> Edit {
        Edit { range: at..at, replacement: text }
    }

    pub fn replace(range: Range<usize>, text: String) -> Edit {
        Edit { range, replacement: text }
    }

    /// `text` with this one edit applied.
    pub fn apply_to(&self, text: &str) -> String {
        apply_edits(text, std::slice::from_ref(self))
    }

    fn is_deletion(&self) -> bool {
        !self.range.is_empty() && self.replacement.is_empty()
    }

    /// Two edits conflict when applying both is ambiguous: overlapping ranges, or different text
    /// inserted at one point. Overlapping deletions do not: together they delete the union (two
    /// neighbours in a list share the comma between them).
    fn conflicts_with(&self, other: &Edit) -> bool {
        if self == other || (self.is_deletion() && other.is_deletion()) {
            return false;
        }
        let (a, b) = (&self.range, &other.range);
        match (a.is_empty(), b.is_empty()) {
            (true, true) => a.start == b.start,
            (true, false) => b.start < a.start && a.start < b.end,
            (false, true) => a.start < b.start && b.start < a.end,
            (false, false) => a.start < b.end && b.start < a.end,
        }
    }

    /// Two edits of one fix overlap when one changes text inside the other's range; inserts at
    /// one point are applied in the rule's order, so they do not.
    fn overlaps(&self, other: &Edit) -> bool {
        !(self.range.is_empty() && other.range.is_empty()) && self.conflicts_with(other)
    }
}

/// Non-conflicting edits in order, without duplicates, overlapping deletions merged into one.
pub fn normalize_edits(edits: &[Edit]) -> Vec<Edit> {
    let mut sorted: Vec<Edit> = edits.to_vec();
    // Stable: inserts at one point keep the order they were given in.
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    sorted.dedup();
    let mut out: Vec<Edit> = Vec::with_capacity(sorted.len());
    for edit in sorted {
        match out.last_mut() {
            Some(last) if last.is_deletion() && edit.is_deletion() && edit.range.start < last.range.end => {
                last.range.end = last.range.end.max(edit.range.end);
            }
            _ => out.push(edit),
        }
    }
    out
}

/// Applies non-conflicting edits (any order given) to `text`.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for edit in normalize_edits(edits) {
        out.push_str(&text[at..edit.range.start]);
        out.push_str(&edit.replacement);
        at = edit.range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub edits: Vec<Edit>,
    /// The fixed-point pass that produced the edits (1-based). Their ranges are in the text left
    /// by the applied fixes of the passes before it: pass 1 is the file as read.
    pub pass: usize,
}

/// Where a finding is, in the file as it was read (1-based lines and columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub start: (usize, usize),
    pub end: (usize, usize),
    pub byte_range: (usize, usize),
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub spec: Arc<Spec>,
    pub location: Location,
    pub message: String,
    /// What the fix adds to the stack (the rule's `creates`), e.g. `aws.s3.BucketVersioning "logs-versioning"`.
    pub creates: Option<String>,
    /// The fix, with ranges in the text of the pass that produced it.
    pub fix: Option<Fix>,
    pub applied: bool,
}

impl Finding {
    pub fn id(&self) -> &str {
        &self.spec.id
    }
}

/// Something about a file that is not a finding of a codemod: unreadable, unparsable, a refused
/// or non-converging fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    pub message: String,
    /// Errors make the exit code 2; the rest are notices that leave a file untouched.
    pub is_error: bool,
}

#[derive(Debug)]
pub struct FileOutcome {
    pub display: String,
    /// Whether the fixes change the file.
    pub changed: bool,
    /// The file as read, kept when it changed or has findings (unless `EngineOptions::drop_texts`).
    pub source: Option<SourceFile>,
    /// The fixed text, when it differs from the original (unless `EngineOptions::drop_texts`).
    pub fixed: Option<String>,
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    /// Mistakes of specs that this file revealed (the file is left untouched); a run that meets
    /// one writes nothing.
    pub spec_errors: Vec<SpecError>,
    /// The codemod id of each finding a suppression comment or per-path ignore silenced.
    pub suppressed: Vec<String>,
}

impl FileOutcome {
    /// Whether a report or the writes need this outcome: a change, findings, problems,
    /// suppressions or spec errors.
    pub fn has_news(&self) -> bool {
        self.changed || !self.findings.is_empty() || !self.problems.is_empty() || !self.suppressed.is_empty() || !self.spec_errors.is_empty()
    }

    fn problem(display: String, problem: Problem) -> FileOutcome {
        FileOutcome { display, changed: false, source: None, fixed: None, findings: Vec::new(), problems: vec![problem], suppressed: Vec::new(), spec_errors: Vec::new() }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct EngineOptions {
    /// Apply `review` fixes too.
    pub unsafe_fixes: bool,
    /// The pulumi-aws major version the programs target (configuration `target.pulumi-aws` or
    /// `--target-pulumi-aws`); `None` when not given. For codemods that hold for some versions only.
    pub target_aws_major: Option<u32>,
    /// Report suppression comments that silenced nothing, as notices.
    pub report_unused_suppressions: bool,
    /// The caller needs neither a file's text nor its fixed text (a report without diffs, quotes
    /// or writes): outcomes keep neither, so a run's memory does not grow with its findings.
    pub drop_texts: bool,
}

/// A rule as `compile_rules` takes it: (spec number, spec, rule index).
type RuleRef<'s> = (usize, &'s Spec, usize);

/// The query of a rule that may match a file, for the file's grammar, and the parts of the file
/// that can hold its matches (`None`: all of it).
pub(crate) struct SpecQueries<'e> {
    pub compiled: &'e CompiledSpec,
    pub ranges: Option<Vec<Range<usize>>>,
}

/// The active specs, their anchors, their queries (compiled once per rule and grammar when a
/// file first may match it), and the project view; shared by all threads.
pub struct Engine {
    /// As given: deferred ones (see [`crate::spec::Deferred`]) know their identity only.
    specs: Vec<Arc<Spec>>,
    /// Each spec whole: read when a file first may need a deferred one.
    whole: Vec<OnceLock<Result<Arc<Spec>, SpecError>>>,
    reader: Reader,
    prefilter: Prefilter,
    /// Per pre-filter unit (a rule), its query per grammar.
    compiled: Vec<[OnceLock<Result<CompiledSpec, SpecError>>; 4]>,
    options: EngineOptions,
    workspace: Workspace,
}

impl Engine {
    pub fn new(specs: Vec<Spec>, options: EngineOptions) -> Engine {
        // The rules' needs: a deferred spec brings them, the others' queries are read here.
        let read: Vec<&Spec> = specs.iter().filter(|s| s.deferred.is_none()).collect();
        let mut read = RuleNeeds::of_specs(&read).into_iter();
        let needs: Vec<List<RuleNeeds>> =
            specs.iter().map(|spec| spec.deferred.as_ref().map_or_else(|| List::Owned(read.next().expect("needs read for every spec")), |d| List::Borrowed(d.needs))).collect();
        let prefilter = Prefilter::new(&needs);
        let specs: Vec<Arc<Spec>> = specs.into_iter().map(Arc::new).collect();
        let whole = specs.iter().map(|spec| if spec.deferred.is_some() { OnceLock::new() } else { OnceLock::from(Ok(spec.clone())) }).collect();
        let compiled = prefilter.units().iter().map(|_| Default::default()).collect();
        let workspace = Workspace::with_target_aws_major(options.target_aws_major);
        Engine { specs, whole, reader: Reader::default(), prefilter, compiled, options, workspace }
    }

    /// The specs as given: a deferred one knows its identity and safety only (see
    /// [`Self::whole_specs`]).
    pub fn specs(&self) -> &[Arc<Spec>] {
        &self.specs
    }

    /// Every spec whole, deferred ones read now.
    pub fn whole_specs(&self) -> Result<Vec<Arc<Spec>>, SpecError> {
        (0..self.specs.len()).into_par_iter().map(|spec| self.spec(spec).cloned()).collect()
    }

    /// Spec number `spec`, whole.
    fn spec(&self, spec: usize) -> Result<&Arc<Spec>, SpecError> {
        let whole = self.whole[spec].get_or_init(|| self.reader.read(&self.specs[spec]).map(Arc::new));
        whole.as_ref().map_err(Clone::clone)
    }

    /// The spec of pre-filter unit `unit`, as given (its identity).
    fn spec_of(&self, unit: usize) -> &Spec {
        &self.specs[self.prefilter.units()[unit].spec]
    }

    /// The rules of pre-filter unit `unit`, as `compile_rules` takes them.
    fn rules_of(&self, unit: usize) -> Result<Vec<RuleRef<'_>>, SpecError> {
        let unit = &self.prefilter.units()[unit];
        let spec = self.spec(unit.spec)?;
        Ok(unit.rules.iter().map(|&rule| (unit.spec, spec.as_ref(), rule)).collect())
    }

    /// The pre-filter units (rules) of the specs of `language`.
    fn units_of(&self, language: crate::spec::SpecLanguage) -> impl Iterator<Item = usize> + '_ {
        (0..self.prefilter.units().len()).filter(move |&unit| self.spec_of(unit).language == language)
    }

    /// Compiles the queries of the user specs (not built-in) for `grammar`, checking them with
    /// tree-sitter too (which also rejects patterns the grammar makes impossible). Call for every
    /// grammar a run will meet before touching any file, so that a bad spec stops the run before
    /// anything is written. Built-in specs compile when a file first needs them.
    pub fn prepare(&self, grammar: Grammar) -> Result<(), SpecError> {
        let mut user_units = self.units_of(grammar.spec_language()).filter(|&unit| !self.spec_of(unit).builtin);
        user_units.try_for_each(|unit| match self.compiled(unit, grammar)?.tree_sitter {
            // A query the engine leaves to tree-sitter has just been compiled by it.
            Some(_) => Ok(()),
            None => check_with_tree_sitter(&self.rules_of(unit)?, grammar),
        })
    }

    fn compiled(&self, unit: usize, grammar: Grammar) -> Result<&CompiledSpec, SpecError> {
        let slot = self.compiled[unit][grammar.index()].get_or_init(|| compile_rules(&self.rules_of(unit)?, grammar));
        slot.as_ref().map_err(Clone::clone)
    }

    /// The rules of `grammar`'s language that the pre-filter lets match `text` (with `facts`
    /// about its file), compiled, and where in `text` their matches can be.
    pub(crate) fn candidates(&self, grammar: Grammar, text: &str, facts: &dyn FileFacts) -> Result<Vec<SpecQueries<'_>>, SpecError> {
        let mut scan = self.prefilter.scan(text.as_bytes());
        let units: Vec<usize> = self.units_of(grammar.spec_language()).filter(|&unit| self.prefilter.may_match(unit, &mut scan, facts)).collect();
        let candidate = |unit: usize| Ok(SpecQueries { compiled: self.compiled(unit, grammar)?, ranges: self.prefilter.match_ranges(unit, text.as_bytes()) });
        // The first files to need rules read and compile them side by side; later ones find them.
        if units.iter().any(|&unit| self.compiled[unit][grammar.index()].get().is_none()) {
            units.into_par_iter().map(candidate).collect()
        } else {
            units.into_iter().map(candidate).collect()
        }
    }

    /// Reads, fixes and describes one file, leaving out the codemods in `ignored` (the
    /// configuration's per-path ignores). Never writes.
    pub fn process_path(&self, path: &Path, display: String, grammar: Grammar, ignored: &[String]) -> FileOutcome {
        self.process_read(SourceFile::read(path, display, grammar).map(|source| (source, None)), ignored)
    }

    /// Fixes a file read (and maybe parsed) already: see [`Self::prepare_for`].
    pub fn process_read(&self, read: Result<(SourceFile, Option<Tree>), ReadError>, ignored: &[String]) -> FileOutcome {
        match read {
            Ok((source, tree)) => self.process_parsed(source, tree, ignored),
            Err(ReadError { display, line, message }) => FileOutcome::problem(display, Problem { line, message, is_error: true }),
        }
    }

    /// Fixes `source`, leaving out the codemods in `ignored`; project facts come from the files
    /// around `source.path`.
    pub fn process_source(&self, source: SourceFile, ignored: &[String]) -> FileOutcome {
        self.process_parsed(source, None, ignored)
    }

    /// Reads and compiles the rules that `source` may need, so that processing it finds them
    /// ready: a run of few files (pre-commit) does this while another thread parses them.
    pub fn prepare_for(&self, source: &SourceFile) {
        // A failure is reported when the file is processed.
        let _ = self.candidates(source.grammar, &source.text, &FileContext::new(&source.path, &self.workspace));
    }

    /// As [`Self::process_source`], with `source`'s tree when it was parsed already.
    fn process_parsed(&self, source: SourceFile, tree: Option<Tree>, ignored: &[String]) -> FileOutcome {
        let context = FileContext::new(&source.path, &self.workspace);
        let mut suppressions = Suppressions::parse(&source.text, source.grammar.comment_prefix(), ignored);
        // A file the pre-filter rules out is neither parsed (unless ahead) nor matched (so a
        // syntax error in it goes unreported: nothing would have been changed there anyway).
        let mut run = match self.candidates(source.grammar, &source.text, &context) {
            Ok(queries) if queries.is_empty() => FixRun::unchanged(),
            Ok(queries) => {
                let tree = tree.unwrap_or_else(|| parse(source.grammar, &source.text));
                fixpoint::run(self, queries, tree, source.grammar, &source.text, &context, &mut suppressions)
            }
            Err(e) => FixRun::not_processed(e),
        };
        run.problems.extend_from_slice(suppressions.malformed());
        if self.options.report_unused_suppressions && run.completed {
            run.problems.extend(suppressions.unused(|id| self.specs.iter().any(|s| s.id == id)));
        }
        let changed = run.fixed.is_some();
        let keep_texts = !self.options.drop_texts;
        let fixed = run.fixed.filter(|_| keep_texts);
        let display = source.display.clone();
        // A fault of a user's spec is theirs to fix and stops the run; one of a built-in spec is
        // our bug, seen on an odd file: that file is left alone and the run goes on.
        let (builtin_faults, user_faults): (Vec<RuleFault>, Vec<RuleFault>) = run.faults.into_iter().partition(|fault| self.specs[fault.spec].builtin);
        run.problems.extend(builtin_faults.iter().map(|fault| self.internal_error(fault)));
        let spec_errors = user_faults.iter().map(|fault| self.spec_error(fault, &display)).collect();
        // Only a changed file or one with findings needs its text later (to diff, write or quote
        // it): a run over many files holds those only, not the whole tree.
        let source = (keep_texts && (changed || !run.findings.is_empty())).then_some(source);
        FileOutcome { display, changed, source, fixed, findings: run.findings, problems: run.problems, suppressed: run.suppressed, spec_errors }
    }

    fn spec_error(&self, fault: &RuleFault, display: &str) -> SpecError {
        let spec = &self.specs[fault.spec];
        SpecError {
            path: spec.path.clone(),
            // A fault is of a rule that matched, so its spec was read whole.
            line: self.spec(fault.spec).map_or(spec.id_line, |whole| whole.rules[fault.rule].query_line),
            message: format!("{} (`{}`, seen on {display}:{}, which is left untouched)", fault.message, spec.id, fault.line),
        }
    }

    fn internal_error(&self, fault: &RuleFault) -> Problem {
        let spec = &self.specs[fault.spec];
        let message = format!(
            "internal error in built-in codemod `{}` ({}); this file is left untouched, the others are fixed. Please report it with this file (or --ignore {} here)",
            spec.id, fault.message, spec.id
        );
        Problem { line: Some(fault.line), message, is_error: true }
    }

    fn applies(&self, spec: &Spec) -> bool {
        spec.safety == Safety::Safe || self.options.unsafe_fixes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts() {
        let r = |a, b| Edit::replace(a..b, "x".into());
        let i = |a, t: &str| Edit::insert(a, t.into());
        assert!(r(0, 5).conflicts_with(&r(4, 6)));
        assert!(!r(0, 5).conflicts_with(&r(5, 6)));
        assert!(i(3, "a").conflicts_with(&r(0, 5)));
        assert!(!i(5, "a").conflicts_with(&r(0, 5)));
        assert!(i(3, "a").conflicts_with(&i(3, "b")));
        assert!(!i(3, "a").conflicts_with(&i(3, "a")));
        assert!(r(0, 5).overlaps(&r(2, 3)));
        assert!(i(3, "a").overlaps(&r(0, 5)));
        assert!(!i(3, "a").overlaps(&i(3, "b")), "inserts at one point of one fix go in order");
    }

    #[test]
    fn overlapping_deletions_delete_their_union() {
        let delete = |a, b| Edit::replace(a..b, String::new());
        assert!(!delete(0, 4).conflicts_with(&delete(3, 6)));
        assert!(delete(0, 4).conflicts_with(&Edit::replace(3..6, "x".into())));
        assert_eq!(apply_edits("a, b, c", &[delete(0, 4), delete(3, 6)]), "c");
        assert_eq!(apply_edits("a, b, c", &[delete(3, 6), delete(0, 4), delete(6, 7)]), "");
    }

    #[test]
    fn apply_dedupes_identical_edits() {
        let edits = [Edit::insert(0, "import base64\n".into()), Edit::insert(0, "import base64\n".into()), Edit::replace(2..3, "Y".into())];
        assert_eq!(apply_edits("x=y\n", &edits), "import base64\nx=Y\n");
    }

    #[test]
    fn dropping_texts_keeps_what_a_report_needs() {
        let specs = crate::spec::builtin_specs().unwrap();
        let outcome = |drop_texts| {
            let engine = Engine::new(specs.clone(), EngineOptions { drop_texts, ..Default::default() });
            let file = SourceFile { path: "main.py".into(), display: "main.py".into(), grammar: Grammar::Python, has_bom: false, text: "data = text.encode('base64')\n".into() };
            engine.process_source(file, &[])
        };
        let (kept, dropped) = (outcome(false), outcome(true));
        assert!(kept.changed && kept.fixed.is_some() && kept.source.is_some());
        assert!(dropped.changed && dropped.fixed.is_none() && dropped.source.is_none(), "no text kept");
        assert_eq!(kept.findings.len(), dropped.findings.len());
        assert!(dropped.has_news());
    }
}
