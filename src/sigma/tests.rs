//! SIGMA.md sentence by sentence: loading and scope, rule keys, texts, fields, search
//! identifiers, modifiers, keywords and the condition, each with its examples.

use super::*;
use crate::record::{extract, FieldPlan, Fields, Record};

const ID: &str = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";

/// A whole in-scope rule around `detection` (indented by the caller's two spaces).
fn rule_with(detection: &str) -> String {
    format!(
        "title: t\nid: {ID}\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n{detection}\n"
    )
}

fn source(text: &str) -> SigmaSource {
    SigmaSource {
        origin: "rules/test.yml".to_owned(),
        text: text.to_owned(),
    }
}

fn load_one(text: &str) -> Result<Loaded, SigmaError> {
    load(&[source(text)])
}

/// The ids of the rules of `text` that match `record`.
fn hits(text: &str, record: &str) -> Vec<String> {
    let loaded = load_one(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut plan = FieldPlan::new();
    let set = SigmaSet::compile(&loaded.rules, &mut plan);
    let mut fields = Fields::new(&plan);
    extract(&plan, record, &mut fields).unwrap();
    let rec = Record::new(record, &fields);
    let mut ids = Vec::new();
    set.for_each_match(&rec, |r| ids.push(r.rule_id.clone()));
    ids
}

/// Whether the rule with detection `detection` matches `record`.
fn matches(detection: &str, record: &str) -> bool {
    !hits(&rule_with(detection), record).is_empty()
}

fn load_error(text: &str) -> SigmaError {
    match load_one(text) {
        Ok(_) => panic!("loaded:\n{text}"),
        Err(e) => e,
    }
}

fn detection_error(detection: &str) -> String {
    load_error(&rule_with(detection)).to_string()
}

/// Asserts that each detection fails the load with a message holding its fragment.
fn refused(cases: &[(&str, &str)]) {
    for (detection, want) in cases {
        let e = detection_error(detection);
        assert!(e.contains(want), "{detection}\n→ {e}");
    }
}

// ---- Loading ----

#[test]
fn documents_are_rules_and_empty_ones_are_ignored() {
    let two = format!(
        "{}---\n---\n{}",
        rule_with("  s: {eventName: A}\n  condition: s"),
        rule_with("  s: {eventName: B}\n  condition: s")
            .replace(ID, "1b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d")
    );
    let loaded = load_one(&two).unwrap();
    assert_eq!(loaded.rules.len(), 2);
    assert_eq!(loaded.skipped, 0);
}

#[test]
fn invalid_yaml_duplicates_anchors_aliases_and_tags_fail_the_load() {
    let cases = [
        ("title: [\n", "invalid YAML"),
        (
            "title: t\ntitle: u\n",
            "rules/test.yml:2: duplicate key `title` (first on line 1)",
        ),
        ("a: &x 1\n", "anchors"),
        ("a: !!str 1\n", "tags"),
        ("a: *x\n", "unknown anchor"),
    ];
    for (text, want) in cases {
        let e = load_error(text).to_string();
        assert!(e.contains(want), "{text:?} → {e}");
    }
    // Duplicates are refused in any mapping, also deep inside the detection.
    let e = detection_error("  s:\n    eventName: A\n    eventName: B\n  condition: s");
    assert!(e.contains("duplicate key `eventName`"), "{e}");
}

#[test]
fn scope_is_product_aws_and_service_cloudtrail_exactly() {
    let doc = |product: &str, service: &str| {
        format!("title: t\nlogsource:\n  product: {product}\n  service: {service}\n  category: x\ndetection: 5\n")
    };
    for (p, s) in [
        ("AWS", "cloudtrail"),
        ("aws", "CloudTrail"),
        ("aws", "s3"),
        ("gcp", "cloudtrail"),
    ] {
        let loaded = load_one(&doc(p, s)).unwrap();
        assert_eq!(
            (loaded.rules.len(), loaded.skipped),
            (0, 1),
            "{p}/{s}: skipped unchecked"
        );
    }
    let missing_service = "title: t\nlogsource:\n  product: aws\ndetection: 5\n";
    assert_eq!(load_one(missing_service).unwrap().skipped, 1);
    let loaded = load_one(&format!("{}---\n{}", doc("aws", "s3"), doc("windows", "x"))).unwrap();
    assert_eq!(
        loaded.skipped_line().as_deref(),
        Some("sigma: skipped 2 rules outside product aws / service cloudtrail")
    );
    assert_eq!(Loaded::default().skipped_line(), None);
}

#[test]
fn documents_that_are_not_rules_fail_the_load() {
    let cases = [
        ("- a\n- b\n", "must be a mapping"),
        ("just text\n", "must be a mapping"),
        ("title: t\n", "no `logsource`"),
        (
            "title: t\nlogsource: aws\n",
            "`logsource` must be a mapping",
        ),
        (
            "correlation:\n  type: event_count\nlogsource:\n  product: windows\n",
            "`correlation`",
        ),
        ("action: global\nlogsource:\n  product: aws\n", "`action`"),
    ];
    for (text, want) in cases {
        let e = load_error(text).to_string();
        assert!(e.contains(want), "{text:?} → {e}");
    }
}

#[test]
fn load_errors_name_file_and_line() {
    let text = rule_with("  s:\n    eventName|nope: A\n  condition: s");
    let e = load_error(&text);
    assert_eq!(e.origin, "rules/test.yml");
    assert_eq!(e.line, Some(8));
    assert_eq!(
        e.to_string(),
        "sigma: rules/test.yml:8: search identifier `s`: `eventName|nope`: unknown modifier `nope`"
    );
}

#[test]
fn paths_are_files_or_folders_read_in_byte_order() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("b.yml", "x: 1\n");
    write("a/z.yaml", "x: 2\n");
    write("B.yml", "x: 3\n");
    write("c.txt", "not read\n");
    write("d.yml.bak", "not read\n");
    let sources = read_path(dir.path()).unwrap();
    let names: Vec<String> = sources
        .iter()
        .map(|s| s.origin[dir.path().display().to_string().len() + 1..].to_owned())
        .collect();
    assert_eq!(names, ["B.yml", "a/z.yaml", "b.yml"]);
    let one = read_path(&dir.path().join("c.txt")).unwrap();
    assert_eq!(one.len(), 1, "a file is read whatever its name");

    let empty = tempfile::tempdir().unwrap();
    let e = read_path(empty.path()).unwrap_err();
    assert!(e.to_string().contains("holds no .yml or .yaml file"), "{e}");
    let e = read_path(&empty.path().join("missing")).unwrap_err();
    assert!(e.to_string().contains("cannot be read"), "{e}");
    std::fs::write(empty.path().join("bad.yml"), [0xff, 0xfe]).unwrap();
    let e = read_path(empty.path()).unwrap_err();
    assert!(e.to_string().contains("is not UTF-8"), "{e}");
}

// ---- Rule keys ----

#[test]
fn ids_are_uuids_and_unique_ignoring_case() {
    let with_id = |id: &str| rule_with("  s: {eventName: A}\n  condition: s").replace(ID, id);
    let loaded = load_one(&with_id("0B1C2D3E-4F50-4A6B-8C7D-9E0F1A2B3C4D")).unwrap();
    assert_eq!(
        loaded.rules[0].rule_id, "sigma.0B1C2D3E-4F50-4A6B-8C7D-9E0F1A2B3C4D",
        "as written"
    );
    for bad in [
        "abc",
        "0b1c2d3e4f504a6b8c7d9e0f1a2b3c4d",
        "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4g",
        "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4",
    ] {
        let e = load_error(&with_id(bad)).to_string();
        assert!(e.contains("is not a UUID"), "{bad}: {e}");
    }
    let e = load_error(&rule_with("  s: a\n  condition: s").replace(&format!("id: {ID}\n"), ""))
        .to_string();
    assert!(e.contains("no `id`"), "{e}");
    let twice = format!("{}---\n{}", with_id(ID), with_id(&ID.to_uppercase()));
    let e = load_error(&twice);
    assert_eq!(e.line, Some(10));
    assert!(e.reason.contains("already used by rules/test.yml:1"), "{e}");
    // Across files too.
    let e = load(&[
        source(&with_id(ID)),
        SigmaSource {
            origin: "other.yml".into(),
            text: with_id(ID),
        },
    ])
    .unwrap_err();
    assert_eq!(e.origin, "other.yml");
}

#[test]
fn title_level_tags_and_description() {
    let base = rule_with("  s: a\n  condition: s");
    let loaded = load_one(&base).unwrap();
    let r = &loaded.rules[0];
    assert_eq!(
        (r.title.as_str(), r.severity),
        ("t", crate::rules::Severity::Medium),
        "missing level is medium"
    );
    assert!(r.tags.is_empty() && r.description.is_none());
    for (level, severity) in [
        ("informational", "info"),
        ("low", "low"),
        ("medium", "medium"),
        ("high", "high"),
        ("critical", "critical"),
    ] {
        let loaded = load_one(&format!("{base}level: {level}\n")).unwrap();
        assert_eq!(loaded.rules[0].severity.as_str(), severity);
    }
    let empty = load_one(&format!("{base}level:\n")).unwrap();
    assert_eq!(
        empty.rules[0].severity.as_str(),
        "medium",
        "an empty level is none"
    );
    for bad in ["High", "info", "'5'", "[high]"] {
        let e = load_error(&format!("{base}level: {bad}\n")).to_string();
        assert!(e.contains("`level` must be"), "{bad}: {e}");
    }
    let tagged = load_one(&format!(
        "{base}tags:\n  - attack.t1078\n  - 5\n  - True\n  - 'x y'\ndescription: words\n"
    ))
    .unwrap();
    assert_eq!(tagged.rules[0].tags, ["attack.t1078", "5", "True", "x y"]);
    assert_eq!(tagged.rules[0].description.as_deref(), Some("words"));
    for (extra, want) in [
        ("tags:\n  - a\n  - ~\n", "non-null scalars"),
        ("tags:\n  - [a]\n", "non-null scalars"),
        ("tags: a\n", "must be a list"),
        ("description: [a]\n", "must be a string"),
        ("title2: x\ntimeframe: 5m\n", ""),
    ] {
        let result = load_one(&format!("{base}{extra}"));
        match want {
            "" => assert!(result.is_ok(), "other keys are not read: {extra}"),
            want => assert!(result.unwrap_err().to_string().contains(want), "{extra}"),
        }
    }
    let untitled = base.replace("title: t\n", "title: ''\n");
    assert!(load_error(&untitled)
        .to_string()
        .contains("must not be empty"));
    let no_title = base.replace("title: t\n", "");
    assert!(load_error(&no_title).to_string().contains("no `title`"));
}

#[test]
fn listing_is_the_rules_line() {
    let text = format!(
        "{}level: informational\ntags: [a.b, c]\n",
        rule_with("  s: a\n  condition: s")
    );
    let loaded = load_one(&text).unwrap();
    assert_eq!(
        serde_json::to_string(&loaded.rules[0].listing()).unwrap(),
        format!(
            r#"{{"id":"sigma.{ID}","title":"t","severity":"info","pattern":null,"description":null,"enabled":true,"source":"sigma","file":"rules/test.yml","tags":["a.b","c"]}}"#
        )
    );
}

#[test]
fn detection_needs_a_condition_and_refuses_timeframe() {
    refused(&[
        ("  s: a", "has no `condition`"),
        ("  s: a\n  condition: s\n  timeframe: 5m", "`timeframe`"),
        ("  s: a\n  condition: [s, 5]\n  x: ~", "must not be empty"),
        ("  s: a\n  condition: {s: 1}", "string or a list of strings"),
        ("  s: a\n  condition: []", "string or a list of strings"),
        (
            "  s.x: a\n  condition: s.x",
            "not a valid search identifier",
        ),
        ("  '12': a\n  condition: s", "not a valid search identifier"),
        ("  and: a\n  condition: s", "not a valid search identifier"),
    ]);
    let e = load_error(
        &rule_with("  s: a\n  condition: s").replace("detection:\n  s: a\n  condition: s\n", ""),
    )
    .to_string();
    assert!(e.contains("no `detection`"), "{e}");
}

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

// ---- Condition ----

#[test]
fn conditions_combine_identifiers() {
    let d = "  a: {x: 1}\n  b: {y: 1}\n  condition: a and not b";
    assert!(matches(d, r#"{"x":1}"#) && !matches(d, r#"{"x":1,"y":1}"#));
    let d = "  a: {x: 1}\n  b: {y: 1}\n  c: {z: 1}\n  condition: a or b and c";
    assert!(matches(d, r#"{"x":1}"#), "and binds tighter");
    assert!(!matches(d, r#"{"y":1}"#));
    let d = "  a: {x: 1}\n  b: {y: 1}\n  c: {z: 1}\n  condition: (a or b) and c";
    assert!(!matches(d, r#"{"x":1}"#) && matches(d, r#"{"x":1,"z":1}"#));
    let d = "  a: {x: 1}\n  b: {y: 1}\n  condition:\n    - a\n    - b";
    assert!(matches(d, r#"{"y":1}"#), "a list is the OR");
}

#[test]
fn of_patterns_and_them_leave_out_underscore_names() {
    let base = "  selection_a: {x: 1}\n  selection_b: {y: 1}\n  _hidden: {z: 1}\n  condition: ";
    let m = |cond: &str, rec: &str| matches(&format!("{base}{cond}"), rec);
    assert!(m("1 of selection_*", r#"{"y":1}"#));
    assert!(m("any of selection_*", r#"{"x":1}"#));
    assert!(!m("all of selection_*", r#"{"x":1}"#));
    assert!(m("all of selection_*", r#"{"x":1,"y":1}"#));
    assert!(
        m("all of them", r#"{"x":1,"y":1}"#),
        "`them` leaves out _hidden"
    );
    assert!(!m("1 of them", r#"{"z":1}"#));
    assert!(
        m("1 of _*", r#"{"z":1}"#),
        "a pattern starting with _ takes them"
    );
    assert!(m("all of *_b", r#"{"y":1}"#));
    for (cond, want) in [
        ("2 of them", "`2 of` is not supported"),
        ("1 of nothing*", "matches no"),
        ("selection_c", "not defined"),
        ("selection_a | count() > 3", "aggregations"),
        ("selection_a | near selection_b", "aggregations"),
        ("selection_a AND selection_b", "unexpected `AND`"),
        ("(selection_a", "without its"),
    ] {
        let e = detection_error(&format!("{base}{cond}"));
        assert!(e.contains(want), "{cond}: {e}");
    }
}

// ---- The SigmaHQ rules, read this way ----

#[test]
fn sigmahq_readings() {
    assert!(matches(
        "  s:\n    additionalEventData.MFAUsed: 'NO'\n  condition: s",
        r#"{"additionalEventData":{"MFAUsed":"No"}}"#
    ));
    assert!(matches(
        "  s:\n    errorCode: null\n  condition: s",
        r#"{"eventName":"x"}"#
    ));
    assert!(matches(
        "  s:\n    responseElements|contains: Failure\n  condition: s",
        r#"{"responseElements":{"ConsoleLogin":"Failure"}}"#
    ));
    assert!(matches(
        "  s:\n    requestParameters|contains: '\"s3:GetObject\"'\n  condition: s",
        r#"{"requestParameters":{"policyDocument":"{\"Action\":\"s3:GetObject\"}"}}"#
    ));
    let any_message = "  s:\n    errorMessage|contains: '*'\n  condition: s";
    assert!(
        matches(any_message, r#"{"errorMessage":"x"}"#)
            && matches(any_message, r#"{"errorMessage":""}"#)
    );
    assert!(!matches(any_message, r#"{"errorMessage":null}"#) && !matches(any_message, r#"{}"#));
    let literal =
        "  s:\n    userIdentity.arn|contains: responseElements.accessKey.userName\n  condition: s";
    assert!(!matches(
        literal,
        r#"{"userIdentity":{"arn":"arn:aws:iam::1:user/bob"},"responseElements":{"accessKey":{"userName":"bob"}}}"#
    ));
    assert!(matches(
        literal,
        r#"{"userIdentity":{"arn":"x responseElements.accessKey.userName"}}"#
    ));
}

// ---- The index ----

#[test]
fn the_index_files_rules_and_never_loses_a_match() {
    let rules = [
        "  s:\n    eventSource: iam.amazonaws.com\n    eventName: [CreateUser, DeleteUser]\n  condition: s",
        "  s:\n    eventSource: s3.amazonaws.com\n  condition: s",
        "  s:\n    eventName|contains: Create\n  condition: s",
        "  a:\n    eventName: CreateUser\n  b:\n    eventName: DeleteUser\n  condition: a or b",
        "  a:\n    eventName: CreateUser\n  b:\n    eventSource: s3.amazonaws.com\n  condition: a or b",
        "  a:\n    eventName: CreateUser\n  condition: not a",
        "  a:\n    eventName|cased: CreateUser\n  condition: a",
        "  a:\n    eventName|neq: CreateUser\n  condition: a",
    ];
    let text: String = rules
        .iter()
        .enumerate()
        .map(|(i, d)| {
            rule_with(d).replace(ID, &format!("00000000-0000-0000-0000-00000000000{i}")) + "---\n"
        })
        .collect();
    let loaded = load_one(&text).unwrap();
    let mut plan = FieldPlan::new();
    let set = SigmaSet::compile(&loaded.rules, &mut plan);
    // Filed by name: 0, 3, 6; by source: 1; unfiled: 2 (wildcards), 4 (mixed), 5 (not), 7 (neq).
    assert_eq!(set.filing(), (3, 1, 4));
    let id = |i: usize| format!("sigma.00000000-0000-0000-0000-00000000000{i}");
    let run = |record: &str| hits(&text, record);
    assert_eq!(
        run(r#"{"eventSource":"iam.amazonaws.com","eventName":"createuser"}"#),
        [id(0), id(2), id(3), id(4)],
        "folded lookup; in load order"
    );
    assert_eq!(
        run(r#"{"eventSource":"iam.amazonaws.com","eventName":"CreateUser"}"#),
        [id(0), id(2), id(3), id(4), id(6)]
    );
    assert_eq!(
        run(r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#),
        [id(1), id(4), id(5), id(7)]
    );
    assert_eq!(
        run(r#"{"eventSource":"x"}"#),
        [id(5), id(7)],
        "no eventName: filed rules cannot hold"
    );
    assert_eq!(
        run(r#"{"eventSource":"x","eventName":["CreateUser"]}"#),
        [id(2), id(3), id(4), id(6)],
        "an array: every rule is evaluated"
    );
}

#[test]
fn the_benchmark_pack_is_filed_by_event_name_but_for_four() {
    let loaded = load_one(&trailwatch_synth::sigma_pack()).unwrap();
    assert_eq!((loaded.rules.len(), loaded.skipped), (57, 0));
    let set = SigmaSet::compile(&loaded.rules, &mut FieldPlan::new());
    assert_eq!(set.filing(), (53, 0, 4));
}
