//! How rule values and record values become texts, and which values a dotted field gives.

use super::*;

// ---- Texts ----

#[test]
fn plain_scalars_are_their_characters_as_written() {
    for (value, record) in [
        ("5", r#"{"a":5}"#),
        ("05", r#"{"a":"05"}"#),
        ("1.10", r#"{"a":1.10}"#),
        ("0x1F", r#"{"a":"0x1F"}"#),
        ("True", r#"{"a":true}"#),
    ] {
        assert!(
            matches(&format!("  s:\n    a: {value}\n  condition: s"), record),
            "{value}"
        );
    }
    assert!(
        !matches("  s:\n    a: 05\n  condition: s", r#"{"a":5}"#),
        "`05` is not `5`"
    );
    assert!(
        !matches("  s:\n    a: 1.10\n  condition: s", r#"{"a":1.1}"#),
        "`1.10` is not `1.1`"
    );
    // null, Null, NULL, ~ and the empty value are null: they hold for a missing field.
    for null in ["null", "Null", "NULL", "~", ""] {
        let d = format!("  s:\n    a: {null}\n  condition: s");
        assert!(matches(&d, r#"{"b":1}"#), "{null:?}");
        assert!(
            !matches(&d, r#"{"a":"null"}"#),
            "{null:?} is not the text null"
        );
    }
    assert!(
        matches("  s:\n    a: 'null'\n  condition: s", r#"{"a":"null"}"#),
        "'null' is text"
    );
    assert!(!matches(
        "  s:\n    a: 'null'\n  condition: s",
        r#"{"a":null}"#
    ));
    assert!(
        matches("  s:\n    a: \"a\\tb\"\n  condition: s", r#"{"a":"A\tB"}"#),
        "a tab"
    );
    assert!(
        matches(
            "  s:\n    a: |\n      x\n  condition: s",
            "{\"a\":\"x\\n\"}"
        ),
        "block content"
    );
}

#[test]
fn record_numbers_and_booleans_are_their_json_text() {
    for (value, record) in [
        ("'1.50'", r#"{"a":1.50}"#),
        ("'1e3'", r#"{"a":1e3}"#),
        ("'-0'", r#"{"a":-0}"#),
        ("'false'", r#"{"a":false}"#),
        ("'true'", r#"{"a":true}"#),
    ] {
        assert!(
            matches(&format!("  s:\n    a: {value}\n  condition: s"), record),
            "{value}"
        );
    }
    assert!(!matches(
        "  s:\n    a: '1.5'\n  condition: s",
        r#"{"a":1.50}"#
    ));
    assert!(!matches(
        "  s:\n    a: '1000'\n  condition: s",
        r#"{"a":1e3}"#
    ));
}

#[test]
fn strings_are_their_decoded_value() {
    assert!(matches(
        "  s:\n    a: 'x\"y/é'\n  condition: s",
        r#"{"a":"x\"y\/\u00e9"}"#
    ));
    assert!(
        matches(
            "  s:\n    a: '😀'\n  condition: s",
            r#"{"a":"\ud83d\ude00"}"#
        ),
        "a surrogate pair is one character"
    );
    assert!(
        matches(
            "  s:\n    a: '?'\n  condition: s",
            r#"{"a":"\ud83d\ude00"}"#
        ),
        "one character for `?`"
    );
}

#[test]
fn objects_are_their_text_with_escapes_replaced_once() {
    // {"a":"x\"y"} has the text {"a":"x"y"}.
    assert!(matches(
        "  s:\n    o: '{\"a\":\"x\"y\"}'\n  condition: s",
        r#"{"o":{"a":"x\"y"}}"#
    ));
    // { "p" : "\\n\/\u00e9" } has the text { "p" : "\n/é" }: a backslash, then n.
    assert!(matches(
        "  s:\n    o: '{ \"p\" : \"\\n/é\" }'\n  condition: s",
        r#"{"o":{ "p" : "\\n\/\u00e9" }}"#
    ));
    // White space, member order and number spellings as they stand; names decoded too.
    assert!(matches(
        "  s:\n    o|contains: '\"b\" :1.50'\n  condition: s",
        r#"{"o":{"\u0062" :1.50}}"#
    ));
    assert!(!matches(
        "  s:\n    o|contains: '\"b\":1.5'\n  condition: s",
        r#"{"o":{"b" :1.50}}"#
    ));
}

#[test]
fn json_null_has_no_text() {
    assert!(!matches(
        "  s:\n    a|contains: ''\n  condition: s",
        r#"{"a":null}"#
    ));
    assert!(!matches(
        "  s:\n    a: '*'\n  condition: s",
        r#"{"a":null}"#
    ));
    assert!(matches(
        "  s:\n    a: null\n  condition: s",
        r#"{"a":null}"#
    ));
}

// ---- Fields ----

#[test]
fn dotted_paths_walk_members_and_arrays() {
    let record = r#"{"requestParameters":{"containerDefinitions":[{"command":["sh","-c"]},{"command":["curl x"]},{"name":"n"}]}}"#;
    for value in ["sh", "-c", "curl x"] {
        assert!(
            matches(&format!("  s:\n    requestParameters.containerDefinitions.command: '{value}'\n  condition: s"), record),
            "{value}"
        );
    }
    assert!(!matches(
        "  s:\n    requestParameters.containerDefinitions: '*'\n  condition: s",
        r#"{"requestParameters":{"containerDefinitions":[]}}"#
    ));
    // Arrays inside arrays, and a final array flattened recursively.
    assert!(matches(
        "  s:\n    a.b: x\n  condition: s",
        r#"{"a":[[{"b":"x"}]]}"#
    ));
    assert!(matches(
        "  s:\n    a: x\n  condition: s",
        r#"{"a":[["y",["x"]]]}"#
    ));
    // Anything else, or a missing member, gives nothing.
    assert!(!matches(
        "  s:\n    a.b: '*'\n  condition: s",
        r#"{"a":"b"}"#
    ));
    assert!(!matches(
        "  s:\n    a.b: '*'\n  condition: s",
        r#"{"a":{"c":1}}"#
    ));
    // Case-sensitive names; a key holding `.` cannot be named.
    assert!(!matches("  s:\n    A: '*'\n  condition: s", r#"{"a":"x"}"#));
    assert!(!matches(
        "  s:\n    a.b: x\n  condition: s",
        r#"{"a.b":"x"}"#
    ));
    refused(&[
        ("  s:\n    a..b: x\n  condition: s", "empty step"),
        ("  s:\n    .a: x\n  condition: s", "empty step"),
        ("  s:\n    'a.': x\n  condition: s", "empty step"),
    ]);
}

#[test]
fn resources_empty_gives_no_value() {
    let record = r#"{"resources":[]}"#;
    assert!(!matches(
        "  s:\n    resources|contains: ''\n  condition: s",
        record
    ));
    assert!(
        matches("  s:\n    resources: null\n  condition: s", record),
        "no value: null holds"
    );
    assert!(
        matches("  s:\n    resources|exists: true\n  condition: s", record),
        "present though"
    );
}

#[test]
fn presence_counts_any_member_reached() {
    for record in [r#"{"a":null}"#, r#"{"a":[]}"#, r#"{"a":{}}"#, r#"{"a":""}"#] {
        assert!(
            matches("  s:\n    a|exists: true\n  condition: s", record),
            "{record}"
        );
        assert!(
            !matches("  s:\n    a|exists: false\n  condition: s", record),
            "{record}"
        );
    }
    assert!(
        matches(
            "  s:\n    a.b|exists: true\n  condition: s",
            r#"{"a":[{"c":1},{"b":null}]}"#
        ),
        "in one element"
    );
    assert!(!matches(
        "  s:\n    a.b|exists: true\n  condition: s",
        r#"{"a":[{"c":1}]}"#
    ));
    assert!(matches(
        "  s:\n    a.b|exists: false\n  condition: s",
        r#"{"x":1}"#
    ));
    for spelling in ["true", "True", "TRUE"] {
        assert!(matches(
            &format!("  s:\n    a|exists: {spelling}\n  condition: s"),
            r#"{"a":1}"#
        ));
    }
    for spelling in ["false", "False", "FALSE"] {
        assert!(matches(
            &format!("  s:\n    a|exists: {spelling}\n  condition: s"),
            r#"{"b":1}"#
        ));
    }
    refused(&[
        ("  s:\n    a|exists: yes\n  condition: s", "`exists` takes"),
        (
            "  s:\n    a|exists: 'true'\n  condition: s",
            "`exists` takes",
        ),
        ("  s:\n    a|exists: [true]\n  condition: s", "not a list"),
        (
            "  s:\n    a|exists|all: [true, false]\n  condition: s",
            "`all` cannot",
        ),
    ]);
}
