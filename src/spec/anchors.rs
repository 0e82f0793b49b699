//! The pre-filter: literal anchors read from the specs' query sources, so that a file whose bytes
//! cannot hold a match of a rule is neither parsed nor matched by it, and its query is not even
//! compiled until some file may match. Spec authors write nothing for it. It decides per rule
//! (a *unit*): a spec's rules often need different literals (`versioning`, `website`, ...).
//!
//! A pattern's anchors are clauses: each clause lists literals of which the file must contain at
//! least one, or the pattern cannot match. Every clause comes from a predicate on a capture that is
//! present in every match: not under a `?` or `*` quantifier, and in every branch of an
//! alternation it lies in (tree-sitter and the engine hold a predicate on an absent capture true).
//!
//! | predicate                          | clause                                                   |
//! |------------------------------------|----------------------------------------------------------|
//! | `#eq? @c "s"`                      | `s`: the node's text is `s`                              |
//! | `#any-of? @c "a" "b"`              | `a` or `b`                                               |
//! | `#match? @c "re"`                  | one of the regex's prefix literals, when they are finite |
//! | `#has-arg? @c "name"`              | `name`: the key's text, quotes trimmed                   |
//! | `#pulumi-type? @c "pkg:mod/x:Member"` | three clauses, one literal per token in each: the package's import (`pulumi_pkg` or `@pulumi/pkg`), the module (`mod`, unless `index`), and `Member` as every spelling that `camel` turns into it reads |
//!
//! The clauses from `#eq?`, `#any-of?`, `#match?` and `#has-arg?` are local: their literal lies
//! inside the match, so every match is rooted at a node that holds an occurrence of it, and the
//! matcher can run a rule's query over the neighbourhoods of those occurrences only.
//!
//! Negated predicates and predicates on optional captures give no clause, nor do `#any-eq?` and
//! `#any-match?`: tree-sitter 0.25 holds them true when no node of the capture matches.
//!
//! Predicates about the whole file give *gates*, checked against the file's [`FileFacts`] (its
//! project view and pulumi-aws version) before it is parsed: `#entry-module?`,
//! `#program-module?`, `#pulumi-aws-version?` and their `not-` forms, `#project-import?` (in a
//! project) and `#project-package-import?` (a program directory below the root). A rule with a
//! pattern with neither clause nor gate can match anything, so every file of its language goes
//! to it.

use super::Spec;
use super::compile::VersionComparison;
use memchr::memmem::Finder;
use regex_syntax::hir::literal::Extractor;
use rayon::prelude::*;
use foldhash::{HashMap, HashSet};
use std::borrow::Cow;
use std::ops::Range;
use crate::query::{Item, PredicateArg, Quantifier, Term};
use tree_sitter::{CaptureQuantifier, Query};

/// A needle the file's bytes must contain, with the trigrams any occurrence of it shows (see
/// [`Trigrams`]).
struct Anchor {
    search: Search,
    trigrams: Box<[u32]>,
}

/// How a needle is searched for.
enum Search {
    Literal(Box<Finder<'static>>),
    /// The spellings of a Pulumi member name, which may hold underscores (`Bucket_replication`):
    /// the longest part every spelling writes as it is (a quick no), then, at each occurrence of
    /// the part it starts with, the whole spelling (see `spelled_at`).
    Spellings { verbatim: Box<Finder<'static>>, start: Box<Finder<'static>>, member: String },
}

impl Anchor {
    fn new(needle: &Needle) -> Anchor {
        let (search, trigrams) = match needle {
            Needle::Literal(text) => (Search::Literal(Box::new(Finder::new(text.as_bytes()).into_owned())), Trigrams::places(text.as_bytes())),
            Needle::Spellings(member) => {
                let search = Search::Spellings {
                    verbatim: Box::new(Finder::new(verbatim_part(member).as_bytes()).into_owned()),
                    start: Box::new(Finder::new(first_part(member).as_bytes()).into_owned()),
                    member: member.to_string(),
                };
                // Every spelling writes each part as it is, up to case; underscores may come
                // between the parts.
                (search, member_parts(member).flat_map(|part| Trigrams::places(part.as_bytes())).collect())
            }
        };
        Anchor { search, trigrams: trigrams.into() }
    }

    fn is_in(&self, bytes: &[u8], trigrams: &Trigrams) -> bool {
        if !trigrams.holds_all(&self.trigrams) {
            return false;
        }
        match &self.search {
            Search::Literal(finder) => finder.find(bytes).is_some(),
            Search::Spellings { verbatim, start, member } => {
                verbatim.find(bytes).is_some() && start.find_iter(bytes).any(|at| spelled_at(member.as_bytes(), &bytes[at..]))
            }
        }
    }
}

/// Which runs of three bytes a file holds, read with case ignored (`BucketV2` as `bucketv2`),
/// hashed into a bit set. Read in one pass, it rules out most needles the file lacks (a needle
/// with a trigram the file lacks is not in it) without a search for each: a file meets a few
/// hundred needles, most of them absent, and most of their bytes and pairs are common in any
/// program. Ignoring case lets one set serve the spellings of a member name too, each part of
/// which is written whole (`bucket` and `replication` in `bucket_replication`).
struct Trigrams(Box<[u64; Trigrams::WORDS]>);

impl Trigrams {
    /// 2^17 bits: a large file holds some ten thousand distinct trigrams.
    const WORDS: usize = 1 << 11;

    fn of(bytes: &[u8]) -> Trigrams {
        let mut bits = Box::new([0u64; Trigrams::WORDS]);
        let mut set = |trigram: u64| {
            let place = Trigrams::place(trigram as u32 & 0x00ff_ffff);
            bits[place as usize >> 6] |= 1 << (place & 63);
        };
        // Folded first, in a loop the compiler vectorizes (with room for a last whole load); then
        // six trigrams are read from each eight-byte load, without a chain from one byte to the
        // next.
        let mut folded: Vec<u8> = Vec::with_capacity(bytes.len() + 8);
        folded.extend(bytes.iter().map(u8::to_ascii_lowercase));
        folded.extend_from_slice(&[0; 8]);
        let trigrams = bytes.len().saturating_sub(2);
        for at in (0..trigrams).step_by(6) {
            let word = u64::from_le_bytes(folded[at..at + 8].try_into().expect("eight bytes"));
            for shift in 0..(trigrams - at).min(6) {
                set(word >> (8 * shift));
            }
        }
        Trigrams(bits)
    }

    /// The bit of each trigram of `needle`, case ignored.
    fn places(needle: &[u8]) -> Vec<u32> {
        let folded = needle.to_ascii_lowercase();
        folded.windows(3).map(|three| Trigrams::place(u32::from_le_bytes([three[0], three[1], three[2], 0]))).collect()
    }

    /// A trigram's bit, the trigram read as a little-endian number: a multiplicative hash, its
    /// top 17 bits.
    fn place(trigram: u32) -> u32 {
        trigram.wrapping_mul(0x9e37_79b1) >> (32 - 17)
    }

    /// False when a needle whose trigrams are at `places` cannot be in the file.
    fn holds_all(&self, places: &[u32]) -> bool {
        places.iter().all(|&place| self.0[place as usize >> 6] & (1 << (place & 63)) != 0)
    }
}

/// A list in the needs of a rule: borrowed from the generated catalog index, or read at run
/// time.
pub type List<T> = Cow<'static, [T]>;

/// A needle before it is compiled; also its identity, so specs share the search for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Needle {
    Literal(Cow<'static, str>),
    Spellings(Cow<'static, str>),
}

/// The anchors of every spec, built once per run and shared by every thread.
pub struct Prefilter {
    anchors: Vec<Anchor>,
    /// The units the pre-filter decides on, in spec order.
    units: Vec<Unit>,
}

/// The rules of one spec that need the same of a file (a spec's rules often need different
/// literals: `versioning`, `website`, ...), by index.
pub struct Unit {
    pub spec: usize,
    pub rules: Vec<usize>,
    /// Per pattern, its clauses (as indices into `anchors`) and gates; `None` when some pattern
    /// of the rules has neither.
    filter: Option<Vec<PatternAnchors>>,
    /// Per pattern, the anchors of its most selective local clause; `None` when some pattern of
    /// the rules has none.
    local: Option<Vec<Vec<usize>>>,
}

/// What one pattern needs of a file before it is parsed: clauses (of which each needs one of
/// its needles) and gates.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternNeeds {
    pub clauses: List<List<Needle>>,
    pub gates: List<Gate>,
}

/// A pattern's needs interned: its clauses as indices into the anchors.
#[derive(PartialEq)]
struct PatternAnchors {
    clauses: Vec<Vec<usize>>,
    gates: Vec<Gate>,
}

/// What one rule needs of a file, as read from its query (see `Unit`); the catalog index keeps
/// it for each built-in rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleNeeds {
    /// Per pattern; `None` when some pattern has neither clause nor gate.
    pub filter: Option<List<PatternNeeds>>,
    /// Per pattern, the needles of its most selective local clause; `None` when some pattern
    /// has none.
    pub local: Option<List<List<Needle>>>,
}

impl RuleNeeds {
    /// The needs of every rule of each spec: reading the queries is independent per spec.
    pub fn of_specs(specs: &[&Spec]) -> Vec<Vec<RuleNeeds>> {
        specs.par_iter().map(|spec| spec.rules.iter().map(|rule| RuleNeeds::read(&rule.query)).collect()).collect()
    }

    fn read(query: &str) -> RuleNeeds {
        let patterns: Vec<(Vec<Clause>, Vec<Gate>)> = read_patterns(query).iter().map(|p| (p.clauses(), p.gates())).collect();
        let local = patterns.iter().map(|(clauses, _)| clauses.iter().find(|c| c.local).map(|c| List::Owned(c.needles.clone()))).collect::<Option<Vec<_>>>();
        let filter = if patterns.iter().any(|(clauses, gates)| clauses.is_empty() && gates.is_empty()) {
            None
        } else {
            let pattern = |(clauses, gates): (Vec<Clause>, Vec<Gate>)| PatternNeeds { clauses: clauses.into_iter().map(|c| List::Owned(c.needles)).collect(), gates: gates.into() };
            Some(patterns.into_iter().map(pattern).collect())
        };
        RuleNeeds { filter, local: local.map(List::Owned) }
    }
}

/// A fact about the whole file, known before it is parsed, that a pattern's predicate needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    /// `#project-import?`: the file lies in a Pulumi project.
    Project,
    /// `#project-package-import?`: the project's program runs from a directory below its root.
    ProgramBelowRoot,
    EntryModule { negate: bool },
    ProgramModule { negate: bool },
    AwsVersion { comparisons: List<VersionComparison>, negate: bool },
}

/// The facts about a file that gates ask for: its project view and pulumi-aws version.
pub trait FileFacts {
    fn in_project(&self) -> bool;
    fn program_below_root(&self) -> bool;
    fn is_entry_module(&self) -> bool;
    fn is_program_module(&self) -> bool;
    fn aws_major(&self) -> Option<u32>;
}

/// A file outside any project, of unknown pulumi-aws version: what the index assumes without a
/// file context.
pub struct NoProject;

impl FileFacts for NoProject {
    fn in_project(&self) -> bool {
        false
    }
    fn program_below_root(&self) -> bool {
        false
    }
    fn is_entry_module(&self) -> bool {
        false
    }
    fn is_program_module(&self) -> bool {
        false
    }
    fn aws_major(&self) -> Option<u32> {
        None
    }
}

impl Gate {
    /// Gates of the file-level predicates, named without their `not-` (in `negate`).
    fn of(name: &str, negate: bool, strings: &[String]) -> Option<Gate> {
        match name {
            "project-import?" if !negate => Some(Gate::Project),
            "project-package-import?" if !negate => Some(Gate::ProgramBelowRoot),
            "entry-module?" => Some(Gate::EntryModule { negate }),
            "program-module?" => Some(Gate::ProgramModule { negate }),
            "pulumi-aws-version?" => {
                let comparisons = strings.iter().map(|s| VersionComparison::parse(s)).collect::<Option<Vec<_>>>()?;
                Some(Gate::AwsVersion { comparisons: comparisons.into(), negate })
            }
            _ => None,
        }
    }

    fn holds(&self, facts: &dyn FileFacts) -> bool {
        match self {
            Gate::Project => facts.in_project(),
            Gate::ProgramBelowRoot => facts.program_below_root(),
            Gate::EntryModule { negate } => facts.is_entry_module() != *negate,
            Gate::ProgramModule { negate } => facts.is_program_module() != *negate,
            Gate::AwsVersion { comparisons, negate } => {
                facts.aws_major().is_some_and(|major| comparisons.iter().all(|c| c.holds(major))) != *negate
            }
        }
    }
}

/// The distinct needles of the specs, in order of first use; specs share the search for one.
#[derive(Default)]
struct Interned<'n> {
    needles: Vec<&'n Needle>,
    known: HashMap<&'n Needle, usize>,
}

impl<'n> Interned<'n> {
    /// `clause` as indices into `needles`.
    fn clause(&mut self, clause: &'n [Needle]) -> Vec<usize> {
        clause
            .iter()
            .map(|needle| {
                *self.known.entry(needle).or_insert_with(|| {
                    self.needles.push(needle);
                    self.needles.len() - 1
                })
            })
            .collect()
    }
}

/// Occurrences of local anchors closer than this are searched as one range.
const MERGE_GAP: usize = 1024;
/// Beyond this many ranges, one walk of the whole tree is cheaper.
const MAX_RANGES: usize = 16;

/// What one file was found to contain, filled in as the specs ask.
pub struct Scan<'b> {
    bytes: &'b [u8],
    trigrams: Trigrams,
    /// Per anchor: 0 not searched yet, 1 absent, 2 present.
    known: Vec<u8>,
}

impl Prefilter {
    /// The pre-filter of specs whose rules need `needs` (per spec, per rule).
    pub fn new<'n>(needs: &'n [List<RuleNeeds>]) -> Prefilter {
        let mut interned = Interned::default();
        let mut clause = |clause: &'n [Needle]| interned.clause(clause);
        let mut units: Vec<Unit> = Vec::new();
        for (spec, rules) in needs.iter().enumerate() {
            let first_unit = units.len();
            for (rule, needs) in rules.iter().enumerate() {
                let local: Option<Vec<Vec<usize>>> = needs.local.as_ref().map(|patterns| patterns.iter().map(|c| clause(c)).collect());
                let filter: Option<Vec<PatternAnchors>> = needs
                    .filter
                    .as_ref()
                    .map(|patterns| patterns.iter().map(|p| PatternAnchors { clauses: p.clauses.iter().map(|c| clause(c)).collect(), gates: p.gates.to_vec() }).collect());
                // A rule that needs what an earlier rule of the spec needs joins its unit.
                match units[first_unit..].iter_mut().find(|unit| unit.filter == filter && unit.local == local) {
                    Some(unit) => unit.rules.push(rule),
                    None => units.push(Unit { spec, rules: vec![rule], filter, local }),
                }
            }
        }
        let anchors = interned.needles.into_iter().map(Anchor::new).collect();
        Prefilter { anchors, units }
    }

    /// The units; the other methods take a unit's position here.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// The byte ranges of `bytes` that hold every match of unit `unit`: around the occurrences
    /// of its patterns' local anchors. `None` when the whole file must be searched.
    pub fn match_ranges(&self, unit: usize, bytes: &[u8]) -> Option<Vec<Range<usize>>> {
        let mut occurrences: Vec<Range<usize>> = Vec::new();
        for &anchor in self.units[unit].local.as_ref()?.iter().flatten() {
            let Search::Literal(finder) = &self.anchors[anchor].search else { return None };
            let length = finder.needle().len();
            occurrences.extend(finder.find_iter(bytes).map(|at| at..at + length));
        }
        occurrences.sort_by_key(|r| r.start);
        let mut ranges: Vec<Range<usize>> = Vec::new();
        for occurrence in occurrences {
            match ranges.last_mut() {
                Some(last) if occurrence.start <= last.end + MERGE_GAP => last.end = last.end.max(occurrence.end),
                _ => ranges.push(occurrence),
            }
            if ranges.len() > MAX_RANGES {
                return None;
            }
        }
        Some(ranges)
    }

    /// Whether unit `unit` has anchors or gates at all; a rule without them may match any file.
    #[cfg(test)]
    pub fn is_anchored(&self, unit: usize) -> bool {
        self.units[unit].filter.is_some()
    }

    pub fn scan<'b>(&self, bytes: &'b [u8]) -> Scan<'b> {
        Scan { bytes, trigrams: Trigrams::of(bytes), known: vec![0; self.anchors.len()] }
    }

    /// False only when unit `unit` cannot match the scanned file, whose facts are `facts`.
    pub fn may_match(&self, unit: usize, scan: &mut Scan, facts: &dyn FileFacts) -> bool {
        let Some(patterns) = &self.units[unit].filter else { return true };
        let mut contains = |anchor: usize| {
            if scan.known[anchor] == 0 {
                scan.known[anchor] = if self.anchors[anchor].is_in(scan.bytes, &scan.trigrams) { 2 } else { 1 };
            }
            scan.known[anchor] == 2
        };
        // Bytes first: a search is cheaper than a look at the project.
        patterns.iter().any(|pattern| {
            pattern.clauses.iter().all(|clause| clause.iter().any(|&anchor| contains(anchor))) && pattern.gates.iter().all(|gate| gate.holds(facts))
        })
    }
}

/// The clause a positive text predicate gives, if any.
fn text_clause(name: &str, strings: &[String]) -> Option<Vec<Needle>> {
    match name {
        "eq?" | "any-of?" => (!strings.is_empty()).then(|| strings.iter().map(|s| Needle::Literal(s.clone().into())).collect()),
        "match?" => regex_literals(strings.first()?),
        _ => None,
    }
}

/// The literals one of which starts every match of `pattern`, when there are finitely many
/// (and each is whole UTF-8: a literal cut inside a character gives no anchor).
fn regex_literals(pattern: &str) -> Option<Vec<Needle>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let seq = Extractor::new().extract(&hir);
    let literals = seq.literals()?;
    if literals.is_empty() || seq.min_literal_len() == Some(0) {
        return None;
    }
    literals.iter().map(|l| String::from_utf8(l.as_bytes().to_vec()).ok().map(|l| Needle::Literal(l.into()))).collect()
}

/// Clauses of `#pulumi-type?`: for each part of the token (package, module, member) that every
/// token names in full, what each token needs for that part.
fn pulumi_type_clauses(tokens: &[String]) -> Vec<Vec<Needle>> {
    let parts: Vec<TokenAnchors> = tokens.iter().map(|t| TokenAnchors::of(t)).collect();
    let package = parts.iter().map(|p| p.package.clone()).collect::<Option<Vec<Vec<Needle>>>>().map(|p| p.concat());
    let module = parts.iter().map(|p| p.module.clone()).collect::<Option<Vec<Needle>>>();
    let member = parts.iter().map(|p| p.member.clone()).collect::<Option<Vec<Needle>>>();
    [package, module, member].into_iter().flatten().collect()
}

/// What the file must contain for one `#pulumi-type?` token (`aws:ec2/eip:Eip`, maybe ending in
/// `*`) to resolve, by the index's rules (`index::package_of_module`, `index::type_token`): the
/// local names resolve through imports of the package, the module and member segments are
/// written in the file, the member through `camel`.
#[derive(Debug, Clone, PartialEq)]
struct TokenAnchors {
    /// Any of these: the ways an import can name the package.
    package: Option<Vec<Needle>>,
    module: Option<Needle>,
    member: Option<Needle>,
}

impl TokenAnchors {
    fn of(token: &str) -> TokenAnchors {
        // Only the text before a `*` is exact, and only segments that end before it are whole.
        let exact = token.split('*').next().unwrap_or("");
        let whole = exact.len() == token.len();
        let mut segments = exact.splitn(4, [':', '/']);
        let (package, module, _lower_member, member) = (segments.next(), segments.next(), segments.next(), segments.next());
        // A segment is whole when a delimiter follows it (or it ends a token without `*`).
        let package = package.filter(|p| !p.is_empty() && module.is_some());
        let module = module.filter(|m| !m.is_empty() && *m != "index" && _lower_member.is_some());
        let member = member.filter(|_| whole).map(|m| m.split('.').next().unwrap_or("")).filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphanumeric()));
        TokenAnchors {
            package: package.map(package_literals),
            module: module.map(|m| Needle::Literal(m.to_string().into())),
            member: member.map(|m| Needle::Spellings(m.to_string().into())),
        }
    }
}

/// The imports that bind a package: `pulumi` itself, `pulumi_aws`/`pulumi_aws_native` (Python:
/// the name up to its first `-`), `@pulumi/aws-native` (TypeScript).
fn package_literals(package: &str) -> Vec<Needle> {
    if package == "pulumi" {
        return vec![Needle::Literal(Cow::Borrowed("pulumi"))];
    }
    let first = package.split('-').next().unwrap_or(package);
    vec![Needle::Literal(format!("pulumi_{first}").into()), Needle::Literal(format!("@pulumi/{package}").into())]
}

/// Whether `text` starts with a name that `transforms::camel` turns into `member` (ASCII
/// letters and digits, not empty). `camel` drops underscores, keeps the first character and upper-cases the one after an
/// underscore; so an upper-case letter may be written `_x` or `_X`, a character upper-casing
/// cannot change may follow underscores, and a lower-case letter is written as it is. One way
/// to read each character: no backtracking.
fn spelled_at(member: &[u8], text: &[u8]) -> bool {
    let Some((&first, rest)) = member.split_first() else { return false };
    if text.first() != Some(&first) {
        return false;
    }
    let mut at = 1;
    for &c in rest {
        let underscores = text[at..].iter().take_while(|&&b| b == b'_').count();
        let spelled = if c.is_ascii_lowercase() {
            underscores == 0 && text.get(at) == Some(&c)
        } else if c.is_ascii_uppercase() && underscores > 0 {
            text.get(at + underscores).is_some_and(|b| b.eq_ignore_ascii_case(&c))
        } else {
            text.get(at + underscores) == Some(&c)
        };
        if !spelled {
            return false;
        }
        at += underscores + 1;
    }
    true
}

/// The parts of `member` that every spelling of it writes whole, up to case: its first
/// character, and each character that is not a lower-case letter (an underscore may come before
/// it), each with the lower-case letters after it.
fn member_parts(member: &str) -> impl Iterator<Item = &str> {
    let bytes = member.as_bytes();
    let starts: Vec<usize> = (0..bytes.len()).filter(|&i| i == 0 || (!bytes[i].is_ascii_lowercase() && member.is_char_boundary(i))).chain([bytes.len()]).collect();
    (0..starts.len() - 1).map(move |i| &member[starts[i]..starts[i + 1]])
}

/// The part every spelling of `member` starts with: its first character and the lower-case
/// letters after it.
fn first_part(member: &str) -> &str {
    let end = member.bytes().skip(1).position(|b| !b.is_ascii_lowercase()).map_or(member.len(), |p| p + 1);
    &member[..end]
}

/// The longest part of `member` that every spelling of it (see `member_spellings`) writes as
/// it is: the first character or one upper-casing cannot change, with the lower-case letters
/// after it; or the lower-case letters after an upper-case one.
fn verbatim_part(member: &str) -> &str {
    let bytes = member.as_bytes();
    let mut longest = &member[..0];
    let mut start = 0;
    for end in 1..=bytes.len() {
        if end == bytes.len() || !bytes[end].is_ascii_lowercase() {
            if end - start > longest.len() {
                longest = &member[start..end];
            }
            // An upper-case letter may be spelled `_x`: its part starts after it.
            start = if end < bytes.len() && bytes[end].is_ascii_uppercase() { end + 1 } else { end };
        }
    }
    longest
}

/// One top-level pattern of a query, as written.
#[derive(Debug, Default)]
struct WrittenPattern {
    /// Capture names, each with whether this occurrence may be absent from a match.
    captures: Vec<(String, bool)>,
    predicates: Vec<WrittenPredicate>,
}

#[derive(Debug)]
struct WrittenPredicate {
    name: String,
    capture: Option<String>,
    strings: Vec<String>,
}

impl WrittenPattern {
    fn always_present(&self, capture: &str) -> bool {
        self.captures.iter().any(|(name, optional)| name == capture && !optional)
    }

    /// The clauses of this pattern's positive predicates on captures present in every match.
    fn clauses(&self) -> Vec<Clause> {
        let mut clauses = Vec::new();
        for predicate in &self.predicates {
            if !predicate.capture.as_deref().is_some_and(|c| self.always_present(c)) {
                continue;
            }
            let local = |needles| Clause { needles, local: true };
            match predicate.name.as_str() {
                "pulumi-type?" => clauses.extend(pulumi_type_clauses(&predicate.strings).into_iter().map(|needles| Clause { needles, local: false })),
                "has-arg?" => clauses.push(local(predicate.strings.iter().map(|n| Needle::Literal(n.clone().into())).collect())),
                name => clauses.extend(text_clause(name, &predicate.strings).map(local)),
            }
        }
        // Tokens of one package name its import once.
        for clause in &mut clauses {
            let mut seen = HashSet::default();
            clause.needles.retain(|needle| seen.insert(needle.clone()));
        }
        // An empty literal is in every file: its clause says nothing.
        clauses.retain(|clause| !clause.needles.is_empty() && clause.needles.iter().all(|n| *n != Needle::Literal(Cow::Borrowed(""))));
        // Longer needles first: they are rarer, so the first clause usually decides.
        clauses.sort_by_key(|clause| std::cmp::Reverse(clause.needles.iter().map(Needle::weight).min()));
        clauses
    }
}

impl WrittenPattern {
    /// The gates of this pattern's file-level predicates on captures present in every match.
    fn gates(&self) -> Vec<Gate> {
        self.predicates
            .iter()
            .filter(|p| p.capture.as_deref().is_some_and(|c| self.always_present(c)))
            .filter_map(|p| match p.name.strip_prefix("not-") {
                Some(name) => Gate::of(name, true, &p.strings),
                None => Gate::of(&p.name, false, &p.strings),
            })
            .collect()
    }
}

/// Literals of which a file must hold one; `local` when the literal lies inside the match.
struct Clause {
    needles: Vec<Needle>,
    local: bool,
}

impl Needle {
    fn weight(&self) -> usize {
        match self {
            Needle::Literal(text) => text.len(),
            Needle::Spellings(member) => member.len(),
        }
    }
}

/// Reads the top-level patterns of a query source without a grammar (`crate::query::parse`):
/// each pattern's captures (optional under `?`/`*` or in some branches only of `[...]`) and its
/// predicates. A query that does not read yields one pattern that says nothing: such a spec is
/// rejected before any file is read.
fn read_patterns(source: &str) -> Vec<WrittenPattern> {
    let Ok(query) = crate::query::parse(source) else { return vec![WrittenPattern::default()] };
    let name = |capture: u32| query.capture_names[capture as usize].clone();
    query
        .patterns
        .iter()
        .map(|pattern| {
            let mut all = Vec::new();
            all_captures(&pattern.root, &mut all);
            let always = always_present(&pattern.root);
            let mut captures: Vec<(String, bool)> = all.into_iter().map(|c| (name(c), !always.contains(&c))).collect();
            captures.dedup();
            let predicates = pattern
                .predicates
                .iter()
                .map(|p| {
                    let strings = p.args.iter().filter_map(|a| match a {
                        PredicateArg::String(s) => Some(s.clone()),
                        PredicateArg::Capture(_) => None,
                    });
                    match p.args.as_slice() {
                        // A capture compared with a capture gives no literal to anchor on.
                        [PredicateArg::Capture(capture), rest @ ..] if !rest.iter().any(|a| matches!(a, PredicateArg::Capture(_))) => {
                            WrittenPredicate { name: p.name.clone(), capture: Some(name(*capture)), strings: strings.collect() }
                        }
                        _ => WrittenPredicate { name: p.name.clone(), capture: None, strings: Vec::new() },
                    }
                })
                .collect();
            WrittenPattern { captures, predicates }
        })
        .collect()
}

fn all_captures(item: &Item, out: &mut Vec<u32>) {
    out.extend(&item.captures);
    match &item.term {
        Term::Node(node) => node.children.iter().for_each(|child| all_captures(child, out)),
        Term::Alternation(items) | Term::Group(items) => items.iter().for_each(|i| all_captures(i, out)),
    }
}

/// The captures present in every match of `item`: not under `?` or `*`, and in an alternation,
/// those every branch has.
fn always_present(item: &Item) -> Vec<u32> {
    if matches!(item.quantifier, Quantifier::ZeroOrOne | Quantifier::ZeroOrMore) {
        return Vec::new();
    }
    let mut present = item.captures.clone();
    match &item.term {
        Term::Node(node) => node.children.iter().for_each(|child| present.extend(always_present(child))),
        Term::Group(items) => items.iter().for_each(|i| present.extend(always_present(i))),
        Term::Alternation(branches) => {
            let each: Vec<Vec<u32>> = branches.iter().map(always_present).collect();
            present.extend(each[0].iter().filter(|c| each.iter().all(|branch| branch.contains(c))));
        }
    }
    present
}

/// Whether this reading of `source` is as cautious as tree-sitter's compiled `query`: as many
/// patterns, and no capture read as always present that tree-sitter says may be absent.
pub(super) fn reading_agrees(query: &Query, source: &str) -> bool {
    let patterns = read_patterns(source);
    patterns.len() == query.pattern_count()
        && patterns.iter().enumerate().all(|(index, pattern)| {
            pattern.captures.iter().filter(|(name, _)| pattern.always_present(name)).all(|(name, _)| {
                query.capture_index_for_name(name).is_some_and(|capture| {
                    matches!(query.capture_quantifiers(index)[capture as usize], CaptureQuantifier::One | CaptureQuantifier::OneOrMore)
                })
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SpecQueries;
    use crate::engine::matcher::find_matches;
    use crate::index::FileIndex;
    use crate::lang::{Grammar, parse};
    use crate::spec::compile_spec;

    fn spec(grammar: Grammar, query: &str) -> Spec {
        let text = format!(
            "id = \"t\"\nlanguage = \"{}\"\nsummary = \"s\"\nexplanation = \"e\"\nseed = \"x\"\nsafety = \"safe\"\n[[rule]]\nquery = '''\n{query}\n'''\n",
            grammar.spec_language().name()
        );
        super::super::model::parse_spec("t.toml", &text).unwrap()
    }

    /// The trigrams never rule out a needle the bytes hold, nor a spelling of a member name
    /// with other case and underscores, and rule out one with a trigram they lack.
    #[test]
    fn trigrams_rule_out_only_absent_needles() {
        let text = "import pulumi_aws as aws\nb = aws.s3.BucketV2(\"b\")\nr = aws.get_caller_identity()\n\u{e9}t\u{e9}";
        let trigrams = Trigrams::of(text.as_bytes());
        for start in 0..text.len() {
            for end in start..=text.len() {
                assert!(trigrams.holds_all(&Trigrams::places(&text.as_bytes()[start..end])), "{:?}", &text.as_bytes()[start..end]);
            }
        }
        // Member names spelled with other case and underscores (`get_caller_identity`).
        for member in ["getCallerIdentity", "pulumiAws", "BucketV2", "Bucket", "S3"] {
            assert!(trigrams.holds_all(&Anchor::new(&Needle::Spellings(member.into())).trigrams), "{member}");
        }
        for absent in ["BucketV3", "ec2", "zzz", "pulumi_gcp", "bucket_v2"] {
            assert!(!trigrams.holds_all(&Trigrams::places(absent.as_bytes())), "{absent}");
        }
        for absent_member in ["getRegion", "BucketReplication"] {
            assert!(!trigrams.holds_all(&Anchor::new(&Needle::Spellings(absent_member.into())).trigrams), "{absent_member}");
        }
        assert!(Trigrams::places(b"ab").is_empty(), "a needle without trigrams is never ruled out");
    }

    /// Read six to a load, the set holds exactly the trigram of each three-byte window, whatever
    /// the length (a last partial load included).
    #[test]
    fn trigrams_are_those_of_every_window() {
        let text = b"Import pulumi_AWS as aws; b = aws.s3.BucketV2(x)";
        for len in 0..=text.len() {
            let mut expected = Box::new([0u64; Trigrams::WORDS]);
            for place in Trigrams::places(&text[..len]) {
                expected[place as usize >> 6] |= 1 << (place & 63);
            }
            assert!(Trigrams::of(&text[..len]).0 == expected, "{len} bytes");
        }
    }

    fn needs_of(spec: &Spec) -> Vec<List<RuleNeeds>> {
        RuleNeeds::of_specs(&[spec]).into_iter().map(List::Owned).collect()
    }

    /// Whether the pre-filter lets `source` through, and how many matches the compiled query finds
    /// in it. The invariant under test: a file with a match is never skipped.
    fn check(grammar: Grammar, query: &str, source: &str) -> (bool, usize) {
        let spec = spec(grammar, query);
        let prefilter = Prefilter::new(&needs_of(&spec));
        let passes = prefilter.may_match(0, &mut prefilter.scan(source.as_bytes()), &NoProject);
        let compiled = compile_spec(&spec, grammar).unwrap();
        let tree_sitter = Query::new(&grammar.ts_language(), &spec.rules[0].query).unwrap();
        assert!(reading_agrees(&tree_sitter, &spec.rules[0].query), "{query}");
        let tree = parse(grammar, source);
        let index = FileIndex::build(grammar, &tree, source);
        let matches = |ranges| find_matches(&[SpecQueries { compiled: &compiled, ranges }], &tree, source, &index).len();
        let everywhere = matches(None);
        assert!(passes || everywhere == 0, "skipped a file with {everywhere} match(es):\n{query}\n{source}");
        let around_anchors = matches(prefilter.match_ranges(0, source.as_bytes()));
        assert_eq!(around_anchors, everywhere, "matching around the anchors lost a match:\n{query}\n{source}");
        (passes, everywhere)
    }

    /// Every source of `matching` matches and passes; every source of `skipped` does not match and
    /// is skipped (the anchor does its job).
    fn anchored(grammar: Grammar, query: &str, matching: &[&str], skipped: &[&str]) {
        for source in matching {
            assert_eq!(check(grammar, query, source), (true, 1), "{source}");
        }
        for source in skipped {
            assert_eq!(check(grammar, query, source), (false, 0), "{source}");
        }
    }

    #[test]
    fn eq() {
        let query = r#"((call function: (identifier) @f) (#eq? @f "encode_it"))"#;
        anchored(Grammar::Python, query, &["encode_it(x)\n"], &["other(x)\n"]);
        // Escapes are read as tree-sitter reads them.
        let query = r#"((string) @s (#eq? @s "\"a\\b\""))"#;
        anchored(Grammar::Python, query, &["x = \"a\\b\"\n"], &["x = \"ab\"\n"]);
    }

    #[test]
    fn any_of() {
        let query = r#"((call function: (identifier) @f) (#any-of? @f "alpha" "beta"))"#;
        anchored(Grammar::Python, query, &["beta()\n", "alpha()\n"], &["gamma()\n"]);
    }

    #[test]
    fn match_prefix_literals() {
        let query = r#"((string) @s (#match? @s "^[\"']base_?64[\"']$"))"#;
        anchored(Grammar::Python, query, &["x = 'base_64'\n", "x = \"base64\"\n"], &["x = 'b64'\n", "x = 'Base64'\n"]);
        // No finite literal set: no anchor.
        let query = r#"((identifier) @i (#match? @i "^[a-z]+$"))"#;
        assert!(check(Grammar::Python, query, "x\n").0);
    }

    #[test]
    fn has_arg() {
        let query = r#"((call arguments: (argument_list) @args) (#has-arg? @args "domain"))"#;
        anchored(Grammar::Python, query, &["f(domain=\"vpc\")\n"], &["f(vpc=True)\n"]);
        let query = r#"((new_expression arguments: (arguments (object) @props)) (#has-arg? @props "domain"))"#;
        anchored(Grammar::TypeScript, query, &["new X('e', { \"domain\": 'vpc' });\n", "new X('e', { domain });\n"], &["new X('e', { vpc: true });\n"]);
    }

    #[test]
    fn a_capture_in_every_branch_of_an_alternation_anchors() {
        let query = r#"([(call_expression function: (identifier) @f) (new_expression constructor: (identifier) @f)] (#eq? @f "getAmi"))"#;
        anchored(Grammar::TypeScript, query, &["const a = getAmi({});\n", "const b = new getAmi();\n"], &["const a = getAmx({});\n"]);
        // In one branch only: no anchor (the other branch matches without it).
        let (anchored_one, _) = check(Grammar::TypeScript, r#"([(call_expression function: (identifier) @f) (new_expression)] (#eq? @f "getAmi"))"#, "new X();\n");
        assert!(anchored_one, "a file without the literal may match through the other branch");
    }

    #[test]
    fn pulumi_type_in_every_import_spelling() {
        let query = r#"((call function: (_) @callee) (#pulumi-type? @callee "aws:ec2/getAmi:getAmi" "aws:ec2/eip:Eip"))"#;
        let matching = [
            "import pulumi_aws as aws\naws.ec2.get_ami()\n",
            "import pulumi_aws as cloud\ncloud.ec2.getAmi()\n",
            "from pulumi_aws import ec2 as compute\ncompute.get_ami()\n",
            "from pulumi_aws.ec2 import get_ami as ga\nga()\n",
            "from pulumi_aws.ec2 import Eip as ElasticIp\nElasticIp('e')\n",
            "import pulumi_aws.ec2\npulumi_aws.ec2.Eip('e')\n",
            "import pulumi_aws as aws\naws.ec2.get__ami()\n",
        ];
        let skipped = ["import boto3\nboto3.ec2.get_ami()\n", "import pulumi_aws as aws\naws.rds.Instance('i')\n", "import pulumi_aws as aws\naws.ec2.Vpc('v')\n"];
        anchored(Grammar::Python, query, &matching, &skipped);

        let query = r#"((new_expression constructor: (_) @callee) (#pulumi-type? @callee "aws:s3/bucketReplication:BucketReplication"))"#;
        let matching = [
            "import * as aws from \"@pulumi/aws\";\nnew aws.s3.BucketReplication('r', {});\n",
            "import { s3 } from '@pulumi/aws';\nnew s3.BucketReplication('r', {});\n",
            "import { BucketReplication as R } from '@pulumi/aws/s3';\nnew R('r', {});\n",
            "const aws = require('@pulumi/aws');\nnew aws.s3.Bucket_replication('r', {});\n",
        ];
        let skipped = ["import * as aws from \"@pulumi/aws\";\nnew aws.s3.BucketV2('b', {});\nnew aws.ec2.Replication('r');\n"];
        anchored(Grammar::TypeScript, query, &matching, &skipped);

        // A prefix token anchors on the package and module only; `index` is not written.
        let query = r#"((call function: (_) @callee) (#pulumi-type? @callee "aws:ec2/*" "aws:index/getRegion:getRegion"))"#;
        anchored(Grammar::Python, query, &["import pulumi_aws as aws\naws.get_region()\n"], &["import pulumi_gcp as gcp\ngcp.get_region()\n"]);
    }

    #[test]
    fn member_spellings_cover_every_name_camel_maps_there() {
        // Every name over this alphabet up to 6 characters.
        let alphabet = ['a', 'B', '_', '1'];
        let mut names = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> = names.iter().flat_map(|n| alphabet.iter().map(move |c| format!("{n}{c}"))).collect();
            names.extend(longer);
        }
        names.sort();
        names.dedup();
        for name in names {
            let member = crate::transforms::camel(&name);
            if !member.is_empty() && member.bytes().all(|b| b.is_ascii_alphanumeric()) {
                assert!((0..name.len()).any(|at| spelled_at(member.as_bytes(), &name.as_bytes()[at..])), "`{name}` → `{member}` missed");
                assert!(name.contains(verbatim_part(&member)) && name.contains(first_part(&member)), "`{name}` → `{member}` lacks a part");
                let folded = name.to_ascii_lowercase();
                assert!(member_parts(&member).all(|part| folded.contains(&part.to_ascii_lowercase())), "`{name}` → `{member}` lacks a part's trigrams");
            }
        }
        // And nothing else: where the regex of the spellings does not match, neither does it.
        for member in ["BucketReplication", "S3Bucket", "a1B", "getAmi"] {
            let pattern = member.chars().enumerate().map(|(i, c)| match c {
                _ if i == 0 || c.is_ascii_lowercase() => c.to_string(),
                _ if c.is_ascii_uppercase() => format!("(?:{c}|_+[{}{c}])", c.to_ascii_lowercase()),
                _ => format!("_*{c}"),
            });
            let regex = regex::bytes::Regex::new(&format!("^(?:{})", pattern.collect::<String>())).unwrap();
            for text in ["Bucket_replication", "Bucket__Replication", "Bucketreplication", "S_3Bucket", "S3_bucket", "S3bucket", "a_1_b", "a1b", "get_ami", "getami", "get__Ami"] {
                assert_eq!(spelled_at(member.as_bytes(), text.as_bytes()), regex.is_match(text.as_bytes()), "{member} at {text}");
            }
        }
        assert_eq!(verbatim_part("BucketReplication"), "eplication");
        assert_eq!(verbatim_part("S3Bucket"), "ucket");
        assert_eq!(verbatim_part("getAmi"), "get");
    }

    #[test]
    fn optional_captures_and_negations_give_no_anchor() {
        let unanchored = [
            // The capture may be absent: the predicate then holds whatever the file says.
            r#"((call function: (identifier) @f arguments: (argument_list (string)? @s)) (#eq? @s "zzz"))"#,
            r#"((call function: (identifier) @f arguments: (argument_list (string) @s ?)) (#eq? @s "zzz"))"#,
            r#"((call function: (identifier) @f arguments: (argument_list ((string) @s)*)) (#eq? @s "zzz"))"#,
            r#"((call function: [(identifier) @f (attribute) @a]) (#eq? @f "zzz"))"#,
            r#"((call function: (identifier) @f) (#not-eq? @f "zzz"))"#,
            // tree-sitter 0.25 holds `any-` predicates true when no node matches.
            r#"((call function: (identifier) @f) (#any-eq? @f "zzz"))"#,
            r#"((call function: (identifier) @f) (#any-match? @f "^zzz$"))"#,
            r#"((call function: (identifier) @f) (#not-any-of? @f "zzz"))"#,
            r#"((call function: (identifier) @f arguments: (argument_list (identifier) @g)) (#eq? @f @g))"#,
            r#"((call function: (_) @callee) (#not-pulumi-type? @callee "aws:ec2/eip:Eip"))"#,
        ];
        for query in unanchored {
            let (passes, matches) = check(Grammar::Python, query, "f()\nf(g)\nf(x, y)\n");
            assert!(passes, "{query}: {matches} matches");
        }
        // A pattern without predicates matches anything: so does its spec.
        assert!(check(Grammar::Python, "(call) @c", "f()\n").0);
    }

    #[test]
    fn matches_rooted_far_from_their_anchor_are_found() {
        let query = r#"((call function: (attribute object: (identifier) @o) arguments: (argument_list (keyword_argument name: (identifier) @name) @arg)) (#eq? @name "vpc"))"#;
        let padding = format!("\"{}\"", "x".repeat(3 * MERGE_GAP));
        let far = format!("aws.Eip(\n    {padding},\n    vpc=True,\n)\n");
        assert_eq!(check(Grammar::Python, query, &far), (true, 1));
        // Many occurrences far apart: more ranges than are worth it, so the whole tree is searched.
        let many = format!("{far}{}", format!("f(vpc_id=1)\n# {padding}\n").repeat(MAX_RANGES + 2));
        assert_eq!(check(Grammar::Python, query, &many), (true, 1));
        let few = format!("{}{far}", format!("f(vpc_id=1)\n# {padding}\n").repeat(3));
        assert_eq!(check(Grammar::Python, query, &few), (true, 1));
        assert_eq!(Prefilter::new(&needs_of(&spec(Grammar::Python, query))).match_ranges(0, few.as_bytes()).map(|r| r.len()), Some(4));
    }

    #[test]
    fn every_pattern_of_a_query_is_read() {
        // Two patterns: the second is unanchored, so the spec passes every file.
        let query = "((identifier) @i (#eq? @i \"zzz\"))\n; a comment (#eq? @x \"y\")\n(string) @s";
        let (passes, matches) = check(Grammar::Python, query, "x = 'a'\n");
        assert_eq!((passes, matches), (true, 1));
    }

    /// Facts of a file in a project whose program runs from `lib/`, on pulumi-aws 6.
    struct LibProgramOnAws6;

    impl FileFacts for LibProgramOnAws6 {
        fn in_project(&self) -> bool {
            true
        }
        fn program_below_root(&self) -> bool {
            true
        }
        fn is_entry_module(&self) -> bool {
            true
        }
        fn is_program_module(&self) -> bool {
            true
        }
        fn aws_major(&self) -> Option<u32> {
            Some(6)
        }
    }

    #[test]
    fn file_level_predicates_gate_a_spec_without_anchors() {
        let gated = |query: &str| {
            let spec = spec(Grammar::Python, query);
            let prefilter = Prefilter::new(&needs_of(&spec));
            let passes = |facts: &dyn FileFacts| prefilter.may_match(0, &mut prefilter.scan(b"import x\n"), facts);
            (prefilter.is_anchored(0), passes(&NoProject), passes(&LibProgramOnAws6))
        };
        let shim = "((import_from_statement) @i (#project-package-import? @i) (#program-module? @i))";
        assert_eq!(gated(shim), (true, false, true));
        assert_eq!(gated("((call) @c (#pulumi-aws-version? @c \">=7\"))"), (true, false, false));
        assert_eq!(gated("((call) @c (#not-pulumi-aws-version? @c \">=7\"))"), (true, true, true));
        assert_eq!(gated("((call) @c (#not-entry-module? @c))"), (true, true, false));
        // Negated project facts and predicates on optional captures gate nothing.
        assert_eq!(gated("((call) @c (#not-project-import? @c))"), (false, true, true));
        assert_eq!(gated("((call (identifier)? @c) (#entry-module? @c))"), (false, true, true));
    }

    #[test]
    fn rules_are_filtered_on_their_own_and_grouped_when_they_need_the_same() {
        let text = "id = \"t\"\nlanguage = \"python\"\nsummary = \"s\"\nexplanation = \"e\"\nseed = \"x\"\nsafety = \"safe\"\n\
            [[rule]]\nquery = '((identifier) @i (#eq? @i \"versioning\"))'\n\
            [[rule]]\nquery = '((identifier) @i (#eq? @i \"website\"))'\n\
            [[rule]]\nquery = '((string) @s (#eq? @s \"versioning\"))'\n";
        let spec = super::super::model::parse_spec("t.toml", text).unwrap();
        let prefilter = Prefilter::new(&needs_of(&spec));
        assert_eq!(prefilter.units().iter().map(|u| (u.spec, u.rules.clone())).collect::<Vec<_>>(), [(0, vec![0, 2]), (0, vec![1])]);
        let passing = |source: &str| -> Vec<usize> {
            let mut scan = prefilter.scan(source.as_bytes());
            (0..prefilter.units().len()).filter(|&unit| prefilter.may_match(unit, &mut scan, &NoProject)).collect()
        };
        assert_eq!(passing("website = 1\n"), vec![1]);
        assert_eq!(passing("versioning = 1\n"), vec![0]);
        assert!(passing("other = 1\n").is_empty());
    }
}
