//! Transforms that rebuild an expression around the Pulumi Outputs inside it, so the Outputs are
//! resolved before the plain Python code that used them runs.
//!
//! - `output_string`: an f-string with Outputs → `pulumi.Output.concat(...)` when every Output in
//!   it reads as a string and it has no conversions or format specs, else the exact
//!   `pulumi.Output.format(...)` (`str.format` semantics, so ints and `!r`/`:>10` work).
//! - `plus_operands`: the operands of a `a + b + c` string concatenation, comma-separated.
//! - `lift_outputs`: `E` containing Outputs → `o.apply(lambda v: E')` or
//!   `pulumi.Output.all(k=o, ...).apply(lambda args: E')`.
//! - `lift_apply`: `x.apply(lambda p: BODY)` whose BODY uses other Outputs (a nested apply) →
//!   `pulumi.Output.all(p=x, k=o, ...).apply(lambda args: BODY')`.
//!
//! Identity applies (`o.apply(lambda v: v)`) are unwrapped to `o` wherever an Output is taken.
//! `pulumi` is spelled as the rule's `ensure_import` binding `pulumi` names it.

use super::TransformContext;
use crate::lang::{FieldChild, KindName, is_variable_use, named_descendants, parameters_of};
use std::collections::BTreeMap;
use tree_sitter::Node;

/// Attribute names (or suffixes after `_`) whose values are strings in Pulumi providers.
const STRING_NAMES: &[&str] = &["arn", "id", "urn", "name", "url", "endpoint", "bucket", "data", "region", "address", "domain", "host", "hostname", "uri", "prefix", "dns"];

fn text<'a>(node: Node, context: &'a TransformContext) -> &'a str {
    &context.source[node.byte_range()]
}

fn pulumi_name<'a>(context: &'a TransformContext) -> Result<&'a str, String> {
    context
        .bindings
        .get("pulumi")
        .map(String::as_str)
        .ok_or_else(|| "the rule needs an `ensure_import` of pulumi to spell `pulumi.Output`".to_string())
}

/// `o.apply(lambda v: v)` / `o.apply(v => v)` → `o`; anything else as it is.
pub(super) fn unwrap_identity_apply<'t>(node: Node<'t>, context: &TransformContext) -> Node<'t> {
    let callee = node.field("function");
    let member = callee.filter(|c| matches!(c.kind_name(), "attribute" | "member_expression"));
    let method = member.and_then(|m| m.field("attribute").or_else(|| m.field("property")));
    if method.is_none_or(|m| text(m, context) != "apply") {
        return node;
    }
    let callback = node.field("arguments").and_then(|a| a.named_child(0));
    let is_identity = callback.is_some_and(|cb| {
        let parameter = parameters_of(cb);
        let body = cb.field("body");
        let parameter_name = parameter.map(|p| text(p, context).trim_matches(['(', ')']).trim());
        matches!(cb.kind_name(), "lambda" | "arrow_function") && body.is_some_and(|b| Some(text(b, context)) == parameter_name)
    });
    match (is_identity, member.and_then(|m| m.field("object"))) {
        (true, Some(object)) => unwrap_identity_apply(object, context),
        _ => node,
    }
}

/// The interpolations and literal runs of an f-string.
enum Part<'t> {
    Literal(Node<'t>),
    Interpolation { whole: Node<'t>, expression: Node<'t>, conversion: Option<Node<'t>>, spec: Option<Node<'t>> },
}

struct FString<'t> {
    /// String prefix without the `f`: `""`, `"r"`, `"b"`.
    prefix: String,
    delimiter: String,
    parts: Vec<Part<'t>>,
}

fn parse_fstring<'t>(node: Node<'t>, context: &TransformContext<'_, 't>) -> Result<FString<'t>, String> {
    if node.kind_name() != "string" {
        return Err(format!("`output_string` takes an f-string, not a {}", node.kind_name()));
    }
    let mut cursor = node.walk();
    let mut prefix = String::new();
    let mut delimiter = String::new();
    let mut parts = Vec::new();
    for child in node.children(&mut cursor) {
        match child.kind_name() {
            "string_start" => {
                let start = text(child, context);
                let letters = start.len() - start.trim_start_matches(|c: char| c.is_ascii_alphabetic()).len();
                prefix = start[..letters].chars().filter(|c| !matches!(c, 'f' | 'F')).collect();
                delimiter = start[letters..].to_string();
            }
            "string_content" => parts.push(Part::Literal(child)),
            "interpolation" => {
                let expression = child.field("expression").ok_or("an interpolation without an expression")?;
                let spec = child.field("format_specifier");
                if spec.is_some_and(|s| text(s, context).contains('{')) {
                    return Err("a format spec with a nested `{...}` is not rewritten".into());
                }
                if text(child, context).trim_end_matches('}').trim_end().ends_with('=') {
                    return Err("a self-documenting `{x=}` is not rewritten".into());
                }
                parts.push(Part::Interpolation { whole: child, expression, conversion: child.field("type_conversion"), spec });
            }
            _ => {}
        }
    }
    Ok(FString { prefix, delimiter, parts })
}

/// Does the Output read as a string, by Pulumi naming conventions or by construction?
fn reads_as_string(node: Node, context: &TransformContext) -> bool {
    let node = unwrap_identity_apply(node, context);
    let last_name = match node.kind_name() {
        "identifier" => Some(text(node, context)),
        "attribute" => node.field("attribute").map(|a| text(a, context)),
        "call" => {
            let callee = node.field("function").map(|f| text(f, context)).unwrap_or_default();
            return callee.ends_with("Output.concat") || callee.ends_with("Output.format") || callee.ends_with("Output.json_dumps");
        }
        _ => None,
    };
    last_name.is_some_and(|name| {
        let last_word = name.rsplit('_').next().unwrap_or(name);
        STRING_NAMES.contains(&name) || STRING_NAMES.contains(&last_word)
    })
}

/// A string literal `prefix delimiter content delimiter`. A triple-quoted piece that starts or
/// ends with its quote character switches to the other triple quote when it can; else trailing
/// quotes are escaped, and contents that would end the literal early are refused.
fn literal(prefix: &str, delimiter: &str, content: &str) -> Result<String, String> {
    let mut delimiter = delimiter.to_string();
    let mut quote = delimiter.chars().next().unwrap_or('"');
    if delimiter.len() == 3 && (content.starts_with(quote) || content.ends_with(quote)) {
        let other = if quote == '"' { '\'' } else { '"' };
        let other_triple = other.to_string().repeat(3);
        if !content.contains(&other_triple) && !content.starts_with(other) && !content.ends_with(other) {
            delimiter = other_triple;
            quote = other;
        }
    }
    let delimiter = delimiter.as_str();
    let raw = prefix.contains(['r', 'R']);
    let trailing_backslashes = content.len() - content.trim_end_matches('\\').len();
    if trailing_backslashes % 2 == 1 {
        return Err("a piece of the string would end in a backslash".into());
    }
    let body = content.trim_end_matches(quote);
    let trailing_quotes = content.len() - body.len();
    if trailing_quotes > 0 && raw {
        return Err("a raw string piece would end in a quote".into());
    }
    let escaped = format!("{body}{}", format!("\\{quote}").repeat(trailing_quotes));
    Ok(format!("{prefix}{delimiter}{escaped}{delimiter}"))
}

pub(super) fn output_string(node: Node, context: &TransformContext) -> Result<String, String> {
    let pulumi = pulumi_name(context)?;
    let fstring = parse_fstring(node, context)?;
    let is_output = |n: Node| context.index.is_output(n);
    // An Output inside a larger interpolation (`{bucket.arn + x}`, `{o.method()}`) cannot be
    // lifted out of it; wrapping the f-string would leave it there, and fire again forever.
    let buried = fstring.parts.iter().find_map(|part| match part {
        Part::Interpolation { expression, .. } if !is_output(*expression) && context.index.contains_output(*expression) => Some(*expression),
        _ => None,
    });
    if let Some(expression) = buried {
        return Err(format!("the Output is inside `{}`; give it an interpolation of its own", text(expression, context)));
    }
    let concat_fits = fstring.parts.iter().all(|part| match part {
        Part::Literal(_) => true,
        Part::Interpolation { expression, conversion, spec, .. } => {
            !is_output(*expression) || (conversion.is_none() && spec.is_none() && reads_as_string(*expression, context))
        }
    });
    if concat_fits {
        // Plain runs (literal text and plain interpolations) stay strings; Outputs become items.
        let mut items = Vec::new();
        let mut run = String::new();
        let mut run_has_interpolation = false;
        let flush = |run: &mut String, has_interpolation: &mut bool, items: &mut Vec<String>| -> Result<(), String> {
            if !run.is_empty() {
                let item = if *has_interpolation {
                    literal(&format!("f{}", fstring.prefix), &fstring.delimiter, run)?
                } else {
                    literal(&fstring.prefix, &fstring.delimiter, &run.replace("{{", "{").replace("}}", "}"))?
                };
                items.push(item);
            }
            run.clear();
            *has_interpolation = false;
            Ok(())
        };
        for part in &fstring.parts {
            match part {
                Part::Literal(content) => run.push_str(text(*content, context)),
                Part::Interpolation { whole, expression, .. } if !is_output(*expression) => {
                    run.push_str(text(*whole, context));
                    run_has_interpolation = true;
                }
                Part::Interpolation { expression, .. } => {
                    flush(&mut run, &mut run_has_interpolation, &mut items)?;
                    items.push(text(unwrap_identity_apply(*expression, context), context).to_string());
                }
            }
        }
        flush(&mut run, &mut run_has_interpolation, &mut items)?;
        return Ok(format!("{pulumi}.Output.concat({})", items.join(", ")));
    }
    // `str.format` keeps conversions, specs and `{{`/`}}` escapes exactly as the f-string had them.
    let mut format_string = String::new();
    let mut arguments = Vec::new();
    for part in &fstring.parts {
        match part {
            Part::Literal(content) => format_string.push_str(text(*content, context)),
            Part::Interpolation { expression, conversion, spec, .. } => {
                format_string.push_str(&format!(
                    "{{{}{}{}}}",
                    arguments.len(),
                    conversion.map_or("", |c| text(c, context)),
                    spec.map_or("", |s| text(s, context))
                ));
                let expression = if is_output(*expression) { unwrap_identity_apply(*expression, context) } else { *expression };
                arguments.push(text(expression, context).to_string());
            }
        }
    }
    let format_literal = literal(&fstring.prefix, &fstring.delimiter, &format_string)?;
    Ok(format!("{pulumi}.Output.format({format_literal}, {})", arguments.join(", ")))
}

pub(super) fn plus_operands(node: Node, context: &TransformContext) -> Result<String, String> {
    let mut operands = Vec::new();
    let mut current = node;
    loop {
        let is_plus = matches!(current.kind_name(), "binary_operator" | "binary_expression")
            && current.field("operator").is_some_and(|o| text(o, context) == "+");
        if !is_plus {
            operands.push(current);
            break;
        }
        operands.push(current.field("right").ok_or("a `+` without a right operand")?);
        current = current.field("left").ok_or("a `+` without a left operand")?;
    }
    operands.reverse();
    let is_string_literal = |n: &Node| matches!(n.kind_name(), "string" | "template_string");
    if !operands.iter().any(is_string_literal) {
        return Err("no operand is a string literal, so this `+` may not be a string concatenation".into());
    }
    Ok(operands.iter().map(|o| text(unwrap_identity_apply(*o, context), context)).collect::<Vec<_>>().join(", "))
}

/// An Output found inside an expression, to be replaced by its resolved value.
struct Lifted<'t> {
    node: Node<'t>,
    value: String,
}

/// The outermost Outputs inside `node` (not `node` itself), skipping `skip`.
fn outputs_inside<'t>(node: Node<'t>, context: &TransformContext<'_, 't>, skip: &dyn Fn(Node<'t>) -> bool) -> Vec<Lifted<'t>> {
    let mut found = Vec::new();
    let mut cursor = node.walk();
    let mut pending: Vec<Node> = node.named_children(&mut cursor).collect();
    while let Some(current) = pending.pop() {
        if skip(current) {
            continue;
        }
        if context.index.is_output(current) {
            found.push(Lifted { node: current, value: text(unwrap_identity_apply(current, context), context).to_string() });
        } else {
            pending.extend(current.named_children(&mut cursor));
        }
    }
    found.sort_by_key(|l| l.node.start_byte());
    found
}

/// Readable keyword names for the lifted values: the last name in each (`cluster.endpoint` →
/// `endpoint`), or the last two (`cluster_endpoint`) when `two_words` or to stay unique; equal
/// values share one name.
fn keyword_names(values: &[String], taken: &[String], two_words: bool) -> BTreeMap<String, String> {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut used: Vec<String> = taken.to_vec();
    for value in values {
        if names.contains_key(value) {
            continue;
        }
        let words: Vec<&str> = value
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty() && !w.chars().next().unwrap().is_ascii_digit() && !matches!(*w, "apply" | "self" | "this" | "lambda"))
            .collect();
        let mut candidates: Vec<String> = Vec::new();
        if let Some(last) = words.last() {
            candidates.push(last.to_string());
        }
        if words.len() >= 2 {
            let pair = format!("{}_{}", words[words.len() - 2], words[words.len() - 1]);
            if two_words { candidates.insert(0, pair) } else { candidates.push(pair) }
        }
        let base = candidates.first().cloned().unwrap_or_else(|| "value".into());
        let name = candidates
            .into_iter()
            .find(|c| !used.contains(c) && !is_keyword(c))
            .unwrap_or_else(|| (2..).map(|i| format!("{base}_{i}")).find(|c| !used.contains(c)).unwrap());
        used.push(name.clone());
        names.insert(value.clone(), name);
    }
    names
}

fn is_keyword(word: &str) -> bool {
    matches!(word, "and" | "as" | "class" | "def" | "del" | "for" | "from" | "global" | "if" | "import" | "in" | "is" | "not" | "or" | "pass" | "return" | "while" | "with" | "yield" | "None" | "True" | "False")
}

/// Names used as variables inside `node` (not attribute or keyword names), so a new parameter
/// name never captures one.
fn identifiers_in(node: Node, context: &TransformContext) -> Vec<String> {
    named_descendants(node, |_| true).filter(|n| n.kind_name() == "identifier" && is_variable_use(*n, n.parent())).map(|n| text(n, context).to_string()).collect()
}

/// The quote to use for a `args["key"]` subscript at `node`: the other one than the string
/// literal it sits in, if any.
fn subscript_quote(node: Node, within: Node, context: &TransformContext) -> char {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.kind_name() == "string" {
            let start = parent.child(0).map(|s| text(s, context)).unwrap_or("\"");
            return if start.contains('"') { '\'' } else { '"' };
        }
        if parent == within {
            break;
        }
        current = parent;
    }
    '"'
}

/// `node`'s text with `replacements` (byte ranges inside it) applied.
fn rewrite(node: Node, replacements: &mut [(std::ops::Range<usize>, String)], context: &TransformContext) -> String {
    replacements.sort_by_key(|(range, _)| range.start);
    let mut out = String::new();
    let mut at = node.start_byte();
    for (range, replacement) in replacements.iter() {
        out.push_str(&context.source[at..range.start]);
        out.push_str(replacement);
        at = range.end;
    }
    out.push_str(&context.source[at..node.end_byte()]);
    out
}

fn fresh_name(preferred: &[&str], taken: &[String]) -> String {
    preferred
        .iter()
        .map(|p| p.to_string())
        .find(|p| !taken.contains(p))
        .unwrap_or_else(|| (2..).map(|i| format!("{}{i}", preferred[0])).find(|c| !taken.contains(c)).unwrap())
}

pub(super) fn lift_outputs(node: Node, context: &TransformContext) -> Result<String, String> {
    let pulumi = pulumi_name(context)?;
    let lifted = outputs_inside(node, context, &|_| false);
    if lifted.is_empty() {
        return Err("no Output inside to lift".into());
    }
    let taken = identifiers_in(node, context);
    let values: Vec<String> = lifted.iter().map(|l| l.value.clone()).collect();
    let single = values.iter().all(|v| *v == values[0]);
    let names = keyword_names(&values, &taken, single);
    if single {
        let (value, name) = names.iter().next().unwrap();
        let parameter = if taken.contains(name) { fresh_name(&[&format!("{name}_value")], &taken) } else { name.clone() };
        let mut replacements: Vec<_> = lifted.iter().map(|l| (l.node.byte_range(), parameter.clone())).collect();
        return Ok(format!("{value}.apply(lambda {parameter}: {})", rewrite(node, &mut replacements, context)));
    }
    let parameter = fresh_name(&["args", "values"], &taken);
    let mut replacements: Vec<_> = lifted
        .iter()
        .map(|l| {
            let quote = subscript_quote(l.node, node, context);
            (l.node.byte_range(), format!("{parameter}[{quote}{}{quote}]", names[&l.value]))
        })
        .collect();
    let keywords: Vec<String> = keyword_order(&lifted, &names).into_iter().map(|(value, name)| format!("{name}={value}")).collect();
    Ok(format!("{pulumi}.Output.all({}).apply(lambda {parameter}: {})", keywords.join(", "), rewrite(node, &mut replacements, context)))
}

/// (value, keyword) in order of first appearance.
fn keyword_order<'a>(lifted: &'a [Lifted], names: &'a BTreeMap<String, String>) -> Vec<(&'a str, &'a str)> {
    let mut order: Vec<(&str, &str)> = Vec::new();
    for l in lifted {
        if !order.iter().any(|(v, _)| *v == l.value) {
            order.push((&l.value, &names[&l.value]));
        }
    }
    order
}

pub(super) fn lift_apply(node: Node, context: &TransformContext) -> Result<String, String> {
    let pulumi = pulumi_name(context)?;
    let callee = node.field("function").filter(|f| f.kind_name() == "attribute").ok_or("not a method call")?;
    let receiver = callee.field("object").ok_or("an apply without a receiver")?;
    let callback = node.field("arguments").and_then(|a| a.named_child(0)).filter(|c| c.kind_name() == "lambda");
    let callback = callback.ok_or("the apply callback is not a lambda")?;
    let parameters = callback.field("parameters").ok_or("the apply callback takes no parameter")?;
    if parameters.named_child_count() != 1 || parameters.named_child(0).is_none_or(|p| p.kind_name() != "identifier") {
        return Err("the apply callback must take exactly one plain parameter".into());
    }
    let parameter = text(parameters.named_child(0).unwrap(), context).to_string();
    let body = callback.field("body").ok_or("the apply callback has no body")?;

    // `Output.concat(x).apply(...)` with a single `x` applies to `x` itself.
    let receiver = single_concat_argument(receiver, context).unwrap_or(receiver);
    let receiver_value = text(unwrap_identity_apply(receiver, context), context).to_string();

    // A resource's input may stay an Output: Pulumi resolves it and keeps the dependency.
    let lifted = outputs_inside(body, context, &|n| context.index.is_output(n) && context.index.is_resource_input(n));
    if lifted.is_empty() {
        return Err("the apply callback uses no other Output".into());
    }
    let taken = identifiers_in(body, context);
    let mut values = vec![receiver_value.clone()];
    values.extend(lifted.iter().map(|l| l.value.clone()));
    let mut names = keyword_names(&values[1..], &[taken.clone(), vec![parameter.clone()]].concat(), false);
    names.insert(receiver_value.clone(), parameter.clone());
    let args = fresh_name(&["args", "values"], &taken);

    let mut replacements: Vec<(std::ops::Range<usize>, String)> = lifted
        .iter()
        .map(|l| {
            let quote = subscript_quote(l.node, body, context);
            (l.node.byte_range(), format!("{args}[{quote}{}{quote}]", names[&l.value]))
        })
        .collect();
    for occurrence in free_uses(body, &parameter, context) {
        if !replacements.iter().any(|(range, _)| range.start <= occurrence.start_byte() && occurrence.end_byte() <= range.end) {
            let quote = subscript_quote(occurrence, body, context);
            replacements.push((occurrence.byte_range(), format!("{args}[{quote}{parameter}{quote}]")));
        }
    }
    let mut keywords = vec![format!("{parameter}={receiver_value}")];
    for (value, name) in keyword_order(&lifted, &names) {
        if value != receiver_value {
            keywords.push(format!("{name}={value}"));
        }
    }
    Ok(format!("{pulumi}.Output.all({}).apply(lambda {args}: {})", keywords.join(", "), rewrite(body, &mut replacements, context)))
}

/// `Output.concat(x)` → `x`.
fn single_concat_argument<'t>(node: Node<'t>, context: &TransformContext) -> Option<Node<'t>> {
    let callee = node.field("function")?;
    if !text(callee, context).ends_with("Output.concat") {
        return None;
    }
    let arguments = node.field("arguments")?;
    (arguments.named_child_count() == 1).then(|| arguments.named_child(0)).flatten()
}

/// Uses of the name `name` as a variable inside `node`: not attribute names, keyword names, or
/// inside a nested lambda that rebinds it.
fn free_uses<'t>(node: Node<'t>, name: &str, context: &TransformContext) -> Vec<Node<'t>> {
    // A lambda with a parameter of that name hides it.
    let shadows = |n: Node| n.kind_name() == "lambda" && n.field("parameters").is_some_and(|p| identifiers_in(p, context).iter().any(|n| n == name));
    named_descendants(node, |n| !shadows(n)).filter(|n| n.kind_name() == "identifier" && text(*n, context) == name && is_variable_use(*n, n.parent())).collect()
}

#[cfg(test)]
mod tests {
    use super::literal;

    #[test]
    fn literal_pieces_stay_well_formed() {
        assert_eq!(literal("", "\"", "abc").unwrap(), "\"abc\"");
        assert_eq!(literal("", "\"\"\"", "name = \"").unwrap(), "'''name = \"'''");
        assert_eq!(literal("", "\"\"\"", "a'''b\"").unwrap(), "\"\"\"a'''b\\\"\"\"\"");
        assert_eq!(literal("f", "'", "x-").unwrap(), "f'x-'");
        assert!(literal("", "\"", "ends in \\").is_err());
        assert!(literal("r", "\"\"\"", "a'''b\"").is_err());
    }
}
