//! From a rule's edit specs and one match to concrete text edits.

use super::Edit;
use super::matcher::RuleMatch;
use crate::lang::{self, Grammar, KindName, argument_key, enclosing_statement, named_descendants};
use crate::source::{indent_unit, indentation_at, line_end, line_end_inclusive, line_start, relative_text, with_line_ending};
use crate::index::FileIndex;
use crate::spec::{EditSpec, Rule, Template, TemplatePart, TemplateSource};
use crate::transforms::{self, TransformContext, Value};
use std::collections::HashMap;
use std::ops::Range;
use tree_sitter::{Node, Tree};

/// Appends a rendered value: its continuation lines get the indentation of the template line it is
/// placed on (a multi-line value stays a block inside an indented template).
fn push_indented(out: &mut String, value: &str) {
    let line = &out[out.rfind('\n').map_or(0, |i| i + 1)..];
    let indent = line[..line.len() - line.trim_start_matches([' ', '\t']).len()].to_string();
    let mut lines = value.split('\n');
    out.push_str(lines.next().unwrap_or_default());
    for line in lines {
        out.push('\n');
        if !line.trim().is_empty() {
            out.push_str(&indent);
        }
        out.push_str(line);
    }
}

/// Template text with each line's leading four-space levels in the indentation unit `unit`;
/// `at_line_start`: the text starts a line.
fn in_indent_unit(text: &str, at_line_start: bool, unit: &str) -> String {
    if unit == "    " {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if i == 0 && !at_line_start {
            out.push_str(line);
            continue;
        }
        let mut rest = line;
        while let Some(after) = rest.strip_prefix("    ") {
            out.push_str(unit);
            rest = after;
        }
        out.push_str(rest);
    }
    out
}

/// What the edits of one pass may look at.
pub struct PassContext<'a, 't> {
    pub grammar: Grammar,
    pub text: &'t str,
    pub tree: &'t Tree,
    pub eol: &'static str,
    pub quote: char,
    pub index: &'a FileIndex<'t>,
}

impl<'t> PassContext<'_, 't> {
    fn node(&self, m: &RuleMatch<'t>, capture: &str) -> Result<Node<'t>, String> {
        self.nodes(m, capture).map(|nodes| nodes[0])
    }

    /// The nodes of a capture (several for a quantified one), never empty.
    fn nodes(&self, m: &RuleMatch<'t>, capture: &str) -> Result<Vec<Node<'t>>, String> {
        let nodes = m.compiled.capture_index(capture).map(|i| m.nodes(i)).unwrap_or_default();
        // A predicate's capture is empty when what it found has nothing to bind (an unbound resource).
        if nodes.is_empty() { Err(format!("capture @{capture} did not match anything here (a resource it names must be bound to a variable)")) } else { Ok(nodes) }
    }

    /// Renders a template for match `m`; `bindings` are the local names of the rule's imports.
    pub fn render(&self, template: &Template, m: &RuleMatch<'t>, bindings: &HashMap<String, String>) -> Result<String, String> {
        self.render_indented(template, m, bindings, None)
    }

    /// Renders a template whose lines are indented by four spaces a level, in the file's own
    /// indentation unit `unit` (statements a fix inserts).
    fn render_indented(&self, template: &Template, m: &RuleMatch<'t>, bindings: &HashMap<String, String>, unit: Option<&str>) -> Result<String, String> {
        let context = TransformContext { quote: self.quote, source: self.text, index: self.index, bindings };
        let mut out = String::new();
        for part in &template.parts {
            match part {
                TemplatePart::Text(text) => match unit {
                    Some(unit) => out.push_str(&in_indent_unit(text, out.is_empty() || out.ends_with('\n'), unit)),
                    None => out.push_str(text),
                },
                TemplatePart::Expr { source, transforms } => {
                    let mut value = match source {
                        TemplateSource::Literal(literal) => Value::Text(literal.clone()),
                        TemplateSource::Binding(name) => Value::Text(bindings.get(name).cloned().ok_or_else(|| format!("no import binds `{name}`"))?),
                        // An optional capture that did not match renders as nothing.
                        TemplateSource::Capture(name) => self.nodes(m, name).map(Value::Nodes).unwrap_or(Value::Text(String::new())),
                    };
                    for call in transforms {
                        value = transforms::apply(call, value, &context)?;
                    }
                    push_indented(&mut out, &value.text(self.text));
                }
            }
        }
        Ok(out)
    }

    /// The edits of `rule` for match `m`, with the file's line endings.
    pub fn build(&self, rule: &Rule, m: &RuleMatch<'t>) -> Result<Vec<Edit>, String> {
        let mut edits = Vec::with_capacity(rule.edits.len());
        // Imports first: templates spell them through the names they resolve to.
        let mut bindings = HashMap::new();
        for spec in &rule.edits {
            if let EditSpec::EnsureImport(import) = spec {
                let resolution = lang::ensure_import(self.grammar, self.tree, self.text, import);
                bindings.insert(import.binding_key().to_string(), resolution.local_name);
                edits.extend(resolution.edit);
            }
        }
        let render = |template: &Template| self.render(template, m, &bindings);
        let unit = indent_unit(self.text);
        let render_statement = |template: &Template| self.render_indented(template, m, &bindings, Some(&unit));
        // A rule that deletes and inserts moves something: the comments the deletion removes
        // (above the nodes, after them, inside them) document it and go above what is inserted.
        let moves = rule.edits.iter().any(|e| matches!(e, EditSpec::InsertBefore { .. } | EditSpec::InsertAfter { .. }));
        let rendered = if moves { self.inserted_nodes(rule, m) } else { Vec::new() };
        let mut carried = Vec::new();
        let mut deletions = Vec::new();
        for spec in &rule.edits {
            if let EditSpec::Delete { target } = spec {
                let nodes = self.nodes(m, target)?;
                let (first, last) = (nodes[0], nodes[nodes.len() - 1]);
                let range = self.deletion_range(first, last);
                deletions.push(match moves {
                    true => self.with_comments(first, range, &rendered, &mut carried),
                    false => range,
                });
            }
        }
        let mut deletions = deletions.into_iter();
        let mut with_carried = |body: String| match std::mem::take(&mut carried) {
            comments if comments.is_empty() => body,
            comments => format!("{}\n{body}", comments.join("\n")),
        };
        let mut changes = Vec::new();
        for spec in &rule.edits {
            let edit = match spec {
                // A quantified capture is replaced or deleted from its first node to its last.
                EditSpec::Replace { target, template } => {
                    let nodes = self.nodes(m, target)?;
                    Edit::replace(nodes[0].start_byte()..nodes[nodes.len() - 1].end_byte(), render(template)?)
                }
                EditSpec::Delete { .. } => Edit::replace(deletions.next().expect("a range for each deletion"), String::new()),
                EditSpec::Append { target, template } => {
                    changes.extend(self.append_element(self.node(m, target)?, &render(template)?)?);
                    continue;
                }
                EditSpec::Rename { target, to } => {
                    let node = self.node(m, target)?;
                    let key = argument_key(node).unwrap_or(node);
                    let new_name = render(to)?;
                    // `{ vpc }` shorthand keeps its value under the new name.
                    let replacement = if key.kind_name() == "shorthand_property_identifier" {
                        format!("{new_name}: {}", &self.text[key.byte_range()])
                    } else {
                        new_name
                    };
                    Edit::replace(key.byte_range(), replacement)
                }
                EditSpec::InsertBefore { anchor, template } => self.insert_statement(self.node(m, anchor)?, with_carried(render_statement(template)?), true)?,
                EditSpec::InsertAfter { anchor, template } => self.insert_statement(self.node(m, anchor)?, with_carried(render_statement(template)?), false)?,
                EditSpec::EnsureImport(_) => continue,
            };
            changes.push(edit);
        }
        for edit in edits.iter_mut().chain(changes.iter_mut()) {
            edit.replacement = with_line_ending(&edit.replacement, self.eol);
        }
        changes.retain(|edit| self.text[edit.range.clone()] != edit.replacement);
        // A rule whose own changes are all no-ops is already in its fixed form: no import alone.
        let has_changes = rule.edits.iter().all(|e| matches!(e, EditSpec::EnsureImport(_))) || !changes.is_empty();
        if !has_changes {
            return Ok(Vec::new());
        }
        edits.extend(changes);
        Ok(edits)
    }

    /// The range to delete (the nodes `first` to `last`) so that what remains stays well-formed:
    /// the elements with their comma, and their whole lines (with a trailing comment) when they
    /// stand on lines of their own.
    fn deletion_range(&self, first: Node, last: Node) -> Range<usize> {
        let text = self.text;
        // The only entries of a bracketed container: it becomes empty (`{}`), not `{  }` or a
        // bracket pair around a blank line.
        if let Some(inside) = self.whole_inside(first, last) {
            return inside;
        }
        let next_comma = last.next_sibling().filter(|s| s.kind_name() == ",");
        let previous_comma = first.prev_sibling().filter(|s| s.kind_name() == ",");
        let start_of_line = line_start(text, first.start_byte());
        let after = next_comma.map_or(last.end_byte(), |c| c.end_byte());
        let rest_of_line = text[after..line_end(text, after)].trim_start();
        let alone_on_line = text[start_of_line..first.start_byte()].trim().is_empty()
            && (rest_of_line.is_empty() || rest_of_line.starts_with(self.grammar.comment_prefix()));
        if alone_on_line {
            let end = line_end_inclusive(text, after);
            // At the end of the file, the blank line that separated the lines goes too.
            let previous_line = line_start(text, start_of_line.saturating_sub(1));
            if end == text.len() && start_of_line > 0 && text[previous_line..start_of_line].trim().is_empty() {
                return previous_line..end;
            }
            return start_of_line..end;
        }
        if let Some(comma) = next_comma {
            let spaces = text[comma.end_byte()..].len() - text[comma.end_byte()..].trim_start_matches([' ', '\t']).len();
            return first.start_byte()..comma.end_byte() + spaces;
        }
        if let Some(comma) = previous_comma {
            return comma.start_byte()..last.end_byte();
        }
        first.start_byte()..last.end_byte()
    }

    /// The nodes of the captures the rule's inserted statements render: the comments inside them go
    /// where the templates put them (the structure transforms keep them).
    fn inserted_nodes(&self, rule: &Rule, m: &RuleMatch<'t>) -> Vec<Node<'t>> {
        let templates = rule.edits.iter().filter_map(|e| match e {
            EditSpec::InsertBefore { template, .. } | EditSpec::InsertAfter { template, .. } => Some(template),
            _ => None,
        });
        let captures = templates.flat_map(|t| &t.parts).filter_map(|part| match part {
            TemplatePart::Expr { source: TemplateSource::Capture(name), .. } => Some(name),
            _ => None,
        });
        captures.flat_map(|name| self.nodes(m, name).unwrap_or_default()).collect()
    }

    /// A deletion `range` of nodes starting with `first` that moves their comments: grown over the
    /// comment lines directly above `first` when the nodes' lines go, and each comment in it that
    /// no `rendered` node inside it holds added to `carried`.
    fn with_comments(&self, first: Node<'t>, range: Range<usize>, rendered: &[Node<'t>], carried: &mut Vec<String>) -> Range<usize> {
        let text = self.text;
        let mut start = range.start;
        if start == line_start(text, first.start_byte()) {
            let mut above = first.prev_sibling();
            while let Some(comment) = above.filter(|c| c.kind_name() == "comment") {
                let comment_line = line_start(text, comment.start_byte());
                let between = &text[comment.end_byte()..start];
                let directly_above = text[comment_line..comment.start_byte()].trim().is_empty() && between.trim().is_empty() && between.matches('\n').count() == 1;
                if !directly_above {
                    break;
                }
                start = comment_line;
                above = comment.prev_sibling();
            }
        }
        let range = start..range.end;
        let inside = |outer: Range<usize>, inner: Range<usize>| outer.start <= inner.start && inner.end <= outer.end;
        let kept = |comment: &Node| rendered.iter().any(|n| inside(range.clone(), n.byte_range()) && inside(n.byte_range(), comment.byte_range()));
        let overlaps = |node: Node| node.end_byte() > range.start && node.start_byte() < range.end;
        let mut comments: Vec<Node> = named_descendants(self.tree.root_node(), |node| overlaps(node) && node.kind_name() != "comment")
            .filter(|node| node.kind_name() == "comment" && inside(range.clone(), node.byte_range()) && !kept(node))
            .collect();
        comments.sort_by_key(|c| c.start_byte());
        carried.extend(comments.iter().map(|c| relative_text(text, c.byte_range())));
        // Emptied, comments and all: `{}`, as when its last entries go without comments.
        match first.parent().and_then(Self::between_brackets) {
            Some(inside) if [inside.start..range.start, range.end..inside.end].into_iter().all(|rest| text.get(rest).is_some_and(|t| t.trim().is_empty())) => inside,
            _ => range,
        }
    }

    /// The range between the brackets of the container of `first`..`last` when they are all it
    /// holds (commas aside; a comment keeps the container as it is).
    fn whole_inside(&self, first: Node, last: Node) -> Option<Range<usize>> {
        let container = first.parent().filter(|p| last.parent() == Some(*p))?;
        let inside = Self::between_brackets(container)?;
        let mut cursor = container.walk();
        let only = container
            .named_children(&mut cursor)
            .all(|c| c.start_byte() >= first.start_byte() && c.end_byte() <= last.end_byte());
        only.then_some(inside)
    }

    /// The range between the brackets of an object, dict, list or array.
    fn between_brackets(container: Node) -> Option<Range<usize>> {
        if !matches!(container.kind_name(), "object" | "dictionary" | "list" | "array") {
            return None;
        }
        let open = container.child(0).filter(|c| matches!(c.kind_name(), "{" | "["))?;
        let close = container.child(container.child_count().checked_sub(1)?).filter(|c| matches!(c.kind_name(), "}" | "]"))?;
        Some(open.end_byte()..close.start_byte())
    }

    /// Adds `element` at the end of a bracketed list (argument list, list, dict, object, array)
    /// in its layout: one element per line gets a new line with the same indentation and keeps a
    /// trailing comma; a one-line list gets `, element`.
    fn append_element(&self, container: Node, element: &str) -> Result<Vec<Edit>, String> {
        let text = self.text;
        let close = container.child(container.child_count().saturating_sub(1)).filter(|c| matches!(c.kind_name(), ")" | "]" | "}"));
        let close = close.ok_or_else(|| format!("cannot append to a {}: it is not a bracketed list", container.kind_name()))?;
        let mut cursor = container.walk();
        let Some(last) = container.named_children(&mut cursor).filter(|e| e.kind_name() != "comment").last() else {
            return Ok(vec![Edit::insert(close.start_byte(), element.to_string())]);
        };
        let trailing_comma = last.next_sibling().filter(|s| s.kind_name() == ",");
        let after = trailing_comma.map_or(last.end_byte(), |c| c.end_byte());
        let own_line = text[line_start(text, last.start_byte())..last.start_byte()].trim().is_empty()
            && line_start(text, last.start_byte()) > container.start_byte();
        if !own_line {
            return Ok(vec![match trailing_comma {
                Some(comma) => Edit::insert(comma.end_byte(), format!(" {element},")),
                None => Edit::insert(last.end_byte(), format!(", {element}")),
            }]);
        }
        // After a trailing comment of the last element's line, not before it.
        let rest_of_line = text[after..line_end(text, after)].trim();
        let at = if rest_of_line.is_empty() || rest_of_line.starts_with(self.grammar.comment_prefix()) { line_end(text, after) } else { after };
        let indent = indentation_at(text, last.start_byte());
        Ok(match trailing_comma {
            Some(_) => vec![Edit::insert(at, format!("\n{indent}{element},"))],
            None => vec![Edit::insert(last.end_byte(), ",".into()), Edit::insert(at, format!("\n{indent}{element}"))],
        })
    }

    /// Inserts `body` as statement(s) before or after the statement holding `anchor`, indented
    /// like it.
    fn insert_statement(&self, anchor: Node, body: String, before: bool) -> Result<Edit, String> {
        let statement = enclosing_statement(self.grammar, anchor).ok_or("the anchor is not inside a statement")?;
        let text = self.text;
        let indent = indentation_at(text, statement.start_byte());
        let indented: Vec<String> =
            body.lines().map(|line| if line.trim().is_empty() { String::new() } else { format!("{indent}{line}") }).collect();
        let indented = indented.join("\n");
        // The indentation is its line's: a statement after `def f():` on the same line has the
        // `def`'s, and a new statement there would land outside the block.
        let start = line_start(text, statement.start_byte());
        if !text[start..statement.start_byte()].trim().is_empty() {
            return Err("the statement does not start its line".into());
        }
        if before {
            Ok(Edit::insert(start, format!("{indented}\n")))
        } else {
            let end = line_end(text, statement.end_byte());
            // Whatever follows on the line (`}` of the block, another statement) would end up
            // before the new statement, outside the block it belongs in.
            let rest = text[statement.end_byte()..end].trim().trim_start_matches(';').trim_start();
            if !(rest.is_empty() || rest.starts_with(self.grammar.comment_prefix())) {
                return Err("the statement does not end its line".into());
            }
            Ok(Edit::insert(end, format!("\n{indented}")))
        }
    }
}
