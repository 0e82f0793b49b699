//! TypeScript modules of a project: resolving a relative import to its file, the program's entry
//! (`package.json` `main`), and what a module exports.

use crate::lang::{FieldChild, Grammar, KindName, first_syntax_error, parse};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use tree_sitter::Node;

/// The names a module exports (`default` for a default export).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exports {
    names: HashSet<String>,
}

impl Exports {
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }
}

/// The file a relative module specifier (`../lib/tap-stack`) names from the importing file, as
/// TypeScript resolves it: `x.ts`, `x.tsx`, `x.d.ts`, `x/index.ts`, `x/index.tsx`; a `.js`
/// specifier stands for its `.ts` source. `None` for package imports and missing files.
pub fn resolve_module(importer: &Path, specifier: &str) -> Option<PathBuf> {
    if !(specifier.starts_with("./") || specifier.starts_with("../")) {
        return None;
    }
    let base = super::normalize(&importer.parent()?.join(specifier));
    let stem = ["js", "jsx", "mjs", "cjs"]
        .iter()
        .find_map(|ext| specifier.strip_suffix(&format!(".{ext}")).map(|_| base.with_extension("")))
        .unwrap_or_else(|| base.clone());
    let name = stem.file_name()?.to_string_lossy().into_owned();
    let candidates = [
        base.clone(),
        stem.with_file_name(format!("{name}.ts")),
        stem.with_file_name(format!("{name}.tsx")),
        stem.with_file_name(format!("{name}.d.ts")),
        stem.join("index.ts"),
        stem.join("index.tsx"),
    ];
    let is_typescript = |p: &Path| p.extension().is_some_and(|e| ["ts", "tsx", "mts", "cts"].iter().any(|t| e == *t));
    candidates.into_iter().find(|c| is_typescript(c) && c.is_file())
}

/// The entry of a Node.js program directory: its `package.json` `main` (a `.js` main stands for
/// its `.ts` source), else `index.ts`.
pub fn package_entry(dir: &Path) -> Option<PathBuf> {
    let main = std::fs::read_to_string(dir.join("package.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|json| json["main"].as_str().map(str::to_string));
    if let Some(main) = main {
        let path = super::normalize(&dir.join(&main));
        let source = path.with_extension("ts");
        return Some(if path.extension().is_some_and(|e| e == "js") && source.is_file() { source } else { path });
    }
    Some(dir.join("index.ts"))
}

/// What the module `file` exports; `None` when that cannot be known from the file alone.
pub fn read_exports(file: &Path) -> Option<Exports> {
    let grammar = Grammar::for_path(file).unwrap_or(Grammar::TypeScript);
    let source = std::fs::read_to_string(file).ok()?;
    let tree = parse(grammar, &source);
    if first_syntax_error(tree.root_node()).is_some() {
        return None;
    }
    let mut names = HashSet::new();
    let root = tree.root_node();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor).filter(|s| s.kind_name() == "export_statement") {
        exported_names(statement, &source, &mut names)?;
    }
    Some(Exports { names })
}

/// Adds the names one `export ...` statement exports; `None` for `export * from` and
/// `export =`, whose names this file does not show.
fn exported_names(statement: Node, source: &str, names: &mut HashSet<String>) -> Option<()> {
    let text = |n: Node| source[n.byte_range()].to_string();
    let mut cursor = statement.walk();
    let children: Vec<Node> = statement.children(&mut cursor).collect();
    if children.iter().any(|c| c.kind_name() == "default") {
        names.insert("default".into());
        return Some(());
    }
    if children.iter().any(|c| matches!(c.kind_name(), "=" | "*")) && !children.iter().any(|c| c.kind_name() == "namespace_export") {
        return None;
    }
    if let Some(declaration) = statement.field("declaration") {
        return declared_names(declaration, source, names);
    }
    for child in children {
        match child.kind_name() {
            "export_clause" => {
                let mut specifiers = child.walk();
                for specifier in child.named_children(&mut specifiers).filter(|s| s.kind_name() == "export_specifier") {
                    let exported = specifier.field("alias").or_else(|| specifier.field("name"))?;
                    names.insert(text(exported).trim_matches(['"', '\'']).to_string());
                }
            }
            // `export * as ns from "./x"`
            "namespace_export" => {
                names.insert(text(child.named_child(0)?));
            }
            _ => {}
        }
    }
    Some(())
}

fn declared_names(declaration: Node, source: &str, names: &mut HashSet<String>) -> Option<()> {
    let text = |n: Node| source[n.byte_range()].to_string();
    match declaration.kind_name() {
        "lexical_declaration" | "variable_declaration" => {
            let mut cursor = declaration.walk();
            for declarator in declaration.named_children(&mut cursor).filter(|d| d.kind_name() == "variable_declarator") {
                let name = declarator.field("name")?;
                if name.kind_name() != "identifier" {
                    return None; // a destructuring pattern: its names are not worth guessing
                }
                names.insert(text(name));
            }
        }
        "ambient_declaration" => return declared_names(declaration.named_child(0)?, source, names),
        _ => {
            names.insert(text(declaration.field("name")?));
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::test_support::write;

    #[test]
    fn resolves_relative_modules_like_typescript() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "bin/tap.ts", "");
        write(root, "lib/tap-stack.ts", "");
        write(root, "lib/view.tsx", "");
        write(root, "lib/components/index.ts", "");
        write(root, "lib/types.d.ts", "");
        let importer = root.join("bin/tap.ts");
        assert_eq!(resolve_module(&importer, "../lib/tap-stack"), Some(root.join("lib/tap-stack.ts")));
        assert_eq!(resolve_module(&importer, "../lib/tap-stack.js"), Some(root.join("lib/tap-stack.ts")));
        assert_eq!(resolve_module(&importer, "../lib/view"), Some(root.join("lib/view.tsx")));
        assert_eq!(resolve_module(&importer, "../lib/components"), Some(root.join("lib/components/index.ts")));
        assert_eq!(resolve_module(&importer, "../lib/types"), Some(root.join("lib/types.d.ts")));
        assert_eq!(resolve_module(&importer, "../lib/missing"), None);
        assert_eq!(resolve_module(&importer, "@pulumi/aws"), None);
    }

    fn exports(source: &str) -> Option<Vec<String>> {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "m.ts", source);
        read_exports(&dir.path().join("m.ts")).map(|e| {
            let mut names: Vec<String> = e.names.into_iter().collect();
            names.sort();
            names
        })
    }

    #[test]
    fn collects_exported_names() {
        let source = "import * as aws from '@pulumi/aws';\n\
            const bucket = new aws.s3.Bucket('b');\n\
            export const bucketName = bucket.id, other = 1;\n\
            export class TapStack {}\n\
            export function f() {}\n\
            export interface Args {}\n\
            export type T = string;\n\
            export enum E { A }\n\
            export { bucket as theBucket, f as g };\n\
            export * as nested from './nested';\n\
            export default bucket;\n";
        assert_eq!(
            exports(source).unwrap(),
            ["Args", "E", "T", "TapStack", "bucketName", "default", "f", "g", "nested", "other", "theBucket"]
        );
        assert_eq!(exports("const x = 1;\n").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn unknowable_exports() {
        assert_eq!(exports("export * from './other';\n"), None);
        assert_eq!(exports("const x = 1;\nexport = x;\n"), None);
        assert_eq!(exports("export const { a, b } = obj;\n"), None);
        assert_eq!(exports("export const = ;\n"), None);
    }
}
