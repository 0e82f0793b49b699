//! Python modules of a project: resolving a dotted module name to a file, and the set of modules
//! the program runs (the entry module and the project modules it imports, transitively).

use super::Project;
use crate::lang::{FieldChild, Grammar, KindName, named_descendants, parse};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use tree_sitter::Node;

/// The file (`a/b.py`, `a/b/__init__.py`) or namespace package directory (`a/b/`) that the
/// dotted module `a.b` names below `base`.
pub fn resolve_module(base: &Path, dotted: &str) -> Option<PathBuf> {
    if dotted.is_empty() || dotted.split('.').any(|s| s.is_empty() || !s.chars().all(|c| c.is_alphanumeric() || c == '_')) {
        return None;
    }
    let path = dotted.split('.').fold(base.to_path_buf(), |p, segment| p.join(segment));
    let file = path.with_extension("py");
    if file.is_file() {
        return Some(file);
    }
    if path.is_dir() {
        let init = path.join("__init__.py");
        return Some(if init.is_file() { init } else { path });
    }
    None
}

/// The modules an import statement may load, as (dotted name, relative level): for
/// `from a.b import c, d` that is `a.b`, `a.b.c`, `a.b.d` (a name may be a submodule); for
/// `from ..x import y`, level 2.
fn imported_modules(statement: Node, source: &str) -> Vec<(String, usize)> {
    let text = |n: Node| source[n.byte_range()].to_string();
    let mut out = Vec::new();
    let mut cursor = statement.walk();
    match statement.kind_name() {
        "import_statement" => {
            for name in statement.children_by_field_name("name", &mut cursor) {
                let module = if name.kind_name() == "aliased_import" { name.field("name") } else { Some(name) };
                out.extend(module.map(|m| (text(m), 0)));
            }
        }
        "import_from_statement" => {
            let Some(module) = statement.field("module_name") else { return out };
            let (dotted, level) = match module.kind_name() {
                "relative_import" => {
                    let written = text(module);
                    let level = written.len() - written.trim_start_matches('.').len();
                    (written.trim_start_matches('.').to_string(), level)
                }
                _ => (text(module), 0),
            };
            for name in statement.children_by_field_name("name", &mut cursor) {
                let imported = if name.kind_name() == "aliased_import" { name.field("name") } else { Some(name) };
                if let Some(imported) = imported {
                    let joined = if dotted.is_empty() { text(imported) } else { format!("{dotted}.{}", text(imported)) };
                    out.push((joined, level));
                }
            }
            if !dotted.is_empty() {
                out.push((dotted, level));
            }
        }
        _ => {}
    }
    out
}

/// Every import statement of a module, at any depth (imports inside `try`, `if` and functions
/// run too).
fn import_statements<'t>(root: Node<'t>) -> Vec<Node<'t>> {
    let is_import = |n: Node| matches!(n.kind_name(), "import_statement" | "import_from_statement");
    named_descendants(root, |n| !is_import(n)).filter(|n| is_import(*n)).collect()
}

/// The program's Python files: the entry module and, transitively, the project modules it imports
/// — spelled from the project root or from the program directory (a fixed file may already use
/// either), or relatively — with the `__init__.py` of every package on the way.
pub fn program_modules(project: &Project) -> HashSet<PathBuf> {
    let mut seen = HashSet::new();
    let (Some(entry), Some(program_dir)) = (project.entry_file(), project.program_dir()) else { return seen };
    let mut pending = vec![entry];
    while let Some(file) = pending.pop() {
        if !file.starts_with(&project.root) || !seen.insert(file.clone()) {
            continue;
        }
        let Ok(source) = std::fs::read_to_string(&file) else { continue };
        let tree = parse(Grammar::Python, &source);
        let here = file.parent().unwrap_or(&project.root).to_path_buf();
        for statement in import_statements(tree.root_node()) {
            for (dotted, level) in imported_modules(statement, &source) {
                let bases: Vec<PathBuf> = match level {
                    0 => vec![project.root.clone(), program_dir.clone()],
                    _ => here.ancestors().nth(level - 1).map(Path::to_path_buf).into_iter().collect(),
                };
                for base in bases {
                    // Importing `a.b.c` runs `a/__init__.py` and `a/b/__init__.py` as well.
                    let segments: Vec<&str> = dotted.split('.').collect();
                    for depth in 1..=segments.len() {
                        let module = resolve_module(&base, &segments[..depth].join("."));
                        pending.extend(module.filter(|path| path.is_file()));
                    }
                }
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::test_support::write;

    #[test]
    fn resolves_modules_packages_and_namespace_directories() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "lib/components/vpc.py", "");
        write(root, "lib/components/__init__.py", "");
        assert_eq!(resolve_module(root, "lib.components.vpc"), Some(root.join("lib/components/vpc.py")));
        assert_eq!(resolve_module(root, "lib.components"), Some(root.join("lib/components/__init__.py")));
        assert_eq!(resolve_module(root, "lib"), Some(root.join("lib")));
        assert_eq!(resolve_module(root, "lib.components.alb"), None);
        assert_eq!(resolve_module(root, "pulumi_aws"), None);
        assert_eq!(resolve_module(root, "lib..vpc"), None);
    }

    #[test]
    fn program_modules_follow_imports_from_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let root = super::super::absolute(dir.path());
        write(&root, "Pulumi.yaml", "name: t\nruntime: python\nmain: lib/tap_stack.py\n");
        write(&root, "lib/tap_stack.py", "import pulumi\ntry:\n    from components.vpc import Vpc\nexcept ModuleNotFoundError:\n    from lib.components.vpc import Vpc\nfrom lib.components import alb\n");
        write(&root, "lib/components/__init__.py", "");
        write(&root, "lib/components/vpc.py", "from .base import Base\n");
        write(&root, "lib/components/base.py", "");
        write(&root, "lib/components/alb.py", "def f():\n    from lib.util import helper\n");
        write(&root, "lib/util.py", "");
        write(&root, "lib/unused.py", "");
        write(&root, "tests/test_stack.py", "from lib.tap_stack import *\n");
        let project = Project::load(&root, &root.join("Pulumi.yaml")).unwrap();
        let mut modules: Vec<String> =
            program_modules(&project).iter().map(|p| p.strip_prefix(&root).unwrap().display().to_string()).collect();
        modules.sort();
        assert_eq!(
            modules,
            ["lib/components/__init__.py", "lib/components/alb.py", "lib/components/base.py", "lib/components/vpc.py", "lib/tap_stack.py", "lib/util.py"]
        );
    }
}
