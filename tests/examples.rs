//! Every `[[example]]` of every built-in spec: `before` becomes `after` (or stays as it is), the
//! result leaves the expected number of unfixed findings, and a second run changes nothing.

use pulumi_fix::engine::{Engine, EngineOptions};
use pulumi_fix::lang::Grammar;
use pulumi_fix::source::SourceFile;
use pulumi_fix::spec::{Example, Safety, builtin_specs};
use std::path::Path;

/// Runs the example's file with `text`: in memory, or — when the example has a project or other
/// files — in a scratch project directory (a fresh engine each time: project facts are cached).
fn run(engine: impl Fn() -> Engine, example: &Example, text: &str) -> pulumi_fix::engine::FileOutcome {
    let file_name = example.file_name.as_str();
    let path = Path::new(file_name);
    let grammar = Grammar::for_path(path).unwrap_or_else(|| panic!("no grammar for example file {file_name}"));
    if !example.needs_directory() {
        let source = SourceFile::from_bytes(path, file_name.into(), grammar, text.as_bytes().to_vec()).unwrap();
        return engine().process_source(source, &[]);
    }
    let dir = tempfile::tempdir().unwrap();
    let project = example.project.iter().map(|p| ("Pulumi.yaml", p.as_str()));
    let files = example.files.iter().map(|(p, t)| (p.as_str(), t.as_str()));
    for (relative, content) in project.chain(files).chain([(file_name, text)]) {
        let target = dir.path().join(relative);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, content).unwrap();
    }
    engine().process_path(&dir.path().join(file_name), file_name.into(), grammar, &[])
}

#[test]
fn every_spec_example_holds() {
    let specs = builtin_specs().expect("built-in specs load");
    let mut failures = Vec::new();
    let mut checked = 0;
    for spec in &specs {
        assert!(!spec.examples.is_empty(), "{}: a codemod needs at least one [[example]]", spec.path);
        for example in &spec.examples {
            let engine = || Engine::new(vec![spec.clone()], EngineOptions { unsafe_fixes: spec.safety == Safety::Review, target_aws_major: example.target_aws_major, ..Default::default() });
            checked += 1;
            let label = format!("{}:{} ({}: {})", spec.path, example.line, spec.id, example.name);
            let outcome = run(engine, example, &example.before);
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
            let again = run(engine, example, &fixed);
            if let Some(changed) = again.fixed {
                failures.push(format!("{label}: not idempotent, a second run changes:\n{changed}"));
            }
        }
    }
    assert!(checked > 0);
    assert!(failures.is_empty(), "{} of {checked} examples failed:\n\n{}", failures.len(), failures.join("\n\n"));
}
