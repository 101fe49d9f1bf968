//! Insights files in the pipeline: the alert a start raises, what an end and a bad record do,
//! and the delivery checks every Insights file gets.

use super::*;

/// The `state` of an `insight_type` insight in PROD's us-east-1 at 11:58.
fn insight(state: &str, insight_type: &str) -> Value {
    insight_event(
        PROD,
        "us-east-1",
        "2025-03-14T11:58:00Z",
        state,
        insight_type,
    )
}

#[tokio::test]
async fn the_start_of_an_insight_is_one_detection_with_the_insight_and_its_end_is_none() {
    let start = insight("Start", "ApiCallRateInsight");
    let end = insight("End", "ApiCallRateInsight");
    let key = insights_key("startendstartend");
    let stored = file_of(&[start.clone(), end]);
    let source = MemorySource::default()
        .with(&key, stored.clone())
        .with_acl(&key, Ok(full_control()));
    let (result, sink) = process(Settings::default(), &source, &key).await;
    let report = result.unwrap();
    assert_eq!(
        report,
        ObjectReport {
            kind: Some(Kind::Insight),
            account_id: Some(PROD.into()),
            records: 2,
            detections: 1,
            suppressed: 0,
            delivery_alerts: 0,
            integrity_alerts: 0,
            compressed_bytes: stored.len() as u64,
            decompressed_bytes: report.decompressed_bytes,
        }
    );
    assert!(report.decompressed_bytes > stored.len() as u64);
    let alerts = sink.alerts();
    let [alert] = alerts.as_slice() else {
        panic!("one alert, got {alerts:?}");
    };
    let got = serde_json::to_value(alert).unwrap();
    let want = json!({
        "version": 1,
        "alert_id": got["alert_id"],
        "kind": "detection",
        "rule_id": "insight.ApiCallRateInsight",
        "title": "CloudTrail Insights: unusual API call rate",
        "severity": "medium",
        "account_id": PROD,
        "region": "us-east-1",
        "event_time": "2025-03-14T11:58:00Z",
        "event_name": "RunInstances",
        "event_source": "ec2.amazonaws.com",
        "event_id": start["eventID"],
        "principal": null,
        "source_ip": null,
        "bucket": BUCKET,
        "key": key,
        "reason": null,
        "record": start,
        "tags": [],
        "account_name": null,
        "insight": {
            "type": "ApiCallRateInsight",
            "event_source": "ec2.amazonaws.com",
            "event_name": "RunInstances",
            "state": "Start",
            "baseline_average": 0.35,
            "insight_average": 42.0,
            "insight_duration": null,
        },
    });
    assert_eq!(got, want);
    assert_eq!(got["alert_id"].as_str().map(str::len), Some(32));

    // An end alone raises nothing, and is still a record read.
    let key = insights_key("endendendendende");
    let source =
        MemorySource::default().with(&key, file_of(&[insight("End", "ApiCallRateInsight")]));
    let (result, published) = run(Settings::default(), &source, &key).await;
    let report = result.unwrap();
    assert_eq!((report.records, report.detections), (1, 0));
    assert!(published.is_empty(), "{published:?}");
}

#[tokio::test]
async fn each_insight_type_has_its_rule_id_known_or_not() {
    // (insight type, rule id, title)
    let cases = [
        (
            "ApiErrorRateInsight",
            "insight.ApiErrorRateInsight",
            "CloudTrail Insights: unusual API error rate",
        ),
        (
            "ApiLatencyInsight-2.v3",
            "insight.ApiLatencyInsight-2.v3",
            "CloudTrail Insights: unusual API activity",
        ),
    ];
    for (insight_type, rule_id, title) in cases {
        let key = insights_key("typetypetypetype");
        let source = MemorySource::default().with(&key, file_of(&[insight("Start", insight_type)]));
        let (result, sink) = process(Settings::default(), &source, &key).await;
        assert_eq!(result.unwrap().detections, 1, "case {insight_type}");
        let alerts = sink.alerts();
        assert_eq!(alerts.len(), 1, "case {insight_type}");
        assert_eq!(alerts[0].rule_id, rule_id);
        assert_eq!(alerts[0].title, title);
        assert_eq!(alerts[0].kind, AlertKind::Detection);
        let details = alerts[0].insight.as_ref().unwrap();
        assert_eq!(details.insight_type, insight_type);
    }
}

#[tokio::test]
async fn insight_records_that_do_not_say_what_they_are_are_counted_in_one_corrupt_alert() {
    let mut stateless = insight("Start", "ApiCallRateInsight");
    stateless["insightDetails"]
        .as_object_mut()
        .unwrap()
        .remove("state");
    let mut forged = insight("Start", "ApiCallRateInsight");
    forged["insightDetails"]["insightType"] = json!("Api\nCall Rate");
    let records = [
        stateless,
        insight("Start", "ApiErrorRateInsight"),
        forged,
        insight("End", "ApiErrorRateInsight"),
    ];
    let key = insights_key("corruptcorruptco");
    let source = MemorySource::default().with(&key, file_of(&records));
    let (result, sink) = process(Settings::default(), &source, &key).await;
    let report = result.unwrap();
    assert_eq!(
        (report.records, report.detections, report.delivery_alerts),
        (4, 1, 1)
    );
    assert_eq!(
        sink.rule_ids(),
        ["insight.ApiErrorRateInsight", "delivery.corrupt"]
    );
    let reason = sink.alerts()[1].reason.clone().unwrap();
    assert_eq!(
        reason,
        "2 records could not be read and were skipped; first: record 0: the insight record has no `insightDetails.state` string"
    );
}

#[tokio::test]
async fn an_insights_file_gets_the_delivery_checks_of_a_log() {
    let mut foreign = insight("Start", "ApiCallRateInsight");
    foreign["recipientAccountId"] = json!("999988887777");
    let tight = Settings {
        limits: Limits {
            max_decompressed_bytes: 256,
            ..Limits::default()
        },
        ..Settings::default()
    };
    let one = || file_of(&[insight("Start", "ApiCallRateInsight")]);
    // (case, settings, bytes, ACL, published)
    type Case = (
        &'static str,
        Settings,
        Vec<u8>,
        (ObjectAcl, String),
        &'static [&'static str],
    );
    let cases: [Case; 4] = [
        (
            "a record written for another account",
            Settings::default(),
            file_of(&[foreign]),
            full_control(),
            &["insight.ApiCallRateInsight", "delivery.account-mismatch"],
        ),
        (
            "larger than the limit",
            tight,
            one(),
            full_control(),
            &["delivery.too-large"],
        ),
        (
            "written without bucket-owner-full-control",
            Settings::default(),
            one(),
            writer_only(),
            &["delivery.acl", "insight.ApiCallRateInsight"],
        ),
        (
            "not gzip",
            Settings::default(),
            delivery_of(&[insight("Start", "ApiCallRateInsight")]).into_bytes(),
            full_control(),
            &["delivery.corrupt"],
        ),
    ];
    for (name, settings, bytes, acl, want) in cases {
        let key = insights_key("checkscheckschec");
        let source = MemorySource::default()
            .with(&key, bytes)
            .with_acl(&key, Ok(acl));
        let (result, sink) = process(settings, &source, &key).await;
        let report = result.unwrap_or_else(|e| panic!("case {name}: {e}"));
        assert_eq!(sink.rule_ids(), want, "case {name}");
        assert_eq!(report.delivery_alerts, 1, "case {name}");
        // As for any detection, the folder's account (which the bucket policy vouches for) is
        // the alert's, whatever account the record names.
        for alert in sink.alerts().iter().filter(|a| a.insight.is_some()) {
            assert_eq!(alert.account_id.as_deref(), Some(PROD), "case {name}");
        }
    }
}

#[tokio::test]
async fn an_insight_is_suppressed_like_any_detection() {
    let file = "[[suppress]]\nrule = \"insight.*\"\npattern = '{ $.insightDetails.eventName = \"RunInstances\" }'\nreason = \"the nightly fleet rebuild\"\nexpires = 9999-12-31\n";
    let key = insights_key("quietquietquietq");
    let source = MemorySource::default().with(
        &key,
        file_of(&[
            insight("Start", "ApiCallRateInsight"),
            insight("End", "ApiCallRateInsight"),
        ]),
    );
    let sink = Recorder::default();
    let report = super::suppressions::suppressing(file)
        .process_object(&source, &NO_KEYS, &sink, &object(&key), Deadline::NONE)
        .await
        .unwrap();
    assert!(sink.rule_ids().is_empty(), "{:?}", sink.rule_ids());
    assert_eq!(
        (report.records, report.detections, report.suppressed),
        (2, 0, 1)
    );
}
