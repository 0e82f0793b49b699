//! Which expressions are Pulumi `Output`s, per file, for Python and TypeScript alike.
//!
//! An expression is an Output when it is
//! - an attribute of a name or `self.x` / `this.x` bound to a resource construction (or typed as a
//!   resource class), or an attribute of an Output (attributes of Outputs are lifted), except
//!   methods and plain members such as `apply` or `_name`;
//! - the result of `.apply(...)`, of `pulumi.Output.*` / `pulumi.output` / `pulumi.all` /
//!   `pulumi.interpolate` / `pulumi.concat` / ..., of an invoke's `*_output` / `*Output` form, of
//!   `require_secret` / `get_secret` / `requireSecret` / `getOutput` and the like;
//! - a parameter, variable or class field annotated `Output[...]` / `Input[...]` (Python) or
//!   `pulumi.Output<...>` / `pulumi.Input<...>` (TypeScript);
//! - a name every assignment of which (in the file) is an Output, unless a parameter of an
//!   enclosing function or lambda shadows it — so `lambda name: f"{name}"` inside an `.apply`
//!   sees a plain value.

use super::FileIndex;
use crate::lang::{FieldChild, Grammar, KindName, KindSet, PerGrammar, Slot, is_variable_use, parameters_of};
use foldhash::{HashMap, HashMapExt, HashSet};
use std::cell::RefCell;
use std::num::NonZeroU16;
use tree_sitter::Node;

/// Members of resources and Outputs that are not Outputs themselves.
const PLAIN_MEMBERS: &[&str] = &[
    "apply", "_name", "pulumi_type", "get_provider", "getProvider", "translate_output_property", "translate_input_property",
    "isInstance", "is_instance", "get", "register_outputs", "registerOutputs",
];

/// Methods whose result is an Output whatever their receiver (Config secrets, stack references).
const OUTPUT_METHODS: &[&str] = &[
    "apply", "require_secret", "get_secret", "require_secret_int", "get_secret_int", "require_secret_bool", "get_secret_bool",
    "require_secret_float", "get_secret_float", "require_secret_object", "get_secret_object", "requireSecret", "getSecret",
    "requireSecretNumber", "getSecretNumber", "requireSecretBoolean", "getSecretBoolean", "requireSecretObject",
    "getSecretObject", "get_output", "require_output", "getOutput", "requireOutput",
];

/// `pulumi` package members (top level) that return Outputs.
const PULUMI_OUTPUT_FUNCTIONS: &[&str] = &["output", "all", "interpolate", "concat", "secret", "unsecret", "jsonStringify", "jsonParse"];

/// The Pulumi tokens of `Output` and `Input` type names.
const OUTPUT_TYPES: &[&str] = &["pulumi:index/output:Output", "pulumi:index/input:Input", "pulumi:index/outputInstance:OutputInstance"];

/// Answers remembered per node of the index's table, by slot (times the number of questions
/// asked of each node), sized on first use.
#[derive(Default)]
pub(super) struct SlotAnswers(RefCell<Vec<Option<bool>>>);

impl SlotAnswers {
    fn get(&self, key: usize) -> Option<bool> {
        self.0.borrow().get(key).copied().flatten()
    }

    fn set(&self, key: usize, size: usize, answer: bool) {
        let mut answers = self.0.borrow_mut();
        if answers.len() < size {
            answers.resize(size, None);
        }
        answers[key] = Some(answer);
    }
}

#[derive(Debug, Default)]
pub(super) struct OutputFacts {
    /// Names and `self.x` / `this.x` paths bound to a resource.
    resources: HashSet<String>,
    /// Names and paths whose every assignment is an Output, or that are typed as one.
    outputs: HashSet<String>,
    /// The values assigned to each name or path, in the whole file, by slot.
    assigned: HashMap<String, Vec<Slot>>,
    /// Names that some function declares as a parameter typed `Output`/`Input`: a name in
    /// neither this nor `outputs` is no Output, whatever scope it is read in, so deciding it
    /// needs no walk up to its enclosing functions.
    output_parameters: HashSet<String>,
}

/// Node kinds and fields that differ between the grammars.
struct Syntax {
    member: &'static str,
    member_property: &'static str,
    calls: &'static [&'static str],
    subscript: &'static str,
    /// Nodes that only wrap an expression: `(x)`, `x!`, `x as T`.
    wrappers: &'static [&'static str],
    scopes: &'static [&'static str],
}

const PYTHON: Syntax = Syntax {
    member: "attribute",
    member_property: "attribute",
    calls: &["call"],
    subscript: "subscript",
    wrappers: &["parenthesized_expression"],
    scopes: &["lambda", "function_definition"],
};

const TYPESCRIPT: Syntax = Syntax {
    member: "member_expression",
    member_property: "property",
    calls: &["call_expression", "new_expression"],
    subscript: "subscript_expression",
    wrappers: &["parenthesized_expression", "non_null_expression", "as_expression", "satisfies_expression"],
    scopes: &["arrow_function", "function_declaration", "function_expression", "method_definition", "function"],
};

fn syntax(grammar: Grammar) -> &'static Syntax {
    match grammar {
        Grammar::Python => &PYTHON,
        _ => &TYPESCRIPT,
    }
}

/// Nodes that bind their `left` to their `right` (Python, TypeScript).
const ASSIGNMENTS: &[&str] = &["assignment", "assignment_expression"];
/// Nodes that bind their `name` to their `value` (TypeScript).
const DECLARATORS: &[&str] = &["variable_declarator", "public_field_definition"];

/// The kinds `note_binding` looks at: assignments, declarators and scopes (their parameters).
fn binding_kinds(grammar: Grammar) -> &'static KindSet {
    static SETS: PerGrammar<KindSet> = PerGrammar::new();
    SETS.get(grammar, || KindSet::of(grammar, &[ASSIGNMENTS, DECLARATORS, syntax(grammar).scopes].concat()))
}

/// The kinds of node that may be Outputs (see `is_output_with`): names, members, subscripts,
/// calls, and the wrappers around them. A search for Outputs asks only these.
fn output_kinds(grammar: Grammar) -> &'static KindSet {
    static SETS: PerGrammar<KindSet> = PerGrammar::new();
    SETS.get(grammar, || {
        let s = syntax(grammar);
        KindSet::of(grammar, &[&["identifier", s.member, s.subscript][..], s.calls, s.wrappers].concat())
    })
}

/// The fields the Output facts read, by id: read from the table, a field is a look at a node's
/// children, where tree-sitter walks them (some 280 instructions a field), and the facts read
/// fields of every binding and every expression they decide.
struct Fields {
    left: Option<NonZeroU16>,
    right: Option<NonZeroU16>,
    annotation: Option<NonZeroU16>,
    name: Option<NonZeroU16>,
    value: Option<NonZeroU16>,
    key: Option<NonZeroU16>,
    object: Option<NonZeroU16>,
    /// A member's property: `attribute` (Python), `property` (TypeScript).
    property: Option<NonZeroU16>,
    function: Option<NonZeroU16>,
    constructor: Option<NonZeroU16>,
    arguments: Option<NonZeroU16>,
    /// A nested type name's parts (TypeScript `aws.s3.Bucket` as a type).
    module: Option<NonZeroU16>,
}

fn fields(grammar: Grammar) -> &'static Fields {
    static FIELDS: PerGrammar<Fields> = PerGrammar::new();
    FIELDS.get(grammar, || {
        let language = grammar.ts_language();
        let id = |name: &str| language.field_id_for_name(name);
        Fields {
            left: id("left"),
            right: id("right"),
            annotation: id("type"),
            name: id("name"),
            value: id("value"),
            key: id("key"),
            object: id("object"),
            property: id(syntax(grammar).member_property),
            function: id("function"),
            constructor: id("constructor"),
            arguments: id("arguments"),
            module: id("module"),
        }
    })
}

/// The kinds of node that only wrap an expression (see `Syntax::wrappers`).
fn wrapper_kinds(grammar: Grammar) -> &'static KindSet {
    static SETS: PerGrammar<KindSet> = PerGrammar::new();
    SETS.get(grammar, || KindSet::of(grammar, syntax(grammar).wrappers))
}

/// Binding targets are names with at most this many parts (`self.cluster.name`): keys of long
/// member chains are never looked up, and building them for every link of a chain is cubic.
const MAX_BINDING_DEPTH: usize = 4;

impl<'t> FileIndex<'t> {
    /// Is `node` an expression whose value is a Pulumi Output?
    pub fn is_output(&self, node: Node<'t>) -> bool {
        self.slot(node).is_some_and(|slot| self.is_output_at(slot))
    }

    fn is_output_at(&self, slot: Slot) -> bool {
        if let Some(known) = self.output_answers.get(slot as usize) {
            return known;
        }
        let answer = self.is_output_with(slot, self.output_facts());
        debug_assert!(!answer || output_kinds(self.grammar).contains(self.nodes.entry(slot).kind_id), "output_kinds lacks {}", self.nodes.kind(slot));
        self.output_answers.set(slot as usize, self.nodes.len(), answer);
        answer
    }

    /// The slot of `node` in the index's table: every node asked about is one of the indexed
    /// tree's.
    pub(super) fn slot(&self, node: Node<'t>) -> Option<Slot> {
        let slot = self.nodes.slot_of(node);
        debug_assert!(slot.is_some(), "{node:?} is not a node of the indexed tree");
        slot
    }

    /// Does `node` contain (or is it) an Output expression?
    pub fn contains_output(&self, node: Node<'t>) -> bool {
        self.finds_output(node, false)
    }

    /// Does `node` contain (or is it) an Output used as a value, not as a resource's input?
    pub fn contains_output_value(&self, node: Node<'t>) -> bool {
        self.finds_output(node, true)
    }

    /// Post-order over the subtree in the table, without recursion (fuzzed input nests thousands
    /// deep), each named node's answer remembered: its own when it settles it (an Output, a plain
    /// member, answered before), else whether some named child's is true. An Output skipped as a
    /// resource input hides what is inside it.
    fn finds_output(&self, node: Node<'t>, value_only: bool) -> bool {
        let Some(top) = self.slot(node) else { return false };
        let nodes = &self.nodes;
        let key = |slot: Slot| 2 * slot as usize + usize::from(value_only);
        let known = |slot: Slot| self.contains_answers.get(key(slot));
        let record = |slot: Slot, answer: bool| self.contains_answers.set(key(slot), 2 * nodes.len(), answer);
        if let Some(answer) = known(top) {
            return answer;
        }
        let may_be_output = output_kinds(self.grammar);
        // Per node entered and not finished: its slot, and whether a child found an Output so far.
        let mut open: Vec<(Slot, bool)> = Vec::new();
        let mut current = top;
        loop {
            let entry = nodes.entry(current);
            let candidate = may_be_output.contains(entry.kind_id);
            let mut answer = if !entry.named {
                // A token: never an Output, and never asked about.
                false
            } else if let Some(answer) = known(current) {
                answer
            } else if candidate && self.is_output_at(current) {
                !(value_only && self.is_resource_input_at(current))
            } else if candidate && self.is_plain_member(current) {
                // `bucket.get()` (the value, in a runtime callback) or `bucket.apply`: what is
                // read is not the Output itself.
                false
            } else if entry.end > current + 1 {
                open.push((current, false));
                current += 1;
                continue;
            } else {
                // A named leaf that is none of these.
                false
            };
            if entry.named {
                record(current, answer);
            }
            // Hand the answer up, finishing every node whose last child this was.
            let mut finished = current;
            loop {
                let Some((parent, any)) = open.last_mut() else { return answer };
                *any |= answer;
                let next_sibling = nodes.entry(finished).end;
                if next_sibling < nodes.entry(*parent).end {
                    current = next_sibling;
                    break;
                }
                (finished, answer) = (*parent, *any);
                open.pop();
                record(finished, answer);
            }
        }
    }

    /// `x.get`, `x.apply`, ...: a member of the Output object that is not a lifted property.
    fn is_plain_member(&self, slot: Slot) -> bool {
        self.nodes.kind(slot) == syntax(self.grammar).member && self.child(slot, fields(self.grammar).property).is_some_and(|p| PLAIN_MEMBERS.contains(&self.text_at(p)))
    }

    fn output_facts(&self) -> &OutputFacts {
        self.outputs.get_or_init(|| self.collect_output_facts())
    }

    /// The text that identifies a binding target: `name`, `self.name`, `this.name`.
    fn binding_key(&self, slot: Slot) -> Option<String> {
        self.binding_key_within(slot, MAX_BINDING_DEPTH)
    }

    fn binding_key_within(&self, slot: Slot, depth: usize) -> Option<String> {
        match self.nodes.kind(slot) {
            "identifier" | "this" | "property_identifier" => Some(self.text_at(slot).to_string()),
            kind if kind == syntax(self.grammar).member && depth > 1 => {
                let f = fields(self.grammar);
                let object = self.binding_key_within(self.child(slot, f.object)?, depth - 1)?;
                let property = self.child(slot, f.property)?;
                Some(format!("{object}.{}", self.text_at(property)))
            }
            _ => None,
        }
    }

    /// `a.b.c` (Python attributes, TypeScript member expressions and nested names) as
    /// `[a, b, c]`, from the table; `None` for any other expression.
    pub(super) fn dotted_path_at(&self, slot: Slot, out: &mut Vec<&'t str>) -> Option<()> {
        let f = fields(self.grammar);
        let (object, property) = match self.nodes.kind(slot) {
            "identifier" | "property_identifier" | "type_identifier" => {
                out.push(self.text_at(slot));
                return Some(());
            }
            // `new (aws.ec2.Eip)(...)`
            "parenthesized_expression" => return self.dotted_path_at(self.nodes.first_named_child(slot)?, out),
            "nested_type_identifier" => (f.module, f.name),
            "attribute" | "member_expression" | "nested_identifier" => (f.object, f.property),
            _ => return None,
        };
        self.dotted_path_at(self.child(slot, object)?, out)?;
        out.push(self.text_at(self.child(slot, property)?));
        Some(())
    }

    pub(super) fn text(&self, node: Node) -> &'t str {
        &self.source[node.byte_range()]
    }

    pub(super) fn text_at(&self, slot: Slot) -> &'t str {
        let entry = self.nodes.entry(slot);
        &self.source[entry.start_byte as usize..entry.end_byte as usize]
    }

    /// The child of `slot` in `field`, from the table.
    fn child(&self, slot: Slot, field: Option<NonZeroU16>) -> Option<Slot> {
        self.nodes.child_in_field(slot, field)
    }

    /// The expression `slot` wraps (`(x)`, `x!`, `x as T`), or `slot` itself.
    fn unwrap_at(&self, mut slot: Slot) -> Slot {
        let wrappers = wrapper_kinds(self.grammar);
        while wrappers.contains(self.nodes.entry(slot).kind_id) {
            match self.nodes.first_named_child(slot) {
                Some(inner) => slot = inner,
                None => break,
            }
        }
        slot
    }

    fn callee_at(&self, call: Slot) -> Option<Slot> {
        let f = fields(self.grammar);
        self.child(call, f.function).or_else(|| self.child(call, f.constructor))
    }

    /// `aws.s3.Bucket(...)` / `new aws.s3.Bucket(...)`: a provider resource's constructor
    /// (a class of a non-core package, not an `...Args` class).
    pub fn is_resource_construction(&self, node: Node<'t>) -> bool {
        self.slot(node).is_some_and(|slot| self.is_resource_construction_at(slot))
    }

    fn is_resource_construction_at(&self, slot: Slot) -> bool {
        let slot = self.unwrap_at(slot);
        let kind = self.nodes.kind(slot);
        if !syntax(self.grammar).calls.contains(&kind) || kind == "call_expression" {
            return false;
        }
        self.callee_at(slot).and_then(|c| self.resolved_token_at(c)).is_some_and(|token| token.is_resource)
    }

    /// Does a type annotation name a resource class (`Some(true)`), an Output/Input (`Some(false)`)?
    fn annotation_kind(&self, annotation: Node<'t>) -> Option<AnnotationKind> {
        let mut node = annotation;
        // Python: type > subscript(value) | generic_type(first child); TS: type_annotation > generic_type(name).
        loop {
            node = match node.kind_name() {
                "type" | "type_annotation" => node.named_child(0)?,
                "subscript" => node.field("value")?,
                "generic_type" => node.field("name").or_else(|| node.named_child(0))?,
                _ => break,
            };
        }
        let token = self.resolved_token_at(self.slot(node)?)?;
        if OUTPUT_TYPES.contains(&token.text.as_str()) {
            Some(AnnotationKind::Output)
        } else if token.is_resource {
            Some(AnnotationKind::Resource)
        } else {
            None
        }
    }

    fn collect_output_facts(&self) -> OutputFacts {
        let mut facts = OutputFacts::default();
        let mut assignments: HashMap<String, Vec<Slot>> = HashMap::new();
        let bindings = binding_kinds(self.grammar);
        for slot in 0..self.nodes.len() as Slot {
            let entry = self.nodes.entry(slot);
            if entry.named && bindings.contains(entry.kind_id) {
                self.note_binding(slot, &mut facts, &mut assignments);
            }
        }
        // Outputs flow through assignments: repeat until nothing new is learnt. After the first
        // round only a value that names something just learnt can change its answer, and it
        // holds the last part of that key (`name`, `self.name`) in its text.
        let mut learnt: Vec<String> = Vec::new();
        for round in 0..4 {
            let names_learnt = |value: &Slot| {
                let text = self.text_at(*value);
                learnt.iter().any(|key| text.contains(key.rsplit('.').next().unwrap_or(key)))
            };
            let newly: Vec<String> = assignments
                .iter()
                .filter(|(key, _)| !facts.outputs.contains(*key))
                .filter(|(_, values)| round == 0 || values.iter().any(names_learnt))
                .filter(|(_, values)| values.iter().all(|&v| self.is_output_with(v, &facts)))
                .map(|(key, _)| key.clone())
                .collect();
            if newly.is_empty() {
                break;
            }
            facts.outputs.extend(newly.iter().cloned());
            learnt = newly;
        }
        facts.assigned = assignments;
        facts
    }

    /// Records what the declaration or assignment at `slot` binds: a resource, an Output by its
    /// annotation, the value assigned; and a scope's parameters typed Output.
    fn note_binding(&self, slot: Slot, facts: &mut OutputFacts, assignments: &mut HashMap<String, Vec<Slot>>) {
        let (node, kind) = (self.nodes.node(slot), self.nodes.kind(slot));
        if syntax(self.grammar).scopes.contains(&kind) {
            self.collect_output_parameters(node, &mut facts.output_parameters);
        }
        let f = fields(self.grammar);
        let child = |field| self.child(slot, field);
        let (target, value, annotation) = if ASSIGNMENTS.contains(&kind) {
            (child(f.left), child(f.right), child(f.annotation))
        } else if DECLARATORS.contains(&kind) {
            (child(f.name), child(f.value), child(f.annotation))
        } else {
            return;
        };
        let Some(mut key) = target.and_then(|target| self.binding_key(target)) else { return };
        // Class-level declarations describe instance members.
        let ancestor = |up: usize| self.nodes.ancestors(slot).nth(up - 1).map(|a| self.nodes.kind(a));
        let (parent, great_grandparent) = (ancestor(1), ancestor(3));
        let in_class_body = parent == Some("class_body") || (parent == Some("expression_statement") && great_grandparent == Some("class_definition"));
        if in_class_body {
            key = format!("{}.{key}", if self.grammar == Grammar::Python { "self" } else { "this" });
        }
        match annotation.and_then(|a| self.annotation_kind(self.nodes.node(a))) {
            Some(AnnotationKind::Output) => {
                facts.outputs.insert(key.clone());
            }
            Some(AnnotationKind::Resource) => {
                facts.resources.insert(key.clone());
            }
            None => {}
        }
        if let Some(value) = value {
            if self.is_resource_construction_at(value) {
                facts.resources.insert(key.clone());
            }
            assignments.entry(key).or_default().push(value);
        }
    }

    /// `#assigned-call?`: `node` is a name (or `self.x` / `this.x`) every assignment of which is
    /// a call of one of `tokens`, maybe awaited or wrapped in `pulumi.output(...)`
    /// (`region = aws.get_region()`, `const r = pulumi.output(aws.getRegion())`).
    pub fn is_assigned_call(&self, node: Node<'t>, tokens: &[String]) -> bool {
        let Some(values) = self.slot(node).and_then(|slot| self.binding_key(slot)).and_then(|key| self.output_facts().assigned.get(&key)) else { return false };
        let nodes = &self.nodes;
        let calls = |value: Slot| {
            let mut value = self.unwrap_at(value);
            if nodes.kind(value) == "await_expression" {
                value = nodes.first_named_child(value).map_or(value, |inner| self.unwrap_at(inner));
            }
            let token_of = |call: Slot| self.callee_at(call).and_then(|callee| self.resolved_token_at(callee));
            let mut token = token_of(value);
            // `pulumi.output(call)`: the call's result, lifted.
            if token.as_ref().is_some_and(|t| t.text == "pulumi:index/output:output") {
                let argument = self.child(value, fields(self.grammar).arguments).and_then(|a| nodes.first_named_child(a));
                token = argument.and_then(|inner| token_of(self.unwrap_at(inner)));
            }
            token.is_some_and(|t| tokens.iter().any(|wanted| super::token_matches(&t.text, wanted)))
        };
        !values.is_empty() && values.iter().all(|&v| calls(v))
    }

    /// `is_output_with` of a sub-expression, remembered once `facts` are the file's final ones:
    /// each link of a long member chain (`a!.b!.c...`, fuzzed) is then decided once, not once per
    /// longer chain holding it.
    fn is_output_within(&self, slot: Slot, facts: &OutputFacts) -> bool {
        if self.outputs.get().is_some_and(|known| std::ptr::eq(known, facts)) {
            self.is_output_at(slot)
        } else {
            self.is_output_with(slot, facts)
        }
    }

    fn is_output_with(&self, slot: Slot, facts: &OutputFacts) -> bool {
        let (s, f) = (syntax(self.grammar), fields(self.grammar));
        let slot = self.unwrap_at(slot);
        match self.nodes.kind(slot) {
            "identifier" if !is_variable_use(self.nodes.node(slot), self.nodes.parent(slot).map(|p| self.nodes.node(p))) => false,
            "identifier" if !facts.outputs.contains(self.text_at(slot)) && !facts.output_parameters.contains(self.text_at(slot)) => false,
            "identifier" => match self.parameter_annotation(slot) {
                Some(annotation) => annotation.is_some_and(|a| self.annotation_kind(a) == Some(AnnotationKind::Output)),
                None => facts.outputs.contains(self.text_at(slot)),
            },
            kind if kind == s.member => {
                let (Some(object), Some(property)) = (self.child(slot, f.object), self.child(slot, f.property)) else {
                    return false;
                };
                if PLAIN_MEMBERS.contains(&self.text_at(property)) {
                    return false;
                }
                if self.binding_key(slot).is_some_and(|k| facts.outputs.contains(&k)) {
                    return true;
                }
                let object = self.unwrap_at(object);
                self.binding_key(object).is_some_and(|k| facts.resources.contains(&k) && self.parameter_annotation(object).is_none())
                    || self.is_resource_construction_at(object)
                    || self.is_output_within(object, facts)
            }
            kind if kind == s.subscript => self.child(slot, f.object).or_else(|| self.child(slot, f.value)).is_some_and(|o| self.is_output_within(o, facts)),
            kind if s.calls.contains(&kind) => {
                let Some(callee) = self.callee_at(slot) else { return false };
                let callee = self.unwrap_at(callee);
                if self.nodes.kind(callee) == s.member {
                    let method = self.child(callee, f.property).map(|p| self.text_at(p));
                    if method.is_some_and(|m| OUTPUT_METHODS.contains(&m)) {
                        return true;
                    }
                }
                self.resolved_token_at(callee).is_some_and(|token| token.is_output_function)
            }
            _ => false,
        }
    }

    /// Does `callee` name a provider resource class?
    pub fn is_resource_callee(&self, callee: Node<'t>) -> bool {
        self.slot(callee).and_then(|slot| self.resolved_token_at(slot)).is_some_and(|token| token.is_resource)
    }

    /// Is `node` inside the callback of an `.apply(...)`?
    pub fn is_in_apply(&self, node: Node<'t>) -> bool {
        let s = syntax(self.grammar);
        let nodes = &self.nodes;
        let Some(mut current) = self.slot(node) else { return false };
        while let Some(parent) = nodes.parent(current) {
            if s.scopes.contains(&nodes.kind(current)) && matches!(nodes.kind(parent), "argument_list" | "arguments") {
                let method = nodes
                    .parent(parent)
                    .and_then(|call| self.callee_at(call))
                    .filter(|&callee| nodes.kind(callee) == s.member)
                    .and_then(|callee| self.child(callee, fields(self.grammar).property));
                if method.is_some_and(|m| self.text_at(m) == "apply") {
                    return true;
                }
            }
            current = parent;
        }
        false
    }

    /// Is `node` a value that may be an Output: an argument of a call that accepts Inputs (a
    /// resource or Args constructor, an invoke's Output form, `pulumi.Output.*`, `pulumi.export`,
    /// `pulumi.all`, ...), directly or inside dict/list/object literals, but not a dict key and not
    /// a resource's name?
    pub fn is_input_position(&self, node: Node<'t>) -> bool {
        self.slot(node).and_then(|slot| self.input_call(slot)).is_some()
    }

    /// Is `node` an Output passed as an input of a resource (or Args) constructor? Pulumi
    /// resolves it and records the dependency, wherever the constructor is called (even inside
    /// an `.apply` callback).
    pub fn is_resource_input(&self, node: Node<'t>) -> bool {
        self.slot(node).is_some_and(|slot| self.is_resource_input_at(slot))
    }

    fn is_resource_input_at(&self, slot: Slot) -> bool {
        self.input_call(slot).is_some_and(|call| self.is_resource_construction_at(call))
    }

    /// The call that takes the node at `slot` as an Input (see [`Self::is_input_position`]).
    fn input_call(&self, slot: Slot) -> Option<Slot> {
        let nodes = &self.nodes;
        let mut current = slot;
        while let Some(parent) = nodes.parent(current) {
            match nodes.kind(parent) {
                "pair" if self.child(parent, fields(self.grammar).key) == Some(current) => return None,
                "pair" | "dictionary" | "list" | "tuple" | "set" | "parenthesized_expression" | "keyword_argument"
                | "conditional_expression" | "object" | "array" | "ternary_expression" | "as_expression"
                | "non_null_expression" | "satisfies_expression" => current = parent,
                "argument_list" | "arguments" => {
                    let call = nodes.parent(parent)?;
                    let is_first_positional = nodes.first_named_child(parent) == Some(current) && nodes.kind(current) != "keyword_argument";
                    if is_first_positional && self.is_resource_construction_at(call) {
                        return None;
                    }
                    let token = self.callee_at(call).and_then(|c| self.resolved_token_at(self.unwrap_at(c)))?;
                    return token.accepts_inputs.then_some(call);
                }
                _ => return None,
            }
        }
        None
    }

    /// For an identifier that is a parameter of an enclosing function or lambda: `Some(its type
    /// annotation, if any)`; `None` when no enclosing scope declares it.
    fn parameter_annotation(&self, identifier: Slot) -> Option<Option<Node<'t>>> {
        let name = self.text_at(identifier);
        let s = syntax(self.grammar);
        for scope in self.nodes.ancestors(identifier) {
            if !s.scopes.contains(&self.nodes.kind(scope)) {
                continue;
            }
            let Some(parameters) = parameters_of(self.nodes.node(scope)) else { continue };
            if let Some(found) = self.find_parameter(parameters, name) {
                return Some(found);
            }
        }
        None
    }

    fn find_parameter(&self, parameters: Node<'t>, name: &str) -> Option<Option<Node<'t>>> {
        declared_parameters(parameters).into_iter().find(|(declared, _)| self.text(*declared) == name).map(|(_, annotation)| annotation)
    }

    /// Adds the names of `scope`'s parameters typed `Output`/`Input` to `names`.
    fn collect_output_parameters(&self, scope: Node<'t>, names: &mut HashSet<String>) {
        let Some(parameters) = parameters_of(scope) else { return };
        for (declared, annotation) in declared_parameters(parameters) {
            if annotation.is_some_and(|a| self.annotation_kind(a) == Some(AnnotationKind::Output)) {
                names.insert(self.text(declared).to_string());
            }
        }
    }
}

/// The names a parameter list (or a lone arrow-function parameter) declares, each with its type
/// annotation.
fn declared_parameters(parameters: Node) -> Vec<(Node, Option<Node>)> {
    if parameters.kind_name() == "identifier" {
        return vec![(parameters, None)];
    }
    let mut cursor = parameters.walk();
    let declared = parameters.named_children(&mut cursor).filter_map(|parameter| {
        let name = match parameter.kind_name() {
            "identifier" => Some(parameter),
            "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => parameter.named_child(0),
            "default_parameter" | "typed_default_parameter" => parameter.field("name"),
            "required_parameter" | "optional_parameter" => parameter.field("pattern"),
            _ => None,
        };
        name.map(|name| (name, parameter.field("type")))
    });
    declared.collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AnnotationKind {
    Output,
    Resource,
}

/// A resolved type token and what the Output facts ask of it, worked out once per token.
pub(super) struct TypeToken {
    pub text: String,
    is_resource: bool,
    is_output_function: bool,
    accepts_inputs: bool,
}

impl TypeToken {
    pub fn new(text: String) -> TypeToken {
        TypeToken { is_resource: is_resource_token(&text), is_output_function: is_output_function(&text), accepts_inputs: accepts_inputs(&text), text }
    }
}

/// A provider resource class: a capitalised member of a non-core package, not an Args class.
fn is_resource_token(token: &str) -> bool {
    let Some((package, rest)) = token.split_once(':') else { return false };
    let member = rest.rsplit(':').next().unwrap_or_default();
    package != "pulumi"
        && !member.contains('.')
        && member.chars().next().is_some_and(char::is_uppercase)
        && !member.ends_with("Args")
}

/// Functions whose result is an Output: `pulumi.Output.*` (but `isInstance`), `pulumi.output`,
/// `pulumi.all`, ..., and invokes' `...Output` forms.
fn is_output_function(token: &str) -> bool {
    let Some((package, rest)) = token.split_once(':') else { return false };
    let member = rest.rsplit(':').next().unwrap_or_default();
    if package == "pulumi" {
        let module = rest.split('/').next().unwrap_or_default();
        return (module == "Output" && member != "isInstance")
            || (module == "index" && PULUMI_OUTPUT_FUNCTIONS.contains(&member));
    }
    member.starts_with(|c: char| c.is_lowercase()) && member.ends_with("Output")
}

/// Calls whose arguments may be Outputs: resource and Args constructors, invokes' Output forms,
/// and the `pulumi` functions that take Inputs.
fn accepts_inputs(token: &str) -> bool {
    let Some((package, rest)) = token.split_once(':') else { return false };
    let member = rest.rsplit(':').next().unwrap_or_default();
    if package == "pulumi" {
        let module = rest.split('/').next().unwrap_or_default();
        return module == "Output" || (module == "index" && (PULUMI_OUTPUT_FUNCTIONS.contains(&member) || member == "export"));
    }
    !member.contains('.') && (member.starts_with(|c: char| c.is_uppercase()) || member.ends_with("Output"))
}

#[cfg(test)]
mod tests;
