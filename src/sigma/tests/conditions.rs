//! The condition grammar, the SigmaHQ readings and the rule index.

use super::*;

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
