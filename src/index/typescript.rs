//! TypeScript imports → bindings: `import * as aws from "@pulumi/aws"`, `import { ec2 } from
//! "@pulumi/aws"`, `import { Eip } from "@pulumi/aws/ec2"`, `import aws = require(...)`,
//! `const aws = require(...)`.

use crate::lang::{FieldChild, KindName};
use super::{Binding, FileIndex, package_of_module};
use tree_sitter::Node;

fn text<'a>(node: Node, source: &'a str) -> &'a str {
    &source[node.byte_range()]
}

fn string_value<'a>(node: Node, source: &'a str) -> &'a str {
    text(node, source).trim_matches(['"', '\'', '`'])
}

/// Binds the names of the file's top-level imports and `require` declarations.
pub(super) fn collect_imports(index: &mut FileIndex) {
    let nodes = index.nodes();
    let statements: Vec<Node> = nodes
        .children(0)
        .iter()
        .filter(|&&statement| match nodes.kind(statement) {
            "import_statement" => true,
            // A `require` is a declarator's value, its last child: most declarations have none.
            "lexical_declaration" | "variable_declaration" => nodes.children(statement).iter().any(|&declarator| {
                nodes.kind(declarator) == "variable_declarator" && nodes.children(declarator).last().is_some_and(|&value| nodes.kind(value) == "call_expression")
            }),
            _ => false,
        })
        .map(|&statement| nodes.node(statement))
        .collect();
    let source = index.source;
    for statement in statements {
        match statement.kind_name() {
            "import_statement" => import_statement(statement, source, index),
            _ => require_declaration(statement, source, index),
        }
    }
}

fn import_statement(statement: Node, source: &str, index: &mut FileIndex) {
    let mut cursor = statement.walk();
    for child in statement.named_children(&mut cursor) {
        match child.kind_name() {
            "import_clause" => {
                let Some(module) = statement.field("source") else { return };
                let specifier = string_value(module, source);
                if specifier.starts_with('.') {
                    relative_named_imports(child, source, specifier, index);
                    return;
                }
                let Some((package, base)) = package_of_module(specifier) else { return };
                import_clause(child, source, &package, &base, index);
            }
            // `import aws = require("@pulumi/aws")`
            "import_require_clause" => {
                let (Some(name), Some(module)) = (child.named_child(0), child.field("source")) else { continue };
                if let Some((package, path)) = package_of_module(string_value(module, source)) {
                    index.bind(text(name, source), Binding { package, path });
                }
            }
            _ => {}
        }
    }
}

fn import_clause(clause: Node, source: &str, package: &str, base: &[String], index: &mut FileIndex) {
    let mut cursor = clause.walk();
    for part in clause.named_children(&mut cursor) {
        match part.kind_name() {
            // default import (esModuleInterop)
            "identifier" => index.bind(text(part, source), Binding { package: package.into(), path: base.to_vec() }),
            "namespace_import" => {
                if let Some(name) = part.named_child(0) {
                    index.bind(text(name, source), Binding { package: package.into(), path: base.to_vec() });
                }
            }
            "named_imports" => {
                let mut specifiers = part.walk();
                for specifier in part.named_children(&mut specifiers).filter(|s| s.kind_name() == "import_specifier") {
                    let Some(name) = specifier.field("name") else { continue };
                    let local = specifier.field("alias").unwrap_or(name);
                    let mut path = base.to_vec();
                    path.push(text(name, source).to_string());
                    index.bind(text(local, source), Binding { package: package.into(), path });
                }
            }
            _ => {}
        }
    }
}

/// `import { TapStack as T } from "../lib/tap-stack"`: `T` → (`../lib/tap-stack`, `TapStack`).
fn relative_named_imports(clause: Node, source: &str, specifier: &str, index: &mut FileIndex) {
    let mut cursor = clause.walk();
    for named in clause.named_children(&mut cursor).filter(|p| p.kind_name() == "named_imports") {
        let mut specifiers = named.walk();
        for specifier_node in named.named_children(&mut specifiers).filter(|s| s.kind_name() == "import_specifier") {
            let Some(name) = specifier_node.field("name") else { continue };
            let local = specifier_node.field("alias").unwrap_or(name);
            index.relative_imports.insert(text(local, source).to_string(), (specifier.to_string(), text(name, source).to_string()));
        }
    }
}

/// `const aws = require("@pulumi/aws");`
fn require_declaration(declaration: Node, source: &str, index: &mut FileIndex) {
    let mut cursor = declaration.walk();
    for declarator in declaration.named_children(&mut cursor).filter(|d| d.kind_name() == "variable_declarator") {
        let (Some(name), Some(value)) = (declarator.field("name"), declarator.field("value")) else {
            continue;
        };
        if name.kind_name() != "identifier" || value.kind_name() != "call_expression" {
            continue;
        }
        let is_require = value.field("function").is_some_and(|f| text(f, source) == "require");
        let module = value.field("arguments").and_then(|a| a.named_child(0)).filter(|a| a.kind_name() == "string");
        if let (true, Some(module)) = (is_require, module)
            && let Some((package, path)) = package_of_module(string_value(module, source))
        {
            index.bind(text(name, source), Binding { package, path });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::FileIndex;
    use crate::lang::{Grammar, parse};

    #[test]
    fn alias_spellings_resolve_to_one_token() {
        let cases = [
            ("import * as aws from \"@pulumi/aws\";\nnew aws.ec2.Eip('e', {});\n", "aws.ec2.Eip"),
            ("import * as cloud from '@pulumi/aws';\nnew cloud.ec2.Eip('e', {});\n", "cloud.ec2.Eip"),
            ("import { ec2 } from \"@pulumi/aws\";\nnew ec2.Eip('e', {});\n", "ec2.Eip"),
            ("import { ec2 as compute } from \"@pulumi/aws\";\nnew compute.Eip('e', {});\n", "compute.Eip"),
            ("import { Eip } from \"@pulumi/aws/ec2\";\nnew Eip('e', {});\n", "Eip"),
            ("import aws = require(\"@pulumi/aws\");\nnew aws.ec2.Eip('e', {});\n", "aws.ec2.Eip"),
            ("const aws = require(\"@pulumi/aws\");\nnew aws.ec2.Eip('e', {});\n", "aws.ec2.Eip"),
            ("import aws from \"@pulumi/aws\";\nnew aws.ec2.Eip('e', {});\n", "aws.ec2.Eip"),
        ];
        for (source, callee) in cases {
            let tree = parse(Grammar::TypeScript, source);
            let index = FileIndex::build(Grammar::TypeScript, &tree, source);
            let start = source.find(&format!("{callee}(")).unwrap();
            let node = tree.root_node().descendant_for_byte_range(start, start + callee.len()).unwrap();
            assert_eq!(index.type_token(node).as_deref(), Some("aws:ec2/eip:Eip"), "{source}");
        }
    }
}
