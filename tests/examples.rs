//! Every `[[example]]` of every built-in spec: `before` becomes `after` (or stays as it is), the
//! result leaves the expected number of unfixed findings, and a second run changes nothing.

use pulumi_fix::engine::{Engine, EngineOptions};
use pulumi_fix::lang::Grammar;
use pulumi_fix::source::SourceFile;
use pulumi_fix::spec::{EditSpec, Example, Safety, builtin_specs};
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

/// `text` with numbered comments (`# c1`, `// c2`, ...) in the places people put them: a line
/// above each indented line; after each line that opens a bracket or ends with a comma; before
/// each closing bracket, sometimes after a blank line; in TypeScript a block comment before each
/// property; and after a list's opening bracket followed on its line by the first element, which
/// goes to the next line (a list of one then holds a comment and one element).
fn commented_variants(text: &str, grammar: Grammar) -> Vec<String> {
    let mark = if grammar == Grammar::Python { "#" } else { "//" };
    let mut count = 0;
    let mut tag = |style: &str| {
        count += 1;
        match style {
            "block" => format!("/* c{count} */"),
            _ => format!("{mark} c{count}"),
        }
    };
    let indent = |line: &str| line.len() - line.trim_start().len();
    // A line holding no comment or template literal, where a comment can go at its end.
    let plain = |line: &str| !line.contains(['#', '`']) && !line.contains("//");
    let ends_line = |line: &str, ends: &[char]| line.trim_end().ends_with(ends) && plain(line);
    // The first list opened and filled on the same line (`[{`, `[aws.s3.X(`), outside strings.
    let list_opening = |line: &str| {
        let opens = line.char_indices().filter(|&(at, c)| c == '[' && !line[at + 1..].starts_with([']', ' ']));
        opens.map(|(at, _)| at).find(|&at| {
            let before = &line[..at];
            let closed = |q: char| before.matches(q).count().is_multiple_of(2);
            closed('"') && closed('\'') && !before.ends_with(|c: char| c.is_alphanumeric() || matches!(c, '_' | ']' | ')'))
        })
    };
    let mut variants = vec![String::new(), String::new(), String::new(), String::new(), String::new()];
    for (i, line) in text.lines().enumerate() {
        if indent(line) > 0 && !line.trim().is_empty() {
            variants[0].push_str(&format!("{}{}\n", &line[..indent(line)], tag("line")));
        }
        variants[0].push_str(&format!("{line}\n"));
        match ends_line(line, &[',', '(', '[', '{']) {
            true => variants[1].push_str(&format!("{}  {}\n", line.trim_end(), tag("line"))),
            false => variants[1].push_str(&format!("{line}\n")),
        }
        if indent(line) > 0 && line.trim_start().starts_with([')', ']', '}']) {
            let blank = if i % 3 == 0 { "\n" } else { "" };
            variants[2].push_str(&format!("{}    {}\n{blank}", &line[..indent(line)], tag("line")));
        }
        variants[2].push_str(&format!("{line}\n"));
        let property = grammar != Grammar::Python && indent(line) > 0 && line.trim_start().split_once(": ").is_some_and(|(key, _)| key.chars().all(char::is_alphanumeric));
        match property {
            true => variants[3].push_str(&format!("{}{} {}\n", &line[..indent(line)], tag("block"), line.trim_start())),
            false => variants[3].push_str(&format!("{line}\n")),
        }
        match list_opening(line).filter(|_| plain(line)) {
            Some(at) => variants[4].push_str(&format!("{}  {}\n{}    {}\n", &line[..=at], tag("line"), &line[..indent(line)], &line[at + 1..])),
            None => variants[4].push_str(&format!("{line}\n")),
        }
    }
    variants.retain(|v| v != text && v.trim_end() != text.trim_end());
    variants
}

/// What the applied fixes of a run create or say, sorted.
fn applied(outcome: &pulumi_fix::engine::FileOutcome) -> Vec<String> {
    let mut applied: Vec<String> = outcome.findings.iter().filter(|f| f.applied).map(|f| f.creates.clone().unwrap_or_else(|| f.message.clone())).collect();
    applied.sort();
    applied
}

/// The numbered comments `commented_variants` put in `text`, sorted.
fn tags(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .match_indices(" c")
        .filter(|(at, _)| text[..*at].ends_with(['#', '/', '*']))
        .map(|(at, _)| text[at + 2..].chars().take_while(char::is_ascii_digit).collect::<String>())
        .filter(|digits| !digits.is_empty())
        .collect();
    found.sort();
    found
}

/// A fix that moves code (a rule that deletes and inserts) moves its comments: with comments
/// added all around the examples' code, the same fixes still apply, every comment is still
/// there, once, and a second run changes nothing.
#[test]
fn moving_fixes_keep_every_comment() {
    let specs = builtin_specs().expect("built-in specs load");
    let moves = |edits: &[EditSpec]| {
        edits.iter().any(|e| matches!(e, EditSpec::Delete { .. })) && edits.iter().any(|e| matches!(e, EditSpec::InsertBefore { .. } | EditSpec::InsertAfter { .. }))
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for spec in specs.iter().filter(|s| s.rules.iter().any(|r| moves(&r.edits))) {
        // Only the moving rules: a plain deletion takes its trailing comment with it, by design.
        let mut moving = spec.clone();
        moving.rules.retain(|r| moves(&r.edits));
        for example in &spec.examples {
            let engine = || Engine::new(vec![moving.clone()], EngineOptions { unsafe_fixes: true, target_aws_major: example.target_aws_major, ..Default::default() });
            let plain = run(engine, example, &example.before);
            if plain.fixed.is_none() {
                continue;
            }
            let grammar = Grammar::for_path(Path::new(&example.file_name)).unwrap();
            for variant in commented_variants(&example.before, grammar) {
                checked += 1;
                let label = format!("{}:{} ({})", spec.path, example.line, example.name);
                let commented = run(engine, example, &variant);
                let Some(fixed) = commented.fixed.clone() else {
                    failures.push(format!("{label}: not fixed once commented:\n{variant}"));
                    continue;
                };
                // A pattern that counts a comment as an element skips its rule, the others still fix.
                if applied(&commented) != applied(&plain) {
                    failures.push(format!("{label}: other fixes once commented: {:?}, not {:?}:\n{variant}", applied(&commented), applied(&plain)));
                } else if tags(&fixed) != tags(&variant) {
                    failures.push(format!("{label}: comments lost or repeated:\n{variant}\n--- became\n{fixed}"));
                } else if let Some(changed) = run(engine, example, &fixed).fixed {
                    failures.push(format!("{label}: not idempotent:\n{fixed}\n--- became\n{changed}"));
                }
            }
        }
    }
    assert!(checked >= 40, "expected the S3 split's and the API Gateway stage's examples, checked {checked}");
    assert!(failures.is_empty(), "{} of {checked} commented examples failed:\n\n{}", failures.len(), failures.join("\n\n"));
}
