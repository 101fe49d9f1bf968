//! Custom rules file tests: merging into the pack and every load error with its position.

use crate::rules::*;

const ORIGIN: &str = "rules.toml";

fn load(text: &str) -> Result<Vec<RuleDef>, RuleError> {
    effective_rules(Some((ORIGIN, text)))
}

fn loaded(text: &str) -> Vec<RuleDef> {
    load(text).unwrap_or_else(|e| panic!("should load: {e}\n{text}"))
}

fn find<'a>(rules: &'a [RuleDef], id: &str) -> &'a RuleDef {
    rules
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("rule {id} missing"))
}

fn at(line: usize, column: usize) -> FilePos {
    FilePos {
        origin: ORIGIN.to_owned(),
        line,
        column,
    }
}

#[test]
fn no_file_means_the_builtin_pack() {
    assert_eq!(effective_rules(None), Ok(builtin_rules()), "no custom file");
    assert_eq!(loaded(""), builtin_rules(), "empty custom file");
    assert_eq!(loaded("rules = []"), builtin_rules(), "empty rules array");
}

#[test]
fn new_rule_is_added_after_the_pack() {
    let rules = loaded(
        r#"
[[rules]]
id = "team-x.stop-logging"
title = "Someone stopped a trail"
severity = "high"
pattern = '{ $.eventName = "StopLogging" }'
description = "Page the on-call."

[[rules]]
id = "team_y-2"
title = "Quiet"
severity = "info"
pattern = "{$.a EXISTS}"
enabled = false
"#,
    );
    let builtin = builtin_rules();
    assert_eq!(
        &rules[..builtin.len()],
        &builtin[..],
        "pack unchanged and first"
    );
    let added = &rules[builtin.len()..];
    let want = [
        RuleDef {
            id: "team-x.stop-logging".to_owned(),
            title: "Someone stopped a trail".to_owned(),
            severity: Severity::High,
            pattern: r#"{ $.eventName = "StopLogging" }"#.to_owned(),
            description: Some("Page the on-call.".to_owned()),
            enabled: true,
            source: RuleSource::Custom(ORIGIN.to_owned()),
        },
        RuleDef {
            id: "team_y-2".to_owned(),
            title: "Quiet".to_owned(),
            severity: Severity::Info,
            pattern: "{$.a EXISTS}".to_owned(),
            description: None,
            enabled: false,
            source: RuleSource::Custom(ORIGIN.to_owned()),
        },
    ];
    assert_eq!(
        added,
        &want[..],
        "new rules follow in file order, enabled by default"
    );
}

#[test]
fn builtin_id_replaces_the_rule_in_place() {
    let rules = loaded(
        r#"
[[rules]]
id = "CloudWatch.5"
title = "Trail changed"
severity = "critical"
pattern = "{$.eventName = StopLogging}"
description = "Only stops."
"#,
    );
    assert_eq!(rules.len(), builtin_rules().len(), "replacing adds no rule");
    assert_eq!(rules[4].id, "CloudWatch.5", "replaced rule keeps its place");
    assert_eq!(
        rules[4],
        RuleDef {
            id: "CloudWatch.5".to_owned(),
            title: "Trail changed".to_owned(),
            severity: Severity::Critical,
            pattern: "{$.eventName = StopLogging}".to_owned(),
            description: Some("Only stops.".to_owned()),
            enabled: true,
            source: RuleSource::Custom(ORIGIN.to_owned()),
        },
        "every given field replaces the built-in one"
    );
}

#[test]
fn enabled_false_alone_turns_a_builtin_off() {
    let rules = loaded("[[rules]]\nid = \"CloudWatch.2\"\nenabled = false\n");
    let builtin = builtin_rules();
    let off = find(&rules, "CloudWatch.2");
    let original = find(&builtin, "CloudWatch.2");
    assert!(!off.enabled, "disable: CloudWatch.2 is off");
    assert_eq!(
        (&off.title, off.severity, &off.pattern),
        (&original.title, original.severity, &original.pattern),
        "disable: other fields inherited"
    );
    let mut plan = crate::record::FieldPlan::new();
    let set = RuleSet::compile(&rules, &mut plan).unwrap();
    assert!(
        set.rules().iter().all(|r| r.def().id != "CloudWatch.2"),
        "disable: not compiled"
    );
    assert_eq!(
        set.rules().len(),
        builtin.len() - 1,
        "disable: the rest compiled"
    );
}

#[test]
fn omitted_fields_are_inherited() {
    let rules = loaded("[[rules]]\nid = \"CloudWatch.10\"\nseverity = \"low\"\n");
    let builtin = builtin_rules();
    let original = find(&builtin, "CloudWatch.10");
    let changed = find(&rules, "CloudWatch.10");
    assert_eq!(
        changed,
        &RuleDef {
            severity: Severity::Low,
            source: RuleSource::Custom(ORIGIN.to_owned()),
            ..original.clone()
        },
        "inherit: only the severity changes"
    );
}

#[test]
fn load_errors_name_their_position() {
    let cases: Vec<(&str, &str, RuleError)> = vec![
        (
            "unknown key in a rule",
            "[[rules]]\nid = \"a\"\ntitle = \"t\"\nseverity = \"low\"\npattern = \"{$.a EXISTS}\"\n  sevrity = \"high\"\n",
            RuleError::UnknownKey {
                at: at(6, 3),
                key: "sevrity".to_owned(),
                allowed: "id, title, severity, pattern, description, enabled",
            },
        ),
        (
            "unknown top-level key",
            "version = 2\n[[rules]]\nid = \"CloudWatch.1\"\n",
            RuleError::UnknownKey {
                at: at(1, 1),
                key: "version".to_owned(),
                allowed: "rules, suppress",
            },
        ),
        (
            "duplicate id",
            "[[rules]]\nid = \"CloudWatch.1\"\nenabled = false\n\n[[rules]]\nid = \"CloudWatch.1\"\n",
            RuleError::DuplicateId {
                at: at(6, 6),
                id: "CloudWatch.1".to_owned(),
                first_line: 2,
            },
        ),
        (
            "bad severity",
            "[[rules]]\nid = \"CloudWatch.1\"\nseverity = \"High\"\n",
            RuleError::BadSeverity {
                at: at(3, 12),
                value: "High".to_owned(),
            },
        ),
        (
            "bad id charset",
            "[[rules]]\nid = \"team x/1\"\n",
            RuleError::BadId {
                at: at(2, 6),
                id: "team x/1".to_owned(),
            },
        ),
        (
            "empty id",
            "[[rules]]\nid = \"\"\n",
            RuleError::BadId {
                at: at(2, 6),
                id: String::new(),
            },
        ),
        (
            "new rule without a title",
            "[[rules]]\nid = \"new\"\nseverity = \"low\"\npattern = \"{$.a EXISTS}\"\n",
            RuleError::MissingField {
                at: at(2, 6),
                id: "new".to_owned(),
                field: "title",
            },
        ),
        (
            "new rule without a severity",
            "[[rules]]\nid = \"new\"\ntitle = \"t\"\npattern = \"{$.a EXISTS}\"\n",
            RuleError::MissingField {
                at: at(2, 6),
                id: "new".to_owned(),
                field: "severity",
            },
        ),
        (
            "new rule without a pattern",
            "[[rules]]\nid = \"new\"\ntitle = \"t\"\nseverity = \"low\"\n",
            RuleError::MissingField {
                at: at(2, 6),
                id: "new".to_owned(),
                field: "pattern",
            },
        ),
        (
            "wrong type for enabled",
            "[[rules]]\nid = \"CloudWatch.1\"\nenabled = \"no\"\n",
            RuleError::WrongType {
                at: at(3, 11),
                key: "enabled",
                expected: "a boolean",
            },
        ),
        (
            "wrong type for title",
            "[[rules]]\nid = \"CloudWatch.1\"\ntitle = 5\n",
            RuleError::WrongType {
                at: at(3, 9),
                key: "title",
                expected: "a string",
            },
        ),
        (
            "wrong type for id",
            "[[rules]]\nid = 1\n",
            RuleError::WrongType {
                at: at(2, 6),
                key: "id",
                expected: "a string",
            },
        ),
    ];
    for (case, text, want) in cases {
        assert_eq!(load(text), Err(want), "load error case: {case}");
    }
}

#[test]
fn rule_without_id_is_an_error_at_its_table() {
    let err = load("[[rules]]\ntitle = \"t\"\n").expect_err("missing id");
    assert_eq!(
        err,
        RuleError::MissingId { at: at(1, 1) },
        "missing id: at the table header"
    );
}

#[test]
fn bad_pattern_names_file_position_and_pattern_column() {
    let text =
        "[[rules]]\nid = \"new\"\ntitle = \"t\"\nseverity = \"low\"\n  pattern = '{ $.a = }'\n";
    match load(text) {
        Err(RuleError::Pattern {
            rule_id,
            at: Some(at_pos),
            source,
        }) => {
            assert_eq!(rule_id, "new", "bad pattern: rule id");
            assert_eq!(
                at_pos,
                at(5, 13),
                "bad pattern: position of the pattern value"
            );
            assert_eq!(source.column(), 9, "bad pattern: column in the pattern");
        }
        other => panic!("bad pattern: expected a pattern error, got {other:?}"),
    }
    let shown = load(text).unwrap_err().to_string();
    assert!(
        shown.starts_with("rules.toml:5:13: rule `new`"),
        "bad pattern message: {shown}"
    );
    assert!(shown.contains("column 9"), "bad pattern message: {shown}");
}

#[test]
fn patterns_of_disabled_rules_are_validated() {
    let cases = [
        ("disabled new rule", "[[rules]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"low\"\nenabled = false\npattern = \"{$.a <\"\n"),
        ("disabled built-in", "[[rules]]\nid = \"CloudWatch.3\"\nenabled = false\npattern = \"{$.a = %%}\"\n"),
    ];
    for (case, text) in cases {
        assert!(
            matches!(load(text), Err(RuleError::Pattern { at: Some(_), .. })),
            "disabled pattern validated: {case}"
        );
    }
}

#[test]
fn toml_errors_carry_line_and_column() {
    let cases = [
        ("syntax error", "[[rules]]\nid = \"a\nseverity = 1\n", 2),
        ("rules as a table", "[rules]\nid = \"a\"\n", 1),
        ("rules as a number", "\n\nrules = 3\n", 3),
        (
            "duplicate TOML key",
            "[[rules]]\nid = \"a\"\nid = \"b\"\n",
            3,
        ),
    ];
    for (case, text, line) in cases {
        match load(text) {
            Err(RuleError::Toml {
                origin,
                line_col: Some((l, c)),
                message,
            }) => {
                assert_eq!(origin, ORIGIN, "toml error origin: {case}");
                assert_eq!(l, line, "toml error line: {case}: {message}");
                assert!(c >= 1, "toml error column: {case}");
                assert!(!message.is_empty(), "toml error message: {case}");
            }
            other => panic!("toml error case {case}: got {other:?}"),
        }
    }
}

#[test]
fn columns_count_characters() {
    let text = "[[rules]]\nid = \"CloudWatch.1\"\ntitle = \"é—ü\"; severity = \"nope\"\n";
    // The `;` after the multibyte title is a TOML syntax error: column 14 in characters, 18 in bytes.
    match load(text) {
        Err(RuleError::Toml {
            line_col: Some((3, column)),
            ..
        }) => assert_eq!(column, 14, "column counted in characters"),
        other => panic!("columns count characters: got {other:?}"),
    }
}

#[test]
fn rule_source_serialises_as_builtin_or_origin() {
    let rules = loaded("[[rules]]\nid = \"CloudWatch.2\"\nenabled = false\n");
    let json = |id: &str| serde_json::to_value(find(&rules, id)).unwrap();
    assert_eq!(json("CloudWatch.1")["source"], "builtin", "built-in source");
    assert_eq!(json("CloudWatch.2")["source"], ORIGIN, "custom source");
    assert_eq!(
        json("CloudWatch.2")["severity"],
        "low",
        "severity lower-case"
    );
    assert_eq!(json("CloudWatch.2")["enabled"], false, "enabled serialised");
}
