//! Evaluation tests: one table per semantic point of the language, each case naming the point.
//! This file covers selectors, presence and the rule set; `values` covers how values compare.

use super::*;
use crate::record::{extract, Fields};
use crate::rules::{RuleSource, Severity};

pub(super) fn def(id: &str, pattern: &str) -> RuleDef {
    RuleDef {
        id: id.to_owned(),
        title: format!("test rule {id}"),
        severity: Severity::Info,
        pattern: pattern.to_owned(),
        description: None,
        enabled: true,
        source: RuleSource::Builtin,
    }
}

/// Whether `pattern` matches the one-record JSON `record`.
pub(super) fn eval(pattern: &str, record: &str) -> bool {
    let mut plan = FieldPlan::new();
    let set = RuleSet::compile(&[def("t", pattern)], &mut plan)
        .unwrap_or_else(|e| panic!("{pattern} should compile: {e}"));
    let mut fields = Fields::new(&plan);
    extract(&plan, record, &mut fields).unwrap_or_else(|e| panic!("{record} should scan: {e}"));
    set.rules()[0].matches(&Record::new(record, &fields))
}

/// Runs `(case, pattern, record, expected)` rows under the semantic point `point`.
pub(super) fn check(point: &str, cases: &[(&str, &str, &str, bool)]) {
    for (case, pattern, record, want) in cases {
        assert_eq!(
            eval(pattern, record),
            *want,
            "{point}: {case}: {pattern} on {record}"
        );
    }
}

mod values;

#[test]
fn selectors_walk_members_and_indices() {
    check(
        "selectors walk members and indices",
        &[
            ("member", r#"{$.a = "x"}"#, r#"{"a":"x"}"#, true),
            (
                "nested member",
                r#"{$.a.b = "x"}"#,
                r#"{"a":{"b":"x"}}"#,
                true,
            ),
            (
                "index",
                r#"{$.r[1].ARN = "y"}"#,
                r#"{"r":[{"ARN":"x"},{"ARN":"y"}]}"#,
                true,
            ),
            (
                "index picks its element",
                r#"{$.r[0].ARN = "y"}"#,
                r#"{"r":[{"ARN":"x"},{"ARN":"y"}]}"#,
                false,
            ),
            (
                "nested arrays",
                "{$.m[1][0] = 3}",
                r#"{"m":[[1],[3]]}"#,
                true,
            ),
            (
                "dashed name",
                r#"{$.e.x-amz-id-2 = "q"}"#,
                r#"{"e":{"x-amz-id-2":"q"}}"#,
                true,
            ),
            (
                "a path and its prefix both selected",
                "{$.a EXISTS && $.a.b = 1 && $.a.c[1] = 3}",
                r#"{"a":{"b":1,"c":[2,3]}}"#,
                true,
            ),
            (
                "colon name",
                r#"{$.c.aws:cloudtrail:arn = "arn:*"}"#,
                r#"{"c":{"aws:cloudtrail:arn":"arn:aws"}}"#,
                true,
            ),
        ],
    );
}

#[test]
fn selectors_are_case_sensitive() {
    check(
        "selectors are case-sensitive",
        &[
            (
                "exact case",
                r#"{$.eventName = "X"}"#,
                r#"{"eventName":"X"}"#,
                true,
            ),
            (
                "other case",
                r#"{$.eventName = "X"}"#,
                r#"{"EventName":"X"}"#,
                false,
            ),
            (
                "other case exists",
                "{$.eventname EXISTS}",
                r#"{"eventName":"X"}"#,
                false,
            ),
        ],
    );
}

#[test]
fn selector_resolving_to_nothing() {
    check(
        "a selector resolves to nothing",
        &[
            (
                "missing member",
                "{$.a.b NOT EXISTS}",
                r#"{"a":{"c":1}}"#,
                true,
            ),
            ("missing parent", "{$.a.b NOT EXISTS}", r#"{"x":1}"#, true),
            (
                "member of a string",
                "{$.a.b NOT EXISTS}",
                r#"{"a":"b"}"#,
                true,
            ),
            (
                "member of an array",
                "{$.a.b NOT EXISTS}",
                r#"{"a":[{"b":1}]}"#,
                true,
            ),
            (
                "member of null",
                "{$.a.b NOT EXISTS}",
                r#"{"a":null}"#,
                true,
            ),
            (
                "index out of range",
                "{$.a[2] NOT EXISTS}",
                r#"{"a":[1,2]}"#,
                true,
            ),
            (
                "index into an object",
                "{$.a[0] NOT EXISTS}",
                r#"{"a":{"0":1}}"#,
                true,
            ),
            (
                "index into a string",
                "{$.a[0] NOT EXISTS}",
                r#"{"a":"xyz"}"#,
                true,
            ),
            (
                "present member",
                "{$.a.b NOT EXISTS}",
                r#"{"a":{"b":1}}"#,
                false,
            ),
        ],
    );
}

#[test]
fn comparison_with_nothing_is_false_for_every_operator() {
    let record = r#"{"other":"x"}"#;
    let patterns = [
        r#"{$.a = "x"}"#,
        r#"{$.a != "x"}"#,
        "{$.a = x*}",
        "{$.a != *}",
        "{$.a = 1}",
        "{$.a != 1}",
        "{$.a < 1}",
        "{$.a > 1}",
        "{$.a <= 1}",
        "{$.a >= 1}",
        "{$.a = %x%}",
        "{$.a != %x%}",
        "{$.a IS TRUE}",
        "{$.a IS FALSE}",
        "{$.a IS NULL}",
        "{$.a EXISTS}",
    ];
    for pattern in patterns {
        assert!(
            !eval(pattern, record),
            "a comparison with a missing value is false: {pattern}"
        );
    }
    assert!(
        eval("{$.a NOT EXISTS}", record),
        "absence is tested with NOT EXISTS"
    );
}

#[test]
fn is_true_false_null_and_exists() {
    check(
        "IS TRUE / IS FALSE / IS NULL / EXISTS",
        &[
            ("IS TRUE on true", "{$.b IS TRUE}", r#"{"b":true}"#, true),
            ("IS TRUE on false", "{$.b IS TRUE}", r#"{"b":false}"#, false),
            (
                "IS TRUE on the string",
                "{$.b IS TRUE}",
                r#"{"b":"true"}"#,
                false,
            ),
            ("IS TRUE on 1", "{$.b IS TRUE}", r#"{"b":1}"#, false),
            (
                "IS FALSE on false",
                "{$.b IS FALSE}",
                r#"{"b":false}"#,
                true,
            ),
            (
                "IS FALSE on the string",
                "{$.b IS FALSE}",
                r#"{"b":"false"}"#,
                false,
            ),
            ("IS FALSE on null", "{$.b IS FALSE}", r#"{"b":null}"#, false),
            ("IS NULL on null", "{$.b IS NULL}", r#"{"b":null}"#, true),
            (
                "IS NULL on missing",
                "{$.b IS NULL}",
                r#"{"c":null}"#,
                false,
            ),
            (
                "IS NULL on the string",
                "{$.b IS NULL}",
                r#"{"b":"null"}"#,
                false,
            ),
            ("EXISTS on null", "{$.b EXISTS}", r#"{"b":null}"#, true),
            ("EXISTS on an object", "{$.b EXISTS}", r#"{"b":{}}"#, true),
            ("EXISTS on missing", "{$.b EXISTS}", r#"{"c":1}"#, false),
            (
                "NOT EXISTS on null",
                "{$.b NOT EXISTS}",
                r#"{"b":null}"#,
                false,
            ),
            (
                "NOT EXISTS on missing",
                "{$.b NOT EXISTS}",
                r#"{"c":1}"#,
                true,
            ),
        ],
    );
}

#[test]
fn and_binds_tighter_than_or() {
    let record = r#"{"a":1,"b":0,"c":0}"#;
    check(
        "&& binds tighter than ||",
        &[
            (
                "a || b && c",
                "{$.a = 1 || $.b = 1 && $.c = 1}",
                record,
                true,
            ),
            (
                "(a || b) && c",
                "{($.a = 1 || $.b = 1) && $.c = 1}",
                record,
                false,
            ),
            (
                "c && b || a",
                "{$.c = 1 && $.b = 1 || $.a = 1}",
                record,
                true,
            ),
            (
                "c && (b || a)",
                "{$.c = 1 && ($.b = 1 || $.a = 1)}",
                record,
                false,
            ),
            (
                "chain of ||",
                "{$.b = 1 || $.c = 1 || $.a = 1}",
                record,
                true,
            ),
            (
                "chain of &&",
                "{$.a = 1 && $.b = 0 && $.c = 0}",
                record,
                true,
            ),
        ],
    );
}

#[test]
fn unparsable_pattern_is_an_error_naming_rule_and_column() {
    let mut plan = FieldPlan::new();
    let err = RuleSet::compile(
        &[def("ok", "{$.a EXISTS}"), def("broken", "{$.a = }")],
        &mut plan,
    )
    .expect_err("a broken pattern fails compilation");
    match &err {
        RuleError::Pattern {
            rule_id,
            at: None,
            source,
        } => {
            assert_eq!(rule_id, "broken", "error names the rule");
            assert_eq!(source.column(), 8, "error names the column");
        }
        other => panic!("unparsable pattern: expected a pattern error, got {other:?}"),
    }
    assert!(
        err.to_string().contains("broken"),
        "message names the rule: {err}"
    );
}

#[test]
fn rule_set_keeps_order_skips_disabled_and_shares_slots() {
    let mut off = def("off", "{$.a EXISTS}");
    off.enabled = false;
    let defs = [
        def("first", r#"{$.eventName = "X"}"#),
        off,
        def("second", r#"{$.eventName = "X*"}"#),
        def("never", r#"{$.eventName = "Y"}"#),
    ];
    let mut plan = FieldPlan::new();
    let set = RuleSet::compile(&defs, &mut plan).unwrap();
    let ids: Vec<_> = set.rules().iter().map(|r| r.def().id.as_str()).collect();
    assert_eq!(
        ids,
        ["first", "second", "never"],
        "disabled rules are not compiled"
    );
    assert_eq!(
        plan.len(),
        1,
        "the same selector in several rules is one slot"
    );

    let record = r#"{"eventName":"X","a":1}"#;
    let mut fields = Fields::new(&plan);
    extract(&plan, record, &mut fields).unwrap();
    let mut hits = Vec::new();
    set.for_each_match(&Record::new(record, &fields), |rule| {
        hits.push(rule.def().id.clone())
    });
    assert_eq!(hits, ["first", "second"], "matches come in rule order");
}

#[test]
fn disabled_rule_with_a_broken_pattern_is_not_compiled() {
    let mut broken = def("off", "{");
    broken.enabled = false;
    let mut plan = FieldPlan::new();
    let set = RuleSet::compile(&[broken], &mut plan).unwrap();
    assert!(set.rules().is_empty(), "compile skips disabled rules");
}

#[test]
fn equalities_of_one_selector_in_an_or_read_as_a_set() {
    let chain = r#"{$.eventName = "B" || $.n = 1 || $.eventName = "Aa" || $.eventName = "B"}"#;
    check(
        "an || of equalities on one selector",
        &[
            ("first listed", chain, r#"{"eventName":"B"}"#, true),
            ("later listed", chain, r#"{"eventName":"Aa"}"#, true),
            ("escaped value", chain, r#"{"eventName":"\u0041a"}"#, true),
            ("not listed", chain, r#"{"eventName":"A"}"#, false),
            ("prefix only", chain, r#"{"eventName":"Aab"}"#, false),
            ("case differs", chain, r#"{"eventName":"aa"}"#, false),
            ("not a string", chain, r#"{"eventName":1}"#, false),
            ("absent", chain, r#"{"x":"B"}"#, false),
            ("other member", chain, r#"{"eventName":"C","n":1}"#, true),
        ],
    );
    check(
        "what stays a test of its own",
        &[
            (
                "wildcard",
                r#"{$.a = "x" || $.a = "y*"}"#,
                r#"{"a":"yes"}"#,
                true,
            ),
            (
                "negation",
                r#"{$.a = "x" || $.a != "y" || $.a = "z"}"#,
                r#"{"a":"w"}"#,
                true,
            ),
            (
                "other selector",
                r#"{$.a = "x" || $.b = "x"}"#,
                r#"{"b":"x"}"#,
                true,
            ),
            (
                "inside an and",
                r#"{$.s = "k" && ($.a = "x" || $.a = "y")}"#,
                r#"{"s":"k","a":"y"}"#,
                true,
            ),
            (
                "inside an and, the and fails",
                r#"{$.s = "k" && ($.a = "x" || $.a = "y")}"#,
                r#"{"s":"j","a":"y"}"#,
                false,
            ),
        ],
    );
}

#[test]
fn the_packs_long_chains_compile_to_one_set_each() {
    let mut plan = FieldPlan::new();
    let set = RuleSet::compile(&crate::rules::builtin_rules(), &mut plan).unwrap();
    let rule = |id: &str| {
        set.rules()
            .iter()
            .find(|r| r.def().id == id)
            .unwrap_or_else(|| panic!("{id} is in the pack"))
    };
    for id in ["CloudWatch.4", "CloudWatch.5", "CloudWatch.14"] {
        assert!(
            matches!(&rule(id).root.0, Node::Or(m) if matches!(m.as_slice(), [Node::OneOf { .. }])),
            "{id} is one set: {:?}",
            rule(id).root
        );
    }
    let Node::And(members) = &rule("CloudWatch.8").root.0 else {
        panic!("CloudWatch.8 is an && of a source and a set of names");
    };
    assert!(
        matches!(&members[1], Node::Or(m) if matches!(m.as_slice(), [Node::OneOf { texts, .. }] if texts.0.len() > 5)),
        "CloudWatch.8's names are one set: {members:?}"
    );
}
