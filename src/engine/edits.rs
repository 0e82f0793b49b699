//! From a rule's edit specs and one match to concrete text edits.

use super::Edit;
use super::matcher::RuleMatch;
use crate::lang::{self, Grammar, argument_key, enclosing_statement};
use crate::source::{indentation_at, line_end, line_end_inclusive, line_start, with_line_ending};
use crate::spec::{EditSpec, Rule, Template, TemplatePart, TemplateSource};
use crate::transforms::{self, TransformContext};
use std::ops::Range;
use tree_sitter::{Node, Tree};

/// What the edits of one pass may look at.
pub struct PassContext<'a> {
    pub grammar: Grammar,
    pub text: &'a str,
    pub tree: &'a Tree,
    pub eol: &'static str,
    pub transform: TransformContext,
}

impl PassContext<'_> {
    fn node<'t>(&self, m: &RuleMatch<'t>, capture: &str) -> Result<Node<'t>, String> {
        m.query
            .capture_index_for_name(capture)
            .and_then(|i| m.capture(i))
            .ok_or_else(|| format!("capture @{capture} did not match anything here"))
    }

    pub fn render(&self, template: &Template, m: &RuleMatch) -> Result<String, String> {
        let mut out = String::new();
        for part in &template.parts {
            match part {
                TemplatePart::Text(text) => out.push_str(text),
                TemplatePart::Expr { source, transforms } => {
                    let mut value = match source {
                        TemplateSource::Literal(literal) => literal.clone(),
                        // An optional capture that did not match renders as nothing.
                        TemplateSource::Capture(name) => self.node(m, name).map(|n| self.text[n.byte_range()].to_string()).unwrap_or_default(),
                    };
                    for name in transforms {
                        value = transforms::apply(name, &value, &self.transform)?;
                    }
                    out.push_str(&value);
                }
            }
        }
        Ok(out)
    }

    /// The edits of `rule` for match `m`, with the file's line endings.
    pub fn build(&self, rule: &Rule, m: &RuleMatch) -> Result<Vec<Edit>, String> {
        let mut edits = Vec::with_capacity(rule.edits.len());
        for spec in &rule.edits {
            let edit = match spec {
                EditSpec::Replace { target, template } => Some(Edit::replace(self.node(m, target)?.byte_range(), self.render(template, m)?)),
                EditSpec::Delete { target } => Some(Edit::replace(self.deletion_range(self.node(m, target)?), String::new())),
                EditSpec::Rename { target, to } => {
                    let node = self.node(m, target)?;
                    let key = argument_key(node).unwrap_or(node);
                    let new_name = self.render(to, m)?;
                    // `{ vpc }` shorthand keeps its value under the new name.
                    let replacement = if key.kind() == "shorthand_property_identifier" {
                        format!("{new_name}: {}", &self.text[key.byte_range()])
                    } else {
                        new_name
                    };
                    Some(Edit::replace(key.byte_range(), replacement))
                }
                EditSpec::InsertBefore { anchor, template } => Some(self.insert_statement(self.node(m, anchor)?, self.render(template, m)?, true)?),
                EditSpec::InsertAfter { anchor, template } => Some(self.insert_statement(self.node(m, anchor)?, self.render(template, m)?, false)?),
                EditSpec::EnsureImport(import) => lang::ensure_import(self.grammar, self.tree, self.text, import),
            };
            if let Some(mut edit) = edit {
                edit.replacement = with_line_ending(&edit.replacement, self.eol);
                if self.text[edit.range.clone()] != edit.replacement {
                    edits.push(edit);
                }
            }
        }
        Ok(edits)
    }

    /// The range to delete so that what remains stays well-formed: the element with its comma,
    /// and its whole line (with a trailing comment) when it stands on a line of its own.
    fn deletion_range(&self, node: Node) -> Range<usize> {
        let text = self.text;
        let next_comma = node.next_sibling().filter(|s| s.kind() == ",");
        let previous_comma = node.prev_sibling().filter(|s| s.kind() == ",");
        let start_of_line = line_start(text, node.start_byte());
        let after = next_comma.map_or(node.end_byte(), |c| c.end_byte());
        let rest_of_line = text[after..line_end(text, after)].trim_start();
        let alone_on_line = text[start_of_line..node.start_byte()].trim().is_empty()
            && (rest_of_line.is_empty() || rest_of_line.starts_with(self.grammar.comment_prefix()));
        if alone_on_line {
            return start_of_line..line_end_inclusive(text, after);
        }
        if let Some(comma) = next_comma {
            let spaces = text[comma.end_byte()..].len() - text[comma.end_byte()..].trim_start_matches([' ', '\t']).len();
            return node.start_byte()..comma.end_byte() + spaces;
        }
        if let Some(comma) = previous_comma {
            return comma.start_byte()..node.end_byte();
        }
        node.byte_range()
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
        if before {
            let start = line_start(text, statement.start_byte());
            if !text[start..statement.start_byte()].trim().is_empty() {
                return Err("the statement does not start its line".into());
            }
            Ok(Edit::insert(start, format!("{indented}\n")))
        } else {
            Ok(Edit::insert(line_end(text, statement.end_byte()), format!("\n{indented}")))
        }
    }
}
