use crate::index::FileIndex;
use crate::lang::{Grammar, named_descendants, parse};

/// Is the expression spelled `needle` (its `nth` occurrence, 0-based) an Output in `source`?
fn is_output_at(grammar: Grammar, source: &str, needle: &str, nth: usize) -> bool {
    let tree = parse(grammar, source);
    let index = FileIndex::build(grammar, &tree, source);
    let start = source.match_indices(needle).nth(nth).unwrap_or_else(|| panic!("`{needle}` #{nth} not in source")).0;
    let mut node = tree.root_node().descendant_for_byte_range(start, start + needle.len()).unwrap();
    while node.byte_range() != (start..start + needle.len()) {
        node = node.parent().unwrap_or_else(|| panic!("no node spans `{needle}`"));
    }
    index.is_output(node)
}

/// The last occurrence: the `use = <expr>` line the tests append.
fn last(grammar: Grammar, source: &str, needle: &str) -> bool {
    is_output_at(grammar, source, needle, source.matches(needle).count() - 1)
}

fn py(source: &str, needle: &str) -> bool {
    last(Grammar::Python, source, needle)
}

fn ts(source: &str, needle: &str) -> bool {
    last(Grammar::TypeScript, source, needle)
}

const PY_PROGRAM: &str = r#"
import pulumi
import pulumi_aws as aws
from pulumi_aws import s3

config = pulumi.Config()
password = config.require_secret("dbPassword")
region = config.require("region")
bucket = s3.Bucket("b", bucket=f"data-{region}")
prefix = pulumi.Output.concat(bucket.bucket, "/", "x")
name_len = bucket.bucket.apply(len)
vpc = aws.ec2.get_vpc_output(default=True)
plain_vpc = aws.ec2.get_vpc(default=True)
label = "static"

class Stack(pulumi.ComponentResource):
    def __init__(self, name, cert: pulumi.Output[str], size: int):
        self.cluster = aws.eks.Cluster("c", role_arn="r")
        data = self.cluster.certificate_authority.data
        user_data = prefix.apply(lambda prefix: f"{prefix}-{cert}-{size}")
        self.cluster.apply(lambda c: c)
"#;

#[test]
fn python_outputs() {
    for expr in [
        "config.require_secret(\"dbPassword\")",
        "bucket.bucket",
        "bucket.arn",
        "pulumi.Output.concat(bucket.bucket, \"/\", \"x\")",
        "prefix",
        "name_len",
        "vpc",
        "vpc.id",
        "self.cluster.certificate_authority.data",
        "self.cluster.certificate_authority",
    ] {
        assert!(py(&format!("{PY_PROGRAM}\nuse = {expr}\n"), &format!("use = {expr}")[6..]), "`{expr}` should be an Output");
    }
}

#[test]
fn python_plain_values() {
    for expr in ["region", "label", "plain_vpc", "plain_vpc.id", "config", "bucket", "size", "bucket.apply", "bucket._name"] {
        assert!(!py(&format!("{PY_PROGRAM}\nuse = {expr}\n"), &format!("use = {expr}")[6..]), "`{expr}` should not be an Output");
    }
    // The lambda parameter shadows the Output of the same name.
    assert!(!is_output_at(Grammar::Python, PY_PROGRAM, "prefix", 3), "the lambda's `prefix` is a plain value");
}

#[test]
fn annotated_parameters_are_seen_inside_their_function_only() {
    let source = "import pulumi
def f(cert: pulumi.Output[str], size: int):
    return lambda v: (cert, size, v)
use = cert
";
    assert!(is_output_at(Grammar::Python, source, "cert", 1), "`cert` inside the lambda is the annotated Output parameter");
    assert!(!is_output_at(Grammar::Python, source, "size", 1));
    assert!(!is_output_at(Grammar::Python, source, "cert", 2), "outside the function `cert` is another name");
    let source = "import * as pulumi from '@pulumi/pulumi';
function f(cert: pulumi.Input<string>, size: number) {
  return () => [cert, size];
}
";
    assert!(is_output_at(Grammar::TypeScript, source, "cert", 1));
    assert!(!is_output_at(Grammar::TypeScript, source, "size", 1));
}

#[test]
fn python_other_packages_and_shadowing_modules() {
    let source = "import boto3\nclient = boto3.client('s3')\nx = client.get_bucket_output\n";
    assert!(!py(source, "client.get_bucket_output"));
}

const TS_PROGRAM: &str = r#"
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";

const config = new pulumi.Config();
const password = config.requireSecret("dbPassword");
const region = config.require("region");
const bucket = new aws.s3.Bucket("b", { bucket: `data-${region}` });
const arn = bucket.arn;
const url = pulumi.interpolate`s3://${bucket.bucket}`;
const both = pulumi.all([bucket.arn, bucket.id]);
const caller = aws.getCallerIdentityOutput();
const plainCaller = aws.getCallerIdentity();

export class EksStack extends pulumi.ComponentResource {
  public readonly cluster: eks.Cluster;
  public readonly endpoint: pulumi.Output<string>;
  public readonly label: string;

  constructor(name: string, cert: pulumi.Input<string>, size: number) {
    super("x:y:EksStack", name);
    this.cluster = new eks.Cluster("c", {});
    this.endpoint = this.cluster.eksCluster.endpoint;
    const arnOf = this.cluster.core.oidcProvider!.arn;
    const f = bucket.id.apply((region) => `${region}-${size}`);
  }
}
"#;

#[test]
fn typescript_outputs() {
    for expr in [
        "config.requireSecret(\"dbPassword\")",
        "bucket.arn",
        "arn",
        "url",
        "both",
        "caller",
        "caller.accountId",
        "this.cluster.core.oidcProvider",
        "this.cluster.core.oidcProvider!.arn",
        "this.endpoint",
    ] {
        assert!(ts(&format!("{TS_PROGRAM}\nconst use = {expr};\n"), &format!("use = {expr}")[6..]), "`{expr}` should be an Output");
    }
}

#[test]
fn typescript_plain_values() {
    for expr in ["region", "plainCaller", "this.label", "size", "name", "bucket"] {
        assert!(!ts(&format!("{TS_PROGRAM}\nconst use = {expr};\n"), &format!("use = {expr}")[6..]), "`{expr}` should not be an Output");
    }
    assert!(!is_output_at(Grammar::TypeScript, TS_PROGRAM, "region", 4), "the arrow function's `region` parameter is plain");
}

#[test]
fn input_positions() {
    let source = r#"
import json
import pulumi
import pulumi_aws as aws

o = aws.s3.Bucket("b").arn
aws.iam.Policy(f"name-{o}", policy={"Statement": [{"Resource": f"arn:{o}"}]}, tags={f"key-{o}": "v"})
json.dumps({"Resource": f"arn:{o}"})
pulumi.export("arn", f"arn:{o}")
aws.iam.get_policy_document(statements=[f"arn:{o}"])
aws.iam.get_policy_document_output(statements=[f"arn:{o}"])
x = f"arn:{o}"
"#;
    let tree = parse(Grammar::Python, source);
    let index = FileIndex::build(Grammar::Python, &tree, source);
    let strings: Vec<_> = {
        let mut found: Vec<_> = named_descendants(tree.root_node(), |_| true).filter(|n| n.kind() == "string" && source[n.byte_range()].starts_with('f')).collect();
        found.sort_by_key(|n| n.start_byte());
        found
    };
    let positions: Vec<(String, bool)> = strings.iter().map(|n| (source[n.byte_range()].to_string(), index.is_input_position(*n))).collect();
    let expected = [
        ("f\"name-{o}\"", false), // a resource name
        ("f\"arn:{o}\"", true),   // nested in a resource input
        ("f\"key-{o}\"", false),  // a dict key
        ("f\"arn:{o}\"", false),  // json.dumps takes plain values
        ("f\"arn:{o}\"", true),   // pulumi.export
        ("f\"arn:{o}\"", false),  // a plain invoke
        ("f\"arn:{o}\"", true),   // the invoke's Output form
        ("f\"arn:{o}\"", false),  // an assignment
    ];
    assert_eq!(positions, expected.iter().map(|(s, b)| (s.to_string(), *b)).collect::<Vec<_>>());
}

#[test]
fn in_apply() {
    let source = "x = o.apply(lambda v: f\"{v}\")\ny = list(map(lambda w: w, z))\n";
    assert!(is_in(source, "f\"{v}\""), "inside the apply callback");
    assert!(!is_in(source, "w, z"), "a lambda passed to map is not an apply callback");
    assert!(!is_in(source, "o.apply"), "the receiver is outside the callback");
}

fn is_in(source: &str, needle: &str) -> bool {
    let tree = parse(Grammar::Python, source);
    let index = FileIndex::build(Grammar::Python, &tree, source);
    let start = source.find(needle).unwrap();
    let node = tree.root_node().descendant_for_byte_range(start, start + 1).unwrap();
    index.is_in_apply(node)
}
