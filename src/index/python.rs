//! Python imports → bindings: `import pulumi_aws as aws`, `from pulumi_aws import ec2`,
//! `from pulumi_aws.ec2 import Eip as ElasticIp`, `import pulumi_aws.ec2`.

use crate::lang::{FieldChild, KindName, NodeTable, Slot};
use super::{Binding, FileIndex, package_of_module};
use tree_sitter::Node;

fn text<'a>(node: Node, source: &'a str) -> &'a str {
    &source[node.byte_range()]
}

/// Binds the names of the file's import statements.
pub(super) fn collect_imports(index: &mut FileIndex) {
    let mut statements = Vec::new();
    import_statements(index.nodes(), 0, &mut statements);
    let source = index.source;
    for statement in statements {
        match statement.kind_name() {
            "import_statement" => import_statement(statement, source, index),
            _ => import_from_statement(statement, source, index),
        }
    }
}

/// The import statements at statement level below `slot` (module, and the blocks of compound
/// statements, functions and classes), never descending into expressions.
fn import_statements<'t>(nodes: &NodeTable<'t>, slot: Slot, found: &mut Vec<Node<'t>>) {
    for &statement in nodes.children(slot).iter().filter(|&&s| nodes.entry(s).named) {
        match nodes.kind(statement) {
            "import_statement" | "import_from_statement" => found.push(nodes.node(statement)),
            "if_statement" | "try_statement" | "with_statement" | "for_statement" | "while_statement"
            | "function_definition" | "class_definition" | "decorated_definition" | "block" | "else_clause"
            | "elif_clause" | "except_clause" | "finally_clause" => import_statements(nodes, statement, found),
            _ => {}
        }
    }
}

fn import_statement(statement: Node, source: &str, index: &mut FileIndex) {
    let mut cursor = statement.walk();
    for name in statement.children_by_field_name("name", &mut cursor) {
        match name.kind_name() {
            "aliased_import" => {
                let (Some(module), Some(alias)) = (name.field("name"), name.field("alias")) else {
                    continue;
                };
                if let Some((package, path)) = package_of_module(text(module, source)) {
                    index.bind(text(alias, source), Binding { package, path });
                }
            }
            _ => {
                // `import pulumi_aws.ec2` binds `pulumi_aws`, the package itself.
                let module = text(name, source);
                let head = module.split('.').next().unwrap_or(module);
                if let Some((package, _)) = package_of_module(head) {
                    index.bind(head, Binding { package, path: Vec::new() });
                }
            }
        }
    }
}

fn import_from_statement(statement: Node, source: &str, index: &mut FileIndex) {
    let Some(module) = statement.field("module_name") else { return };
    let Some((package, base)) = package_of_module(text(module, source)) else { return };
    let mut cursor = statement.walk();
    for name in statement.children_by_field_name("name", &mut cursor) {
        let (imported, local) = match name.kind_name() {
            "aliased_import" => match (name.field("name"), name.field("alias")) {
                (Some(n), Some(a)) => (text(n, source), text(a, source)),
                _ => continue,
            },
            _ => (text(name, source), text(name, source)),
        };
        let mut path = base.clone();
        path.extend(imported.split('.').map(str::to_string));
        index.bind(local, Binding { package: package.clone(), path });
    }
}

#[cfg(test)]
mod tests {
    use super::super::FileIndex;
    use crate::lang::{Grammar, parse};

    /// The four spellings of the same resource resolve to one token.
    #[test]
    fn alias_spellings_resolve_to_one_token() {
        let cases = [
            ("import pulumi_aws as aws\nx = aws.ec2.Eip('e')\n", "aws.ec2.Eip"),
            ("import pulumi_aws as whatever\nx = whatever.ec2.Eip('e')\n", "whatever.ec2.Eip"),
            ("from pulumi_aws import ec2\nx = ec2.Eip('e')\n", "ec2.Eip"),
            ("from pulumi_aws.ec2 import Eip\nx = Eip('e')\n", "Eip"),
            ("from pulumi_aws.ec2 import Eip as ElasticIp\nx = ElasticIp('e')\n", "ElasticIp"),
            ("import pulumi_aws\nx = pulumi_aws.ec2.Eip('e')\n", "pulumi_aws.ec2.Eip"),
            ("def f():\n    import pulumi_aws as aws\n    return aws.ec2.Eip('e')\n", "aws.ec2.Eip"),
        ];
        for (source, callee) in cases {
            let tree = parse(Grammar::Python, source);
            let index = FileIndex::build(Grammar::Python, &tree, source);
            let start = source.find(&format!("{callee}(")).unwrap();
            let node = tree.root_node().descendant_for_byte_range(start, start + callee.len()).unwrap();
            assert_eq!(index.type_token(node).as_deref(), Some("aws:ec2/eip:Eip"), "{source}");
        }
    }

    #[test]
    fn unrelated_names_do_not_resolve() {
        let source = "import boto3\nfrom mylib import ec2\nx = ec2.Eip('e')\n";
        let tree = parse(Grammar::Python, source);
        let index = FileIndex::build(Grammar::Python, &tree, source);
        let start = source.find("ec2.Eip").unwrap();
        let node = tree.root_node().descendant_for_byte_range(start, start + 7).unwrap();
        assert_eq!(index.type_token(node), None);
    }
}
