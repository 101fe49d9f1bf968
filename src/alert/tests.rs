//! Alerts as built from detections and failed checks, and as serialised.

use serde_json::Value;

use super::*;

fn origin() -> Origin<'static> {
    Origin {
        bucket: Some("b"),
        key: "AWSLogs/111111111111/CloudTrail/us-east-1/2025/01/01/f.json.gz",
        account_id: Some("111111111111"),
        region: Some("us-east-1"),
    }
}

const RULE: RuleRef<'static> = RuleRef {
    id: "CloudWatch.5",
    title: "CloudTrail configuration changes",
    severity: Severity::High,
    tags: &[],
};

#[test]
fn detection_has_every_schema_field_in_order() {
    let event = EventSummary {
        event_id: Some("e-1".into()),
        event_name: Some("StopLogging".into()),
        ..EventSummary::default()
    };
    let alert = Alert::detection(
        RULE,
        origin(),
        event,
        r#"{"eventName":"StopLogging","eventID":"e-1"}"#,
        1000,
    );
    let line = alert.to_json_line().unwrap();
    // Sorted here: whether serde_json's map keeps insertion order depends on features
    // other crates enable (the AWS SDK turns `preserve_order` on).
    let mut fields: Vec<String> = serde_json::from_str::<serde_json::Map<String, Value>>(&line)
        .unwrap()
        .keys()
        .cloned()
        .collect();
    fields.sort();
    let want = [
        "version",
        "alert_id",
        "kind",
        "rule_id",
        "title",
        "severity",
        "account_id",
        "region",
        "event_time",
        "event_name",
        "event_source",
        "event_id",
        "principal",
        "source_ip",
        "bucket",
        "key",
        "reason",
        "record",
        "tags",
        "account_name",
    ];
    let mut sorted_want: Vec<&str> = want.to_vec();
    sorted_want.sort();
    assert_eq!(fields, sorted_want, "every field present, no more");
    let positions: Vec<usize> = want
        .iter()
        .map(|f| line.find(&format!("\"{f}\":")).unwrap())
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "schema order: {line}"
    );
    assert!(
        line.contains(r#""kind":"detection""#) && line.contains(r#""reason":null"#),
        "{line}"
    );
    assert!(
        !line.contains("record_truncated"),
        "only present when true: {line}"
    );
}

#[test]
fn delivery_alert_nulls_the_event_fields() {
    let alert = Alert::delivery(DeliveryProblem::Corrupt, origin(), "truncated gzip".into());
    let v: Value = serde_json::from_str(&alert.to_json_line().unwrap()).unwrap();
    for f in [
        "event_time",
        "event_name",
        "event_source",
        "event_id",
        "principal",
        "source_ip",
        "record",
    ] {
        assert_eq!(v[f], Value::Null, "field {f}");
    }
    assert_eq!(v["rule_id"], "delivery.corrupt");
    assert_eq!(v["reason"], "truncated gzip");
    assert_eq!(v["severity"], "medium");
}

#[test]
fn every_delivery_problem_has_its_rule_id_title_and_severity() {
    let cases = [
        (
            DeliveryProblem::InvalidKey,
            "delivery.invalid-key",
            Severity::Medium,
        ),
        (
            DeliveryProblem::UnexpectedAccount,
            "delivery.unexpected-account",
            Severity::High,
        ),
        (
            DeliveryProblem::UnexpectedOrg,
            "delivery.unexpected-org",
            Severity::High,
        ),
        (DeliveryProblem::Acl, "delivery.acl", Severity::Medium),
        (
            DeliveryProblem::AccountMismatch,
            "delivery.account-mismatch",
            Severity::High,
        ),
        (
            DeliveryProblem::Corrupt,
            "delivery.corrupt",
            Severity::Medium,
        ),
        (
            DeliveryProblem::TooLarge,
            "delivery.too-large",
            Severity::Medium,
        ),
        (DeliveryProblem::Missing, "delivery.missing", Severity::High),
        (DeliveryProblem::Kms, "delivery.kms", Severity::Medium),
    ];
    for (problem, id, severity) in cases {
        let alert = Alert::delivery(problem, origin(), "why".into());
        assert_eq!(alert.rule_id, id);
        assert_eq!(alert.severity, severity, "{id}");
        assert!(!alert.title.is_empty(), "{id}");
    }
    let kms = Alert::delivery(DeliveryProblem::Kms, origin(), "why".into());
    assert_eq!(
        kms.title,
        "Delivered object's KMS key refused to decrypt it"
    );
}

#[test]
fn ids_are_deterministic_and_distinguish_what_they_are_about() {
    let a = alert_id(Some("b"), "k", Some("e"), "r");
    assert_eq!(a, alert_id(Some("b"), "k", Some("e"), "r"));
    assert_eq!(a.len(), 32);
    for other in [
        alert_id(Some("b2"), "k", Some("e"), "r"),
        alert_id(Some("b"), "k2", Some("e"), "r"),
        alert_id(Some("b"), "k", Some("e2"), "r"),
        alert_id(Some("b"), "k", Some("e"), "r2"),
        alert_id(Some("bk"), "", Some("e"), "r"),
    ] {
        assert_ne!(a, other);
    }
}

#[test]
fn oversized_records_keep_their_leading_members() {
    let big = format!(
        r#"{{"eventVersion":"1.08","eventName":"PutBucketPolicy","requestParameters":{{"policy":"{}"}},"eventID":"x"}}"#,
        "p".repeat(5000)
    );
    let alert = Alert::detection(RULE, origin(), EventSummary::default(), &big, 1000);
    assert!(alert.record_truncated);
    let record = alert.record.as_ref().unwrap();
    assert_eq!(
        record.text(),
        r#"{"eventVersion":"1.08","eventName":"PutBucketPolicy","eventID":"x"}"#,
        "the members that fit, in the log's order"
    );
    assert!(alert
        .to_json_line()
        .unwrap()
        .contains(r#""record_truncated":true"#));
    let small = Alert::detection(RULE, origin(), EventSummary::default(), &big, 100_000);
    assert!(!small.record_truncated);
    assert_eq!(
        small.record.as_ref().unwrap().text(),
        big,
        "the log's own text"
    );
}
#[test]
fn oversized_fields_are_clipped_but_the_id_comes_from_the_whole_event_id() {
    let huge = |c: &str| c.repeat(3 << 20);
    let event = EventSummary {
        event_id: Some(huge("i")),
        event_name: Some(huge("é")),
        principal: Some(huge("p")),
        ..EventSummary::default()
    };
    let whole_id = alert_id(origin().bucket, origin().key, Some(&huge("i")), RULE.id);
    let clipped_id = alert_id(
        origin().bucket,
        origin().key,
        Some(&"i".repeat(MAX_FIELD_BYTES)),
        RULE.id,
    );
    let alert = Alert::detection(RULE, origin(), event, "{}", 1000);
    assert_eq!(alert.alert_id, whole_id);
    assert_ne!(
        alert.alert_id, clipped_id,
        "distinct events keep distinct ids"
    );
    let name = alert.event_name.as_deref().unwrap();
    assert!(
        name.starts_with("éé") && name.ends_with(" more bytes]"),
        "{}",
        &name[..10]
    );
    assert!(name.len() < MAX_FIELD_BYTES + 32);
    assert!(
        alert.to_json_line().unwrap().len() < 8 * MAX_FIELD_BYTES,
        "small enough to publish"
    );

    let forged_key = "k".repeat(10_000);
    let delivery = Alert::delivery(
        DeliveryProblem::InvalidKey,
        Origin {
            key: &forged_key,
            ..origin()
        },
        huge("r"),
    );
    assert_eq!(
        delivery.key,
        Some(format!("{}…[8976 more bytes]", "k".repeat(1024)))
    );
    assert!(delivery.reason.unwrap().len() < MAX_FIELD_BYTES + 32);
    let short = Alert::delivery(DeliveryProblem::Corrupt, origin(), "fine".into());
    assert_eq!(
        short.key.as_deref(),
        Some(origin().key),
        "ordinary fields are untouched"
    );
}

#[test]
fn records_are_carried_on_one_line() {
    let pretty = "{\n  \"eventName\": \"A\",\r\n  \"n\": [1,\n 2],\t\"s\": \"x y\"\n}";
    let alert = Alert::detection(RULE, origin(), EventSummary::default(), pretty, 1000);
    let line = alert.to_json_line().unwrap();
    assert!(!line.contains(['\n', '\r']), "one line: {line}");
    let back: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        back["record"],
        serde_json::from_str::<Value>(pretty).unwrap(),
        "the same record"
    );
}

#[test]
fn a_cut_record_fits_its_limit_and_keeps_the_logs_order() {
    let big = r#"{"g":"1","bb":[1,2,3],"c":{"d":"e\"}"},"a":null,"f":"last"}"#;
    let whole: Value = serde_json::from_str(big).unwrap();
    for max in 2..big.len() {
        let alert = Alert::detection(RULE, origin(), EventSummary::default(), big, max);
        assert!(alert.record_truncated, "limit {max}");
        let record = alert.record.unwrap();
        assert!(record.text().len() <= max, "limit {max}: {}", record.text());
        let Value::Object(kept) = record.value().unwrap() else {
            panic!("limit {max}: not an object: {}", record.text());
        };
        for (name, value) in &kept {
            assert_eq!(
                &whole[name], value,
                "limit {max}: member {name} as in the log"
            );
        }
        let text = record.text();
        let at = |json: &str, name: &str| json.find(&format!("\"{name}\":"));
        let mut names: Vec<&String> = kept.keys().collect();
        names.sort_by_key(|name| at(big, name));
        let places: Vec<_> = names.iter().map(|name| at(text, name)).collect();
        assert!(
            places.windows(2).all(|w| w[0] < w[1]),
            "limit {max}: the log's order in {text}"
        );
    }
    let alert = Alert::detection(RULE, origin(), EventSummary::default(), big, big.len());
    assert!(!alert.record_truncated);
}
