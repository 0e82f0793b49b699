//! Running queries over a tree: one walk for all of a file's queries, each pattern tried at the
//! nodes of its root's kind, its children matched by backtracking.

use super::{ERROR_SYMBOL, Item, Kind, NodePattern, Pattern, Quantifier, Query, Term};
use crate::lang::{NodeTable, Slot};
use std::ops::Range;
use tree_sitter::Node;

/// A query to run, and the byte ranges its matches must start in (`None`: anywhere).
pub struct QueryRun<'q> {
    pub query: &'q Query,
    pub ranges: Option<&'q [Range<usize>]>,
}

/// One match: the query (its index in the runs), its pattern, and its captures in the order the
/// nodes come (an ancestor before its descendants).
pub type Captures<'t> = Vec<(u32, Node<'t>)>;

/// Runs every query over the tree of `nodes`, calling `emit(run, pattern, captures)` for each
/// match whose text predicates hold. A match starts at a node that intersects one of its query's
/// ranges, as with tree-sitter's `QueryCursor::set_byte_range`, and may reach outside them.
pub fn run<'t>(runs: &[QueryRun], nodes: &NodeTable<'t>, text: &[u8], mut emit: impl FnMut(usize, usize, Captures<'t>)) {
    if nodes.is_empty() {
        return;
    }
    // Patterns by the kind of node their root matches (error nodes in the last slot); wildcard
    // roots are tried everywhere. Patterns of a query with the same shape (the two rules of a
    // spec that differ in their predicates only) are matched once, as one entry.
    let mut by_kind: Vec<Vec<(usize, usize)>> = vec![Vec::new(); nodes.node(0).language().node_kind_count() + 1];
    let error_slot = by_kind.len() - 1;
    let slot = |kind: u16| if kind == ERROR_SYMBOL { error_slot } else { (kind as usize).min(error_slot) };
    let mut anywhere = Vec::new();
    // Per run, the patterns matched with each pattern that leads a shape (a pattern is led by the
    // first one of its shape).
    let mut led: Vec<Vec<Vec<usize>>> = Vec::with_capacity(runs.len());
    for (run_index, query_run) in runs.iter().enumerate() {
        let patterns = &query_run.query.patterns;
        let mut shapes: Vec<Vec<usize>> = vec![Vec::new(); patterns.len()];
        for (pattern_index, pattern) in patterns.iter().enumerate() {
            debug_assert!(pattern.runs_itself, "a query with constructs left to tree-sitter was given to query::run");
            if let Some(leader) = (0..pattern_index).find(|&l| !shapes[l].is_empty() && same_shape(&patterns[l].root, &pattern.root)) {
                shapes[leader].push(pattern_index);
                continue;
            }
            shapes[pattern_index].push(pattern_index);
            let mut kinds = Vec::new();
            root_kinds(&pattern.root, &mut kinds);
            if kinds.contains(&None) {
                anywhere.push((run_index, pattern_index));
            } else {
                for kind in kinds.into_iter().flatten() {
                    let patterns = &mut by_kind[slot(kind)];
                    if !patterns.contains(&(run_index, pattern_index)) {
                        patterns.push((run_index, pattern_index));
                    }
                }
            }
        }
        led.push(shapes);
    }
    // Wildcard roots join every kind's list, after its own: a node's list is all it needs.
    if !anywhere.is_empty() {
        by_kind.iter_mut().for_each(|patterns| patterns.extend_from_slice(&anywhere));
    }
    // A node outside every query's ranges roots no match, nor does any node below it.
    let everywhere = runs.iter().any(|r| r.ranges.is_none());
    let in_some_range = |start: usize, end: usize| everywhere || runs.iter().flat_map(|r| r.ranges.unwrap_or_default()).any(|r| intersects(start, end, r));

    let mut matcher = Matcher { nodes, text, captures: Vec::new(), found: Vec::new() };
    let mut here: Slot = 0;
    while (here as usize) < nodes.len() {
        let entry = nodes.entry(here);
        let patterns_here = &by_kind[slot(entry.kind_id)];
        // Most nodes root no pattern: the walk passes them by.
        if patterns_here.is_empty() && everywhere {
            here += 1;
            continue;
        }
        let (start, end) = (entry.start_byte as usize, entry.end_byte as usize);
        if !in_some_range(start, end) {
            here = entry.end;
            continue;
        }
        for &(run_index, pattern_index) in patterns_here {
            let query_run = &runs[run_index];
            if query_run.ranges.is_some_and(|ranges| !ranges.iter().any(|r| intersects(start, end, r))) {
                continue;
            }
            let patterns = &query_run.query.patterns;
            // A node without a child of each kind the pattern needs among its root's children
            // (a string without an interpolation, at `(string (interpolation))`) roots no match.
            let needed = &patterns[pattern_index].needed_child_kinds;
            if !needed.iter().all(|&kind| nodes.children(here).iter().any(|&child| nodes.entry(child).kind_id == kind)) {
                continue;
            }
            matcher.matches_at(&patterns[pattern_index], here);
            // The matches are each pattern's of the shape, as if matched on its own.
            let (last, others) = led[run_index][pattern_index].split_last().expect("a leader leads itself");
            for &member in others {
                for captures in &matcher.found {
                    if patterns[member].text_predicates.iter().all(|p| p.holds(captures, text)) {
                        emit(run_index, member, captures.clone());
                    }
                }
            }
            for captures in matcher.found.drain(..) {
                if patterns[*last].text_predicates.iter().all(|p| p.holds(&captures, text)) {
                    emit(run_index, *last, captures);
                }
            }
        }
        here += 1;
    }
}

/// tree-sitter's test: a node intersects a range when it ends after the range starts (an empty
/// node: at its start) and starts before it ends.
fn intersects(start: usize, end: usize, range: &Range<usize>) -> bool {
    (end > range.start || (start == end && end == range.start)) && start < range.end
}

/// The kinds of child that a node must have for a pattern rooted at `root` to match there: those
/// of the root's child items that match one node of a kind, exactly once.
pub(super) fn required_child_kinds(root: &Item) -> impl Iterator<Item = u16> + '_ {
    let children = match &root.term {
        Term::Node(node) => node.children.as_slice(),
        Term::Alternation(_) | Term::Group(_) => &[],
    };
    children.iter().filter(|child| child.quantifier == Quantifier::One).filter_map(|child| match &child.term {
        Term::Node(NodePattern { kind: Kind::Symbol { id, .. }, .. }) => Some(*id),
        _ => None,
    })
}

/// The kinds of node a pattern's root can be; `None` for a wildcard.
fn root_kinds(item: &Item, kinds: &mut Vec<Option<u16>>) {
    match &item.term {
        Term::Node(NodePattern { kind: Kind::Symbol { id, .. }, .. }) => kinds.push(Some(*id)),
        Term::Node(_) | Term::Group(_) => kinds.push(None),
        Term::Alternation(branches) => branches.iter().for_each(|b| root_kinds(b, kinds)),
    }
}

/// Whether two patterns match the same nodes with the same captures: the same items, kinds,
/// fields, quantifiers, anchors and captures, wherever they are written, and no early text checks.
pub(super) fn same_shape(a: &Item, b: &Item) -> bool {
    let same_items = |a: &[Item], b: &[Item]| a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same_shape(a, b));
    let field_id = |item: &Item| item.field.as_ref().map(|f| f.id);
    let same_term = match (&a.term, &b.term) {
        (Term::Node(a), Term::Node(b)) => {
            let same_kind = match (&a.kind, &b.kind) {
                (Kind::Symbol { id: a, named: a_named, .. }, Kind::Symbol { id: b, named: b_named, .. }) => a == b && a_named == b_named,
                (Kind::AnyNamed, Kind::AnyNamed) | (Kind::Any, Kind::Any) => true,
                _ => false,
            };
            same_kind
                && a.negated_fields.iter().map(|f| f.id).eq(b.negated_fields.iter().map(|f| f.id))
                && a.last_anchored == b.last_anchored
                && same_items(&a.children, &b.children)
        }
        (Term::Alternation(a), Term::Alternation(b)) | (Term::Group(a), Term::Group(b)) => same_items(a, b),
        _ => false,
    };
    // Early text checks belong to one pattern's predicates: a shape shared by patterns has none.
    let unchecked = a.checks.is_empty() && b.checks.is_empty();
    same_term && unchecked && field_id(a) == field_id(b) && a.quantifier == b.quantifier && a.captures == b.captures && a.immediate == b.immediate
}

/// What may lie between the previous item's node and the next item's.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gap {
    Anything,
    /// After `.`: anonymous nodes only.
    AnonymousOnly,
    /// After `_ .`: nothing.
    Nothing,
}

/// Where a matching continues: the matcher and the position after what matched.
type Continue<'k, 'n, 't> = &'k mut dyn FnMut(&mut Matcher<'n, 't>, usize);

struct Matcher<'n, 't> {
    nodes: &'n NodeTable<'t>,
    text: &'n [u8],
    /// The captures of the match being built.
    captures: Captures<'t>,
    /// The complete matches at the current root.
    found: Vec<Captures<'t>>,
}

impl<'n, 't> Matcher<'n, 't> {
    /// Leaves in `found` the longest matches of `pattern` rooted at `here`: of two matches where
    /// one captures everything the other does and more, tree-sitter keeps the longer.
    fn matches_at(&mut self, pattern: &Pattern, here: Slot) {
        self.found.clear();
        self.root(&pattern.root, here);
        let found = &mut self.found;
        if found.len() > 1 {
            let keys: Vec<Vec<(u32, usize)>> = found
                .iter()
                .map(|captures| {
                    let mut key: Vec<(u32, usize)> = captures.iter().map(|(i, n)| (*i, n.id())).collect();
                    key.sort_unstable();
                    key.dedup();
                    key
                })
                .collect();
            let mut keep: Vec<bool> = (0..found.len()).map(|i| !keys[..i].contains(&keys[i])).collect();
            for (i, key) in keys.iter().enumerate() {
                if keys.iter().any(|other| other.len() > key.len() && is_subset(key, other)) {
                    keep[i] = false;
                }
            }
            let mut index = 0;
            found.retain(|_| {
                index += 1;
                keep[index - 1]
            });
        }
    }

    fn root(&mut self, item: &Item, here: Slot) {
        match &item.term {
            Term::Node(node) => {
                self.node_at(item, node, &[here], 0, false, &mut |m, _| m.found.push(m.captures.clone()));
            }
            Term::Alternation(branches) => branches.iter().for_each(|branch| self.root(branch, here)),
            Term::Group(_) => unreachable!("sibling sequences are left to tree-sitter"),
        }
    }

    /// Matches `items` in order against `children[from..]`; `after_any` when the item before was
    /// `_`, after which a `.` allows no node at all in between.
    fn sequence(&mut self, items: &[Item], children: &[Slot], from: usize, after_any: bool, last_anchored: bool, k: Continue<'_, 'n, 't>) {
        let Some((item, rest)) = items.split_first() else { return k(self, from) };
        let gap = match (item.immediate, after_any) {
            (false, _) => Gap::Anything,
            (true, false) => Gap::AnonymousOnly,
            (true, true) => Gap::Nothing,
        };
        let last = last_anchored && rest.is_empty();
        let is_any = matches!(item.term, Term::Node(NodePattern { kind: Kind::Any, .. }));
        let mut next = |m: &mut Matcher<'n, 't>, position: usize| m.sequence(rest, children, position, is_any, last_anchored, k);
        if item.quantifier == Quantifier::ZeroOrOne {
            next(self, from);
        }
        self.once(item, children, from, gap, last, &mut next);
    }

    /// Matches `item` once, at the first child at or after `from` that `gap` lets it reach, or a
    /// later one.
    fn once(&mut self, item: &Item, children: &[Slot], from: usize, gap: Gap, last: bool, k: Continue<'_, 'n, 't>) {
        match &item.term {
            Term::Node(node) => {
                // tree-sitter keeps trying later siblings for an item only when that could change
                // the match: when it captures, or has children that may not match. A childless
                // item without captures takes the first node it fits, whatever follows.
                let first_only = item.captures.is_empty() && node.children.is_empty();
                for position in from..children.len() {
                    if position > from {
                        let skipped = self.nodes.entry(children[position - 1]);
                        if gap == Gap::Nothing || (gap == Gap::AnonymousOnly && skipped.named) {
                            break;
                        }
                    }
                    if self.node_at(item, node, children, position, last, k) && first_only {
                        break;
                    }
                }
            }
            Term::Alternation(branches) => {
                for branch in branches {
                    if branch.quantifier == Quantifier::ZeroOrOne {
                        k(self, from);
                    }
                    self.once(branch, children, from, gap, last, k);
                }
            }
            Term::Group(items) => self.sequence(items, children, from, false, false, k),
        }
    }

    /// Matches node pattern `node` (written as `item`) at `children[position]`; whether the node
    /// itself fits (its kind, field, place), whatever its children.
    fn node_at(&mut self, item: &Item, node: &NodePattern, children: &[Slot], position: usize, last: bool, k: Continue<'_, 'n, 't>) -> bool {
        let nodes = self.nodes;
        let child = nodes.entry(children[position]);
        let kind_matches = match &node.kind {
            Kind::Symbol { id, .. } => child.kind_id == *id,
            Kind::AnyNamed => child.named && child.kind_id != ERROR_SYMBOL,
            Kind::Any => child.kind_id != ERROR_SYMBOL,
        };
        if !kind_matches
            || item.field.as_ref().is_some_and(|f| nodes.field(children[position]) != f.id)
            || (last && children[position + 1..].iter().any(|&c| nodes.entry(c).named))
            || node.negated_fields.iter().any(|f| f.id.is_some_and(|id| nodes.node(children[position]).child_by_field_id(id.get()).is_some()))
        {
            return false;
        }
        let saved = self.captures.len();
        let captured = nodes.node(children[position]);
        self.captures.extend(item.captures.iter().map(|&capture| (capture, captured)));
        // A node that fails a text predicate every match through it must pass is matched no further.
        if item.checks.iter().any(|check| !check.holds(&self.captures[saved..], self.text)) {
            self.captures.truncate(saved);
            return true;
        }
        if node.children.is_empty() {
            k(self, position + 1);
        } else {
            self.sequence(&node.children, nodes.children(children[position]), 0, false, node.last_anchored, &mut |m, _| k(m, position + 1));
        }
        self.captures.truncate(saved);
        true
    }
}

/// Whether sorted `small` is contained in sorted `large`.
fn is_subset(small: &[(u32, usize)], large: &[(u32, usize)]) -> bool {
    let mut large = large.iter();
    small.iter().all(|s| large.any(|l| l == s))
}
