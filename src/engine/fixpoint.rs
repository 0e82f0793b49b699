//! The fixed-point loop and its guard.
//!
//! Each pass parses the current text, matches every rule, and applies the fixes whose edits do
//! not conflict with an earlier fix of the same pass; the rest wait for the next pass, when their
//! match is computed afresh on the new text. A pass whose result does not parse is undone fix by
//! fix: a fix that breaks the syntax is refused and reported, never written. The loop ends when a
//! pass has nothing to apply.
//!
//! Two mistakes of a spec show only on a file: a fix whose own edits overlap, and fixes that
//! still fire after [`MAX_PASSES`]. Either leaves the file untouched and is reported as a
//! [`RuleFault`] naming the rule: a user's spec stops the run before it writes anything, a
//! built-in one is reported on that file alone.

use super::edits::PassContext;
use super::matcher::{RuleMatch, find_matches};
use super::SpecQueries;
use super::suppress::Suppressions;
use super::{Edit, Engine, Finding, Fix, Location, Problem, apply_edits, normalize_edits};
use crate::index::FileIndex;
use crate::lang::{Grammar, NodeTable, parse, reparse, syntax_error};
use crate::project::FileContext;
use crate::source::{line_col, line_ending, preferred_quote};
use crate::spec::{Spec, SpecError};
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;
use tree_sitter::Tree;

pub const MAX_PASSES: usize = 8;

pub struct FixRun {
    /// The fixed text, when it differs from the original.
    pub fixed: Option<String>,
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    /// The codemod id of each finding a suppression silenced (once per place).
    pub suppressed: Vec<String>,
    /// False when the file was given up on (a syntax error, no convergence): then no verdict on
    /// its suppressions either.
    pub completed: bool,
    pub faults: Vec<RuleFault>,
}

impl FixRun {
    pub fn unchanged() -> FixRun {
        FixRun { fixed: None, findings: Vec::new(), problems: Vec::new(), suppressed: Vec::new(), completed: true, faults: Vec::new() }
    }

    fn given_up(problems: Vec<Problem>) -> FixRun {
        FixRun { problems, completed: false, ..FixRun::unchanged() }
    }

    /// A spec's query failed to compile when a file first needed it: the file is left alone.
    pub fn not_processed(error: SpecError) -> FixRun {
        FixRun::given_up(vec![Problem { line: None, message: format!("not processed: {error}"), is_error: true }])
    }

    fn faulty(faults: Vec<RuleFault>) -> FixRun {
        FixRun { faults, completed: false, ..FixRun::unchanged() }
    }
}

/// A mistake of one rule, seen on this file: `line` is where in the (original) file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFault {
    pub spec: usize,
    pub rule: usize,
    pub line: usize,
    pub message: String,
}

/// A fix chosen in one pass, before it is known to keep the syntax intact.
struct Candidate {
    spec: usize,
    codemod: Arc<Spec>,
    rule: usize,
    key: String,
    location: Location,
    message: String,
    creates: Option<String>,
    edits: Vec<Edit>,
}

/// Fixes `original` (parsed as `tree`) with `candidates`, the specs the pre-filter let through
/// for it; later passes ask the pre-filter again about their own text.
pub fn run<'e>(
    engine: &'e Engine,
    mut candidates: Vec<SpecQueries<'e>>,
    tree: Tree,
    grammar: Grammar,
    original: &str,
    context: &FileContext,
    suppressions: &mut Suppressions,
) -> FixRun {
    // Borrowed until a pass changes it: most files that get this far need no fix.
    let mut text: Cow<str> = Cow::Borrowed(original);
    // The tree of the next pass's text: the original's, then the guard's of the text it accepted.
    let mut accepted_tree: Option<Tree> = Some(tree);
    // The edits of every pass, to map positions back to the original text.
    let mut history: Vec<Vec<Edit>> = Vec::new();
    let mut applied: Vec<Finding> = Vec::new();
    // Fixes refused by the guard, by rule and matched text, so later passes do not retry them.
    let mut refused: HashSet<String> = HashSet::new();
    // Suppressed findings by codemod and place in the original, counted once across passes.
    let mut suppressed: Vec<(usize, (usize, usize))> = Vec::new();
    // How many fixes were ready in each pass: fewer every pass means progress, not a loop.
    let mut ready_per_pass: Vec<usize> = Vec::new();
    let eol = line_ending(original);
    let quote = preferred_quote(original);

    for pass in 0..=MAX_PASSES {
        if pass > 0 {
            candidates = match engine.candidates(grammar, &text, context) {
                Ok(candidates) => candidates,
                Err(e) => return FixRun::not_processed(e),
            };
        }
        let tree = accepted_tree.take().unwrap_or_else(|| parse(grammar, &text));
        let index = FileIndex::build_in(grammar, &tree, &text, Some(context));
        // Only the original can fail: the guard checked every later text before keeping it.
        if pass == 0
            && let Some((offset, what)) = syntax_error(grammar, index.nodes(), &text)
        {
            let line = line_col(&text, offset).0;
            let message = format!("{what}; the file is left untouched (pulumi-fix edits only files that parse)");
            let problems = vec![Problem { line: Some(line), message, is_error: false }];
            return FixRun::given_up(problems);
        }
        let matches = find_matches(&candidates, &tree, &text, &index);
        let context = PassContext { grammar, text: &text, tree: &tree, eol, quote, index: &index };

        let mut chosen: Vec<Candidate> = Vec::new();
        let mut ready = 0;
        let mut remaining: Vec<Finding> = Vec::new();
        for m in &matches {
            // The spec of a match was read whole when its query compiled.
            let spec = match engine.spec(m.spec) {
                Ok(spec) => spec,
                Err(e) => return FixRun::not_processed(e),
            };
            let location = locate(original, &history, m.span());
            if suppressions.suppresses(&spec.id, &location) {
                if !suppressed.contains(&(m.spec, location.byte_range)) {
                    suppressed.push((m.spec, location.byte_range));
                }
                continue;
            }
            let rule = &spec.rules[m.rule];
            let message = rule.message.as_ref().and_then(|t| context.render(t, m, &Default::default()).ok()).unwrap_or_else(|| spec.summary.clone());
            let creates = rule.creates.as_ref().and_then(|t| context.render(t, m, &Default::default()).ok());
            let key = match_key(m, &text);
            let built = if rule.edits.is_empty() { Ok(Vec::new()) } else { context.build(rule, m) };
            // Edits are in this pass's text: after the fixes of the passes before it.
            let fix = |edits| Fix { edits, pass: pass + 1 };
            if let Ok(edits) = &built
                && edits.iter().enumerate().any(|(i, a)| edits[i + 1..].iter().any(|b| a.overlaps(b)))
            {
                let message = "the edits of this rule overlap each other (one changes text inside another's), so they cannot be applied together; target disjoint captures, or make it one `replace` of the enclosing capture".into();
                return FixRun::faulty(vec![RuleFault { spec: m.spec, rule: m.rule, line: location.start.0, message }]);
            }
            match built {
                Ok(edits) if !edits.is_empty() && engine.applies(spec) && !refused.contains(&key) => {
                    ready += 1;
                    if !chosen.iter().any(|c| c.edits.iter().any(|a| edits.iter().any(|b| a.conflicts_with(b)))) {
                        chosen.push(Candidate { spec: m.spec, codemod: spec.clone(), rule: m.rule, key, location, message, creates, edits });
                    }
                }
                // A match whose fix changes nothing is already in the fixed form.
                Ok(edits) if edits.is_empty() && !rule.edits.is_empty() => {}
                Ok(edits) => {
                    let message = if refused.contains(&key) {
                        format!("{message} (fix refused: it would introduce a syntax error)")
                    } else {
                        message
                    };
                    let fix = (!edits.is_empty()).then(|| fix(edits));
                    remaining.push(Finding { spec: spec.clone(), location, message, creates, fix, applied: false });
                }
                Err(reason) => {
                    let message = format!("{message} (no automatic fix here: {reason})");
                    remaining.push(Finding { spec: spec.clone(), location, message, creates: None, fix: None, applied: false });
                }
            }
        }

        if chosen.is_empty() {
            applied.extend(remaining);
            applied.sort_by_key(|f| (f.location.byte_range, f.applied));
            let suppressed = suppressed.into_iter().map(|(spec, _)| engine.specs[spec].id.clone()).collect();
            let fixed = match text {
                Cow::Owned(text) if text != original => Some(text),
                _ => None,
            };
            return FixRun { fixed, findings: applied, problems: Vec::new(), suppressed, completed: true, faults: Vec::new() };
        }
        ready_per_pass.push(ready);
        // Nested matches (a fix inside another's text) apply one level per pass, and the level a
        // fix uncovers can take a pass of its own (`a!.b!.c`): never more ready fixes, and fewer in
        // the end, is progress; a fix whose output matches again keeps the count level.
        let progressing = ready_per_pass.windows(2).all(|w| w[1] <= w[0]) && ready_per_pass.last() < ready_per_pass.first();
        if pass == MAX_PASSES && progressing {
            let message = format!(
                "fixes nest deeper than {MAX_PASSES} passes can apply ({ready} still pending, fewer than at the start); the file is left untouched"
            );
            return FixRun::given_up(vec![Problem { line: Some(chosen[0].location.start.0), message, is_error: false }]);
        }
        if pass == MAX_PASSES {
            let mut firing: Vec<(usize, usize)> = chosen.iter().map(|c| (c.spec, c.rule)).collect();
            firing.dedup();
            let line = chosen[0].location.start.0;
            let message = format!(
                "this rule's fix still fires after {MAX_PASSES} passes, so it never converges{}; its output must no longer match its own query",
                if firing.len() > 1 { " (with the other rules listed)" } else { "" }
            );
            let faults = firing.into_iter().map(|(spec, rule)| RuleFault { spec, rule, line, message: message.clone() }).collect();
            return FixRun::faulty(faults);
        }

        // When the guard keeps nothing, the next pass sees the same text and reports the refusals.
        if let Some(accepted) = guard(grammar, &text, &tree, chosen, &mut refused) {
            let edits: Vec<Edit> = accepted.kept.iter().flat_map(|c| c.edits.iter().cloned()).collect();
            for candidate in accepted.kept {
                let fix = Fix { edits: candidate.edits, pass: pass + 1 };
                applied.push(Finding { spec: candidate.codemod, location: candidate.location, message: candidate.message, creates: candidate.creates, fix: Some(fix), applied: true });
            }
            history.push(normalize_edits(&edits));
            text = Cow::Owned(accepted.text);
            accepted_tree = Some(accepted.tree);
        }
    }
    unreachable!("the last pass returns")
}

/// Identifies a match across passes: its rule and the text it matched.
fn match_key(m: &RuleMatch, text: &str) -> String {
    let (start, end) = m.span();
    format!("{}:{}:{}", m.spec, m.rule, &text[start..end])
}

/// The fixes the guard kept, the text they make and its tree (the next pass's, parsed once).
struct Accepted {
    kept: Vec<Candidate>,
    text: String,
    tree: Tree,
}

/// Keeps the fixes whose result parses. All together first; when that fails, each alone, then
/// the survivors together (a pair that only breaks together is dropped whole). `None` when no fix
/// is kept.
fn guard(grammar: Grammar, text: &str, tree: &Tree, chosen: Vec<Candidate>, refused: &mut HashSet<String>) -> Option<Accepted> {
    let attempt = |candidates: &[Candidate]| {
        let edits: Vec<Edit> = candidates.iter().flat_map(|c| c.edits.iter().cloned()).collect();
        let new_text = apply_edits(text, &edits);
        let tree = reparse(grammar, text, tree, &edits, &new_text);
        let broken = syntax_error(grammar, &NodeTable::build(grammar, &tree), &new_text).is_some();
        (!broken).then_some((new_text, tree))
    };
    if let Some((text, tree)) = attempt(&chosen) {
        return Some(Accepted { kept: chosen, text, tree });
    }
    let (good, bad): (Vec<Candidate>, Vec<Candidate>) = chosen.into_iter().partition(|c| attempt(std::slice::from_ref(c)).is_some());
    refused.extend(bad.into_iter().map(|c| c.key));
    if good.is_empty() {
        return None;
    }
    match attempt(&good) {
        Some((text, tree)) => Some(Accepted { kept: good, text, tree }),
        None => {
            refused.extend(good.into_iter().map(|c| c.key));
            None
        }
    }
}

/// Maps a span in the current text back to the original text, through every pass's edits; a
/// position inside inserted text maps to the start of the edit that inserted it.
fn locate(original: &str, history: &[Vec<Edit>], span: (usize, usize)) -> Location {
    let map_back = |mut position: usize| {
        for edits in history.iter().rev() {
            let mut delta: isize = 0;
            let mut mapped = None;
            // Each pass's edits are kept normalized: sorted, disjoint.
            for edit in edits {
                let new_start = (edit.range.start as isize + delta) as usize;
                let new_end = new_start + edit.replacement.len();
                if position < new_start {
                    break;
                }
                if position < new_end {
                    mapped = Some(edit.range.start);
                    break;
                }
                delta += edit.replacement.len() as isize - edit.range.len() as isize;
            }
            position = mapped.unwrap_or((position as isize - delta) as usize);
        }
        position.min(original.len())
    };
    let (start, end) = (map_back(span.0), map_back(span.1).max(map_back(span.0)));
    Location { start: line_col(original, start), end: line_col(original, end), byte_range: (start, end) }
}
