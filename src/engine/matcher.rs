//! Runs the candidate specs' queries over a tree and keeps the matches whose semantic predicates
//! hold.

use crate::index::{FileIndex, token_matches};
use crate::lang::argument_key;
use super::SpecQueries;
use crate::spec::SemanticPredicate;
use std::collections::HashSet;
use tree_sitter::{Node, Query, QueryCursor, StreamingIterator, Tree};

/// One match of one rule: its captures by index in `query`.
pub struct RuleMatch<'t> {
    pub spec: usize,
    pub rule: usize,
    pub query: &'t Query,
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

/// The matches of every candidate spec, ordered by place, then spec and rule.
pub fn find_matches<'t>(candidates: &[SpecQueries<'t>], tree: &'t Tree, text: &str, index: &FileIndex) -> Vec<RuleMatch<'t>> {
    let mut cursor = QueryCursor::new();
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    let whole = std::slice::from_ref(&(0..usize::MAX));
    for candidate in candidates {
        let compiled = candidate.compiled;
        // tree-sitter starts a match only at nodes that intersect the range, and follows it into
        // the nodes it needs outside the range: a match rooted around an anchor is found whole.
        for range in candidate.ranges.as_deref().unwrap_or(whole) {
            cursor.set_byte_range(range.clone());
            let mut matches = cursor.matches(&compiled.query, tree.root_node(), text.as_bytes());
            while let Some(m) = matches.next() {
                let pattern = m.pattern_index;
                if !compiled.pattern_predicates[pattern].iter().all(|p| holds(p, m.captures, text, index)) {
                    continue;
                }
                let (spec, rule) = (candidate.spec, compiled.pattern_rules[pattern]);
                let captures = m.captures.iter().map(|c| (c.index, c.node)).collect();
                let found_match = RuleMatch { spec, rule, query: &compiled.query, captures };
                // Alternations can match one place several ways, and neighbouring ranges can
                // share a match: one finding per rule and place.
                if seen.insert((spec, rule, found_match.span())) {
                    found.push(found_match);
                }
            }
        }
    }
    found.sort_by_key(|m| (m.span(), m.spec, m.rule));
    found
}

fn nodes_of<'a, 't>(captures: &'a [tree_sitter::QueryCapture<'t>], index: u32) -> impl Iterator<Item = Node<'t>> + 'a {
    captures.iter().filter(move |c| c.index == index).map(|c| c.node)
}

/// A predicate on a capture that is absent from the match (an optional capture, another branch
/// of an alternation) holds, as tree-sitter's own text predicates do.
fn holds(predicate: &SemanticPredicate, captures: &[tree_sitter::QueryCapture], text: &str, index: &FileIndex) -> bool {
    let capture = match predicate {
        SemanticPredicate::PulumiType { capture, .. } | SemanticPredicate::HasArg { capture, .. } => *capture,
    };
    if nodes_of(captures, capture).next().is_none() {
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
    }
}
