//! `pulumi-fix: ignore` comments in each language: they silence the finding and keep its fix
//! from being applied; unused ones are reported on request.

mod common;

use common::*;
use std::fs;

#[test]
fn suppressed_fixes_are_not_applied_in_any_language() {
    let python = "\
import pulumi_aws as aws

a = aws.ec2.Eip(\"a\", vpc=True)  # pulumi-fix: ignore[eip-vpc-domain]
# pulumi-fix: ignore
b = aws.ec2.Eip(\"b\", vpc=True)
c = aws.ec2.Eip(
    \"c\",
    vpc=True,  # pulumi-fix: ignore[base64-codec, eip-vpc-domain]
)
d = aws.ec2.Eip(\"d\", vpc=True)  # pulumi-fix: ignore[base64-codec]
e = aws.ec2.Eip(\"e\", vpc=True)
";
    let typescript = "\
import * as aws from \"@pulumi/aws\";

// pulumi-fix: ignore[ts-eip-vpc-domain]
const a = new aws.ec2.Eip(\"a\", { vpc: true });
const b = new aws.ec2.Eip(\"b\", { vpc: true }); // pulumi-fix: ignore
const c = new aws.ec2.Eip(\"c # pulumi-fix: ignore\", { vpc: true });
";
    let yaml = "name: proj\nruntime: nodejs\nconfig:\n  aws:region:\n    # pulumi-fix: ignore[yaml-config-default-value]\n    default: us-east-1\n";
    let dir = scratch(&[("a.py", python), ("index.ts", typescript), ("Pulumi.yaml", yaml)]);
    let run = run_in(dir.path(), &["--write"]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let fixed = fs::read_to_string(dir.path().join("a.py")).unwrap();
    let lines: Vec<&str> = fixed.lines().collect();
    assert!(lines[2].contains("vpc=True"), "same-line suppression by id");
    assert!(lines[4].contains("vpc=True"), "own-line bare suppression on the line before");
    assert!(lines[7].contains("vpc=True"), "suppression on a line inside a multi-line finding");
    assert_eq!(lines[9], "d = aws.ec2.Eip(\"d\", domain=\"vpc\")  # pulumi-fix: ignore[base64-codec]", "another codemod's id does not silence this one");
    assert_eq!(lines[10], "e = aws.ec2.Eip(\"e\", domain=\"vpc\")", "a trailing suppression does not reach the next line");

    let fixed = fs::read_to_string(dir.path().join("index.ts")).unwrap();
    let lines: Vec<&str> = fixed.lines().collect();
    assert!(lines[3].contains("vpc: true") && lines[4].contains("vpc: true"), "{fixed}");
    assert!(lines[5].contains("domain: \"vpc\""), "`#` does not start a TypeScript comment: {fixed}");

    assert_eq!(fs::read_to_string(dir.path().join("Pulumi.yaml")).unwrap(), yaml, "YAML comments suppress too");
}

#[test]
fn suppressed_findings_are_counted_not_listed() {
    let dir = scratch(&[("a.py", "import pulumi_aws as aws\n\nx = aws.ec2.Eip(\"x\", vpc=flag)  # pulumi-fix: ignore\n")]);
    let run = run_in(dir.path(), &["--dry-run"]);
    assert_eq!(run.code, 0, "a suppressed finding without a fix does not fail the run: {}", run.stderr);
    assert!(run.stderr.contains("1 finding suppressed"), "{}", run.stderr);
    assert!(!run.stderr.contains("a.py:3"), "{}", run.stderr);
}

#[test]
fn unused_suppressions_are_reported_only_when_asked() {
    let python = "\
import pulumi_aws as aws

x = 1  # pulumi-fix: ignore[eip-vpc-domain]
# pulumi-fix: ignore
y = 2
a = aws.ec2.Eip(\"a\", vpc=True)  # pulumi-fix: ignore[eip-vpc-domain, no-such-codemod]
b = 3  # pulumi-fix: ignore[eip-vpc-domain
";
    let dir = scratch(&[("a.py", python)]);
    let quiet = run_in(dir.path(), &["--dry-run", "--quiet"]);
    assert_eq!(quiet.code, 1, "the malformed comment is always reported");
    assert_eq!(quiet.stderr, "a.py:7: malformed suppression: `ignore[` without a closing `]`; write `pulumi-fix: ignore[codemod-id]`\n");

    let run = run_in(dir.path(), &["--dry-run", "--quiet", "--report-unused-suppressions"]);
    assert_eq!(run.code, 1);
    let expected = "\
a.py:7: malformed suppression: `ignore[` without a closing `]`; write `pulumi-fix: ignore[codemod-id]`
a.py:3: unused suppression: no `eip-vpc-domain` finding here to silence; remove it
a.py:4: unused suppression `pulumi-fix: ignore`: no finding here to silence; remove it
a.py:6: unused suppression: `no-such-codemod` not active in this run (unknown id, or not selected); remove it
";
    assert_eq!(run.stderr, expected);
    assert_eq!(run.stdout, "", "every finding is suppressed, nothing to fix");
}
