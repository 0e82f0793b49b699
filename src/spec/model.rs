//! The TOML shape of a codemod spec and its validation into [`Spec`].

use super::catalog_index::Deferred;
use super::template::Template;
use super::{Lines, SpecError};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpecLanguage {
    Python,
    TypeScript,
    Yaml,
}

impl SpecLanguage {
    pub const ALL: [SpecLanguage; 3] = [SpecLanguage::Python, SpecLanguage::TypeScript, SpecLanguage::Yaml];

    pub fn name(self) -> &'static str {
        match self {
            SpecLanguage::Python => "python",
            SpecLanguage::TypeScript => "typescript",
            SpecLanguage::Yaml => "yaml",
        }
    }
}

/// `safe` fixes are applied by `--write`; `review` fixes only with `--unsafe-fixes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Safety {
    Safe,
    Review,
}

impl Safety {
    pub fn name(self) -> &'static str {
        match self {
            Safety::Safe => "safe",
            Safety::Review => "review",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub id: String,
    pub id_line: usize,
    pub language: SpecLanguage,
    pub summary: String,
    pub explanation: String,
    pub seed: Vec<String>,
    pub safety: Safety,
    /// Runs only when selected by id: an alternative to a default codemod.
    pub opt_in: bool,
    /// Codemod ids this one replaces when it runs (an opt-in alternative to a default).
    pub replaces: Vec<String>,
    pub rules: Vec<Rule>,
    pub examples: Vec<Example>,
    /// Where the spec came from (`codemods/python/x.toml` for built-ins).
    pub path: String,
    /// Embedded in the binary: the test suite compiles its queries, so runs compile them only
    /// when a file needs them.
    pub builtin: bool,
    /// The provider upgrade pack this codemod belongs to (`upgrade = "aws@7"`), which
    /// `--upgrade aws@7` selects.
    pub upgrade: Option<UpgradePack>,
    /// A built-in spec known from the catalog index only, until a file may need it: see
    /// [`Deferred`]. `None` for a spec read from its file.
    pub deferred: Option<Deferred>,
}

/// A provider major-version jump: `aws@7` is the move to pulumi-aws 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UpgradePack {
    pub package: &'static str,
    pub major: u32,
}

impl UpgradePack {
    /// `aws@7`; only pulumi-aws has packs (its version is the one the engine detects).
    pub fn parse(text: &str) -> Result<UpgradePack, String> {
        let (package, major) = text.split_once('@').ok_or_else(|| format!("`{text}` is not PACKAGE@MAJOR, e.g. aws@7"))?;
        if package != "aws" {
            return Err(format!("no upgrade pack for `{package}`; packs exist for aws (aws@6, aws@7)"));
        }
        let major = major.trim_start_matches('v').parse().map_err(|_| format!("`{major}` is not a major version; write e.g. aws@7"))?;
        Ok(UpgradePack { package: "aws", major })
    }
}

impl std::fmt::Display for UpgradePack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.package, self.major)
    }
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub query: String,
    /// Line in the spec file of the query's first line.
    pub query_line: usize,
    pub message: Option<Template>,
    /// What a fix of the rule adds to the stack (`aws.s3.BucketVersioning "logs-versioning"`),
    /// for the summary of what the next `pulumi up` will create.
    pub creates: Option<Template>,
    pub edits: Vec<EditSpec>,
}

#[derive(Debug, Clone)]
pub enum EditSpec {
    Replace { target: String, template: Template },
    Delete { target: String },
    Rename { target: String, to: Template },
    InsertBefore { anchor: String, template: Template },
    InsertAfter { anchor: String, template: Template },
    /// Adds an element at the end of the captured bracketed list, in its layout.
    Append { target: String, template: Template },
    EnsureImport(ImportSpec),
}

/// An import a fix needs, added once and never duplicated.
///
/// | fields            | Python                       | TypeScript                          |
/// |-------------------|------------------------------|-------------------------------------|
/// | module            | `import module`              | `import "module";`                  |
/// | module, name      | `from module import name`    | `import { name } from "module";`    |
/// | module, alias     | `import module as alias`     | `import * as alias from "module";`  |
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImportSpec {
    pub module: String,
    pub name: Option<String>,
    pub alias: Option<String>,
    /// The rule's templates spell the import through `{{$binding}}`, so an existing import under
    /// another local name (`import pulumi as p`) is reused instead of adding a second one.
    pub reuse_alias: bool,
}

impl ImportSpec {
    /// The name templates use for this import: `{{$alias}}`, `{{$name}}` or `{{$module}}`.
    pub fn binding_key(&self) -> &str {
        self.alias.as_deref().or(self.name.as_deref()).unwrap_or(&self.module)
    }
}

#[derive(Debug, Clone)]
pub struct Example {
    pub name: String,
    pub line: usize,
    /// File name the example is run as (decides the grammar: `.ts` vs `.tsx`, `Pulumi.yaml`).
    pub file_name: String,
    pub before: String,
    /// `None`: the example must be left unchanged.
    pub after: Option<String>,
    /// How many findings without an applied fix must remain after fixing.
    pub findings: usize,
    /// The `Pulumi.yaml` of the project the example file belongs to.
    pub project: Option<String>,
    /// Other files of the project (relative path → text), for facts about other modules.
    pub files: std::collections::BTreeMap<String, String>,
    /// The pulumi-aws major the example runs with (as `--target-pulumi-aws`); an upgrade pack's
    /// examples default to the pack's major.
    pub target_aws_major: Option<u32>,
}

impl Example {
    /// Examples with a project or other files run in a scratch directory, not in memory.
    pub fn needs_directory(&self) -> bool {
        self.project.is_some() || !self.files.is_empty()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSpec {
    pub(super) id: Spanned<String>,
    pub(super) language: Spanned<String>,
    pub(super) summary: String,
    pub(super) explanation: String,
    pub(super) seed: Spanned<SeedRefs>,
    pub(super) safety: Spanned<String>,
    #[serde(default)]
    pub(super) opt_in: bool,
    #[serde(default)]
    pub(super) replaces: Vec<String>,
    pub(super) upgrade: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) rule: Vec<RawRule>,
    #[serde(default)]
    pub(super) example: Vec<Spanned<RawExample>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum SeedRefs {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub(super) query: Spanned<String>,
    pub(super) message: Option<Spanned<String>>,
    pub(super) creates: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) edit: Vec<Spanned<RawEdit>>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEdit {
    pub(super) replace: Option<String>,
    pub(super) delete: Option<String>,
    pub(super) rename: Option<String>,
    pub(super) insert_before: Option<String>,
    pub(super) insert_after: Option<String>,
    pub(super) append: Option<String>,
    pub(super) ensure_import: Option<String>,
    pub(super) with: Option<String>,
    pub(super) to: Option<String>,
    pub(super) name: Option<String>,
    #[serde(rename = "as")]
    pub(super) alias: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExample {
    pub(super) name: Option<String>,
    pub(super) file: Option<String>,
    pub(super) before: String,
    pub(super) after: Option<String>,
    #[serde(default)]
    pub(super) findings: usize,
    pub(super) project: Option<String>,
    #[serde(default)]
    pub(super) files: std::collections::BTreeMap<String, String>,
    pub(super) target_pulumi_aws: Option<u32>,
}

/// Builds errors located in one spec file.
struct Locator<'a> {
    path: &'a str,
    text: &'a str,
    lines: &'a Lines,
}

impl Locator<'_> {
    fn at(&self, offset: usize, message: String) -> SpecError {
        self.at_line(self.lines.line(offset), message)
    }

    fn at_line(&self, line: usize, message: String) -> SpecError {
        SpecError { path: self.path.to_string(), line, message }
    }
}

pub(super) fn parse_spec(path: &str, text: &str) -> Result<Spec, Vec<SpecError>> {
    let raw: RawSpec = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        vec![SpecError { path: path.to_string(), line: super::line_of(text, offset), message: format!("invalid codemod spec: {}", e.message().trim()) }]
    })?;
    build_spec(path, text, &Lines::of(text), raw)
}

/// Checks a spec read from `path` (whose spans point into `text`, with `lines` its lines) and
/// builds it. The upgrade catalogs build their `RawSpec`s directly, with spans at the entry.
pub(super) fn build_spec(path: &str, text: &str, lines: &Lines, raw: RawSpec) -> Result<Spec, Vec<SpecError>> {
    let locator = Locator { path, text, lines };
    let err = |offset: usize, message: String| locator.at(offset, message);
    let mut errors = Vec::new();

    let id = raw.id.get_ref().clone();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        errors.push(err(raw.id.span().start, format!("id `{id}` must be kebab-case (a-z, 0-9, -)")));
    }
    let language = match raw.language.get_ref().as_str() {
        "python" => SpecLanguage::Python,
        "typescript" => SpecLanguage::TypeScript,
        "yaml" => SpecLanguage::Yaml,
        other => {
            errors.push(err(raw.language.span().start, format!("unknown language `{other}`; use python, typescript or yaml")));
            SpecLanguage::Python
        }
    };
    let safety = match raw.safety.get_ref().as_str() {
        "safe" => Safety::Safe,
        "review" => Safety::Review,
        other => {
            errors.push(err(raw.safety.span().start, format!("unknown safety `{other}`; use safe or review")));
            Safety::Review
        }
    };
    let seed = match raw.seed.get_ref() {
        SeedRefs::One(s) => vec![s.clone()],
        SeedRefs::Many(v) => v.clone(),
    };
    if seed.is_empty() || seed.iter().any(|s| s.trim().is_empty()) {
        errors.push(err(raw.seed.span().start, "seed must cite the failure report(s) this fix comes from".into()));
    }
    if raw.rule.is_empty() {
        errors.push(err(0, "a codemod needs at least one [[rule]]".into()));
    }
    let upgrade = raw.upgrade.as_ref().and_then(|u| UpgradePack::parse(u.get_ref()).map_err(|m| errors.push(err(u.span().start, m))).ok());

    let mut rules = Vec::new();
    for raw_rule in &raw.rule {
        match parse_rule(raw_rule, &locator) {
            Ok(rule) => rules.push(rule),
            Err(mut e) => errors.append(&mut e),
        }
    }

    let default_file = match language {
        SpecLanguage::Python => "example.py",
        SpecLanguage::TypeScript => "example.ts",
        SpecLanguage::Yaml => "Pulumi.yaml",
    };
    let examples = raw
        .example
        .iter()
        .enumerate()
        .map(|(i, spanned)| {
            let ex = spanned.get_ref();
            Example {
                name: ex.name.clone().unwrap_or_else(|| format!("example {}", i + 1)),
                line: lines.line(spanned.span().start),
                file_name: ex.file.clone().unwrap_or_else(|| default_file.to_string()),
                before: ex.before.clone(),
                after: ex.after.clone(),
                findings: ex.findings,
                project: ex.project.clone(),
                files: ex.files.clone(),
                target_aws_major: ex.target_pulumi_aws.or(upgrade.map(|u| u.major)),
            }
        })
        .collect();

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Spec {
        id,
        id_line: lines.line(raw.id.span().start),
        language,
        summary: raw.summary,
        explanation: raw.explanation,
        seed,
        safety,
        opt_in: raw.opt_in,
        replaces: raw.replaces,
        rules,
        examples,
        path: path.to_string(),
        builtin: false,
        upgrade,
        deferred: None,
    })
}

/// Line of the first character of a TOML string value: a multi-line string starts after its
/// opening delimiter's newline.
fn value_start_line(locator: &Locator, span_start: usize) -> usize {
    let rest = &locator.text[span_start..];
    let multiline = rest.starts_with("'''") || rest.starts_with("\"\"\"");
    let opener_newline = multiline && (rest[3..].starts_with('\n') || rest[3..].starts_with("\r\n"));
    locator.lines.line(span_start) + usize::from(multiline && opener_newline)
}

fn parse_rule(raw: &RawRule, locator: &Locator) -> Result<Rule, Vec<SpecError>> {
    let err = |offset: usize, message: String| locator.at(offset, message);
    let mut errors = Vec::new();
    let query = raw.query.get_ref().clone();
    let query_line = value_start_line(locator, raw.query.span().start);
    let scan = super::compile::scan_query(&query);
    for (line_in_query, message) in &scan.predicate_problems {
        errors.push(locator.at_line(query_line + line_in_query, message.clone()));
    }
    let check_capture = |name: &str, offset: usize, errors: &mut Vec<SpecError>| {
        if !scan.captures.iter().any(|c| c == name) {
            errors.push(err(
                offset,
                format!("unknown capture `@{name}`; the query captures: {}", list_captures(&scan.captures)),
            ));
        }
    };
    let parse_template = |source: &str, offset: usize, errors: &mut Vec<SpecError>| -> Template {
        match Template::parse(source) {
            Ok(t) => {
                for name in t.captures() {
                    check_capture(name, offset, errors);
                }
                t
            }
            Err(message) => {
                errors.push(err(offset, format!("bad template: {message}")));
                Template::literal("")
            }
        }
    };

    let message = raw.message.as_ref().map(|m| parse_template(m.get_ref(), m.span().start, &mut errors));
    let creates = raw.creates.as_ref().map(|c| parse_template(c.get_ref(), c.span().start, &mut errors));
    let mut edits = Vec::new();
    for spanned in &raw.edit {
        let offset = spanned.span().start;
        let e = spanned.get_ref();
        let actions = [&e.replace, &e.delete, &e.rename, &e.insert_before, &e.insert_after, &e.append, &e.ensure_import];
        if actions.iter().filter(|a| a.is_some()).count() != 1 {
            errors.push(err(
                offset,
                "an edit needs exactly one of: replace, delete, rename, insert_before, insert_after, append, ensure_import".into(),
            ));
            continue;
        }
        let unexpected = |field: &str, present: bool, errors: &mut Vec<SpecError>| {
            if present {
                errors.push(err(offset, format!("`{field}` does not belong to this kind of edit")));
            }
        };
        let need = |field: &str, value: &Option<String>, errors: &mut Vec<SpecError>| -> Template {
            match value {
                Some(v) => parse_template(v, offset, errors),
                None => {
                    errors.push(err(offset, format!("this edit needs `{field}`")));
                    Template::literal("")
                }
            }
        };
        let edit = if let Some(target) = &e.replace {
            check_capture(target, offset, &mut errors);
            unexpected("to", e.to.is_some(), &mut errors);
            unexpected("name", e.name.is_some(), &mut errors);
            unexpected("as", e.alias.is_some(), &mut errors);
            EditSpec::Replace { target: target.clone(), template: need("with", &e.with, &mut errors) }
        } else if let Some(target) = &e.delete {
            check_capture(target, offset, &mut errors);
            unexpected("with", e.with.is_some(), &mut errors);
            unexpected("to", e.to.is_some(), &mut errors);
            unexpected("name", e.name.is_some(), &mut errors);
            unexpected("as", e.alias.is_some(), &mut errors);
            EditSpec::Delete { target: target.clone() }
        } else if let Some(target) = &e.rename {
            check_capture(target, offset, &mut errors);
            unexpected("with", e.with.is_some(), &mut errors);
            unexpected("name", e.name.is_some(), &mut errors);
            unexpected("as", e.alias.is_some(), &mut errors);
            EditSpec::Rename { target: target.clone(), to: need("to", &e.to, &mut errors) }
        } else if let Some(anchor) = &e.insert_before {
            check_capture(anchor, offset, &mut errors);
            unexpected("to", e.to.is_some(), &mut errors);
            unexpected("name", e.name.is_some(), &mut errors);
            unexpected("as", e.alias.is_some(), &mut errors);
            EditSpec::InsertBefore { anchor: anchor.clone(), template: need("with", &e.with, &mut errors) }
        } else if let Some(anchor) = &e.insert_after {
            check_capture(anchor, offset, &mut errors);
            unexpected("to", e.to.is_some(), &mut errors);
            unexpected("name", e.name.is_some(), &mut errors);
            unexpected("as", e.alias.is_some(), &mut errors);
            EditSpec::InsertAfter { anchor: anchor.clone(), template: need("with", &e.with, &mut errors) }
        } else if let Some(target) = &e.append {
            check_capture(target, offset, &mut errors);
            unexpected("to", e.to.is_some(), &mut errors);
            unexpected("name", e.name.is_some(), &mut errors);
            unexpected("as", e.alias.is_some(), &mut errors);
            EditSpec::Append { target: target.clone(), template: need("with", &e.with, &mut errors) }
        } else {
            let module = e.ensure_import.clone().unwrap_or_default();
            unexpected("with", e.with.is_some(), &mut errors);
            unexpected("to", e.to.is_some(), &mut errors);
            if module.is_empty() {
                errors.push(err(offset, "ensure_import needs a module name".into()));
            }
            if e.name.is_some() && e.alias.is_some() {
                errors.push(err(offset, "ensure_import takes `name` or `as`, not both".into()));
            }
            EditSpec::EnsureImport(ImportSpec { module, name: e.name.clone(), alias: e.alias.clone(), reuse_alias: false })
        };
        edits.push(edit);
    }
    link_bindings(&mut edits, message.as_ref(), &mut errors, &|m| err(raw.query.span().start, m));
    if errors.is_empty() { Ok(Rule { query, query_line, message, creates, edits }) } else { Err(errors) }
}

/// Every `{{$binding}}` of the rule's templates must name one of its `ensure_import` edits; those
/// imports then reuse an existing local name.
fn link_bindings(edits: &mut [EditSpec], message: Option<&Template>, errors: &mut Vec<SpecError>, err: &dyn Fn(String) -> SpecError) {
    let mut used: Vec<String> = message.map(|m| m.bindings().map(str::to_string).collect()).unwrap_or_default();
    for edit in edits.iter() {
        let template = match edit {
            EditSpec::Replace { template, .. }
            | EditSpec::InsertBefore { template, .. }
            | EditSpec::InsertAfter { template, .. }
            | EditSpec::Append { template, .. } => template,
            EditSpec::Rename { to, .. } => to,
            _ => continue,
        };
        used.extend(template.bindings().map(str::to_string));
        // Transforms that write `pulumi.Output...` spell pulumi through the binding too.
        if template.transforms().any(crate::transforms::writes_pulumi) {
            used.push("pulumi".to_string());
        }
    }
    used.sort();
    used.dedup();
    for binding in &used {
        let import = edits.iter_mut().find_map(|e| match e {
            EditSpec::EnsureImport(import) if import.binding_key() == binding => Some(import),
            _ => None,
        });
        match import {
            Some(import) => import.reuse_alias = true,
            None => errors.push(err(format!(
                "`{{{{${binding}}}}}` names no import of this rule; add an edit `ensure_import = ...` whose `as`, `name` or module is `{binding}`"
            ))),
        }
    }
}

fn list_captures(captures: &[String]) -> String {
    if captures.is_empty() {
        "(none)".into()
    } else {
        captures.iter().map(|c| format!("@{c}")).collect::<Vec<_>>().join(", ")
    }
}
