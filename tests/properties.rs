//! Property tests of the whole pipeline (read → fix → read back → fix again), with a fixed seed:
//! mutated versions of the catalog's own examples, plus arbitrary bytes, in every grammar. The
//! oracle is `common::pipeline::check_pipeline`, shared with the fuzz target in `fuzz/`; the
//! inputs that fuzzing found bugs with are replayed from `tests/fixtures/fuzz-regressions/`.

mod common;

use common::pipeline::check_pipeline;
use common::repo_root;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use pulumi_fix::lang::Grammar;
use std::path::Path;
use std::sync::OnceLock;

/// Seeds: (grammar, text) of every example of the built-in catalog, before and after.
fn seeds() -> &'static [(Grammar, String)] {
    static SEEDS: OnceLock<Vec<(Grammar, String)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut seeds = Vec::new();
        for spec in pulumi_fix::spec::builtin_specs().unwrap() {
            for example in spec.examples {
                let grammar = Grammar::for_path(Path::new(&example.file_name)).unwrap();
                seeds.push((grammar, example.before));
                seeds.extend(example.after.map(|after| (grammar, after)));
            }
        }
        seeds
    })
}

/// Pieces the mutations splice in: syntax the codemods look at, and syntax that breaks things.
const PIECES: &[&str] = &[
    "\n", "\r\n", "\r", "\t", "    ", "\u{feff}", "(", ")", "[", "]", "{", "}", "${", "`", "\"", "'", "\"\"\"", "f\"", ",", ":", "=", ".",
    "#", "//", "/*", "\\", "lambda x: x", "=> ", ".apply(", "pulumi.Output.concat(", "pulumi.interpolate`", "Output.all(", "json.dumps(",
    "JSON.stringify(", "str(", " + ", " % ", ".format(", "vpc=True", "vpc: true", "default: 1", "config:", "aws.ec2.Eip(", "é", "💥",
];

#[derive(Debug, Clone)]
enum Mutation {
    Insert { at: usize, piece: usize },
    Delete { at: usize, len: usize },
    Duplicate { at: usize, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, piece)| Mutation::Insert { at, piece }),
        (any::<usize>(), 1..40usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 1..80usize).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
    ]
}

/// Applies `mutations` at character boundaries (positions are taken modulo the length).
fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for m in mutations {
        let position = |at: usize, chars: &Vec<char>| at % (chars.len() + 1);
        match *m {
            Mutation::Insert { at, piece } => {
                let at = position(at, &chars);
                chars.splice(at..at, PIECES[piece].chars());
            }
            Mutation::Delete { at, len } => {
                let at = position(at, &chars);
                chars.drain(at..(at + len).min(chars.len()));
            }
            Mutation::Duplicate { at, len } => {
                let at = position(at, &chars);
                let copy: Vec<char> = chars[at..(at + len).min(chars.len())].to_vec();
                chars.splice(at..at, copy);
            }
        }
    }
    chars.into_iter().collect()
}

fn runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    TestRunner::new(Config { cases, rng_seed: RngSeed::Fixed(0x5eed_f1c5), failure_persistence: None, ..Config::default() })
}

#[test]
fn mutated_examples_never_panic_break_syntax_or_change_twice() {
    let strategy = (0..seeds().len(), prop::collection::vec(mutation(), 0..6));
    runner()
        .run(&strategy, |(seed, mutations)| {
            let (grammar, text) = &seeds()[seed];
            check_pipeline(*grammar, mutate(text, &mutations).as_bytes());
            Ok(())
        })
        .unwrap();
}

#[test]
fn arbitrary_bytes_never_panic() {
    let strategy = (0..Grammar::ALL.len(), prop::collection::vec(any::<u8>(), 0..400));
    runner()
        .run(&strategy, |(grammar, bytes)| {
            check_pipeline(Grammar::ALL[grammar], &bytes);
            Ok(())
        })
        .unwrap();
}

#[test]
fn inputs_that_fuzzing_found_bugs_with_stay_fixed() {
    let dir = repo_root().join("tests/fixtures/fuzz-regressions");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        let grammar = Grammar::for_path(&path).unwrap_or_else(|| panic!("{}: name it with the extension of its grammar", path.display()));
        check_pipeline(grammar, &std::fs::read(&path).unwrap());
        replayed += 1;
    }
    assert!(replayed > 0, "no regression inputs in {}", dir.display());
}
