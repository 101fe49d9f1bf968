//! The Sigma engine against a second reading of SIGMA.md: rules generated from its grammar
//! ([`grammar`]) are loaded from their YAML text by `trailwatch::sigma`, compiled onto a field
//! plan and run over generated and synthetic records ([`json`]); a small evaluator written
//! from SIGMA.md alone ([`reference`]) says, from the generator's own structures, which rules
//! each record matches. They must agree on every pair. Rules changed in one of the ways SIGMA.md
//! says fail the load ([`invalid`]) must be refused.

#[path = "sigma_differential/grammar.rs"]
mod grammar;
#[path = "sigma_differential/invalid.rs"]
mod invalid;
#[path = "sigma_differential/json.rs"]
mod json;
#[path = "sigma_differential/plant.rs"]
mod plant;
#[path = "sigma_differential/reference.rs"]
mod reference;
#[path = "sigma_differential/vocab.rs"]
mod vocab;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use trailwatch::record::{extract, FieldPlan, Fields, Record};
use trailwatch::rules::{builtin_rules, RuleSet, Severity};
use trailwatch::sigma::{load, SigmaSet, SigmaSource};

use grammar::{Item, Kind, Rule, Search};
use json::{Json, Node, Written};

/// Synthetic CloudTrail records: ordinary ones, one per built-in control, and the near misses.
static SYNTH: LazyLock<Vec<Json>> = LazyLock::new(|| {
    const ACCOUNT: &str = "111122223333";
    const AT: &str = "2025-03-14T05:07:00Z";
    let mut synth = trailwatch_synth::Synth::new(7);
    let mut records: Vec<serde_json::Value> = (0..24)
        .map(|_| synth.record(ACCOUNT, "eu-west-1", (2025, 3, 14)))
        .collect();
    records.extend(
        trailwatch_synth::CONTROLS
            .iter()
            .filter_map(|c| trailwatch_synth::cis_hit(c, ACCOUNT, "us-east-1", AT)),
    );
    records.extend(
        trailwatch_synth::NEAR_MISSES
            .iter()
            .filter_map(|n| trailwatch_synth::near_miss(n, ACCOUNT, "us-east-1", AT)),
    );
    records.iter().map(json::from_serde).collect()
});

/// Every dotted field and text of the synthetic records, for rules that look like real ones.
static HARVEST: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    fn walk(node: &Node, path: &str, out: &mut Vec<(String, String)>) {
        match node {
            Node::Obj { members, .. } => {
                for (name, v) in members.iter().filter(|(n, _)| !n.contains('.')) {
                    let p = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}.{name}")
                    };
                    walk(v, &p, out);
                }
            }
            Node::Arr(items) => items.iter().for_each(|i| walk(i, path, out)),
            Node::Str(t) | Node::Num(t) => out.push((path.to_owned(), t.clone())),
            Node::Bool(b) => out.push((path.to_owned(), b.to_string())),
            Node::Null => {}
        }
    }
    let mut out = Vec::new();
    for record in SYNTH.iter() {
        walk(&json::write(record, 0).root, "", &mut out);
    }
    out.sort();
    out.dedup();
    out
});

fn harvest() -> grammar::Harvest {
    HARVEST.as_slice()
}

/// A record's tree: generated, or synthetic.
fn tree() -> impl Strategy<Value = Json> {
    prop_oneof![
        2 => json::record(),
        1 => select(SYNTH.clone()),
    ]
}

/// One case: rules spread over one or two files, with documents outside scope and empty ones
/// between them, and records to run them on: as generated, and with values planted for one
/// of the rules.
#[derive(Debug, Clone)]
struct Case {
    rules: Vec<Rule>,
    out_of_scope: Vec<&'static str>,
    layout: u64,
    records: Vec<Written>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(grammar::rule(harvest()), 1..5),
        prop::collection::vec(select(invalid::OUT_OF_SCOPE), 0..2),
        any::<u64>(),
        prop::collection::vec((tree(), any::<u64>()), 6),
    )
        .prop_map(|(rules, out_of_scope, layout, trees)| {
            let records = trees
                .into_iter()
                .enumerate()
                .map(|(i, (tree, seed))| {
                    let mut dice = json::Dice(seed);
                    let tree = if i < 3 {
                        tree
                    } else {
                        let rule = &rules[dice.below(rules.len())];
                        plant::plant(rule, tree, &mut dice)
                    };
                    json::write(&tree, dice.next())
                })
                .collect();
            Case {
                rules,
                out_of_scope,
                layout,
                records,
            }
        })
}

impl Case {
    /// The files: each rule a document, the others among them, split in two where `layout`
    /// says; with comment lines, document end markers, CRLF line ends and a byte order mark
    /// where it says.
    fn sources(&self) -> Vec<SigmaSource> {
        let mut dice = json::Dice(self.layout);
        let mut docs: Vec<String> = self.rules.iter().map(|r| grammar::doc(r).text()).collect();
        for (i, other) in self.out_of_scope.iter().enumerate() {
            let at = (self.layout as usize >> (i * 8)) % (docs.len() + 1);
            docs.insert(at, (*other).to_owned());
        }
        if self.layout & 1 == 0 {
            docs.insert(docs.len() / 2, String::new());
        }
        let split = if self.layout & 2 == 0 {
            0
        } else {
            (self.layout as usize >> 16) % docs.len()
        };
        let mut file = |docs: &[String]| {
            let mut text = String::new();
            for doc in docs {
                text.push_str("---\n");
                for line in doc.split_inclusive('\n') {
                    // Only before a top-level key: a comment line never cuts a block scalar
                    // (whose lines are indented, or empty).
                    if line.starts_with(|c: char| !c.is_whitespace()) && dice.one_in(6) {
                        text.push_str("# a comment\n");
                    }
                    text.push_str(line);
                }
                if dice.one_in(4) {
                    text.push_str("...\n");
                }
            }
            if dice.one_in(3) {
                text = text.replace('\n', "\r\n");
            }
            text
        };
        let mut sources = vec![SigmaSource {
            origin: "a.yml".to_owned(),
            text: file(&docs[split..]),
        }];
        if split > 0 {
            sources.insert(
                0,
                SigmaSource {
                    origin: "0.yml".to_owned(),
                    text: file(&docs[..split]),
                },
            );
        }
        if dice.one_in(4) {
            sources[0].text.insert(0, '\u{feff}');
        }
        sources
    }
}

/// Outcomes counted over a run, to show that the generated pairs go both ways.
#[derive(Debug, Default)]
struct Tally {
    pairs: usize,
    matched: usize,
    /// Per kind of item: how often it held and how often not, `neq` left out (a `neq` item
    /// on a missing field holds, which says nothing about its kind).
    items: BTreeMap<&'static str, (usize, usize)>,
}

fn kind_name(item: &Item) -> &'static str {
    if item.field.is_empty() {
        return "keyword item";
    }
    match &item.kind {
        Kind::Plain(_) if item.values.scalars().iter().any(|v| v.text.is_none()) => "null",
        Kind::Plain(grammar::Pos::Whole) => "plain",
        Kind::Plain(_) => "position",
        Kind::Base64(_) => "base64",
        Kind::Base64Offset => "base64offset",
        Kind::Re(_) => "re",
        Kind::Cidr => "cidr",
        Kind::Cmp(_) => "gt/gte/lt/lte",
        Kind::Exists => "exists",
        Kind::FieldRef(_) => "fieldref",
        Kind::Time(_) => "time part",
    }
}

fn count_items(rule: &Rule, root: &Node, tally: &mut Tally) {
    let mut count = |item: &Item| {
        let entry = tally.items.entry(kind_name(item)).or_default();
        if reference::item(item, root) != item.neq {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    };
    for (_, search) in &rule.detection {
        match search {
            Search::Map(items) => items.iter().for_each(&mut count),
            Search::Maps(maps) => maps.iter().flatten().for_each(&mut count),
            Search::Keywords(_) | Search::Keyword(_) => {}
        }
    }
}

fn severity(level: Option<&str>) -> Severity {
    match level {
        Some("informational") => Severity::Info,
        Some("low") => Severity::Low,
        None | Some("medium") => Severity::Medium,
        Some("high") => Severity::High,
        _ => Severity::Critical,
    }
}

/// Loads, compiles and runs one case through the product, comparing with the reference.
fn run_case(case: &Case, tally: &RefCell<Tally>) -> Result<(), TestCaseError> {
    let sources = case.sources();
    let shown = || {
        sources
            .iter()
            .map(|s| format!("# {}\n{}", s.origin, s.text))
            .collect::<String>()
    };
    let loaded = load(&sources)
        .map_err(|e| TestCaseError::fail(format!("valid rules refused: {e}\n{}", shown())))?;
    prop_assert_eq!(loaded.skipped, case.out_of_scope.len(), "{}", shown());
    prop_assert_eq!(loaded.rules.len(), case.rules.len(), "{}", shown());
    for (got, want) in loaded.rules.iter().zip(&case.rules) {
        prop_assert_eq!(&got.rule_id, &format!("sigma.{}", want.id));
        prop_assert_eq!(Some(&got.title), want.title.text.as_ref());
        prop_assert_eq!(got.severity, severity(want.level));
        let tags: Vec<String> = want.tags.iter().filter_map(|t| t.text.clone()).collect();
        prop_assert_eq!(&got.tags, &tags);
        prop_assert_eq!(
            got.description.as_ref(),
            want.description.as_ref().and_then(|d| d.text.as_ref())
        );
    }

    let mut plan = FieldPlan::new();
    // The pipeline puts the filter-pattern pack's exact paths on the plan first; Sigma's spread
    // paths share its trie.
    if case.layout & 1 << 40 != 0 {
        RuleSet::compile(&builtin_rules(), &mut plan).expect("the built-in pack compiles");
    }
    let set = SigmaSet::compile(&loaded.rules, &mut plan);
    let mut fields = Fields::new(&plan);
    let mut tally = tally.borrow_mut();
    for record in &case.records {
        extract(&plan, &record.raw, &mut fields)
            .map_err(|e| TestCaseError::fail(format!("{e:?} scanning {:?}", record.raw)))?;
        let rec = Record::new(&record.raw, &fields);
        let mut got = Vec::new();
        set.for_each_match(&rec, |rule| got.push(rule.rule_id.clone()));
        let mut want = Vec::new();
        for rule in &case.rules {
            tally.pairs += 1;
            count_items(rule, &record.root, &mut tally);
            if reference::matches(rule, &record.root) {
                tally.matched += 1;
                want.push(format!("sigma.{}", rule.id));
            }
        }
        if got != want {
            let differ: String = case
                .rules
                .iter()
                .filter(|r| {
                    let id = format!("sigma.{}", r.id);
                    got.contains(&id) != want.contains(&id)
                })
                .map(|r| format!("---\n{}", grammar::doc(r).text()))
                .collect();
            return Err(TestCaseError::fail(format!(
                "product matched {got:?}, reference {want:?}\nrecord {}\nrules that differ:\n{differ}",
                record.raw
            )));
        }
    }
    Ok(())
}

/// A runner for `cases` cases, or as many as `PROPTEST_CASES` says.
fn runner(cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn product_and_reference_agree_on_generated_rules_and_records() {
    let tally = RefCell::new(Tally::default());
    let result = runner(160).run(&case(), |case| run_case(&case, &tally));
    if let Err(e) = result {
        panic!("{e}");
    }
    let tally = tally.into_inner();
    eprintln!("{tally:#?}");
    let ratio = tally.matched as f64 / tally.pairs as f64;
    assert!(
        (0.1..0.9).contains(&ratio),
        "{} of {} pairs matched: the generator should give both outcomes",
        tally.matched,
        tally.pairs
    );
    for (kind, (held, failed)) in &tally.items {
        assert!(
            *held >= 8 && *failed >= 8,
            "items of kind {kind} held {held} times and failed {failed} times"
        );
    }
    assert_eq!(tally.items.len(), 12, "every kind of item was generated");
}

#[test]
fn every_failure_sigma_lists_fails_the_load() {
    let mut rules = TestRunner::deterministic();
    let strategy = grammar::rule(harvest());
    for (name, mutation) in invalid::MUTATIONS {
        for _ in 0..3 {
            let rule = strategy.new_tree(&mut rules).expect("a rule").current();
            let doc = grammar::doc(&rule);
            let source = |i: usize, text: String| SigmaSource {
                origin: format!("rules/{i}.yml"),
                text,
            };
            let valid = load(&[source(0, doc.text())]);
            assert!(
                valid.as_ref().is_ok_and(|l| l.rules.len() == 1),
                "the rule before `{name}` should load: {valid:?}\n{}",
                doc.text()
            );
            let files = invalid::apply(*mutation, &doc, &rule.id);
            let sources: Vec<SigmaSource> = files
                .into_iter()
                .enumerate()
                .map(|(i, t)| source(i, t))
                .collect();
            match load(&sources) {
                Ok(loaded) => panic!(
                    "`{name}` should fail the load, loaded {} rules:\n{}",
                    loaded.rules.len(),
                    sources.last().map_or("", |s| s.text.as_str())
                ),
                Err(e) => {
                    let file = sources.iter().find(|s| s.origin == e.origin);
                    let text = &file
                        .unwrap_or_else(|| panic!("`{name}`: the error names no file: {e}"))
                        .text;
                    assert!(!e.reason.is_empty(), "`{name}`: no reason");
                    let lines = 1 + text.replace("\r\n", "\n").matches(['\n', '\r']).count();
                    let line = e.line.unwrap_or_else(|| panic!("`{name}`: no line: {e}"));
                    assert!((1..=lines).contains(&line), "`{name}`: {e}\n{text}");
                    // An added identifier's fault lies within its own lines (an empty value
                    // is placed where the next token starts, one line on).
                    if let invalid::Mutation::Searches(added) = mutation {
                        let lines: Vec<&str> = text.lines().collect();
                        let within = added.iter().any(|(n, body)| {
                            let key = format!("  {n}:");
                            let span = body.matches('\n').count().max(1);
                            (0..lines.len())
                                .filter(|i| lines[*i].starts_with(&key))
                                .any(|i| (i + 1..=i + span + 1).contains(&line))
                        });
                        assert!(within, "`{name}`: {e} is not on the added lines\n{text}");
                    }
                }
            }
        }
    }
}
