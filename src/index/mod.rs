//! Per-file semantic facts the predicates ask about: which local names stand for which Pulumi
//! package or module, so `aws.ec2.Eip`, `ec2.Eip` and `Eip` all resolve to `aws:ec2/eip:Eip`.

mod outputs;
mod project;
mod python;
mod typescript;
mod yaml;

use crate::lang::{Grammar, NodeTable, Slot};
use crate::project::FileContext;
use std::cell::{OnceCell, RefCell};
use std::rc::Rc;
use foldhash::{HashMap, HashMapExt, HashSet};
use tree_sitter::{Node, Tree};

/// What a local name was imported as: a Pulumi package (`aws`, `pulumi`) and a member path in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub package: String,
    pub path: Vec<String>,
}

/// A type token (or none) answered for an expression of one node kind.
type KindToken = (u16, Option<Rc<outputs::TypeToken>>);

/// The facts of one file at one pass. Import bindings are collected up front (cheap: statement
/// level only); Output facts walk the whole tree, so they are computed on first use.
pub struct FileIndex<'t> {
    grammar: Grammar,
    root: Node<'t>,
    source: &'t str,
    /// Every node of the tree, read once: the matcher and the Output facts walk this.
    nodes: NodeTable<'t>,
    bindings: HashMap<String, Binding>,
    outputs: OnceCell<outputs::OutputFacts>,
    /// `is_output` by slot: predicates ask it of every node below every match, and the answer
    /// may look at the node's ancestors.
    output_answers: outputs::SlotAnswers,
    /// `contains_output` and `contains_output_value` answers by slot: matches nest (every `+` of
    /// a chain), so each subtree is searched once.
    contains_answers: outputs::SlotAnswers,
    /// Pulumi YAML: the project's `name`.
    project_name: Option<String>,
    /// Where the file is and which project it belongs to; `None` for text without a path.
    context: Option<&'t FileContext<'t>>,
    /// TypeScript: local names bound by named imports from relative modules, with the module
    /// specifier and the imported name (`T` in `import { TapStack as T } from "../lib/x"`).
    relative_imports: HashMap<String, (String, String)>,
    /// `type_token` answers by an expression's text and kind: a file spells the same few
    /// constructors and functions over and over (each answer costs thousands of instructions).
    type_tokens: RefCell<HashMap<String, Vec<KindToken>>>,
    /// Every identifier spelled in the file, computed when a fix first names a new variable.
    identifiers: OnceCell<HashSet<String>>,
    /// The slots of the file's constructions (calls, `new`) with named arguments, in source
    /// order, collected when a predicate first looks for one.
    constructions: OnceCell<Vec<Slot>>,
}

impl<'t> FileIndex<'t> {
    pub fn build(grammar: Grammar, tree: &'t Tree, text: &'t str) -> FileIndex<'t> {
        FileIndex::build_in(grammar, tree, text, None)
    }

    /// The index of a file that has a place on disk: project facts are answered from `context`.
    pub fn build_in(grammar: Grammar, tree: &'t Tree, text: &'t str, context: Option<&'t FileContext<'t>>) -> FileIndex<'t> {
        let mut index = FileIndex {
            grammar,
            root: tree.root_node(),
            source: text,
            nodes: NodeTable::build(grammar, tree),
            bindings: HashMap::new(),
            outputs: OnceCell::new(),
            output_answers: outputs::SlotAnswers::default(),
            contains_answers: outputs::SlotAnswers::default(),
            project_name: None,
            context,
            relative_imports: HashMap::new(),
            type_tokens: RefCell::default(),
            identifiers: OnceCell::new(),
            constructions: OnceCell::new(),
        };
        match grammar {
            Grammar::Python => python::collect_imports(&mut index),
            Grammar::TypeScript | Grammar::Tsx => typescript::collect_imports(&mut index),
            Grammar::Yaml => index.project_name = yaml::top_level_value(tree.root_node(), text, "name"),
        }
        index
    }

    pub fn grammar(&self) -> Grammar {
        self.grammar
    }

    pub fn nodes(&self) -> &NodeTable<'t> {
        &self.nodes
    }

    /// Every call or `new` expression of the file that has named arguments, in source order:
    /// what `#resource-on?` searches, collected once per file.
    pub fn constructions(&self) -> impl Iterator<Item = Node<'t>> + '_ {
        let nodes = &self.nodes;
        let slots = self.constructions.get_or_init(|| {
            let mut found: Vec<Slot> = (0..nodes.len() as Slot)
                .filter(|&slot| nodes.entry(slot).named && matches!(crate::lang::construction_call(nodes.node(slot)), Some((_, Some(_)))))
                .collect();
            // By start, then end: of two calls starting together (`f(a)(b)`), the inner first.
            found.sort_by_key(|&slot| (nodes.entry(slot).start_byte, nodes.entry(slot).end_byte));
            found
        });
        slots.iter().map(|&slot| nodes.node(slot))
    }

    /// Is `name` spelled as an identifier anywhere in the file (bound, read, a parameter, an
    /// attribute name)? A new variable of that name could shadow or be shadowed by it.
    pub fn uses_identifier(&self, name: &str) -> bool {
        let nodes = &self.nodes;
        let identifiers = self.identifiers.get_or_init(|| {
            (0..nodes.len() as Slot)
                .filter(|&slot| matches!(nodes.kind(slot), "identifier" | "shorthand_property_identifier" | "shorthand_property_identifier_pattern"))
                .map(|slot| self.source[nodes.node(slot).byte_range()].to_string())
                .collect()
        });
        identifiers.contains(name)
    }

    /// For a `config:` key of a Pulumi.yaml: is it namespaced by something other than this
    /// project (`aws:region` in project `tap`)? Those keys may not declare a `default`.
    pub fn is_foreign_config_key(&self, key: Node) -> bool {
        let key = yaml::scalar_text(key, self.source);
        match key.split_once(':') {
            Some((namespace, _)) => self.project_name.as_deref() != Some(namespace),
            None => false,
        }
    }

    fn bind(&mut self, local: &str, binding: Binding) {
        self.bindings.insert(local.to_string(), binding);
    }

    pub fn binding(&self, local: &str) -> Option<&Binding> {
        self.bindings.get(local)
    }

    /// The Pulumi type token an expression such as `aws.ec2.Eip` refers to, through the imports.
    pub fn type_token(&self, node: Node<'t>) -> Option<String> {
        self.slot(node).and_then(|slot| self.resolved_token_at(slot)).map(|token| token.text.clone())
    }

    /// [`Self::type_token`] of the node at `slot`, with what the Output facts ask of the token,
    /// remembered per spelling: the facts ask it of every call they look at, and the answer is
    /// the token's alone.
    fn resolved_token_at(&self, slot: Slot) -> Option<Rc<outputs::TypeToken>> {
        let spelled = self.text_at(slot);
        let kind = self.nodes.entry(slot).kind_id;
        let known = self.type_tokens.borrow().get(spelled).and_then(|answers| answers.iter().find(|(k, _)| *k == kind).map(|(_, token)| token.clone()));
        if let Some(token) = known {
            return token;
        }
        let token = self.resolve_type_token(slot).map(|text| Rc::new(outputs::TypeToken::new(text)));
        self.type_tokens.borrow_mut().entry(spelled.to_string()).or_default().push((kind, token.clone()));
        token
    }

    fn resolve_type_token(&self, slot: Slot) -> Option<String> {
        let mut segments = Vec::new();
        self.dotted_path_at(slot, &mut segments)?;
        let (head, rest) = segments.split_first()?;
        let binding = self.bindings.get(*head)?;
        let mut path: Vec<&str> = binding.path.iter().map(String::as_str).collect();
        path.extend(rest.iter().copied());
        type_token(&binding.package, &path)
    }
}

/// The Pulumi package of an SDK module name: `pulumi_aws` / `@pulumi/aws` → `aws`.
pub fn package_of_module(module: &str) -> Option<(String, Vec<String>)> {
    if let Some(rest) = module.strip_prefix("@pulumi/") {
        let mut parts = rest.split('/');
        let package = parts.next()?.to_string();
        return Some((package, parts.map(str::to_string).collect()));
    }
    let mut parts = module.split('.');
    let head = parts.next()?;
    let package = if head == "pulumi" { "pulumi".to_string() } else { head.strip_prefix("pulumi_")?.replace('_', "-") };
    Some((package, parts.map(str::to_string).collect()))
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

/// `aws` + `[ec2, Eip]` → `aws:ec2/eip:Eip`; `[getAmi]` → `aws:index/getAmi:getAmi`;
/// members below a type are appended: `[ec2, InstanceType, T2_Micro]` → `aws:ec2/instanceType:InstanceType.T2_Micro`.
fn type_token(package: &str, path: &[&str]) -> Option<String> {
    let (module, member, rest) = match path {
        [] => return None,
        [member] => ("index", *member, &[][..]),
        [module, member, rest @ ..] => (*module, *member, rest),
    };
    let member = crate::transforms::camel(member);
    let mut token = format!("{package}:{module}/{}:{member}", lower_first(&member));
    for part in rest {
        token.push('.');
        token.push_str(part);
    }
    Some(token)
}

/// Does `token` match a predicate pattern (exact, or a prefix ending in `*`)?
pub fn token_matches(token: &str, pattern: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => token.starts_with(prefix),
        None => token == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert_eq!(type_token("aws", &["ec2", "Eip"]).unwrap(), "aws:ec2/eip:Eip");
        assert_eq!(type_token("aws", &["ec2", "get_ami"]).unwrap(), "aws:ec2/getAmi:getAmi");
        assert_eq!(type_token("aws", &["getAmi"]).unwrap(), "aws:index/getAmi:getAmi");
        assert_eq!(
            type_token("aws", &["elasticache", "ReplicationGroup"]).unwrap(),
            "aws:elasticache/replicationGroup:ReplicationGroup"
        );
        assert_eq!(type_token("aws", &["ec2", "InstanceTypes", "T2_Micro"]).unwrap(), "aws:ec2/instanceTypes:InstanceTypes.T2_Micro");
        assert!(token_matches("aws:s3/bucketV2:BucketV2", "aws:s3/*"));
    }

    #[test]
    fn packages() {
        assert_eq!(package_of_module("pulumi_aws"), Some(("aws".into(), vec![])));
        assert_eq!(package_of_module("pulumi_aws.ec2"), Some(("aws".into(), vec!["ec2".into()])));
        assert_eq!(package_of_module("pulumi_aws_native"), Some(("aws-native".into(), vec![])));
        assert_eq!(package_of_module("@pulumi/aws/ec2"), Some(("aws".into(), vec!["ec2".into()])));
        assert_eq!(package_of_module("pulumi"), Some(("pulumi".into(), vec![])));
        assert_eq!(package_of_module("boto3"), None);
    }
}
