//! The pre-filter: literal anchors derived from the rules' queries, so that a file whose bytes
//! cannot hold a match is neither parsed nor matched. Spec authors write nothing for it.
//!
//! A pattern's anchors are clauses: each clause lists literals of which the file must contain at
//! least one, or the pattern cannot match. Every clause comes from a predicate that must hold on a
//! capture present in every match (quantifier one or one-or-more; tree-sitter and the engine hold
//! a predicate on an absent capture true):
//!
//! | predicate                          | clause                                                   |
//! |------------------------------------|----------------------------------------------------------|
//! | `#eq? @c "s"`, `#any-eq? @c "s"`    | `s`: the node's text is `s`                              |
//! | `#any-of? @c "a" "b"`              | `a` or `b`                                               |
//! | `#match? @c "re"`, `#any-match?`   | one of the regex's prefix literals, when they are finite |
//! | `#has-arg? @c "name"`              | `name`: the key's text, quotes trimmed                   |
//! | `#pulumi-type? @c "pkg:mod/x:Member"` | three clauses, one literal per token in each: the package's import (`pulumi_pkg` or `@pulumi/pkg`), the module (`mod`, unless `index`), and the longest run of `Member` that every spelling `camel` turns into it keeps verbatim |
//!
//! Negated predicates and predicates on optional captures give no clause. A pattern without any
//! clause can match anything, and so turns the filter off for its grammar.

use super::compile::SemanticPredicate;
use memchr::memmem::Finder;
use regex_syntax::hir::literal::Extractor;
use tree_sitter::{CaptureQuantifier, Query};

/// Per grammar: which literals each pattern needs, compiled once and shared by every thread.
pub struct Prefilter {
    literals: Vec<Finder<'static>>,
    /// Per pattern, its clauses as indices into `literals`; `None` when some pattern is unanchored.
    patterns: Option<Vec<Vec<Vec<usize>>>>,
}

impl Prefilter {
    /// Derives the anchors of every pattern of `query` (whose source is `source`).
    pub(super) fn derive(query: &Query, source: &str, semantic: &[Vec<SemanticPredicate>]) -> Prefilter {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut patterns = Vec::with_capacity(query.pattern_count());
        for pattern in 0..query.pattern_count() {
            let always_present = |capture: u32| {
                matches!(query.capture_quantifiers(pattern)[capture as usize], CaptureQuantifier::One | CaptureQuantifier::OneOrMore)
            };
            let text = &source[query.start_byte_for_pattern(pattern)..query.end_byte_for_pattern(pattern)];
            let mut clauses: Vec<Vec<Vec<u8>>> = Vec::new();
            for predicate in text_predicates(text) {
                let Some(capture) = predicate.capture.and_then(|name| query.capture_index_for_name(&name)) else { continue };
                if always_present(capture) {
                    clauses.extend(text_clause(&predicate.name, &predicate.strings));
                }
            }
            for predicate in &semantic[pattern] {
                match predicate {
                    SemanticPredicate::PulumiType { capture, tokens, negate: false } if always_present(*capture) => {
                        clauses.extend(pulumi_type_clauses(tokens));
                    }
                    SemanticPredicate::HasArg { capture, names, negate: false } if always_present(*capture) => {
                        clauses.push(names.iter().map(|n| n.as_bytes().to_vec()).collect());
                    }
                    _ => {}
                }
            }
            // An empty literal is in every file: its clause says nothing.
            clauses.retain(|clause| !clause.is_empty() && clause.iter().all(|literal| !literal.is_empty()));
            if clauses.is_empty() {
                return Prefilter { literals: Vec::new(), patterns: None };
            }
            // Longer literals first: they are rarer, so the first clause usually decides.
            clauses.sort_by_key(|clause| std::cmp::Reverse(clause.iter().map(Vec::len).min()));
            let indexed = clauses
                .into_iter()
                .map(|clause| {
                    clause
                        .into_iter()
                        .map(|literal| match literals.iter().position(|known| *known == literal) {
                            Some(i) => i,
                            None => {
                                literals.push(literal);
                                literals.len() - 1
                            }
                        })
                        .collect()
                })
                .collect();
            patterns.push(indexed);
        }
        Prefilter { literals: literals.iter().map(|l| Finder::new(l).into_owned()).collect(), patterns: Some(patterns) }
    }

    /// False only when no pattern can match a file of these bytes.
    pub fn may_match(&self, bytes: &[u8]) -> bool {
        let Some(patterns) = &self.patterns else { return true };
        // Per literal: 0 not searched yet, 1 absent, 2 present.
        let mut known = vec![0u8; self.literals.len()];
        let mut contains = |literal: usize| {
            if known[literal] == 0 {
                known[literal] = if self.literals[literal].find(bytes).is_some() { 2 } else { 1 };
            }
            known[literal] == 2
        };
        patterns.iter().any(|clauses| clauses.iter().all(|clause| clause.iter().any(|&literal| contains(literal))))
    }

    /// Whether the filter can skip anything at all (a grammar with an unanchored pattern cannot).
    pub fn is_active(&self) -> bool {
        self.patterns.is_some()
    }
}

/// The clause a positive text predicate gives, if any.
fn text_clause(name: &str, strings: &[String]) -> Option<Vec<Vec<u8>>> {
    match name {
        "eq?" | "any-eq?" | "any-of?" => (!strings.is_empty()).then(|| strings.iter().map(|s| s.as_bytes().to_vec()).collect()),
        "match?" | "any-match?" => regex_literals(strings.first()?),
        _ => None,
    }
}

/// The literals one of which starts every match of `pattern`, when there are finitely many.
fn regex_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let seq = Extractor::new().extract(&hir);
    let literals = seq.literals()?;
    if literals.is_empty() || seq.min_literal_len() == Some(0) {
        return None;
    }
    Some(literals.iter().map(|l| l.as_bytes().to_vec()).collect())
}

/// Clauses of `#pulumi-type?`: for each part of the token (package, module, member) that every
/// token names in full, the literals each token needs for that part.
fn pulumi_type_clauses(tokens: &[String]) -> Vec<Vec<Vec<u8>>> {
    let parts: Vec<TokenAnchors> = tokens.iter().map(|t| TokenAnchors::of(t)).collect();
    let mut clauses = Vec::new();
    let mut clause = |pick: &dyn Fn(&TokenAnchors) -> Option<Vec<Vec<u8>>>| {
        let mut literals = Vec::new();
        for anchors in &parts {
            match pick(anchors) {
                Some(mut l) => literals.append(&mut l),
                None => return,
            }
        }
        clauses.push(literals);
    };
    clause(&|a: &TokenAnchors| a.package.clone());
    clause(&|a: &TokenAnchors| a.module.clone().map(|m| vec![m]));
    clause(&|a: &TokenAnchors| a.member.clone().map(|m| vec![m]));
    clauses
}

/// What the file must contain for one `#pulumi-type?` token (`aws:ec2/eip:Eip`, maybe ending in
/// `*`) to resolve, through the index's rules (`index::package_of_module`, `index::type_token`).
#[derive(Debug, PartialEq)]
struct TokenAnchors {
    /// Any of these: the ways an import can name the package.
    package: Option<Vec<Vec<u8>>>,
    module: Option<Vec<u8>>,
    member: Option<Vec<u8>>,
}

impl TokenAnchors {
    fn of(token: &str) -> TokenAnchors {
        // Only the text before a `*` is exact, and only segments that end before it are whole.
        let exact = token.split('*').next().unwrap_or("");
        let is_prefix = exact.len() < token.len();
        let mut rest = exact;
        let mut segment = |delimiter: char| -> Option<&str> {
            match rest.split_once(delimiter) {
                Some((whole, after)) => {
                    rest = after;
                    Some(whole)
                }
                None => None,
            }
        };
        let package = segment(':');
        let module = segment('/');
        let _lower_member = segment(':');
        // What remains is the member (and `.Nested` parts), whole unless the token was a prefix.
        let member = (package.is_some() && module.is_some() && _lower_member.is_some() && !is_prefix).then_some(rest);
        TokenAnchors {
            package: package.filter(|p| !p.is_empty()).map(package_literals),
            module: module.filter(|m| !m.is_empty() && *m != "index").map(|m| m.as_bytes().to_vec()),
            member: member.and_then(|m| verbatim_run(m.split('.').next().unwrap_or(""))).map(|m| m.as_bytes().to_vec()),
        }
    }
}

/// The imports that bind a package: `pulumi` itself, `pulumi_aws`/`pulumi_aws_native` (Python:
/// the name up to its first `-`), `@pulumi/aws-native` (TypeScript).
fn package_literals(package: &str) -> Vec<Vec<u8>> {
    if package == "pulumi" {
        return vec![b"pulumi".to_vec()];
    }
    let first = package.split('-').next().unwrap_or(package);
    vec![format!("pulumi_{first}").into_bytes(), format!("@pulumi/{package}").into_bytes()]
}

/// The longest part of `member` found verbatim in every name `transforms::camel` turns into it.
/// `camel` keeps the first character, drops underscores and upper-cases the character after one;
/// so a lowercase ASCII letter is always copied, and never preceded by a dropped underscore.
/// The verbatim runs are the first character with the lowercase letters after it, and every later
/// run of lowercase letters.
fn verbatim_run(member: &str) -> Option<&str> {
    let mut best: Option<&str> = None;
    let mut start = 0;
    for (i, c) in member.char_indices() {
        if i == 0 || c.is_ascii_lowercase() {
            continue;
        }
        let run = &member[start..i];
        if !run.is_empty() && best.is_none_or(|b| run.len() > b.len()) {
            best = Some(run);
        }
        // The next run starts after this character, which may come from `_x`.
        start = i + c.len_utf8();
    }
    let run = &member[start.min(member.len())..];
    if !run.is_empty() && best.is_none_or(|b| run.len() > b.len()) {
        best = Some(run);
    }
    best
}

/// A predicate as written in a pattern's source.
struct WrittenPredicate {
    name: String,
    capture: Option<String>,
    strings: Vec<String>,
}

/// The predicates `(#name @capture "string" ...)` in a pattern's source, with strings unescaped
/// as tree-sitter does. Strings and comments outside predicates are skipped.
fn text_predicates(source: &str) -> Vec<WrittenPredicate> {
    let mut found = Vec::new();
    let mut chars = source.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match c {
            '"' => {
                read_string(&mut chars);
            }
            ';' => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '(' => {
                while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
                if chars.next_if(|(_, c)| *c == '#').is_none() {
                    continue;
                }
                let mut predicate = WrittenPredicate { name: read_word(&mut chars), capture: None, strings: Vec::new() };
                let mut first = true;
                while let Some((_, c)) = chars.next() {
                    match c {
                        ')' => break,
                        '"' => predicate.strings.push(read_string(&mut chars)),
                        '@' => {
                            let name = read_word(&mut chars);
                            if first {
                                predicate.capture = Some(name);
                            } else {
                                // A capture compared with a capture: no literal to anchor on.
                                predicate.strings.clear();
                                predicate.capture = None;
                            }
                        }
                        c if c.is_whitespace() => continue,
                        c => {
                            let mut word = c.to_string();
                            word.push_str(&read_word(&mut chars));
                            predicate.strings.push(word);
                        }
                    }
                    first = false;
                }
                found.push(predicate);
            }
            _ => {}
        }
    }
    found
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

fn read_word(chars: &mut Chars) -> String {
    let mut word = String::new();
    while let Some((_, c)) = chars.next_if(|(_, c)| !c.is_whitespace() && !matches!(c, '(' | ')' | '"' | '@' | ';')) {
        word.push(c);
    }
    word
}

/// Reads a string after its opening quote: `\n`, `\r`, `\t`, `\0` and `\x` (any other `x`).
fn read_string(chars: &mut Chars) -> String {
    let mut value = String::new();
    while let Some((_, c)) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 'r')) => value.push('\r'),
                Some((_, 't')) => value.push('\t'),
                Some((_, '0')) => value.push('\0'),
                Some((_, other)) => value.push(other),
                None => break,
            },
            c => value.push(c),
        }
    }
    value
}
