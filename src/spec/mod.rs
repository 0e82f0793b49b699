//! Codemod specs: the TOML model, loading (built-in and user directories) and validation.
//!
//! Every error names the spec file and the line it is about, so a user can fix a spec without
//! reading our source.

mod anchors;
mod catalog_index;
mod compile;
mod model;
mod template;
mod upgrades;

pub use anchors::{FileFacts, List, NoProject, Prefilter, RuleNeeds};
pub use catalog_index::{Deferred, Reader};
pub use compile::{CompiledSpec, NodeFact, SemanticPredicate, check_with_tree_sitter, compile_rules, compile_spec};
pub use model::{EditSpec, Example, ImportSpec, Rule, Safety, Spec, SpecLanguage, UpgradePack};
pub use template::{Template, TemplatePart, TemplateSource, TransformCall};

use rayon::prelude::*;
use std::fmt;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/builtin_specs.rs"));

/// A problem in a spec file, located to a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub path: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.message)
    }
}

impl std::error::Error for SpecError {}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The lines of one text, counted once: a spec locates many spans, and counting newlines from
/// the start for each made loading the upgrade catalogs quadratic.
pub struct Lines {
    newlines: Vec<usize>,
}

impl Lines {
    pub fn of(text: &str) -> Lines {
        Lines { newlines: text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect() }
    }

    /// 1-based line of a byte offset, as `line_of`.
    pub fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&newline| newline < offset) + 1
    }
}

/// What a load of the built-in catalog is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `--list`, `explain`, tests: every spec whole, with its examples.
    Describe,
    /// A fixing run: no examples (40 % of the catalog's bytes), and, when the catalog index is
    /// fresh, every spec deferred (see [`Deferred`]) until a file may need it.
    Run,
}

/// The built-in specs of `languages` for `purpose`.
pub fn builtin_specs_for(languages: &[SpecLanguage], purpose: Purpose) -> Result<Vec<Spec>, Vec<SpecError>> {
    match purpose {
        Purpose::Describe => builtin_specs_of(languages, Examples::Read),
        Purpose::Run => catalog_index::deferred_specs(languages).map_or_else(|| builtin_specs_of(languages, Examples::Skip), Ok),
    }
}

/// Whether a load reads the hand-written specs' `[[example]]` tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Examples {
    Read,
    Skip,
}

/// The built-in catalog, parsed from the specs embedded at build time.
pub fn builtin_specs() -> Result<Vec<Spec>, Vec<SpecError>> {
    builtin_specs_of(&SpecLanguage::ALL, Examples::Read)
}

/// A built-in spec's text up to its examples, which come last (a test checks that this cut
/// loses nothing else).
fn without_examples(text: &str) -> &str {
    text.find("\n[[example]]").map_or(text, |end| &text[..end + 1])
}

/// The built-in specs of `languages`: a run over files of one language (most pre-commit runs)
/// parses no other's. A hand-written spec's language is its directory, `codemods/<language>/`.
fn builtin_specs_of(languages: &[SpecLanguage], examples: Examples) -> Result<Vec<Spec>, Vec<SpecError>> {
    let wanted = |path: &str| languages.iter().any(|l| path.split('/').nth(1) == Some(l.name()));
    let text_read = |text: &'static str| match examples {
        Examples::Read => text,
        Examples::Skip => without_examples(text),
    };
    // Start-up cost of every run: the specs parse side by side.
    let (hand_written, expanded) = rayon::join(
        || BUILTIN_SPECS.par_iter().filter(|(path, _)| wanted(path)).map(|(path, text)| model::parse_spec(path, text_read(text))).collect::<Vec<_>>(),
        || BUILTIN_UPGRADES.par_iter().map(|(path, text)| upgrades::expand(path, text, languages)).collect::<Vec<_>>(),
    );
    let mut specs = Vec::new();
    let mut errors = Vec::new();
    for result in hand_written.into_iter().map(|r| r.map(|spec| vec![spec])).chain(expanded) {
        match result {
            Ok(parsed) => specs.extend(parsed),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for spec in &mut specs {
        spec.builtin = true;
    }
    Ok(specs)
}

/// Specs from a user directory: every `*.toml` below it.
pub fn load_dir(dir: &Path) -> Result<Vec<Spec>, Vec<SpecError>> {
    let mut files = Vec::new();
    let walker = ignore::WalkBuilder::new(dir).standard_filters(false).sort_by_file_path(|a, b| a.cmp(b)).build();
    for entry in walker {
        let entry = entry.map_err(|e| {
            vec![SpecError { path: dir.display().to_string(), line: 0, message: format!("cannot read codemod directory: {e}") }]
        })?;
        let path = entry.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(path).map_err(|e| {
                vec![SpecError { path: path.display().to_string(), line: 0, message: format!("cannot read spec: {e}") }]
            })?;
            files.push((path.display().to_string(), text));
        }
    }
    if files.is_empty() {
        return Err(vec![SpecError {
            path: dir.display().to_string(),
            line: 0,
            message: "no codemod specs (*.toml) found in this directory; check the --codemods path".into(),
        }]);
    }
    parse_all(files.into_iter())
}

fn parse_all(files: impl Iterator<Item = (String, String)>) -> Result<Vec<Spec>, Vec<SpecError>> {
    let mut specs = Vec::new();
    let mut errors = Vec::new();
    for (path, text) in files {
        match model::parse_spec(&path, &text) {
            Ok(spec) => specs.push(spec),
            Err(mut errs) => errors.append(&mut errs),
        }
    }
    if errors.is_empty() { Ok(specs) } else { Err(errors) }
}

/// Rejects two specs with one id: `--select` and suppressions address codemods by id.
pub fn check_unique_ids(specs: &[Spec]) -> Result<(), Vec<SpecError>> {
    let mut seen: std::collections::HashMap<&str, &Spec> = std::collections::HashMap::new();
    let mut errors = Vec::new();
    for spec in specs {
        if let Some(first) = seen.insert(&spec.id, spec) {
            errors.push(SpecError {
                path: spec.path.clone(),
                line: spec.id_line,
                message: format!(
                    "codemod id `{}` is already defined in {}:{}; ids must be unique, rename one of them",
                    spec.id, first.path, first.id_line
                ),
            });
        }
    }
    for spec in specs {
        for replaced in spec.replaces.iter().filter(|id| !seen.contains_key(id.as_str())) {
            errors.push(SpecError {
                path: spec.path.clone(),
                line: spec.id_line,
                message: format!("`replaces` names `{replaced}`, which is not a codemod; run `pulumi-fix --list`"),
            });
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loading_some_languages_loads_exactly_their_specs() {
        let all = builtin_specs().unwrap();
        for spec in all.iter().filter(|s| s.upgrade.is_none()) {
            assert_eq!(spec.path.split('/').nth(1), Some(spec.language.name()), "{} lies outside codemods/{}/", spec.id, spec.language.name());
        }
        for language in SpecLanguage::ALL {
            let ids = |specs: &[Spec]| specs.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
            let expected: Vec<Spec> = all.iter().filter(|s| s.language == language).cloned().collect();
            let mut loaded = ids(&builtin_specs_of(&[language], Examples::Read).unwrap());
            let mut expected = ids(&expected);
            loaded.sort();
            expected.sort();
            assert!(!loaded.is_empty());
            assert_eq!(loaded, expected, "{}", language.name());
        }
    }

    #[test]
    fn skipping_examples_loses_nothing_else() {
        let mut read = builtin_specs().unwrap();
        let skipped = builtin_specs_of(&SpecLanguage::ALL, Examples::Skip).unwrap();
        assert!(read.iter().any(|s| !s.examples.is_empty()));
        for spec in &mut read {
            if BUILTIN_SPECS.iter().any(|(path, _)| *path == spec.path) {
                spec.examples.clear();
            }
        }
        assert_eq!(read.len(), skipped.len());
        for (read, skipped) in read.iter().zip(&skipped) {
            assert_eq!(format!("{read:#?}"), format!("{skipped:#?}"), "{}", read.path);
        }
    }
}
