//! Whole programs — the bundled `examples/` and `tests/fixtures/programs/` — fixed by the whole
//! catalog together: the diff is an insta snapshot (under `snapshots/`), `--write` gives the same
//! bytes as applying the dry-run diff, and a second run changes nothing.

mod common;

use common::*;
use std::fs;
use std::path::Path;

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
        // Exit code 1: fixes pending or findings (a findings-only program prints no diff).
        assert_eq!(dry.code, 1, "{name}: every bundled program has something to fix or report");
        assert!(!dry.stdout.is_empty() || !dry.stderr.is_empty(), "{name}: nothing reported");

        let write = run_in(work.path(), &["--write", "--unsafe-fixes", "--quiet"]);
        assert_ne!(write.code, 2, "{name}: {}", write.stderr);
        let again = run_in(work.path(), &["--dry-run", "--unsafe-fixes", "--quiet"]);
        assert_eq!(again.stdout, "", "{name}: a second run must change nothing");
    }
}

/// The Pulumi CLI's rule for `Pulumi.yaml`: a config key namespaced by another package than the
/// project must not declare a `default`.
fn cli_config_violations(pulumi_yaml: &str) -> Vec<String> {
    let documents = yaml_rust2::YamlLoader::load_from_str(pulumi_yaml).expect("Pulumi.yaml parses as YAML");
    let project = &documents[0];
    let name = project["name"].as_str().expect("Pulumi.yaml has a name").to_string();
    let mut violations = Vec::new();
    if let Some(config) = project["config"].as_hash() {
        for (key, value) in config {
            let key = key.as_str().unwrap_or_default();
            let foreign = key.split_once(':').is_some_and(|(namespace, _)| namespace != name);
            if foreign && !value["default"].is_badvalue() {
                violations.push(format!("Configuration key '{key}' is not namespaced by the project and should not define a default value"));
            }
        }
    }
    violations
}

#[test]
fn fixed_pulumi_yaml_passes_the_cli_config_rule() {
    let mut checked = 0;
    for dir in program_dirs() {
        let original = fs::read_to_string(dir.join("Pulumi.yaml")).unwrap();
        let work = tempfile::tempdir().unwrap();
        copy_tree(&dir, work.path());
        assert_ne!(run_in(work.path(), &["--write", "--quiet"]).code, 2);
        let fixed = fs::read_to_string(work.path().join("Pulumi.yaml")).unwrap();
        assert_eq!(cli_config_violations(&fixed), Vec::<String>::new(), "{}", dir.display());
        if !cli_config_violations(&original).is_empty() {
            checked += 1;
        }
    }
    assert!(checked >= 1, "at least one fixture must violate the rule before fixing");
}

/// Programs that already use Outputs (and everything else) correctly: nothing to do.
#[test]
fn correct_programs_are_left_alone() {
    let root = repo_root().join("tests/fixtures/correct");
    let run = run_in(&root, &["--dry-run", "--unsafe-fixes"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    assert!(run.stderr.contains("Scanned 4 files"), "{}", run.stderr);
}
