//! The handler on in-memory ports: what each trigger answers when objects succeed, fail
//! transiently, or cannot be named at all.

use serde_json::{json, Value};
use trailwatch_synth::{cis_hit, delivery_of, gzip, log_key};

use super::*;
use crate::config::Settings;
use crate::metrics::Tally;
use crate::ports::SourceErrorKind;
use crate::rules::effective_rules;
use crate::testing::{MemorySource, Recorder, NO_KEYS};

const BUCKET: &str = "example-ct-logs";
const PROD: &str = "123456789012";

fn key(suffix: &str) -> String {
    log_key(None, None, PROD, "us-east-1", (2025, 3, 14), (9, 5), suffix)
}

/// A delivery whose one record fires `control`.
fn hit(control: &str) -> Vec<u8> {
    let record = cis_hit(control, PROD, "us-east-1", "2025-03-14T09:01:02Z").unwrap();
    gzip(delivery_of(&[record]).as_bytes(), 1)
}

/// One invocation with no deadline and no public keys.
async fn invoke(
    pipeline: &Pipeline,
    source: &MemorySource,
    sink: &Recorder,
    event: &Value,
) -> Result<Value, InvocationError> {
    measured(pipeline, source, sink, event).await.0
}

/// [`invoke`], with the metric documents the invocation's tally gives.
async fn measured(
    pipeline: &Pipeline,
    source: &MemorySource,
    sink: &Recorder,
    event: &Value,
) -> (Result<Value, InvocationError>, Vec<Value>) {
    let ports = Ports {
        source,
        keys: &NO_KEYS,
        sink,
    };
    let mut tally = Tally::new(pipeline.settings().expected_accounts.as_ref());
    let answer = handle(pipeline, &ports, event, Deadline::NONE, &mut tally).await;
    (answer, tally.documents(OffsetDateTime::now_utc()))
}

fn pipeline() -> Pipeline {
    Pipeline::new(Settings::default(), &effective_rules(None).unwrap()).unwrap()
}

/// A source with: `ok1` firing CloudWatch.5, `ok2` firing CloudWatch.1, `flaky` failing
/// transiently, `gone-bucket` failing permanently.
fn source() -> MemorySource {
    MemorySource::default()
        .with(key("ok1ok1ok1ok1ok1o"), hit("CloudWatch.5"))
        .with(key("ok2ok2ok2ok2ok2o"), hit("CloudWatch.1"))
        .failing(key("flakyflakyflakyf"), SourceErrorKind::Transient)
        .failing(key("gonebucketgonebu"), SourceErrorKind::Permanent)
}

fn s3_event(suffixes: &[&str]) -> Value {
    let records: Vec<Value> = suffixes
        .iter()
        .map(|s| {
            json!({"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": BUCKET}, "object": {"key": key(s)}}})
        })
        .collect();
    json!({ "Records": records })
}

fn sqs(messages: &[(&str, Value)]) -> Value {
    let records: Vec<Value> = messages
        .iter()
        .map(|(id, body)| json!({"messageId": id, "eventSource": "aws:sqs", "body": body.to_string()}))
        .collect();
    json!({ "Records": records })
}

#[tokio::test]
async fn plain_trigger_publishes_and_summarises() {
    let sink = Recorder::default();
    let answer = invoke(
        &pipeline(),
        &source(),
        &sink,
        &s3_event(&["ok1ok1ok1ok1ok1o", "ok2ok2ok2ok2ok2o"]),
    )
    .await
    .unwrap();
    assert_eq!(
        answer,
        json!({"objects": 2, "records": 2, "detections": 2, "suppressed": 0, "delivery_alerts": 0, "integrity_alerts": 0, "ignored_events": 0})
    );
    assert_eq!(sink.rule_ids(), vec!["CloudWatch.5", "CloudWatch.1"]);
}

#[tokio::test]
async fn a_transient_failure_fails_the_invocation_after_the_other_objects() {
    let sink = Recorder::default();
    let err = invoke(
        &pipeline(),
        &source(),
        &sink,
        &s3_event(&["flakyflakyflakyf", "ok1ok1ok1ok1ok1o"]),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            InvocationError::Retryable {
                failed: 1,
                total: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        sink.rule_ids(),
        vec!["CloudWatch.5"],
        "the healthy object still alerted"
    );
    let diagnostic = Diagnostic::from(err);
    assert_eq!(diagnostic.error_type, "Retryable");
    assert!(
        diagnostic.error_message.contains("flakyflakyflakyf"),
        "{}",
        diagnostic.error_message
    );
}

#[tokio::test]
async fn failures_are_typed_by_whether_a_retry_can_help() {
    let cases: [(&str, Value, bool, &str); 4] = [
        (
            "transient source",
            s3_event(&["flakyflakyflakyf"]),
            false,
            "Retryable",
        ),
        (
            "permanent source error",
            s3_event(&["gonebucketgonebu"]),
            false,
            "NonRetryable",
        ),
        (
            "sink down",
            s3_event(&["ok1ok1ok1ok1ok1o"]),
            true,
            "Retryable",
        ),
        (
            "unknown event",
            json!({"hello": "world"}),
            false,
            "NonRetryable",
        ),
    ];
    for (name, event, sink_down, want) in cases {
        let sink = Recorder {
            down: sink_down,
            ..Recorder::default()
        };
        let err = invoke(&pipeline(), &source(), &sink, &event)
            .await
            .expect_err(name);
        assert_eq!(Diagnostic::from(err).error_type, want, "case {name}");
    }
}

#[tokio::test]
async fn a_deleted_object_is_a_delivery_alert_not_a_failure() {
    let sink = Recorder::default();
    let answer = invoke(
        &pipeline(),
        &source(),
        &sink,
        &s3_event(&["deleteddeleteddd"]),
    )
    .await
    .unwrap();
    assert_eq!(answer["delivery_alerts"], 1);
    assert_eq!(sink.rule_ids(), vec!["delivery.missing"]);
}

#[tokio::test]
async fn sqs_returns_only_the_failed_messages() {
    let sink = Recorder::default();
    let event = sqs(&[
        ("m-ok", s3_event(&["ok1ok1ok1ok1ok1o"])),
        ("m-flaky", s3_event(&["flakyflakyflakyf"])),
        ("m-unknown", json!({"hello": "world"})),
        (
            "m-test",
            json!({"Service": "Amazon S3", "Event": "s3:TestEvent"}),
        ),
    ]);
    let answer = invoke(&pipeline(), &source(), &sink, &event).await.unwrap();
    assert_eq!(
        answer,
        json!({"batchItemFailures": [{"itemIdentifier": "m-flaky"}, {"itemIdentifier": "m-unknown"}]})
    );
    assert_eq!(sink.rule_ids(), vec!["CloudWatch.5"]);
}

#[tokio::test]
async fn batch_tasks_get_their_own_result_codes() {
    let sink = Recorder::default();
    let task = |id: &str, suffix: &str| json!({"taskId": id, "s3Key": key(suffix), "s3VersionId": null, "s3BucketArn": format!("arn:aws:s3:::{BUCKET}")});
    let event = json!({
        "invocationSchemaVersion": "1.0", "invocationId": "inv-1", "job": {"id": "job-1"},
        "tasks": [task("t-ok", "ok2ok2ok2ok2ok2o"), task("t-flaky", "flakyflakyflakyf"),
                  task("t-gone-bucket", "gonebucketgonebu"), {"taskId": "t-bad", "s3Key": "k"}]
    });
    let answer = invoke(&pipeline(), &source(), &sink, &event).await.unwrap();
    let codes: Vec<(&str, &str)> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["taskId"].as_str().unwrap(),
                r["resultCode"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            ("t-ok", "Succeeded"),
            ("t-flaky", "TemporaryFailure"),
            ("t-gone-bucket", "PermanentFailure"),
            ("t-bad", "PermanentFailure")
        ]
    );
    assert_eq!(answer["invocationId"], "inv-1");
    assert_eq!(
        answer["results"][0]["resultString"],
        "1 records, 1 detections, 0 delivery alerts, 0 integrity alerts"
    );
}

#[tokio::test]
async fn a_bucket_not_watched_is_never_read_and_cannot_be_retried_into_success() {
    let settings = Settings {
        buckets: Some(["other-bucket".to_string()].into()),
        ..Settings::default()
    };
    let watching_elsewhere = Pipeline::new(settings, &effective_rules(None).unwrap()).unwrap();
    let sink = Recorder::default();
    let err = invoke(
        &watching_elsewhere,
        &source(),
        &sink,
        &s3_event(&["ok1ok1ok1ok1ok1o"]),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, InvocationError::NonRetryable(_)), "{err}");
    assert!(
        err.to_string().contains("not among the watched buckets"),
        "{err}"
    );
    assert!(
        sink.rule_ids().is_empty(),
        "nothing read, nothing published"
    );

    let watching_it = Settings {
        buckets: Some([BUCKET.to_string()].into()),
        ..Settings::default()
    };
    let pipeline = Pipeline::new(watching_it, &effective_rules(None).unwrap()).unwrap();
    invoke(
        &pipeline,
        &source(),
        &sink,
        &s3_event(&["ok1ok1ok1ok1ok1o"]),
    )
    .await
    .unwrap();
    assert_eq!(sink.rule_ids(), ["CloudWatch.5"]);
}

#[tokio::test]
async fn events_that_name_no_new_object_are_counted_in_the_answer() {
    let sink = Recorder::default();
    let event: Value =
        serde_json::from_str(include_str!("../../events/eventbridge-api-call.json")).unwrap();
    let answer = invoke(&pipeline(), &source(), &sink, &event).await.unwrap();
    assert_eq!(
        answer,
        json!({"objects": 0, "records": 0, "detections": 0, "suppressed": 0, "delivery_alerts": 0, "integrity_alerts": 0, "ignored_events": 1})
    );
    assert!(sink.rule_ids().is_empty());
}

/// A digest key of Production's, dated `day` at 03:00:00.
fn digest_of(account: &str, region: &str, day: (i32, u32, u32)) -> String {
    trailwatch_synth::digest_key(None, None, account, region, day, (3, 0, 0), "org-trail")
}

#[tokio::test]
async fn a_heartbeat_publishes_what_is_late_and_says_so() {
    let source = MemorySource::default()
        .with(digest_of(PROD, "us-east-1", (2025, 3, 14)), vec![1])
        .with(digest_of(PROD, "eu-west-1", (2025, 3, 13)), vec![1]);
    let sink = Recorder::default();
    let beat = json!({"trailwatch": "heartbeat", "bucket": BUCKET,
        "accounts": [PROD, "444455556666"], "now": "2025-03-14T04:00:00Z"});
    let answer = invoke(&pipeline(), &source, &sink, &beat).await.unwrap();
    assert_eq!(answer, json!({"heartbeat": {"bucket": BUCKET, "late": 2}}));
    let late: Vec<(Option<String>, Option<String>)> = sink
        .alerts()
        .into_iter()
        .map(|a| (a.account_id, a.region))
        .collect();
    assert_eq!(
        late,
        [
            (Some(PROD.to_owned()), Some("eu-west-1".to_owned())),
            (Some("444455556666".to_owned()), None),
        ]
    );
}

#[tokio::test]
async fn a_heartbeat_that_cannot_work_is_refused_and_one_that_can_later_is_retried() {
    let beat = json!({"trailwatch": "heartbeat", "bucket": BUCKET, "now": "2025-03-14T04:00:00Z"});
    let cases: [(&str, Value, Pipeline, bool, &str); 4] = [
        (
            "no accounts anywhere",
            beat.clone(),
            pipeline(),
            false,
            "NonRetryable",
        ),
        (
            "a malformed payload",
            json!({"trailwatch": "heartbeat", "bucket": BUCKET, "acounts": [PROD]}),
            pipeline(),
            false,
            "NonRetryable",
        ),
        (
            "a bucket not watched",
            json!({"trailwatch": "heartbeat", "bucket": "another-bucket", "accounts": [PROD]}),
            Pipeline::new(
                Settings {
                    buckets: Some([BUCKET.to_owned()].into()),
                    ..Settings::default()
                },
                &effective_rules(None).unwrap(),
            )
            .unwrap(),
            false,
            "NonRetryable",
        ),
        (
            "alerts that cannot be published",
            json!({"trailwatch": "heartbeat", "bucket": BUCKET, "accounts": [PROD]}),
            pipeline(),
            true,
            "Retryable",
        ),
    ];
    for (case, event, pipeline, sink_down, want) in cases {
        let sink = Recorder {
            down: sink_down,
            ..Recorder::default()
        };
        let err = invoke(&pipeline, &MemorySource::default(), &sink, &event)
            .await
            .expect_err(case);
        assert_eq!(Diagnostic::from(err).error_type, want, "case {case}");
    }
}

/// The metrics of an SQS batch: a message whose object fails, one that names nothing, two that
/// alert (one with its creation time, one without), all counted; latency only where the
/// event gave the time, and never more than the wall clock allows.
#[tokio::test]
async fn every_part_of_an_invocation_is_counted_into_its_metrics() {
    let sink = Recorder::default();
    let created = OffsetDateTime::now_utc() - time::Duration::seconds(30);
    let mut timed = s3_event(&["ok1ok1ok1ok1ok1o"]);
    timed["Records"][0]["eventTime"] = json!(created
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap());
    let event = sqs(&[
        ("timed", timed),
        ("untimed", s3_event(&["ok2ok2ok2ok2ok2o"])),
        ("flaky", s3_event(&["flakyflakyflakyf"])),
        ("nothing", json!({"hello": 1})),
    ]);
    let before = OffsetDateTime::now_utc();
    let (answer, documents) = measured(&pipeline(), &source(), &sink, &event).await;
    let after = OffsetDateTime::now_utc();
    assert_eq!(
        answer.unwrap(),
        json!({"batchItemFailures": [{"itemIdentifier": "flaky"}, {"itemIdentifier": "nothing"}]})
    );
    // Totals and kind log; no account documents, as no account is expected.
    assert_eq!(documents.len(), 2, "{documents:?}");
    let totals = &documents[0];
    assert_eq!(totals["Objects"], 2);
    assert_eq!(totals["Failures"], 2);
    assert_eq!(totals["Records"], 2);
    assert_eq!(totals["Detections"], 2);
    assert_eq!(
        totals["ProcessingDuration"].as_array().unwrap().len(),
        3,
        "both objects and the failed one"
    );
    let latencies = totals["AlertLatency"].as_array().unwrap();
    assert_eq!(latencies.len(), 1, "{totals}");
    let latency = latencies[0].as_f64().unwrap();
    let bound = |at: OffsetDateTime| (at - created).as_seconds_f64() * 1000.0;
    assert!(
        bound(before) <= latency && latency <= bound(after),
        "{latency} ms"
    );
    let stored = hit("CloudWatch.5").len() + hit("CloudWatch.1").len();
    assert_eq!(totals["CompressedBytes"], stored, "{totals}");
    assert_eq!(documents[1]["Kind"], "log");
    assert_eq!(documents[1]["Objects"], 2);
}

#[tokio::test]
async fn the_heartbeats_invocation_counts_its_late_alerts() {
    let (answer, documents) = measured(
        &pipeline(),
        &MemorySource::default(),
        &Recorder::default(),
        &json!({"trailwatch": "heartbeat", "bucket": BUCKET, "accounts": [PROD], "regions": ["us-east-1"]}),
    )
    .await;
    assert_eq!(answer.unwrap()["heartbeat"]["late"], 1);
    assert_eq!(documents.len(), 1, "{documents:?}");
    assert_eq!(documents[0]["IntegrityAlerts"], 1);
    assert_eq!(documents[0]["Objects"], 0);
}
