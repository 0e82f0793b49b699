//! The command line end to end: exit codes, diffs that `git apply` takes, byte preservation,
//! the syntax guard. Bad input, bad specs and faults are in `robustness.rs`.

mod common;

use common::*;
use std::fs;

const EIP: &str = "import pulumi_aws as aws\n\neip = aws.ec2.Eip(\"e\", vpc=True)\n";
const EIP_FIXED: &str = "import pulumi_aws as aws\n\neip = aws.ec2.Eip(\"e\", domain=\"vpc\")\n";

#[test]
fn exit_codes_follow_the_contract() {
    let dir = scratch(&[("a.py", EIP)]);
    let dry = run_in(dir.path(), &[]);
    assert_eq!(dry.code, 1, "fixes pending: {}", dry.stderr);
    assert!(dry.stdout.contains("-eip = aws.ec2.Eip(\"e\", vpc=True)"));
    assert_eq!(fs::read_to_string(dir.path().join("a.py")).unwrap(), EIP, "dry-run writes nothing");

    let write = run_in(dir.path(), &["--write"]);
    assert_eq!(write.code, 0, "{}", write.stderr);
    assert_eq!(fs::read_to_string(dir.path().join("a.py")).unwrap(), EIP_FIXED);

    let again = run_in(dir.path(), &["--dry-run"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""), "a second run changes nothing");

    let usage = run_in(dir.path(), &["--no-such-flag"]);
    assert_eq!(usage.code, 2);
    let unknown = run_in(dir.path(), &["--select", "nope"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("unknown codemod id `nope`"));
    // A run over Python files loads the Python codemods only, yet knows the others' ids.
    let other_language = run_in(dir.path(), &["--select", "eip-vpc-domain,ts-eip-vpc-domain", "--ignore", "yaml-config-default-value"]);
    assert_eq!(other_language.code, 0, "{}", other_language.stderr);
}

#[test]
fn findings_without_fix_exit_1_and_name_file_and_line() {
    let dir = scratch(&[("a.py", "import pulumi_aws as aws\n\n\neip = aws.ec2.Eip(\"e\", vpc=flag)\n")]);
    let run = run_in(dir.path(), &["--write"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("a.py:4:7: eip-vpc-domain"), "{}", run.stderr);
}

#[test]
fn dry_run_diff_applies_with_git_and_equals_write() {
    let files: &[(&str, &str)] = &[
        ("app/__main__.py", "import pulumi\nimport pulumi_aws as aws\n\nud = name.apply(lambda n: f\"x={n}\".encode('base64'))\neip = aws.ec2.Eip('e', vpc=True)\n"),
        ("app/cache.py", "from pulumi_aws import elasticache\n\nr = elasticache.ReplicationGroup(\n    \"r\",\n    replication_group_description=\"d\",\n    auth_token_enabled=False,  # gone\n)\n"),
        ("web/index.ts", "import * as aws from '@pulumi/aws';\n\nnew aws.ec2.Eip('e', { vpc: true });\n"),
        ("untouched.py", "print('hello')\n"),
    ];
    let for_patch = scratch(files);
    let for_write = scratch(files);
    assert_eq!(git(for_patch.path(), &["init", "-q"]).code, 0);

    let dry = run_in(for_patch.path(), &["--dry-run"]);
    assert_eq!(dry.code, 1);
    fs::write(for_patch.path().join("fix.patch"), &dry.stdout).unwrap();
    let applied = git(for_patch.path(), &["apply", "fix.patch"]);
    assert_eq!(applied.code, 0, "git apply: {}", applied.stderr);
    fs::remove_file(for_patch.path().join("fix.patch")).unwrap();
    fs::remove_dir_all(for_patch.path().join(".git")).unwrap();

    assert_eq!(run_in(for_write.path(), &["--write"]).code, 0);
    assert_eq!(snapshot_tree(for_patch.path()), snapshot_tree(for_write.path()));
    assert_eq!(run_in(for_write.path(), &[]).code, 0, "idempotent");
}

#[test]
fn crlf_bom_and_tabs_survive_byte_for_byte() {
    let before = "\u{feff}import pulumi_aws as aws\r\n\r\nif True:\r\n\teip = aws.ec2.Eip(\r\n\t\t\"e\",\r\n\t\tvpc=False,\r\n\t\ttags={},  # keep\r\n\t)\r\n";
    let after = "\u{feff}import pulumi_aws as aws\r\n\r\nif True:\r\n\teip = aws.ec2.Eip(\r\n\t\t\"e\",\r\n\t\ttags={},  # keep\r\n\t)\r\n";
    let dir = scratch(&[("a.py", before)]);
    assert_eq!(run_in(dir.path(), &["--write"]).code, 0);
    assert_eq!(fs::read(dir.path().join("a.py")).unwrap(), after.as_bytes());

    let base64 = "import os\r\nx = y.encode('base64')\r\n";
    let dir = scratch(&[("b.py", base64)]);
    assert_eq!(run_in(dir.path(), &["--write"]).code, 0);
    assert_eq!(fs::read_to_string(dir.path().join("b.py")).unwrap(), "import base64\r\nimport os\r\nx = base64.b64encode(y.encode('utf-8')).decode('ascii')\r\n");
}

#[test]
fn a_fix_that_would_break_syntax_is_refused_and_reported() {
    let spec = r#"
id = "breaks-syntax"
language = "python"
summary = "deliberately bad"
explanation = "A test spec whose replacement does not parse."
seed = "test"
safety = "safe"

[[rule]]
query = '((call function: (identifier) @f) @call (#eq? @f "print"))'
[[rule.edit]]
replace = "call"
with = "print(("

[[example]]
before = "x = 1\n"
"#;
    let dir = scratch(&[("specs/breaks.toml", spec), ("code/a.py", "print('hi')\nx = 1\n")]);
    let run = run_in(dir.path(), &["--codemods", "specs", "--select", "breaks-syntax", "--write", "code"]);
    assert_eq!(fs::read_to_string(dir.path().join("code/a.py")).unwrap(), "print('hi')\nx = 1\n");
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("code/a.py:1:1: breaks-syntax"), "{}", run.stderr);
    assert!(run.stderr.contains("fix refused: it would introduce a syntax error"), "{}", run.stderr);
}

#[test]
fn a_user_spec_with_a_pattern_the_grammar_makes_impossible_stops_the_run() {
    // The engine would run this query and never match (a keyword argument is never a direct
    // child of a call); tree-sitter's check of user specs says so before anything is touched.
    let spec = r#"id = "impossible"
language = "python"
summary = "never matches"
explanation = "A test spec whose pattern cannot occur."
seed = "test"
safety = "safe"

[[rule]]
query = '''
(call
  (keyword_argument) @arg)
'''
[[rule.edit]]
delete = "arg"
"#;
    let dir = scratch(&[("specs/impossible.toml", spec), ("code/a.py", "f(x=1)\n")]);
    let run = run_in(dir.path(), &["--codemods", "specs", "--select", "impossible", "--write", "code"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("impossible.toml:11:"), "{}", run.stderr);
    assert!(run.stderr.contains("Structure"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(dir.path().join("code/a.py")).unwrap(), "f(x=1)\n");
}

#[test]
fn files_no_codemod_could_change_are_not_parsed() {
    // The selected codemod's anchors are not in this file, so it is read but not parsed: its
    // syntax error is not pulumi-fix's to report (README, Performance). Codemods without anchors
    // see every file of their language, so the test selects one with anchors.
    let dir = scratch(&[("a.py", EIP), ("broken.py", "def broken(:\n")]);
    let run = run_in(dir.path(), &["--select", "eip-vpc-domain", "--write", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("broken.py"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(dir.path().join("a.py")).unwrap(), EIP_FIXED);
}

#[test]
fn walk_skips_dependencies_and_gitignored_files() {
    let dir = scratch(&[
        ("node_modules/x/index.ts", "import * as aws from '@pulumi/aws';\nnew aws.ec2.Eip('e', { vpc: true });\n"),
        (".venv/lib/a.py", EIP),
        ("generated/a.py", EIP),
        (".gitignore", "generated/\n"),
        ("src/a.py", EIP),
    ]);
    let run = run_in(dir.path(), &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["files_scanned"], 1, "{}", run.stdout);
    assert_eq!(report["files_changed"], serde_json::json!(["src/a.py"]));
}

#[test]
fn list_and_explain() {
    let dir = scratch(&[]);
    let list = run_in(dir.path(), &["--list"]);
    assert_eq!(list.code, 0);
    for id in ["base64-codec", "eip-vpc-domain", "ts-eip-vpc-domain", "elasticache-description", "ts-bucket-replication-config"] {
        assert!(list.stdout.contains(id), "{id} missing from --list");
    }
    let explain = run_in(dir.path(), &["explain", "base64-codec"]);
    assert_eq!(explain.code, 0);
    assert!(explain.stdout.contains("LookupError"));
    assert!(explain.stdout.contains("Seed: 000 failure 1"));
    assert!(explain.stdout.contains("b64encode"));
    assert_eq!(run_in(dir.path(), &["explain", "nope"]).code, 2);
}

#[test]
fn review_fixes_need_unsafe_fixes() {
    let spec = r#"
id = "review-me"
language = "python"
summary = "a review fix"
explanation = "Renames print to log, for the test."
seed = "test"
safety = "review"

[[rule]]
query = '((call function: (identifier) @f) (#eq? @f "print"))'
[[rule.edit]]
replace = "f"
with = "log"
"#;
    let dir = scratch(&[("specs/r.toml", spec), ("a.py", "print(1)\n")]);
    let base = ["--codemods", "specs", "--select", "review-me"];
    let plain = run_in(dir.path(), &[&base[..], &["--write", "a.py"]].concat());
    assert_eq!(plain.code, 1);
    assert!(plain.stderr.contains("[review fix: apply with --unsafe-fixes]"), "{}", plain.stderr);
    assert_eq!(fs::read_to_string(dir.path().join("a.py")).unwrap(), "print(1)\n");
    let unsafe_run = run_in(dir.path(), &[&base[..], &["--write", "--unsafe-fixes", "a.py"]].concat());
    assert_eq!(unsafe_run.code, 0, "{}", unsafe_run.stderr);
    assert_eq!(fs::read_to_string(dir.path().join("a.py")).unwrap(), "log(1)\n");
}

/// `import-shim-sys-path` is an alternative to `import-shim`: it runs only when selected.
#[test]
fn opt_in_codemods_run_only_when_selected() {
    let dir = scratch(&[
        ("Pulumi.yaml", "name: tap\nruntime: python\nmain: tap.py\n"),
        ("tap.py", "import pulumi\nfrom lib.tap_stack import TapStack\n"),
        ("lib/tap_stack.py", "TapStack = object\n"),
    ]);
    let default = run_in(dir.path(), &["--quiet"]);
    assert_eq!((default.code, default.stdout.as_str()), (0, ""), "{}", default.stderr);
    let selected = run_in(dir.path(), &["--select", "import-shim-sys-path"]);
    assert_eq!(selected.code, 1, "{}", selected.stderr);
    assert!(selected.stdout.contains("+sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))"), "{}", selected.stdout);
    let list = run_in(dir.path(), &["--list"]);
    assert!(list.stdout.lines().any(|l| l.starts_with("import-shim-sys-path") && l.contains("opt-in")), "{}", list.stdout);
}

/// `extend-select` (configuration or flag) runs an opt-in codemod on top of the catalog, and the
/// codemod it `replaces` steps aside.
#[test]
fn extend_select_chooses_the_sys_path_shim_instead_of_the_default() {
    let project = [
        ("Pulumi.yaml", "name: tap\nruntime: python\nmain: lib/tap_stack.py\n"),
        ("lib/tap_stack.py", "import pulumi\nfrom lib.components.vpc import Vpc\n"),
        ("lib/components/vpc.py", "Vpc = object\n"),
    ];
    let both = run_in(scratch(&project).path(), &["--select", "import-shim,import-shim-sys-path"]);
    assert!(both.stdout.contains("+sys.path.insert(0, ") && !both.stdout.contains("except ModuleNotFoundError"), "selecting both: the alternative wins\n{}", both.stdout);
    let dir = scratch(&project);
    let plain = run_in(dir.path(), &[]);
    assert!(plain.stdout.contains("+except ModuleNotFoundError") && !plain.stdout.contains("sys.path.insert"), "{}", plain.stdout);
    let flag = run_in(dir.path(), &["--extend-select", "import-shim-sys-path"]);
    assert!(flag.stdout.contains("+sys.path.insert(0, ") && !flag.stdout.contains("except ModuleNotFoundError"), "{}", flag.stdout);
    fs::write(dir.path().join("pulumi-fix.toml"), "extend-select = [\"import-shim-sys-path\"]\n").unwrap();
    let configured = run_in(dir.path(), &[]);
    assert_eq!(configured.stdout, flag.stdout, "{}", configured.stderr);
    fs::write(dir.path().join("pulumi-fix.toml"), "extend-select = [\"import-shim-sys-pth\"]\n").unwrap();
    let typo = run_in(dir.path(), &[]);
    assert_eq!(typo.code, 2);
    assert!(typo.stderr.contains("pulumi-fix.toml:1: unknown codemod id `import-shim-sys-pth`"), "{}", typo.stderr);
}

#[test]
fn pulumi_aws_version_comes_from_the_nearest_manifest_or_the_target_flag() {
    let spec = r#"
id = "v6-only"
language = "python"
summary = "fires on pulumi-aws 6 programs"
explanation = "Tests #pulumi-aws-version?."
seed = "test"
safety = "safe"

[[rule]]
query = '((call function: (_) @callee) @call (#pulumi-type? @callee "aws:ec2/eip:Eip") (#pulumi-aws-version? @call "<7"))'
"#;
    let dir = scratch(&[
        ("specs/v6.toml", spec),
        ("old/requirements.txt", "pulumi>=3\npulumi-aws>=6.0.0,<7.0.0\n"),
        ("old/stack/__main__.py", EIP),
        ("new/pyproject.toml", "[project]\ndependencies = [\"pulumi-aws==7.51.1\"]\n"),
        ("new/__main__.py", EIP),
        ("unknown/__main__.py", EIP),
    ]);
    let findings_in = |args: &[&str]| {
        let run = run_in(dir.path(), &[&["--codemods", "specs", "--select", "v6-only", "--format", "json"], args].concat());
        let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
        let mut files: Vec<String> = report["findings"].as_array().unwrap().iter().map(|f| f["file"].as_str().unwrap().to_string()).collect();
        files.sort();
        files.dedup();
        files
    };
    assert_eq!(findings_in(&["."]), vec!["old/stack/__main__.py"], "only the program whose requirements say 6");
    assert_eq!(findings_in(&["--target-pulumi-aws", "6", "."]).len(), 3, "the flag replaces every manifest");
    assert!(findings_in(&["--target-pulumi-aws", "7.2", "."]).is_empty());
}

/// The S3 split names the resources of the version the program targets; unknown, it reports
/// instead of guessing, and the flag decides.
#[test]
fn s3_split_names_the_target_versions_resources_and_guesses_no_version() {
    let program = "import pulumi_aws as aws\n\nlogs = aws.s3.BucketV2(\"logs\", versionings=[{\"enabled\": True}])\n";
    let fixed_with = |args: &[&str]| {
        let dir = scratch(&[("__main__.py", program)]);
        let run = run_in(dir.path(), &[&["--isolated", "--select", "s3-bucket-inline-config", "--write", "--unsafe-fixes"], args, &["."]].concat());
        (std::fs::read_to_string(dir.path().join("__main__.py")).unwrap(), run)
    };
    let (unknown, run) = fixed_with(&[]);
    assert_eq!(unknown, program, "no version, no fix");
    assert!(run.stderr.contains("pass `--target-pulumi-aws` to get the fix"), "{}", run.stderr);
    let (v6, _) = fixed_with(&["--target-pulumi-aws", "6"]);
    assert!(v6.contains("aws.s3.BucketVersioningV2(") && !v6.contains("versionings="), "{v6}");
    let (v7, _) = fixed_with(&["--target-pulumi-aws", "7"]);
    assert!(v7.contains("aws.s3.BucketVersioning(") && !v7.contains("BucketVersioningV2"), "{v7}");
}

#[test]
fn parsing_ahead_gives_the_same_report() {
    // No more files than threads: they are parsed while the engine is built and reads the
    // specs they may need. More: only files some rule may match are parsed. Either way the
    // report is the same, an unreadable file included.
    let dir = scratch(&[("a.py", EIP), ("b.py", "import pulumi\n"), ("c.ts", "import * as aws from \"@pulumi/aws\";\nconst e = new aws.ec2.Eip(\"e\", { vpc: true });\n")]);
    fs::write(dir.path().join("d.py"), b"x = \"\xff\"\n").unwrap();
    let ahead = run_in(dir.path(), &["--threads", "4", "--format", "json"]);
    let one_by_one = run_in(dir.path(), &["--threads", "1", "--format", "json"]);
    assert_eq!(ahead.code, 2, "{}", ahead.stderr);
    assert!(ahead.stdout.contains("\"eip-vpc-domain\"") && ahead.stdout.contains("\"ts-eip-vpc-domain\"") && ahead.stdout.contains("not valid UTF-8"), "{}", ahead.stdout);
    assert_eq!((ahead.code, ahead.stdout, ahead.stderr), (one_by_one.code, one_by_one.stdout, one_by_one.stderr));
}
