//! Provider upgrade catalogs: `codemods/upgrades/<package>-<major>.toml` lists the renames and
//! removals of one major-version jump as data, and each entry expands here into ordinary specs
//! (one per language), so they run through the same matcher, guard, reports, `--list` and
//! `explain` as hand-written ones. Every generated rule is gated by
//! `#pulumi-aws-version? ">=MAJOR"`: it fires only where the program is on (or targets) the new
//! major, and `--upgrade aws@MAJOR` sets that target.
//!
//! Names: tokens are canonical (`aws:rds/instance:Instance`), argument and constant names are
//! the TypeScript spelling (`dbName`); the Python spelling is derived (`db_name`, `get_ami`)
//! unless an entry gives `python_from` / `python_to`.

use super::model::{RawEdit, RawExample, RawRule, RawSpec, SeedRefs, build_spec};
use super::{Lines, SpecError, SpecLanguage, UpgradePack, line_of};
use crate::transforms::{camel, snake};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalog {
    package: String,
    major: u32,
    seed: String,
    #[serde(default)]
    module_move: Vec<Spanned<ModuleMove>>,
    #[serde(default)]
    rename_member: Vec<Spanned<RenameMember>>,
    #[serde(default)]
    rename_argument: Vec<Spanned<RenameArgument>>,
    #[serde(default)]
    rename_result: Vec<Spanned<RenameResult>>,
    #[serde(default)]
    enum_constant: Vec<Spanned<EnumConstant>>,
    #[serde(default)]
    removed: Vec<Spanned<Removed>>,
}

/// Code after the standard import (`import pulumi_aws as aws` / `import * as aws from
/// "@pulumi/aws";`), which the expansion puts in front.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct ExamplePair {
    name: Option<String>,
    before: String,
    after: Option<String>,
    #[serde(default)]
    findings: usize,
}

/// The fields every entry has.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Common {
    id: String,
    #[serde(default)]
    note: String,
    safety: Option<String>,
    python: Option<Examples>,
    typescript: Option<Examples>,
}

/// `[entry.python]` (one pair) or `[[entry.python]]` (several).
#[derive(Deserialize)]
#[serde(untagged)]
enum Examples {
    One(ExamplePair),
    Many(Vec<ExamplePair>),
}

impl Examples {
    fn pairs(&self) -> &[ExamplePair] {
        match self {
            Examples::One(pair) => std::slice::from_ref(pair),
            Examples::Many(pairs) => pairs,
        }
    }
}

/// Every member of a module moves: `applicationloadbalancing.*` → `alb.*`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleMove {
    from: String,
    to: String,
    #[serde(flatten)]
    common: Common,
}

/// A resource, function or type token renamed: `aws:index/getAmi:getAmi` → `aws:ec2/getAmi:getAmi`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameMember {
    from: String,
    to: String,
    #[serde(flatten)]
    common: Common,
}

/// An argument of a resource or function renamed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameArgument {
    resource: String,
    from: String,
    to: String,
    python_from: Option<String>,
    python_to: Option<String>,
    #[serde(flatten)]
    common: Common,
}

/// A property of a function's result renamed where the call is read directly:
/// `aws.get_region().name` → `.region`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameResult {
    function: String,
    from: String,
    to: String,
    #[serde(flatten)]
    common: Common,
}

/// TypeScript constants replaced by enum members, within one module:
/// `"PrivateAcl" = "CannedAcl.Private"`, or a whole namespace `"InstanceTypes.*" = "InstanceType.*"`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnumConstant {
    module: String,
    constants: BTreeMap<String, String>,
    #[serde(flatten)]
    common: Common,
}

/// A resource, service (`aws:opsworks/*`) or argument that is gone: a finding with the guide's
/// advice, no fix.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Removed {
    resource: String,
    argument: Option<String>,
    advice: String,
    #[serde(flatten)]
    common: Common,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Python,
    TypeScript,
}

impl Lang {
    fn spec_language(self) -> SpecLanguage {
        match self {
            Lang::Python => SpecLanguage::Python,
            Lang::TypeScript => SpecLanguage::TypeScript,
        }
    }

    fn spec_id(self, pack: UpgradePack, id: &str) -> String {
        match self {
            Lang::Python => format!("{}{}-{id}", pack.package, pack.major),
            Lang::TypeScript => format!("ts-{}{}-{id}", pack.package, pack.major),
        }
    }

    fn header(self) -> &'static str {
        match self {
            Lang::Python => "import pulumi_aws as aws\n\n",
            Lang::TypeScript => "import * as aws from \"@pulumi/aws\";\n\n",
        }
    }

    /// Node kinds and fields: a dotted access, the field of its last name, that name's kind, and a
    /// plain name.
    fn access(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Lang::Python => ("attribute", "attribute", "identifier", "identifier"),
            Lang::TypeScript => ("member_expression", "property", "property_identifier", "identifier"),
        }
    }

    /// A member's spelling: Python functions are snake_case, classes keep their name.
    fn member(self, member: &str) -> String {
        match self {
            Lang::Python if member.starts_with(|c: char| c.is_ascii_lowercase()) => snake(member),
            _ => member.to_string(),
        }
    }

    /// Text written with TypeScript names, in this language's: every backticked code span made
    /// of names (`rds.Instance`, `dbName`, `getRegion(...).name`) gets the Python spelling of its
    /// camelCase parts; type tokens and other spans are kept.
    fn spell(self, text: &str) -> String {
        if self == Lang::TypeScript {
            return text.to_string();
        }
        let is_name_path = |span: &str| !span.is_empty() && span.chars().all(|c| c.is_ascii_alphanumeric() || "_.()*".contains(c));
        text.split('`')
            .enumerate()
            .map(|(i, part)| match i % 2 == 1 && is_name_path(part) {
                true => part.split('.').map(|name| self.member(name)).collect::<Vec<_>>().join("."),
                false => part.to_string(),
            })
            .collect::<Vec<_>>()
            .join("`")
    }

    fn argument(self, name: &str) -> String {
        match self {
            Lang::Python => snake(name),
            Lang::TypeScript => camel(name),
        }
    }
}

/// A rule as the expansion writes it: the query, a message, and its edits.
#[derive(Clone)]
struct GeneratedRule {
    query: String,
    message: String,
    edits: Vec<RawEdit>,
}

fn replace_edit(capture: &str, with: &str) -> RawEdit {
    RawEdit { replace: Some(capture.into()), with: Some(with.into()), ..RawEdit::default() }
}

fn rename_edit(capture: &str, to: &str) -> RawEdit {
    RawEdit { rename: Some(capture.into()), to: Some(to.into()), ..RawEdit::default() }
}

/// A token's parts: `aws:ec2/getAmi:getAmi` → (`aws`, `ec2`, `getAmi`).
fn token_parts(token: &str) -> Option<(&str, &str, &str)> {
    let (package, rest) = token.split_once(':')?;
    let (module_and_file, member) = rest.split_once(':')?;
    let (module, _) = module_and_file.split_once('/')?;
    let simple = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (simple(package) && simple(module) && simple(member)).then_some((package, module, member))
}

/// The token the engine computes for `module.member`.
fn token_of(package: &str, module: &str, member: &str) -> String {
    let mut chars = member.chars();
    let lower: String = chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default();
    format!("{package}:{module}/{lower}:{member}")
}

/// Function tokens also match their `Output` form (`get_ami_output`, `getAmiOutput`).
fn with_output_form(package: &str, module: &str, member: &str) -> Vec<(String, String)> {
    let mut members = vec![member.to_string()];
    if member.starts_with(|c: char| c.is_ascii_lowercase()) {
        members.push(format!("{member}Output"));
    }
    members.into_iter().map(|m| (token_of(package, module, &m), m)).collect()
}

fn gate(pack: UpgradePack, capture: &str) -> String {
    format!("(#pulumi-aws-version? @{capture} \">={}\")", pack.major)
}

/// Rules that rewrite uses of `from_token` to `to_module.to_member` (module `index` = top level).
fn member_rules(lang: Lang, pack: UpgradePack, from: (&str, &str), to: (&str, &str), tokens: &[String], message: &str) -> Vec<GeneratedRule> {
    let (access, name_field, name_kind, plain) = lang.access();
    let token_list = tokens.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(" ");
    let (from_module, from_member) = from;
    let (to_module, to_member) = to;
    let predicates = format!("(#pulumi-type? @expr {token_list}) {}", gate(pack, "expr"));
    let mut rules = Vec::new();
    let member_edit = (from_member != to_member).then(|| replace_edit("member", &lang.member(to_member)));
    if from_module == to_module {
        // Only the name changes: every spelling ends in it.
        rules.push(GeneratedRule {
            query: format!("(({access} {name_field}: ({name_kind}) @member) @expr {predicates})"),
            message: message.into(),
            edits: member_edit.into_iter().collect(),
        });
    } else if from_module == "index" {
        // `aws.getAmi` → `aws.ec2.getAmi`: the object is the package itself.
        rules.push(GeneratedRule {
            query: format!("(({access} {name_field}: ({name_kind}) @member) @expr {predicates})"),
            message: message.into(),
            edits: vec![replace_edit("member", &format!("{to_module}.{}", lang.member(to_member)))],
        });
    } else {
        // `aws.applicationloadbalancing.X` → `aws.alb.X`; a module imported by name needs its import changed by hand.
        let object_field = "object";
        let mut edits = vec![replace_edit("module", to_module)];
        edits.extend(member_edit);
        rules.push(GeneratedRule {
            query: format!("(({access} {object_field}: ({access} {name_field}: ({name_kind}) @module) {name_field}: ({name_kind}) @member) @expr {predicates})"),
            message: message.into(),
            edits,
        });
        rules.push(GeneratedRule {
            query: format!("(({access} {object_field}: ({plain}) {name_field}: ({name_kind})) @expr {predicates})"),
            message: format!("{message}; `{from_module}` is imported by name here: import `{to_module}` instead"),
            edits: vec![],
        });
    }
    if from_member != "*" {
        rules.push(GeneratedRule {
            query: bare_reference_query(lang, &predicates),
            message: format!("{message}; the name is imported on its own here: change its import too"),
            edits: vec![],
        });
    }
    rules
}

/// A name used on its own in a call or `new` (`from pulumi_aws.s3 import BucketV2`), as `@expr`.
fn bare_reference_query(lang: Lang, predicates: &str) -> String {
    match lang {
        Lang::Python => format!("((call function: (identifier) @expr) {predicates})"),
        Lang::TypeScript => format!("([(call_expression function: (identifier) @expr) (new_expression constructor: (identifier) @expr)] {predicates})"),
    }
}

/// Imports of a moved module, rewritten: `from pulumi_aws.applicationloadbalancing import X` →
/// `from pulumi_aws.alb import X`; `from pulumi_aws import applicationloadbalancing` →
/// `from pulumi_aws import alb as applicationloadbalancing` (the local name stays), and the
/// TypeScript `import ... from "@pulumi/aws/applicationloadbalancing"` / `import { applicationloadbalancing }`.
fn module_import_rules(lang: Lang, pack: UpgradePack, from: &str, to: &str) -> Vec<GeneratedRule> {
    let message = format!("`{from}` moved to `{to}` in pulumi-aws {}", pack.major);
    let rule = |query: String, capture: &str, with: String| GeneratedRule { query, message: message.clone(), edits: vec![replace_edit(capture, &with)] };
    match lang {
        Lang::Python => vec![
            rule(
                format!("((import_from_statement module_name: (dotted_name) @module) (#eq? @module \"pulumi_aws.{from}\") {})", gate(pack, "module")),
                "module",
                format!("pulumi_aws.{to}"),
            ),
            rule(
                format!("((import_from_statement module_name: (dotted_name) @package name: (dotted_name) @name) (#eq? @package \"pulumi_aws\") (#eq? @name \"{from}\") {})", gate(pack, "name")),
                "name",
                format!("{to} as {from}"),
            ),
            rule(
                format!("((import_from_statement module_name: (dotted_name) @package name: (aliased_import name: (dotted_name) @name)) (#eq? @package \"pulumi_aws\") (#eq? @name \"{from}\") {})", gate(pack, "name")),
                "name",
                to.to_string(),
            ),
        ],
        Lang::TypeScript => vec![
            rule(
                format!("((import_statement source: (string (string_fragment) @source)) (#eq? @source \"@pulumi/aws/{from}\") {})", gate(pack, "source")),
                "source",
                format!("@pulumi/aws/{to}"),
            ),
            rule(
                format!("((import_statement (import_clause (named_imports (import_specifier name: (identifier) @name !alias))) source: (string (string_fragment) @source)) (#eq? @source \"@pulumi/aws\") (#eq? @name \"{from}\") {})", gate(pack, "name")),
                "name",
                format!("{to} as {from}"),
            ),
            rule(
                format!("((import_statement (import_clause (named_imports (import_specifier name: (identifier) @name alias: (identifier)))) source: (string (string_fragment) @source)) (#eq? @source \"@pulumi/aws\") (#eq? @name \"{from}\") {})", gate(pack, "name")),
                "name",
                to.to_string(),
            ),
        ],
    }
}

/// The call shapes of a resource (`Name("n", arg=...)`, `new Name("n", { arg })`) or function
/// (`f(arg=...)`, `f({ arg })`) with the argument captured as `@arg` / `@name` in `@args`.
fn argument_query(lang: Lang, tokens: &[String], is_function: bool, name: &str, extra: &str, pack: UpgradePack) -> String {
    let token_list = tokens.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(" ");
    let predicates = format!("(#pulumi-type? @callee {token_list}) (#eq? @name {name:?}) {extra} {}", gate(pack, "callee"));
    match (lang, is_function) {
        (Lang::Python, _) => format!(
            "((call function: (_) @callee arguments: (argument_list (keyword_argument name: (identifier) @name) @arg) @args) {predicates})"
        ),
        (Lang::TypeScript, false) => format!(
            "((new_expression constructor: (_) @callee arguments: (arguments . (_) . (object (pair key: (property_identifier) @name) @arg) @args)) {predicates})"
        ),
        (Lang::TypeScript, true) => format!(
            "((call_expression function: (_) @callee arguments: (arguments . (object (pair key: (property_identifier) @name) @arg) @args)) {predicates})"
        ),
    }
}

/// Resource tokens and their Python `...Args` class.
fn callee_tokens(lang: Lang, token: &str) -> Vec<String> {
    let mut tokens = vec![token.to_string()];
    if let (Lang::Python, Some((package, module, member))) = (lang, token_parts(token)) {
        if member.starts_with(|c: char| c.is_ascii_uppercase()) {
            tokens.push(token_of(package, module, &format!("{member}Args")));
        } else {
            tokens.push(token_of(package, module, &format!("{member}Output")));
        }
    }
    tokens
}

struct Expansion<'a> {
    pack: UpgradePack,
    path: &'a str,
    text: &'a str,
    lines: Lines,
    seed: &'a str,
    /// The languages to write specs for.
    languages: &'a [SpecLanguage],
    errors: Vec<SpecError>,
    specs: Vec<super::Spec>,
}

impl Expansion<'_> {
    fn error(&mut self, offset: usize, message: String) {
        self.errors.push(SpecError { path: self.path.into(), line: self.lines.line(offset), message });
    }

    /// Writes one spec per language the entry has rules for, with its examples and a generated
    /// one showing that nothing fires below the pack's major.
    fn emit(&mut self, offset: usize, common: &Common, summary: &str, explanation: &str, languages: &[(Lang, Vec<GeneratedRule>)]) {
        let safety = common.safety.clone().unwrap_or_else(|| "safe".into());
        for (lang, rules) in languages {
            // Every spec an entry writes passes here, TypeScript-only entries too.
            let language = lang.spec_language();
            if !self.languages.contains(&language) {
                continue;
            }
            let example = match lang {
                Lang::Python => &common.python,
                Lang::TypeScript => &common.typescript,
            };
            let Some(pairs) = example.as_ref().map(Examples::pairs).filter(|p| !p.is_empty()) else {
                self.error(offset, format!("entry `{}` has no `[...{}]` example; every entry needs a before/after pair per language", common.id, language.name()));
                continue;
            };
            // Spans point at the entry: errors and lines name the catalog entry.
            let at = |value: String| Spanned::new(offset..offset, value);
            let note = if common.note.is_empty() { String::new() } else { format!("\n\n{}", common.note.trim()) };
            let header = lang.header();
            let mut examples: Vec<Spanned<RawExample>> = pairs
                .iter()
                .map(|example| {
                    Spanned::new(offset..offset, RawExample {
                        name: Some(example.name.clone().unwrap_or_else(|| "catalog example".into())),
                        before: format!("{header}{}", example.before),
                        after: example.after.as_ref().map(|after| format!("{header}{after}")),
                        findings: example.findings,
                        ..RawExample::default()
                    })
                })
                .collect();
            examples.push(Spanned::new(offset..offset, RawExample {
                name: Some(format!("left alone below pulumi-aws {}", self.pack.major)),
                before: format!("{header}{}", pairs[0].before),
                target_pulumi_aws: Some(self.pack.major - 1),
                ..RawExample::default()
            }));
            let raw = RawSpec {
                id: at(lang.spec_id(self.pack, &common.id)),
                language: at(language.name().into()),
                summary: lang.spell(summary),
                explanation: format!("{}{note}\n\nFrom the pulumi-aws {} upgrade catalog ({}); runs where the program is on pulumi-aws {} or later, or with `--upgrade {}`.", lang.spell(explanation), self.pack.major, self.path, self.pack.major, self.pack),
                seed: Spanned::new(offset..offset, SeedRefs::One(self.seed.to_string())),
                safety: at(safety.clone()),
                opt_in: false,
                replaces: Vec::new(),
                upgrade: Some(at(self.pack.to_string())),
                rule: rules
                    .iter()
                    .map(|r| RawRule {
                        query: at(r.query.clone()),
                        message: Some(at(r.message.clone())),
                        creates: None,
                        edit: r.edits.iter().cloned().map(|e| Spanned::new(offset..offset, e)).collect(),
                    })
                    .collect(),
                example: examples,
            };
            match build_spec(self.path, self.text, &self.lines, raw) {
                Ok(spec) => self.specs.push(spec),
                Err(errors) => {
                    for e in errors {
                        self.error(offset, format!("entry `{}` expands to a bad spec: {}", common.id, e.message));
                    }
                }
            }
        }
    }

    fn token(&mut self, offset: usize, token: &str) -> Option<(String, String, String)> {
        match token_parts(token) {
            Some((p, m, member)) => Some((p.into(), m.into(), member.into())),
            None => {
                self.error(offset, format!("`{token}` is not a type token like `aws:ec2/getAmi:getAmi`"));
                None
            }
        }
    }
}

/// Parses one catalog file and expands its entries into specs.
/// Expands the catalog at `path` into specs of `languages` (a run over files of one language
/// builds no other's).
pub fn expand(path: &str, text: &str, languages: &[SpecLanguage]) -> Result<Vec<super::Spec>, Vec<SpecError>> {
    let catalog: Catalog = toml::from_str(text).map_err(|e| {
        let line = line_of(text, e.span().map(|s| s.start).unwrap_or(0));
        vec![SpecError { path: path.into(), line, message: format!("invalid upgrade catalog: {}", e.message().trim()) }]
    })?;
    let pack = UpgradePack::parse(&format!("{}@{}", catalog.package, catalog.major)).map_err(|m| vec![SpecError { path: path.into(), line: 1, message: m }])?;
    let mut x = Expansion { pack, path, text, lines: Lines::of(text), seed: &catalog.seed, languages, errors: Vec::new(), specs: Vec::new() };
    let both = [Lang::Python, Lang::TypeScript];
    let major = pack.major;

    for entry in &catalog.module_move {
        let (offset, e) = (entry.span().start, entry.get_ref());
        let summary = format!("`{}.*` moved to `{}.*` (pulumi-aws {major})", e.from, e.to);
        let explanation = format!("pulumi-aws {major} moved the members of `{}` to `{}`; the old module fails to import or compile. The fix rewrites `aws.{}.X` to `aws.{}.X`.", e.from, e.to, e.from, e.to);
        let tokens = vec![format!("{}:{}/*", pack.package, e.from)];
        let langs: Vec<_> = both
            .iter()
            .map(|&l| (l, [member_rules(l, pack, (&e.from, "*"), (&e.to, "*"), &tokens, &summary), module_import_rules(l, pack, &e.from, &e.to)].concat()))
            .collect();
        x.emit(offset, &e.common, &summary, &explanation, &langs);
    }
    for entry in &catalog.rename_member {
        let (offset, e) = (entry.span().start, entry.get_ref());
        let (Some(from), Some(to)) = (x.token(offset, &e.from), x.token(offset, &e.to)) else { continue };
        let show = |(_, m, member): &(String, String, String)| if m == "index" { member.clone() } else { format!("{m}.{member}") };
        let summary = format!("`{}` → `{}` (pulumi-aws {major})", show(&from), show(&to));
        let explanation = format!("pulumi-aws {major} renamed `{}` (`{}`) to `{}` (`{}`). The fix rewrites the reference in place.", show(&from), e.from, show(&to), e.to);
        let mut langs = Vec::new();
        for lang in both {
            let mut rules = Vec::new();
            for ((from_token, from_member), (_, to_member)) in with_output_form(&from.0, &from.1, &from.2).into_iter().zip(with_output_form(&to.0, &to.1, &to.2)) {
                rules.extend(member_rules(lang, pack, (&from.1, &from_member), (&to.1, &to_member), &[from_token], &summary));
            }
            langs.push((lang, rules));
        }
        x.emit(offset, &e.common, &summary, &explanation, &langs);
    }
    for entry in &catalog.rename_argument {
        let (offset, e) = (entry.span().start, entry.get_ref());
        let Some((_, module, member)) = x.token(offset, &e.resource) else { continue };
        let is_function = member.starts_with(|c: char| c.is_ascii_lowercase());
        let shown = if module == "index" { member.clone() } else { format!("{module}.{member}") };
        let summary = format!("`{shown}` argument `{}` → `{}` (pulumi-aws {major})", e.from, e.to);
        let explanation = format!("pulumi-aws {major} renamed the `{}` argument of `{shown}` to `{}`; the old name fails with an unexpected keyword argument (Python) or an unknown property (TypeScript). The fix renames it in place, keeping its value; when both are given, the old one is reported.", e.from, e.to);
        let mut langs = Vec::new();
        for lang in both {
            let (old, new) = match lang {
                Lang::Python => (e.python_from.clone().unwrap_or_else(|| lang.argument(&e.from)), e.python_to.clone().unwrap_or_else(|| lang.argument(&e.to))),
                Lang::TypeScript => (e.from.clone(), e.to.clone()),
            };
            let tokens = callee_tokens(lang, &e.resource);
            let rename = GeneratedRule {
                query: argument_query(lang, &tokens, is_function, &old, &format!("(#not-has-arg? @args {new:?})"), pack),
                message: format!("`{old}` was renamed to `{new}`"),
                edits: vec![rename_edit("arg", &new)],
            };
            let both_given = GeneratedRule {
                query: argument_query(lang, &tokens, is_function, &old, &format!("(#has-arg? @args {new:?})"), pack),
                message: format!("`{old}` was renamed to `{new}`, which is also given: remove `{old}`"),
                edits: vec![],
            };
            langs.push((lang, vec![rename, both_given]));
        }
        x.emit(offset, &e.common, &summary, &explanation, &langs);
    }
    for entry in &catalog.rename_result {
        let (offset, e) = (entry.span().start, entry.get_ref());
        let Some((package, module, member)) = x.token(offset, &e.function) else { continue };
        let tokens: Vec<String> = with_output_form(&package, &module, &member).into_iter().map(|(t, _)| t).collect();
        let token_list = tokens.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(" ");
        let summary = format!("`{member}(...).{}` → `.{}` (pulumi-aws {major})", e.from, e.to);
        let explanation = format!("pulumi-aws {major} renamed the `{}` property of `{member}`'s result to `{}`. The fix renames it where the call's result is read directly, or through a name every assignment of which is that call (maybe awaited or wrapped in `pulumi.output(...)`).", e.from, e.to);
        let mut langs = Vec::new();
        for lang in both {
            let (old, new) = (lang.argument(&e.from), lang.argument(&e.to));
            let call = match lang {
                Lang::Python => "(call function: (_) @fn)".to_string(),
                Lang::TypeScript => "[(call_expression function: (_) @fn) (parenthesized_expression (await_expression (call_expression function: (_) @fn)))]".to_string(),
            };
            let (access, name_field, name_kind, _) = lang.access();
            let message = format!("`.{old}` of `{member}`'s result is now `.{new}`");
            langs.push((lang, vec![
                GeneratedRule {
                    query: format!("(({access} object: {call} {name_field}: ({name_kind}) @attr) (#pulumi-type? @fn {token_list}) (#eq? @attr {old:?}) {})", gate(pack, "fn")),
                    message: message.clone(),
                    edits: vec![replace_edit("attr", &new)],
                },
                // The result kept in a variable: `region = aws.get_region()` ... `region.name`.
                GeneratedRule {
                    query: format!("(({access} object: (identifier) @result {name_field}: ({name_kind}) @attr) (#eq? @attr {old:?}) (#assigned-call? @result {token_list}) {})", gate(pack, "result")),
                    message,
                    edits: vec![replace_edit("attr", &new)],
                },
            ]));
        }
        x.emit(offset, &e.common, &summary, &explanation, &langs);
    }
    for entry in &catalog.enum_constant {
        let (offset, e) = (entry.span().start, entry.get_ref());
        let mut rules = Vec::new();
        for (old, new) in &e.constants {
            let (old_name, new_name, token) = match (old.strip_suffix(".*"), new.strip_suffix(".*")) {
                (Some(old_ns), Some(new_ns)) => (old_ns, new_ns, format!("{}.*", token_of(pack.package, &e.module, old_ns))),
                (None, None) => (old.as_str(), new.as_str(), token_of(pack.package, &e.module, old)),
                _ => {
                    x.error(offset, format!("`{old}` = `{new}`: a namespace (`X.*`) maps to a namespace"));
                    continue;
                }
            };
            // `aws.ec2.InstanceTypes.T2_Micro`: the namespace is the object of the constant.
            let query = if old.ends_with(".*") {
                format!("((member_expression object: (member_expression property: (property_identifier) @member)) @expr (#pulumi-type? @expr {token:?}) (#eq? @member {old_name:?}) {})", gate(pack, "expr"))
            } else {
                format!("((member_expression property: (property_identifier) @member) @expr (#pulumi-type? @expr {token:?}) {})", gate(pack, "expr"))
            };
            rules.push(GeneratedRule { query, message: format!("`{}.{old}` is now `{}.{new}`", e.module, e.module), edits: vec![replace_edit("member", new_name)] });
        }
        let names = e.constants.iter().map(|(o, n)| format!("`{}.{o}` → `{}.{n}`", e.module, e.module)).collect::<Vec<_>>();
        let summary = format!("TypeScript constants → enums in `{}` (pulumi-aws {major})", e.module);
        let explanation = format!("pulumi-aws {major} deprecates or removes the TypeScript constants of `{}` in favour of enums: {}. The fix rewrites each reference.", e.module, names.join(", "));
        if e.common.python.is_some() {
            x.error(offset, format!("entry `{}`: enum constants are TypeScript only; remove its python example", e.common.id));
        }
        x.emit(offset, &e.common, &summary, &explanation, &[(Lang::TypeScript, rules)]);
    }
    for entry in &catalog.removed {
        let (offset, e) = (entry.span().start, entry.get_ref());
        let whole_module = e.resource.ends_with("/*");
        let parts = match e.resource.strip_suffix("/*").and_then(|r| r.split_once(':')) {
            Some((package, module)) => Some((package.to_string(), module.to_string(), "*".to_string())),
            None => x.token(offset, &e.resource),
        };
        let Some((_, module, member)) = parts else { continue };
        let what = if whole_module { format!("`{module}`") } else { format!("`{module}.{member}`") };
        let mut langs = Vec::new();
        let summary = match &e.argument {
            Some(argument) => format!("{what} argument `{argument}` was removed (pulumi-aws {major}); report"),
            None => format!("{what} was removed (pulumi-aws {major}); report"),
        };
        let explanation = format!("{} No automatic fix: {}", summary.trim_end_matches("; report"), e.advice.trim());
        for lang in both {
            let rule = match &e.argument {
                Some(argument) => {
                    let name = lang.argument(argument);
                    GeneratedRule {
                        query: argument_query(lang, &callee_tokens(lang, &e.resource), member.starts_with(|c: char| c.is_ascii_lowercase()), &name, "", pack),
                        message: format!("`{name}` was removed in pulumi-aws {major}: {}", e.advice.trim()),
                        edits: vec![],
                    }
                }
                None => {
                    let (access, ..) = lang.access();
                    GeneratedRule {
                        query: format!("(({access}) @expr (#pulumi-type? @expr {:?}) (#not-has-parent? @expr {access:?}) {})", e.resource, gate(pack, "expr")),
                        message: format!("{what} was removed in pulumi-aws {major}: {}", e.advice.trim()),
                        edits: vec![],
                    }
                }
            };
            let bare = (e.argument.is_none()).then(|| GeneratedRule {
                query: bare_reference_query(lang, &format!("(#pulumi-type? @expr {:?}) {}", e.resource, gate(pack, "expr"))),
                message: rule.message.clone(),
                edits: vec![],
            });
            langs.push((lang, std::iter::once(rule).chain(bare).collect()));
        }
        x.emit(offset, &e.common, &summary, &explanation, &langs);
    }
    if x.errors.is_empty() { Ok(x.specs) } else { Err(x.errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "package = \"aws\"\nmajor = 7\nseed = \"guide\"\n";

    fn errors(body: &str) -> Vec<String> {
        match expand("aws-7.toml", &format!("{HEAD}{body}"), &SpecLanguage::ALL) {
            Ok(_) => vec![],
            Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn an_entry_expands_into_one_gated_spec_per_language() {
        let body = "[[rename_argument]]\nid = \"x\"\nresource = \"aws:rds/instance:Instance\"\nfrom = \"name\"\nto = \"dbName\"\n\
                    [rename_argument.python]\nbefore = 'a'\n[rename_argument.typescript]\nbefore = 'b'\n";
        let specs = expand("aws-7.toml", &format!("{HEAD}{body}"), &SpecLanguage::ALL).unwrap();
        let ids: Vec<_> = specs.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["aws7-x", "ts-aws7-x"]);
        assert!(specs.iter().all(|s| s.upgrade == Some(UpgradePack { package: "aws", major: 7 })));
        assert!(specs.iter().all(|s| s.rules.iter().all(|r| r.query.contains("#pulumi-aws-version?") && r.query.contains("\">=7\""))));
        assert!(specs[0].rules[0].query.contains("\"db_name\""), "the Python spelling is derived");
        assert_eq!(specs[0].id_line, 4, "the entry's line");
    }

    #[test]
    fn bad_entries_are_located() {
        let unknown = errors("[[rename_member]]\nid = \"x\"\nfrom = \"aws:s3/bucketV2:BucketV2\"\nto = \"aws:s3/bucket:Bucket\"\ntypo = 1\n");
        assert!(unknown.iter().any(|e| e.contains("typo")), "{unknown:?}");
        let no_example = errors("[[rename_member]]\nid = \"x\"\nfrom = \"aws:s3/bucketV2:BucketV2\"\nto = \"aws:s3/bucket:Bucket\"\n");
        assert!(no_example.iter().any(|e| e.starts_with("aws-7.toml:4:") && e.contains("no `[...python]` example")), "{no_example:?}");
        let bad_token = errors("[[rename_member]]\nid = \"x\"\nfrom = \"s3.BucketV2\"\nto = \"aws:s3/bucket:Bucket\"\n");
        assert!(bad_token.iter().any(|e| e.contains("is not a type token")), "{bad_token:?}");
    }
}
