//! Languages: which files are which grammar, parsing, and the few things that are written
//! differently per language (statements, imports, comments).

mod nodes;
mod python;
mod typescript;

pub use nodes::{Entry, KindSet, NodeTable, Slot};

use crate::engine::Edit;
use crate::spec::{ImportSpec, SpecLanguage};
use std::cell::RefCell;
use std::path::Path;
use std::sync::OnceLock;
use tree_sitter::{InputEdit, Language, Node, Parser, Point, Tree};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grammar {
    Python,
    TypeScript,
    Tsx,
    Yaml,
}

impl Grammar {
    pub const ALL: [Grammar; 4] = [Grammar::Python, Grammar::TypeScript, Grammar::Tsx, Grammar::Yaml];

    /// The grammar for a path, or `None` for files pulumi-fix does not read.
    /// YAML is read only for Pulumi project and stack files.
    pub fn for_path(path: &Path) -> Option<Grammar> {
        let name = path.file_name()?.to_str()?;
        if (name.starts_with("Pulumi.") || name == "Pulumi") && (name.ends_with(".yaml") || name.ends_with(".yml")) {
            return Some(Grammar::Yaml);
        }
        match path.extension()?.to_str()? {
            "py" | "pyi" => Some(Grammar::Python),
            "ts" | "mts" | "cts" if !name.ends_with(".d.ts") => Some(Grammar::TypeScript),
            "tsx" => Some(Grammar::Tsx),
            _ => None,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Grammar::Python => "python",
            Grammar::TypeScript => "typescript",
            Grammar::Tsx => "tsx",
            Grammar::Yaml => "yaml",
        }
    }

    pub fn spec_language(self) -> SpecLanguage {
        match self {
            Grammar::Python => SpecLanguage::Python,
            Grammar::TypeScript | Grammar::Tsx => SpecLanguage::TypeScript,
            Grammar::Yaml => SpecLanguage::Yaml,
        }
    }

    pub fn ts_language(self) -> Language {
        match self {
            Grammar::Python => tree_sitter_python::LANGUAGE.into(),
            Grammar::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Grammar::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Grammar::Yaml => tree_sitter_yaml::LANGUAGE.into(),
        }
    }

    /// The line-comment marker, for suppression comments.
    pub fn comment_prefix(self) -> &'static str {
        match self {
            Grammar::Python | Grammar::Yaml => "#",
            Grammar::TypeScript | Grammar::Tsx => "//",
        }
    }
}

thread_local! {
    static PARSERS: RefCell<[Option<Parser>; 4]> = const { RefCell::new([None, None, None, None]) };
}

/// `Node::child_by_field_name` at a fraction of its cost: tree-sitter finds a field's id by
/// comparing the name with the grammar's field names on every call, which was a few percent of a
/// run. Here each name is looked up once per thread and grammar.
pub trait FieldChild<'t> {
    fn field(&self, name: &'static str) -> Option<Node<'t>>;
}

impl<'t> FieldChild<'t> for Node<'t> {
    fn field(&self, name: &'static str) -> Option<Node<'t>> {
        field_id(self, name).and_then(|id| self.child_by_field_id(id.get()))
    }
}

/// The id of field `name` in `node`'s grammar, looked up once per thread, grammar and name.
fn field_id(node: &Node, name: &'static str) -> Option<std::num::NonZeroU16> {
    let key = (language_address(node), name.as_ptr() as usize, name.len());
    FIELD_IDS.with(|ids| *ids.borrow_mut().entry(key).or_insert_with(|| node.language().field_id_for_name(name)))
}

/// A value worked out once per grammar and run, on first use (a kind set, field ids, kind names):
/// a `static` of this type holds one for each grammar.
pub struct PerGrammar<T>([OnceLock<T>; Grammar::ALL.len()]);

impl<T> PerGrammar<T> {
    pub const fn new() -> PerGrammar<T> {
        PerGrammar([const { OnceLock::new() }; Grammar::ALL.len()])
    }

    /// `grammar`'s value, made by `init` the first time it is asked for.
    #[inline]
    pub fn get(&self, grammar: Grammar, init: impl FnOnce() -> T) -> &T {
        self.0[grammar.index()].get_or_init(init)
    }
}

impl<T> Default for PerGrammar<T> {
    fn default() -> PerGrammar<T> {
        PerGrammar::new()
    }
}

/// `Node::kind` at a fraction of its cost: tree-sitter hands the name over as a C string, which
/// the binding measures and checks as UTF-8 on every call. Here it comes from a table of the
/// grammar's kind names, by the node's kind id.
pub trait KindName {
    fn kind_name(&self) -> &'static str;
}

impl KindName for Node<'_> {
    fn kind_name(&self) -> &'static str {
        let address = language_address(self);
        match Grammar::ALL.into_iter().find(|g| grammar_address(*g) == address) {
            Some(grammar) => nodes::kind_name(grammar, self.kind_id()),
            None => self.kind(),
        }
    }
}

/// The address of the grammar table of `node`'s tree: it identifies the grammar.
fn language_address(node: &Node) -> usize {
    // SAFETY: a node's language is its tree's, alive as long as the node.
    unsafe { tree_sitter::ffi::ts_node_language(node.into_raw()) as usize }
}

/// The address of a built-in grammar's table, which its nodes point to.
fn grammar_address(grammar: Grammar) -> usize {
    static ADDRESSES: OnceLock<[usize; 4]> = OnceLock::new();
    // A built-in grammar is a static table: taking its address out leaks nothing.
    ADDRESSES.get_or_init(|| Grammar::ALL.map(|g| g.ts_language().into_raw() as usize))[grammar.index()]
}

thread_local! {
    /// Field ids by grammar (its table's address) and name (a `&'static str`'s address and
    /// length: the same address always holds the same text).
    static FIELD_IDS: RefCell<foldhash::HashMap<(usize, usize, usize), Option<std::num::NonZeroU16>>> = RefCell::default();
}

/// Parses `text`; parsers are kept per thread and grammar, so a run creates each once per thread.
pub fn parse(grammar: Grammar, text: &str) -> Tree {
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let parser = parsers[grammar.index()].get_or_insert_with(|| new_parser(grammar));
        parser.parse(text, None).expect("parsing without a timeout or cancellation always yields a tree")
    })
}

/// Parses `new_text`, which is `old_text` (parsed as `old_tree`) with `edits` applied, reusing
/// the subtrees the edits did not touch: the fix guard's re-parse costs a fraction of a parse.
pub fn reparse(grammar: Grammar, old_text: &str, old_tree: &Tree, edits: &[Edit], new_text: &str) -> Tree {
    let mut tree = old_tree.clone();
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    sorted.dedup();
    // Last edit first, so that each edit's offsets are still those of `old_text`.
    for edit in sorted.into_iter().rev() {
        let start_position = point_at(old_text, edit.range.start);
        let new_end_position = match edit.replacement.rfind('\n') {
            Some(last) => Point { row: start_position.row + edit.replacement.matches('\n').count(), column: edit.replacement.len() - last - 1 },
            None => Point { row: start_position.row, column: start_position.column + edit.replacement.len() },
        };
        tree.edit(&InputEdit {
            start_byte: edit.range.start,
            old_end_byte: edit.range.end,
            new_end_byte: edit.range.start + edit.replacement.len(),
            start_position,
            old_end_position: point_at(old_text, edit.range.end),
            new_end_position,
        });
    }
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let parser = parsers[grammar.index()].get_or_insert_with(|| new_parser(grammar));
        parser.parse(new_text, Some(&tree)).expect("parsing without a timeout or cancellation always yields a tree")
    })
}

/// The tree-sitter position (0-based row, byte column) of a byte offset.
fn point_at(text: &str, offset: usize) -> Point {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Point { row: before.matches('\n').count(), column: offset - line_start }
}

fn new_parser(grammar: Grammar) -> Parser {
    let mut parser = Parser::new();
    parser.set_language(&grammar.ts_language()).expect("grammar ABI matches the tree-sitter crate");
    parser
}

/// The first syntax error of the tree of `root`: its byte offset, or `None` when the tree is clean.
pub fn first_syntax_error(root: Node) -> Option<usize> {
    if !root.has_error() {
        return None;
    }
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            return Some(node.start_byte());
        }
        let descended = node.has_error() && cursor.goto_first_child();
        if !descended {
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return Some(root.start_byte());
                }
            }
        }
    }
}

/// The first place the language rejects in the tree whose nodes are `nodes` (of `text`) and what
/// it is: an error or missing node, or what tree-sitter reads past but CPython rejects. The one
/// check for an original file and for every fix's result.
pub fn syntax_error(grammar: Grammar, nodes: &NodeTable, text: &str) -> Option<(usize, String)> {
    let root = nodes.node(0);
    first_syntax_error(root)
        .map(|offset| (offset, "syntax error".to_string()))
        .or_else(|| invalid_character(grammar, root, text).map(|offset| (offset, format!("syntax error: invalid non-printable character U+{:04X}", text.as_bytes()[offset]))))
        .or_else(|| unexpected_indent(grammar, nodes).map(|offset| (offset, "syntax error: unexpected indent".to_string())))
}

/// Where a Python statement starts its line at another column than the statements before it in
/// its block: Python's "unexpected indent", which tree-sitter's scanner lets through after a line
/// continuation (`def f():\` then deeper lines: the body is the next line alone, and the lines
/// after it land in the enclosing block). Statements sharing a line (`a; b`) and comments do not
/// count. Blocks hold statements only, and only statements hold blocks, in a tree without errors.
fn unexpected_indent(grammar: Grammar, nodes: &NodeTable) -> Option<usize> {
    if grammar != Grammar::Python {
        return None;
    }
    static BLOCKS: OnceLock<KindSet> = OnceLock::new();
    let blocks = BLOCKS.get_or_init(|| KindSet::of(Grammar::Python, &["module", "block"]));
    (0..nodes.len() as Slot).filter(|&slot| blocks.contains(nodes.entry(slot).kind_id)).find_map(|block| {
        let mut column = None;
        let mut previous_end_row = None;
        let statements = nodes.children(block).iter().filter(|&&s| nodes.entry(s).named && nodes.kind(s) != "comment");
        for statement in statements.map(|&s| nodes.node(s)) {
            let start = statement.start_position();
            let shares_a_line = previous_end_row == Some(start.row);
            previous_end_row = Some(statement.end_position().row);
            match column {
                _ if shares_a_line => {}
                None => column = Some(start.column),
                Some(column) if column != start.column => return Some(statement.start_byte()),
                Some(_) => {}
            }
        }
        None
    })
}

/// A character outside string literals and comments that the language rejects although
/// tree-sitter reads past it: Python's "invalid non-printable character" (a control character
/// other than tab, line feed, carriage return and form feed, such as U+000B). Its byte offset.
fn invalid_character(grammar: Grammar, root: Node, text: &str) -> Option<usize> {
    if grammar != Grammar::Python {
        return None;
    }
    let is_invalid = |b: &u8| b.is_ascii_control() && !matches!(b, b'\t' | b'\n' | b'\r' | b'\x0c');
    // Almost every file has none: a test of every byte without an early exit, which the compiler
    // vectorizes, says so at a fraction of the cost of a search.
    if !text.as_bytes().iter().fold(false, |any, b| any | is_invalid(b)) {
        return None;
    }
    let mut offset = 0;
    while let Some(found) = text.as_bytes()[offset..].iter().position(is_invalid) {
        let at = offset + found;
        let node = root.descendant_for_byte_range(at, at + 1)?;
        let in_literal = std::iter::successors(Some(node), |n| n.parent()).any(|n| matches!(n.kind_name(), "string" | "comment"));
        if !in_literal {
            return Some(at);
        }
        offset = at + 1;
    }
    None
}

/// The statement that holds `node`: the ancestor (or the node itself) whose parent is a block of
/// statements, a class body, or the module.
pub fn enclosing_statement(grammar: Grammar, node: Node) -> Option<Node> {
    let is_block = |kind: &str| match grammar {
        Grammar::Python => matches!(kind, "module" | "block"),
        Grammar::TypeScript | Grammar::Tsx => matches!(kind, "program" | "statement_block" | "class_body" | "switch_case" | "switch_default"),
        Grammar::Yaml => matches!(kind, "block_mapping" | "block_sequence"),
    };
    let mut current = node;
    loop {
        let parent = current.parent()?;
        if is_block(parent.kind_name()) {
            return Some(current);
        }
        current = parent;
    }
}

/// A statement binding a construction to a name or member: `x = C(...)`, `self.x = C(...)`,
/// `const x = new C(...)`, `this.x = new C(...)`, `export const x = new C(...)`.
pub struct Construction<'t> {
    /// The name or member bound.
    pub target: Node<'t>,
    /// The class (or function) called.
    pub constructor: Node<'t>,
    /// What holds the named arguments: Python's argument list, the TypeScript args object
    /// (the second argument of `new`), if any.
    pub arguments: Option<Node<'t>>,
}

pub fn bound_construction(statement: Node) -> Option<Construction> {
    let (target, value) = match statement.kind_name() {
        "expression_statement" => {
            let assignment = statement.named_child(0).filter(|a| matches!(a.kind_name(), "assignment" | "assignment_expression"))?;
            (assignment.field("left")?, assignment.field("right")?)
        }
        // One declarator: `const a = new A(), b = new B()` binds two, left alone.
        "lexical_declaration" | "variable_declaration" if statement.named_child_count() == 1 => {
            let declarator = statement.named_child(0).filter(|d| d.kind_name() == "variable_declarator")?;
            (declarator.field("name")?, declarator.field("value")?)
        }
        "export_statement" => return bound_construction(statement.field("declaration")?),
        _ => return None,
    };
    if !matches!(target.kind_name(), "identifier" | "attribute" | "member_expression") {
        return None;
    }
    let (constructor, arguments) = construction_call(value)?;
    Some(Construction { target, constructor, arguments })
}

/// The class (or function) a Python call or TypeScript `new` expression calls, and what holds its
/// named arguments (Python's argument list, the TypeScript args object).
pub fn construction_call(value: Node) -> Option<(Node, Option<Node>)> {
    match value.kind_name() {
        "call" => Some((value.field("function")?, value.field("arguments"))),
        "new_expression" => {
            let arguments = value.field("arguments").and_then(|list| {
                let mut cursor = list.walk();
                let args = list.named_children(&mut cursor).filter(|a| a.kind_name() != "comment").nth(1);
                args.filter(|a| a.kind_name() == "object")
            });
            Some((value.field("constructor")?, arguments))
        }
        _ => None,
    }
}

/// The name or member a construction `value` is bound to (`x = T(...)`, `const x = new T(...)`,
/// `this.x = new T(...)`), if it is the whole right-hand side of one.
pub fn binding_target(value: Node) -> Option<Node> {
    let parent = value.parent()?;
    let target = match parent.kind_name() {
        "assignment" | "assignment_expression" if parent.field("right") == Some(value) => parent.field("left")?,
        "variable_declarator" if parent.field("value") == Some(value) => parent.field("name")?,
        _ => return None,
    };
    matches!(target.kind_name(), "identifier" | "attribute" | "member_expression").then_some(target)
}

/// How a file gets an import a fix needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportResolution {
    /// The edit adding the import; `None` when the file already has it.
    pub edit: Option<Edit>,
    /// The local name the fix's templates must use for it.
    pub local_name: String,
}

pub fn ensure_import(grammar: Grammar, tree: &Tree, text: &str, import: &ImportSpec) -> ImportResolution {
    let existing = match grammar {
        Grammar::Python => python::bound_name(tree.root_node(), text, import),
        Grammar::TypeScript | Grammar::Tsx => typescript::bound_name(tree.root_node(), text, import),
        Grammar::Yaml => return ImportResolution { edit: None, local_name: import.binding_key().to_string() },
    };
    if let Some(local_name) = existing {
        return ImportResolution { edit: None, local_name };
    }
    let edit = match grammar {
        Grammar::Python => python::add_import(tree.root_node(), text, import),
        _ => typescript::add_import(tree.root_node(), text, import),
    };
    let local_name = import.alias.clone().or_else(|| import.name.clone()).unwrap_or_else(|| import.module.clone());
    ImportResolution { edit, local_name }
}

/// The named nodes of the subtree at `node`, `node` first, going below a node only when
/// `descend(node)` holds. Iterative, not recursive: fuzzed input nests thousands deep.
pub fn named_descendants<'t>(node: Node<'t>, descend: impl Fn(Node<'t>) -> bool) -> impl Iterator<Item = Node<'t>> {
    let mut cursor = node.walk();
    let mut pending = vec![node];
    std::iter::from_fn(move || {
        let current = pending.pop()?;
        if descend(current) {
            pending.extend(current.named_children(&mut cursor));
        }
        Some(current)
    })
}

/// The parameter list of a function, lambda or method (`parameters`), or an arrow function's lone
/// parameter (`parameter`).
pub fn parameters_of(function: Node) -> Option<Node> {
    function.field("parameters").or_else(|| function.field("parameter"))
}

/// Is this identifier (whose parent is `parent`) a variable (a use or a binding), not the name
/// of an attribute (`x.name`) or of a keyword argument (`f(name=...)`)? Callers with a
/// [`NodeTable`] pass its parent: tree-sitter finds one by descending from the root.
pub fn is_variable_use<'t>(identifier: Node<'t>, parent: Option<Node<'t>>) -> bool {
    let is_attribute_name = parent.is_some_and(|p| p.kind_name() == "attribute" && p.field("attribute") == Some(identifier));
    let is_keyword_name = parent.is_some_and(|p| p.kind_name() == "keyword_argument" && p.field("name") == Some(identifier));
    !is_attribute_name && !is_keyword_name
}

/// The elements of a list, array, argument list or other bracketed node, comments aside (a
/// tree-sitter pattern `(list . (_) .)` counts comments too).
fn elements(container: Node) -> impl Iterator<Item = Node> {
    let mut cursor = container.walk();
    let children: Vec<Node> = container.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").collect();
    children.into_iter()
}

/// Is `node` the only element of the bracketed node holding it (`parent`), comments aside?
pub fn is_only_element<'t>(node: Node<'t>, parent: Option<Node<'t>>) -> bool {
    is_first_element(node, parent) && parent.is_some_and(has_one_element)
}

/// Is `node` the first element of the bracketed node holding it (`parent`), comments aside?
pub fn is_first_element<'t>(node: Node<'t>, parent: Option<Node<'t>>) -> bool {
    node.kind_name() != "comment" && parent.is_some_and(|parent| elements(parent).next() == Some(node))
}

/// Does the bracketed `container` hold exactly one element, comments aside?
pub fn has_one_element(container: Node) -> bool {
    elements(container).count() == 1
}

/// Is `node` written to rather than read: the target of an assignment (plain or augmented, maybe
/// inside a tuple or array pattern or parentheses), of `++`/`--`, `delete`/`del` or a for loop?
/// A rewrite into a call there would not be a valid target. `parent_of` finds a node's parent.
pub fn is_assignment_target<'t>(node: Node<'t>, parent_of: impl Fn(Node<'t>) -> Option<Node<'t>>) -> bool {
    let mut node = node;
    while let Some(parent) = parent_of(node) {
        let is_target = |field: &'static str| parent.field(field) == Some(node);
        match parent.kind_name() {
            "parenthesized_expression" | "pattern_list" | "tuple_pattern" | "list_pattern" | "array_pattern" | "expression_list" => node = parent,
            "assignment" | "augmented_assignment" | "assignment_expression" | "augmented_assignment_expression" => return is_target("left"),
            "for_statement" | "for_in_statement" => return is_target("left"),
            "update_expression" | "delete_statement" => return true,
            "unary_expression" => return parent.field("operator").is_some_and(|o| o.kind_name() == "delete"),
            _ => return false,
        }
    }
    false
}

/// The name (key) node of a keyword argument, object property or YAML mapping pair;
/// `None` for positional arguments and other nodes.
pub fn argument_key(node: Node) -> Option<Node> {
    match node.kind_name() {
        "keyword_argument" => node.field("name"),
        "pair" | "block_mapping_pair" | "flow_pair" => node.field("key"),
        "shorthand_property_identifier" => Some(node),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar_for_path() {
        assert_eq!(Grammar::for_path(Path::new("lib/tap_stack.py")), Some(Grammar::Python));
        assert_eq!(Grammar::for_path(Path::new("bin/tap.ts")), Some(Grammar::TypeScript));
        assert_eq!(Grammar::for_path(Path::new("a.d.ts")), None);
        assert_eq!(Grammar::for_path(Path::new("x.tsx")), Some(Grammar::Tsx));
        assert_eq!(Grammar::for_path(Path::new("Pulumi.yaml")), Some(Grammar::Yaml));
        assert_eq!(Grammar::for_path(Path::new("Pulumi.dev.yaml")), Some(Grammar::Yaml));
        assert_eq!(Grammar::for_path(Path::new("docker-compose.yaml")), None);
    }

    #[test]
    fn unexpected_indent_is_found_where_python_finds_it() {
        let valid = [
            "a = 1; b = 2\nc = 3\n",
            "def f(): return 1\nx = f()\n",
            "class C:\n    def f(self):\n        return (1,\n  2)\n  # a comment anywhere\n    x = 1\n",
            "if a:\n    pass\nelif b:\n    x = [\n1]\nelse:\n    y = 2\n",
            "def f():\\\n    return 1\n",
        ];
        for code in valid {
            let tree = parse(Grammar::Python, code);
            assert_eq!(unexpected_indent(Grammar::Python, &NodeTable::build(Grammar::Python, &tree)), None, "{code}");
        }
        // Python: "IndentationError: unexpected indent" on the last line of each.
        let invalid = ["class C:\n    def f(self):\\\n        x = 1\n        y = 2\n", "x = 1\n  y = 2\n"];
        for code in invalid {
            let tree = parse(Grammar::Python, code);
            assert!(first_syntax_error(tree.root_node()).is_none(), "tree-sitter accepts it: {code}");
            assert_eq!(unexpected_indent(Grammar::Python, &NodeTable::build(Grammar::Python, &tree)), Some(code.rfind("y = 2").unwrap()), "{code}");
        }
        // The first of two, as CPython reports it.
        let code = "x = 1\n  y = 2\nz = 3\n  w = 4\n";
        let tree = parse(Grammar::Python, code);
        assert_eq!(unexpected_indent(Grammar::Python, &NodeTable::build(Grammar::Python, &tree)), Some(code.find("y = 2").unwrap()));
        let tree = parse(Grammar::TypeScript, "x = 1;\n  y = 2;\n");
        assert_eq!(unexpected_indent(Grammar::TypeScript, &NodeTable::build(Grammar::TypeScript, &tree)), None);
    }

    #[test]
    fn assignment_targets_are_the_written_places_only() {
        // Each case: the code and whether its `o.p` member is written to.
        let cases = [
            (Grammar::Python, "o.p = 1\n", true),
            (Grammar::Python, "o.p, y = 1, 2\n", true),
            (Grammar::Python, "o.p += 1\n", true),
            (Grammar::Python, "del o.p\n", true),
            (Grammar::Python, "for o.p in xs:\n    pass\n", true),
            (Grammar::Python, "y = o.p\n", false),
            (Grammar::Python, "y = (o.p, 1)\n", false),
            (Grammar::TypeScript, "o.p = 1;", true),
            (Grammar::TypeScript, "(o.p) ??= 1;", true),
            (Grammar::TypeScript, "[o.p] = xs;", true),
            (Grammar::TypeScript, "o.p++;", true),
            (Grammar::TypeScript, "delete o.p;", true),
            (Grammar::TypeScript, "for (o.p of xs) {}", true),
            (Grammar::TypeScript, "y = o.p;", false),
            (Grammar::TypeScript, "const y = [o.p];", false),
            (Grammar::TypeScript, "void o.p;", false),
        ];
        for (grammar, code, written) in cases {
            let tree = parse(grammar, code);
            let start = code.find("o.p").unwrap();
            let member = tree.root_node().descendant_for_byte_range(start, start + 3).unwrap();
            assert!(matches!(member.kind(), "attribute" | "member_expression"), "{code}: {}", member.kind());
            assert_eq!(is_assignment_target(member, |n| n.parent()), written, "{code}");
        }
    }

    #[test]
    fn reparse_after_edits_equals_a_fresh_parse() {
        let old = "import a\n\nx = f(\n    1,\n    vpc=True,\n)\ny = g(2)\n";
        let edits = [
            Edit::replace(old.find("vpc=True").unwrap()..old.find("vpc=True").unwrap() + 8, "domain=\"vpc\",\n    z=[\n1]".into()),
            Edit::insert(0, "import base64\n".into()),
            Edit::replace(old.find("g(2)").unwrap()..old.find("g(2)").unwrap() + 4, "h(".into()),
        ];
        let new = crate::engine::apply_edits(old, &edits);
        let reparsed = reparse(Grammar::Python, old, &parse(Grammar::Python, old), &edits, &new);
        let fresh = parse(Grammar::Python, &new);
        assert_eq!(reparsed.root_node().to_sexp(), fresh.root_node().to_sexp());
        assert!(first_syntax_error(reparsed.root_node()).is_some(), "the unclosed `h(` is seen");
    }

    #[test]
    fn syntax_errors_are_located() {
        let tree = parse(Grammar::Python, "x = 1\ny = (\n");
        assert!(first_syntax_error(tree.root_node()).is_some());
        assert_eq!(first_syntax_error(parse(Grammar::Python, "x = 1\n").root_node()), None);
    }
}
