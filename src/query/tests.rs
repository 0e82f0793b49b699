use super::*;
use tree_sitter::Parser;

fn python() -> Language {
    tree_sitter_python::LANGUAGE.into()
}

/// Every match of `source` over `code`, as `pattern: capture=text ...`, sorted.
fn matches(source: &str, code: &str) -> Vec<String> {
    let language = python();
    let mut query = parse(source).unwrap();
    query.resolve(&language).unwrap();
    assert!(query.runs_itself());
    let mut parser = Parser::new();
    parser.set_language(&language).unwrap();
    let tree = parser.parse(code, None).unwrap();
    let mut found = Vec::new();
    let nodes = crate::lang::NodeTable::build(crate::lang::Grammar::Python, &tree);
    run(&[QueryRun { query: &query, ranges: None }], &nodes, code.as_bytes(), |_, pattern, captures| {
        let shown: Vec<String> = captures.iter().map(|(i, n)| format!("{}={}", query.capture_names[*i as usize], &code[n.byte_range()])).collect();
        found.push(format!("{pattern}: {}", shown.join(" ")));
    });
    found.sort();
    found.dedup();
    assert_eq!(found, tree_sitter_matches(source, code, &language), "tree-sitter matches otherwise");
    found
}

/// The same, as tree-sitter's own query cursor finds them.
fn tree_sitter_matches(source: &str, code: &str, language: &Language) -> Vec<String> {
    use tree_sitter::StreamingIterator;
    let query = tree_sitter::Query::new(language, source).unwrap();
    let mut parser = Parser::new();
    parser.set_language(language).unwrap();
    let tree = parser.parse(code, None).unwrap();
    let mut cursor = tree_sitter::QueryCursor::new();
    let mut matches = cursor.matches(&query, tree.root_node(), code.as_bytes());
    let mut found = Vec::new();
    while let Some(m) = matches.next() {
        let shown: Vec<String> = m.captures.iter().map(|c| format!("{}={}", query.capture_names()[c.index as usize], &code[c.node.byte_range()])).collect();
        found.push(format!("{}: {}", m.pattern_index, shown.join(" ")));
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn reads_patterns_captures_and_predicates() {
    let source = "; a comment\n((call function: (_) @f arguments: (argument_list . (string)? @s .)) @call (#eq? @f \"x\"))\n[(true) (false)] @b";
    let query = parse(source).unwrap();
    assert_eq!(query.patterns.len(), 2);
    assert_eq!(query.capture_names, vec!["f", "s", "call", "b"]);
    assert_eq!(query.patterns[0].predicates[0].name, "eq?");
    assert_eq!(query.patterns[0].predicates[0].args, vec![PredicateArg::Capture(0), PredicateArg::String("x".into())]);
    assert_eq!((query.patterns[0].start_byte, query.patterns[1].start_byte), (12, source.find('[').unwrap()));
    assert!(query.runs_itself());
    assert!(!parse("((a) (b))").unwrap().runs_itself(), "a sibling sequence is left to tree-sitter");
    assert!(!parse("(a (b)* @x)").unwrap().runs_itself(), "a repetition is left to tree-sitter");
}

#[test]
fn errors_say_where_and_why() {
    let error = |source: &str| {
        let mut query = parse(source)?;
        query.resolve(&python())
    };
    assert_eq!(error("(call (argument_list)").unwrap_err().offset, 0);
    let unknown = error("(call (no_such_kind))").unwrap_err();
    assert_eq!((unknown.offset, unknown.message.contains("(no_such_kind)")), (7, true));
    let field = error("(call nope: (_))").unwrap_err();
    assert_eq!((field.offset, field.message.contains("`nope`")), (6, true));
    assert!(error("(call) @c (#eq? @d \"x\")").unwrap_err().message.contains("@d"));
    assert!(error("((call) @c (#match? @c \"(\"))").unwrap_err().message.contains("regular expression"));
    assert!(error("(call identifier)").is_err());
}

#[test]
fn children_match_in_order_with_others_between() {
    let found = matches("(argument_list (integer) @a (integer) @b)", "f(1, x, 2, 3)");
    assert_eq!(found, vec!["0: a=1 b=2", "0: a=1 b=3", "0: a=2 b=3"]);
}

#[test]
fn anchors_forbid_named_nodes_between() {
    assert_eq!(matches("(argument_list . (_) @first)", "f(1, 2)"), vec!["0: first=1"]);
    assert_eq!(matches("(argument_list (_) @last .)", "f(1, 2)"), vec!["0: last=2"]);
    assert_eq!(matches("(argument_list (integer) @a . (integer) @b)", "f(1, x, 2, 3)"), vec!["0: a=2 b=3"]);
    assert_eq!(matches("(argument_list . (string) @only .)", "f('a', 2)"), Vec::<String>::new());
}

#[test]
fn optional_parts_yield_the_longest_match() {
    let query = "(argument_list (keyword_argument)? @k) @args";
    assert_eq!(matches(query, "f(a=1, b=2)"), vec!["0: args=(a=1, b=2) k=a=1", "0: args=(a=1, b=2) k=b=2"]);
    assert_eq!(matches(query, "f(1)"), vec!["0: args=(1)"]);
}

#[test]
fn fields_alternations_and_negated_fields() {
    let query = "(call function: [(identifier) (attribute attribute: (identifier) @method)] @callee !type)";
    assert_eq!(matches(query, "f()\no.m()\n"), vec!["0: callee=f", "0: callee=o.m method=m"]);
    assert_eq!(matches("(keyword_argument name: (_) @n value: (true))", "f(a=True, b=False)"), vec!["0: n=a"]);
}

#[test]
fn text_predicates_hold_as_tree_sitter_holds_them() {
    assert_eq!(matches("((identifier) @i (#eq? @i \"b\"))", "a\nb\n"), vec!["0: i=b"]);
    assert_eq!(matches("((identifier) @i (#not-any-of? @i \"a\" \"c\"))", "a\nb\nc\n"), vec!["0: i=b"]);
    assert_eq!(matches("((identifier) @i (#match? @i \"^[ab]$\"))", "a\nb\nc\n"), vec!["0: i=a", "0: i=b"]);
    // On a capture the match does not hold, a predicate holds.
    assert_eq!(matches("((argument_list (string)? @s) (#eq? @s \"'x'\"))", "f(1)"), vec!["0: "]);
}

#[test]
fn error_nodes_match_only_error_patterns() {
    assert!(!matches("(ERROR) @e", "f(1 2 3))").is_empty());
    assert!(matches("(_ (ERROR) @e)", "f(1 2 3))").iter().all(|m| m.contains("e=")));
}

#[test]
fn a_childless_item_without_captures_takes_the_first_node_it_fits() {
    // tree-sitter tries `(integer)` at 1 only, so `x` is found after 1 and not after 2.
    let found = matches("(argument_list (integer) \",\" . (identifier) @x)", "f(1, 2, x)");
    assert_eq!(found, Vec::<String>::new());
    assert_eq!(matches("(argument_list (integer) \",\" . (identifier) @x)", "f(1, x, 2, y)"), vec!["0: x=x"]);
}

#[test]
fn negated_fields_belong_to_nodes_and_a_trailing_anchor_to_a_child() {
    assert!(parse("((call) !arguments)").unwrap_err().message.contains("inside a node pattern"));
    assert!(parse("(call .)").unwrap_err().message.contains("needs a child"));
    assert!(parse("(call !)").unwrap_err().message.contains("field name"));
    let query = parse("(call !type (argument_list) .)").unwrap();
    let Term::Node(node) = &query.patterns[0].root.term else { panic!("a node") };
    assert_eq!((node.negated_fields.len(), node.last_anchored), (1, true));
}

#[test]
fn patterns_of_one_shape_are_matched_once_and_each_keeps_its_own_matches() {
    // The first two differ in their predicates only (which the matcher does not test early); the
    // third in a field; the fourth in a capture.
    let query = concat!(
        "((call function: (identifier) @f) @c (#eq? @f @c))\n",
        "((call function: (identifier) @f) @c (#not-eq? @f @c))\n",
        "((call arguments: (_) @f) @c)\n",
        "((call function: (identifier) @c) @f)\n",
    );
    let found = matches(query, "a(1)\nb(2)\n");
    assert_eq!(found, vec!["1: c=a(1) f=a", "1: c=b(2) f=b", "2: c=a(1) f=(1)", "2: c=b(2) f=(2)", "3: f=a(1) c=a", "3: f=b(2) c=b"]);
    let parsed = parse(query).unwrap();
    let roots: Vec<&Item> = parsed.patterns.iter().map(|p| &p.root).collect();
    assert!(super::run::same_shape(roots[0], roots[1]));
    assert!(!super::run::same_shape(roots[0], roots[2]) && !super::run::same_shape(roots[0], roots[3]));
}

#[test]
fn text_predicates_on_a_capture_every_match_holds_are_tested_as_it_is_captured() {
    let language = python();
    let mut query = parse(concat!(
        "((pair key: (_) @k value: (_)? @v) @p (#eq? @k \"'a'\") (#eq? @v \"1\") (#any-eq? @p \"x\"))\n",
        "([(string) (integer)] @x (#eq? @x \"1\"))\n",
    ))
    .unwrap();
    query.resolve(&language).unwrap();
    let Term::Node(pair) = &query.patterns[0].root.term else { panic!("a node") };
    // `@k` is in every match once: tested early. `@v` is optional, `#any-eq?` holds on any node,
    // and `@x` lies in an alternation: left to the end of the match.
    assert_eq!((pair.children[0].checks.len(), pair.children[1].checks.len(), query.patterns[0].root.checks.len()), (1, 0, 0));
    let Term::Alternation(branches) = &query.patterns[1].root.term else { panic!("an alternation") };
    assert!(branches.iter().all(|b| b.checks.is_empty()));
    // And the matches are tree-sitter's (`matches` compares), the optional `@v` included: the
    // longest match at `'b': 2` fails as a whole, not only its `@v`.
    let found = matches("((pair key: (_) @k value: (_)? @v) (#eq? @k \"'a'\") (#eq? @v \"1\"))", "d = {'a': 1, 'a': 2, 'b': 1}\n");
    assert_eq!(found, vec!["0: k='a' v=1"]);
}

#[test]
fn a_node_without_a_child_the_root_needs_is_not_tried() {
    let language = python();
    let mut query = parse("(call function: (identifier) arguments: (argument_list (string)? (_)) [(comment)])").unwrap();
    query.resolve(&language).unwrap();
    let needed: Vec<u16> = super::run::required_child_kinds(&query.patterns[0].root).collect();
    assert_eq!(needed, vec![language.id_for_node_kind("identifier", true), language.id_for_node_kind("argument_list", true)]);
    // Only the interpolated string roots a match; the others are passed by, as tree-sitter finds.
    assert_eq!(matches("(string (interpolation) @i) @s", "a = 'x'\nb = f'{y}'\nc = f'z'\n"), vec!["0: s=f'{y}' i={y}"]);
}
