//! Provider upgrade packs: the `--upgrade` flag, and the packs against the real SDKs: a program written for pulumi-aws 6 (Python and
//! TypeScript, `tests/fixtures/upgrades/`) passes the aws6 check and fails the aws7 one as
//! written; after `pulumi-fix --upgrade aws@7 --write` it runs clean under Pulumi's mocks with
//! pulumi-aws 7 and compiles with `strict: true` against @pulumi/aws 7; and a second run of the
//! pack changes nothing. Without the flag, the version its manifest declares gates the pack.

mod common;

use common::*;
use std::fs;
use std::path::Path;
use std::process::Command;

const PROGRAMS: [&str; 2] = ["python-aws6", "typescript-aws6"];
/// Programs whose upgrade needs `review` fixes (S3 `*V2` renames, the Deployment's stage).
const REVIEW_PROGRAMS: [&str; 2] = ["python-aws6-review", "typescript-aws6-review"];

/// (passed, report) of the check of `dir` with the pulumi-aws `major` SDK (Python or TypeScript by its entry file).
fn check(dir: &Path, major: u32, allow_deprecated: bool) -> (bool, String) {
    let python = dir.join("__main__.py").exists();
    let mut command = if python {
        let mut c = Command::new(sdk_root().join(format!("py-aws{major}/bin/python")));
        c.arg(repo_root().join("tests/sdk/check_python.py")).arg("--program-dir").arg(dir);
        c
    } else {
        let mut c = Command::new("node");
        c.arg(repo_root().join("tests/sdk/check_ts.mjs")).arg("--sdk").arg(sdk_root().join(format!("node-aws{major}"))).arg(dir);
        c
    };
    if allow_deprecated {
        command.arg("--allow-deprecated");
    }
    let output = command.output().expect("run the SDK check");
    let code = output.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "the check failed to run on {}:\n{}", dir.display(), String::from_utf8_lossy(&output.stderr));
    (code == 0, String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn aws6_programs_run_clean_on_aws7_after_the_upgrade_pack() {
    for name in PROGRAMS {
        upgrade_and_check(name, &[]);
    }
}

#[test]
fn review_fixes_of_the_pack_also_give_programs_that_run_clean_on_aws7() {
    for name in REVIEW_PROGRAMS {
        let work = fixture_copy(&format!("upgrades/{name}"));
        let run = run_in(work.path(), &["--isolated", "--upgrade", "aws@7", "--write", "--quiet", "."]);
        assert_eq!(run.code, 1, "{name}: without --unsafe-fixes the review fixes are left as findings:\n{}", run.stderr);
        upgrade_and_check(name, &["--unsafe-fixes"]);
    }
}

/// `name` passes the aws6 check and fails the aws7 one as written, passes aws7 after
/// `--upgrade aws@7 --write EXTRA`, and a second run changes nothing.
fn upgrade_and_check(name: &str, extra: &[&str]) {
    let original = repo_root().join("tests/fixtures/upgrades").join(name);
    let (ok, report) = check(&original, 6, true);
    assert!(ok, "{name} is written for pulumi-aws 6 and must pass its check (deprecations allowed):\n{report}");
    let (ok, report) = check(&original, 7, false);
    assert!(!ok, "{name} must fail the pulumi-aws 7 check as written:\n{report}");

    let work = fixture_copy(&format!("upgrades/{name}"));
    let args = [&["--isolated", "--upgrade", "aws@7", "--write", "--quiet", "."][..], extra].concat();
    let run = run_in(work.path(), &args);
    assert_eq!(run.code, 0, "{name}: every upgrade fix applies, none left:\n{}{}", run.stdout, run.stderr);
    let (ok, report) = check(work.path(), 7, false);
    assert!(ok, "{name} must pass the pulumi-aws 7 check once upgraded:\n{report}");

    let again = run_in(work.path(), &["--isolated", "--upgrade", "aws@7", "."]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""), "{name}: the pack changes nothing on upgraded code:\n{}", again.stderr);
    let entry = if name.starts_with("python") { "__main__.py" } else { "index.ts" };
    let upgraded = fs::read_to_string(work.path().join(entry)).unwrap();
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(format!("upgrade-aws7-{name}"), upgraded);
    });
}

/// Without `--upgrade`, the pack runs where the manifest says pulumi-aws 7 (a bump PR), and not
/// where it still says 6.
#[test]
fn the_declared_version_gates_the_pack_without_the_flag() {
    for name in PROGRAMS {
        let work = fixture_copy(&format!("upgrades/{name}"));
        let run = run_in(work.path(), &["--isolated", "--statistics", "."]);
        assert!(!run.stdout.contains("aws7-"), "{name}: nothing fires on pulumi-aws 6:\n{}", run.stdout);
        let (manifest, bumped) = if name.starts_with("python") {
            ("requirements.txt", "pulumi>=3.0.0,<4.0.0\npulumi-aws>=7.0.0,<8.0.0\n")
        } else {
            ("package.json", r#"{"name": "platform-ts", "main": "index.ts", "dependencies": {"@pulumi/pulumi": "^3.0.0", "@pulumi/aws": "^7.0.0"}}"#)
        };
        fs::write(work.path().join(manifest), bumped).unwrap();
        let run = run_in(work.path(), &["--isolated", "--statistics", "."]);
        assert!(run.stdout.contains("aws7-rds-instance-db-name"), "{name}: the bumped manifest turns the pack on:\n{}", run.stdout);
    }
}

/// Programs written for pulumi-aws 7 (the hand-fixed examples, the correct-Outputs fixtures, which
/// pass the aws7 checks in tests/sdk.rs) hold nothing the pack rewrites or reports.
#[test]
fn the_pack_leaves_programs_written_for_aws7_alone() {
    let mut checked = 0;
    for parent in ["tests/fixtures/expected", "tests/fixtures/correct"] {
        for entry in fs::read_dir(repo_root().join(parent)).unwrap().flatten() {
            let run = run_in(&entry.path(), &["--isolated", "--upgrade", "aws@7", "."]);
            assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}: {}", entry.path().display(), run.stderr);
            checked += 1;
        }
    }
    assert!(checked >= 5, "expected the hand-fixed and correct programs, checked {checked}");
}

/// `--upgrade aws@7` runs the pack only (not the rest of the catalog) and sets the target; a
/// package without packs or a major without codemods is a usage error.
#[test]
fn the_upgrade_flag_selects_the_pack_and_the_target() {
    let dir = scratch(&[(
        "main.py",
        "import pulumi_aws as aws\n\ndb = aws.rds.Instance(\"db\", name=\"app\")\ndata = \"eA==\".decode('base64')\n",
    )]);
    let run = run_in(dir.path(), &["--isolated", "--upgrade", "aws@7", "--statistics", "."]);
    assert!(run.stdout.contains("aws7-rds-instance-db-name") && !run.stdout.contains("base64-codec"), "{}", run.stdout);
    let run = run_in(dir.path(), &["--isolated", "--upgrade", "aws@7", "--extend-select", "base64-codec", "--statistics", "."]);
    assert!(run.stdout.contains("base64-codec"), "--extend-select adds to the pack:\n{}", run.stdout);
    let run = run_in(dir.path(), &["--isolated", "--upgrade", "aws@6", "--statistics", "."]);
    assert!(!run.stdout.contains("aws7-"), "aws@6 runs the jumps up to 6 only:\n{}", run.stdout);
    let run = run_in(dir.path(), &["--isolated", "--statistics", "."]);
    assert!(!run.stdout.contains("aws7-"), "no flag, no manifest: the pack is off:\n{}", run.stdout);
    for bad in ["gcp@7", "aws@5", "aws7"] {
        let run = run_in(dir.path(), &["--isolated", "--upgrade", bad, "."]);
        assert_eq!(run.code, 2, "--upgrade {bad}: {}", run.stderr);
    }
}
