//! tree-sitter's query language, read and run by pulumi-fix itself.
//!
//! Compiling a query with tree-sitter (`ts_query_new`) analyses the grammar's parse table for
//! every pattern with children: 1–3 ms a pattern, most of a one-file run's time. Reading a query
//! here takes microseconds, and [`run`] tries each pattern only at the nodes of its root's kind,
//! all of a file's queries in one walk of its tree.
//!
//! The matcher follows tree-sitter 0.25's query cursor: children match in order with other
//! children between them, `.` forbids a named node in between (or before the first, or after the
//! last), a pattern with optional parts yields only its longest matches, and the text predicates
//! (`#eq?`, `#match?`, `#any-of?` and their forms) hold as the tree-sitter crate holds them. The
//! `query_equivalence` tests check every built-in query against tree-sitter on every fixture.
//!
//! Some constructs it leaves to tree-sitter ([`Query::runs_itself`] is false, and the caller
//! compiles the query with tree-sitter instead): `*` and `+` repetitions and top-level sibling
//! sequences, whose matches tree-sitter prunes by the order it meets them in, supertypes and
//! `MISSING` nodes.

mod parse;
mod predicates;
mod run;

pub use parse::parse;
pub use predicates::TextPredicate;
pub use run::{QueryRun, run};

use std::num::NonZeroU16;
use tree_sitter::Language;

/// A query that does not read or does not fit the grammar: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// Byte offset in the query source.
    pub offset: usize,
    pub message: String,
}

/// A read query: its patterns, and its capture names numbered as tree-sitter numbers them (by
/// first appearance).
#[derive(Debug, Clone)]
pub struct Query {
    pub patterns: Vec<Pattern>,
    pub capture_names: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Pattern {
    /// Where the pattern starts in the query source.
    pub start_byte: usize,
    pub root: Item,
    /// Every predicate, in the order written.
    pub predicates: Vec<Predicate>,
    /// The text predicates, compiled by [`Query::resolve`].
    pub text_predicates: Vec<TextPredicate>,
    /// False when the pattern uses a construct the matcher leaves to tree-sitter.
    pub runs_itself: bool,
    /// The kinds of child a node must have to root a match, set by [`Query::resolve`] (see
    /// `run::required_child_kinds`).
    pub needed_child_kinds: Vec<u16>,
}

#[derive(Debug, Clone)]
pub struct Predicate {
    /// Without `#`: `eq?`, `not-pulumi-type?`, ...
    pub name: String,
    pub args: Vec<PredicateArg>,
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PredicateArg {
    Capture(u32),
    String(String),
}

/// One expression of a pattern with what is written around it: `field: (kind ...)? @capture`.
#[derive(Debug, Clone)]
pub struct Item {
    pub term: Term,
    pub field: Option<Field>,
    pub quantifier: Quantifier,
    pub captures: Vec<u32>,
    /// Written after `.`: no named sibling between it and the item before it (or the parent's
    /// start).
    pub immediate: bool,
    /// Text predicates that the node this item captures must pass for any match to hold (see
    /// `attach_early_checks`), set by [`Query::resolve`]: the matcher tests them as it captures, so a
    /// failing node is not matched further.
    pub checks: Vec<TextPredicate>,
}

#[derive(Debug, Clone)]
pub enum Term {
    Node(NodePattern),
    /// `[a b ...]`: any one of them.
    Alternation(Vec<Item>),
    /// `((a) (b))`: siblings in order.
    Group(Vec<Item>),
}

#[derive(Debug, Clone)]
pub struct NodePattern {
    pub kind: Kind,
    pub negated_fields: Vec<Field>,
    pub children: Vec<Item>,
    /// A `.` after the last child: no named sibling follows the node that matches it.
    pub last_anchored: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `(name)`, or `"text"` when not `named`; `id` is the grammar's symbol once resolved.
    Symbol { name: String, named: bool, id: u16, offset: usize },
    /// `(_)`: any named node.
    AnyNamed,
    /// `_`: any node.
    Any,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub offset: usize,
    /// Set by [`Query::resolve`].
    pub id: Option<NonZeroU16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    One,
    ZeroOrOne,
    ZeroOrMore,
    OneOrMore,
}

/// tree-sitter's symbol for error nodes.
const ERROR_SYMBOL: u16 = u16::MAX;

impl Query {
    /// Whether [`run`] can run every pattern; otherwise the caller compiles the query with
    /// tree-sitter.
    pub fn runs_itself(&self) -> bool {
        self.patterns.iter().all(|p| p.runs_itself)
    }

    pub fn capture_index_for_name(&self, name: &str) -> Option<u32> {
        self.capture_names.iter().position(|c| c == name).map(|i| i as u32)
    }

    /// Resolves node kinds and fields to `language`'s ids and compiles the text predicates: the
    /// errors tree-sitter would give for a kind or field the grammar lacks, or a malformed text
    /// predicate.
    pub fn resolve(&mut self, language: &Language) -> Result<(), QueryError> {
        for pattern in &mut self.patterns {
            let mut runs_itself = pattern.runs_itself;
            resolve_item(&mut pattern.root, language, &mut runs_itself)?;
            pattern.runs_itself = runs_itself;
            pattern.text_predicates = predicates::compile(&pattern.predicates, &self.capture_names)?;
            let mut written = Vec::new();
            all_captures(&pattern.root, &mut written);
            let text_predicates = pattern.text_predicates.clone();
            attach_early_checks(&mut pattern.root, &text_predicates, &written, true);
            pattern.needed_child_kinds = run::required_child_kinds(&pattern.root).collect();
        }
        Ok(())
    }
}

/// Every capture as written in `item`, once per place.
fn all_captures(item: &Item, out: &mut Vec<u32>) {
    out.extend(&item.captures);
    match &item.term {
        Term::Node(node) => node.children.iter().for_each(|child| all_captures(child, out)),
        Term::Alternation(items) | Term::Group(items) => items.iter().for_each(|i| all_captures(i, out)),
    }
}

/// Gives each item the text predicates that can be tested on the node it captures alone: those
/// that every node of their capture must pass (`#eq?`, `#match?`, `#any-of?` and their `not-`
/// forms, not the `any-` ones), on a capture written once, outside any quantifier or
/// alternation (`required`). Every match then holds exactly that node for the capture, so a node
/// that fails fails every match through it, and no shorter match is left to take its place.
fn attach_early_checks(item: &mut Item, predicates: &[TextPredicate], written: &[u32], required: bool) {
    let required = required && item.quantifier == Quantifier::One;
    if required {
        let once = |capture: &u32| written.iter().filter(|c| *c == capture).count() == 1;
        item.checks = predicates.iter().filter(|p| item.captures.iter().filter(|c| once(c)).any(|&c| p.decided_by_each_node_of(c))).cloned().collect();
    }
    match &mut item.term {
        Term::Node(node) => node.children.iter_mut().for_each(|child| attach_early_checks(child, predicates, written, required)),
        Term::Group(items) => items.iter_mut().for_each(|i| attach_early_checks(i, predicates, written, required)),
        Term::Alternation(items) => items.iter_mut().for_each(|i| attach_early_checks(i, predicates, written, false)),
    }
}

fn resolve_field(field: &mut Field, language: &Language) -> Result<(), QueryError> {
    field.id = language.field_id_for_name(&field.name);
    match field.id {
        Some(_) => Ok(()),
        None => Err(QueryError { offset: field.offset, message: format!("invalid field `{}`: the grammar has no such field", field.name) }),
    }
}

fn resolve_item(item: &mut Item, language: &Language, runs_itself: &mut bool) -> Result<(), QueryError> {
    if let Some(field) = &mut item.field {
        resolve_field(field, language)?;
    }
    match &mut item.term {
        Term::Node(node) => {
            if let Kind::Symbol { name, named, id, offset } = &mut node.kind {
                *id = if *named && name == "ERROR" { ERROR_SYMBOL } else { language.id_for_node_kind(name, *named) };
                if *id == 0 {
                    let spelled = if *named { format!("({name})") } else { format!("\"{name}\"") };
                    return Err(QueryError { offset: *offset, message: format!("invalid node type {spelled}: the grammar has no such node") });
                }
                // A supertype matches the nodes the parse wrapped in it: tree-sitter knows which.
                if *id != ERROR_SYMBOL && language.node_kind_is_supertype(*id) {
                    *runs_itself = false;
                }
            }
            for field in &mut node.negated_fields {
                resolve_field(field, language)?;
            }
            node.children.iter_mut().try_for_each(|child| resolve_item(child, language, runs_itself))
        }
        Term::Alternation(items) | Term::Group(items) => items.iter_mut().try_for_each(|i| resolve_item(i, language, runs_itself)),
    }
}

#[cfg(test)]
mod tests;
