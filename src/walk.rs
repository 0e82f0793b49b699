//! Finding the files to read: a parallel, `.gitignore`-aware walk that skips dependency and build
//! directories and never follows symbolic links.

use crate::lang::Grammar;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Directories that hold dependencies or build output, never hand-written Pulumi programs.
pub const SKIPPED_DIRS: &[&str] = &["node_modules", ".venv", "venv", ".git", "dist", "build", "__pycache__", ".tox"];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkedFile {
    pub path: PathBuf,
    pub display: String,
    pub grammar: Grammar,
}

/// A path that could not be walked, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkProblem {
    pub display: String,
    pub message: String,
    pub is_error: bool,
}

/// The path as reports print it: relative to the working directory when it is below it.
pub fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir().ok().and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf));
    let shown = relative.unwrap_or_else(|| path.to_path_buf());
    let shown = shown.strip_prefix("./").map(Path::to_path_buf).unwrap_or(shown);
    shown.to_string_lossy().replace('\\', "/")
}

/// Tells whether a path (and whether it is a directory) is excluded by the configuration.
pub type ExcludeFn<'a> = &'a (dyn Fn(&Path, bool) -> bool + Sync);

/// Walks `roots` (files or directories) with `threads` threads, leaving out what `excluded`
/// says (named roots too, so that pre-commit's file lists honour the configuration); results
/// are sorted by path so that reports are the same from run to run.
pub fn walk(roots: &[PathBuf], threads: usize, excluded: ExcludeFn) -> (Vec<WalkedFile>, Vec<WalkProblem>) {
    let files = Mutex::new(Vec::new());
    let problems = Mutex::new(Vec::new());
    let mut directories = Vec::new();
    for root in roots {
        let display = display_path(root);
        match std::fs::symlink_metadata(root) {
            Err(e) => problems.lock().unwrap().push(WalkProblem { display, message: format!("cannot read: {e}"), is_error: true }),
            Ok(meta) if meta.file_type().is_symlink() => problems.lock().unwrap().push(WalkProblem {
                display,
                message: "is a symbolic link; pulumi-fix never reads or writes through links, pass the file it points to".into(),
                is_error: false,
            }),
            Ok(meta) if excluded(root, meta.is_dir()) => {}
            Ok(meta) if meta.is_dir() => directories.push(root.clone()),
            Ok(meta) if !meta.is_file() => problems.lock().unwrap().push(WalkProblem {
                display,
                message: "not a regular file (a FIFO, socket or device); skipped".into(),
                is_error: false,
            }),
            Ok(_) => match Grammar::for_path(root) {
                Some(grammar) => files.lock().unwrap().push(WalkedFile { path: root.clone(), display, grammar }),
                None => problems.lock().unwrap().push(WalkProblem {
                    display,
                    message: "not a Python, TypeScript or Pulumi YAML file; skipped".into(),
                    is_error: false,
                }),
            },
        }
    }
    if let Some((first, rest)) = directories.split_first() {
        let mut builder = ignore::WalkBuilder::new(first);
        for dir in rest {
            builder.add(dir);
        }
        builder
            .threads(threads.max(1))
            .require_git(false)
            .follow_links(false)
            .filter_entry(|entry| !(entry.file_type().is_some_and(|t| t.is_dir()) && SKIPPED_DIRS.iter().any(|d| entry.file_name() == *d)));
        builder.build_parallel().run(|| {
            Box::new(|entry| {
                match entry {
                    // Skipping an excluded directory here prunes its whole subtree.
                    Ok(entry) if entry.depth() > 0 && excluded(entry.path(), entry.file_type().is_some_and(|t| t.is_dir())) => {
                        return ignore::WalkState::Skip;
                    }
                    Ok(entry) => {
                        let is_file = entry.file_type().is_some_and(|t| t.is_file());
                        if let (true, Some(grammar)) = (is_file, Grammar::for_path(entry.path())) {
                            let path = entry.path().to_path_buf();
                            let display = display_path(&path);
                            files.lock().unwrap().push(WalkedFile { path, display, grammar });
                        }
                    }
                    Err(e) => problems.lock().unwrap().push(walk_error(&e)),
                }
                ignore::WalkState::Continue
            })
        });
    }
    let mut files = files.into_inner().unwrap();
    files.sort();
    files.dedup_by(|a, b| a.path == b.path);
    let mut problems = problems.into_inner().unwrap();
    problems.sort_by(|a, b| a.display.cmp(&b.display));
    (files, problems)
}

fn walk_error(error: &ignore::Error) -> WalkProblem {
    let path = match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } => match err.as_ref() {
            ignore::Error::WithPath { path, .. } => Some(path.clone()),
            _ => None,
        },
        _ => None,
    };
    let display = path.as_deref().map(display_path).unwrap_or_else(|| "<walk>".into());
    WalkProblem { display, message: format!("cannot read: {}", error), is_error: true }
}
