use serde_json::Value;

use super::*;
use crate::alert::{DeliveryProblem, EventSummary, Origin, RuleRef};
use crate::rules::Severity;

const KEY: &str = "AWSLogs/999988887777/CloudTrail/eu-west-1/2025/03/14/999988887777_CloudTrail_eu-west-1_20250314T0910Z_DevXyZ0987654321.json.gz";

fn origin() -> Origin<'static> {
    Origin {
        bucket: Some("example-ct-logs"),
        key: KEY,
        account_id: Some("999988887777"),
        region: Some("eu-west-1"),
    }
}

fn detection(title: &str, record: &str, max_record: usize) -> Alert {
    let rule = RuleRef {
        id: "CloudWatch.5",
        title,
        severity: Severity::High,
        tags: &[],
    };
    let event = EventSummary {
        event_name: Some("StopLogging".into()),
        event_source: Some("cloudtrail.amazonaws.com".into()),
        event_id: Some("0f3c1a2b-1111-2222-3333-444455556666".into()),
        principal: Some("arn:aws:iam::999988887777:user/mallory".into()),
        ..EventSummary::default()
    };
    Alert::detection(rule, origin(), event, record, max_record)
}

fn message(entry: &Entry) -> Value {
    serde_json::from_str(&entry.message).unwrap()
}

#[test]
fn body_carries_the_alert_json_and_an_email_text() {
    let alert = detection(
        "CloudTrail configuration changes",
        r#"{"eventName":"StopLogging"}"#,
        1000,
    );
    let entry = encode(&alert, false, None).unwrap();
    let body = message(&entry);
    assert_eq!(
        body["default"],
        alert.to_json_line().unwrap(),
        "everyone but e-mail gets the JSON"
    );
    let email = body["email"].as_str().unwrap();
    for want in [
        "trailwatch detection: CloudTrail configuration changes (CloudWatch.5)",
        "Account    999988887777",
        "Event      StopLogging",
        "Principal  arn:aws:iam::999988887777:user/mallory",
        "Object     s3://example-ct-logs/AWSLogs/999988887777/",
        "\"eventName\": \"StopLogging\"",
    ] {
        assert!(email.contains(want), "e-mail lacks {want:?}:\n{email}");
    }
    assert_eq!(body.as_object().unwrap().len(), 2, "default and email only");
    assert_eq!(entry.fifo, None, "standard topic");
}

#[test]
fn attribute_values_hold_only_characters_sns_accepts() {
    let event = EventSummary {
        event_name: Some("Stop\u{0}Logging\u{1b}[31m\ttab".into()),
        event_source: Some("cloudtrail.amazonaws.com\u{7f}é".into()),
        ..EventSummary::default()
    };
    let rule = RuleRef {
        id: "CloudWatch.5",
        title: "t",
        severity: Severity::High,
        tags: &[],
    };
    let alert = Alert::detection(rule, origin(), event, "{}", 1000);
    let values: std::collections::BTreeMap<&str, String> = attributes(&alert).into_iter().collect();
    assert_eq!(values["event_name"], "Stop\u{fffd}Logging\u{fffd}[31m\ttab");
    // DEL and non-ASCII are within SNS's accepted range.
    assert_eq!(values["event_source"], "cloudtrail.amazonaws.com\u{7f}é");
}

#[test]
fn attributes_name_only_what_the_alert_has() {
    let detection = detection("t", "{}", 1000);
    let got: Vec<&str> = attributes(&detection).iter().map(|(n, _)| *n).collect();
    assert_eq!(
        got,
        [
            "kind",
            "rule_id",
            "severity",
            "account_id",
            "region",
            "event_source",
            "event_name"
        ]
    );
    let bare = Origin {
        account_id: None,
        region: None,
        ..origin()
    };
    let delivery = Alert::delivery(DeliveryProblem::InvalidKey, bare, "bad".into());
    assert_eq!(
        attributes(&delivery),
        vec![
            ("kind", "delivery".to_string()),
            ("rule_id", "delivery.invalid-key".to_string()),
            ("severity", "medium".to_string()),
        ],
        "a delivery alert for an unparsable key has no account or event"
    );
}

#[test]
fn subjects_are_short_printable_ascii() {
    let cases = [
        (
            "plain",
            "CloudTrail configuration changes",
            "[HIGH] CloudWatch.5 in 999988887777: CloudTrail configuration changes",
        ),
        (
            "line break and tab",
            "Root\nlogin\tseen",
            "[HIGH] CloudWatch.5 in 999988887777: Root login seen",
        ),
        (
            "non-ASCII",
            "Änderung — Zugriff",
            "[HIGH] CloudWatch.5 in 999988887777: ?nderung ? Zugriff",
        ),
    ];
    for (name, title, want) in cases {
        assert_eq!(subject(&detection(title, "{}", 1000)), want, "case {name}");
    }
    let long = subject(&detection(&"x".repeat(300), "{}", 1000));
    assert_eq!(long.len(), MAX_SUBJECT_CHARS, "long titles are cut");
}

#[test]
fn fifo_entries_group_by_account_and_dedupe_by_alert_id() {
    let alert = detection("t", "{}", 1000);
    let entry = encode(&alert, true, None).unwrap();
    assert_eq!(
        entry.fifo,
        Some(("999988887777".to_string(), alert.alert_id.clone()))
    );
    let bare = Origin {
        account_id: None,
        ..origin()
    };
    let delivery = Alert::delivery(DeliveryProblem::InvalidKey, bare, "bad".into());
    assert_eq!(
        encode(&delivery, true, None)
            .unwrap()
            .fifo
            .map(|(group, _)| group)
            .as_deref(),
        Some("unknown-account")
    );
}

#[test]
fn oversized_alerts_shed_the_record_but_are_never_dropped() {
    // A deployment that raised the alert record limit past what SNS carries.
    let record = format!(
        r#"{{"eventName":"PutBucketPolicy","policy":"{}"}}"#,
        "p".repeat(150_000)
    );
    let alert = detection("t", &record, usize::MAX);
    assert!(!alert.record_truncated, "the alert itself kept the record");
    let entry = encode(&alert, false, None).unwrap();
    assert!(entry.size() <= MAX_PAYLOAD_BYTES, "{} bytes", entry.size());
    let body = message(&entry);
    let default: Value = serde_json::from_str(body["default"].as_str().unwrap()).unwrap();
    assert_eq!(
        default["record"]["eventName"], "PutBucketPolicy",
        "JSON keeps the record"
    );
    assert!(
        body["email"]
            .as_str()
            .unwrap()
            .contains("too large for e-mail"),
        "e-mail drops it"
    );

    let huge = format!(r#"{{"policy":"{}"}}"#, "p".repeat(300_000));
    let entry = encode(&detection("t", &huge, usize::MAX), false, None).unwrap();
    assert!(entry.size() <= MAX_PAYLOAD_BYTES, "{} bytes", entry.size());
    let default: Value =
        serde_json::from_str(message(&entry)["default"].as_str().unwrap()).unwrap();
    assert_eq!(default["record"], Value::Null);
    assert_eq!(default["record_truncated"], true);
    assert_eq!(
        default["rule_id"], "CloudWatch.5",
        "the alert itself survives"
    );
}

#[test]
fn batches_respect_entry_count_and_bytes() {
    let small = encode(&detection("t", "{}", 1000), false, None).unwrap();
    let mut big = small.clone();
    big.message = "m".repeat(100_000);
    let mut huge = small.clone();
    huge.message = "m".repeat(MAX_PAYLOAD_BYTES);
    // Expected batches as (start, end) pairs.
    type Spans = Vec<(usize, usize)>;
    let cases: Vec<(&str, Vec<Entry>, Spans)> = vec![
        ("none", vec![], vec![]),
        ("one", vec![small.clone()], vec![(0, 1)]),
        ("ten", vec![small.clone(); 10], vec![(0, 10)]),
        (
            "twenty-five",
            vec![small.clone(); 25],
            vec![(0, 10), (10, 20), (20, 25)],
        ),
        (
            "bytes bound before count",
            vec![big.clone(); 5],
            vec![(0, 2), (2, 4), (4, 5)],
        ),
        (
            "an entry at the limit travels alone",
            vec![small.clone(), huge, small.clone()],
            vec![(0, 1), (1, 2), (2, 3)],
        ),
    ];
    for (name, entries, want) in cases {
        let got = batches(&entries);
        let mut pairs = Vec::new();
        let mut start = 0;
        for batch in &got {
            pairs.push((start, start + batch.len()));
            assert_eq!(
                *batch,
                &entries[start..start + batch.len()],
                "case {name}: batches follow the entries in order"
            );
            start += batch.len();
            let bytes: usize = batch.iter().map(Entry::size).sum();
            assert!(
                batch.len() <= MAX_BATCH_ENTRIES
                    && (bytes <= MAX_PAYLOAD_BYTES || batch.len() == 1),
                "case {name}: a batch of {} has {bytes} bytes",
                batch.len()
            );
        }
        assert_eq!(pairs, want, "case {name}");
    }
}

#[test]
fn a_named_account_reads_by_name_in_subject_email_and_attributes() {
    let names =
        crate::accounts::AccountNames::parse("names.toml", "999988887777 = \"Dev\"").unwrap();
    let mut alerts = [
        detection("Trail stopped", "{}", 1000),
        Alert::delivery(DeliveryProblem::Acl, origin(), "no control".into()),
    ];
    Alert::name_accounts(&mut alerts, &names);
    for alert in &alerts {
        assert_eq!(alert.account_name.as_deref(), Some("Dev"));
        let entry = encode(alert, false, Some("us-east-1")).unwrap();
        assert!(
            entry.subject.contains(" in Dev (999988887777): "),
            "{}",
            entry.subject
        );
        let email = message(&entry)["email"].as_str().unwrap().to_owned();
        assert!(email.contains("Account    Dev (999988887777)\n"), "{email}");
        assert!(entry.attributes.contains(&("account_name", "Dev".into())));
        let json: Value = serde_json::from_str(&alert.to_json_line().unwrap()).unwrap();
        assert_eq!(json["account_name"], "Dev");
    }
    // Unknown accounts keep the id alone, with a null name and no attribute.
    let mut stranger = [detection("t", "{}", 1000)];
    stranger[0].account_id = Some("222222222222".into());
    Alert::name_accounts(&mut stranger, &names);
    let entry = encode(&stranger[0], false, None).unwrap();
    assert!(
        entry.subject.contains(" in 222222222222: "),
        "{}",
        entry.subject
    );
    assert!(!entry
        .attributes
        .iter()
        .any(|(name, _)| *name == "account_name"));
    let json: Value = serde_json::from_str(&stranger[0].to_json_line().unwrap()).unwrap();
    assert_eq!(json["account_name"], Value::Null);
}

/// The e-mail's line labelled `label`, without the label.
fn email_line(alert: &Alert, bucket_region: Option<&str>, label: &str) -> Option<String> {
    let entry = encode(alert, false, bucket_region).unwrap();
    let email = message(&entry)["email"].as_str().unwrap().to_owned();
    email
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{label:<10} ")).map(String::from))
}

#[test]
fn the_email_links_to_the_event_and_the_object_in_the_console() {
    let alert = detection("t", "{}", 1000);
    assert_eq!(
        email_line(&alert, Some("us-east-1"), "CloudTrail").as_deref(),
        Some("https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/0f3c1a2b-1111-2222-3333-444455556666")
    );
    assert_eq!(
        email_line(&alert, Some("us-east-1"), "S3").as_deref(),
        Some(&*format!("https://us-east-1.console.aws.amazon.com/s3/object/example-ct-logs?region=us-east-1&bucketType=general&prefix={KEY}"))
    );
    assert_eq!(
        email_line(&alert, None, "S3").as_deref(),
        Some(&*format!("https://console.aws.amazon.com/s3/object/example-ct-logs?bucketType=general&prefix={KEY}")),
        "without the bucket's region, the console's global host"
    );
    // What a log writes is encoded; a region that is not one gives no link.
    let mut forged = detection("t", "{}", 1000);
    forged.event_id = Some("x#/y?z=1&a b\nc".into());
    forged.key = Some("AWSLogs/a b&c=d#e%f.json.gz".into());
    assert_eq!(
        email_line(&forged, Some("us-east-1"), "CloudTrail").as_deref(),
        Some("https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/x%23/y%3Fz%3D1%26a%20b%0Ac")
    );
    assert!(email_line(&forged, Some("us-east-1"), "S3")
        .unwrap()
        .ends_with("&prefix=AWSLogs/a%20b%26c%3Dd%23e%25f.json.gz"));
    forged.region = Some("evil.example.com/".into());
    assert_eq!(email_line(&forged, Some("us-east-1"), "CloudTrail"), None);
    // Other partitions' consoles are elsewhere: no link rather than a wrong one.
    forged.region = Some("cn-north-1".into());
    assert_eq!(email_line(&forged, Some("cn-north-1"), "CloudTrail"), None);
    assert_eq!(email_line(&forged, Some("us-gov-west-1"), "S3"), None);
    // An Insights event is not in event history: its alert links to its file only.
    let insight = detection("t", "{}", 1000).with_insight(crate::alert::InsightDetails {
        insight_type: "ApiCallRateInsight".into(),
        event_source: Some("ec2.amazonaws.com".into()),
        event_name: Some("RunInstances".into()),
        state: "Start".into(),
        baseline_average: serde_json::Number::from(1),
        insight_average: serde_json::Number::from(40),
        insight_duration: None,
    });
    assert_eq!(email_line(&insight, Some("us-east-1"), "CloudTrail"), None);
    assert!(email_line(&insight, Some("us-east-1"), "S3").is_some());
    // A delivery alert has no event to link to, only its object.
    let delivery = Alert::delivery(DeliveryProblem::Acl, origin(), "no control".into());
    assert_eq!(email_line(&delivery, Some("us-east-1"), "CloudTrail"), None);
    assert!(email_line(&delivery, Some("us-east-1"), "S3").is_some());
}
