//! Python imports: find whether a module or name is bound, and where a new import goes.

use super::KindName;
use super::FieldChild;
use crate::engine::Edit;
use crate::source::{after_statement_line, line_start};
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
    node.kind_name() == "future_import_statement"
}

fn is_import(node: Node) -> bool {
    matches!(node.kind_name(), "import_statement" | "import_from_statement")
}

fn is_docstring(node: Node) -> bool {
    node.kind_name() == "expression_statement" && node.named_child(0).is_some_and(|c| c.kind_name() == "string")
}

/// The module an import statement names, for ordering.
fn imported_module<'a>(node: Node, source: &'a str) -> &'a str {
    let module = match node.kind_name() {
        "import_from_statement" => node.field("module_name"),
        _ => node.field("name").map(|n| n.field("name").unwrap_or(n)),
    };
    module.map_or("", |m| text(m, source))
}

/// The local name under which `statement` already provides `import`, if it does. With
/// `reuse_alias`, any alias counts; otherwise only the exact spelling the spec asks for.
fn bound_by(statement: Node, source: &str, import: &ImportSpec) -> Option<String> {
    let mut cursor = statement.walk();
    let accepts = |local: &str, wanted: &str| import.reuse_alias || local == wanted;
    match (statement.kind_name(), &import.name) {
        ("import_statement", None) => statement.children_by_field_name("name", &mut cursor).find_map(|n| match n.kind_name() {
            "aliased_import" => {
                let module = n.field("name").map(|m| text(m, source))?;
                let alias = n.field("alias").map(|a| text(a, source))?;
                (module == import.module && accepts(alias, import.alias.as_deref().unwrap_or(""))).then(|| alias.to_string())
            }
            _ => {
                let module = text(n, source);
                let binds = module == import.module || module.starts_with(&format!("{}.", import.module));
                (binds && (import.alias.is_none() || import.reuse_alias)).then(|| import.module.clone())
            }
        }),
        ("import_from_statement", Some(name)) => {
            let module = statement.field("module_name").map(|m| text(m, source));
            if module != Some(import.module.as_str()) {
                return None;
            }
            let mut any = statement.walk();
            if statement.children(&mut any).any(|c| c.kind_name() == "wildcard_import") {
                return Some(name.clone());
            }
            statement.children_by_field_name("name", &mut cursor).find_map(|n| match n.kind_name() {
                "aliased_import" => {
                    let imported = n.field("name").map(|m| text(m, source))?;
                    let local = n.field("alias").map(|a| text(a, source))?;
                    (imported == name && accepts(local, name)).then(|| local.to_string())
                }
                _ => (text(n, source) == name).then(|| name.clone()),
            })
        }
        _ => None,
    }
}

pub(super) fn bound_name(root: Node, source: &str, import: &ImportSpec) -> Option<String> {
    top_level(root).into_iter().find_map(|s| bound_by(s, source, import))
}

fn statement_line(import: &ImportSpec) -> String {
    match (&import.name, &import.alias) {
        (Some(name), _) => format!("from {} import {}", import.module, name),
        (None, Some(alias)) => format!("import {} as {}", import.module, alias),
        (None, None) => format!("import {}", import.module),
    }
}

/// The edit adding `import` (known to be missing) in its place.
pub(super) fn add_import(root: Node, source: &str, import: &ImportSpec) -> Option<Edit> {
    let statements = top_level(root);
    // Add a name to an existing `from module import ...` rather than repeat the module.
    if let Some(name) = &import.name {
        let existing = statements.iter().find(|s| {
            s.kind_name() == "import_from_statement"
                && s.field("module_name").is_some_and(|m| text(m, source) == import.module)
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
        let block: Vec<Node> = statements[first..].iter().copied().take_while(|s| is_import(*s) || s.kind_name() == "comment").filter(|s| is_import(*s)).collect();
        if let Some(after) = block.iter().find(|s| imported_module(**s, source).to_lowercase() > key) {
            return Some(Edit::insert(line_start(source, after.start_byte()), format!("{line}\n")));
        }
        let last = block.last()?;
        return Some(Edit::insert(after_statement_line(source, last.end_byte(), "#"), format!("\n{line}")));
    }
    // No imports yet: after the docstring and `__future__` imports, else before the first statement.
    let preamble = statements.iter().take_while(|s| is_docstring(**s) || is_future_import(**s) || s.kind_name() == "comment").filter(|s| s.kind_name() != "comment").last();
    match preamble {
        Some(last) => Some(Edit::insert(after_statement_line(source, last.end_byte(), "#"), format!("\n\n{line}"))),
        None => {
            let first_code = statements.iter().find(|s| s.kind_name() != "comment");
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
        let import = ImportSpec { module: module.into(), name: name.map(Into::into), alias: None, reuse_alias: false };
        let tree = parse(Grammar::Python, source);
        match crate::lang::ensure_import(Grammar::Python, &tree, source, &import).edit {
            Some(edit) => edit.apply_to(source),
            None => source.to_string(),
        }
    }

    #[test]
    fn a_new_import_goes_after_the_last_import_even_with_code_on_its_line() {
        assert_eq!(add("import json\nx = 1\n", "pulumi", None), "import json\nimport pulumi\nx = 1\n");
        assert_eq!(add("import json  # why\nx = 1\n", "pulumi", None), "import json  # why\nimport pulumi\nx = 1\n");
        assert_eq!(add("import json;\nx = 1\n", "pulumi", None), "import json;\nimport pulumi\nx = 1\n");
        // The line's end lies inside the next statement (a fuzz find: the fix's own edits overlapped).
        assert_eq!(add("import json; u = f(\n1)\n", "pulumi", None), "import json\nimport pulumi; u = f(\n1)\n");
        assert_eq!(add("\"\"\"Doc.\"\"\"; u = f(\n1)\n", "pulumi", None), "\"\"\"Doc.\"\"\"\n\nimport pulumi; u = f(\n1)\n");
    }

    #[test]
    fn reuses_an_alias_when_the_templates_ask_for_the_binding() {
        let import = ImportSpec { module: "pulumi".into(), name: None, alias: None, reuse_alias: true };
        let source = "import pulumi as p\n";
        let tree = parse(Grammar::Python, source);
        let resolution = crate::lang::ensure_import(Grammar::Python, &tree, source, &import);
        assert_eq!((resolution.edit, resolution.local_name.as_str()), (None, "p"));
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
