//! The project view: which Pulumi project a file belongs to (the nearest directory above it that
//! holds `Pulumi.yaml`), what that file says (`name`, `runtime`, `main`), and facts about the
//! project's other modules (what a TypeScript module exports, which Python modules the program
//! runs). Everything is read lazily, once per run, and shared by all worker threads.

mod python;
mod typescript;
mod versions;

pub use typescript::{Exports, resolve_module as resolve_ts_module};
pub use versions::Ecosystem;

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The project file names the Pulumi CLI looks for, in its order.
const PROJECT_FILES: &[&str] = &["Pulumi.yaml", "Pulumi.yml"];

/// A Pulumi project: its root directory and what its project file says.
#[derive(Debug)]
pub struct Project {
    /// The absolute directory holding the project file.
    pub root: PathBuf,
    pub name: Option<String>,
    /// `runtime: python` or `runtime: {name: python, ...}`.
    pub runtime: Option<String>,
    /// `main:` as written: a file or a directory, relative to the root.
    pub main: Option<String>,
    /// Python: the files the program runs, computed on first use.
    program_modules: OnceLock<HashSet<PathBuf>>,
}

impl Project {
    /// Reads the project file `file` of directory `root`; `None` when it is unreadable or not YAML
    /// (the CLI would refuse it too; that is not ours to fix here).
    pub fn load(root: &Path, file: &Path) -> Option<Project> {
        let text = std::fs::read_to_string(file).ok()?;
        Project::parse(root, &text)
    }

    pub fn parse(root: &Path, text: &str) -> Option<Project> {
        let documents = yaml_rust2::YamlLoader::load_from_str(text).ok()?;
        let document = documents.into_iter().next()?;
        let scalar = |v: &yaml_rust2::Yaml| v.as_str().map(str::to_string);
        let runtime = scalar(&document["runtime"]).or_else(|| scalar(&document["runtime"]["name"]));
        Some(Project {
            root: root.to_path_buf(),
            name: scalar(&document["name"]),
            runtime,
            main: scalar(&document["main"]),
            program_modules: OnceLock::new(),
        })
    }

    fn is_runtime(&self, runtime: &str) -> bool {
        self.runtime.as_deref() == Some(runtime)
    }

    /// The file Pulumi runs: `main` when it names a file; the `__main__.py` (Python) or the
    /// `package.json` `main` / `index.ts` (Node.js) of `main`'s directory, or of the root.
    pub fn entry_file(&self) -> Option<PathBuf> {
        let base = normalize(&self.root.join(self.main.as_deref().unwrap_or(".")));
        if base.is_file() {
            return Some(base);
        }
        if self.is_runtime("python") {
            return Some(base.join("__main__.py"));
        }
        if self.is_runtime("nodejs") {
            return typescript::package_entry(&base);
        }
        None
    }

    /// The directory Pulumi runs the program from: the entry file's directory.
    pub fn program_dir(&self) -> Option<PathBuf> {
        self.entry_file().and_then(|entry| entry.parent().map(Path::to_path_buf))
    }

    /// The program directory relative to the root, as path segments (`["lib"]`); empty when the
    /// program runs from the root; `None` when it lies outside it.
    pub fn program_dir_segments(&self) -> Option<Vec<String>> {
        let dir = self.program_dir()?;
        let relative = dir.strip_prefix(&self.root).ok()?;
        Some(relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect())
    }

    /// Python: the module file or package directory that `dotted` names from the project root.
    pub fn resolve_python_from_root(&self, dotted: &str) -> Option<PathBuf> {
        python::resolve_module(&self.root, dotted)
    }

    /// Python: is `file` part of the program Pulumi runs — the entry module, or a project module
    /// it imports, directly or through other project modules?
    pub fn is_program_module(&self, file: &Path) -> bool {
        self.is_runtime("python") && self.program_modules.get_or_init(|| python::program_modules(self)).contains(file)
    }
}

/// Shared by every thread of a run: the projects found so far (by directory), the exports of
/// the TypeScript modules read so far (by file) and the pulumi-aws versions (by directory).
#[derive(Default)]
pub struct Workspace {
    projects: Mutex<HashMap<PathBuf, Option<Arc<Project>>>>,
    exports: Mutex<HashMap<PathBuf, Option<Arc<Exports>>>>,
    /// The pulumi-aws major version the run targets (`--target-pulumi-aws`, `--upgrade`, the
    /// configuration): it replaces what the manifests say.
    target_aws_major: Option<u32>,
    aws_majors: Mutex<HashMap<(PathBuf, Ecosystem), Option<u32>>>,
}

impl Workspace {
    pub fn with_target_aws_major(target_aws_major: Option<u32>) -> Workspace {
        Workspace { target_aws_major, ..Workspace::default() }
    }

    /// The pulumi-aws major version `file`'s program uses: the run's target, else what the
    /// nearest manifest above the file that names pulumi-aws says (see `versions.rs`).
    pub fn aws_major_for(&self, file: &Path) -> Option<u32> {
        if self.target_aws_major.is_some() {
            return self.target_aws_major;
        }
        let ecosystem = Ecosystem::of(file)?;
        let file = absolute(file);
        let mut visited = Vec::new();
        let mut found = None;
        for dir in file.ancestors().skip(1) {
            let key = (dir.to_path_buf(), ecosystem);
            if let Some(known) = self.aws_majors.lock().unwrap().get(&key) {
                found = *known;
                break;
            }
            visited.push(key);
            found = versions::aws_major_in(dir, ecosystem);
            if found.is_some() {
                break;
            }
        }
        let mut known = self.aws_majors.lock().unwrap();
        for key in visited {
            known.entry(key).or_insert(found);
        }
        found
    }

    /// The project of `file`: the nearest directory above it with a project file.
    pub fn project_for(&self, file: &Path) -> Option<Arc<Project>> {
        let file = absolute(file);
        let mut visited = Vec::new();
        let mut found = None;
        for dir in file.ancestors().skip(1) {
            if let Some(known) = self.projects.lock().unwrap().get(dir) {
                found = known.clone();
                break;
            }
            visited.push(dir.to_path_buf());
            if let Some(project_file) = PROJECT_FILES.iter().map(|name| dir.join(name)).find(|p| p.is_file()) {
                found = Project::load(dir, &project_file).map(Arc::new);
                break;
            }
        }
        let mut projects = self.projects.lock().unwrap();
        for dir in visited {
            projects.entry(dir).or_insert_with(|| found.clone());
        }
        found
    }

    /// What the TypeScript module `file` exports; `None` when that cannot be known (unreadable,
    /// does not parse, `export *` or `export =`).
    pub fn exports_of(&self, file: &Path) -> Option<Arc<Exports>> {
        if let Some(known) = self.exports.lock().unwrap().get(file) {
            return known.clone();
        }
        // Read outside the lock; two threads may both read a file, the result is the same.
        let exports = typescript::read_exports(file).map(Arc::new);
        self.exports.lock().unwrap().entry(file.to_path_buf()).or_insert(exports).clone()
    }
}

/// What the engine knows about the file it is fixing beyond its text.
pub struct FileContext<'w> {
    /// The file's absolute path.
    pub path: PathBuf,
    pub project: Option<Arc<Project>>,
    pub workspace: &'w Workspace,
    /// The pulumi-aws major version, looked up on first use: the pre-filter's version gates ask
    /// for it once per upgrade rule.
    aws_major: OnceCell<Option<u32>>,
}

impl<'w> FileContext<'w> {
    pub fn new(path: &Path, workspace: &'w Workspace) -> FileContext<'w> {
        let path = absolute(path);
        FileContext { project: workspace.project_for(&path), path, workspace, aws_major: OnceCell::new() }
    }

    pub fn is_entry_module(&self) -> bool {
        self.project.as_ref().and_then(|p| p.entry_file()).is_some_and(|entry| entry == self.path)
    }

    pub fn is_program_module(&self) -> bool {
        self.project.as_ref().is_some_and(|p| p.is_program_module(&self.path))
    }

    pub fn aws_major(&self) -> Option<u32> {
        *self.aws_major.get_or_init(|| self.workspace.aws_major_for(&self.path))
    }
}

impl crate::spec::FileFacts for FileContext<'_> {
    fn in_project(&self) -> bool {
        self.project.is_some()
    }
    fn program_below_root(&self) -> bool {
        self.project.as_ref().and_then(|p| p.program_dir_segments()).is_some_and(|segments| !segments.is_empty())
    }
    fn is_entry_module(&self) -> bool {
        FileContext::is_entry_module(self)
    }
    fn is_program_module(&self) -> bool {
        FileContext::is_program_module(self)
    }
    fn aws_major(&self) -> Option<u32> {
        FileContext::aws_major(self)
    }
}

/// `path` made absolute against the working directory, with `.` and `..` resolved lexically
/// (links are not followed: the walk never follows them either).
pub fn absolute(path: &Path) -> PathBuf {
    normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Files for the tests of the project view.
#[cfg(test)]
mod test_support {
    use std::path::Path;

    pub fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_support::write;

    #[test]
    fn parses_runtime_in_both_forms_and_main() {
        let root = Path::new("/p");
        let short = Project::parse(root, "name: tap\nruntime: python\nmain: lib/tap_stack.py\n").unwrap();
        assert_eq!((short.name.as_deref(), short.runtime.as_deref(), short.main.as_deref()), (Some("tap"), Some("python"), Some("lib/tap_stack.py")));
        let long = Project::parse(root, "name: tap\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n").unwrap();
        assert_eq!((long.runtime.as_deref(), long.main), (Some("nodejs"), None));
        assert!(Project::parse(root, "name: [unclosed\n").is_none());
    }

    #[test]
    fn entry_file_and_program_dir() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "lib/tap_stack.py", "");
        write(root, "lib/__main__.py", "");
        let file_main = Project::parse(root, "name: t\nruntime: python\nmain: lib/tap_stack.py\n").unwrap();
        assert_eq!(file_main.entry_file(), Some(root.join("lib/tap_stack.py")));
        assert_eq!(file_main.program_dir_segments(), Some(vec!["lib".to_string()]));
        let dir_main = Project::parse(root, "name: t\nruntime: python\nmain: ./lib/\n").unwrap();
        assert_eq!(dir_main.entry_file(), Some(root.join("lib/__main__.py")));
        let no_main = Project::parse(root, "name: t\nruntime: python\n").unwrap();
        assert_eq!(no_main.entry_file(), Some(root.join("__main__.py")));
        assert_eq!(no_main.program_dir_segments(), Some(vec![]));
    }

    #[test]
    fn nearest_project_file_wins_and_is_cached() {
        let dir = tempfile::tempdir().unwrap();
        let root = absolute(dir.path());
        write(&root, "Pulumi.yaml", "name: outer\nruntime: python\n");
        write(&root, "inner/Pulumi.yml", "name: inner\nruntime: nodejs\n");
        write(&root, "inner/src/index.ts", "");
        write(&root, "lib/x.py", "");
        let workspace = Workspace::default();
        let inner = workspace.project_for(&root.join("inner/src/index.ts")).unwrap();
        assert_eq!((inner.name.as_deref(), inner.root.clone()), (Some("inner"), root.join("inner")));
        let outer = workspace.project_for(&root.join("lib/x.py")).unwrap();
        assert_eq!(outer.name.as_deref(), Some("outer"));
        // A second file of the directory reuses the cached answer.
        assert!(Arc::ptr_eq(&outer, &workspace.project_for(&root.join("lib/y.py")).unwrap()));
    }
}
