//! The whole-pipeline oracle shared by the property tests (`tests/properties.rs`) and the fuzz
//! target (`fuzz/`): whatever the bytes, reading and fixing never panics, never reports an error
//! with the built-in catalog, never turns a file that parses into one that does not, never touches
//! a file that does not parse, and a second run over its own output changes nothing.

use pulumi_fix::engine::{Engine, EngineOptions};
use pulumi_fix::lang::{Grammar, first_syntax_error, parse};
use pulumi_fix::source::SourceFile;
use std::path::Path;
use std::sync::OnceLock;

/// The built-in catalog with review fixes on, so that every fix runs.
pub fn catalog_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let engine = Engine::new(pulumi_fix::spec::builtin_specs().expect("built-in specs load"), EngineOptions { unsafe_fixes: true, ..Default::default() });
        for grammar in Grammar::ALL {
            engine.prepare(grammar).expect("built-in queries compile");
        }
        engine
    })
}

/// A file name that has `grammar`.
pub fn file_name(grammar: Grammar) -> &'static str {
    match grammar {
        Grammar::Python => "__main__.py",
        Grammar::TypeScript => "index.ts",
        Grammar::Tsx => "index.tsx",
        Grammar::Yaml => "Pulumi.yaml",
    }
}

/// Runs read → fix → read back → fix again on `bytes`; panics naming the broken guarantee.
pub fn check_pipeline(grammar: Grammar, bytes: &[u8]) {
    let name = file_name(grammar);
    let read = |bytes: Vec<u8>| SourceFile::from_bytes(Path::new(name), name.into(), grammar, bytes);
    // Binary and non-UTF-8 input is refused when read; refusing is the guarantee.
    let Ok(source) = read(bytes.to_vec()) else { return };
    assert_eq!(source.original_bytes(), bytes, "reading and giving back the bytes must be lossless");
    let parsed_before = first_syntax_error(parse(grammar, &source.text).root_node()).is_none();
    let first = catalog_engine().process_source(source.clone(), &[]);
    let errors: Vec<_> = first.problems.iter().filter(|p| p.is_error).collect();
    assert!(errors.is_empty() && first.spec_errors.is_empty(), "the built-in catalog reported errors {errors:?} {:?} on:\n{}", first.spec_errors, source.text);
    let Some(fixed) = first.fixed else { return };
    assert!(parsed_before, "a file with a syntax error was changed:\n{}\n--- into\n{fixed}", source.text);
    if let Some(offset) = first_syntax_error(parse(grammar, &fixed).root_node()) {
        panic!("the fixes introduced a syntax error at byte {offset}:\n{}\n--- became\n{fixed}", source.text);
    }
    let written = source.bytes_for(&fixed);
    let again = read(written).expect("our own output reads back");
    let second = catalog_engine().process_source(again, &[]);
    assert!(second.fixed.is_none(), "not idempotent:\n{fixed}\n--- became on a second run\n{}", second.fixed.unwrap_or_default());
}
