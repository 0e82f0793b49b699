//! Query compilation: all rules of one spec become one query per grammar, compiled when a file
//! first needs it (the pre-filter decides) and shared by every thread. The engine reads and runs
//! queries itself (`crate::query`); tree-sitter compiles only the few that use constructs the
//! engine leaves to it, since its compiling is the dearest step of a one-file run.

use super::anchors::reading_agrees;
use super::{Spec, SpecError};
use crate::lang::Grammar;
use crate::query::{PredicateArg, Query};
/// Predicates on a node's text (`crate::query` holds them as tree-sitter does) and tree-sitter's
/// property predicates, which hold no condition.
const TEXT_PREDICATES: &[&str] = &[
    "eq?", "not-eq?", "any-eq?", "any-not-eq?", "match?", "not-match?", "any-match?", "any-not-match?", "any-of?",
    "not-any-of?", "set!", "is?", "is-not?",
];

/// The engine's own predicates, evaluated against the file's semantic index.
/// Each has a `not-` twin.
pub const SEMANTIC_PREDICATES: &[&str] = &[
    "pulumi-type?",
    "assigned-call?",
    "has-arg?",
    "has-parent?",
    "calls?",
    "earlier-resource?",
    "earlier-resources?",
    "earlier-resource-on?",
    "resource-on?",
    "pulumi-output?",
    "contains-output?",
    "contains-output-value?",
    "pulumi-input?",
    "pulumi-resource?",
    "in-apply?",
    "foreign-config-key?",
    "project-import?",
    "project-package-import?",
    "entry-module?",
    "program-module?",
    "missing-export?",
    "only-constructed?",
    "only-element?",
    "one-element?",
    "first-element?",
    "assignment-target?",
    "pulumi-aws-version?",
    "has-element?",
];

/// The predicates whose first string names a capture they bind.
const BINDING_PREDICATES: &[&str] = &["earlier-resource?", "earlier-resources?", "earlier-resource-on?", "resource-on?"];

#[derive(Debug, Clone)]
pub enum SemanticPredicate {
    /// The capture resolves, through the file's imports, to one of these Pulumi type tokens
    /// (`aws:ec2/eip:Eip`; a trailing `*` matches a prefix).
    PulumiType { capture: u32, tokens: Vec<String>, negate: bool },
    /// The captured name (or `self.x` / `this.x`) is assigned only calls of one of these tokens
    /// (maybe awaited or wrapped in `pulumi.output(...)`).
    AssignedCall { capture: u32, tokens: Vec<String>, negate: bool },
    /// The captured argument list / object literal has a keyword argument or property with one of
    /// these names.
    HasArg { capture: u32, names: Vec<String>, negate: bool },
    /// The capture's parent node is of one of these kinds (e.g. a template literal that is the
    /// argument of a tagged template call).
    HasParent { capture: u32, kinds: Vec<String>, negate: bool },
    /// The captured node contains a call of one of these functions or methods (`register_outputs`
    /// matches `self.register_outputs(...)`; `sys.path.insert` the whole callee).
    Calls { capture: u32, names: Vec<String>, negate: bool },
    /// An earlier statement of the block holding the captured argument list binds (to a name,
    /// `self.x` or `this.x`) a resource of type `token` whose arguments `args` have the same text;
    /// its binding target becomes the derived capture `bind` (capture index `bind`): the nearest
    /// one's, or with `all` (`#earlier-resources?`) every one's, in source order.
    EarlierResource { capture: u32, bind: u32, token: String, args: Vec<String>, all: bool, negate: bool },
    /// `#earlier-resource-on?`: an earlier statement of the block holding the captured expression,
    /// or of a block around it, binds to a name a resource of type `token` whose argument `arg` is
    /// the expression or an attribute of it (`bucket=site.id` for `site`); the binding target
    /// becomes capture `bind`.
    EarlierResourceOn { capture: u32, bind: u32, token: String, arg: String, negate: bool },
    /// `#resource-on?`: a construction anywhere in the file (before or after, bound or not) of a
    /// `token` resource whose argument `arg` is the captured expression or an attribute of it —
    /// another resource already managing what an argument would be moved to. The first such
    /// resource's binding target, when it is bound, becomes capture `bind`.
    ResourceOn { capture: u32, bind: u32, token: String, arg: String, negate: bool },
    /// The pulumi-aws major version of the file's program (the run's target, else its manifests)
    /// is known and satisfies every comparison (`">=7"`, `"<7"`, `"6"`). The capture only ties
    /// the predicate to its pattern.
    AwsVersion { capture: u32, comparisons: Vec<VersionComparison>, negate: bool },
    /// The captured list, array or argument list has an element with the same text (up to
    /// whitespace) as each node of capture `element`, which may be one a predicate before it
    /// bound. Negated, it holds when some node is missing and narrows `element` to the missing.
    HasElement { capture: u32, element: u32, negate: bool },
    /// A capture-only fact about a node; see [`NodeFact`].
    Fact { capture: u32, fact: NodeFact, negate: bool },
}

/// Facts of the semantic index about one node, each a predicate `#<name>?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeFact {
    /// `#pulumi-output?`: the expression is a Pulumi Output.
    Output,
    /// `#contains-output?`: the expression is or contains an Output.
    ContainsOutput,
    /// `#contains-output-value?`: the expression is or contains an Output used as a value, not
    /// one passed as a resource's input (which is fine anywhere, even inside `.apply`).
    ContainsOutputValue,
    /// `#pulumi-input?`: the expression is (inside literals in) an argument of a call that
    /// accepts Outputs: a resource or Args constructor (not the resource name), an invoke's
    /// Output form, `pulumi.Output.*`, `pulumi.export`, ...
    InputPosition,
    /// `#pulumi-resource?`: the callee names a provider resource class.
    Resource,
    /// `#in-apply?`: the node is inside the callback of an `.apply(...)`.
    InApply,
    /// `#foreign-config-key?`: a Pulumi.yaml `config:` key namespaced by another package than
    /// the project (`aws:region` in project `tap`).
    ForeignConfigKey,
    /// `#project-import?`: a Python import of the project's own code, spelled from the project
    /// root.
    ProjectImport,
    /// `#project-package-import?`: a `from` import of project code whose path runs through the
    /// program directory below the root, which Pulumi spells without it.
    ProjectPackageImport,
    /// `#entry-module?`: the file holding the node is the one Pulumi runs.
    EntryModule,
    /// `#program-module?`: the file holding the node is the entry module or a project module it
    /// imports.
    ProgramModule,
    /// `#missing-export?`: a name imported from a relative module that does not export it.
    MissingExport,
    /// `#only-constructed?`: every use of the name is a `new Name(...)` statement.
    OnlyConstructed,
    /// `#only-element?`: the node is the only element of its list or array, comments aside.
    OnlyElement,
    /// `#one-element?`: the list or array holds exactly one element, comments aside.
    OneElement,
    /// `#first-element?`: the node is the first element of its argument list, list, ..., comments
    /// aside.
    FirstElement,
    /// `#assignment-target?`: the node is written to (left of `=` or `+=`, `++`, `delete`, a
    /// for loop's target), where a rewrite into a call would not be a valid target.
    AssignmentTarget,
}

impl SemanticPredicate {
    pub fn capture(&self) -> u32 {
        match self {
            SemanticPredicate::PulumiType { capture, .. }
            | SemanticPredicate::AssignedCall { capture, .. }
            | SemanticPredicate::HasArg { capture, .. }
            | SemanticPredicate::HasParent { capture, .. }
            | SemanticPredicate::Calls { capture, .. }
            | SemanticPredicate::EarlierResource { capture, .. }
            | SemanticPredicate::EarlierResourceOn { capture, .. }
            | SemanticPredicate::ResourceOn { capture, .. }
            | SemanticPredicate::AwsVersion { capture, .. }
            | SemanticPredicate::HasElement { capture, .. }
            | SemanticPredicate::Fact { capture, .. } => *capture,
        }
    }
}

/// One comparison of `#pulumi-aws-version?`: `>=7`, `<7`, `==6` (or `6`), `>6`, `<=6`, `!=6`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionComparison {
    pub operator: std::cmp::Ordering,
    /// `>=` is "not less", `<=` "not greater", `!=` "not equal".
    pub inverted: bool,
    pub major: u32,
}

impl VersionComparison {
    pub fn parse(text: &str) -> Option<VersionComparison> {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let number_at = text.find(|c: char| c.is_ascii_digit())?;
        let (operator, major) = text.split_at(number_at);
        let (operator, inverted) = match operator.trim() {
            "" | "=" | "==" => (Equal, false),
            "!=" => (Equal, true),
            "<" => (Less, false),
            ">=" => (Less, true),
            ">" => (Greater, false),
            "<=" => (Greater, true),
            _ => return None,
        };
        Some(VersionComparison { operator, inverted, major: major.trim().parse().ok()? })
    }

    pub fn holds(&self, major: u32) -> bool {
        (major.cmp(&self.major) == self.operator) != self.inverted
    }
}

/// The queries of one spec (or of a group of specs) for one grammar, compiled as one query when
/// a file first needs them.
pub struct CompiledSpec {
    pub query: Query,
    /// tree-sitter's compilation of the same source, when `query` uses constructs the engine
    /// leaves to tree-sitter (see [`Query::runs_itself`]); its patterns and captures are numbered
    /// as `query`'s.
    pub tree_sitter: Option<tree_sitter::Query>,
    /// For each pattern of `query`: the spec (as numbered by the caller) and rule it came from.
    pub pattern_rules: Vec<(usize, usize)>,
    /// For each pattern of `query`: its semantic predicates.
    pub pattern_predicates: Vec<Vec<SemanticPredicate>>,
    /// Captures that predicates bind (`#earlier-resource?`), numbered after the query's own.
    pub derived_captures: Vec<String>,
}

impl CompiledSpec {
    /// The index of a query capture or a derived one.
    pub fn capture_index(&self, name: &str) -> Option<u32> {
        self.query.capture_index_for_name(name).or_else(|| {
            let base = self.query.capture_names.len();
            self.derived_captures.iter().position(|d| d == name).map(|i| (base + i) as u32)
        })
    }
}

pub(super) struct QueryScan {
    pub captures: Vec<String>,
    /// (0-based line in the query, message) of predicates that would silently do nothing:
    /// unknown names, or predicates outside any pattern.
    pub predicate_problems: Vec<(usize, String)>,
}

/// A light lexical scan of a query: its capture names and its predicate names, to validate
/// templates and predicates when the spec is loaded, before any grammar is compiled.
pub(super) fn scan_query(query: &str) -> QueryScan {
    let mut captures: Vec<String> = Vec::new();
    let mut predicate_problems = Vec::new();
    let bytes = query.as_bytes();
    let mut i = 0;
    let mut line = 0;
    // Nesting of `(` and `[`: a predicate at depth 1 is outside every pattern.
    let mut depth = 0usize;
    let word_end = |start: usize| {
        let mut j = start;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || b"_-.?!".contains(&bytes[j])) {
            j += 1;
        }
        j
    };
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    } else if bytes[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
            b';' => {
                while i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                    i += 1;
                }
            }
            b'@' => {
                let end = word_end(i + 1);
                let name = &query[i + 1..end];
                if !name.is_empty() && !captures.iter().any(|c| c == name) {
                    captures.push(name.to_string());
                }
                i = end - 1;
            }
            b'#' => {
                let end = word_end(i + 1);
                let name = &query[i + 1..end];
                let base = name.strip_prefix("not-").unwrap_or(name);
                if !TEXT_PREDICATES.contains(&name) && !SEMANTIC_PREDICATES.contains(&base) {
                    predicate_problems.push((
                        line,
                        format!("unknown predicate `#{name}`; see codemods/README.md for the predicates the engine knows"),
                    ));
                } else if depth <= 1 {
                    predicate_problems.push((
                        line,
                        format!("predicate `#{name}` stands outside every pattern; move it inside the parentheses of the pattern it tests"),
                    ));
                }
                // `(#earlier-resource? @args "name" ...)` binds the capture `name`.
                if BINDING_PREDICATES.contains(&base) {
                    let derived = query[end..].split('"').nth(1).unwrap_or_default();
                    if !derived.is_empty() && !captures.iter().any(|c| c == derived) {
                        captures.push(derived.to_string());
                    }
                }
                i = end - 1;
            }
            _ => {}
        }
        i += 1;
    }
    QueryScan { captures, predicate_problems }
}

/// The index of capture `bind` that a predicate binds (`#earlier-resource?` and its kin),
/// numbered after the query's own captures, shared by the predicates that bind the same name.
fn derive_capture(query: &Query, derived: &mut Vec<String>, bind: &str) -> Result<u32, String> {
    if query.capture_index_for_name(bind).is_some() {
        return Err(format!("binds `{bind}`, which the query already captures; pick another name"));
    }
    let position = derived.iter().position(|d| d == bind).unwrap_or_else(|| {
        derived.push(bind.to_string());
        derived.len() - 1
    });
    Ok((query.capture_names.len() + position) as u32)
}

/// Compiles every rule of `spec` into one query for `grammar` (a grammar of the spec's language).
pub fn compile_spec(spec: &Spec, grammar: Grammar) -> Result<CompiledSpec, SpecError> {
    let rules: Vec<(usize, &Spec, usize)> = (0..spec.rules.len()).map(|rule| (0, spec, rule)).collect();
    compile_rules(&rules, grammar)
}

/// Rules' queries as one source: where each starts, to name the spec file and line of an offset.
struct Combined<'r, 's> {
    rules: &'r [(usize, &'s Spec, usize)],
    text: String,
    /// Where each rule's query starts in `text`, with the rule's position in `rules`.
    starts: Vec<(usize, usize)>,
}

impl<'r, 's> Combined<'r, 's> {
    fn new(rules: &'r [(usize, &'s Spec, usize)]) -> Self {
        let mut text = String::new();
        let mut starts = Vec::new();
        for (position, (_, spec, rule)) in rules.iter().enumerate() {
            starts.push((text.len(), position));
            text.push_str(&spec.rules[*rule].query);
            text.push('\n');
        }
        Combined { rules, text, starts }
    }

    /// The rule an offset lies in: (its start, its position in `rules`).
    fn rule_at(&self, offset: usize) -> (usize, usize) {
        self.starts.iter().rev().find(|(start, _)| *start <= offset).copied().unwrap_or(self.starts[0])
    }

    fn locate(&self, offset: usize, message: String) -> SpecError {
        let (start, position) = self.rule_at(offset);
        let (_, spec, rule) = self.rules[position];
        let line_in_query = self.text[start..offset.min(self.text.len())].matches('\n').count();
        SpecError { path: spec.path.clone(), line: spec.rules[rule].query_line + line_in_query, message }
    }

    fn does_not_compile(&self, grammar: Grammar, offset: usize, message: String) -> SpecError {
        self.locate(offset, format!("query does not compile for {}: {message}", grammar.name()))
    }

    fn tree_sitter_query(&self, grammar: Grammar) -> Result<tree_sitter::Query, SpecError> {
        tree_sitter::Query::new(&grammar.ts_language(), &self.text)
            .map_err(|e| self.does_not_compile(grammar, e.offset, format!("{:?} error at column {}: {}", e.kind, e.column + 1, e.message.trim())))
    }
}

/// Compiles `rules` with tree-sitter, for its errors: those the engine gives, and patterns the
/// grammar makes impossible, which the engine runs without finding anything. For user specs.
pub fn check_with_tree_sitter(rules: &[(usize, &Spec, usize)], grammar: Grammar) -> Result<(), SpecError> {
    Combined::new(rules).tree_sitter_query(grammar).map(|_| ())
}

/// Compiles rules — each `(number matches report its spec by, spec, rule index)` — into one
/// query.
pub fn compile_rules(rules: &[(usize, &Spec, usize)], grammar: Grammar) -> Result<CompiledSpec, SpecError> {
    let combined = Combined::new(rules);
    let mut query = crate::query::parse(&combined.text).map_err(|e| combined.does_not_compile(grammar, e.offset, e.message))?;
    query.resolve(&grammar.ts_language()).map_err(|e| combined.does_not_compile(grammar, e.offset, e.message))?;
    let tree_sitter = if query.runs_itself() {
        None
    } else {
        let compiled = combined.tree_sitter_query(grammar)?;
        debug_assert!(reading_agrees(&compiled, &combined.text), "the pre-filter misreads this query:\n{}", combined.text);
        debug_assert!(
            compiled.pattern_count() == query.patterns.len() && compiled.capture_names().iter().eq(&query.capture_names),
            "tree-sitter numbers this query otherwise:\n{}",
            combined.text
        );
        Some(compiled)
    };
    let locate = |offset: usize, message: String| combined.locate(offset, message);

    let mut derived_captures: Vec<String> = Vec::new();
    let mut pattern_rules = Vec::with_capacity(query.patterns.len());
    let mut pattern_predicates = Vec::with_capacity(query.patterns.len());
    for pattern in &query.patterns {
        let start = pattern.start_byte;
        let (number, _, rule) = rules[combined.rule_at(start).1];
        pattern_rules.push((number, rule));
        let mut predicates = Vec::new();
        for predicate in pattern.predicates.iter().filter(|p| !TEXT_PREDICATES.contains(&p.name.as_str())) {
            let name = predicate.name.as_str();
            let (negate, base) = match name.strip_prefix("not-") {
                Some(base) => (true, base),
                None => (false, name),
            };
            let capture = match predicate.args.first() {
                Some(PredicateArg::Capture(c)) => *c,
                _ => return Err(locate(start, format!("#{name} needs a capture as its first argument"))),
            };
            let strings: Vec<String> = predicate.args[1..]
                .iter()
                .filter_map(|a| match a {
                    PredicateArg::String(s) => Some(s.clone()),
                    PredicateArg::Capture(_) => None,
                })
                .collect();
            let needs_strings = |what: &str| {
                if strings.is_empty() { Err(locate(start, format!("#{name} needs at least one {what} after the capture"))) } else { Ok(()) }
            };
            predicates.push(match base {
                "pulumi-type?" => {
                    needs_strings("type token such as \"aws:ec2/eip:Eip\"")?;
                    SemanticPredicate::PulumiType { capture, tokens: strings, negate }
                }
                "assigned-call?" => {
                    needs_strings("type token such as \"aws:index/getRegion:getRegion\"")?;
                    SemanticPredicate::AssignedCall { capture, tokens: strings, negate }
                }
                "has-arg?" => {
                    needs_strings("argument name")?;
                    SemanticPredicate::HasArg { capture, names: strings, negate }
                }
                "has-parent?" => {
                    needs_strings("node kind")?;
                    SemanticPredicate::HasParent { capture, kinds: strings, negate }
                }
                "calls?" => {
                    needs_strings("function or method name")?;
                    SemanticPredicate::Calls { capture, names: strings, negate }
                }
                "earlier-resource?" | "earlier-resources?" => {
                    let [bind, token, args @ ..] = strings.as_slice() else {
                        return Err(locate(start, format!("#{name} needs a capture name to bind, a type token and argument names: (#{name} @args \"integration\" \"aws:apigateway/integration:Integration\" \"rest_api\")")));
                    };
                    let bind = derive_capture(&query, &mut derived_captures, bind).map_err(|message| locate(start, format!("#{name} {message}")))?;
                    let all = name.ends_with("resources?");
                    SemanticPredicate::EarlierResource { capture, bind, token: token.clone(), args: args.to_vec(), all, negate }
                }
                "earlier-resource-on?" | "resource-on?" => {
                    let [bind, token, arg] = strings.as_slice() else {
                        return Err(locate(start, format!("#{name} needs a capture name to bind, a type token and one argument name: (#{name} @bucket \"website\" \"aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration\" \"bucket\")")));
                    };
                    let bind = derive_capture(&query, &mut derived_captures, bind).map_err(|message| locate(start, format!("#{name} {message}")))?;
                    let (token, arg) = (token.clone(), arg.clone());
                    match base {
                        "resource-on?" => SemanticPredicate::ResourceOn { capture, bind, token, arg, negate },
                        _ => SemanticPredicate::EarlierResourceOn { capture, bind, token, arg, negate },
                    }
                }
                "pulumi-aws-version?" => {
                    needs_strings("major version comparison such as \">=7\"")?;
                    let comparisons: Option<Vec<VersionComparison>> = strings.iter().map(|s| VersionComparison::parse(s)).collect();
                    let Some(comparisons) = comparisons else {
                        return Err(locate(start, format!("#{name} takes comparisons of a major version: \">=7\", \"<7\", \"6\", \"!=6\"")));
                    };
                    SemanticPredicate::AwsVersion { capture, comparisons, negate }
                }
                "has-element?" => {
                    let element = match strings.as_slice() {
                        [name] => query.capture_index_for_name(name).or_else(|| derived_captures.iter().position(|d| d == name).map(|i| (query.capture_names.len() + i) as u32)),
                        _ => None,
                    };
                    let Some(element) = element else {
                        return Err(locate(start, format!("#{name} needs the name of a capture (of the query, or bound by a predicate before it): (#{name} @list \"integration\")")));
                    };
                    SemanticPredicate::HasElement { capture, element, negate }
                }
                "pulumi-output?" => SemanticPredicate::Fact { capture, fact: NodeFact::Output, negate },
                "contains-output?" => SemanticPredicate::Fact { capture, fact: NodeFact::ContainsOutput, negate },
                "contains-output-value?" => SemanticPredicate::Fact { capture, fact: NodeFact::ContainsOutputValue, negate },
                "pulumi-input?" => SemanticPredicate::Fact { capture, fact: NodeFact::InputPosition, negate },
                "pulumi-resource?" => SemanticPredicate::Fact { capture, fact: NodeFact::Resource, negate },
                "in-apply?" => SemanticPredicate::Fact { capture, fact: NodeFact::InApply, negate },
                "foreign-config-key?" => SemanticPredicate::Fact { capture, fact: NodeFact::ForeignConfigKey, negate },
                "project-import?" => SemanticPredicate::Fact { capture, fact: NodeFact::ProjectImport, negate },
                "project-package-import?" => SemanticPredicate::Fact { capture, fact: NodeFact::ProjectPackageImport, negate },
                "entry-module?" => SemanticPredicate::Fact { capture, fact: NodeFact::EntryModule, negate },
                "program-module?" => SemanticPredicate::Fact { capture, fact: NodeFact::ProgramModule, negate },
                "missing-export?" => SemanticPredicate::Fact { capture, fact: NodeFact::MissingExport, negate },
                "only-constructed?" => SemanticPredicate::Fact { capture, fact: NodeFact::OnlyConstructed, negate },
                "only-element?" => SemanticPredicate::Fact { capture, fact: NodeFact::OnlyElement, negate },
                "one-element?" => SemanticPredicate::Fact { capture, fact: NodeFact::OneElement, negate },
                "first-element?" => SemanticPredicate::Fact { capture, fact: NodeFact::FirstElement, negate },
                "assignment-target?" => SemanticPredicate::Fact { capture, fact: NodeFact::AssignmentTarget, negate },
                _ => return Err(locate(start, format!("unknown predicate #{name}"))),
            });
        }
        pattern_predicates.push(predicates);
    }
    Ok(CompiledSpec { query, tree_sitter, pattern_rules, pattern_predicates, derived_captures })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs compile built-in specs only when a file needs them, so the suite compiles them all,
    /// and checks that tree-sitter compiles each as well, numbering its patterns and captures as
    /// the engine does, and that the pre-filter reads it as tree-sitter does.
    #[test]
    fn every_builtin_spec_compiles_for_every_grammar_of_its_language() {
        for spec in super::super::builtin_specs().unwrap() {
            for grammar in Grammar::ALL.into_iter().filter(|g| g.spec_language() == spec.language) {
                let compiled = compile_spec(&spec, grammar).unwrap_or_else(|e| panic!("{e}"));
                let source: String = spec.rules.iter().map(|r| format!("{}\n", r.query)).collect();
                let tree_sitter = tree_sitter::Query::new(&grammar.ts_language(), &source).unwrap_or_else(|e| panic!("{}: {e}", spec.id));
                assert_eq!(tree_sitter.pattern_count(), compiled.query.patterns.len(), "{}", spec.id);
                assert!(tree_sitter.capture_names().iter().eq(&compiled.query.capture_names), "{}", spec.id);
                let starts: Vec<usize> = (0..tree_sitter.pattern_count()).map(|p| tree_sitter.start_byte_for_pattern(p)).collect();
                assert_eq!(starts, compiled.query.patterns.iter().map(|p| p.start_byte).collect::<Vec<_>>(), "{}", spec.id);
                assert!(reading_agrees(&tree_sitter, &source), "the pre-filter misreads {}", spec.id);
            }
        }
    }

    #[test]
    fn a_query_the_grammar_does_not_fit_is_an_error_at_its_line() {
        let toml = "id = \"t\"\nlanguage = \"python\"\nsummary = \"s\"\nexplanation = \"e\"\nseed = \"x\"\nsafety = \"safe\"\n[[rule]]\nquery = '''\n(call\n  arguments: (argument_lst))\n'''\n";
        let spec = super::super::model::parse_spec("t.toml", toml).unwrap();
        let Err(error) = compile_spec(&spec, Grammar::Python) else { panic!("compiled") };
        assert_eq!(error.line, 10, "{error}");
        assert!(error.message.contains("(argument_lst)"), "{error}");
    }

    #[test]
    fn version_comparisons() {
        let holds = |comparison: &str, major| VersionComparison::parse(comparison).unwrap().holds(major);
        assert!(holds(">=7", 7) && holds(">=7", 8) && !holds(">=7", 6));
        assert!(holds("<7", 6) && !holds("<7", 7));
        assert!(holds("6", 6) && holds("==6", 6) && !holds("6", 7) && holds("!=6", 7));
        assert!(holds(">6", 7) && !holds(">6", 6) && holds("<=6", 6) && !holds("<=6", 7));
        assert!(VersionComparison::parse("~6").is_none() && VersionComparison::parse("seven").is_none());
    }

    #[test]
    fn scan_finds_captures_and_predicate_problems() {
        let scan = scan_query("((call function: (_) @callee) @call\n; @not_a_capture\n(#eq? @callee \"@x\")\n(#pulumi-typ? @callee \"a\"))");
        assert_eq!(scan.captures, vec!["callee", "call"]);
        assert_eq!(scan.predicate_problems.len(), 1);
        assert_eq!(scan.predicate_problems[0].0, 3);
        assert!(scan.predicate_problems[0].1.contains("unknown predicate `#pulumi-typ?`"));

        let outside = scan_query("[(true) (false)] @x\n(#eq? @x \"true\")");
        assert!(outside.predicate_problems[0].1.contains("outside every pattern"));
    }

    #[test]
    fn earlier_resource_binds_a_derived_capture() {
        let query = r#"((call arguments: (argument_list) @args) (#earlier-resource? @args "integration" "aws:apigateway/integration:Integration" "rest_api"))"#;
        assert_eq!(scan_query(query).captures, vec!["args", "integration"]);
        let toml = format!(
            "id = \"t\"\nlanguage = \"python\"\nsummary = \"s\"\nexplanation = \"e\"\nseed = \"x\"\nsafety = \"safe\"\n[[rule]]\nquery = '{query}'\n[[rule.edit]]\nappend = \"args\"\nwith = \"{{{{integration}}}}\"\n"
        );
        let spec = super::super::model::parse_spec("t.toml", &toml).unwrap();
        let compiled = compile_spec(&spec, Grammar::Python).unwrap();
        assert_eq!(compiled.derived_captures, vec!["integration"]);
        assert_eq!(compiled.capture_index("integration"), Some(compiled.query.capture_names.len() as u32));
    }
}
