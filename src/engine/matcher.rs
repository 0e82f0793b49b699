//! Runs the candidate specs' queries over a tree and keeps the matches whose semantic predicates
//! hold.

use crate::index::{FileIndex, token_matches};
use crate::query::{self, QueryRun};
use crate::lang::{FieldChild, KindName, argument_key, named_descendants};
use super::SpecQueries;
use crate::spec::{CompiledSpec, NodeFact, SemanticPredicate};
use foldhash::{HashSet, HashSetExt};
use tree_sitter::{Node, QueryCursor, StreamingIterator, Tree};

/// One match of one rule: its captures by index in `compiled`'s query (or derived).
pub struct RuleMatch<'t> {
    pub spec: usize,
    pub rule: usize,
    pub compiled: &'t CompiledSpec,
    pub captures: Vec<(u32, Node<'t>)>,
}

impl<'t> RuleMatch<'t> {
    /// Every node of a capture, in document order: several for a quantified capture
    /// (`((import_from_statement) @imports)+`), one for the others.
    pub fn nodes(&self, index: u32) -> Vec<Node<'t>> {
        let mut nodes: Vec<Node<'t>> = self.captures.iter().filter(|(i, _)| *i == index).map(|(_, n)| *n).collect();
        nodes.sort_by_key(|n| (n.start_byte(), std::cmp::Reverse(n.end_byte())));
        nodes.dedup();
        nodes
    }

    /// The span the match covers: from its first to its last captured byte.
    pub fn span(&self) -> (usize, usize) {
        let start = self.captures.iter().map(|(_, n)| n.start_byte()).min().unwrap_or(0);
        let end = self.captures.iter().map(|(_, n)| n.end_byte()).max().unwrap_or(0);
        (start, end)
    }
}

/// The matches of every candidate query, outer ones first at a place, then by spec and rule.
pub fn find_matches<'t>(candidates: &[SpecQueries<'t>], tree: &'t Tree, text: &str, index: &FileIndex<'t>) -> Vec<RuleMatch<'t>> {
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    let mut accept = |compiled: &'t CompiledSpec, pattern: usize, mut captures: Vec<(u32, Node<'t>)>| {
        // In order: a predicate may bind a capture that later ones test.
        if !compiled.pattern_predicates[pattern].iter().all(|p| holds(p, &mut captures, text, index)) {
            return;
        }
        let (spec, rule) = compiled.pattern_rules[pattern];
        // Alternations can match the same nodes several ways, and neighbouring ranges can share a
        // match: one finding per rule and captures. (Matches that differ only inside the span,
        // e.g. each of several arguments, all count.)
        let mut captured: Vec<(u32, usize, usize)> = captures.iter().map(|(i, n)| (*i, n.start_byte(), n.end_byte())).collect();
        captured.sort_unstable();
        captured.dedup();
        if seen.insert((spec, rule, captured)) {
            found.push(RuleMatch { spec, rule, compiled, captures });
        }
    };
    // The engine runs its queries in one walk; tree-sitter runs those it compiled.
    let own: Vec<&SpecQueries<'t>> = candidates.iter().filter(|c| c.compiled.tree_sitter.is_none()).collect();
    let runs: Vec<QueryRun> = own.iter().map(|c| QueryRun { query: &c.compiled.query, ranges: c.ranges.as_deref() }).collect();
    query::run(&runs, index.nodes(), text.as_bytes(), |run, pattern, captures| accept(own[run].compiled, pattern, captures));
    let mut cursor = QueryCursor::new();
    let whole = std::slice::from_ref(&(0..usize::MAX));
    for candidate in candidates {
        let Some(compiled_query) = &candidate.compiled.tree_sitter else { continue };
        // tree-sitter starts a match only at nodes that intersect the range, and follows it into
        // the nodes it needs outside the range: a match rooted around an anchor is found whole.
        for range in candidate.ranges.as_deref().unwrap_or(whole) {
            cursor.set_byte_range(range.clone());
            let mut matches = cursor.matches(compiled_query, tree.root_node(), text.as_bytes());
            while let Some(m) = matches.next() {
                accept(candidate.compiled, m.pattern_index, m.captures.iter().map(|c| (c.index, c.node)).collect());
            }
        }
    }
    // Outer matches first: of two overlapping fixes, the enclosing one is applied in a pass.
    found.sort_by_key(|m| (m.span().0, std::cmp::Reverse(m.span().1), m.spec, m.rule));
    found
}

fn nodes_of<'a, 't>(captures: &'a [(u32, Node<'t>)], index: u32) -> impl Iterator<Item = Node<'t>> + 'a {
    captures.iter().filter(move |(i, _)| *i == index).map(|(_, n)| *n)
}

/// A predicate on a capture that is absent from the match (an optional capture, another branch
/// of an alternation) holds, as tree-sitter's own text predicates do.
fn holds<'t>(predicate: &SemanticPredicate, captures: &mut Vec<(u32, Node<'t>)>, text: &str, index: &FileIndex<'t>) -> bool {
    if nodes_of(captures, predicate.capture()).next().is_none() {
        return true;
    }
    let captures_now: &[(u32, Node<'t>)] = captures;
    match predicate {
        SemanticPredicate::EarlierResource { capture, bind, token, args, all, negate } => {
            let limit = if *all { usize::MAX } else { 1 };
            let found = nodes_of(captures_now, *capture).map(|n| earlier_resources(n, token, args, limit, text, index)).find(|f| !f.is_empty()).unwrap_or_default();
            let holds = found.is_empty() == *negate;
            captures.extend(found.into_iter().map(|target| (*bind, target)));
            holds
        }
        SemanticPredicate::EarlierResourceOn { capture, bind, token, arg, negate } => {
            let found = nodes_of(captures_now, *capture).find_map(|n| earlier_resource_on(n, token, arg, text, index));
            let holds = found.is_some() != *negate;
            captures.extend(found.map(|target| (*bind, target)));
            holds
        }
        SemanticPredicate::ResourceOn { capture, bind, token, arg, negate } => {
            let found = nodes_of(captures_now, *capture).map(|n| resources_on(n, token, arg, text, index)).find(|f| !f.is_empty()).unwrap_or_default();
            let holds = found.is_empty() == *negate;
            // The first one bound to a name; an unbound one holds the predicate but binds nothing.
            captures.extend(found.into_iter().flatten().take(1).map(|target| (*bind, target)));
            holds
        }
        SemanticPredicate::PulumiType { capture, tokens, negate } => {
            let resolved = nodes_of(captures_now, *capture)
                .any(|n| index.type_token(n).is_some_and(|t| tokens.iter().any(|p| token_matches(&t, p))));
            resolved != *negate
        }
        SemanticPredicate::AssignedCall { capture, tokens, negate } => {
            nodes_of(captures_now, *capture).any(|n| index.is_assigned_call(n, tokens)) != *negate
        }
        SemanticPredicate::HasArg { capture, names, negate } => {
            let has = nodes_of(captures_now, *capture).any(|n| {
                let mut cursor = n.walk();
                n.named_children(&mut cursor).filter_map(argument_key).any(|name| {
                    let name = text[name.byte_range()].trim_matches(['"', '\'']);
                    names.iter().any(|wanted| wanted == name)
                })
            });
            // `**kwargs` or `...spread` may hold any key: adding one it holds would repeat it.
            let may_have = || nodes_of(captures_now, *capture).any(|n| (0..n.named_child_count()).filter_map(|i| n.named_child(i)).any(|c| matches!(c.kind_name(), "dictionary_splat" | "spread_element")));
            if *negate { !has && !may_have() } else { has }
        }
        SemanticPredicate::HasParent { capture, kinds, negate } => {
            let has = nodes_of(captures_now, *capture).any(|n| index.nodes().parent_of(n).is_some_and(|p| kinds.iter().any(|k| k == p.kind_name())));
            has != *negate
        }
        SemanticPredicate::Calls { capture, names, negate } => {
            let calls = nodes_of(captures_now, *capture).any(|n| calls_any(n, names, text));
            calls != *negate
        }
        SemanticPredicate::HasElement { capture, element, negate } => {
            let listed: HashSet<String> = nodes_of(captures_now, *capture)
                .flat_map(|list| {
                    let mut cursor = list.walk();
                    list.named_children(&mut cursor).map(|e| squeezed(e, text)).collect::<Vec<_>>()
                })
                .collect();
            let missing: Vec<Node<'t>> = nodes_of(captures_now, *element).filter(|e| !listed.contains(&squeezed(*e, text))).collect();
            if !*negate {
                return missing.is_empty();
            }
            // Narrowed to what the list lacks, so that a template appends only that.
            let any_missing = !missing.is_empty();
            captures.retain(|(i, n)| *i != *element || missing.contains(n));
            any_missing
        }
        SemanticPredicate::AwsVersion { comparisons, negate, .. } => {
            let holds = index.aws_major().is_some_and(|major| comparisons.iter().all(|c| c.holds(major)));
            holds != *negate
        }
        SemanticPredicate::Fact { capture, fact, negate } => {
            let holds = nodes_of(captures_now, *capture).any(|n| match fact {
                NodeFact::Output => index.is_output(n),
                NodeFact::ContainsOutput => index.contains_output(n),
                NodeFact::ContainsOutputValue => index.contains_output_value(n),
                NodeFact::InputPosition => index.is_input_position(n),
                NodeFact::Resource => index.is_resource_callee(n),
                NodeFact::InApply => index.is_in_apply(n),
                NodeFact::ForeignConfigKey => index.is_foreign_config_key(n),
                NodeFact::ProjectImport => index.is_project_import(n),
                NodeFact::ProjectPackageImport => index.is_project_package_import(n),
                NodeFact::EntryModule => index.is_entry_module(),
                NodeFact::ProgramModule => index.is_program_module(),
                NodeFact::MissingExport => index.is_missing_export(n),
                NodeFact::OnlyConstructed => index.is_only_constructed(n),
                NodeFact::OnlyElement => crate::lang::is_only_element(n, index.nodes().parent_of(n)),
                NodeFact::AssignmentTarget => crate::lang::is_assignment_target(n, |n| index.nodes().parent_of(n)),
                NodeFact::OneElement => crate::lang::has_one_element(n),
                NodeFact::FirstElement => crate::lang::is_first_element(n, index.nodes().parent_of(n)),
            });
            holds != *negate
        }
    }
}

/// Does `node` contain a call whose callee is `name` or ends in `.name`?
fn calls_any(node: Node, names: &[String], text: &str) -> bool {
    named_descendants(node, |_| true).any(|current| {
        let callee = current.field("function").filter(|_| matches!(current.kind_name(), "call" | "call_expression"));
        callee.is_some_and(|callee| {
            let callee: String = text[callee.byte_range()].split_whitespace().collect();
            names.iter().any(|name| callee == *name || callee.ends_with(&format!(".{name}")))
        })
    })
}

/// The value of keyword argument / property / key `name` of an argument list or object literal.
fn argument_value<'t>(container: Node<'t>, name: &str, text: &str) -> Option<Node<'t>> {
    let mut cursor = container.walk();
    let found = container.named_children(&mut cursor).find(|child| {
        argument_key(*child).is_some_and(|key| text[key.byte_range()].trim_matches(['"', '\'']) == name)
    })?;
    match found.kind_name() {
        "shorthand_property_identifier" => Some(found),
        _ => found.field("value"),
    }
}

/// A node's text without whitespace: how two spellings of one expression compare.
fn squeezed(node: Node, text: &str) -> String {
    text[node.byte_range()].split_whitespace().collect()
}

/// Both present, with the same text up to whitespace.
fn same_text(a: Option<Node>, b: Option<Node>, text: &str) -> bool {
    matches!((a, b), (Some(a), Some(b)) if squeezed(a, text) == squeezed(b, text))
}

/// The statements before `statement` in its block, nearest first, that bind the construction of
/// a `token` resource (`x = T(...)`, `const x = new T(...)`, `this.x = new T(...)`).
fn earlier_constructions<'t, 'a>(statement: Node<'t>, token: &'a str, index: &'a FileIndex<'t>) -> impl Iterator<Item = crate::lang::Construction<'t>> + 'a
where
    't: 'a,
{
    std::iter::successors(statement.prev_named_sibling(), |s| s.prev_named_sibling())
        .filter_map(crate::lang::bound_construction)
        .filter(move |c| index.type_token(c.constructor).is_some_and(|t| token_matches(&t, token)))
}

/// The binding targets (a name, `self.x` or `this.x`) of the nearest `limit` earlier statements,
/// nearest first, in the block of the statement holding `arguments`, that construct a `token`
/// resource whose arguments `names` have the same text as in `arguments`.
fn earlier_resources<'t>(arguments: Node<'t>, token: &str, names: &[String], limit: usize, text: &str, index: &FileIndex<'t>) -> Vec<Node<'t>> {
    let Some(statement) = crate::lang::enclosing_statement(index.grammar(), arguments) else { return Vec::new() };
    let same_arguments = |other: Node<'t>| names.iter().all(|name| same_text(argument_value(arguments, name, text), argument_value(other, name, text), text));
    earlier_constructions(statement, token, index)
        .filter(|c| c.arguments.is_some_and(same_arguments))
        .map(|c| c.target)
        .take(limit)
        .collect()
}

/// Whether `value` (squeezed) is `wanted` or an attribute of it (`site.id`, `site?.arn` for `site`).
fn is_on(value: &str, wanted: &str) -> bool {
    value == wanted || value.strip_prefix(wanted).is_some_and(|rest| rest.starts_with('.') || rest.starts_with("?."))
}

/// Every construction in the file, before or after `expression`, bound or not, of a `token`
/// resource whose argument `arg` is `expression` or an attribute of it: each one's binding target
/// (`None` when it is not bound), in source order.
fn resources_on<'t>(expression: Node<'t>, token: &str, arg: &str, text: &str, index: &FileIndex<'t>) -> Vec<Option<Node<'t>>> {
    let wanted = squeezed(expression, text);
    index
        .constructions()
        .filter(|construction| {
            let Some((constructor, Some(arguments))) = crate::lang::construction_call(*construction) else { return false };
            argument_value(arguments, arg, text).is_some_and(|v| is_on(&squeezed(v, text), &wanted))
                && index.type_token(constructor).is_some_and(|t| token_matches(&t, token))
        })
        .map(crate::lang::binding_target)
        .collect()
}

/// The binding target (a plain name) of the nearest earlier statement, in the block of the
/// statement holding `expression` or a block around it, that constructs a `token` resource whose
/// argument `arg` is `expression` or an attribute of it.
fn earlier_resource_on<'t>(expression: Node<'t>, token: &str, arg: &str, text: &str, index: &FileIndex<'t>) -> Option<Node<'t>> {
    let wanted = squeezed(expression, text);
    let mut statement = crate::lang::enclosing_statement(index.grammar(), expression)?;
    loop {
        let found = earlier_constructions(statement, token, index).find(|c| {
            c.target.kind_name() == "identifier" && c.arguments.and_then(|arguments| argument_value(arguments, arg, text)).is_some_and(|v| is_on(&squeezed(v, text), &wanted))
        });
        if let Some(construction) = found {
            return Some(construction.target);
        }
        statement = crate::lang::enclosing_statement(index.grammar(), statement.parent()?)?;
    }
}
