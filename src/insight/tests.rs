//! What the insight reader makes of one record: the alert of a start, nothing for an end, and a
//! typed reason for every record that does not say what it is.

use serde_json::{json, Value};

use super::*;
use crate::record::{extract, Fields};

fn record(state: Value, insight_type: Value, baseline: Value, average: Value) -> Value {
    json!({
        "eventVersion": "1.08",
        "eventTime": "2025-03-14T11:58:00Z",
        "awsRegion": "us-east-1",
        "eventID": "0d2c5e6a-1111-4222-8333-444455556666",
        "eventType": "AwsCloudTrailInsight",
        "recipientAccountId": "123456789012",
        "insightDetails": {
            "state": state,
            "eventSource": "ec2.amazonaws.com",
            "eventName": "RunInstances",
            "insightType": insight_type,
            "insightContext": {"statistics": {
                "baseline": {"average": baseline},
                "insight": {"average": average},
            }},
        },
        "eventCategory": "Insight",
    })
}

/// Reads `record` (as text, so numbers keep how they were written) with a plan of the
/// insight's members alone.
fn read(text: &str) -> Result<Option<InsightAlert>, InsightError> {
    let mut plan = FieldPlan::new();
    let slots = InsightSlots::register(&mut plan);
    let mut fields = Fields::new(&plan);
    extract(&plan, text, &mut fields).unwrap();
    slots.alert(&Record::new(text, &fields))
}

fn start(insight_type: &str) -> String {
    record(
        json!("Start"),
        json!(insight_type),
        json!(0.35),
        json!(42.0),
    )
    .to_string()
}

#[test]
fn a_start_raises_its_type_with_the_averages_as_written() {
    let found = read(&start("ApiErrorRateInsight")).unwrap().unwrap();
    assert_eq!(found.rule_id, "insight.ApiErrorRateInsight");
    assert_eq!(found.title, "CloudTrail Insights: unusual API error rate");
    let details = serde_json::to_value(&found.details).unwrap();
    assert_eq!(
        details,
        json!({"type": "ApiErrorRateInsight", "event_source": "ec2.amazonaws.com",
               "event_name": "RunInstances", "state": "Start", "baseline_average": 0.35,
               "insight_average": 42.0, "insight_duration": null})
    );
}

#[test]
fn an_end_raises_nothing() {
    let end = record(
        json!("End"),
        json!("ApiCallRateInsight"),
        json!(1),
        json!(2),
    );
    assert_eq!(read(&end.to_string()), Ok(None));
}

#[test]
fn a_type_outside_the_rule_id_characters_is_refused() {
    let long = "A".repeat(MAX_TYPE_LEN + 1);
    for bad in [
        "",
        "Api Call",
        "x\"y",
        "a/b",
        "Insight\u{e9}",
        long.as_str(),
    ] {
        let got = read(&start(bad));
        assert!(
            matches!(&got, Err(InsightError::BadType(quoted)) if quoted.len() <= MAX_TYPE_LEN),
            "{bad:?}: {got:?}"
        );
    }
    let longest = "A".repeat(MAX_TYPE_LEN);
    let found = read(&start(&longest)).unwrap().unwrap();
    assert_eq!(found.rule_id, format!("insight.{longest}"));
    assert_eq!(found.title, "CloudTrail Insights: unusual API activity");
}

#[test]
fn a_record_that_does_not_say_what_it_is_is_unreadable() {
    let cases: [(&str, Value, InsightError); 6] = [
        (
            "no state",
            record(json!(null), json!("ApiCallRateInsight"), json!(1), json!(2)),
            InsightError::MissingText(STATE),
        ),
        (
            "an unknown state",
            record(
                json!("Paused"),
                json!("ApiCallRateInsight"),
                json!(1),
                json!(2),
            ),
            InsightError::UnknownState("Paused".into()),
        ),
        (
            "a type that is a number",
            record(json!("Start"), json!(7), json!(1), json!(2)),
            InsightError::MissingText(TYPE),
        ),
        (
            "an average that is a string, on an end event too",
            record(
                json!("End"),
                json!("ApiCallRateInsight"),
                json!("1"),
                json!(2),
            ),
            InsightError::NotNumber(BASELINE),
        ),
        (
            "no insight average",
            record(
                json!("Start"),
                json!("ApiCallRateInsight"),
                json!(1),
                json!(null),
            ),
            InsightError::NotNumber(AVERAGE),
        ),
        (
            "no insightDetails at all",
            json!({"eventID": "e", "eventType": "AwsCloudTrailInsight"}),
            InsightError::MissingText(STATE),
        ),
    ];
    for (name, rec, want) in cases {
        assert_eq!(read(&rec.to_string()), Err(want), "case {name}");
    }
}

#[test]
fn a_number_out_of_range_is_not_a_number() {
    let text = start("ApiCallRateInsight").replace("42.0", "1e400");
    assert_eq!(read(&text), Err(InsightError::NotNumber(AVERAGE)));
    let text = start("ApiCallRateInsight").replace("\"average\":0.35", "\"average\":0.35e-2");
    let found = read(&text).unwrap().unwrap();
    assert_eq!(found.details.baseline_average.as_f64(), Some(0.0035));
}
