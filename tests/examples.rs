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

/// Every codemod of a provider upgrade pack (each catalog entry, per language, and the
/// hand-written ones) is exercised: an example at the pack's major leaves a finding or a fix of
/// it, and an example below that major is left alone, so the version gate is tested too.
#[test]
fn every_upgrade_codemod_fires_at_its_major_and_not_below() {
    let specs = builtin_specs().expect("built-in specs load");
    let packs: Vec<_> = specs.iter().filter(|s| s.upgrade.is_some()).collect();
    assert!(packs.len() >= 60, "expected the aws@6 and aws@7 packs, found {} codemods", packs.len());
    let mut failures = Vec::new();
    for spec in packs {
        let major = spec.upgrade.unwrap().major;
        let fired = |example: &Example| {
            let engine = || Engine::new(vec![spec.clone()], EngineOptions { unsafe_fixes: true, target_aws_major: example.target_aws_major, ..Default::default() });
            !run(engine, example, &example.before).findings.is_empty()
        };
        if !spec.examples.iter().any(|e| e.target_aws_major.is_some_and(|t| t >= major) && fired(e)) {
            failures.push(format!("{}: no example at pulumi-aws {major} makes `{}` fire", spec.path, spec.id));
        }
        if !spec.examples.iter().any(|e| e.target_aws_major.is_some_and(|t| t < major) && !fired(e)) {
            failures.push(format!("{}: no example below pulumi-aws {major} shows `{}` gated off", spec.path, spec.id));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
