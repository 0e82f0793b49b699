//! Transforms that make a program's own imports work both where Pulumi runs it (from the entry
//! file's directory) and where tests import it (from the project root). Both take a run of
//! consecutive top-level import statements (a quantified capture) and give back the run rewritten.
//!
//! - `import_shim`: each group of consecutive imports that the program directory spells
//!   differently becomes `try: <program spelling> except ModuleNotFoundError: <root spelling>`,
//!   keeping order, aliases and comments.
//! - `sys_path_shim`: puts the project root on `sys.path` (importing `os` and `sys` when needed)
//!   just before the file's first project import.

use crate::lang::{FieldChild, KindName};
use super::TransformContext;
use crate::source::{indent_unit, line_end, line_start};
use tree_sitter::Node;

fn indent(text: &str, unit: &str) -> String {
    text.split('\n').map(|line| if line.trim().is_empty() { line.trim_start().to_string() } else { format!("{unit}{line}") }).collect::<Vec<_>>().join("\n")
}

pub(super) fn import_shim(nodes: &[Node], context: &TransformContext) -> Result<String, String> {
    let source = context.source;
    let spelling = |n: Node| context.index.program_relative_module(n);
    let unit = indent_unit(source);
    let (start, end) = (nodes[0].start_byte(), nodes[nodes.len() - 1].end_byte());
    let mut out = String::new();
    let mut at = start;
    let mut i = 0;
    while i < nodes.len() {
        if spelling(nodes[i]).is_none() {
            i += 1;
            continue;
        }
        let mut last = i;
        while last + 1 < nodes.len() && spelling(nodes[last + 1]).is_some() {
            last += 1;
        }
        let (group_start, group_end) = (nodes[i].start_byte(), nodes[last].end_byte());
        let mut program_spelling = String::new();
        let mut copied = group_start;
        for &statement in &nodes[i..=last] {
            let module = statement.field("module_name").ok_or("an import without a module")?;
            program_spelling.push_str(&source[copied..module.start_byte()]);
            program_spelling.push_str(&spelling(statement).unwrap_or_default());
            copied = module.end_byte();
        }
        program_spelling.push_str(&source[copied..group_end]);
        // The comment that ends the group's last line stays after the `except` copy; the `try`
        // copy gets it too.
        let rest_of_line = &source[group_end..line_end(source, group_end)];
        if rest_of_line.trim_start().starts_with('#') {
            program_spelling.push_str(rest_of_line);
        }
        out.push_str(&source[at..group_start]);
        out.push_str(&format!(
            "try:\n{}\nexcept ModuleNotFoundError:\n{}",
            indent(&program_spelling, &unit),
            indent(&source[group_start..group_end], &unit)
        ));
        at = group_end;
        i = last + 1;
    }
    out.push_str(&source[at..end]);
    Ok(out)
}

/// Does a top-level `import` statement bind `name` itself (`import os`, `import os.path`)?
fn binds(statement: Node, name: &str, source: &str) -> bool {
    let mut cursor = statement.walk();
    statement.kind_name() == "import_statement"
        && statement
            .children_by_field_name("name", &mut cursor)
            .any(|n| n.kind_name() == "dotted_name" && source[n.byte_range()].split('.').next() == Some(name))
}

fn extends_sys_path(statement: Node, source: &str) -> bool {
    let squeezed: String = source[statement.byte_range()].split_whitespace().collect();
    statement.kind_name() == "expression_statement" && (squeezed.starts_with("sys.path.insert(") || squeezed.starts_with("sys.path.append("))
}

pub(super) fn sys_path_shim(nodes: &[Node], context: &TransformContext) -> Result<String, String> {
    let source = context.source;
    let (start, end) = (nodes[0].start_byte(), nodes[nodes.len() - 1].end_byte());
    let unchanged = Ok(source[start..end].to_string());
    let Some(first) = nodes.iter().copied().find(|n| context.index.is_project_import(*n)) else { return unchanged };
    let depth = context.index.program_dir_depth().ok_or("the file's project has no program directory below its root")?;
    let module = first.parent().ok_or("an import outside any module")?;
    let (mut has_os, mut has_sys) = (false, false);
    let mut cursor = module.walk();
    for statement in module.named_children(&mut cursor).take_while(|s| s.start_byte() < first.start_byte()) {
        // An earlier run already had its project imports shimmed, or the path is already set.
        if context.index.is_project_import(statement) || extends_sys_path(statement, source) {
            return unchanged;
        }
        has_os |= binds(statement, "os", source);
        has_sys |= binds(statement, "sys", source);
    }
    let mut root = "os.path.abspath(__file__)".to_string();
    for _ in 0..=depth {
        root = format!("os.path.dirname({root})");
    }
    let mut lines: Vec<String> = Vec::new();
    lines.extend((!has_os).then(|| "import os".to_string()));
    lines.extend((!has_sys).then(|| "import sys".to_string()));
    lines.push("# Make the project's own packages importable however Pulumi runs this file.".into());
    lines.push(format!("sys.path.insert(0, {root})"));
    // Before the comment lines that head the import, when they are part of the run.
    let mut at = first;
    while let Some(comment) = at.prev_sibling().filter(|c| c.kind_name() == "comment" && c.start_byte() >= start) {
        let on_own_line = source[line_start(source, comment.start_byte())..comment.start_byte()].trim().is_empty();
        let adjacent = !source[comment.end_byte()..at.start_byte()].contains("\n\n");
        if !(on_own_line && adjacent) {
            break;
        }
        at = comment;
    }
    let insert_at = at.start_byte();
    Ok(format!("{}{}\n{}", &source[start..insert_at], lines.join("\n"), &source[insert_at..end]))
}
