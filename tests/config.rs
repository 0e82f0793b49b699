//! The configuration file end to end: discovery upward from the paths, `pyproject.toml`,
//! precedence of the command line, excludes, per-file ignores, the pulumi-aws target, and errors
//! that name the file and line.

mod common;

use common::*;
use std::fs;

const EIP: &str = "import pulumi_aws as aws\n\neip = aws.ec2.Eip(\"e\", vpc=True)\n";
const BASE64: &str = "x = y.encode('base64')\n";

fn report(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr))
}

/// The codemod ids of a JSON report's findings.
fn codemods(run: &Run) -> Vec<String> {
    report(run)["findings"].as_array().unwrap().iter().map(|f| f["codemod"].as_str().unwrap().to_string()).collect()
}

#[test]
fn found_upward_from_the_paths_and_from_the_working_directory() {
    let dir = scratch(&[("pulumi-fix.toml", "select = [\"eip-vpc-domain\"]\n"), ("infra/app/a.py", &format!("{EIP}{BASE64}"))]);
    for (cwd, path) in [(dir.path().to_path_buf(), "infra/app"), (dir.path().join("infra"), "app/a.py"), (dir.path().join("infra/app"), ".")] {
        let run = run_in(&cwd, &["--format", "json", path]);
        assert_eq!(codemods(&run), ["eip-vpc-domain"], "from {} with {path}", cwd.display());
    }
    let isolated = run_in(dir.path(), &["--format", "json", "--isolated"]);
    assert_eq!(codemods(&isolated), ["eip-vpc-domain", "base64-codec"], "--isolated reads no configuration");
}

#[test]
fn pyproject_table_and_precedence_in_one_directory() {
    let dir = scratch(&[
        ("pyproject.toml", "[project]\nname = \"infra\"\n\n[tool.pulumi-fix]\nignore = [\"base64-codec\"]\n"),
        ("a.py", &format!("{EIP}{BASE64}")),
    ]);
    assert_eq!(codemods(&run_in(dir.path(), &["--format", "json"])), ["eip-vpc-domain"]);
    fs::write(dir.path().join("pulumi-fix.toml"), "ignore = [\"eip-vpc-domain\"]\n").unwrap();
    assert_eq!(codemods(&run_in(dir.path(), &["--format", "json"])), ["base64-codec"], "pulumi-fix.toml wins over pyproject.toml");
    let explicit = run_in(dir.path(), &["--format", "json", "--config", "pyproject.toml"]);
    assert_eq!(codemods(&explicit), ["eip-vpc-domain"], "--config names the file");
}

#[test]
fn the_command_line_wins() {
    let review_spec = "id = \"review-me\"\nlanguage = \"python\"\nsummary = \"s\"\nexplanation = \"e\"\nseed = \"t\"\nsafety = \"review\"\n\n[[rule]]\nquery = '((call function: (identifier) @f) (#eq? @f \"print\"))'\n[[rule.edit]]\nreplace = \"f\"\nwith = \"log\"\n";
    let config = "select = [\"base64-codec\", \"eip-vpc-domain\", \"review-me\"]\nignore = [\"eip-vpc-domain\"]\nextend-codemods = [\"specs\"]\nunsafe-fixes = true\n";
    let dir = scratch(&[("pulumi-fix.toml", config), ("specs/r.toml", review_spec), ("a.py", &format!("{EIP}{BASE64}print(1)\n"))]);
    assert_eq!(codemods(&run_in(dir.path(), &["--format", "json"])), ["base64-codec", "review-me"], "the file's select and ignore");
    let ignore = run_in(dir.path(), &["--format", "json", "--ignore", "review-me"]);
    assert_eq!(codemods(&ignore), ["base64-codec"], "--ignore adds to the file's ignore");
    let select = run_in(dir.path(), &["--format", "json", "--select", "eip-vpc-domain"]);
    assert_eq!(codemods(&select), ["eip-vpc-domain"], "--select replaces select and ignore");
    let both = run_in(dir.path(), &["--format", "json", "--select", "eip-vpc-domain,base64-codec", "--ignore", "base64-codec"]);
    assert_eq!(codemods(&both), ["eip-vpc-domain"]);

    let review = |extra: &[&str]| {
        let run = run_in(dir.path(), &[&["--format", "json", "--select", "review-me"][..], extra].concat());
        report(&run)["findings"][0]["fix"]["applied"].as_bool().unwrap()
    };
    assert!(review(&[]), "unsafe-fixes = true in the file");
    assert!(!review(&["--no-unsafe-fixes"]), "--no-unsafe-fixes overrides it");
    assert!(review(&["--no-unsafe-fixes", "--unsafe-fixes"]), "the last flag wins");
}

#[test]
fn exclude_and_per_file_ignores() {
    let config = "exclude = [\"generated/\", \"*_pb2.py\"]\n\n[per-file-ignores]\n\"legacy/**\" = [\"eip-vpc-domain\"]\n";
    let dir = scratch(&[
        ("pulumi-fix.toml", config),
        ("generated/a.py", EIP),
        ("app/x_pb2.py", EIP),
        ("legacy/old/a.py", &format!("{EIP}{BASE64}")),
        ("app/main.py", EIP),
    ]);
    let shown = run_in(dir.path(), &["--show-files"]);
    assert_eq!((shown.code, shown.stdout.as_str()), (0, "app/main.py\nlegacy/old/a.py\n"), "{}", shown.stderr);
    let named = run_in(dir.path(), &["--show-files", "generated/a.py", "app/x_pb2.py", "app/main.py"]);
    assert_eq!(named.stdout, "app/main.py\n", "excludes apply to files named on the command line too (pre-commit passes names)");
    let extra = run_in(dir.path(), &["--show-files", "--exclude", "app/"]);
    assert_eq!(extra.stdout, "legacy/old/a.py\n", "--exclude adds to exclude");

    let run = run_in(dir.path(), &["--format", "json"]);
    let findings: Vec<(String, String)> = report(&run)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["file"].as_str().unwrap().into(), f["codemod"].as_str().unwrap().into()))
        .collect();
    assert_eq!(findings, [("app/main.py".into(), "eip-vpc-domain".into()), ("legacy/old/a.py".into(), "base64-codec".into())]);
    assert_eq!(report(&run)["suppressed"], 1);
}

#[test]
fn target_pulumi_aws_is_validated_from_file_and_flag() {
    let dir = scratch(&[("pulumi-fix.toml", "[target]\npulumi-aws = \"6.83\"\n"), ("a.py", EIP)]);
    assert_eq!(run_in(dir.path(), &["--format", "json"]).code, 1, "a valid target runs");
    assert_eq!(run_in(dir.path(), &["--format", "json", "--target-pulumi-aws", "7"]).code, 1);
    let bad_flag = run_in(dir.path(), &["--target-pulumi-aws", "seven"]);
    assert_eq!(bad_flag.code, 2);
    assert!(bad_flag.stderr.contains("`seven` is not a pulumi-aws version"), "{}", bad_flag.stderr);
}

#[test]
fn errors_name_the_file_and_line_and_stop_the_run() {
    let cases = [
        ("select = [\n  \"eip-vpc-domain\",\n  \"no-such-codemod\",\n]\n", "pulumi-fix.toml:3: unknown codemod id `no-such-codemod`"),
        ("[per-file-ignores]\n\"tests/\" = [\"typo\"]\n", "pulumi-fix.toml:2: unknown codemod id `typo`"),
        ("unsafe-fixes = true\nselct = []\n", "pulumi-fix.toml:2: invalid pulumi-fix configuration: unknown field `selct`"),
        ("[target]\npulumi-aws = \"latest\"\n", "pulumi-fix.toml:2: `target.pulumi-aws`: `latest` is not a pulumi-aws version"),
        ("exclude = [\n  \"a/{b\",\n]\n", "pulumi-fix.toml:2: bad pattern `a/{b`"),
        ("\nextend-codemods = [\"missing\"]\n", "pulumi-fix.toml:2: `extend-codemods`: `missing` is not a directory"),
    ];
    for (config, expected) in cases {
        let dir = scratch(&[("pulumi-fix.toml", config), ("a.py", EIP)]);
        let run = run_in(dir.path(), &["--write"]);
        assert_eq!(run.code, 2, "{config}\n{}", run.stderr);
        assert!(run.stderr.contains(expected), "expected `{expected}` in:\n{}", run.stderr);
        assert_eq!(fs::read_to_string(dir.path().join("a.py")).unwrap(), EIP, "nothing written");
    }
    let pyproject = scratch(&[("pyproject.toml", "[project]\nname = \"x\"\n[tool.pulumi-fix]\nignore = \"eip-vpc-domain\"\n"), ("a.py", EIP)]);
    let run = run_in(pyproject.path(), &[]);
    assert!(run.stderr.contains("pyproject.toml:4: invalid pulumi-fix configuration"), "{}", run.stderr);
}

#[test]
fn paths_under_two_configurations_are_refused() {
    let dir = scratch(&[("one/pulumi-fix.toml", ""), ("one/a.py", EIP), ("two/pulumi-fix.toml", ""), ("two/a.py", EIP)]);
    let run = run_in(dir.path(), &["one", "two"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("two/pulumi-fix.toml:0: `two` is under this configuration, but an earlier path is under one/pulumi-fix.toml"), "{}", run.stderr);
    assert_eq!(run_in(dir.path(), &["one", "two", "--isolated"]).code, 1);
}
