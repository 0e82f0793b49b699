//! The text predicates, held as the tree-sitter crate (0.25) holds them: `#eq?`, `#match?` and
//! `#any-of?`, their `not-` and `any-` forms. A predicate on a capture absent from the match holds.

use super::{Predicate, PredicateArg, QueryError};
use regex::bytes::Regex;
use tree_sitter::Node;

#[derive(Debug, Clone)]
pub enum TextPredicate {
    /// `#eq?` family against a string; `all` unless the `any-` form.
    EqString { capture: u32, value: String, positive: bool, all: bool },
    /// `#eq?` family between two captures, node by node.
    EqCapture { capture: u32, other: u32, positive: bool, all: bool },
    Match { capture: u32, regex: Regex, positive: bool, all: bool },
    AnyOf { capture: u32, values: Vec<String>, positive: bool },
}

/// The text predicates among `predicates`, checked for their arguments.
pub(super) fn compile(predicates: &[Predicate], capture_names: &[String]) -> Result<Vec<TextPredicate>, QueryError> {
    let mut compiled = Vec::new();
    for predicate in predicates {
        let name = predicate.name.as_str();
        let family = match name {
            "eq?" | "not-eq?" | "any-eq?" | "any-not-eq?" => "eq?",
            "match?" | "not-match?" | "any-match?" | "any-not-match?" => "match?",
            "any-of?" | "not-any-of?" => "any-of?",
            _ => continue,
        };
        let error = |message: String| QueryError { offset: predicate.offset, message: format!("#{name} {message}") };
        let positive = !name.contains("not-");
        let all = !name.starts_with("any-") || family == "any-of?";
        let Some(PredicateArg::Capture(capture)) = predicate.args.first() else {
            return Err(error("needs a capture as its first argument".into()));
        };
        let capture = *capture;
        let rest = &predicate.args[1..];
        compiled.push(match (family, rest) {
            ("eq?", [PredicateArg::String(value)]) => TextPredicate::EqString { capture, value: value.clone(), positive, all },
            ("eq?", [PredicateArg::Capture(other)]) => TextPredicate::EqCapture { capture, other: *other, positive, all },
            ("match?", [PredicateArg::String(pattern)]) => {
                let regex = Regex::new(pattern).map_err(|e| error(format!("has an invalid regular expression: {e}")))?;
                TextPredicate::Match { capture, regex, positive, all }
            }
            ("any-of?", values) if !values.is_empty() => {
                let values = values
                    .iter()
                    .map(|v| match v {
                        PredicateArg::String(s) => Ok(s.clone()),
                        PredicateArg::Capture(c) => Err(error(format!("takes strings after the capture, not `@{}`", capture_names[*c as usize]))),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                TextPredicate::AnyOf { capture, values, positive }
            }
            ("any-of?", _) => return Err(error("needs at least one string after the capture".into())),
            ("match?", _) => return Err(error("needs a capture and one regular expression".into())),
            _ => return Err(error("needs a capture and one string or capture".into())),
        });
    }
    Ok(compiled)
}

impl TextPredicate {
    /// Whether every node of `capture` must pass this predicate for it to hold: a node that
    /// fails decides it.
    pub(super) fn decided_by_each_node_of(&self, capture: u32) -> bool {
        match self {
            TextPredicate::EqString { capture: c, all, .. } | TextPredicate::Match { capture: c, all, .. } => *c == capture && *all,
            TextPredicate::AnyOf { capture: c, .. } => *c == capture,
            TextPredicate::EqCapture { .. } => false,
        }
    }

    pub fn holds(&self, captures: &[(u32, Node)], text: &[u8]) -> bool {
        let nodes_of = |capture: u32| captures.iter().filter(move |(i, _)| *i == capture).map(|(_, n)| &text[n.byte_range()]);
        // Each node either decides the predicate (`all` and a miss, or not `all` and a hit) or
        // leaves it to the next; when none decides, it holds.
        let decide = |outcomes: &mut dyn Iterator<Item = bool>, positive: bool, all: bool| {
            for matched in outcomes {
                if matched != positive && all {
                    return false;
                }
                if matched == positive && !all {
                    return true;
                }
            }
            true
        };
        match self {
            TextPredicate::EqString { capture, value, positive, all } => decide(&mut nodes_of(*capture).map(|t| t == value.as_bytes()), *positive, *all),
            TextPredicate::Match { capture, regex, positive, all } => decide(&mut nodes_of(*capture).map(|t| regex.is_match(t)), *positive, *all),
            TextPredicate::AnyOf { capture, values, positive } => nodes_of(*capture).all(|t| values.iter().any(|v| v.as_bytes() == t) == *positive),
            TextPredicate::EqCapture { capture, other, positive, all } => {
                let (mut left, mut right) = (nodes_of(*capture), nodes_of(*other));
                loop {
                    match (left.next(), right.next()) {
                        (Some(a), Some(b)) => {
                            let matched = a == b;
                            if matched != *positive && *all {
                                return false;
                            }
                            if matched == *positive && !*all {
                                return true;
                            }
                        }
                        // Unequal counts fail, as tree-sitter has it.
                        (None, None) => return true,
                        _ => return false,
                    }
                }
            }
        }
    }
}
