//! Helpers shared by the integration tests: run the real binary in a scratch directory.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_pulumi-fix")
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Runs `pulumi-fix ARGS` with `dir` as the working directory.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    Command::new(binary()).args(args).current_dir(dir).env("NO_COLOR", "1").output().expect("run pulumi-fix").into()
}

/// Like [`run_in`], with the environment variables `env` set (`Some`) or removed (`None`),
/// outside CI and without NO_COLOR unless `env` sets them.
pub fn run_with_env(dir: &Path, args: &[&str], env: &[(&str, Option<&str>)]) -> Run {
    let mut command = Command::new(binary());
    command.args(args).current_dir(dir).env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE").env_remove("CI");
    for (name, value) in env {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command.output().expect("run pulumi-fix").into()
}

/// A copy of `tests/fixtures/<name>` in a new temporary directory.
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo_root().join("tests/fixtures").join(name), dir.path());
    dir
}

/// Writes `files` (relative path, content) under a new temporary directory.
pub fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        write(dir.path(), path, content.as_bytes());
    }
    dir
}

pub fn write(root: &Path, relative: &str, bytes: &[u8]) {
    let path = root.join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// Copies a directory tree (files only, no links).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walk_files(from) {
        let relative = entry.strip_prefix(from).unwrap();
        let target = to.join(relative);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::copy(&entry, &target).unwrap();
    }
}

/// Every file below `root`, sorted.
pub fn walk_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// (relative path, bytes) of every file below `root`.
pub fn snapshot_tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    walk_files(root).into_iter().map(|p| (p.strip_prefix(root).unwrap().display().to_string(), fs::read(&p).unwrap())).collect()
}

pub fn git(dir: &Path, args: &[&str]) -> Run {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .output()
        .expect("run git")
        .into()
}

/// Every bundled program: a directory with a `Pulumi.yaml` below `examples/` or
/// `tests/fixtures/programs/`.
pub fn program_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for parent in ["examples", "tests/fixtures/programs"] {
        let Ok(entries) = fs::read_dir(repo_root().join(parent)) else { continue };
        for entry in entries.flatten() {
            if entry.path().join("Pulumi.yaml").exists() {
                dirs.push(entry.path());
            }
        }
    }
    dirs.sort();
    dirs
}

/// The real SDKs under `target/sdk/`, installed by `tests/sdk/setup.sh` on first use (instant
/// when already installed). Panics with the installer's output when it cannot install them.
pub fn sdk_root() -> PathBuf {
    static SETUP: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let result = SETUP.get_or_init(|| {
        let output = Command::new("bash").arg(repo_root().join("tests/sdk/setup.sh")).output().map_err(|e| e.to_string())?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)))
        }
    });
    if let Err(message) = result {
        panic!("tests/sdk/setup.sh failed; the real-SDK checks need Python 3 with venv, Node.js and npm:\n{message}");
    }
    repo_root().join("target/sdk")
}

pub mod pipeline;
