//! TypeScript imports: find whether a module is imported the way a fix needs, and add it after the
//! file's last import in the file's own quote and semicolon style.

use super::KindName;
use super::FieldChild;
use crate::engine::Edit;
use crate::source::{after_statement_line, preferred_quote};
use crate::spec::ImportSpec;
use tree_sitter::Node;

fn text<'a>(node: Node, source: &'a str) -> &'a str {
    &source[node.byte_range()]
}

fn module_of<'a>(statement: Node, source: &'a str) -> Option<&'a str> {
    let literal = text(statement.field("source")?, source);
    Some(literal.trim_matches(['"', '\'']))
}

fn import_clause(statement: Node) -> Option<Node> {
    let mut cursor = statement.walk();
    statement.named_children(&mut cursor).find(|c| c.kind_name() == "import_clause")
}

fn clause_part<'t>(clause: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut cursor = clause.walk();
    clause.named_children(&mut cursor).find(|c| c.kind_name() == kind)
}

/// Local names bound by `import { a, b as c }` in a `named_imports` node.
fn named_bindings<'a>(named: Node, source: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut cursor = named.walk();
    named
        .named_children(&mut cursor)
        .filter(|s| s.kind_name() == "import_specifier")
        .filter_map(|s| {
            let name = text(s.field("name")?, source);
            let local = s.field("alias").map_or(name, |a| text(a, source));
            Some((name, local))
        })
        .collect()
}

/// The local name under which `statement` already provides `import`, if it does.
fn bound_by(statement: Node, source: &str, import: &ImportSpec) -> Option<String> {
    if module_of(statement, source) != Some(import.module.as_str()) {
        return None;
    }
    let accepts = |local: &str, wanted: &str| import.reuse_alias || local == wanted;
    let clause = import_clause(statement);
    match (&import.name, &import.alias, clause) {
        // A side-effect import is satisfied by any import of the module.
        (None, None, _) => Some(import.module.clone()),
        (Some(name), _, Some(clause)) => clause_part(clause, "named_imports").and_then(|named| {
            named_bindings(named, source).into_iter().find(|(n, local)| n == name && accepts(local, name)).map(|(_, l)| l.to_string())
        }),
        (None, Some(alias), Some(clause)) => clause_part(clause, "namespace_import")
            .and_then(|ns| ns.named_child(0))
            .map(|id| text(id, source))
            .filter(|local| accepts(local, alias))
            .map(str::to_string),
        _ => None,
    }
}

fn top_level_imports(root: Node) -> Vec<Node> {
    let mut cursor = root.walk();
    root.named_children(&mut cursor).filter(|n| n.kind_name() == "import_statement").collect()
}

pub(super) fn bound_name(root: Node, source: &str, import: &ImportSpec) -> Option<String> {
    top_level_imports(root).into_iter().find_map(|s| bound_by(s, source, import))
}

/// The edit adding `import` (known to be missing) after the file's last import.
pub(super) fn add_import(root: Node, source: &str, import: &ImportSpec) -> Option<Edit> {
    let imports = top_level_imports(root);
    // Add a name to an existing `import { ... } from "module"`.
    if let Some(name) = &import.name {
        let named = imports
            .iter()
            .filter(|s| module_of(**s, source) == Some(import.module.as_str()))
            .find_map(|s| import_clause(*s).and_then(|c| clause_part(c, "named_imports")));
        if let Some(named) = named {
            let mut cursor = named.walk();
            let last = named.named_children(&mut cursor).filter(|s| s.kind_name() == "import_specifier").last()?;
            return Some(Edit::insert(last.end_byte(), format!(", {name}")));
        }
    }
    let quote = preferred_quote(source);
    let semicolon = match imports.last() {
        Some(last) => if text(*last, source).ends_with(';') { ";" } else { "" },
        None => ";",
    };
    let module = format!("{quote}{}{quote}", import.module);
    let line = match (&import.name, &import.alias) {
        (Some(name), _) => format!("import {{ {name} }} from {module}{semicolon}"),
        (None, Some(alias)) => format!("import * as {alias} from {module}{semicolon}"),
        (None, None) => format!("import {module}{semicolon}"),
    };
    match imports.last() {
        Some(last) => Some(Edit::insert(after_statement_line(source, last.end_byte(), "//"), format!("\n{line}"))),
        None => {
            let mut cursor = root.walk();
            let first_code = root.named_children(&mut cursor).find(|n| n.kind_name() != "comment" && n.kind_name() != "hash_bang_line");
            match first_code {
                Some(first) => Some(Edit::insert(crate::source::line_start(source, first.start_byte()), format!("{line}\n\n"))),
                None => Some(Edit::insert(source.len(), format!("{line}\n"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{Grammar, parse};

    fn add(source: &str, module: &str, name: Option<&str>, alias: Option<&str>) -> String {
        let import = ImportSpec { module: module.into(), name: name.map(Into::into), alias: alias.map(Into::into), reuse_alias: false };
        let tree = parse(Grammar::TypeScript, source);
        match crate::lang::ensure_import(Grammar::TypeScript, &tree, source, &import).edit {
            Some(edit) => edit.apply_to(source),
            None => source.to_string(),
        }
    }

    #[test]
    fn namespace_import_added_once_in_file_style() {
        let src = "import * as aws from '@pulumi/aws';\n\nconst x = 1;\n";
        assert_eq!(
            add(src, "@pulumi/pulumi", None, Some("pulumi")),
            "import * as aws from '@pulumi/aws';\nimport * as pulumi from '@pulumi/pulumi';\n\nconst x = 1;\n"
        );
        let has = "import * as pulumi from \"@pulumi/pulumi\"\n";
        assert_eq!(add(has, "@pulumi/pulumi", None, Some("pulumi")), has);
    }

    #[test]
    fn reuses_an_existing_namespace_name_when_asked() {
        let import = ImportSpec { module: "@pulumi/pulumi".into(), name: None, alias: Some("pulumi".into()), reuse_alias: true };
        let source = "import * as p from '@pulumi/pulumi';\n";
        let tree = parse(Grammar::TypeScript, source);
        let resolution = crate::lang::ensure_import(Grammar::TypeScript, &tree, source, &import);
        assert_eq!((resolution.edit, resolution.local_name.as_str()), (None, "p"));
    }

    #[test]
    fn named_and_side_effect_imports() {
        assert_eq!(
            add("import { Output } from \"@pulumi/pulumi\";\n", "@pulumi/pulumi", Some("all"), None),
            "import { Output, all } from \"@pulumi/pulumi\";\n"
        );
        assert_eq!(add("const x = 1;\n", "../lib/tap-stack", None, None), "import \"../lib/tap-stack\";\n\nconst x = 1;\n");
        assert_eq!(add("import '../lib/tap-stack';\n", "../lib/tap-stack", None, None), "import '../lib/tap-stack';\n");
    }
}
