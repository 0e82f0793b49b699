//! The named transforms a template can apply to a value: `{{capture|transform}}`.
//!
//! Text transforms work on any value:
//!
//! | name      | does                                                                    |
//! |-----------|-------------------------------------------------------------------------|
//! | `quote`   | makes a string literal of the value, in the file's usual quote style    |
//! | `unquote` | the content of a plain string literal (`'abc'` → `abc`)                  |
//! | `camel`   | `snake_case` → `camelCase`                                               |
//! | `snake`   | `camelCase` → `snake_case`                                               |
//! | `inner`   | the text between the first and last character (`(a, b)` → `a, b`)       |
//!
//! Syntax transforms need a captured node and the file's Output facts (see `outputs.rs`):
//! `output_string`, `plus_operands`, `lift_outputs`, `lift_apply`; and the project facts
//! (`imports.rs`, on a run of import statements): `import_shim`, `sys_path_shim`. On a component
//! constructor (`components.rs`): `register_outputs`.
//!
//! A transform that cannot apply (e.g. `unquote` on an f-string) fails the fix, which is then
//! reported instead of applied.

mod components;
mod imports;
mod outputs;
mod structure;

use crate::index::FileIndex;
use crate::spec::TransformCall;
use std::collections::HashMap;
use tree_sitter::Node;

pub const NAMES: &[&str] = &[
    "quote",
    "unquote",
    "camel",
    "snake",
    "inner",
    "join",
    "output_string",
    "plus_operands",
    "lift_outputs",
    "lift_apply",
    "import_shim",
    "sys_path_shim",
    "register_outputs",
    "reshape",
    "reshape_each",
    "arg",
    "pick_args",
    "with_suffix",
    "last_name",
    "rename_prefix",
    "to_identifier",
    "unused_name",
];

/// How many arguments each transform takes (`None`: one or more).
fn arity(name: &str) -> Option<usize> {
    match name {
        "reshape" | "reshape_each" | "pick_args" => None,
        "arg" | "with_suffix" | "to_identifier" | "unused_name" => Some(1),
        "rename_prefix" => Some(2),
        _ => Some(0),
    }
}

/// Checks a transform's arguments when the spec is loaded.
pub fn check_arguments(call: &TransformCall) -> Result<(), String> {
    let count = call.args.len();
    match arity(&call.name) {
        Some(n) if n != count => Err(format!("`{}` takes {n} argument(s), not {count}", call.name)),
        None if count == 0 => Err(format!("`{}` takes one or more arguments", call.name)),
        _ => Ok(()),
    }
}

pub fn is_known(name: &str) -> bool {
    NAMES.contains(&name)
}

/// Transforms whose output spells `pulumi.Output...`: their rule must `ensure_import` pulumi
/// (binding `pulumi`), whose local name they use.
pub fn writes_pulumi(name: &str) -> bool {
    matches!(name, "output_string" | "lift_outputs" | "lift_apply")
}

/// Facts about the file a transform may need.
pub struct TransformContext<'a, 't> {
    pub quote: char,
    pub source: &'a str,
    pub index: &'a FileIndex<'t>,
    /// Local names of the rule's imports, by binding key (`pulumi` → `pulumi` or an alias).
    pub bindings: &'a HashMap<String, String>,
}

/// A value flowing through a template expression: the captured node(s) — several for a
/// quantified capture — until a text transform turns them into text.
pub enum Value<'t> {
    Nodes(Vec<Node<'t>>),
    Text(String),
}

impl Value<'_> {
    /// The source text of the nodes, from the first to the last.
    pub fn text(&self, source: &str) -> String {
        match self {
            Value::Nodes(nodes) => match (nodes.first(), nodes.last()) {
                (Some(first), Some(last)) => source[first.start_byte()..last.end_byte()].to_string(),
                _ => String::new(),
            },
            Value::Text(text) => text.clone(),
        }
    }
}

pub fn apply<'t>(call: &TransformCall, value: Value<'t>, context: &TransformContext<'_, 't>) -> Result<Value<'t>, String> {
    let (name, args) = (call.name.as_str(), call.args.as_slice());
    let nodes = match &value {
        Value::Nodes(nodes) => Some(nodes.clone()),
        Value::Text(_) => None,
    };
    let needs_nodes = || nodes.clone().ok_or_else(|| format!("`{name}` needs a captured node, not text"));
    let needs_node = || match needs_nodes()?.as_slice() {
        [node] => Ok(*node),
        _ => Err(format!("`{name}` takes one node; its capture matched several")),
    };
    let text = || value.text(context.source);
    let result = match name {
        "quote" => quote(&text(), context.quote),
        "unquote" => unquote(&text()).ok_or_else(|| format!("`{}` is not a plain string literal", text()))?,
        "camel" => camel(&text()),
        "snake" => snake(&text()),
        "inner" => inner(&text()).ok_or_else(|| format!("`{}` has no inside", text()))?,
        // Each node's own text: the nodes a predicate bound need not be neighbours.
        "join" => needs_nodes()?.iter().map(|n| &context.source[n.byte_range()]).collect::<Vec<_>>().join(", "),
        "output_string" => outputs::output_string(needs_node()?, context)?,
        "plus_operands" => outputs::plus_operands(needs_node()?, context)?,
        "lift_outputs" => outputs::lift_outputs(needs_node()?, context)?,
        "lift_apply" => outputs::lift_apply(needs_node()?, context)?,
        "import_shim" => imports::import_shim(&needs_nodes()?, context)?,
        "sys_path_shim" => imports::sys_path_shim(&needs_nodes()?, context)?,
        "register_outputs" => components::register_outputs(needs_node()?, context)?,
        "reshape" => structure::reshape(needs_node()?, args, context)?,
        "reshape_each" => structure::reshape_each(needs_node()?, args, context)?,
        "arg" => return structure::arg(needs_node()?, args, context),
        "pick_args" => structure::pick_args(&value, args, context)?,
        "with_suffix" => structure::with_suffix(needs_node()?, args, context)?,
        "last_name" => structure::last_name(&text()),
        "rename_prefix" => structure::rename_prefix(&text(), args)?,
        "to_identifier" => structure::to_identifier(needs_node()?, args, context)?,
        "unused_name" => unused_name(&text(), &args[0], context),
        other => return Err(format!("unknown transform `{other}`")),
    };
    Ok(Value::Text(result))
}

/// `unused_name('_website')`: a name for a new variable, the value followed by the suffix
/// (`site` → `site_website`), numbered (`site_website_2`, TypeScript `siteWebsite2`) when the file
/// already spells that identifier: a fix must not rebind or shadow a name the program uses.
fn unused_name(value: &str, suffix: &str, context: &TransformContext) -> String {
    let name = format!("{value}{suffix}");
    let separator = if context.index.grammar() == crate::lang::Grammar::Python { "_" } else { "" };
    std::iter::once(name.clone())
        .chain((2..).map(|n| format!("{name}{separator}{n}")))
        .find(|candidate| !context.index.uses_identifier(candidate))
        .unwrap_or(name)
}

fn inner(value: &str) -> Option<String> {
    let mut chars = value.chars();
    chars.next()?;
    chars.next_back()?;
    Some(chars.as_str().to_string())
}

fn quote(value: &str, quote: char) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push(quote);
    for c in value.chars() {
        if c == quote || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(quote);
    out
}

fn unquote(literal: &str) -> Option<String> {
    let quote = literal.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let inner = literal.strip_prefix(quote)?.strip_suffix(quote)?;
    if inner.contains('\\') || inner.contains(quote) {
        return None;
    }
    Some(inner.to_string())
}

/// `snake_case` → `camelCase`; names without underscores are kept.
pub fn camel(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut upper = false;
    for c in value.chars() {
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

pub fn snake(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    for (i, c) in value.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_text_transform() {
        assert_eq!(quote("vpc", '\''), "'vpc'");
        assert_eq!(quote("it's", '\''), "'it\\'s'");
        assert_eq!(quote("vpc", '"'), "\"vpc\"");
        assert_eq!(unquote("'base64'").unwrap(), "base64");
        assert!(unquote("f'{x}'").is_none());
        assert_eq!(camel("replication_group_description"), "replicationGroupDescription");
        assert_eq!(snake("replicationGroupDescription"), "replication_group_description");
        assert_eq!(inner("(a, b)").unwrap(), "a, b");
    }

    #[test]
    fn unused_name_numbers_a_name_the_file_spells() {
        let cases = [
            (crate::lang::Grammar::Python, "site_website = 1\ndef f(site_website_2): pass\n", "site_website_3"),
            (crate::lang::Grammar::Python, "x = site.website_endpoint\n", "site_website"),
            (crate::lang::Grammar::TypeScript, "const siteWebsite = 1;\nf({ siteWebsite2 });\n", "siteWebsite3"),
        ];
        for (grammar, source, expected) in cases {
            let tree = crate::lang::parse(grammar, source);
            let index = FileIndex::build(grammar, &tree, source);
            let bindings = HashMap::new();
            let context = TransformContext { quote: '"', source, index: &index, bindings: &bindings };
            let suffix = if grammar == crate::lang::Grammar::Python { "_website" } else { "Website" };
            assert_eq!(unused_name("site", suffix, &context), expected, "{source}");
        }
    }
}
