//! Reading a query's source into patterns, as tree-sitter's query parser reads it.

use super::{Field, Item, Kind, NodePattern, Pattern, Predicate, PredicateArg, Quantifier, Query, QueryError, Term};

/// Reads `source` without a grammar: node kinds and fields stay names until [`Query::resolve`].
pub fn parse(source: &str) -> Result<Query, QueryError> {
    let mut reader = Reader { source, at: 0, capture_names: Vec::new(), runs_itself: true };
    let mut patterns = Vec::new();
    loop {
        reader.skip_trivia();
        if reader.peek().is_none() {
            break;
        }
        let start_byte = reader.at;
        reader.runs_itself = true;
        let mut predicates = Vec::new();
        let Some(root) = reader.expression(&mut predicates)? else {
            return Err(reader.error_at(start_byte, "a predicate stands outside every pattern"));
        };
        let root = normalized(root);
        // Sibling sequences and repeated roots match by tree-sitter's pruning order.
        let sequence = matches!(root.term, Term::Group(_)) || root.quantifier != Quantifier::One;
        let runs_itself = reader.runs_itself && !sequence && !has_group_branch(&root);
        patterns.push(Pattern { start_byte, root, predicates, text_predicates: Vec::new(), runs_itself, needed_child_kinds: Vec::new() });
    }
    Ok(Query { patterns, capture_names: reader.capture_names })
}

/// A root alternation with a sibling-sequence branch is a sequence too.
fn has_group_branch(root: &Item) -> bool {
    match &root.term {
        Term::Alternation(branches) => branches.iter().any(|b| matches!(b.term, Term::Group(_)) || b.quantifier != Quantifier::One || has_group_branch(b)),
        _ => false,
    }
}

/// Moves what is written on an alternation or a group onto the items that match nodes, as
/// tree-sitter puts it on their steps: an alternation's captures, field and `.` onto every branch,
/// a group's onto its first item.
fn normalized(mut item: Item) -> Item {
    match &mut item.term {
        Term::Node(node) => {
            node.children = std::mem::take(&mut node.children).into_iter().map(normalized).collect();
        }
        Term::Alternation(branches) => {
            for branch in branches.iter_mut() {
                inherit(branch, &item.captures, &item.field, item.immediate);
            }
            *branches = std::mem::take(branches).into_iter().map(normalized).collect();
            item.captures.clear();
            item.field = None;
        }
        // `((kind) @c (#predicate ...))`: a group of one is its item.
        Term::Group(items) if items.len() == 1 && item.quantifier == Quantifier::One => {
            let mut only = items.pop().expect("one item");
            inherit(&mut only, &item.captures, &item.field, item.immediate);
            return normalized(only);
        }
        Term::Group(items) => {
            if let Some(first) = items.first_mut() {
                inherit(first, &item.captures, &item.field, item.immediate);
            }
            *items = std::mem::take(items).into_iter().map(normalized).collect();
            item.captures.clear();
            item.field = None;
        }
    }
    item
}

fn inherit(item: &mut Item, captures: &[u32], field: &Option<Field>, immediate: bool) {
    item.captures.extend_from_slice(captures);
    if item.field.is_none() {
        item.field = field.clone();
    }
    item.immediate |= immediate;
}

struct Reader<'s> {
    source: &'s str,
    at: usize,
    capture_names: Vec<String>,
    /// Cleared when the pattern being read uses a construct left to tree-sitter.
    runs_itself: bool,
}

// ASCII first: queries are ASCII, and reading them is on the start-up path of every run.
fn is_identifier_start(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-' || (!c.is_ascii() && c.is_alphanumeric())
}

fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '?' | '!') || (!c.is_ascii() && c.is_alphanumeric())
}

impl Reader<'_> {
    fn peek(&self) -> Option<char> {
        match self.source.as_bytes().get(self.at) {
            Some(&byte) if byte.is_ascii() => Some(byte as char),
            Some(_) => self.source[self.at..].chars().next(),
            None => None,
        }
    }

    fn bump(&mut self) {
        if let Some(c) = self.peek() {
            self.at += c.len_utf8();
        }
    }

    fn error_at(&self, offset: usize, message: &str) -> QueryError {
        QueryError { offset, message: message.to_string() }
    }

    fn error(&self, message: &str) -> QueryError {
        self.error_at(self.at, message)
    }

    fn skip_trivia(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.bump();
            } else if c == ';' {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.bump();
                }
            } else {
                break;
            }
        }
    }

    fn identifier(&mut self) -> &str {
        let start = self.at;
        if self.peek().is_some_and(is_identifier_start) {
            while self.peek().is_some_and(is_identifier_char) {
                self.bump();
            }
        }
        &self.source[start..self.at]
    }

    /// A string after its opening quote: `\n`, `\r`, `\t`, `\0`, and `\x` for any other `x`.
    fn string(&mut self) -> Result<String, QueryError> {
        let start = self.at;
        let mut value = String::new();
        loop {
            let Some(c) = self.peek() else { return Err(self.error_at(start, "unterminated string")) };
            self.bump();
            match c {
                '"' => return Ok(value),
                '\\' => {
                    let Some(escaped) = self.peek() else { return Err(self.error_at(start, "unterminated string")) };
                    self.bump();
                    value.push(match escaped {
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        '0' => '\0',
                        other => other,
                    });
                }
                c => value.push(c),
            }
        }
    }

    fn capture(&mut self) -> Result<u32, QueryError> {
        let name = self.identifier().to_string();
        if name.is_empty() {
            return Err(self.error("expected a capture name after `@`"));
        }
        Ok(match self.capture_names.iter().position(|c| *c == name) {
            Some(index) => index as u32,
            None => {
                self.capture_names.push(name);
                (self.capture_names.len() - 1) as u32
            }
        })
    }

    /// One expression and its suffixes; `None` for a predicate, which goes to `predicates`.
    fn expression(&mut self, predicates: &mut Vec<Predicate>) -> Result<Option<Item>, QueryError> {
        self.skip_trivia();
        let start = self.at;
        let mut field = None;
        let term = match self.peek() {
            Some('[') => {
                self.bump();
                let mut branches = Vec::new();
                loop {
                    self.skip_trivia();
                    match self.peek() {
                        Some(']') => break self.bump(),
                        None => return Err(self.error_at(start, "unclosed `[`")),
                        _ => branches.extend(self.expression(predicates)?),
                    }
                }
                if branches.is_empty() {
                    return Err(self.error_at(start, "an alternation needs at least one branch"));
                }
                Term::Alternation(branches)
            }
            Some('(') => {
                self.bump();
                self.skip_trivia();
                match self.peek() {
                    Some('(' | '"' | '[') => Term::Group(self.items(start, predicates, None)?.0),
                    Some('#' | '.') => {
                        self.bump();
                        predicates.push(self.predicate(start)?);
                        return Ok(None);
                    }
                    _ => Term::Node(self.node(start, predicates)?),
                }
            }
            Some('"') => {
                self.bump();
                let name = self.string()?;
                Term::Node(NodePattern { kind: Kind::Symbol { name, named: false, id: 0, offset: start }, negated_fields: Vec::new(), children: Vec::new(), last_anchored: false })
            }
            Some(c) if is_identifier_start(c) => {
                let name = self.identifier().to_string();
                self.skip_trivia();
                if name == "_" {
                    Term::Node(NodePattern { kind: Kind::Any, negated_fields: Vec::new(), children: Vec::new(), last_anchored: false })
                } else if self.peek() == Some(':') {
                    self.bump();
                    let Some(mut item) = self.expression(predicates)? else {
                        return Err(self.error_at(start, "a field needs a pattern after `:`"));
                    };
                    field = Some(Field { name, offset: start, id: None });
                    self.suffixes(&mut item)?;
                    item.field = field;
                    return Ok(Some(item));
                } else {
                    return Err(self.error_at(start, "a bare name is neither a field (`name:`) nor a node (`(name)`)"));
                }
            }
            _ => return Err(self.error("expected a pattern: `(kind ...)`, `[...]`, `\"text\"` or `_`")),
        };
        let mut item = Item { term, field, quantifier: Quantifier::One, captures: Vec::new(), immediate: false, checks: Vec::new() };
        self.suffixes(&mut item)?;
        Ok(Some(item))
    }

    /// `+`, `*`, `?` and `@captures` after an expression, in any order.
    fn suffixes(&mut self, item: &mut Item) -> Result<(), QueryError> {
        loop {
            self.skip_trivia();
            let quantifier = match self.peek() {
                Some('?') => Quantifier::ZeroOrOne,
                Some('*') => Quantifier::ZeroOrMore,
                Some('+') => Quantifier::OneOrMore,
                Some('@') => {
                    self.bump();
                    let capture = self.capture()?;
                    item.captures.push(capture);
                    continue;
                }
                _ => return Ok(()),
            };
            self.bump();
            if quantifier != Quantifier::ZeroOrOne || item.quantifier != Quantifier::One {
                self.runs_itself = false;
            }
            item.quantifier = quantifier;
        }
    }

    /// The items of a parenthesized list up to its `)`, with `.` anchors, and whether a `.`
    /// ends it. Negated fields (`!field`) go to `negated_fields`, where a node may have them.
    fn items(&mut self, start: usize, predicates: &mut Vec<Predicate>, mut negated_fields: Option<&mut Vec<Field>>) -> Result<(Vec<Item>, bool), QueryError> {
        let mut items: Vec<Item> = Vec::new();
        let mut immediate = false;
        loop {
            self.skip_trivia();
            match self.peek() {
                Some(')') => {
                    self.bump();
                    return Ok((items, immediate));
                }
                Some('.') => {
                    self.bump();
                    immediate = true;
                }
                Some('!') => {
                    self.bump();
                    let offset = self.at;
                    let field = self.identifier().to_string();
                    match negated_fields.as_deref_mut() {
                        Some(fields) if !field.is_empty() => fields.push(Field { name: field, offset, id: None }),
                        Some(_) => return Err(self.error("expected a field name after `!`")),
                        None => return Err(self.error_at(offset - 1, "a negated field (`!field`) belongs inside a node pattern")),
                    }
                }
                None => return Err(self.error_at(start, "unclosed `(`")),
                _ => {
                    if let Some(mut item) = self.expression(predicates)? {
                        item.immediate |= immediate;
                        immediate = false;
                        items.push(item);
                    }
                }
            }
        }
    }

    /// A node pattern after its `(`: kind, negated fields, children, and a final `.`.
    fn node(&mut self, start: usize, predicates: &mut Vec<Predicate>) -> Result<NodePattern, QueryError> {
        let name = self.identifier().to_string();
        if name.is_empty() {
            return Err(self.error("expected a node kind after `(`"));
        }
        if name == "MISSING" || self.peek() == Some('/') {
            // `(MISSING ...)` and `(supertype/kind)`: parsed for their captures, run by tree-sitter.
            self.runs_itself = false;
            if self.peek() == Some('/') {
                self.bump();
                self.identifier();
            } else {
                self.skip_trivia();
                match self.peek() {
                    Some('"') => {
                        self.bump();
                        self.string()?;
                    }
                    _ => {
                        self.identifier();
                    }
                }
            }
        }
        let kind = if name == "_" { Kind::AnyNamed } else { Kind::Symbol { name, named: true, id: 0, offset: start + 1 } };
        let mut negated_fields = Vec::new();
        let (children, last_anchored) = self.items(start, predicates, Some(&mut negated_fields))?;
        if last_anchored && children.is_empty() {
            return Err(self.error("a `.` anchor needs a child before `)`"));
        }
        Ok(NodePattern { kind, negated_fields, children, last_anchored })
    }

    /// A predicate after its `#`: its name and arguments up to `)`.
    fn predicate(&mut self, start: usize) -> Result<Predicate, QueryError> {
        let name = self.identifier().to_string();
        if name.is_empty() {
            return Err(self.error("expected a predicate name after `#`"));
        }
        let mut args = Vec::new();
        loop {
            self.skip_trivia();
            match self.peek() {
                Some(')') => {
                    self.bump();
                    return Ok(Predicate { name, args, offset: start });
                }
                Some('@') => {
                    self.bump();
                    let at = self.at;
                    let capture = self.identifier().to_string();
                    let Some(index) = self.capture_names.iter().position(|c| *c == capture) else {
                        return Err(self.error_at(at, &format!("predicate `#{name}` names capture `@{capture}`, which no pattern before it captures")));
                    };
                    args.push(PredicateArg::Capture(index as u32));
                }
                Some('"') => {
                    self.bump();
                    args.push(PredicateArg::String(self.string()?));
                }
                Some(c) if is_identifier_start(c) => args.push(PredicateArg::String(self.identifier().to_string())),
                None => return Err(self.error_at(start, "unclosed predicate")),
                _ => return Err(self.error("a predicate's arguments are `@captures`, `\"strings\"` or names")),
            }
        }
    }
}
