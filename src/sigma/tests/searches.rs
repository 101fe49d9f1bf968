//! Search identifiers, each modifier and keywords.

use super::*;

// ---- Search identifiers ----

#[test]
fn maps_and_lists_of_maps() {
    let d = "  s:\n    a: 1\n    b: 2\n  condition: s";
    assert!(matches(d, r#"{"a":1,"b":2}"#));
    assert!(
        !matches(d, r#"{"a":1,"b":3}"#),
        "a map is the AND of its items"
    );
    let d = "  s:\n    - a: 1\n    - b: 2\n  condition: s";
    assert!(
        matches(d, r#"{"a":1}"#) && matches(d, r#"{"b":2}"#),
        "a list of maps is the OR"
    );
    assert!(!matches(d, r#"{"a":2,"b":1}"#));
}

#[test]
fn an_empty_identifier_is_named_on_its_own_line() {
    let e = load_error(&rule_with("  s: a\n  u:\n  condition: s"));
    assert_eq!(e.line, Some(8), "{e}");
}

#[test]
fn bad_search_identifiers_fail_even_when_unused() {
    refused(&[
        ("  s: a\n  u: ~\n  condition: s", "`u`: must not be empty"),
        ("  s: a\n  u: {}\n  condition: s", "must not be empty"),
        ("  s: a\n  u: []\n  condition: s", "must not be empty"),
        (
            "  s: a\n  u:\n    a: {b: 1}\n  condition: s",
            "a map is not a value",
        ),
        ("  s: a\n  u:\n    a: [[1]]\n  condition: s", "only scalars"),
        (
            "  s: a\n  u:\n    - a: 1\n    - x\n  condition: s",
            "only maps or only scalars",
        ),
        (
            "  s: a\n  u:\n    - [a]\n  condition: s",
            "only maps or only scalars",
        ),
        (
            "  s: a\n  u:\n    a: []\n  condition: s",
            "an empty list of values",
        ),
        ("  s: a\n  u:\n    - {}\n  condition: s", "empty"),
    ]);
}

#[test]
fn a_list_is_or_and_all_needs_each_value() {
    let d = "  s:\n    a: [x, y]\n  condition: s";
    assert!(matches(d, r#"{"a":"y"}"#) && !matches(d, r#"{"a":"z"}"#));
    let d = "  s:\n    a|contains|all: [x, y]\n  condition: s";
    assert!(matches(d, r#"{"a":"xy"}"#));
    assert!(!matches(d, r#"{"a":"x"}"#));
    assert!(
        matches(d, r#"{"a":["x1","y2"]}"#),
        "each on a different value of the field"
    );
    refused(&[
        (
            "  s:\n    a|all: x\n  condition: s",
            "`all` needs at least two",
        ),
        (
            "  s:\n    a|all: [x]\n  condition: s",
            "`all` needs at least two",
        ),
    ]);
}

#[test]
fn one_value_of_the_field_suffices() {
    let d = "  s:\n    a: x\n  condition: s";
    assert!(matches(d, r#"{"a":["w","x"]}"#));
    assert!(!matches(d, r#"{"a":["w","v"]}"#));
}

#[test]
fn wildcards_match_the_whole_text() {
    let m = |v: &str, t: &str| {
        matches(
            &format!("  s:\n    a: '{v}'\n  condition: s"),
            &format!(r#"{{"a":{}}}"#, serde_json::to_string(t).unwrap()),
        )
    };
    assert!(m("a*c", "abbc") && m("a*c", "ac") && !m("a*c", "abcd"));
    assert!(m("*", "line1\nline2"), "runs cross newlines");
    assert!(m("a?c", "abc") && !m("a?c", "abbc"));
    assert!(
        m(r"C:\Windows\*.exe", r"C:\Windows*.exe"),
        "the literal text"
    );
    assert!(!m(r"C:\Windows\*.exe", r"C:\Windows\x.exe"));
    assert!(m(r"C:\tmp\\*", r"C:\tmp\x"), "`\\` then any run");
    assert!(m(r"a\?", "a?") && !m(r"a\?", "ab"));
    assert!(
        m(r"a\b", r"a\b"),
        "a backslash before anything else is itself"
    );
}

#[test]
fn positions_add_runs_after_escapes() {
    let m = |d: &str, t: &str| {
        matches(
            &format!("  s:\n    {d}\n  condition: s"),
            &format!(r#"{{"a":{}}}"#, serde_json::to_string(t).unwrap()),
        )
    };
    assert!(m("a|contains: mid", "a mid b"));
    assert!(m("a|startswith: Get", "GetObject") && !m("a|startswith: Get", "xGet"));
    assert!(m("a|endswith: Object", "GetObject") && !m("a|endswith: Object", "Objectx"));
    assert!(m(r"a|endswith: 'a\'", r"xa\"), "ends in a backslash");
    assert!(m(r"a|contains: '\*'", "x*y") && !m(r"a|contains: '\*'", "xy"));
}

#[test]
fn case_folding_is_regex_simple_folding() {
    let m = |v: &str, t: &str| {
        matches(
            &format!("  s:\n    a: '{v}'\n  condition: s"),
            &format!(r#"{{"a":"{t}"}}"#),
        )
    };
    assert!(m("é", "É"));
    assert!(m("k", "K") && m("k", "\u{212A}") && m("K", "\u{212A}"));
    assert!(m("ß", "ẞ"));
    assert!(!m("ß", "ss"));
    assert!(m("NO", "No"));
    let cased = |v: &str, t: &str| {
        matches(
            &format!("  s:\n    a|cased: '{v}'\n  condition: s"),
            &format!(r#"{{"a":"{t}"}}"#),
        )
    };
    assert!(cased("No", "No") && !cased("NO", "No") && !cased("é", "É"));
}

#[test]
fn null_and_empty() {
    let d = "  s:\n    a: null\n  condition: s";
    assert!(matches(d, r#"{}"#), "no value");
    assert!(matches(d, r#"{"a":[1,null]}"#), "one of them is null");
    assert!(!matches(d, r#"{"a":""}"#));
    assert!(!matches(d, r#"{"a":[1]}"#));
    let d = "  s:\n    a|neq: null\n  condition: s";
    assert!(matches(d, r#"{"a":"x"}"#) && !matches(d, r#"{}"#));
    let d = "  s:\n    a: ''\n  condition: s";
    assert!(matches(d, r#"{"a":""}"#) && !matches(d, r#"{"a":" "}"#) && !matches(d, r#"{}"#));
    refused(&[
        (
            "  s:\n    a|contains: null\n  condition: s",
            "takes no modifier but `neq`",
        ),
        (
            "  s:\n    a|cased: ~\n  condition: s",
            "takes no modifier but `neq`",
        ),
        (
            "  s:\n    a|contains: [x, null]\n  condition: s",
            "takes no modifier but `neq`",
        ),
    ]);
}

#[test]
fn neq_negates_the_item_missing_fields_included() {
    let d = "  s:\n    a|neq: x\n  condition: s";
    assert!(matches(d, r#"{"a":"y"}"#));
    assert!(!matches(d, r#"{"a":"X"}"#));
    assert!(matches(d, r#"{}"#), "on a missing field");
    assert!(
        !matches(d, r#"{"a":["y","x"]}"#),
        "not when one value matches"
    );
    let d = "  s:\n    a|contains|all|neq: [x, y]\n  condition: s";
    assert!(matches(d, r#"{"a":"x"}"#) && !matches(d, r#"{"a":"xy"}"#));
}

#[test]
fn regexes_are_unanchored_and_cased_unless_i() {
    assert!(matches(
        "  s:\n    a|re: 'b+'\n  condition: s",
        r#"{"a":"abbc"}"#
    ));
    assert!(!matches(
        "  s:\n    a|re: 'B'\n  condition: s",
        r#"{"a":"abc"}"#
    ));
    assert!(matches(
        "  s:\n    a|re|i: 'B'\n  condition: s",
        r#"{"a":"abc"}"#
    ));
    assert!(matches(
        "  s:\n    a|re|s|i: 'A.C'\n  condition: s",
        r#"{"a":"a\nc"}"#
    ));
    refused(&[("  s:\n    a|re: '('\n  condition: s", "invalid regex")]);
}

#[test]
fn numeric_comparisons_take_json_numbers() {
    assert!(matches("  s:\n    a|gt: 5\n  condition: s", r#"{"a":6}"#));
    assert!(
        matches("  s:\n    a|gt: '5'\n  condition: s", r#"{"a":"42"}"#),
        "quoted value, string text"
    );
    assert!(matches(
        "  s:\n    a|lt: 0\n  condition: s",
        r#"{"a":"-1.5e3"}"#
    ));
    for text in [r#"" 42""#, r#""+1""#, r#""05""#, r#""0x1F""#, "true"] {
        assert!(
            !matches(
                "  s:\n    a|gt: 0\n  condition: s",
                &format!(r#"{{"a":{text}}}"#)
            ),
            "{text}"
        );
    }
    refused(&[(
        "  s:\n    a|gt: 05\n  condition: s",
        "not a number in JSON syntax",
    )]);
}

#[test]
fn fieldref_compares_two_fields() {
    let record = r#"{"a":"Alice","b":"alice","c":"Al","d":["x","ALICE"]}"#;
    assert!(
        matches("  s:\n    a|fieldref: b\n  condition: s", record),
        "folded"
    );
    assert!(!matches(
        "  s:\n    a|fieldref|cased: b\n  condition: s",
        record
    ));
    assert!(matches(
        "  s:\n    a|fieldref|startswith: c\n  condition: s",
        record
    ));
    assert!(
        matches("  s:\n    a|fieldref: d\n  condition: s", record),
        "any text of the other"
    );
    assert!(!matches(
        "  s:\n    a|fieldref|endswith: c\n  condition: s",
        record
    ));
    assert!(!matches(
        "  s:\n    a|fieldref: missing\n  condition: s",
        record
    ));
    assert!(matches(
        "  s:\n    a|fieldref|contains: c\n  condition: s",
        r#"{"a":"xAly","c":"al"}"#
    ));
    assert!(
        !matches(
            "  s:\n    a|fieldref: b\n  condition: s",
            r#"{"a":"*","b":"x"}"#
        ),
        "no wildcards"
    );
    refused(&[(
        "  s:\n    a|fieldref: 'b|contains'\n  condition: s",
        "names a field",
    )]);
}

#[test]
fn timestamp_parts() {
    let record = r#"{"eventTime":"2026-03-01T14:05:09Z"}"#;
    assert!(matches(
        "  s:\n    eventTime|hour: 14\n  condition: s",
        record
    ));
    assert!(matches(
        "  s:\n    eventTime|week: 9\n  condition: s",
        record
    ));
    assert!(!matches(
        "  s:\n    eventTime|hour: 15\n  condition: s",
        record
    ));
    assert!(!matches(
        "  s:\n    eventTime|day: 1\n  condition: s",
        r#"{"eventTime":"2026-02-30T14:05:09Z"}"#
    ));
    refused(&[(
        "  s:\n    eventTime|hour: -1\n  condition: s",
        "non-negative integer",
    )]);
}

#[test]
fn cidr_items() {
    let d = "  s:\n    sourceIPAddress|cidr: [10.0.0.0/8, '2001:db8::/32']\n  condition: s";
    assert!(matches(d, r#"{"sourceIPAddress":"10.9.8.7"}"#));
    assert!(matches(d, r#"{"sourceIPAddress":"2001:db8::5"}"#));
    assert!(!matches(
        d,
        r#"{"sourceIPAddress":"cloudtrail.amazonaws.com"}"#
    ));
    refused(&[("  s:\n    a|cidr: 10.0.0.1/8\n  condition: s", "host bits")]);
}

#[test]
fn base64_items() {
    // "GetObject" is R2V0T2JqZWN0.
    assert!(matches(
        "  s:\n    a|base64: GetObject\n  condition: s",
        r#"{"a":"R2V0T2JqZWN0"}"#
    ));
    assert!(matches(
        "  s:\n    a|base64offset|contains: GetObject\n  condition: s",
        &format!(
            r#"{{"a":"{}"}}"#,
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "xxGetObjectyy")
        )
    ));
    refused(&[
        (
            "  s:\n    a|base64: 'a*'\n  condition: s",
            "unescaped wildcard",
        ),
        (
            "  s:\n    a|base64offset: x\n  condition: s",
            "needs `contains`",
        ),
    ]);
}

#[test]
fn unsupported_and_malformed_modifiers_fail_the_load() {
    refused(&[
        (
            "  s:\n    a|windash: x\n  condition: s",
            "`windash` is not supported",
        ),
        (
            "  s:\n    a|wide|base64: x\n  condition: s",
            "`wide` is not supported",
        ),
        (
            "  s:\n    a|expand: x\n  condition: s",
            "`expand` is not supported",
        ),
        (
            "  s:\n    a|Contains: x\n  condition: s",
            "unknown modifier `Contains`",
        ),
        (
            "  s:\n    a|contains|contains: x\n  condition: s",
            "given twice",
        ),
        (
            "  s:\n    a|re|cased: x\n  condition: s",
            "`cased` applies only",
        ),
        ("  s:\n    a|gt|lt: 1\n  condition: s", "cannot be combined"),
    ]);
}

// ---- Keywords ----

#[test]
fn keywords_look_into_the_records_decoded_text() {
    let record = r#"{"a":"say \"hi\"","b":"\u00e9t\u00e9"}"#;
    assert!(matches("  k:\n    - 'say \"hi\"'\n  condition: k", record));
    assert!(
        !matches("  k:\n    - 'say \\\"hi\\\"'\n  condition: k", record),
        "the escaped form is not the text"
    );
    assert!(
        matches("  k: ÉTÉ\n  condition: k", record),
        "one scalar; folded; decoded"
    );
    assert!(
        matches("  k:\n    - nope\n    - 'say'\n  condition: k", record),
        "a list is an OR"
    );
    assert!(matches(
        "  k:\n    '|all': [say, été]\n  condition: k",
        record
    ));
    assert!(!matches(
        "  k:\n    '|all': [say, nope]\n  condition: k",
        record
    ));
    assert!(
        matches("  k:\n    '': [nope, say]\n  condition: k", record),
        "no modifier: an OR"
    );
    assert!(!matches("  k:\n    '|cased': SAY\n  condition: k", record));
    assert!(matches("  k:\n    '|cased': say\n  condition: k", record));
    // Beside field items, one more AND item.
    assert!(matches(
        "  k:\n    '|all': [say, hi]\n    a|contains: say\n  condition: k",
        record
    ));
    assert!(!matches(
        "  k:\n    '|all': [say, hi]\n    a: x\n  condition: k",
        record
    ));
    assert!(
        matches("  k: 's?y'\n  condition: k", record),
        "wildcards apply"
    );
    refused(&[
        (
            "  k:\n    - ~\n  condition: k",
            "a keyword must not be null",
        ),
        (
            "  k:\n    '|contains': x\n  condition: k",
            "keywords take only",
        ),
        ("  k:\n    '|neq': x\n  condition: k", "keywords take only"),
    ]);
}
