//! Python imports: find whether a module or name is bound, and where a new import goes.

use crate::engine::Edit;
use crate::source::{line_end, line_start};
use crate::spec::ImportSpec;
use tree_sitter::Node;

fn text<'a>(node: Node, source: &'a str) -> &'a str {
    &source[node.byte_range()]
}

fn top_level(root: Node) -> Vec<Node> {
    let mut cursor = root.walk();
    root.named_children(&mut cursor).collect()
}

fn is_future_import(node: Node) -> bool {
    node.kind() == "future_import_statement"
}

fn is_import(node: Node) -> bool {
    matches!(node.kind(), "import_statement" | "import_from_statement")
}

fn is_docstring(node: Node) -> bool {
    node.kind() == "expression_statement" && node.named_child(0).is_some_and(|c| c.kind() == "string")
}

/// The module an import statement names, for ordering.
fn imported_module<'a>(node: Node, source: &'a str) -> &'a str {
    let module = match node.kind() {
        "import_from_statement" => node.child_by_field_name("module_name"),
        _ => node.child_by_field_name("name").map(|n| n.child_by_field_name("name").unwrap_or(n)),
    };
    module.map_or("", |m| text(m, source))
}

/// Is `import.module` (optionally `as alias`) or `from module import name` already bound?
fn is_bound(statement: Node, source: &str, import: &ImportSpec) -> bool {
    let mut cursor = statement.walk();
    match (statement.kind(), &import.name) {
        ("import_statement", None) => statement.children_by_field_name("name", &mut cursor).any(|n| match n.kind() {
            "aliased_import" => {
                let module = n.child_by_field_name("name").map(|m| text(m, source));
                let alias = n.child_by_field_name("alias").map(|a| text(a, source));
                module == Some(import.module.as_str()) && alias == import.alias.as_deref()
            }
            _ => {
                let module = text(n, source);
                import.alias.is_none()
                    && (module == import.module || module.starts_with(&format!("{}.", import.module)))
            }
        }),
        ("import_from_statement", Some(name)) => {
            let module = statement.child_by_field_name("module_name").map(|m| text(m, source));
            if module != Some(import.module.as_str()) {
                return false;
            }
            let mut any = statement.walk();
            if statement.children(&mut any).any(|c| c.kind() == "wildcard_import") {
                return true;
            }
            statement.children_by_field_name("name", &mut cursor).any(|n| match n.kind() {
                "aliased_import" => n.child_by_field_name("alias").is_some_and(|a| text(a, source) == name),
                _ => text(n, source) == name,
            })
        }
        _ => false,
    }
}

fn statement_line(import: &ImportSpec) -> String {
    match (&import.name, &import.alias) {
        (Some(name), _) => format!("from {} import {}", import.module, name),
        (None, Some(alias)) => format!("import {} as {}", import.module, alias),
        (None, None) => format!("import {}", import.module),
    }
}

pub(super) fn ensure_import(root: Node, source: &str, import: &ImportSpec) -> Option<Edit> {
    let statements = top_level(root);
    if statements.iter().any(|s| is_bound(*s, source, import)) {
        return None;
    }
    // Add a name to an existing `from module import ...` rather than repeat the module.
    if let Some(name) = &import.name {
        let existing = statements.iter().find(|s| {
            s.kind() == "import_from_statement"
                && s.child_by_field_name("module_name").is_some_and(|m| text(m, source) == import.module)
        });
        if let Some(statement) = existing {
            let mut cursor = statement.walk();
            let last = statement.children_by_field_name("name", &mut cursor).last()?;
            return Some(Edit::insert(last.end_byte(), format!(", {name}")));
        }
    }

    let line = statement_line(import);
    let key = import.module.to_lowercase();
    let first_import = statements.iter().position(|s| is_import(*s));
    if let Some(first) = first_import {
        // The contiguous import block at the top: keep it sorted by module where it is.
        let block: Vec<Node> = statements[first..].iter().copied().take_while(|s| is_import(*s) || s.kind() == "comment").filter(|s| is_import(*s)).collect();
        if let Some(after) = block.iter().find(|s| imported_module(**s, source).to_lowercase() > key) {
            return Some(Edit::insert(line_start(source, after.start_byte()), format!("{line}\n")));
        }
        let last = block.last()?;
        return Some(Edit::insert(line_end(source, last.end_byte()), format!("\n{line}")));
    }
    // No imports yet: after the docstring and `__future__` imports, else before the first statement.
    let preamble = statements.iter().take_while(|s| is_docstring(**s) || is_future_import(**s) || s.kind() == "comment").filter(|s| s.kind() != "comment").last();
    match preamble {
        Some(last) => Some(Edit::insert(line_end(source, last.end_byte()), format!("\n\n{line}"))),
        None => {
            let first_code = statements.iter().find(|s| s.kind() != "comment");
            let at = first_code.map_or(source.len(), |s| line_start(source, s.start_byte()));
            let separator = if first_code.is_some() { "\n\n" } else { "\n" };
            Some(Edit::insert(at, format!("{line}{separator}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{Grammar, parse};

    fn add(source: &str, module: &str, name: Option<&str>) -> String {
        let import = ImportSpec { module: module.into(), name: name.map(Into::into), alias: None };
        let tree = parse(Grammar::Python, source);
        match ensure_import(tree.root_node(), source, &import) {
            Some(edit) => edit.apply_to(source),
            None => source.to_string(),
        }
    }

    #[test]
    fn sorted_into_the_import_block() {
        assert_eq!(add("import pulumi\nimport pulumi_aws as aws\n", "base64", None), "import base64\nimport pulumi\nimport pulumi_aws as aws\n");
        assert_eq!(add("import json\nimport os\n\nx = 1\n", "pulumi", None), "import json\nimport os\nimport pulumi\n\nx = 1\n");
    }

    #[test]
    fn after_docstring_and_future() {
        assert_eq!(add("\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\n\nx = 1\n", "base64", None), "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\n\nimport base64\n\nx = 1\n");
        assert_eq!(add("x = 1\n", "base64", None), "import base64\n\nx = 1\n");
    }

    #[test]
    fn never_duplicates() {
        assert_eq!(add("import base64\n", "base64", None), "import base64\n");
        assert_eq!(add("import os.path\n", "os", None), "import os.path\n");
        assert_eq!(add("from pulumi import Output, export\n", "pulumi", Some("Output")), "from pulumi import Output, export\n");
        assert_eq!(add("from pulumi import export\n", "pulumi", Some("Output")), "from pulumi import export, Output\n");
        assert_eq!(add("from pulumi import (\n    export,\n)\n", "pulumi", Some("Output")), "from pulumi import (\n    export, Output,\n)\n");
        // An alias binds another name, so the module itself is still missing.
        assert_eq!(add("import base64 as b\n", "base64", None), "import base64 as b\nimport base64\n");
    }
}
