//! Transforms that take a structured value apart and put it together in another shape, for fixes
//! that move an argument out of one resource into a resource of its own: the keys of a Python
//! `...Args(...)` call or dict, or of a TypeScript object literal, renamed, their values mapped or
//! wrapped (`reshape`); one argument's value (`arg`); some entries as extra arguments
//! (`pick_args`); a resource name with a suffix (`with_suffix`); the last part of a dotted name
//! (`last_name`); Args class names renamed (`rename_prefix`).
//!
//! Each fails, so that the finding is reported instead of fixed, when the value is not a literal
//! whose keys can be known (a variable, a call, a splat), or holds a key the transform was not told
//! about: a fix must not drop or guess configuration.
//!
//! Comments are configuration's documentation and move with it: a comment on the lines above an
//! entry or element, or after it on its last line, stays with what the entry becomes; one with no
//! such place (around the only element of an unwrapped list, after the last entry of entries
//! written as arguments) goes on a line of its own above it.

use super::{TransformContext, Value};
use crate::lang::{FieldChild, Grammar, KindName, named_descendants};
use tree_sitter::Node;

/// How a structured value is spelled, kept by what is built from it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Style {
    /// A Python Args class call; `prefix` is the callee up to the class name (`aws.s3.`).
    Args { prefix: String },
    /// A Python dict with string keys.
    Dict,
    /// A TypeScript object literal.
    Object,
}

/// The comments that belong to one entry or element of a bracketed value: the comment lines
/// above it (and any inside the entry but outside its value), and the comment after it on its last
/// line with the space before it.
#[derive(Debug, Clone, Default)]
struct Comments {
    above: Vec<String>,
    after: Option<(String, String)>,
}

impl Comments {
    fn is_empty(&self) -> bool {
        self.above.is_empty() && self.after.is_none()
    }

    /// All of them as lines of their own, for an element that has no place after it.
    fn into_lines(self) -> Vec<String> {
        self.above.into_iter().chain(self.after.map(|(_, comment)| comment)).collect()
    }
}

/// One entry of a structured value: its key, its value node, its comments.
struct Entry<'t> {
    key: String,
    value: Node<'t>,
    comments: Comments,
}

/// The entries of a structured value in order, and the comments after the last one.
struct Structure<'t> {
    style: Style,
    entries: Vec<Entry<'t>>,
    closing: Vec<String>,
}

/// An entry or element a transform writes, with the comments it keeps.
struct Element {
    text: String,
    comments: Comments,
}

impl Element {
    fn plain(text: String) -> Element {
        Element { text, comments: Comments::default() }
    }
}

/// The elements of a bracketed container (its named children, comments aside), each with the
/// comments that belong to it — the lines above it, the comment after it on its last line — and
/// the comments after the last one.
struct Children<'t> {
    elements: Vec<(Node<'t>, Comments)>,
    closing: Vec<String>,
}

fn commented_children<'t>(container: Node<'t>, context: &TransformContext) -> Children<'t> {
    let mut elements: Vec<(Node<'t>, Comments)> = Vec::new();
    let mut pending = Vec::new();
    let mut previous_end = container.start_byte();
    let mut cursor = container.walk();
    for child in container.children(&mut cursor) {
        if child.kind_name() != "comment" {
            if child.is_named() {
                elements.push((child, Comments { above: std::mem::take(&mut pending), after: None }));
            }
            previous_end = child.end_byte();
            continue;
        }
        let comment = relative_text(child, context);
        match elements.last_mut() {
            Some((item, comments)) if comments.after.is_none() && child.start_position().row == item.end_position().row => {
                let gap = &context.source[previous_end..child.start_byte()];
                let gap = if !gap.is_empty() && gap.trim().is_empty() { gap } else { "  " };
                comments.after = Some((gap.to_string(), comment));
            }
            _ => pending.push(comment),
        }
    }
    Children { elements, closing: pending }
}

fn text<'a>(node: Node, context: &'a TransformContext) -> &'a str {
    &context.source[node.byte_range()]
}

/// One level of the file's indentation.
fn unit(context: &TransformContext) -> String {
    crate::source::indent_unit(context.source)
}

fn python(context: &TransformContext) -> bool {
    context.index.grammar() == Grammar::Python
}

/// The content of a plain string literal key (`"rule"`, `'rule'`).
fn string_key(node: Node, context: &TransformContext) -> Option<String> {
    let literal = text(node, context);
    let quote = literal.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let inner = literal.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.contains(['\\', '{'])).then(|| inner.to_string())
}

fn structure<'t>(node: Node<'t>, context: &TransformContext) -> Result<Structure<'t>, String> {
    let not_literal = || format!("`{}` is not a literal Args call, dict or object: its keys cannot be known", excerpt(text(node, context)));
    let (style, Children { elements: items, closing }) = match node.kind_name() {
        "call" => {
            let callee = node.field("function").ok_or_else(not_literal)?;
            let callee_text = text(callee, context);
            if !callee_text.ends_with("Args") {
                return Err(not_literal());
            }
            // A bare class name (imported by name) has no module to spell other classes through:
            // what is built from it is a dict, which every Args parameter accepts.
            let style = match callee_text.rfind('.') {
                Some(dot) => Style::Args { prefix: callee_text[..=dot].to_string() },
                None => Style::Dict,
            };
            let arguments = node.field("arguments").ok_or_else(not_literal)?;
            (style, commented_children(arguments, context))
        }
        "dictionary" => (Style::Dict, commented_children(node, context)),
        "object" => (Style::Object, commented_children(node, context)),
        _ => return Err(not_literal()),
    };
    let mut entries = Vec::with_capacity(items.len());
    for (item, mut comments) in items {
        let entry = match item.kind_name() {
            "keyword_argument" => item.field("name").map(|k| text(k, context).to_string()).zip(item.field("value")),
            "pair" => {
                let key = item.field("key");
                let key = key.and_then(|k| match k.kind_name() {
                    "property_identifier" | "identifier" if node.kind_name() == "object" => Some(text(k, context).to_string()),
                    "string" => string_key(k, context),
                    _ => None,
                });
                key.zip(item.field("value"))
            }
            "shorthand_property_identifier" => Some((text(item, context).to_string(), item)),
            _ => None,
        };
        let Some((key, value)) = entry else {
            return Err(format!("`{}` in `{}` is not a key with a value (a splat, a computed key, ...)", excerpt(text(item, context)), excerpt(text(node, context))));
        };
        // A comment between the key and its value has no place in what is rebuilt: above it.
        let mut cursor = item.walk();
        comments.above.extend(item.children(&mut cursor).filter(|c| c.kind_name() == "comment").map(|c| relative_text(c, context)));
        entries.push(Entry { key, value, comments });
    }
    Ok(Structure { style, entries, closing })
}

fn excerpt(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(60) {
        Some((cut, _)) => format!("{}...", &one_line[..cut]),
        None => one_line,
    }
}

/// The text of `node` with its continuation lines made relative to the indentation of the line it
/// starts on, so that it can be placed at another indentation.
fn relative_text(node: Node, context: &TransformContext) -> String {
    crate::source::relative_text(context.source, node.byte_range())
}

/// One entry in a style: `key=value`, `"key": value` or `key: value`.
fn entry(style: &Style, key: &str, value: &str, quote: char) -> String {
    match style {
        Style::Args { .. } => format!("{key}={value}"),
        Style::Dict => format!("{}: {value}", super::quote(key, quote)),
        Style::Object => format!("{key}: {value}"),
    }
}

/// Longest one-line structure or list a transform writes; longer ones get a line per element.
const LINE_WIDTH: usize = 100;

/// A structure of class `class` (an Args class name, for the Args style) in a style: on one line
/// when it is short and has no comments, else one entry per line, indented by `unit`; `closing`:
/// comment lines after the last entry.
fn build(style: &Style, class: &str, entries: &[Element], closing: &[String], unit: &str) -> String {
    let (open, close) = match style {
        Style::Args { prefix } => (format!("{prefix}{class}("), ")".to_string()),
        Style::Dict => ("{".to_string(), "}".to_string()),
        Style::Object if entries.is_empty() => ("{".to_string(), "}".to_string()),
        Style::Object => ("{ ".to_string(), " }".to_string()),
    };
    bracketed(open.trim_end(), &open, &close, close.trim_start(), entries, closing, unit)
}

/// `elements` between brackets: `open_line element, element close_line` on one line when short
/// and without comments, else `open` / one element a line, its comments above it and after its
/// comma / the `closing` comment lines / `close`.
fn bracketed(open: &str, open_line: &str, close_line: &str, close: &str, elements: &[Element], closing: &[String], unit: &str) -> String {
    let commented = !closing.is_empty() || elements.iter().any(|e| !e.comments.is_empty());
    let texts: Vec<&str> = elements.iter().map(|e| e.text.as_str()).collect();
    let one_line = format!("{open_line}{}{close_line}", texts.join(", "));
    if !commented && one_line.len() <= LINE_WIDTH && !one_line.contains('\n') {
        return one_line;
    }
    let indented = |text: &str| format!("{unit}{}", text.replace('\n', &format!("\n{unit}")));
    let mut out = format!("{open}\n");
    for element in elements {
        for comment in &element.comments.above {
            out.push_str(&indented(comment));
            out.push('\n');
        }
        out.push_str(&indented(&element.text));
        out.push(',');
        if let Some((gap, comment)) = &element.comments.after {
            out.push_str(gap);
            out.push_str(comment);
        }
        out.push('\n');
    }
    for comment in closing {
        out.push_str(&indented(comment));
        out.push('\n');
    }
    out.push_str(close);
    out
}

/// Entries as arguments of the call the template writes, one a line. The template writes the
/// comma after the last one, which a comment after it would swallow: the last entry's trailing
/// comment and the comments after it go above it.
fn as_arguments(elements: Vec<Element>, closing: Vec<String>) -> String {
    let mut lines = Vec::new();
    let count = elements.len();
    for (i, Element { text, comments }) in elements.into_iter().enumerate() {
        if i + 1 < count {
            lines.extend(comments.above);
            lines.push(match comments.after {
                Some((gap, comment)) => format!("{text},{gap}{comment}"),
                None => format!("{text},"),
            });
        } else {
            lines.extend(comments.into_lines());
            lines.extend(closing.iter().cloned());
            lines.push(text);
        }
    }
    if count == 0 {
        lines = closing;
    }
    lines.join("\n")
}

/// Each element of the captured list reshaped into `class`, as a list that keeps the comments
/// between them.
fn reshape_list(node: Node, class: &str, fields: &[Field], context: &TransformContext) -> Result<String, String> {
    let Children { elements, closing } = list_elements(node, context)?;
    let elements: Vec<Element> = elements
        .into_iter()
        .enumerate()
        .map(|(i, (element, comments))| Ok(Element { text: reshape_into(element, class, fields, i + 1, context)?, comments }))
        .collect::<Result<_, String>>()?;
    Ok(bracketed("[", "[", "]", "]", &elements, &closing, &unit(context)))
}

/// One field of `reshape`: `src` or `src>dst` (renamed), then its shape:
///
/// - nothing: the value as it is;
/// - `[]`: the value wrapped in a list;
/// - `[0]`: the only element of a list of one, optionally reshaped: `[0](Class)(f; f)`;
/// - `[Class](f; f; ...)`: each element of a list reshaped into `Class` with the fields `f`;
/// - `(Class)(f; f; ...)`: the value (a structure) reshaped into `Class`;
/// - `{Class.key}`: the value wrapped in a structure with one key;
/// - `=a:A,b:B`: literal values mapped to strings (`true`/`false` stand for either language's
///   booleans).
///
/// A field starting with `+` is added when the structure lacks it: `+id:rule-{index}` (a string;
/// `{index}` is the element's 1-based position in its list), `+filter{Class}` (an empty structure),
/// `+filter{Class.key:text}` (a structure holding one string). A field whose names end in `!` is
/// required: a structure that gives its target nothing fails (`filter!(Class)(prefix)`).
struct Field {
    source: String,
    target: String,
    shape: FieldShape,
    default: Option<Default>,
    required: bool,
}

struct Sub {
    class: String,
    fields: Vec<Field>,
}

enum FieldShape {
    Same,
    List,
    Only(Option<Sub>),
    Each(Sub),
    One(Sub),
    Wrap { class: String, key: String },
    Map(Vec<(String, String)>),
}

enum Default {
    Text(String),
    Empty(String),
    /// A structure of class `.0` with key `.1` holding the string `.2`.
    Holding(String, String, String),
}

/// `text` split at `separator`s outside parentheses and brackets.
fn split_top(text: &str, separator: char) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            c if c == separator && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// `(Class)(f; f)` → the sub-structure.
fn parse_sub(text: &str) -> Option<Result<Sub, String>> {
    let (class, rest) = text.strip_prefix('(')?.split_once(")(")?;
    let fields = rest.strip_suffix(')')?;
    Some(Field::parse_list(fields).map(|fields| Sub { class: class.to_string(), fields }))
}

impl Field {
    fn parse_list(text: &str) -> Result<Vec<Field>, String> {
        split_top(text, ';').into_iter().map(|f| Field::parse(f.trim())).collect()
    }

    fn parse(spec: &str) -> Result<Field, String> {
        let bad = || {
            format!("`{spec}` is not a reshape field: `src` or `src>dst`, then `[]`, `[0]`, `[Class](f; ...)`, `(Class)(f; ...)`, `{{Class.key}}` or `=a:A,b:B`; or `+name:default` / `+name{{Class}}`")
        };
        if let Some(added) = spec.strip_prefix('+') {
            // Whichever of `{` and `:` comes first ends the name (`+id:rule-{index}`, `+f{C.k:v}`).
            let structure_first = added.find('{').is_some_and(|brace| added.find(':').is_none_or(|colon| brace < colon));
            let (name, default) = match (added.split_once('{').filter(|_| structure_first), added.split_once(':')) {
                (Some((name, structure)), _) => {
                    let structure = structure.strip_suffix('}').ok_or_else(bad)?;
                    let holding = structure.split_once('.').and_then(|(class, rest)| rest.split_once(':').map(|(key, text)| (class, key, text)));
                    match holding {
                        Some((class, key, text)) => (name, Default::Holding(class.to_string(), key.to_string(), text.to_string())),
                        None => (name, Default::Empty(structure.to_string())),
                    }
                }
                (None, Some((name, text))) => (name, Default::Text(text.to_string())),
                (None, None) => return Err(bad()),
            };
            return Ok(Field { source: name.to_string(), target: name.to_string(), shape: FieldShape::Same, default: Some(default), required: false });
        }
        let names_end = spec.find(['[', '(', '{', '=']).unwrap_or(spec.len());
        let (names, shape_text) = spec.split_at(names_end);
        let shape = if shape_text.is_empty() {
            FieldShape::Same
        } else if shape_text == "[]" {
            FieldShape::List
        } else if let Some(rest) = shape_text.strip_prefix("[0]") {
            match rest {
                "" => FieldShape::Only(None),
                sub => FieldShape::Only(Some(parse_sub(sub).ok_or_else(bad)??)),
            }
        } else if let Some(rest) = shape_text.strip_prefix('[') {
            let (class, fields) = rest.split_once("](").ok_or_else(bad)?;
            let fields = Field::parse_list(fields.strip_suffix(')').ok_or_else(bad)?)?;
            FieldShape::Each(Sub { class: class.to_string(), fields })
        } else if shape_text.starts_with('(') {
            FieldShape::One(parse_sub(shape_text).ok_or_else(bad)??)
        } else if let Some(wrap) = shape_text.strip_prefix('{') {
            let (class, key) = wrap.strip_suffix('}').and_then(|w| w.split_once('.')).ok_or_else(bad)?;
            FieldShape::Wrap { class: class.to_string(), key: key.to_string() }
        } else {
            let map = shape_text.strip_prefix('=').ok_or_else(bad)?;
            let pairs: Option<Vec<(String, String)>> =
                map.split(',').map(|pair| pair.split_once(':').map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))).collect();
            FieldShape::Map(pairs.ok_or_else(bad)?)
        };
        let (names, required) = match names.strip_suffix('!') {
            Some(names) => (names, true),
            None => (names, false),
        };
        let (source, target) = names.split_once('>').unwrap_or((names, names));
        let valid = |name: &str| !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !valid(source) || !valid(target) {
            return Err(bad());
        }
        Ok(Field { source: source.to_string(), target: target.to_string(), shape, default: None, required })
    }
}

/// A boolean literal of either language as `true`/`false`; other text as it is.
fn normalized_literal(value: &str) -> &str {
    match value {
        "True" => "true",
        "False" => "false",
        other => other,
    }
}

fn is_literal(node: Node) -> bool {
    matches!(node.kind_name(), "true" | "false" | "string" | "integer" | "float" | "number" | "none" | "null" | "undefined")
}

/// The value of one field, shaped, and the comments of the value that have no place in the shaped
/// one (those around the only element of an unwrapped list), to go above its entry.
fn shaped_value(field: &Field, value: Node, style: &Style, context: &TransformContext) -> Result<(String, Vec<String>), String> {
    let value_text = relative_text(value, context);
    Ok(match &field.shape {
        FieldShape::Same => (value_text, Vec::new()),
        FieldShape::List => (format!("[{value_text}]"), Vec::new()),
        FieldShape::Only(sub) => {
            let Children { mut elements, closing } = list_elements(value, context)?;
            let (Some((only, comments)), None) = (elements.pop(), elements.first()) else {
                return Err(format!("`{}: {}` is not a list of one", field.source, excerpt(&value_text)));
            };
            let shaped = match sub {
                None => relative_text(only, context),
                Some(sub) => reshape_into(only, &sub.class, &sub.fields, 1, context)?,
            };
            (shaped, comments.into_lines().into_iter().chain(closing).collect())
        }
        FieldShape::Each(sub) => (reshape_list(value, &sub.class, &sub.fields, context)?, Vec::new()),
        FieldShape::One(sub) => (reshape_into(value, &sub.class, &sub.fields, 1, context)?, Vec::new()),
        FieldShape::Wrap { class, key } => {
            (build(style, class, &[Element::plain(entry(style, key, &value_text, context.quote))], &[], &unit(context)), Vec::new())
        }
        FieldShape::Map(pairs) => {
            // A string literal by its content (`"Enabled"` for `Enabled`), a boolean in either spelling.
            let literal = match value.kind_name() {
                "string" => string_key(value, context).unwrap_or_else(|| value_text.clone()),
                _ => normalized_literal(&value_text).to_string(),
            };
            let found = pairs.iter().find(|(from, _)| *from == literal);
            if let Some((_, to)) = found {
                return Ok((super::quote(to, context.quote), Vec::new()));
            }
            let when = |b: &str| pairs.iter().find(|(from, _)| from == b).map(|(_, to)| super::quote(to, context.quote));
            // A computed boolean becomes a conditional, unless it is an Output (which is always
            // truthy): then nothing faithful can be written.
            match (when("true"), when("false")) {
                (Some(yes), Some(no)) if !is_literal(value) && !context.index.contains_output(value) => match python(context) {
                    true => (format!("{yes} if {value_text} else {no}"), Vec::new()),
                    false => (format!("{value_text} ? {yes} : {no}"), Vec::new()),
                },
                _ => return Err(format!("`{}: {}` has no counterpart in `{}`", field.source, excerpt(&value_text), field.target)),
            }
        }
    })
}

/// `reshape('Class', 'field', ...)`: the captured structure rebuilt with the listed fields only
/// (a key not listed fails the fix). With a class, a structure in the captured one's style
/// (`prefix.Class(...)`, a dict, an object literal); with `''`, its entries alone, one per line,
/// as keyword arguments (Python) or properties (TypeScript) of the resource that gets them.
pub(super) fn reshape(node: Node, args: &[String], context: &TransformContext) -> Result<String, String> {
    let (class, fields) = args.split_first().ok_or("reshape needs a class name (or '') and fields")?;
    let fields: Vec<Field> = fields.iter().map(|f| Field::parse(f)).collect::<Result<_, _>>()?;
    reshape_into(node, class, &fields, 1, context)
}

/// `reshape_each('Class', 'field', ...)`: each element of the captured list reshaped into `Class`
/// (see `reshape`), as a list.
pub(super) fn reshape_each(node: Node, args: &[String], context: &TransformContext) -> Result<String, String> {
    let (class, fields) = args.split_first().ok_or("reshape_each needs a class name and fields")?;
    let fields: Vec<Field> = fields.iter().map(|f| Field::parse(f)).collect::<Result<_, _>>()?;
    reshape_list(node, class, &fields, context)
}

/// The elements of a list or array literal with their comments, and the comments after the last
/// one (a computed list fails).
fn list_elements<'t>(node: Node<'t>, context: &TransformContext) -> Result<Children<'t>, String> {
    if !matches!(node.kind_name(), "list" | "array") {
        return Err(format!("`{}` is not a list literal", excerpt(text(node, context))));
    }
    let children = commented_children(node, context);
    if let Some((splat, _)) = children.elements.iter().find(|(e, _)| matches!(e.kind_name(), "list_splat" | "spread_element")) {
        return Err(format!("`{}` spreads another list", excerpt(text(*splat, context))));
    }
    Ok(children)
}

/// `node` rebuilt as `class` with `fields`; `index`: its 1-based position in its list, for defaults.
fn reshape_into(node: Node, class: &str, fields: &[Field], index: usize, context: &TransformContext) -> Result<String, String> {
    let structure = structure(node, context)?;
    let mut elements = Vec::with_capacity(structure.entries.len());
    // Entries as arguments of the resource (`class` empty) are keyword arguments in Python.
    let entry_style = match (class.is_empty(), &structure.style) {
        (true, Style::Dict) => Style::Args { prefix: String::new() },
        (_, style) => style.clone(),
    };
    for Entry { key, value, comments } in &structure.entries {
        let field = fields.iter().find(|f| &f.source == key && f.default.is_none()).ok_or_else(|| {
            let known: Vec<&str> = fields.iter().filter(|f| f.default.is_none()).map(|f| f.source.as_str()).collect();
            format!("`{key}` has no counterpart in the new resource (known: {}); move it by hand", known.join(", "))
        })?;
        let (shaped, unplaced) = shaped_value(field, *value, &structure.style, context)?;
        let mut comments = comments.clone();
        comments.above.extend(unplaced);
        elements.push(Element { text: entry(&entry_style, &field.target, &shaped, context.quote), comments });
    }
    let mut targets: Vec<&str> = structure.entries.iter().filter_map(|e| fields.iter().find(|f| f.source == e.key)).map(|f| f.target.as_str()).collect();
    if let Some(missing) = fields.iter().find(|f| f.required && !targets.contains(&f.target.as_str())) {
        return Err(format!("`{}` has no `{}`, which the new resource's shape needs to mean the same; move it by hand", excerpt(text(node, context)), missing.source));
    }
    for field in fields.iter().filter(|f| f.default.is_some()) {
        if targets.contains(&field.target.as_str()) {
            continue;
        }
        targets.push(&field.target);
        let value = match &field.default {
            Some(Default::Text(text)) => super::quote(&text.replace("{index}", &index.to_string()), context.quote),
            Some(Default::Empty(class)) => build(&structure.style, class, &[], &[], &unit(context)),
            Some(Default::Holding(class, key, text)) => {
                let holding = Element::plain(entry(&structure.style, key, &super::quote(text, context.quote), context.quote));
                build(&structure.style, class, &[holding], &[], &unit(context))
            }
            None => continue,
        };
        elements.push(Element::plain(entry(&entry_style, &field.target, &value, context.quote)));
    }
    if class.is_empty() {
        return Ok(as_arguments(elements, structure.closing));
    }
    Ok(build(&structure.style, class, &elements, &structure.closing, &unit(context)))
}

/// `arg('name')`: the value of the keyword argument, property or key `name` of the captured
/// argument list, call, dict or object literal; nothing when it has none.
pub(super) fn arg<'t>(node: Node<'t>, args: &[String], context: &TransformContext) -> Result<Value<'t>, String> {
    let [name] = args else { return Err("arg takes one name".into()) };
    let container = match node.kind_name() {
        "call" => node.field("arguments").unwrap_or(node),
        _ => node,
    };
    let mut cursor = container.walk();
    let found = container.named_children(&mut cursor).find_map(|child| {
        let key = crate::lang::argument_key(child)?;
        let key_text = text(key, context).trim_matches(['"', '\'']);
        (key_text == name).then(|| if child.kind_name() == "shorthand_property_identifier" { Some(child) } else { child.field("value") })?
    });
    Ok(match found {
        Some(value) => Value::Nodes(vec![value]),
        None => Value::Text(String::new()),
    })
}

/// `pick_args('provider', ...)`: the listed entries of the captured Args call, dict, options call
/// or object literal, each as `, key=value` (Python) or `, key: value` (TypeScript); nothing for
/// an absent value, or for one whose keys cannot be known.
pub(super) fn pick_args(value: &Value, args: &[String], context: &TransformContext) -> Result<String, String> {
    let Value::Nodes(nodes) = value else { return Ok(String::new()) };
    let [node] = nodes.as_slice() else { return Ok(String::new()) };
    let entries = match node.kind_name() {
        // Any call (`ResourceOptions(...)`, not only an Args class) spells its entries the same way.
        "call" => {
            let arguments = node.field("arguments");
            let mut out = Vec::new();
            if let Some(arguments) = arguments {
                let mut cursor = arguments.walk();
                for child in arguments.named_children(&mut cursor).filter(|c| c.kind_name() == "keyword_argument") {
                    if let (Some(k), Some(v)) = (child.field("name"), child.field("value")) {
                        out.push((text(k, context).to_string(), v));
                    }
                }
            }
            out
        }
        _ => match structure(*node, context) {
            Ok(structure) => structure.entries.into_iter().map(|e| (e.key, e.value)).collect(),
            Err(_) => return Ok(String::new()),
        },
    };
    let style = if python(context) { Style::Args { prefix: String::new() } } else { Style::Object };
    Ok(entries
        .iter()
        .filter(|(key, _)| args.contains(key))
        .map(|(key, v)| format!(", {}", entry(&style, key, &relative_text(*v, context), context.quote)))
        .collect())
}

/// `with_suffix('-logs')`: a resource name expression with a suffix: inside a string, f-string or
/// template literal; around any other expression (`f"{name}-logs"`, `` `${name}-logs` ``).
pub(super) fn with_suffix(node: Node, args: &[String], context: &TransformContext) -> Result<String, String> {
    let [suffix] = args else { return Err("with_suffix takes one suffix".into()) };
    let source = text(node, context);
    let literal = match node.kind_name() {
        "concatenated_string" => node.named_child(node.named_child_count().saturating_sub(1)),
        "string" | "template_string" => Some(node),
        "keyword_argument" | "pair" | "spread_element" | "list_splat" | "dictionary_splat" | "comment" => {
            return Err(format!("`{}` is not a name expression", excerpt(source)));
        }
        _ => None,
    };
    if let Some(literal) = literal {
        // Before the closing quote: Python's `string_end` (`"""` too), else the last character.
        let mut cursor = literal.walk();
        let end = literal.children(&mut cursor).find(|c| c.kind_name() == "string_end");
        let close = end.map_or(literal.end_byte() - 1, |e| e.start_byte());
        let at = close - node.start_byte();
        return Ok(format!("{}{suffix}{}", &source[..at], &source[at..]));
    }
    if python(context) {
        let simple = !source.contains(['"', '\'', '\\', '\n', '{', '}']);
        if simple {
            return Ok(format!("f{q}{{{source}}}{suffix}{q}", q = context.quote));
        }
        let primary = matches!(node.kind_name(), "identifier" | "attribute" | "call" | "subscript" | "parenthesized_expression");
        let operand = if primary { source.to_string() } else { format!("({source})") };
        return Ok(format!("{operand} + {}", super::quote(suffix, context.quote)));
    }
    Ok(format!("`${{{source}}}{suffix}`"))
}

/// `last_name`: the last part of a dotted name (`self.site` → `site`, `this.site` → `site`).
pub(super) fn last_name(value: &str) -> String {
    value.rsplit('.').next().unwrap_or(value).trim().to_string()
}

/// `rename_prefix('From', 'To')`: every Args class name in the value that starts with `From` (and
/// ends in `Args` or `ArgsDict`) starts with `To` instead — for types renamed between versions
/// (`BucketServerSideEncryptionConfigurationRuleArgs` → `...V2RuleArgs`). Names already starting
/// with `To` are kept.
pub(super) fn rename_prefix(value: &str, args: &[String]) -> Result<String, String> {
    let [from, to] = args else { return Err("rename_prefix takes two names".into()) };
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find(|c: char| c.is_alphanumeric() || c == '_') {
        out.push_str(&rest[..start]);
        let word_end = rest[start..].find(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(rest.len(), |e| start + e);
        let word = &rest[start..word_end];
        match word.strip_prefix(from.as_str()) {
            Some(tail) if !word.starts_with(to.as_str()) && (word.ends_with("Args") || word.ends_with("ArgsDict")) => {
                out.push_str(to);
                out.push_str(tail);
            }
            _ => out.push_str(word),
        }
        rest = &rest[word_end..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `to_identifier('bucket')`: a variable name made of the words of a name expression's literal
/// text and the suffix — `"static-site"` → `static_site_bucket` (Python) / `staticSiteBucket`
/// (TypeScript), `f"{env}-logs"` → `logs_bucket`.
pub(super) fn to_identifier(node: Node, args: &[String], context: &TransformContext) -> Result<String, String> {
    let [suffix] = args else { return Err("to_identifier takes one suffix".into()) };
    let mut literal_text = String::new();
    let pieces = |n: Node| matches!(n.kind_name(), "string_content" | "string_fragment" | "interpolation" | "template_substitution");
    for current in named_descendants(node, |n| !pieces(n)) {
        if matches!(current.kind_name(), "string_content" | "string_fragment") {
            literal_text.insert_str(0, text(current, context));
        }
    }
    let mut words: Vec<String> = literal_text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    if words.first().is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit())) {
        words.clear();
    }
    words.push(suffix.to_string());
    Ok(match python(context) {
        true => words.join("_"),
        false => super::camel(&words.join("_")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_parse_every_shape() {
        let field = Field::parse("enabled>status=true:Enabled,false:Suspended").unwrap();
        assert_eq!((field.source.as_str(), field.target.as_str()), ("enabled", "status"));
        assert!(matches!(field.shape, FieldShape::Map(ref pairs) if pairs.len() == 2));
        assert!(matches!(Field::parse("rule>rules[]").unwrap().shape, FieldShape::List));
        assert!(matches!(Field::parse("expirations>expiration[0]").unwrap().shape, FieldShape::Only(None)));
        let only = Field::parse("xs>x[0](C)(days>noncurrent_days)").unwrap();
        assert!(matches!(only.shape, FieldShape::Only(Some(ref sub)) if sub.class == "C" && sub.fields[0].target == "noncurrent_days"));
        let each = Field::parse("rules[R](a>b[0]; c(D)(e; f); g{W.k})").unwrap();
        let FieldShape::Each(sub) = each.shape else { panic!("not Each") };
        assert_eq!(sub.fields.len(), 3, "separators inside nested parentheses do not split");
        assert!(matches!(sub.fields[1].shape, FieldShape::One(ref d) if d.fields.len() == 2));
        assert!(matches!(sub.fields[2].shape, FieldShape::Wrap { ref class, ref key } if class == "W" && key == "k"));
        assert!(matches!(Field::parse("+id:rule-{index}").unwrap().default, Some(Default::Text(ref t)) if t == "rule-{index}"));
        assert!(matches!(Field::parse("+filter{F}").unwrap().default, Some(Default::Empty(ref c)) if c == "F"));
        assert!(matches!(Field::parse("+marker{M.status:Disabled}").unwrap().default, Some(Default::Holding(ref c, ref k, ref t)) if c == "M" && k == "status" && t == "Disabled"));
        let required = Field::parse("filter!(F)(prefix)").unwrap();
        assert!(required.required && required.source == "filter" && matches!(required.shape, FieldShape::One(_)));
        assert!(Field::parse("a>").is_err() && Field::parse("a{B}").is_err() && Field::parse("a=x").is_err());
    }

    #[test]
    fn rename_prefix_renames_args_classes_only() {
        let args = ["BucketLifecycleRule".to_string(), "BucketLifecycleConfigurationRule".to_string()];
        assert_eq!(
            rename_prefix("aws.s3.BucketLifecycleRuleExpirationArgs(days=1), BucketLifecycleRuleX, BucketLifecycleConfigurationRuleArgs", &args).unwrap(),
            "aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=1), BucketLifecycleRuleX, BucketLifecycleConfigurationRuleArgs"
        );
        let v2 = ["BucketSse".to_string(), "BucketSseV2".to_string()];
        assert_eq!(rename_prefix("BucketSseRuleArgs BucketSseV2RuleArgs", &v2).unwrap(), "BucketSseV2RuleArgs BucketSseV2RuleArgs");
    }

    #[test]
    fn long_structures_get_a_line_per_entry() {
        let entries = vec![Element::plain("a=1".to_string()), Element::plain("b=[\n    2,\n]".to_string())];
        assert_eq!(build(&Style::Dict, "", &[Element::plain("\"a\": 1".to_string())], &[], "  "), "{\"a\": 1}");
        assert_eq!(build(&Style::Args { prefix: "m.".into() }, "C", &entries, &[], "  "), "m.C(\n  a=1,\n  b=[\n      2,\n  ],\n)");
        assert_eq!(build(&Style::Object, "", &[], &[], "  "), "{}");
        assert_eq!(last_name("this.site"), "site");
    }

    #[test]
    fn comments_keep_their_places_and_force_a_line_per_entry() {
        let commented = |text: &str, above: &[&str], after: Option<&str>| Element {
            text: text.to_string(),
            comments: Comments { above: above.iter().map(|c| c.to_string()).collect(), after: after.map(|c| ("  ".to_string(), c.to_string())) },
        };
        let entries = [commented("a=1", &["# why a"], Some("# after a")), Element::plain("b=2".to_string())];
        assert_eq!(
            build(&Style::Args { prefix: "m.".into() }, "C", &entries, &["# last".to_string()], "  "),
            "m.C(\n  # why a\n  a=1,  # after a\n  b=2,\n  # last\n)",
            "short, but commented: one entry a line"
        );
        // As arguments, the template writes the last comma: the last entry's comments go above it.
        let entries = vec![commented("a=1", &[], Some("# after a")), commented("b=2", &["# why b"], Some("# after b"))];
        assert_eq!(as_arguments(entries, vec!["# last".to_string()]), "a=1,  # after a\n# why b\n# after b\n# last\nb=2");
        assert_eq!(as_arguments(Vec::new(), vec!["# only".to_string()]), "# only");
    }
}
