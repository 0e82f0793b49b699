//! The engine's own query matcher (`pulumi_fix::query`) against tree-sitter's query cursor: every
//! built-in query the engine runs itself must find, over every fixture file and codemod example
//! (whole, and cut short into trees with error nodes), the same matches as tree-sitter (pattern,
//! captured nodes, text predicates held).
//!
//! `QUERY_EQUIVALENCE_DIRS` (paths separated by `:`) adds directories of programs, e.g. a checkout
//! of pulumi/examples or a generated corpus, for a wider check than the suite's own files.

mod common;

use pulumi_fix::lang::{Grammar, NodeTable, parse};
use pulumi_fix::query::{self, QueryRun};
use pulumi_fix::spec::{Spec, builtin_specs, compile_spec};
use std::collections::BTreeSet;
use std::path::Path;
use tree_sitter::{Node, QueryCursor, StreamingIterator};

/// A match as both matchers report it: pattern, and (capture, start, end, kind) of each capture.
type Found = (usize, Vec<(u32, usize, usize, u16)>);

fn found<'t>(pattern: usize, captures: impl Iterator<Item = (u32, Node<'t>)>) -> Found {
    let mut captures: Vec<_> = captures.map(|(i, n)| (i, n.start_byte(), n.end_byte(), n.kind_id())).collect();
    captures.sort_unstable();
    captures.dedup();
    (pattern, captures)
}

/// The files to match, by grammar: fixtures, examples, and the directories the environment names.
fn sources(specs: &[Spec]) -> Vec<(Grammar, String, String)> {
    let mut sources = Vec::new();
    let mut dirs = vec![common::repo_root().join("tests/fixtures")];
    dirs.extend(std::env::var("QUERY_EQUIVALENCE_DIRS").unwrap_or_default().split(':').filter(|d| !d.is_empty()).map(Into::into));
    for dir in dirs {
        for path in common::walk_files(&dir) {
            let (Some(grammar), Ok(text)) = (Grammar::for_path(&path), std::fs::read_to_string(&path)) else { continue };
            sources.push((grammar, path.display().to_string(), text));
        }
    }
    for spec in specs {
        for example in &spec.examples {
            if let Some(grammar) = Grammar::for_path(Path::new(&example.file_name)) {
                let name = format!("{} example `{}`", spec.id, example.name);
                // Cut short too, as an editor holds it mid-change: trees with error and missing nodes.
                for fraction in [3, 2] {
                    let cut = (1..=example.before.len() * (fraction - 1) / fraction).rev().find(|&at| example.before.is_char_boundary(at)).unwrap_or(0);
                    sources.push((grammar, format!("{name} cut at byte {cut}"), example.before[..cut].to_string()));
                }
                sources.push((grammar, name, example.before.clone()));
            }
        }
    }
    sources
}

#[test]
fn the_engine_matches_every_builtin_query_as_tree_sitter_does() {
    let specs = builtin_specs().unwrap();
    let sources = sources(&specs);
    let mut differences = Vec::new();
    let mut compared = 0usize;
    let mut with_errors = 0usize;
    for grammar in Grammar::ALL {
        // Each spec's rules as one query, as the engine compiles them, and as tree-sitter does.
        let queries: Vec<_> = specs
            .iter()
            .filter(|spec| spec.language == grammar.spec_language())
            .filter_map(|spec| {
                let compiled = compile_spec(spec, grammar).unwrap();
                let source: String = spec.rules.iter().map(|r| format!("{}\n", r.query)).collect();
                let tree_sitter = tree_sitter::Query::new(&grammar.ts_language(), &source).unwrap();
                compiled.tree_sitter.is_none().then_some((spec.id.clone(), compiled.query, tree_sitter))
            })
            .collect();
        let mut cursor = QueryCursor::new();
        let runs: Vec<QueryRun> = queries.iter().map(|(_, ours, _)| QueryRun { query: ours, ranges: None }).collect();
        for (_, name, text) in sources.iter().filter(|(g, _, _)| *g == grammar) {
            let tree = parse(grammar, text);
            with_errors += usize::from(tree.root_node().has_error());
            // All of them in one walk, as the engine runs a file's candidates.
            let mut by_query = vec![BTreeSet::new(); queries.len()];
            let nodes = NodeTable::build(grammar, &tree);
            query::run(&runs, &nodes, text.as_bytes(), |run, pattern, captures| {
                by_query[run].insert(found(pattern, captures.into_iter()));
            });
            for ((id, _, theirs), engine) in queries.iter().zip(by_query) {
                let mut tree_sitter = BTreeSet::new();
                let mut matches = cursor.matches(theirs, tree.root_node(), text.as_bytes());
                while let Some(m) = matches.next() {
                    tree_sitter.insert(found(m.pattern_index, m.captures.iter().map(|c| (c.index, c.node))));
                }
                compared += tree_sitter.len();
                if engine != tree_sitter {
                    let only_engine: Vec<_> = engine.difference(&tree_sitter).take(3).collect();
                    let only_tree_sitter: Vec<_> = tree_sitter.difference(&engine).take(3).collect();
                    differences.push(format!("{id} on {name}:\n  only the engine: {only_engine:?}\n  only tree-sitter: {only_tree_sitter:?}"));
                }
            }
        }
    }
    assert!(differences.is_empty(), "{} difference(s), the first ones:\n{}", differences.len(), differences[..differences.len().min(10)].join("\n"));
    // The files hold matches to compare: the test compares something.
    assert!(compared > 500, "only {compared} matches compared");
    assert!(with_errors > 100, "only {with_errors} trees with syntax errors");
    eprintln!("{} files ({with_errors} with syntax errors), {compared} matches compared", sources.len());
}
