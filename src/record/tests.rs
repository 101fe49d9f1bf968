//! Scanner tests: grammar checks case by case, field capture, and a differential property test
//! against serde_json as the reference parser.

use super::json::*;
use super::scan::{same_name, scan_record};
use crate::record::{extract, FieldPlan, Fields, JsonRef, Record, Step};
use proptest::prelude::*;

/// Scans a whole text as one value. A trailing space is added because a number that ends the
/// buffer is `Incomplete` by design (a streamed buffer may stop mid-number).
fn skip_all(text: &str) -> Result<JsonType, ScanError> {
    let text = format!("{text} ");
    let buf = text.as_bytes();
    let start = skip_ws(buf, 0);
    let (end, ty) = skip_value(buf, start, 0)?;
    expect_only_whitespace(buf, end)?;
    Ok(ty)
}

#[test]
fn accepts_valid_values() {
    let cases = [
        ("null", JsonType::Null),
        ("true", JsonType::True),
        (" false ", JsonType::False),
        ("-0", JsonType::Number),
        ("12.5e-3", JsonType::Number),
        ("1E+9", JsonType::Number),
        (r#""plain""#, JsonType::String { escaped: false }),
        (
            r#""a\"b\\c\/\b\f\n\r\t\u00e9""#,
            JsonType::String { escaped: true },
        ),
        (
            "\"caf\u{e9} \u{1F600}\"",
            JsonType::String { escaped: false },
        ),
        ("{}", JsonType::Object),
        ("[]", JsonType::Array),
        (r#"{"a":[1,{"b":null},"x"],"c":{}}"#, JsonType::Object),
        ("[ 1 , [ ] , { \"k\" : \"v\" } ]", JsonType::Array),
    ];
    for (text, want) in cases {
        assert_eq!(skip_all(text), Ok(want), "case {text:?}");
    }
}

#[test]
fn rejects_invalid_values() {
    let cases = [
        "01",
        "1.",
        ".5",
        "+1",
        "1e",
        "tru",
        "nul",
        "NaN",
        "Infinity",
        "-Infinity",
        "'single'",
        r#""bad \x escape""#,
        r#""bad \u12G4""#,
        "\"raw\ttab\"",
        "\"raw\nnewline\"",
        "[1,]",
        "[1 2]",
        r#"{"a" 1}"#,
        r#"{"a":1,}"#,
        "{a:1}",
        r#"{"a":1]"#,
        "[1}",
        "{\"a\":1} x",
    ];
    for text in cases {
        assert!(skip_all(text).is_err(), "case {text:?} should be rejected");
    }
}

#[test]
fn truncated_values_are_incomplete() {
    for text in [
        r#"{"a":"#,
        r#"{"a":"xy"#,
        "[1,2",
        r#""abc\"#,
        r#""\u00"#,
        "tr",
        "-12",
        "{",
    ] {
        let buf = text.as_bytes();
        assert_eq!(
            skip_value(buf, 0, 0),
            Err(ScanError::Incomplete),
            "case {text:?}"
        );
    }
}

#[test]
fn nesting_is_bounded_without_recursion() {
    let ok = "[".repeat(MAX_DEPTH - 1) + &"]".repeat(MAX_DEPTH - 1);
    assert!(skip_all(&ok).is_ok(), "depth just under the limit");
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    assert!(
        matches!(skip_all(&deep), Err(ScanError::TooDeep { .. })),
        "100k-deep nesting"
    );
}

#[test]
fn nesting_limit_is_serde_jsons() {
    let serde_accepts = |text: &str| serde_json::from_str::<serde_json::Value>(text).is_ok();
    let plan = FieldPlan::new();
    let mut fields = Fields::new(&plan);
    for levels in [MAX_DEPTH, MAX_DEPTH + 1] {
        let arrays = "[".repeat(levels) + &"]".repeat(levels);
        assert_eq!(
            skip_all(&arrays).is_ok(),
            serde_accepts(&arrays),
            "{levels} arrays"
        );
        // The record object is the outermost level.
        let record = format!("{{\"a\":{}}}", &arrays[1..arrays.len() - 1]);
        let scanned = scan_record(record.as_bytes(), &plan, &mut fields);
        assert_eq!(
            scanned.is_ok(),
            serde_accepts(&record),
            "{levels}-level record"
        );
    }
}

#[test]
fn string_scan_finds_specials_in_every_word_position() {
    for len in 0..40 {
        let body = "x".repeat(len);
        let text = format!("\"{body}\"tail");
        assert_eq!(
            scan_string(text.as_bytes(), 0),
            Ok((len + 2, false)),
            "plain length {len}"
        );
        let text = format!("\"{body}\\n\"");
        assert_eq!(
            scan_string(text.as_bytes(), 0),
            Ok((len + 4, true)),
            "escape after {len}"
        );
        let text = format!("\"{body}\u{1}\"");
        assert_eq!(
            scan_string(text.as_bytes(), 0),
            Err(ScanError::ControlCharacter { offset: len + 1 }),
            "control character after {len}"
        );
    }
}

#[test]
fn unescape_decodes_every_escape() {
    let cases = [
        (r#"a\"b"#, "a\"b"),
        (r#"\\\/\b\f\n\r\t"#, "\\/\u{8}\u{c}\n\r\t"),
        (r#"\u00e9\u4e2d"#, "\u{e9}\u{4e2d}"),
        (r#"\ud83d\ude00"#, "\u{1F600}"),
        (r#"\ud83d alone"#, "\u{FFFD} alone"),
        (r#"\ude00"#, "\u{FFFD}"),
    ];
    for (raw, want) in cases {
        assert_eq!(unescape(raw), want, "case {raw:?}");
    }
}

fn plan_of(paths: &[&[Step]]) -> FieldPlan {
    let mut plan = FieldPlan::new();
    for p in paths {
        plan.slot_for(p);
    }
    plan
}

fn key(k: &str) -> Step {
    Step::Key(k.to_string())
}

#[test]
fn captures_wanted_values_and_skips_the_rest() {
    let mut plan = FieldPlan::new();
    let name = plan.slot_for(&[key("eventName")]);
    let kind = plan.slot_for(&[key("userIdentity"), key("type")]);
    let ident = plan.slot_for(&[key("userIdentity")]);
    let first_arn = plan.slot_for(&[key("resources"), Step::Index(0), key("ARN")]);
    let second = plan.slot_for(&[key("resources"), Step::Index(1)]);
    let missing = plan.slot_for(&[key("errorCode")]);
    let escaped = plan.slot_for(&[key("quote")]);
    let text = r#"{"eventVersion":"1.08","userIdentity":{"type":"Root","arn":"x"},
        "eventName":"StopLogging","resources":[{"ARN":"arn:1"},[2]],"quote":"say \"hi\""}"#;
    let mut fields = Fields::new(&plan);
    extract(&plan, text, &mut fields).unwrap();
    let rec = Record::new(text, &fields);
    assert_eq!(rec.get_str(name).as_deref(), Some("StopLogging"));
    assert_eq!(rec.get_str(kind).as_deref(), Some("Root"));
    assert!(
        matches!(rec.get(ident), Some(JsonRef::Object(o)) if o.starts_with('{') && o.ends_with('}'))
    );
    assert_eq!(rec.get_str(first_arn).as_deref(), Some("arn:1"));
    assert_eq!(rec.get(second), Some(JsonRef::Array("[2]")));
    assert_eq!(rec.get(missing), None);
    assert_eq!(rec.get_str(escaped).as_deref(), Some("say \"hi\""));
}

#[test]
fn selectors_through_the_wrong_type_resolve_to_nothing() {
    let plan = plan_of(&[
        &[key("a"), key("b")],
        &[key("n"), Step::Index(0)],
        &[key("s"), Step::Index(3)],
    ]);
    let text = r#"{"a":"not an object","n":{"0":1},"s":[1,2]}"#;
    let mut fields = Fields::new(&plan);
    extract(&plan, text, &mut fields).unwrap();
    assert!(
        fields.spans.iter().all(Option::is_none),
        "{:?}",
        fields.spans
    );
}

#[test]
fn duplicate_members_take_the_last_occurrence_whole() {
    let mut plan = FieldPlan::new();
    let t = plan.slot_for(&[key("u"), key("type")]);
    let by = plan.slot_for(&[key("u"), key("invokedBy")]);
    let text = r#"{"u":{"type":"Root","invokedBy":"svc"},"u":{"type":"IAMUser"}}"#;
    let mut fields = Fields::new(&plan);
    extract(&plan, text, &mut fields).unwrap();
    let rec = Record::new(text, &fields);
    assert_eq!(rec.get_str(t).as_deref(), Some("IAMUser"));
    assert_eq!(
        rec.get(by),
        None,
        "a member of the first occurrence must not survive"
    );
}

#[test]
fn escaped_member_names_are_matched_decoded() {
    let mut plan = FieldPlan::new();
    let s = plan.slot_for(&[key("eventName")]);
    let text = r#"{"event\u004eame":"X"}"#;
    let mut fields = Fields::new(&plan);
    extract(&plan, text, &mut fields).unwrap();
    assert_eq!(Record::new(text, &fields).get_str(s).as_deref(), Some("X"));
}

#[test]
fn a_record_must_be_an_object() {
    let plan = FieldPlan::new();
    let mut fields = Fields::new(&plan);
    for text in ["[1]", "\"s\"", "3 "] {
        assert!(
            matches!(
                scan_record(text.as_bytes(), &plan, &mut fields),
                Err(ScanError::NotAnObject { offset: 0 })
            ),
            "case {text:?}"
        );
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        ".*".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(".*", inner, 0..8)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn accepts_everything_serde_json_writes(v in json_value()) {
        let compact = serde_json::to_string(&v).unwrap();
        prop_assert!(skip_all(&compact).is_ok(), "{}", compact);
        let pretty = serde_json::to_string_pretty(&v).unwrap();
        prop_assert!(skip_all(&pretty).is_ok(), "{}", pretty);
    }

    #[test]
    fn agrees_with_serde_json_on_arbitrary_bytes(bytes in prop::collection::vec(
        prop_oneof![Just(b'{'), Just(b'}'), Just(b'['), Just(b']'), Just(b'"'), Just(b'\\'), Just(b':'),
                    Just(b','), Just(b' '), Just(b'u'), Just(b'1'), Just(b'0'), Just(b'-'), Just(b'.'),
                    Just(b'e'), Just(b'n'), Just(b't'), any::<u8>()], 0..40)) {
        let mut spaced = bytes.clone();
        spaced.push(b' ');
        let ours = skip_value(&spaced, skip_ws(&spaced, 0), 0)
            .and_then(|(end, _)| expect_only_whitespace(&spaced, end));
        let theirs = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes);
        // The scanner leaves UTF-8 to its caller; compare only where that check would pass.
        if std::str::from_utf8(&bytes).is_ok() {
            prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: ours {:?} serde {:?}",
                String::from_utf8_lossy(&bytes), ours, theirs.err());
        }
    }

    #[test]
    fn captured_strings_equal_serde_json_values(s in ".*", other in ".*") {
        let v = serde_json::json!({"x": {"y": s.clone()}, "z": other});
        let text = serde_json::to_string(&v).unwrap();
        let mut plan = FieldPlan::new();
        let slot = plan.slot_for(&[key("x"), key("y")]);
        let mut fields = Fields::new(&plan);
        extract(&plan, &text, &mut fields).unwrap();
        let got = Record::new(&text, &fields).get_str(slot);
        prop_assert_eq!(got.as_deref(), Some(s.as_str()));
    }
}

#[test]
fn member_names_are_found_whatever_their_length() {
    let long = "n".repeat(70);
    let names = ["ab", "ba", "abc", "eventName", "eventType", long.as_str()];
    let mut plan = FieldPlan::new();
    let slots: Vec<_> = names
        .iter()
        .map(|n| plan.slot_for(&[Step::Key((*n).to_owned())]))
        .collect();
    let record = format!(
        r#"{{"x":0,"ba":2,"eventType":5,"{long}":6,"abc":3,"ab":1,"eventName":4,"{}":7,"a\u0062":8}}"#,
        "n".repeat(69)
    );
    let mut fields = Fields::new(&plan);
    extract(&plan, &record, &mut fields).unwrap();
    let view = Record::new(&record, &fields);
    let got: Vec<_> = slots.iter().map(|s| view.get(*s)).collect();
    let want = ["8", "2", "3", "4", "5", "6"].map(|n| Some(JsonRef::Number(n)));
    assert_eq!(got, want, "escaped `a\\u0062` is `ab` and comes last");
}

proptest! {
    /// The word-wise comparison of member names agrees with byte equality at every length,
    /// whichever byte differs.
    #[test]
    fn same_name_is_byte_equality(name in proptest::collection::vec(any::<u8>(), 0..48), at in any::<usize>(), flip in 1u8..=255) {
        prop_assert!(same_name(&name, &name));
        if !name.is_empty() {
            let mut other = name.clone();
            let at = at % name.len();
            other[at] ^= flip;
            prop_assert!(!same_name(&name, &other));
            prop_assert!(!same_name(&name, &name[..name.len() - 1]));
        }
    }
}
