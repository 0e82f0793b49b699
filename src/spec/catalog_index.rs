//! The catalog index, `catalog_index_generated.rs`: what a fixing run must know of each built-in
//! spec before it reads a file (its identity, safety and selection keys, and what each of its
//! rules needs of a file: the pre-filter's anchors and gates), as static data, so that a run
//! reads only the specs that its files may need. Parsing the whole catalog and reading every
//! query for its anchors were half of a one-file run; the index costs nothing to read (a JSON
//! one cost most of what it saved).
//!
//! The index names the hash of the catalog it was made from (`BUILTIN_CATALOG_HASH`, computed by
//! the build script over the embedded specs). A binary built from other specs (one was edited
//! since) ignores the index and reads every spec: a stale index costs time, never a finding. The
//! test `catalog_index_is_fresh` fails on a stale index; run it with
//! `PULUMI_FIX_UPDATE_INDEX=1` to rewrite the file.

use super::anchors::{Gate, Needle, PatternNeeds, RuleNeeds};
use super::compile::VersionComparison;
use super::model::{Safety, Spec, SpecLanguage, UpgradePack};
use super::{BUILTIN_CATALOG_HASH, BUILTIN_SPECS, BUILTIN_UPGRADES, SpecError};
use std::borrow::Cow::{self, Borrowed as B};
use std::sync::OnceLock;

// The generated index, `INDEX` (or an empty one when the file is missing).
include!(concat!(env!("OUT_DIR"), "/catalog_index.rs"));

/// Where the index lives, relative to the crate's root.
#[cfg(test)]
const INDEX_PATH: &str = "src/spec/catalog_index_generated.rs";

struct CatalogIndex {
    /// `BUILTIN_CATALOG_HASH` of the specs this index describes.
    catalog: &'static str,
    specs: &'static [IndexedSpec],
}

/// What a run needs of one built-in spec before a file asks for its rules.
struct IndexedSpec {
    id: &'static str,
    id_line: usize,
    language: SpecLanguage,
    path: &'static str,
    safety: Safety,
    opt_in: bool,
    replaces: &'static [&'static str],
    upgrade: Option<UpgradePack>,
    /// Per rule, in order.
    rules: &'static [RuleNeeds],
}

const fn lit(text: &'static str) -> Needle {
    Needle::Literal(Cow::Borrowed(text))
}

const fn spell(member: &'static str) -> Needle {
    Needle::Spellings(Cow::Borrowed(member))
}

/// A built-in spec taken from the index: its `id`, `id_line`, `language`, `path`, `safety`,
/// `opt_in`, `replaces` and `upgrade` are known; its `rules`, `summary`, `explanation`, `seed`
/// and `examples` are empty until [`Reader::read`] reads its file, which the engine does when a
/// file may need one of its rules. `needs` are its rules' needs, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Deferred {
    pub needs: &'static [RuleNeeds],
}

/// The built-in specs of `languages` as deferred specs, in the order a whole load gives them;
/// `None` when the index does not describe the embedded catalog.
pub fn deferred_specs(languages: &[SpecLanguage]) -> Option<Vec<Spec>> {
    if INDEX.catalog != BUILTIN_CATALOG_HASH {
        return None;
    }
    let deferred = INDEX.specs.iter().filter(|s| languages.contains(&s.language)).map(|s| Spec {
        id: s.id.to_string(),
        id_line: s.id_line,
        language: s.language,
        summary: String::new(),
        explanation: String::new(),
        seed: Vec::new(),
        safety: s.safety,
        opt_in: s.opt_in,
        replaces: s.replaces.iter().map(|id| id.to_string()).collect(),
        rules: Vec::new(),
        examples: Vec::new(),
        path: s.path.to_string(),
        builtin: true,
        upgrade: s.upgrade,
        deferred: Some(Deferred { needs: s.rules }),
    });
    Some(deferred.collect())
}

/// The specs one upgrade catalog expands into for one language, once expanded.
type Expansion = OnceLock<Result<Vec<Spec>, SpecError>>;

/// Reads deferred specs from their embedded files; an upgrade catalog is expanded once per
/// language, however many of its specs a run needs.
#[derive(Default)]
pub struct Reader {
    /// Per upgrade catalog (as `BUILTIN_UPGRADES`), per language (as `SpecLanguage::ALL`).
    expansions: OnceLock<Vec<[Expansion; 3]>>,
}

impl Reader {
    /// The whole spec that `deferred` stands for.
    pub fn read(&self, deferred: &Spec) -> Result<Spec, SpecError> {
        let missing = || SpecError {
            path: deferred.path.clone(),
            line: deferred.id_line,
            message: format!("the catalog index names `{}`, which this file does not define; rebuild pulumi-fix", deferred.id),
        };
        let mut spec = if let Some((path, text)) = BUILTIN_SPECS.iter().find(|(path, _)| *path == deferred.path) {
            super::model::parse_spec(path, super::without_examples(text)).map_err(first_error)?
        } else {
            let file = BUILTIN_UPGRADES.iter().position(|(path, _)| *path == deferred.path).ok_or_else(missing)?;
            let language = SpecLanguage::ALL.iter().position(|l| *l == deferred.language).expect("every language is in ALL");
            let expansions = self.expansions.get_or_init(|| BUILTIN_UPGRADES.iter().map(|_| Default::default()).collect());
            let expanded = expansions[file][language].get_or_init(|| {
                let (path, text) = BUILTIN_UPGRADES[file];
                super::upgrades::expand(path, text, &[deferred.language]).map_err(first_error)
            });
            expanded.as_ref().map_err(Clone::clone)?.iter().find(|s| s.id == deferred.id).cloned().ok_or_else(missing)?
        };
        if spec.id != deferred.id {
            return Err(missing());
        }
        spec.builtin = true;
        Ok(spec)
    }
}

/// A load's errors are never empty; the engine reports one per spec.
fn first_error(mut errors: Vec<SpecError>) -> SpecError {
    errors.swap_remove(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::List;
    use crate::engine::{Engine, EngineOptions};
    use crate::lang::Grammar;
    use crate::source::SourceFile;

    /// The index of the whole built-in catalog, as Rust: one spec a line.
    fn generate() -> String {
        let specs = crate::spec::builtin_specs().unwrap();
        let refs: Vec<&Spec> = specs.iter().collect();
        let mut out = String::from(
            "// @generated by `PULUMI_FIX_UPDATE_INDEX=1 cargo test catalog_index_is_fresh` from codemods/: do not edit.\n\
             // If it stops compiling (a type it names changed), delete it and run that command.\n",
        );
        out.push_str(&format!("static INDEX: CatalogIndex = CatalogIndex {{\n    catalog: {BUILTIN_CATALOG_HASH:?},\n    specs: &[\n"));
        for (spec, needs) in specs.iter().zip(RuleNeeds::of_specs(&refs)) {
            let upgrade = spec.upgrade.map_or("None".into(), |u| format!("Some(UpgradePack {{ package: {:?}, major: {} }})", u.package, u.major));
            out.push_str(&format!(
                "        IndexedSpec {{ id: {:?}, id_line: {}, language: SpecLanguage::{:?}, path: {:?}, safety: Safety::{:?}, opt_in: {}, replaces: &{:?}, upgrade: {upgrade}, rules: &[{}] }},\n",
                spec.id,
                spec.id_line,
                spec.language,
                spec.path,
                spec.safety,
                spec.opt_in,
                spec.replaces,
                needs.iter().map(rule).collect::<Vec<_>>().join(", ")
            ));
        }
        out.push_str("    ],\n};\n");
        out
    }

    fn list<T: Clone>(items: &List<T>, item: impl Fn(&T) -> String) -> String {
        format!("B(&[{}])", items.iter().map(item).collect::<Vec<_>>().join(", "))
    }

    fn needle(needle: &Needle) -> String {
        match needle {
            Needle::Literal(text) => format!("lit({text:?})"),
            Needle::Spellings(member) => format!("spell({member:?})"),
        }
    }

    fn gate(gate: &Gate) -> String {
        match gate {
            Gate::AwsVersion { comparisons, negate } => {
                let comparison = |c: &VersionComparison| format!("VersionComparison {{ operator: std::cmp::Ordering::{:?}, inverted: {}, major: {} }}", c.operator, c.inverted, c.major);
                format!("Gate::AwsVersion {{ comparisons: {}, negate: {negate} }}", list(comparisons, comparison))
            }
            // The others print as Rust.
            other => format!("Gate::{other:?}"),
        }
    }

    fn rule(needs: &RuleNeeds) -> String {
        let clauses = |clauses: &List<List<Needle>>| list(clauses, |c| list(c, needle));
        let pattern = |p: &PatternNeeds| format!("PatternNeeds {{ clauses: {}, gates: {} }}", clauses(&p.clauses), list(&p.gates, gate));
        let filter = needs.filter.as_ref().map_or("None".into(), |patterns| format!("Some({})", list(patterns, pattern)));
        let local = needs.local.as_ref().map_or("None".into(), |local| format!("Some({})", clauses(local)));
        format!("RuleNeeds {{ filter: {filter}, local: {local} }}")
    }

    #[test]
    fn catalog_index_is_fresh() {
        let generated = generate();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(INDEX_PATH);
        if std::env::var_os("PULUMI_FIX_UPDATE_INDEX").is_some() {
            std::fs::write(&path, &generated).unwrap();
            return;
        }
        assert!(
            std::fs::read_to_string(&path).is_ok_and(|text| text == generated) && deferred_specs(&SpecLanguage::ALL).is_some(),
            "{INDEX_PATH} does not describe the built-in specs (one changed, or how anchors are read); rewrite it with `PULUMI_FIX_UPDATE_INDEX=1 cargo test catalog_index_is_fresh`"
        );
    }

    #[test]
    fn deferred_specs_read_back_as_loaded() {
        let Some(deferred) = deferred_specs(&SpecLanguage::ALL) else { panic!("stale index: see catalog_index_is_fresh") };
        let loaded = super::super::builtin_specs_of(&SpecLanguage::ALL, super::super::Examples::Skip).unwrap();
        assert_eq!(deferred.len(), loaded.len());
        let reader = Reader::default();
        for (stub, whole) in deferred.iter().zip(&loaded) {
            assert_eq!((&stub.id, &stub.path, stub.language, stub.safety), (&whole.id, &whole.path, whole.language, whole.safety));
            assert_eq!((stub.opt_in, &stub.replaces, stub.upgrade, stub.id_line), (whole.opt_in, &whole.replaces, whole.upgrade, whole.id_line), "{}", stub.id);
            assert_eq!(stub.deferred.as_ref().unwrap().needs.len(), whole.rules.len(), "{}", stub.id);
            assert_eq!(format!("{:#?}", reader.read(stub).unwrap()), format!("{whole:#?}"), "{}", stub.id);
        }
    }

    /// An engine of deferred specs fixes every example as one of whole specs does, including the
    /// examples whose fixes need a spec that the text before them gave no reason to read.
    #[test]
    fn deferred_engine_fixes_as_the_whole_catalog() {
        let whole = crate::spec::builtin_specs().unwrap();
        let options = EngineOptions { unsafe_fixes: true, ..Default::default() };
        let eager = Engine::new(whole.clone(), options);
        let lazy = Engine::new(deferred_specs(&SpecLanguage::ALL).unwrap(), options);
        let mut compared = 0;
        for spec in &whole {
            for example in &spec.examples {
                let Some(grammar) = Grammar::for_path(std::path::Path::new(&example.file_name)) else { continue };
                let file = || SourceFile { path: example.file_name.clone().into(), display: example.file_name.clone(), grammar, has_bom: false, text: example.before.clone() };
                let (a, b) = (eager.process_source(file(), &[]), lazy.process_source(file(), &[]));
                let ids = |o: &crate::engine::FileOutcome| o.findings.iter().map(|f| (f.id().to_string(), f.location.byte_range, f.applied)).collect::<Vec<_>>();
                assert_eq!(a.fixed, b.fixed, "{} / {}", spec.id, example.name);
                assert_eq!(ids(&a), ids(&b), "{} / {}", spec.id, example.name);
                compared += 1;
            }
        }
        assert!(compared > 100, "{compared} examples compared");
    }
}
