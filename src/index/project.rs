//! Facts that need the whole project in view: whether an import names the project's own code,
//! how Pulumi (which runs the program from its entry file's directory) spells it, whether the
//! file is the program's entry or one of its modules, and what another module exports.

use super::FileIndex;
use crate::lang::{FieldChild, KindName, named_descendants};
use crate::project::resolve_ts_module;
use tree_sitter::Node;

impl<'t> FileIndex<'t> {
    /// The dotted modules a Python import statement names (`from m import x` → `m`;
    /// `import a.b, c` → `a.b`, `c`); relative imports name none.
    fn imported_dotted_names(&self, statement: Node) -> Vec<&'t str> {
        match statement.kind_name() {
            "import_from_statement" => {
                statement.field("module_name").filter(|m| m.kind_name() == "dotted_name").map(|m| self.text(m)).into_iter().collect()
            }
            "import_statement" => {
                let mut cursor = statement.walk();
                statement
                    .children_by_field_name("name", &mut cursor)
                    .filter_map(|n| if n.kind_name() == "aliased_import" { n.field("name") } else { Some(n) })
                    .map(|n| self.text(n))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// `#project-import?`: a Python import of the project's own code spelled from the project
    /// root (`from lib.components.vpc import Vpc` with `lib/components/vpc.py` below the directory
    /// holding Pulumi.yaml).
    pub fn is_project_import(&self, statement: Node) -> bool {
        let Some(project) = self.context.and_then(|c| c.project.as_deref()) else { return false };
        self.imported_dotted_names(statement).iter().any(|m| project.resolve_python_from_root(m).is_some())
    }

    /// For `from lib.components.vpc import ...` in a project whose program runs from `lib/`: the
    /// module as the program sees it, `components.vpc`. `None` unless the statement is a
    /// `from` import of project code whose path runs through the program directory.
    pub fn program_relative_module(&self, statement: Node) -> Option<String> {
        if statement.kind_name() != "import_from_statement" || !self.is_project_import(statement) {
            return None;
        }
        let project = self.context?.project.as_deref()?;
        let prefix = project.program_dir_segments()?;
        let module = *self.imported_dotted_names(statement).first()?;
        let segments: Vec<&str> = module.split('.').collect();
        let below = segments.strip_prefix(prefix.iter().map(String::as_str).collect::<Vec<_>>().as_slice())?;
        (!prefix.is_empty() && !below.is_empty()).then(|| below.join("."))
    }

    /// `#project-package-import?`: see [`FileIndex::program_relative_module`].
    pub fn is_project_package_import(&self, statement: Node) -> bool {
        self.program_relative_module(statement).is_some()
    }

    /// `#entry-module?`: the file is the one Pulumi runs (Pulumi.yaml `main`, or its default).
    pub fn is_entry_module(&self) -> bool {
        self.context.is_some_and(|c| c.is_entry_module())
    }

    /// `#pulumi-aws-version?`: the pulumi-aws major version of the file's program, if known.
    pub fn aws_major(&self) -> Option<u32> {
        self.context.and_then(|c| c.aws_major())
    }

    /// `#program-module?`: the file is the entry module or a project module it imports.
    pub fn is_program_module(&self) -> bool {
        self.context.is_some_and(|c| c.is_program_module())
    }

    /// How many directories the program directory lies below the project root (`lib/` → 1).
    pub fn program_dir_depth(&self) -> Option<usize> {
        self.context?.project.as_deref()?.program_dir_segments().map(|s| s.len())
    }

    /// The local name a node stands for: an import specifier's alias or name, else its text.
    fn local_name(&self, node: Node) -> &'t str {
        match node.kind_name() {
            "import_specifier" => node.field("alias").or_else(|| node.field("name")).map_or("", |n| self.text(n)),
            _ => self.text(node),
        }
    }

    /// `#missing-export?`: the import specifier or identifier is a name imported from a relative
    /// module of the project that, as far as its file shows, does not export it.
    pub fn is_missing_export(&self, node: Node) -> bool {
        let Some(context) = self.context else { return false };
        let Some((specifier, imported)) = self.relative_imports.get(self.local_name(node)) else { return false };
        let Some(file) = resolve_ts_module(&context.path, specifier) else { return false };
        context.workspace.exports_of(&file).is_some_and(|exports| !exports.contains(imported))
    }

    /// `#only-constructed?`: every use of the name in the file, but its import, is `new Name(...)`
    /// standing as a statement of its own, its result unused.
    pub fn is_only_constructed(&self, node: Node) -> bool {
        let name = self.local_name(node);
        named_descendants(self.root, |n| n.kind_name() != "import_statement").all(|node| {
            if !matches!(node.kind_name(), "identifier" | "type_identifier" | "shorthand_property_identifier") || self.text(node) != name {
                return true;
            }
            let constructed = node.parent().filter(|p| p.kind_name() == "new_expression" && p.field("constructor") == Some(node));
            constructed.and_then(|n| n.parent()).is_some_and(|s| s.kind_name() == "expression_statement")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::FileIndex;
    use crate::lang::{Grammar, parse};
    use crate::project::{FileContext, Workspace};
    use std::path::Path;

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn statement_facts(root: &Path, file: &str, source: &str) -> Vec<(bool, Option<String>)> {
        let workspace = Workspace::default();
        let context = FileContext::new(&root.join(file), &workspace);
        let tree = parse(Grammar::Python, source);
        let index = FileIndex::build_in(Grammar::Python, &tree, source, Some(&context));
        let mut cursor = tree.root_node().walk();
        let statements: Vec<_> = tree.root_node().named_children(&mut cursor).collect();
        statements.into_iter().map(|s| (index.is_project_import(s), index.program_relative_module(s))).collect()
    }

    #[test]
    fn project_imports_and_their_program_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "Pulumi.yaml", "name: tap\nruntime: python\nmain: lib/tap_stack.py\n");
        write(root, "lib/tap_stack.py", "");
        write(root, "lib/components/vpc.py", "");
        write(root, "shared/tags.py", "");
        let source = "import pulumi\nfrom lib.components.vpc import Vpc as V\nimport lib.components.vpc\nfrom shared.tags import TAGS\nfrom .x import y\nfrom components.vpc import Vpc\n";
        assert_eq!(
            statement_facts(root, "lib/tap_stack.py", source),
            [
                (false, None),
                (true, Some("components.vpc".into())),
                (true, None), // `import lib.x` binds `lib`: no spelling without it
                (true, None), // outside the program directory
                (false, None),
                (false, None), // already the program's spelling
            ]
        );
    }

    #[test]
    fn a_program_at_the_root_needs_no_other_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "Pulumi.yaml", "name: tap\nruntime: python\nmain: tap.py\n");
        write(root, "tap.py", "");
        write(root, "lib/tap_stack.py", "");
        assert_eq!(statement_facts(root, "tap.py", "from lib.tap_stack import TapStack\n"), [(true, None)]);
    }

    #[test]
    fn missing_exports_and_constructions() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "lib/tap-stack.ts", "export const bucketName = 'b';\n");
        let source = "import { TapStack, bucketName } from '../lib/tap-stack';\nimport { Other } from '../lib/missing';\nnew TapStack('x', {});\nconsole.log(bucketName);\n";
        let workspace = Workspace::default();
        let context = FileContext::new(&root.join("bin/tap.ts"), &workspace);
        let tree = parse(Grammar::TypeScript, source);
        let index = FileIndex::build_in(Grammar::TypeScript, &tree, source, Some(&context));
        let node = |name: &str| {
            let at = source.find(name).unwrap();
            tree.root_node().descendant_for_byte_range(at, at + name.len()).unwrap()
        };
        assert!(index.is_missing_export(node("TapStack")));
        assert!(!index.is_missing_export(node("bucketName")));
        assert!(!index.is_missing_export(node("Other")), "an unresolvable module proves nothing");
        assert!(index.is_only_constructed(node("TapStack")));
        assert!(!index.is_only_constructed(node("bucketName")));
    }
}
