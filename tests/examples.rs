//! Every `[[example]]` of every built-in spec: `before` becomes `after` (or stays as it is), the
//! result leaves the expected number of unfixed findings, and a second run changes nothing.

use pulumi_fix::engine::{Engine, EngineOptions};
use pulumi_fix::lang::Grammar;
use pulumi_fix::source::SourceFile;
use pulumi_fix::spec::{Safety, builtin_specs};
use std::path::Path;

fn run(engine: &Engine, file_name: &str, text: &str) -> pulumi_fix::engine::FileOutcome {
    let path = Path::new(file_name);
    let grammar = Grammar::for_path(path).unwrap_or_else(|| panic!("no grammar for example file {file_name}"));
    let source = SourceFile::from_bytes(path, file_name.into(), grammar, text.as_bytes().to_vec()).unwrap();
    engine.process_source(source)
}

#[test]
fn every_spec_example_holds() {
    let specs = builtin_specs().expect("built-in specs load");
    let mut failures = Vec::new();
    let mut checked = 0;
    for spec in &specs {
        assert!(!spec.examples.is_empty(), "{}: a codemod needs at least one [[example]]", spec.path);
        let engine = Engine::new(vec![spec.clone()], EngineOptions { unsafe_fixes: spec.safety == Safety::Review });
        for example in &spec.examples {
            checked += 1;
            let label = format!("{}:{} ({}: {})", spec.path, example.line, spec.id, example.name);
            let outcome = run(&engine, &example.file_name, &example.before);
            if !outcome.problems.is_empty() || !outcome.spec_errors.is_empty() {
                failures.push(format!("{label}: problems {:?} {:?}", outcome.problems, outcome.spec_errors));
                continue;
            }
            let fixed = outcome.fixed.clone().unwrap_or_else(|| example.before.clone());
            let expected = example.after.clone().unwrap_or_else(|| example.before.clone());
            if fixed != expected {
                failures.push(format!("{label}: got\n{fixed}\n--- expected\n{expected}"));
                continue;
            }
            let unfixed = outcome.findings.iter().filter(|f| !f.applied).count();
            if unfixed != example.findings {
                failures.push(format!("{label}: {unfixed} unfixed findings, expected {}: {:?}", example.findings, outcome.findings.iter().map(|f| &f.message).collect::<Vec<_>>()));
            }
            let again = run(&engine, &example.file_name, &fixed);
            if let Some(changed) = again.fixed {
                failures.push(format!("{label}: not idempotent, a second run changes:\n{changed}"));
            }
        }
    }
    assert!(checked > 0);
    assert!(failures.is_empty(), "{} of {checked} examples failed:\n\n{}", failures.len(), failures.join("\n\n"));
}
