//! Runs a grammar's combined query over a tree and keeps the matches whose semantic predicates
//! hold.

use crate::index::{FileIndex, token_matches};
use crate::lang::argument_key;
use crate::spec::{CompiledGrammar, NodeFact, SemanticPredicate};
use std::collections::HashSet;
use tree_sitter::{Node, QueryCursor, StreamingIterator, Tree};

/// One match of one rule: its captures by capture index.
pub struct RuleMatch<'t> {
    pub spec: usize,
    pub rule: usize,
    pub captures: Vec<(u32, Node<'t>)>,
}

impl<'t> RuleMatch<'t> {
    pub fn capture(&self, index: u32) -> Option<Node<'t>> {
        self.captures.iter().find(|(i, _)| *i == index).map(|(_, n)| *n)
    }

    /// The span the match covers: from its first to its last captured byte.
    pub fn span(&self) -> (usize, usize) {
        let start = self.captures.iter().map(|(_, n)| n.start_byte()).min().unwrap_or(0);
        let end = self.captures.iter().map(|(_, n)| n.end_byte()).max().unwrap_or(0);
        (start, end)
    }
}

pub fn find_matches<'t>(compiled: &CompiledGrammar, tree: &'t Tree, text: &str, index: &FileIndex<'t>) -> Vec<RuleMatch<'t>> {
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&compiled.query, tree.root_node(), text.as_bytes());
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    while let Some(m) = matches.next() {
        let pattern = m.pattern_index;
        let predicates = &compiled.pattern_predicates[pattern];
        if !predicates.iter().all(|p| holds(p, m.captures, text, index)) {
            continue;
        }
        let rule = compiled.pattern_rules[pattern];
        let found_match = RuleMatch { spec: rule.spec, rule: rule.rule, captures: m.captures.iter().map(|c| (c.index, c.node)).collect() };
        // Alternations can match the same nodes several ways: one finding per rule and captures.
        // (Matches that differ only inside the span, e.g. each of several arguments, all count.)
        let mut captured: Vec<(u32, usize, usize)> = found_match.captures.iter().map(|(i, n)| (*i, n.start_byte(), n.end_byte())).collect();
        captured.sort_unstable();
        captured.dedup();
        if seen.insert((rule.spec, rule.rule, captured)) {
            found.push(found_match);
        }
    }
    // Outer matches first: of two overlapping fixes, the enclosing one is applied in a pass.
    found.sort_by_key(|m| (m.span().0, std::cmp::Reverse(m.span().1), m.spec, m.rule));
    found
}

fn nodes_of<'a, 't>(captures: &'a [tree_sitter::QueryCapture<'t>], index: u32) -> impl Iterator<Item = Node<'t>> + 'a {
    captures.iter().filter(move |c| c.index == index).map(|c| c.node)
}

/// A predicate on a capture that is absent from the match (an optional capture, another branch
/// of an alternation) holds, as tree-sitter's own text predicates do.
fn holds<'t>(predicate: &SemanticPredicate, captures: &[tree_sitter::QueryCapture<'t>], text: &str, index: &FileIndex<'t>) -> bool {
    if nodes_of(captures, predicate.capture()).next().is_none() {
        return true;
    }
    match predicate {
        SemanticPredicate::PulumiType { capture, tokens, negate } => {
            let resolved = nodes_of(captures, *capture)
                .any(|n| index.type_token(n, text).is_some_and(|t| tokens.iter().any(|p| token_matches(&t, p))));
            resolved != *negate
        }
        SemanticPredicate::HasArg { capture, names, negate } => {
            let has = nodes_of(captures, *capture).any(|n| {
                let mut cursor = n.walk();
                n.named_children(&mut cursor).filter_map(argument_key).any(|name| {
                    let name = text[name.byte_range()].trim_matches(['"', '\'']);
                    names.iter().any(|wanted| wanted == name)
                })
            });
            has != *negate
        }
        SemanticPredicate::HasParent { capture, kinds, negate } => {
            let has = nodes_of(captures, *capture).any(|n| n.parent().is_some_and(|p| kinds.iter().any(|k| k == p.kind())));
            has != *negate
        }
        SemanticPredicate::Fact { capture, fact, negate } => {
            let holds = nodes_of(captures, *capture).any(|n| match fact {
                NodeFact::Output => index.is_output(n),
                NodeFact::ContainsOutput => index.contains_output(n),
                NodeFact::ContainsOutputValue => index.contains_output_value(n),
                NodeFact::InputPosition => index.is_input_position(n),
                NodeFact::Resource => index.is_resource_callee(n),
                NodeFact::InApply => index.is_in_apply(n),
                NodeFact::ForeignConfigKey => index.is_foreign_config_key(n),
            });
            holds != *negate
        }
    }
}
