//! The project-level fixes checked against the real Pulumi SDK (pulumi 3 + pulumi-aws 7):
//! - the import-shim fixture runs under Pulumi's mocks both ways — its entry file run from `lib/`
//!   as Pulumi runs it, and imported as `lib.tap_stack` from the project root as a test runner
//!   does — with the default try/except shim and with the opt-in `sys.path` one;
//! - the other Python fixtures run under mocks once fixed;
//! - the TypeScript fixtures type-check with `tsc` once fixed.
//!
//! Each check first shows it can fail: the unfixed program fails the same way the seed did.
//! The SDK is the one `tests/sdk/setup.sh` installs under `target/sdk/` (`py-aws7`, `node-aws7`).

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn python() -> PathBuf {
    sdk_root().join("py-aws7/bin/python")
}

fn node_modules() -> PathBuf {
    sdk_root().join("node-aws7/node_modules")
}

/// A fixture program copied to a scratch directory.
fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo_root().join("tests/fixtures/programs").join(name), dir.path());
    dir
}

fn fix(dir: &Path, args: &[&str]) {
    let run = run_in(dir, &[&["--write", "--quiet"], args].concat());
    assert_ne!(run.code, 2, "pulumi-fix failed: {}", run.stderr);
}

/// Runs the program under mocks (`tests/project/run_with_mocks.py MODE DIR [MODULE]`).
fn under_mocks(python: &Path, dir: &Path, mode: &str, module: Option<&str>) -> Run {
    let script = repo_root().join("tests/project/run_with_mocks.py");
    let mut command = Command::new(python);
    command.arg(script).arg(mode).arg(dir).args(module).env("PYTHONDONTWRITEBYTECODE", "1");
    command.output().expect("run python").into()
}

fn assert_runs(run: &Run, what: &str) {
    assert_eq!(run.code, 0, "{what} failed under mocks:\n{}{}", run.stdout, run.stderr);
}

#[test]
fn import_shim_fixture_runs_both_ways_under_mocks() {
    let python = python();
    let dir = fixture("python-import-shim");
    let before = under_mocks(&python, dir.path(), "pulumi", None);
    assert!(before.stderr.contains("No module named 'lib'"), "the unfixed program must fail as seed 002 did:\n{}", before.stderr);

    fix(dir.path(), &[]);
    assert_runs(&under_mocks(&python, dir.path(), "pulumi", None), "the entry run from lib/");
    assert_runs(&under_mocks(&python, dir.path(), "import", Some("lib.tap_stack")), "lib.tap_stack imported from the root");
    let tests = Command::new(&python)
        .args(["-m", "unittest", "discover", "-s", "tests", "-t", "."])
        .current_dir(dir.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    assert!(tests.status.success(), "the fixture's unit tests: {}", String::from_utf8_lossy(&tests.stderr));
}

#[test]
fn sys_path_alternative_runs_both_ways_under_mocks() {
    let python = python();
    let dir = fixture("python-import-shim");
    let before = under_mocks(&python, dir.path(), "bare", None);
    assert!(before.stderr.contains("No module named 'lib'"), "the unfixed program must fail as seed 000 did:\n{}", before.stderr);

    fix(dir.path(), &["--select", "import-shim-sys-path"]);
    let entry = std::fs::read_to_string(dir.path().join("lib/tap_stack.py")).unwrap();
    assert!(entry.contains("sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))"), "{entry}");
    assert!(!entry.contains("except ModuleNotFoundError"), "the two shims are alternatives:\n{entry}");
    // Also with no program directory on sys.path at all, as seed 000's Pulumi ran it.
    for mode in ["pulumi", "bare"] {
        assert_runs(&under_mocks(&python, dir.path(), mode, None), &format!("the entry run from lib/ ({mode})"));
    }
    assert_runs(&under_mocks(&python, dir.path(), "import", Some("lib.tap_stack")), "lib.tap_stack imported from the root");
}

#[test]
fn apigateway_fixture_runs_under_mocks_once_fixed() {
    let python = python();
    let dir = fixture("python-apigateway");
    fix(dir.path(), &["--unsafe-fixes"]);
    let api = std::fs::read_to_string(dir.path().join("api.py")).unwrap();
    for dependency in [
        "ResourceOptions(parent=self, depends_on=[integration])",
        "ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[integration]))",
    ] {
        assert!(api.contains(dependency), "{dependency} missing from:\n{api}");
    }
    assert_runs(&under_mocks(&python, dir.path(), "pulumi", None), "the fixed API program");
}

#[test]
fn typescript_apigateway_fixture_depends_on_its_integration_once_fixed() {
    let dir = fixture("typescript-apigateway");
    fix(dir.path(), &[]);
    let api = std::fs::read_to_string(dir.path().join("api.ts")).unwrap();
    for dependency in [
        "{ parent: this, dependsOn: [method, integration] }",
        "{ parent: this, dependsOn: [integration] }",
        "pulumi.mergeOptions(child, { dependsOn: [integration] })",
    ] {
        assert!(api.contains(dependency), "{dependency} missing from:\n{api}");
    }
    let run = tsc(&node_modules(), dir.path());
    assert_eq!(run.code, 0, "the fixed API program does not compile:\n{}{}", run.stdout, run.stderr);
}

fn tsc(node_modules: &Path, dir: &Path) -> Run {
    std::os::unix::fs::symlink(node_modules, dir.join("node_modules")).unwrap();
    let tsc = node_modules.join("typescript/bin/tsc");
    let run: Run = Command::new("node").arg(tsc).args(["-p", "tsconfig.json"]).current_dir(dir).output().expect("run node").into();
    std::fs::remove_file(dir.join("node_modules")).unwrap();
    run
}

#[test]
fn typescript_fixtures_compile_once_fixed() {
    let node_modules = node_modules();
    let unfixed = fixture("typescript-missing-export");
    let before = tsc(&node_modules, unfixed.path());
    assert!(before.stdout.contains("TS2305"), "the unfixed program must fail as seed 003 did:\n{}", before.stdout);

    for name in ["typescript-missing-export", "typescript-component-outputs", "typescript-apigateway"] {
        let dir = fixture(name);
        fix(dir.path(), &["--unsafe-fixes"]);
        let run = tsc(&node_modules, dir.path());
        assert_eq!(run.code, 0, "{name} does not compile once fixed:\n{}{}", run.stdout, run.stderr);
    }
}
