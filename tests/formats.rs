//! Every output format on one fixture set (`tests/fixtures/report`: fixes, a finding without a
//! fix, a `review` fix, suppressions, a per-file ignore, an excluded directory, a syntax error),
//! as insta snapshots under `snapshots/`; the SARIF log against the SARIF 2.1.0 schema and the
//! JSON report against its published schema; GitHub annotation escaping; colors.

mod common;

use common::*;
use serde_json::Value;
use std::fs;

const FIXTURE: &str = "report";

fn snapshot(name: &str, value: &str) {
    insta::with_settings!({ snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(format!("formats__{name}"), value);
    });
}

/// The tool's version changes with every release; the snapshots should not.
fn without_version(text: &str) -> String {
    text.replace(&format!("\"{}\"", env!("CARGO_PKG_VERSION")), "\"[version]\"")
}

fn run_fixture(args: &[&str]) -> (tempfile::TempDir, Run) {
    let dir = fixture_copy(FIXTURE);
    let run = run_in(dir.path(), args);
    (dir, run)
}

fn schema_errors(schema_path: &str, instance: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(&fs::read_to_string(repo_root().join(schema_path)).unwrap()).unwrap();
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).expect("the schema compiles");
    validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

#[test]
fn each_format_on_the_fixture_set() {
    for format in ["text", "json", "sarif", "github", "markdown"] {
        let (_dir, run) = run_fixture(&["--dry-run", "--report-unused-suppressions", "--format", format]);
        assert_eq!(run.code, 1, "{format}: pending fixes and findings: {}", run.stderr);
        snapshot(format, &format!("exit code {}\n--- stdout ---\n{}--- stderr ---\n{}", run.code, without_version(&run.stdout), run.stderr));
    }
}

#[test]
fn statistics_count_per_codemod() {
    let (_dir, run) = run_fixture(&["--statistics"]);
    assert_eq!(run.code, 1);
    snapshot("statistics", &run.stdout);
    let usage = run_fixture(&["--statistics", "--format", "json"]).1;
    assert_eq!(usage.code, 2, "--statistics is a text output: {}", usage.stderr);
}

#[test]
fn write_mode_markdown_is_the_pr_body_and_summary_file_writes_the_same() {
    let (_dir, markdown) = run_fixture(&["--write", "--format", "markdown"]);
    assert_eq!(markdown.code, 1, "a finding without a fix remains: {}", markdown.stderr);
    snapshot("markdown_write", &markdown.stdout);

    let (dir, text) = run_fixture(&["--write", "--quiet", "--summary-file", "body.md"]);
    assert_eq!(text.code, 1);
    assert_eq!(fs::read_to_string(dir.path().join("body.md")).unwrap(), markdown.stdout);

    let (_dir, json) = run_fixture(&["--dry-run", "--format", "json", "--summary-file", "nowhere/body.md"]);
    assert_eq!(json.code, 2, "an unwritable summary is an error");
    assert!(json.stderr.contains("cannot write the summary to nowhere/body.md"), "{}", json.stderr);
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    for mode in ["--dry-run", "--write"] {
        let (_dir, run) = run_fixture(&[mode, "--format", "sarif"]);
        let log: Value = serde_json::from_str(&run.stdout).unwrap();
        let errors = schema_errors("tests/data/sarif/sarif-schema-2.1.0.json", &log);
        assert!(errors.is_empty(), "{mode}: SARIF schema violations:\n{}", errors.join("\n"));
        let results = log["runs"][0]["results"].as_array().unwrap();
        let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        for result in results {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], result["ruleId"], "ruleIndex points at the result's rule");
        }
        let help = rules.iter().find(|r| r["id"] == "eip-vpc-domain").unwrap()["help"]["text"].as_str().unwrap();
        assert!(help.contains("EC2-Classic is retired") && help.contains("Seed: 004"), "help is the spec's explanation and seed: {help}");
        if mode == "--write" {
            assert_eq!(results.len(), 2, "after --write only what is left: the computed vpc and the review fix");
        }
    }
}

/// Byte offset of a SARIF line and column (in code points) in `text`.
fn offset(text: &str, region: &Value, which: &str) -> usize {
    let line = region[format!("{which}Line")].as_u64().unwrap() as usize;
    let column = region[format!("{which}Column")].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    start + text[start..].chars().take(column - 1).map(char::len_utf8).sum::<usize>()
}

#[test]
fn sarif_fixes_applied_to_the_files_give_what_write_gives() {
    let select = ["--select", "eip-vpc-domain,ts-eip-vpc-domain,base64-codec"];
    let (dir, run) = run_fixture(&[&["--dry-run", "--format", "sarif"][..], &select].concat());
    let (fixed, _) = run_fixture(&[&["--write"][..], &select].concat());
    let log: Value = serde_json::from_str(&run.stdout).unwrap();
    let mut replacements: std::collections::BTreeMap<String, Vec<(usize, usize, String)>> = Default::default();
    for result in log["runs"][0]["results"].as_array().unwrap() {
        for change in result["fixes"][0]["artifactChanges"].as_array().into_iter().flatten() {
            let path = change["artifactLocation"]["uri"].as_str().unwrap().to_string();
            let text = fs::read_to_string(dir.path().join(&path)).unwrap();
            for r in change["replacements"].as_array().unwrap() {
                let region = &r["deletedRegion"];
                let edit = (offset(&text, region, "start"), offset(&text, region, "end"), r["insertedContent"]["text"].as_str().unwrap().to_string());
                replacements.entry(path.clone()).or_default().push(edit);
            }
        }
    }
    assert_eq!(replacements.keys().collect::<Vec<_>>(), ["app/__main__.py", "web/index.ts"]);
    for (path, mut edits) in replacements {
        edits.sort();
        edits.dedup();
        let mut text = fs::read_to_string(dir.path().join(&path)).unwrap();
        for (start, end, inserted) in edits.iter().rev() {
            text.replace_range(start..end, inserted);
        }
        assert_eq!(text, fs::read_to_string(fixed.path().join(&path)).unwrap(), "{path}");
    }
}

#[test]
fn json_report_matches_its_published_schema() {
    for args in [&["--dry-run", "--format", "json"][..], &["--write", "--format", "json", "--unsafe-fixes"], &["--format", "json", "--report-unused-suppressions"]] {
        let (_dir, run) = run_fixture(args);
        let report: Value = serde_json::from_str(&run.stdout).unwrap();
        let errors = schema_errors("schemas/report-v1.schema.json", &report);
        assert!(errors.is_empty(), "{args:?}: the JSON report left its schema (a breaking change needs version 2):\n{}", errors.join("\n"));
    }
    // The schema is strict: a report with an extra or a missing field fails it.
    let (_dir, run) = run_fixture(&["--format", "json"]);
    let mut report: Value = serde_json::from_str(&run.stdout).unwrap();
    report["findings"][0]["extra"] = Value::Bool(true);
    assert!(!schema_errors("schemas/report-v1.schema.json", &report).is_empty());
    let mut report: Value = serde_json::from_str(&run.stdout).unwrap();
    report["findings"][0]["fix"].as_object_mut().unwrap().remove("pass");
    assert!(!schema_errors("schemas/report-v1.schema.json", &report).is_empty());
}

#[test]
fn github_annotations_escape_paths_and_messages() {
    let spec = r#"
id = "two-lines"
language = "python"
summary = "a test codemod with a two-line message"
explanation = "For the escaping test."
seed = "test"
safety = "safe"

[[rule]]
message = "100% wrong,\nsee: the docs"
query = '((call function: (identifier) @f) @call (#eq? @f "print"))'
"#;
    let dir = scratch(&[("specs/two.toml", spec), ("dir%1/we:ird,name.py", "import pulumi_aws as aws\n\nprint(aws.ec2.Eip('e', vpc=True))\n")]);
    let run = run_in(dir.path(), &["--codemods", "specs", "--format", "github", "--quiet"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert_eq!(
        lines[0],
        "::warning file=dir%251/we%3Aird%2Cname.py,line=3,col=1,endLine=3,endColumn=34,title=pulumi-fix%3A two-lines::100%25 wrong,%0Asee: the docs (no automatic fix; fix it by hand)"
    );
    assert!(lines[1].starts_with("::warning file=dir%251/we%3Aird%2Cname.py,line=3,col=7,"), "{}", lines[1]);
    assert!(lines[1].contains("title=pulumi-fix%3A eip-vpc-domain::"), "{}", lines[1]);
}

#[test]
fn colors_only_when_asked_or_on_a_terminal() {
    let dir = fixture_copy(FIXTURE);
    let escape = "\u{1b}[";
    let piped = run_with_env(dir.path(), &["--dry-run"], &[]);
    assert!(!piped.stdout.is_empty());
    assert!(!piped.stdout.contains(escape), "no color when stdout is a pipe");
    let always = run_with_env(dir.path(), &["--dry-run", "--color", "always"], &[("NO_COLOR", Some("1"))]);
    assert!(always.stdout.contains(&format!("{escape}31m-nat = aws.ec2.Eip(\"nat\", vpc=True)")), "{}", always.stdout);
    let never = run_with_env(dir.path(), &["--dry-run", "--color", "never"], &[]);
    assert_eq!(never.stdout, piped.stdout);

    // On a terminal (a pseudo-terminal from util-linux `script`): colored, unless NO_COLOR.
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipping the terminal half: `script` is not installed");
        return;
    }
    let on_terminal = |no_color: Option<&str>| {
        let mut command = std::process::Command::new("script");
        command.args(["-qec", &format!("'{}' --dry-run --quiet", binary()), "/dev/null"]).current_dir(dir.path()).env_remove("NO_COLOR").env_remove("CI").env("TERM", "xterm-256color");
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        String::from_utf8_lossy(&command.output().unwrap().stdout).into_owned()
    };
    assert!(on_terminal(None).contains(&format!("{escape}31m-")), "colored on a terminal");
    let plain = on_terminal(Some("1"));
    assert!(plain.contains("-nat = aws.ec2.Eip") && !plain.contains(&format!("{escape}31m")), "NO_COLOR wins on a terminal: {plain:?}");
}

/// Fixes that add resources say which: `creates` in the JSON report (within its schema), and the
/// text summary's list of what the next `pulumi up` will create.
#[test]
fn the_resources_a_fix_creates_are_listed() {
    let dir = fixture_copy("programs/python-s3-inline-config");
    let run = run_in(dir.path(), &["--dry-run", "--unsafe-fixes", "--format", "json"]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let errors = schema_errors("schemas/report-v1.schema.json", &report);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let creates: Vec<&str> = report["findings"].as_array().unwrap().iter().filter_map(|f| f["creates"].as_str()).collect();
    assert!(creates.contains(&"aws.s3.BucketVersioning f\"eks-tenant-data-{environment_suffix}-versioning\""), "{creates:?}");
    assert!(creates.contains(&"aws.s3.BucketWebsiteConfiguration \"docs-website\""), "{creates:?}");

    let text = run_in(dir.path(), &["--dry-run", "--unsafe-fixes"]);
    let listed = format!("The next `pulumi up` would create {} new resources:", creates.len());
    assert!(text.stderr.contains(&listed), "{}", text.stderr);
    assert!(text.stderr.contains("  + aws.s3.BucketWebsiteConfiguration \"docs-website\"  (__main__.py:"), "{}", text.stderr);
}
