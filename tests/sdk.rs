//! The real check: programs fixed by pulumi-fix work with the real Pulumi SDKs.
//!
//! Python programs run under Pulumi's mocks with pulumi + pulumi-aws 7 from PyPI
//! (`tests/sdk/check_python.py`: no exception, no "Calling __str__ on an Output" text in any
//! input or export — base64-decoded too — and no deprecated input); TypeScript programs
//! type-check with `strict: true` against @pulumi/pulumi + @pulumi/aws 7 from npm
//! (`tests/sdk/check_ts.mjs`: no compile error, no Output in a template literal, string `+` or
//! `JSON.stringify`, no `@deprecated` property). Every bundled program must FAIL its check as
//! written — so the check can fail — and PASS once fixed. A program that pins pulumi-aws 6
//! (`requirements.txt`, `package.json`) is checked against pulumi-aws 6 (`py-aws6`, `node-aws6`). `tests/sdk/setup.sh` installs the SDKs
//! under `target/sdk/` the first time (about 90 s) and is instant afterwards.

mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Programs whose mistake no SDK check can see before a deployment: a missing `depends_on`
/// (seed 004 #6 fails only against the real API), a missing `registerOutputs` (seed 001 #4), a
/// reserved Route 53 domain or a replica without its KMS key (seed 003 #1, #8: findings, no fix,
/// snapshotted in `tests/programs.rs`). They must still pass once fixed; the fixes are asserted
/// in `tests/project_sdk.rs`.
const ONLY_SEEN_WHEN_DEPLOYED: &[&str] = &["python-apigateway", "python-dr-findings", "typescript-apigateway", "typescript-component-outputs"];

fn fails_visibly(dir: &Path) -> bool {
    !ONLY_SEEN_WHEN_DEPLOYED.iter().any(|name| dir.ends_with(name))
}

fn is_typescript(dir: &Path) -> bool {
    walk_files(dir).iter().any(|f| f.extension().is_some_and(|e| e == "ts"))
}

/// The pulumi-aws major version a program pins: the first number after `pulumi-aws` in its
/// `requirements.txt` or `@pulumi/aws` in its `package.json`; 7 when it pins none.
fn aws_major(dir: &Path) -> u32 {
    let pinned = |file: &str, package: &str| {
        let text = fs::read_to_string(dir.join(file)).ok()?;
        let after = &text[text.find(package)? + package.len()..];
        let digits: String = after.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    };
    pinned("requirements.txt", "pulumi-aws").or_else(|| pinned("package.json", "@pulumi/aws")).unwrap_or(7)
}

/// (passed, report) of the Python check of one program with the venv of the pulumi-aws it pins.
fn check_python(dir: &Path) -> (bool, String) {
    let python = sdk_root().join(format!("py-aws{}/bin/python", aws_major(dir)));
    let output = Command::new(python)
        .arg(repo_root().join("tests/sdk/check_python.py"))
        .arg("--program-dir")
        .arg(dir)
        .output()
        .expect("run check_python.py");
    let code = output.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "check_python.py failed to run on {}:\n{}", dir.display(), String::from_utf8_lossy(&output.stderr));
    (code == 0, String::from_utf8_lossy(&output.stdout).into_owned())
}

/// (passed, report) of the TypeScript check of `dirs`: one compiler run per pulumi-aws major
/// version they pin, with its packages.
fn check_typescript(dirs: &[PathBuf]) -> (bool, String) {
    let mut majors: Vec<u32> = dirs.iter().map(|d| aws_major(d)).collect();
    majors.sort_unstable();
    majors.dedup();
    let (mut passed, mut reports) = (true, String::new());
    for major in majors {
        let output = Command::new("node")
            .arg(repo_root().join("tests/sdk/check_ts.mjs"))
            .arg("--sdk")
            .arg(sdk_root().join(format!("node-aws{major}")))
            .args(dirs.iter().filter(|d| aws_major(d) == major))
            .output()
            .expect("run check_ts.mjs");
        let code = output.status.code().unwrap_or(-1);
        assert!(code == 0 || code == 1, "check_ts.mjs failed to run:\n{}", String::from_utf8_lossy(&output.stderr));
        passed &= code == 0;
        reports.push_str(&String::from_utf8_lossy(&output.stdout));
    }
    (passed, reports)
}

/// A fixed copy of `dir`, made by `pulumi-fix --write --unsafe-fixes`.
fn fixed_copy(dir: &Path, into: &Path) -> PathBuf {
    let target = into.join(dir.file_name().unwrap());
    copy_tree(dir, &target);
    let run = run_in(&target, &["--write", "--unsafe-fixes", "--quiet"]);
    assert_ne!(run.code, 2, "{}: {}", dir.display(), run.stderr);
    target
}

#[test]
fn bundled_examples_are_fixed_exactly_like_the_hand_fixed_versions() {
    let mut compared = 0;
    for dir in program_dirs().into_iter().filter(|d| d.starts_with(repo_root().join("examples"))) {
        let expected = repo_root().join("tests/fixtures/expected").join(dir.file_name().unwrap());
        assert!(expected.is_dir(), "{} has no hand-fixed version under tests/fixtures/expected", dir.display());
        let work = tempfile::tempdir().unwrap();
        let fixed = fixed_copy(&dir, work.path());
        assert_eq!(snapshot_tree(&fixed), snapshot_tree(&expected), "{}", dir.display());
        compared += 1;
    }
    assert!(compared >= 3, "expected the three bundled examples");
}

#[test]
fn python_programs_fail_as_written_and_run_clean_under_mocks_once_fixed() {
    let work = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for dir in program_dirs().into_iter().filter(|d| !is_typescript(d)) {
        if fails_visibly(&dir) {
            let (original_ok, original_report) = check_python(&dir);
            assert!(!original_ok, "{} should fail its check as written:\n{original_report}", dir.display());
        }
        let fixed = fixed_copy(&dir, work.path());
        let (fixed_ok, fixed_report) = check_python(&fixed);
        assert!(fixed_ok, "{} should pass once fixed:\n{fixed_report}", dir.display());
        checked += 1;
    }
    assert!(checked >= 3, "expected several Python programs, checked {checked}");
}

#[test]
fn typescript_programs_fail_as_written_and_compile_strict_once_fixed() {
    let work = tempfile::tempdir().unwrap();
    let originals: Vec<PathBuf> = program_dirs().into_iter().filter(|d| is_typescript(d)).collect();
    assert!(originals.len() >= 2, "expected several TypeScript programs");
    for dir in originals.iter().filter(|d| fails_visibly(d)) {
        let (ok, report) = check_typescript(std::slice::from_ref(dir));
        assert!(!ok, "{} should fail its check as written:\n{report}", dir.display());
    }
    let fixed: Vec<PathBuf> = originals.iter().map(|d| fixed_copy(d, work.path())).collect();
    let (ok, report) = check_typescript(&fixed);
    assert!(ok, "the fixed TypeScript programs should compile clean:\n{report}");
    // The check reads the fixed copies, not the originals.
    assert!(fs::read_dir(work.path()).unwrap().count() == originals.len());
}

/// The programs pulumi-fix must leave alone are themselves correct for the real SDKs.
#[test]
fn correct_programs_pass_the_real_sdk_checks() {
    let root = repo_root().join("tests/fixtures/correct");
    let (ok, report) = check_python(&root.join("python-outputs"));
    assert!(ok, "{report}");
    let (ok, report) = check_typescript(&[root.join("typescript-outputs")]);
    assert!(ok, "{report}");
}
