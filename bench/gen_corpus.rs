//! `gen-corpus`: writes a synthetic Pulumi monorepo for the benchmark (`bench/run.sh`).
//!
//! Projects of Python or TypeScript programs (a main file and components), 50–800 lines per
//! file, with varied import spellings, component resources, comments and near misses (correct
//! `domain="vpc"`, `description=`, `.encode("utf-8")`), and the mistakes the built-in codemods fix
//! seeded at a known rate. The same `--seed` writes the same bytes. Prints a JSON summary with the
//! findings pulumi-fix must report, per codemod, so the benchmark checks its own correctness.

use clap::Parser;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(about = "Writes a deterministic synthetic Pulumi monorepo for the benchmark")]
struct Args {
    /// Number of Python and TypeScript source files to write.
    #[arg(long)]
    files: usize,
    /// Directory to write (must not exist, or be empty, unless --force).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Share of files that get one seeded mistake.
    #[arg(long, default_value_t = 0.05)]
    mistake_rate: f64,
    /// Only this share of files are TypeScript; the rest Python.
    #[arg(long, default_value_t = 0.4)]
    typescript_share: f64,
    /// Write one Python file of about this many lines (with one mistake) instead of a corpus.
    #[arg(long)]
    single_file_lines: Option<usize>,
    /// Replace `--out` if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Python,
    TypeScript,
}

/// How a file spells `aws.ec2.Eip`.
#[derive(Clone)]
enum ImportStyle {
    /// `import pulumi_aws as ALIAS` / `import * as ALIAS from "@pulumi/aws"`.
    Namespace(String),
    /// `from pulumi_aws import ec2` / `import { ec2 } from "@pulumi/aws"`.
    Modules,
    /// `from pulumi_aws.ec2 import Eip` (Python) / `const aws = require("@pulumi/aws")` (TypeScript).
    Members,
}

/// An argument value, rendered per language.
enum V {
    Str(String),
    /// An expression written the same in both languages (`vpc.id`).
    Expr(String),
    Bool(bool),
    Num(i64),
    /// `f"{prefix}-{environment_suffix}"` / `` `${prefix}-${environmentSuffix}` ``.
    Named(String),
    /// A map with keys kept as written (tags).
    Tags(Vec<(String, String)>),
    /// Nested arguments: keys in snake_case, camelCase in TypeScript.
    Obj(Vec<(&'static str, V)>),
    List(Vec<V>),
    Undefined,
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// One source file being written.
struct File {
    lang: Lang,
    style: ImportStyle,
    quote: char,
    body: String,
    /// module → members used (for the import lines).
    used: BTreeMap<&'static str, BTreeSet<&'static str>>,
    needs_json: bool,
    needs_base64: bool,
    lines: usize,
}

impl File {
    fn new(lang: Lang, style: ImportStyle, quote: char) -> File {
        File { lang, style, quote, body: String::new(), used: BTreeMap::new(), needs_json: false, needs_base64: false, lines: 0 }
    }

    fn line(&mut self, indent: usize, text: &str) {
        let unit = if self.lang == Lang::Python { "    " } else { "  " };
        if !text.is_empty() {
            for _ in 0..indent {
                self.body.push_str(unit);
            }
        }
        self.body.push_str(text);
        self.body.push('\n');
        self.lines += 1;
    }

    fn blank(&mut self) {
        self.line(0, "");
    }

    fn q(&self, s: &str) -> String {
        format!("{0}{s}{0}", self.quote)
    }

    fn key(&self, snake: &str) -> String {
        match self.lang {
            Lang::Python => snake.to_string(),
            Lang::TypeScript => camel(snake),
        }
    }

    fn module_name(&self, module: &'static str) -> &'static str {
        match (self.lang, module) {
            (Lang::Python, "lambda") => "lambda_",
            _ => module,
        }
    }

    /// The expression naming `module.member` in this file's import style.
    fn resource(&mut self, module: &'static str, member: &'static str) -> String {
        let module = self.module_name(module);
        self.used.entry(module).or_default().insert(member);
        match (&self.style, self.lang) {
            (ImportStyle::Namespace(alias), _) => format!("{alias}.{module}.{member}"),
            (ImportStyle::Modules, _) => format!("{module}.{member}"),
            (ImportStyle::Members, Lang::Python) => member.to_string(),
            (ImportStyle::Members, Lang::TypeScript) => format!("aws.{module}.{member}"),
        }
    }

    fn value(&mut self, v: &V, indent: usize) -> String {
        match v {
            V::Str(s) => self.q(s),
            V::Expr(e) => e.clone(),
            V::Bool(b) => match (self.lang, b) {
                (Lang::Python, true) => "True".into(),
                (Lang::Python, false) => "False".into(),
                (Lang::TypeScript, b) => b.to_string(),
            },
            V::Num(n) => n.to_string(),
            V::Named(prefix) => match self.lang {
                Lang::Python => format!("f\"{prefix}-{{environment_suffix}}\""),
                Lang::TypeScript => format!("`{prefix}-${{environmentSuffix}}`"),
            },
            V::Tags(pairs) => {
                let items: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| match self.lang {
                        Lang::Python => format!("{}: {}", self.q(k), self.q(v)),
                        Lang::TypeScript => format!("{k}: {}", self.q(v)),
                    })
                    .collect();
                match self.lang {
                    Lang::Python => format!("{{{}}}", items.join(", ")),
                    Lang::TypeScript => format!("{{ {} }}", items.join(", ")),
                }
            }
            V::Obj(fields) => {
                let unit = if self.lang == Lang::Python { "    " } else { "  " };
                let inner = unit.repeat(indent + 1);
                let outer = unit.repeat(indent);
                let mut out = String::from("{\n");
                for (k, v) in fields {
                    let value = self.value(v, indent + 1);
                    let key = match self.lang {
                        Lang::Python => self.q(k),
                        Lang::TypeScript => camel(k),
                    };
                    let _ = writeln!(out, "{inner}{key}: {value},");
                    self.lines += 1;
                }
                out.push_str(&outer);
                out.push('}');
                out
            }
            V::List(items) => {
                let rendered: Vec<String> = items.iter().map(|i| self.value(i, indent)).collect();
                format!("[{}]", rendered.join(", "))
            }
            V::Undefined => match self.lang {
                Lang::Python => "None".into(),
                Lang::TypeScript => "undefined".into(),
            },
        }
    }

    /// `var = module.Member(name, key=value, ...)` / `const var = new module.Member(name, { ... });`
    fn statement(&mut self, indent: usize, var: &str, (module, member): (&'static str, &'static str), name: &str, args: Vec<(&'static str, V)>, in_component: bool) {
        let callee = self.resource(module, member);
        let name = self.value(&V::Named(name.to_string()), 0);
        match self.lang {
            Lang::Python => {
                self.line(indent, &format!("{var} = {callee}("));
                self.line(indent + 1, &format!("{name},"));
                for (k, v) in &args {
                    let value = self.value(v, indent + 1);
                    self.line(indent + 1, &format!("{}={value},", self.key(k)));
                }
                if in_component {
                    self.line(indent + 1, "opts=pulumi.ResourceOptions(parent=self),");
                }
                self.line(indent, ")");
            }
            Lang::TypeScript => {
                let prefix = if in_component { format!("this.{}", camel(var)) } else { format!("const {}", camel(var)) };
                self.line(indent, &format!("{prefix} = new {callee}({name}, {{"));
                for (k, v) in &args {
                    let value = self.value(v, indent + 1);
                    self.line(indent + 1, &format!("{}: {value},", self.key(k)));
                }
                self.line(indent, if in_component { "}, { parent: this });" } else { "});" });
            }
        }
    }

    fn comment(&mut self, indent: usize, text: &str) {
        let marker = if self.lang == Lang::Python { "#" } else { "//" };
        self.line(indent, &format!("{marker} {text}"));
    }

    /// The import lines and the config preamble, then the body.
    fn finish(self, docstring: &str) -> String {
        let mut head = String::new();
        let q = self.quote;
        match self.lang {
            Lang::Python => {
                let _ = writeln!(head, "\"\"\"{docstring}\"\"\"\n");
                if self.needs_base64 {
                    head.push_str("import base64\n");
                }
                if self.needs_json {
                    head.push_str("import json\n");
                }
                head.push_str("import pulumi\n");
                match &self.style {
                    ImportStyle::Namespace(alias) => {
                        let _ = writeln!(head, "import pulumi_aws as {alias}");
                    }
                    ImportStyle::Modules => {
                        let modules: Vec<&str> = self.used.keys().copied().collect();
                        if !modules.is_empty() {
                            let _ = writeln!(head, "from pulumi_aws import {}", modules.join(", "));
                        }
                    }
                    ImportStyle::Members => {
                        for (module, members) in &self.used {
                            let members: Vec<&str> = members.iter().copied().collect();
                            let _ = writeln!(head, "from pulumi_aws.{module} import {}", members.join(", "));
                        }
                    }
                }
                head.push_str("\nconfig = pulumi.Config()\nenvironment_suffix = config.get(\"environmentSuffix\") or \"dev\"\n\n");
            }
            Lang::TypeScript => {
                let _ = writeln!(head, "/**\n * {docstring}\n */");
                let _ = writeln!(head, "import * as pulumi from {q}@pulumi/pulumi{q};");
                match &self.style {
                    ImportStyle::Namespace(alias) => {
                        let _ = writeln!(head, "import * as {alias} from {q}@pulumi/aws{q};");
                    }
                    ImportStyle::Modules => {
                        let modules: Vec<&str> = self.used.keys().copied().collect();
                        if !modules.is_empty() {
                            let _ = writeln!(head, "import {{ {} }} from {q}@pulumi/aws{q};", modules.join(", "));
                        }
                    }
                    ImportStyle::Members => {
                        let _ = writeln!(head, "const aws = require({q}@pulumi/aws{q});");
                    }
                }
                let _ = writeln!(head, "\nconst config = new pulumi.Config();\nconst environmentSuffix = config.get({q}environmentSuffix{q}) || {q}dev{q};\n");
            }
        }
        head + &self.body
    }
}

/// A seeded mistake: which codemod must report it, and how many findings it yields.
struct Seeded {
    codemod: &'static str,
    findings: usize,
}

/// The resource kinds of `Gen::resource`, and the themes a file draws most of them from: network,
/// data, storage, compute, security.
const RESOURCE_KINDS: u32 = 14;
const THEMES: &[&[u32]] = &[&[0, 1, 1, 2, 3, 4], &[9, 11, 2, 8], &[5, 6, 8], &[12, 7, 10, 13], &[7, 8, 2, 10]];

const WORDS: &[&str] = &[
    "api", "web", "data", "cache", "queue", "audit", "billing", "health", "orders", "search", "media", "auth", "events", "report", "ingest",
];

struct Gen {
    rng: fastrand::Rng,
    expected: BTreeMap<&'static str, usize>,
}

impl Gen {
    fn word(&mut self) -> &'static str {
        WORDS[self.rng.usize(..WORDS.len())]
    }

    fn tags(&mut self, name: &str) -> V {
        let mut pairs = vec![("Name".to_string(), name.to_string()), ("Environment".to_string(), "production".to_string())];
        if self.rng.bool() {
            pairs.push(("Team".to_string(), self.word().to_string()));
        }
        V::Tags(pairs)
    }

    /// One ordinary resource, mostly of the file's theme: a correct program, including the near
    /// misses of the seeded mistakes.
    fn resource(&mut self, f: &mut File, theme: &[u32], indent: usize, in_component: bool) {
        let kind = if self.rng.u32(0..5) == 0 { self.rng.u32(0..RESOURCE_KINDS) } else { theme[self.rng.usize(..theme.len())] };
        let w = self.word();
        let n = self.rng.u32(1..99);
        let var = format!("{w}_{n}");
        let name = format!("{w}-{n}");
        let tags = self.tags(&name);
        let (module, member, args): (&'static str, &'static str, Vec<(&'static str, V)>) = match kind {
            0 => ("ec2", "Vpc", vec![("cidr_block", V::Str(format!("10.{n}.0.0/16"))), ("enable_dns_hostnames", V::Bool(true)), ("enable_dns_support", V::Bool(true)), ("tags", tags)]),
            1 => ("ec2", "Subnet", vec![
                ("vpc_id", V::Expr("vpc.id".into())),
                ("cidr_block", V::Str(format!("10.0.{n}.0/24"))),
                ("availability_zone", V::Str("us-east-1a".into())),
                ("map_public_ip_on_launch", V::Bool(self.rng.bool())),
                ("tags", tags),
            ]),
            2 => ("ec2", "SecurityGroup", vec![
                ("vpc_id", V::Expr("vpc.id".into())),
                ("description", V::Str(format!("Security group for {w}"))),
                ("ingress", V::List(vec![V::Obj(vec![("protocol", V::Str("tcp".into())), ("from_port", V::Num(443)), ("to_port", V::Num(443)), ("cidr_blocks", V::List(vec![V::Str("10.0.0.0/8".into())]))])])),
                ("tags", tags),
            ]),
            3 => ("ec2", "Eip", vec![("domain", V::Str("vpc".into())), ("tags", tags)]),
            4 => ("ec2", "NatGateway", vec![("allocation_id", V::Expr("nat_eip.id".into())), ("subnet_id", V::Expr("public_subnet.id".into())), ("tags", tags)]),
            5 => ("s3", "BucketV2", vec![("bucket", V::Named(name.clone())), ("force_destroy", V::Bool(true)), ("tags", tags)]),
            6 => ("s3", "BucketVersioningV2", vec![("bucket", V::Expr("bucket.id".into())), ("versioning_configuration", V::Obj(vec![("status", V::Str("Enabled".into()))]))]),
            7 => ("iam", "Role", vec![("assume_role_policy", V::Expr("assume_role_policy".into())), ("description", V::Str(format!("Role for {w}"))), ("tags", tags)]),
            8 => ("kms", "Key", vec![("description", V::Str(format!("Key for {w}"))), ("enable_key_rotation", V::Bool(true)), ("deletion_window_in_days", V::Num(7))]),
            9 => ("elasticache", "ReplicationGroup", vec![
                ("description", V::Str(format!("Redis for {w}"))),
                ("node_type", V::Str("cache.t3.micro".into())),
                ("num_cache_clusters", V::Num(2)),
                ("at_rest_encryption_enabled", V::Bool(true)),
                ("transit_encryption_enabled", V::Bool(true)),
                ("auth_token", V::Expr("redis_password.result".into())),
            ]),
            10 => ("cloudwatch", "LogGroup", vec![("name", V::Str(format!("/aws/{w}/{n}"))), ("retention_in_days", V::Num(14)), ("kms_key_id", V::Expr("key.arn".into()))]),
            11 => ("dynamodb", "Table", vec![
                ("billing_mode", V::Str("PAY_PER_REQUEST".into())),
                ("hash_key", V::Str("id".into())),
                ("attributes", V::List(vec![V::Obj(vec![("name", V::Str("id".into())), ("type", V::Str("S".into()))])])),
                ("tags", tags),
            ]),
            12 => ("lambda", "Function", vec![
                ("runtime", V::Str("python3.12".into())),
                ("handler", V::Str("index.handler".into())),
                ("role", V::Expr("role.arn".into())),
                ("timeout", V::Num(30)),
                ("environment", V::Obj(vec![("variables", V::Tags(vec![("TABLE".into(), name.clone())]))])),
            ]),
            _ => ("sqs", "Queue", vec![("visibility_timeout_seconds", V::Num(60)), ("message_retention_seconds", V::Num(345600)), ("tags", tags)]),
        };
        if self.rng.u32(0..3) == 0 {
            f.comment(indent, &format!("The {w} {member} ({module}); see the runbook before changing it."));
        }
        f.statement(indent, &var, (module, member), &name, args, in_component);
        f.blank();
    }

    /// A helper function with a loop and a near miss of the base64 mistake.
    fn helper(&mut self, f: &mut File) {
        let w = self.word();
        match f.lang {
            Lang::Python => {
                f.needs_json = true;
                f.line(0, &format!("def build_{w}_policy(arns, actions=None):"));
                f.line(1, &format!("\"\"\"Builds the IAM policy document that lets {w} reach its resources.\"\"\""));
                f.line(1, "statements = []");
                f.line(1, "for arn in arns:");
                f.line(2, "statements.append({");
                f.line(3, "\"Effect\": \"Allow\",");
                f.line(3, "\"Action\": actions or [\"s3:GetObject\", \"s3:PutObject\"],");
                f.line(3, "\"Resource\": [arn, f\"{arn}/*\"],");
                f.line(2, "})");
                f.line(1, "document = json.dumps({\"Version\": \"2012-10-17\", \"Statement\": statements})");
                f.line(1, "return document.encode(\"utf-8\").decode(\"ascii\")");
            }
            Lang::TypeScript => {
                f.line(0, &format!("function build{}Policy(arns: string[], actions?: string[]): string {{", camel(&format!("_{w}"))));
                f.line(1, "const statements = arns.map((arn) => ({");
                f.line(2, "Effect: \"Allow\",");
                f.line(2, "Action: actions ?? [\"s3:GetObject\", \"s3:PutObject\"],");
                f.line(2, "Resource: [arn, `${arn}/*`],");
                f.line(1, "}));");
                f.line(1, "return JSON.stringify({ Version: \"2012-10-17\", Statement: statements });");
                f.line(0, "}");
            }
        }
        f.blank();
    }

    /// Writes a seeded mistake and records the findings it must produce.
    fn mistake(&mut self, f: &mut File, indent: usize, in_component: bool) {
        let w = self.word();
        let n = self.rng.u32(1..99);
        let var = format!("{w}_{n}");
        let name = format!("{w}-{n}");
        let seeded = match (f.lang, self.rng.u32(0..6)) {
            (Lang::Python, 0) => {
                f.comment(indent, "EIP for the NAT gateway");
                f.statement(indent, &var, ("ec2", "Eip"), &name, vec![("vpc", V::Bool(true)), ("tags", self.tags(&name))], in_component);
                Seeded { codemod: "eip-vpc-domain", findings: 1 }
            }
            (Lang::Python, 1) => {
                f.statement(indent, &var, ("ec2", "Eip"), &name, vec![("vpc", V::Bool(false))], in_component);
                Seeded { codemod: "eip-vpc-domain", findings: 1 }
            }
            (Lang::Python, 2) => {
                f.line(indent, &format!("{var}_user_data = cluster_name.apply(lambda name: f\"\"\"[settings.kubernetes]"));
                f.line(0, "cluster-name = \"{name}\"");
                f.line(0, "\"\"\".encode('base64'))");
                Seeded { codemod: "base64-codec", findings: 1 }
            }
            (Lang::Python, 3) => {
                f.line(indent, &format!("{var}_script = encoded_script.decode(\"base64\")"));
                Seeded { codemod: "base64-codec", findings: 1 }
            }
            (Lang::Python, 4) => {
                let args = vec![("replication_group_description", V::Str(format!("Redis for {w}"))), ("node_type", V::Str("cache.t3.micro".into())), ("auth_token_enabled", V::Bool(false))];
                f.statement(indent, &var, ("elasticache", "ReplicationGroup"), &name, args, in_component);
                Seeded { codemod: "elasticache-description", findings: 2 }
            }
            (Lang::Python, _) => {
                let args = vec![("description", V::Str(format!("Redis for {w}"))), ("transit_encryption_enabled", V::Bool(true)), ("auth_token_enabled", V::Bool(true))];
                f.statement(indent, &var, ("elasticache", "ReplicationGroup"), &name, args, in_component);
                Seeded { codemod: "elasticache-description", findings: 1 }
            }
            (Lang::TypeScript, 0 | 1) => {
                f.statement(indent, &var, ("ec2", "Eip"), &name, vec![("vpc", V::Bool(true)), ("tags", self.tags(&name))], in_component);
                Seeded { codemod: "ts-eip-vpc-domain", findings: 1 }
            }
            (Lang::TypeScript, 2) => {
                let args = vec![("replication_group_description", V::Str(format!("Redis for {w}"))), ("node_type", V::Str("cache.t3.micro".into())), ("auth_token_enabled", V::Bool(false))];
                f.statement(indent, &var, ("elasticache", "ReplicationGroup"), &name, args, in_component);
                Seeded { codemod: "ts-elasticache-description", findings: 2 }
            }
            (Lang::TypeScript, 3) => {
                let args = vec![("description", V::Str(format!("Redis for {w}"))), ("auth_token_enabled", V::Bool(true))];
                f.statement(indent, &var, ("elasticache", "ReplicationGroup"), &name, args, in_component);
                Seeded { codemod: "ts-elasticache-description", findings: 1 }
            }
            (Lang::TypeScript, _) => {
                let key = if self.rng.bool() { V::Undefined } else { V::Expr("replicaKey.arn".into()) };
                let destination = V::Obj(vec![("bucket", V::Expr("replicaBucket.arn".into())), ("replica_kms_key_id", key), ("storage_class", V::Str("STANDARD".into()))]);
                let rule = V::Obj(vec![("id", V::Str("replicate-all".into())), ("status", V::Str("Enabled".into())), ("destination", destination)]);
                let args = vec![("bucket", V::Expr("primaryBucket.id".into())), ("role", V::Expr("replicationRole.arn".into())), ("rules", V::List(vec![rule]))];
                f.statement(indent, &var, ("s3", "BucketReplication"), &name, args, in_component);
                Seeded { codemod: "ts-bucket-replication-config", findings: 2 }
            }
        };
        f.blank();
        *self.expected.entry(seeded.codemod).or_insert(0) += seeded.findings;
    }

    fn component_open(&mut self, f: &mut File, class: &str) {
        match f.lang {
            Lang::Python => {
                f.line(0, &format!("class {class}(pulumi.ComponentResource):"));
                f.line(1, &format!("\"\"\"Groups the {class} resources under one parent.\"\"\""));
                f.blank();
                f.line(1, "def __init__(self, name, args=None, opts=None):");
                f.line(2, &format!("super().__init__(\"custom:app:{class}\", name, None, opts)"));
                f.blank();
            }
            Lang::TypeScript => {
                f.line(0, &format!("export class {class} extends pulumi.ComponentResource {{"));
                f.line(1, "[key: string]: unknown;");
                f.blank();
                f.line(1, "constructor(name: string, args: Record<string, unknown> = {}, opts?: pulumi.ComponentResourceOptions) {");
                f.line(2, &format!("super(\"custom:app:{class}\", name, args, opts);"));
                f.blank();
            }
        }
    }

    fn component_close(&mut self, f: &mut File) {
        match f.lang {
            Lang::Python => {
                f.line(2, "self.register_outputs({})");
            }
            Lang::TypeScript => {
                f.line(2, "this.registerOutputs({});");
                f.line(1, "}");
                f.line(0, "}");
            }
        }
        f.blank();
    }

    fn style(&mut self, lang: Lang) -> ImportStyle {
        match self.rng.u32(0..10) {
            0..=4 => ImportStyle::Namespace("aws".into()),
            5 => ImportStyle::Namespace(if lang == Lang::Python { "cloud".into() } else { "awsx".into() }),
            6..=8 => ImportStyle::Modules,
            _ => ImportStyle::Members,
        }
    }

    /// A file of about `target` lines; `mistakes` seeded ones among its resources.
    fn file(&mut self, lang: Lang, target: usize, mistakes: usize) -> String {
        let style = self.style(lang);
        let quote = if lang == Lang::TypeScript && self.rng.u32(0..3) == 0 { '\'' } else { '"' };
        let mut f = File::new(lang, style, quote);
        let theme = THEMES[self.rng.usize(..THEMES.len())];
        let mut remaining_mistakes = mistakes;
        let mut in_component = false;
        // Leave room for the imports and the closing of a component.
        while f.lines + 12 < target {
            let indent = if in_component { 2 } else { 0 };
            let roll = self.rng.u32(0..20);
            if remaining_mistakes > 0 && self.rng.u32(0..4) == 0 {
                self.mistake(&mut f, indent, in_component);
                remaining_mistakes -= 1;
            } else if roll == 0 && !in_component {
                self.helper(&mut f);
            } else if roll == 1 && !in_component {
                let class = format!("{}Stack", camel(&format!("_{}", self.word())));
                self.component_open(&mut f, &class);
                in_component = true;
            } else if roll == 2 && in_component {
                self.component_close(&mut f);
                in_component = false;
            } else if roll == 3 {
                f.comment(indent, "TODO: tighten this once the security review is done.");
                f.comment(indent, "Resources below are shared by every service of the stack.");
            } else {
                self.resource(&mut f, theme, indent, in_component);
            }
        }
        while remaining_mistakes > 0 {
            self.mistake(&mut f, if in_component { 2 } else { 0 }, in_component);
            remaining_mistakes -= 1;
        }
        if in_component {
            self.component_close(&mut f);
        }
        match lang {
            Lang::Python => f.line(0, "pulumi.export(\"environment\", environment_suffix)"),
            Lang::TypeScript => f.line(0, "export const environment = environmentSuffix;"),
        }
        let docstring = format!("Infrastructure for the {} service.", self.word());
        f.finish(&docstring)
    }

    fn lines(&mut self) -> usize {
        // Skewed towards short files: most programs are small, a few are large.
        let u = self.rng.f64();
        50 + (750.0 * u * u) as usize
    }
}

fn prepare_out(out: &Path, force: bool) -> Result<(), String> {
    if out.exists() {
        let empty = fs::read_dir(out).map_err(|e| format!("{}: {e}", out.display()))?.next().is_none();
        if !empty && !force {
            return Err(format!("{}: exists and is not empty; pass --force to replace it", out.display()));
        }
        fs::remove_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))
}

fn write(path: &Path, text: &str, bytes: &mut u64) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    *bytes += text.len() as u64;
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn run(args: Args) -> Result<String, String> {
    let mut generator = Gen { rng: fastrand::Rng::with_seed(args.seed), expected: BTreeMap::new() };
    let mut bytes = 0u64;
    let mut files = 0usize;
    if let Some(lines) = args.single_file_lines {
        if let Some(parent) = args.out.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        let text = generator.file(Lang::Python, lines, 1);
        write(&args.out, &text, &mut bytes)?;
        files = 1;
    } else {
        prepare_out(&args.out, args.force)?;
        let mut project = 0;
        while files < args.files {
            let lang = if generator.rng.f64() < args.typescript_share { Lang::TypeScript } else { Lang::Python };
            let dir = args.out.join(format!("{}-{project:05}", generator.word()));
            write(&dir.join("Pulumi.yaml"), &format!("name: project-{project}\nruntime: {}\n", if lang == Lang::Python { "python" } else { "nodejs" }), &mut bytes)?;
            let count = generator.rng.usize(1..=10).min(args.files - files);
            for i in 0..count {
                let (ext, main) = if lang == Lang::Python { ("py", "__main__") } else { ("ts", "index") };
                let stem = if i == 0 { main.to_string() } else { format!("components/{}_{i}", generator.word()) };
                let mistakes = usize::from(generator.rng.f64() < args.mistake_rate);
                let target = generator.lines();
                let text = generator.file(lang, target, mistakes);
                write(&dir.join(format!("{stem}.{ext}")), &text, &mut bytes)?;
                files += 1;
            }
            project += 1;
        }
    }
    let total: usize = generator.expected.values().sum();
    let by_codemod: Vec<String> = generator.expected.iter().map(|(id, n)| format!("\"{id}\": {n}")).collect();
    Ok(format!(
        "{{\"files\": {files}, \"bytes\": {bytes}, \"seed\": {}, \"expected_findings\": {total}, \"by_codemod\": {{{}}}}}",
        args.seed,
        by_codemod.join(", ")
    ))
}

fn main() {
    match run(Args::parse()) {
        Ok(summary) => println!("{summary}"),
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(2);
        }
    }
}
