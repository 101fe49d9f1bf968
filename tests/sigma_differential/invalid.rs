//! Changes that make a valid generated rule fail the load, one per case SIGMA.md lists (and
//! per modifier chain it refuses), and documents outside scope that load as skipped whatever
//! they hold.

use super::grammar::Doc;

/// One change to a rule document.
#[derive(Debug, Clone, Copy)]
pub enum Mutation {
    /// More search identifiers, unused by the condition: name and text after `name:`.
    Searches(&'static [(&'static str, &'static str)]),
    /// The identifier `kz` (`a: x`) and this text after `condition:`.
    Condition(&'static str),
    /// The detection replaced: these identifiers and this condition.
    Detection(&'static [(&'static str, &'static str)], &'static str),
    /// `detection` itself replaced by this text, or dropped.
    DetectionText(Option<&'static str>),
    /// No `condition` key.
    NoCondition,
    /// A top-level entry replaced or added, or dropped (`None`).
    Top(&'static str, Option<&'static str>),
    /// Another top-level entry after the others, whatever its key.
    Extra(&'static str),
    /// A second document after the rule.
    Then(&'static str),
    /// The rule loaded twice, from a second file with its id in upper case.
    SameIdTwice,
}

/// Every change, named for the failure message.
pub const MUTATIONS: &[(&str, Mutation)] = {
    use Mutation::*;
    &[
        // YAML
        ("invalid YAML", Extra("x: [1\n")),
        ("unterminated quote", Extra("x: 'abc\n")),
        ("duplicate top-level key", Extra("status: stable\n")),
        (
            "duplicate logsource key",
            Top(
                "logsource",
                Some("logsource:\n  product: aws\n  service: cloudtrail\n  product: aws\n"),
            ),
        ),
        (
            "duplicate item key",
            Searches(&[("bad", "\n    a: x\n    a: y\n")]),
        ),
        (
            "duplicate identifier",
            Searches(&[("kq", " x\n"), ("kq", " y\n")]),
        ),
        ("anchor", Extra("x: &a 1\n")),
        (
            "anchor in detection",
            Searches(&[("bad", " &a\n    a: x\n")]),
        ),
        ("alias", Extra("y: *a\n")),
        ("anchor and alias", Extra("x: &a 1\ny: *a\n")),
        ("tag", Extra("x: !t 1\n")),
        ("standard tag", Extra("x: !!str 1\n")),
        ("tag on a value", Searches(&[("bad", "\n    a: !t x\n")])),
        // Documents and scope
        ("a list document", Then("- a\n- b\n")),
        ("a scalar document", Then("just text\n")),
        ("no logsource", Top("logsource", None)),
        (
            "scalar logsource",
            Top("logsource", Some("logsource: aws\n")),
        ),
        (
            "list logsource",
            Top("logsource", Some("logsource:\n  - product: aws\n")),
        ),
        (
            "correlation",
            Top("correlation", Some("correlation:\n  type: event_count\n")),
        ),
        ("action", Top("action", Some("action: global\n"))),
        (
            "out of scope, correlation",
            Then("title: x\nlogsource:\n  product: gcp\ncorrelation:\n  type: x\n"),
        ),
        (
            "out of scope, action",
            Then("title: x\naction: repeat\nlogsource:\n  product: gcp\n"),
        ),
        ("out of scope, no logsource", Then("title: x\n")),
        ("out of scope, scalar logsource", Then("logsource: gcp\n")),
        // Rule keys
        ("no id", Top("id", None)),
        ("id not a UUID", Top("id", Some("id: 1234\n"))),
        (
            "id with a g",
            Top("id", Some("id: 0123456g-89ab-cdef-0123-456789abcdef\n")),
        ),
        (
            "id in braces",
            Top("id", Some("id: '{01234567-89ab-cdef-0123-456789abcdef}'\n")),
        ),
        (
            "id grouped wrong",
            Top("id", Some("id: 0123456789ab-cdef-0123-4567-89abcdef\n")),
        ),
        ("id null", Top("id", Some("id: ~\n"))),
        (
            "id a list",
            Top(
                "id",
                Some("id:\n  - 01234567-89ab-cdef-0123-456789abcdef\n"),
            ),
        ),
        ("same id twice", SameIdTwice),
        ("no title", Top("title", None)),
        ("empty title", Top("title", Some("title: ''\n"))),
        ("null title", Top("title", Some("title:\n"))),
        ("map title", Top("title", Some("title:\n  a: b\n"))),
        ("level High", Top("level", Some("level: High\n"))),
        ("level info", Top("level", Some("level: info\n"))),
        ("level warning", Top("level", Some("level: warning\n"))),
        ("level a list", Top("level", Some("level:\n  - high\n"))),
        ("null tag", Top("tags", Some("tags:\n  - ~\n"))),
        ("list tag", Top("tags", Some("tags:\n  - [a]\n"))),
        ("map tag", Top("tags", Some("tags:\n  - a: b\n"))),
        ("no detection", DetectionText(None)),
        ("scalar detection", DetectionText(Some("detection: sel\n"))),
        ("list detection", DetectionText(Some("detection:\n  - a\n"))),
        ("timeframe", Searches(&[("timeframe", " 5m\n")])),
        ("no condition", NoCondition),
        // Search identifiers
        ("null identifier", Searches(&[("bad", " ~\n")])),
        ("empty identifier", Searches(&[("bad", "\n")])),
        ("{} identifier", Searches(&[("bad", " {}\n")])),
        ("[] identifier", Searches(&[("bad", " []\n")])),
        (
            "map as a value",
            Searches(&[("bad", "\n    a:\n      b: c\n")]),
        ),
        ("list in a list", Searches(&[("bad", "\n    - - a\n")])),
        (
            "list of maps holding a list",
            Searches(&[("bad", "\n    - a: x\n    - - b\n")]),
        ),
        (
            "list mixing maps and scalars",
            Searches(&[("bad", "\n    - a: b\n    - c\n")]),
        ),
        (
            "values holding a list",
            Searches(&[("bad", "\n    a:\n      - [x]\n")]),
        ),
        (
            "values holding a map",
            Searches(&[("bad", "\n    a:\n      - b: c\n")]),
        ),
        ("empty values", Searches(&[("bad", "\n    a: []\n")])),
        ("identifier named and", Searches(&[("and", " x\n")])),
        ("identifier named them", Searches(&[("them", " x\n")])),
        ("identifier named of", Searches(&[("of", " x\n")])),
        ("identifier named any", Searches(&[("any", " x\n")])),
        ("identifier all digits", Searches(&[("123", " x\n")])),
        ("identifier with a dot", Searches(&[("a.b", " x\n")])),
        ("identifier with a space", Searches(&[("'sel x'", " x\n")])),
        ("identifier with é", Searches(&[("é", " x\n")])),
        ("identifier with a star", Searches(&[("'sel*'", " x\n")])),
        // Fields and values
        ("empty step", Searches(&[("bad", "\n    a..b: x\n")])),
        ("leading dot", Searches(&[("bad", "\n    '.a': x\n")])),
        ("trailing dot", Searches(&[("bad", "\n    'a.': x\n")])),
        (
            "all with one value",
            Searches(&[("bad", "\n    a|all: x\n")]),
        ),
        (
            "all with a one-value list",
            Searches(&[("bad", "\n    a|contains|all:\n      - x\n")]),
        ),
        (
            "null with contains",
            Searches(&[("bad", "\n    a|contains: null\n")]),
        ),
        (
            "null in a cased list",
            Searches(&[("bad", "\n    a|cased:\n      - x\n      - ~\n")]),
        ),
        (
            "null with all",
            Searches(&[("bad", "\n    a|all:\n      - x\n      - ~\n")]),
        ),
        ("null with re", Searches(&[("bad", "\n    a|re: ~\n")])),
        (
            "null with exists",
            Searches(&[("bad", "\n    a|exists:\n")]),
        ),
        (
            "exists with a list",
            Searches(&[("bad", "\n    a|exists:\n      - true\n")]),
        ),
        ("exists yes", Searches(&[("bad", "\n    a|exists: yes\n")])),
        (
            "exists quoted",
            Searches(&[("bad", "\n    a|exists: 'true'\n")]),
        ),
        (
            "exists with all",
            Searches(&[("bad", "\n    a|exists|all: true\n")]),
        ),
        ("invalid regex", Searches(&[("bad", "\n    a|re: '('\n")])),
        (
            "invalid regex class",
            Searches(&[("bad", "\n    a|re|i: '[a'\n")]),
        ),
        (
            "base64 with *",
            Searches(&[("bad", "\n    a|base64: 'a*'\n")]),
        ),
        (
            "base64 with ?",
            Searches(&[("bad", "\n    a|base64|contains: '?'\n")]),
        ),
        (
            "base64offset with ?",
            Searches(&[("bad", "\n    a|base64offset|contains: 'a?b'\n")]),
        ),
        (
            "base64offset alone",
            Searches(&[("bad", "\n    a|base64offset: abc\n")]),
        ),
        (
            "base64offset|startswith",
            Searches(&[("bad", "\n    a|base64offset|startswith: abc\n")]),
        ),
        (
            "cidr host bits",
            Searches(&[("bad", "\n    a|cidr: 10.0.0.1/8\n")]),
        ),
        (
            "cidr host bits, IPv6",
            Searches(&[("bad", "\n    a|cidr: '2001:db8::1/32'\n")]),
        ),
        (
            "cidr length 33",
            Searches(&[("bad", "\n    a|cidr: 10.0.0.0/33\n")]),
        ),
        (
            "cidr length 129",
            Searches(&[("bad", "\n    a|cidr: '::/129'\n")]),
        ),
        (
            "cidr three parts",
            Searches(&[("bad", "\n    a|cidr: 10.0.0/8\n")]),
        ),
        (
            "cidr a word",
            Searches(&[("bad", "\n    a|cidr: localhost\n")]),
        ),
        ("gt 05", Searches(&[("bad", "\n    a|gt: 05\n")])),
        ("gte +1", Searches(&[("bad", "\n    a|gte: '+1'\n")])),
        ("lt 0x1F", Searches(&[("bad", "\n    a|lt: 0x1F\n")])),
        ("lte a word", Searches(&[("bad", "\n    a|lte: abc\n")])),
        ("gt space 42", Searches(&[("bad", "\n    a|gt: ' 42'\n")])),
        ("gt 1.", Searches(&[("bad", "\n    a|gt: '1.'\n")])),
        ("lt .5", Searches(&[("bad", "\n    a|lt: .5\n")])),
        ("gt True", Searches(&[("bad", "\n    a|gt: True\n")])),
        (
            "fieldref with |",
            Searches(&[("bad", "\n    a|fieldref: 'b|contains'\n")]),
        ),
        (
            "fieldref empty step",
            Searches(&[("bad", "\n    a|fieldref: b..c\n")]),
        ),
        (
            "fieldref empty",
            Searches(&[("bad", "\n    a|fieldref: ''\n")]),
        ),
        (
            "fieldref null",
            Searches(&[("bad", "\n    a|fieldref: ~\n")]),
        ),
        ("minute -1", Searches(&[("bad", "\n    a|minute: -1\n")])),
        ("hour 1.5", Searches(&[("bad", "\n    a|hour: 1.5\n")])),
        ("day a word", Searches(&[("bad", "\n    a|day: x\n")])),
        ("week + 5", Searches(&[("bad", "\n    a|week: '+5'\n")])),
        (
            "month space 5",
            Searches(&[("bad", "\n    a|month: ' 5'\n")]),
        ),
        // Modifier chains
        ("unknown modifier", Searches(&[("bad", "\n    a|foo: x\n")])),
        (
            "upper-case modifier",
            Searches(&[("bad", "\n    a|Contains: x\n")]),
        ),
        (
            "modifier twice",
            Searches(&[("bad", "\n    a|contains|contains: x\n")]),
        ),
        (
            "all twice",
            Searches(&[("bad", "\n    a|all|all:\n      - x\n      - y\n")]),
        ),
        ("neq twice", Searches(&[("bad", "\n    a|neq|neq: x\n")])),
        (
            "empty modifier",
            Searches(&[("bad", "\n    a||contains: x\n")]),
        ),
        (
            "windash",
            Searches(&[("bad", "\n    a|windash|contains: x\n")]),
        ),
        (
            "wide",
            Searches(&[("bad", "\n    a|wide|base64offset|contains: x\n")]),
        ),
        ("utf16", Searches(&[("bad", "\n    a|utf16|base64: x\n")])),
        (
            "utf16le",
            Searches(&[("bad", "\n    a|utf16le|base64: x\n")]),
        ),
        (
            "utf16be",
            Searches(&[("bad", "\n    a|utf16be|base64: x\n")]),
        ),
        ("expand", Searches(&[("bad", "\n    a|expand: '%x%'\n")])),
        (
            "contains|startswith",
            Searches(&[("bad", "\n    a|contains|startswith: x\n")]),
        ),
        (
            "re|contains",
            Searches(&[("bad", "\n    a|re|contains: x\n")]),
        ),
        (
            "cidr|contains",
            Searches(&[("bad", "\n    a|cidr|contains: 10.0.0.0/8\n")]),
        ),
        ("i alone", Searches(&[("bad", "\n    a|i: x\n")])),
        ("i before re", Searches(&[("bad", "\n    a|i|re: x\n")])),
        ("re|x", Searches(&[("bad", "\n    a|re|x: x\n")])),
        ("re flag twice", Searches(&[("bad", "\n    a|re|i|i: x\n")])),
        ("base64|re", Searches(&[("bad", "\n    a|base64|re: x\n")])),
        (
            "contains|base64",
            Searches(&[("bad", "\n    a|contains|base64: x\n")]),
        ),
        (
            "base64|base64offset",
            Searches(&[("bad", "\n    a|base64|base64offset|contains: x\n")]),
        ),
        (
            "contains|fieldref",
            Searches(&[("bad", "\n    a|contains|fieldref: b\n")]),
        ),
        (
            "fieldref|re",
            Searches(&[("bad", "\n    a|fieldref|re: b\n")]),
        ),
        (
            "minute|hour",
            Searches(&[("bad", "\n    a|minute|hour: 5\n")]),
        ),
        ("gt|lt", Searches(&[("bad", "\n    a|gt|lt: 5\n")])),
        (
            "exists|contains",
            Searches(&[("bad", "\n    a|exists|contains: true\n")]),
        ),
        ("cased|re", Searches(&[("bad", "\n    a|cased|re: x\n")])),
        (
            "cidr|cased",
            Searches(&[("bad", "\n    a|cidr|cased: 10.0.0.0/8\n")]),
        ),
        ("gt|cased", Searches(&[("bad", "\n    a|gt|cased: 5\n")])),
        (
            "exists|cased",
            Searches(&[("bad", "\n    a|exists|cased: true\n")]),
        ),
        (
            "minute|cased",
            Searches(&[("bad", "\n    a|minute|cased: 5\n")]),
        ),
        (
            "base64offset|cased",
            Searches(&[("bad", "\n    a|base64offset|contains|cased: x\n")]),
        ),
        // Keywords
        (
            "keyword contains",
            Searches(&[("bad", "\n    '|contains':\n      - x\n      - y\n")]),
        ),
        ("keyword neq", Searches(&[("bad", "\n    '|neq': x\n")])),
        ("keyword re", Searches(&[("bad", "\n    '|re': x\n")])),
        (
            "keyword startswith|all",
            Searches(&[("bad", "\n    '|startswith|all':\n      - x\n      - y\n")]),
        ),
        (
            "keyword exists",
            Searches(&[("bad", "\n    '|exists': true\n")]),
        ),
        (
            "keyword all with one",
            Searches(&[("bad", "\n    '|all': x\n")]),
        ),
        ("null keyword", Searches(&[("bad", "\n    - a\n    - ~\n")])),
        (
            "null keyword in a map",
            Searches(&[("bad", "\n    '|all':\n      - a\n      - ~\n")]),
        ),
        // Conditions
        ("undefined name", Condition(" kz and nothere\n")),
        ("pattern matching nothing", Condition(" 1 of zz*\n")),
        ("all of nothing", Condition(" all of q*\n")),
        ("count aggregation", Condition(" kz | count() > 5\n")),
        ("near aggregation", Condition(" kz | near kz\n")),
        ("2 of", Condition(" 2 of them\n")),
        ("3 of a pattern", Condition(" 3 of k*\n")),
        ("trailing and", Condition(" kz and\n")),
        ("leading or", Condition(" or kz\n")),
        ("unclosed parenthesis", Condition(" (kz\n")),
        ("extra parenthesis", Condition(" kz)\n")),
        ("empty parentheses", Condition(" kz and ()\n")),
        ("two names", Condition(" kz kz\n")),
        ("or or", Condition(" kz or or kz\n")),
        ("upper-case AND", Condition(" kz AND kz\n")),
        ("upper-case NOT", Condition(" NOT kz\n")),
        ("not alone", Condition(" not\n")),
        ("empty condition", Condition(" ''\n")),
        ("blank condition", Condition(" ' '\n")),
        ("null condition", Condition(" ~\n")),
        ("map condition", Condition("\n    a: b\n")),
        (
            "list condition holding a list",
            Condition("\n    - kz\n    - [kz]\n"),
        ),
        (
            "list condition holding a null",
            Condition("\n    - kz\n    - ~\n"),
        ),
        (
            "list condition holding a bad one",
            Condition("\n    - kz\n    - kz or\n"),
        ),
        ("empty list condition", Condition(" []\n")),
        ("1 of alone", Condition(" 1 of\n")),
        ("all without of", Condition(" all kz\n")),
        ("of without quantifier", Condition(" of them\n")),
        ("pattern outside of", Condition(" kz*\n")),
        ("comma", Condition(" kz, kz\n")),
        ("keyword as pattern", Condition(" 1 of and\n")),
        ("parenthesised pattern", Condition(" 1 of (kz)\n")),
        (
            "them matching only hidden names",
            Detection(&[("_only", "\n    a: x\n")], " 1 of them\n"),
        ),
        (
            "pattern not starting with _",
            Detection(&[("_only", "\n    a: x\n")], " all of *only\n"),
        ),
    ]
};

/// Applies `m` to the document of a valid rule: the files to load.
pub fn apply(m: Mutation, doc: &Doc, id: &str) -> Vec<String> {
    let mut d = doc.clone();
    let mut detection_text: Option<Option<&str>> = None;
    let mut then = None;
    let mut no_condition = false;
    match m {
        Mutation::Searches(extra) => d.searches.extend(
            extra
                .iter()
                .map(|(n, b)| ((*n).to_owned(), (*b).to_owned())),
        ),
        Mutation::Condition(c) => {
            d.searches
                .push(("kz".to_owned(), "\n    a: x\n".to_owned()));
            d.condition = c.to_owned();
        }
        Mutation::Detection(searches, c) => {
            d.searches = searches
                .iter()
                .map(|(n, b)| ((*n).to_owned(), (*b).to_owned()))
                .collect();
            d.condition = c.to_owned();
        }
        Mutation::DetectionText(t) => detection_text = Some(t),
        Mutation::NoCondition => no_condition = true,
        Mutation::Top(key, text) => d.set(key, text.map(str::to_owned)),
        Mutation::Extra(text) => d.top.push((String::new(), text.to_owned())),
        Mutation::Then(text) => then = Some(text),
        Mutation::SameIdTwice => {
            let mut again = doc.clone();
            again.set("id", Some(format!("id: {}\n", id.to_uppercase())));
            // Upper case may equal the id as written: lower-case the second copy then.
            if id.to_uppercase() == id {
                again.set("id", Some(format!("id: {}\n", id.to_lowercase())));
            }
            return vec![doc.text(), again.text()];
        }
    }
    let mut text = if no_condition {
        let mut t = d.text();
        let start = t.find("  condition:").expect("a condition");
        let end = start
            + t[start..]
                .match_indices('\n')
                .map(|(i, _)| i + 1)
                .find(|&i| !t[start + i..].starts_with("    "))
                .expect("a line end");
        t.replace_range(start..end, "");
        t
    } else {
        d.text()
    };
    if let Some(replacement) = detection_text {
        let start = text.find("detection:\n").expect("a detection");
        let rest = &text[start + "detection:\n".len()..];
        let len = rest
            .split_inclusive('\n')
            .take_while(|l| l.starts_with("  "))
            .map(str::len)
            .sum::<usize>();
        text.replace_range(
            start..start + "detection:\n".len() + len,
            replacement.unwrap_or_default(),
        );
    }
    if let Some(then) = then {
        text = format!("{text}---\n{then}");
    }
    vec![text]
}

/// Documents outside scope, most of them invalid as rules: skipped unchecked.
pub const OUT_OF_SCOPE: &[&str] = &[
    "title: gcp\nlogsource:\n  product: gcp\n  service: cloudtrail\ndetection: 5\n",
    "logsource:\n  product: AWS\n  service: cloudtrail\nid: not-a-uuid\n",
    "logsource:\n  product: aws\n  service: CloudTrail\ndetection:\n  condition: 2 of them\n",
    "logsource:\n  product: aws\n  service: s3\nlevel: severe\n",
    "logsource:\n  service: cloudtrail\n",
    "logsource:\n  product: aws\n",
    "logsource:\n  product: [aws]\n  service: cloudtrail\n",
    "logsource: {}\ntitle: ''\ndetection:\n  sel:\n    a|windash: x\n  condition: sel\n",
    "logsource:\n  product: ~\n  service: cloudtrail\ntimeframe: 5m\n",
];
