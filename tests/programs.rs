//! Whole programs — the bundled `examples/` and `tests/fixtures/programs/` — fixed by the whole
//! catalog together: the diff is an insta snapshot (under `snapshots/`), `--write` gives the same
//! bytes as applying the dry-run diff, and a second run changes nothing.

mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};

/// Every program directory: one with a `Pulumi.yaml`, below `examples/` and the fixtures.
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

fn label(dir: &Path) -> String {
    let parent = dir.parent().unwrap().file_name().unwrap().to_string_lossy().replace("programs", "fixtures");
    format!("{parent}__{}", dir.file_name().unwrap().to_string_lossy())
}

#[test]
fn whole_programs_are_fixed_as_snapshotted_and_idempotent() {
    let dirs = program_dirs();
    assert!(dirs.len() >= 2, "expected bundled example programs and fixtures, found {dirs:?}");
    for dir in dirs {
        let name = label(&dir);
        let work = tempfile::tempdir().unwrap();
        copy_tree(&dir, work.path());

        let dry = run_in(work.path(), &["--dry-run", "--unsafe-fixes", "--quiet"]);
        assert_ne!(dry.code, 2, "{name}: {}", dry.stderr);
        let report = format!("exit code {}\n{}\n--- findings and problems ---\n{}", dry.code, dry.stdout, dry.stderr);
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name.clone(), report);
        });
        assert!(!dry.stdout.is_empty(), "{name}: every bundled program has something to fix");

        let write = run_in(work.path(), &["--write", "--unsafe-fixes", "--quiet"]);
        assert_ne!(write.code, 2, "{name}: {}", write.stderr);
        let again = run_in(work.path(), &["--dry-run", "--unsafe-fixes", "--quiet"]);
        assert_eq!(again.stdout, "", "{name}: a second run must change nothing");
    }
}
