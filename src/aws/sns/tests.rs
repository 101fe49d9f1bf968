//! The sink on the real SNS client with canned answers: batching, partial failures and their
//! retries, sender faults, whole-request errors after the SDK's retries, FIFO ids.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_sns::config::retry::RetryConfig;
use aws_sdk_sns::operation::publish_batch::{PublishBatchInput, PublishBatchOutput};
use aws_sdk_sns::types::{BatchResultErrorEntry, PublishBatchResultEntry};
use aws_sdk_sns::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};

use super::*;
use crate::alert::{Alert, DeliveryProblem, Origin};

const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:trailwatch-alerts";

/// Distinct delivery alerts, one per account suffix.
fn alerts(n: usize) -> Vec<Alert> {
    (0..n)
        .map(|i| {
            let key = format!("AWSLogs/12345678{i:04}/CloudTrail/x");
            let account = format!("12345678{i:04}");
            let origin = Origin {
                bucket: Some("example-ct-logs"),
                key: &key,
                account_id: Some(&account),
                region: Some("us-east-1"),
            };
            Alert::delivery(DeliveryProblem::Corrupt, origin, format!("alert {i}"))
        })
        .collect()
}

/// What each `PublishBatch` call received, as (id, group, dedup) per entry.
type Calls = Arc<Mutex<Vec<Vec<PublishBatchRequestEntry>>>>;

/// A client whose `PublishBatch` records each request and answers with `answer(call, request)`.
fn client(
    answer: impl Fn(usize, &PublishBatchInput) -> PublishBatchOutput + Send + Sync + 'static,
) -> (Client, Calls) {
    let calls: Calls = Arc::default();
    let seen = calls.clone();
    let rule = mock!(aws_sdk_sns::Client::publish_batch).then_compute_output(move |req| {
        let mut seen = seen.lock().unwrap();
        seen.push(req.publish_batch_request_entries().to_vec());
        answer(seen.len(), req)
    });
    (
        mock_client!(aws_sdk_sns, RuleMode::MatchAny, [&rule]),
        calls,
    )
}

fn ok(id: &str) -> PublishBatchResultEntry {
    PublishBatchResultEntry::builder()
        .id(id)
        .message_id(format!("msg-{id}"))
        .build()
}

fn failed(id: &str, code: &str, sender_fault: bool) -> BatchResultErrorEntry {
    BatchResultErrorEntry::builder()
        .id(id)
        .code(code)
        .message("try later")
        .sender_fault(sender_fault)
        .build()
        .unwrap()
}

/// Every entry published.
fn all_ok(_call: usize, req: &PublishBatchInput) -> PublishBatchOutput {
    let mut out = PublishBatchOutput::builder();
    for entry in req.publish_batch_request_entries() {
        out = out.successful(ok(entry.id()));
    }
    out.build()
}

fn ids(entries: &[PublishBatchRequestEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.id()).collect()
}

fn sink(client: Client, topic: &str) -> SnsSink {
    SnsSink::new(client, topic).with_retries(3, Duration::ZERO)
}

#[tokio::test]
async fn alerts_go_out_in_batches_of_ten_with_structure_and_attributes() {
    let (client, calls) = client(all_ok);
    sink(client, TOPIC).publish(&alerts(25)).await.unwrap();
    let calls = calls.lock().unwrap();
    let sizes: Vec<usize> = calls.iter().map(Vec::len).collect();
    assert_eq!(sizes, vec![10, 10, 5]);
    let first = &calls[0][0];
    assert_eq!(first.message_structure(), Some("json"));
    assert!(first
        .subject()
        .unwrap()
        .starts_with("[MEDIUM] delivery.corrupt in 123456780000"));
    let attributes = first.message_attributes().unwrap();
    assert_eq!(
        attributes.get("account_id").and_then(|v| v.string_value()),
        Some("123456780000")
    );
    assert_eq!(
        attributes.get("kind").map(|v| v.data_type()),
        Some("String")
    );
    assert_eq!(
        first.message_group_id(),
        None,
        "standard topic: no FIFO ids"
    );
}

#[tokio::test]
async fn failed_entries_are_retried_until_published() {
    // First call: entry 1 throttled; second call: everything it is sent succeeds.
    let (client, calls) = client(|call, req| {
        if call == 1 {
            PublishBatchOutput::builder()
                .successful(ok("0"))
                .failed(failed("1", "Throttled", false))
                .successful(ok("2"))
                .build()
        } else {
            all_ok(call, req)
        }
    });
    sink(client, TOPIC).publish(&alerts(3)).await.unwrap();
    let calls = calls.lock().unwrap();
    let sent: Vec<Vec<&str>> = calls.iter().map(|c| ids(c)).collect();
    assert_eq!(
        sent,
        vec![vec!["0", "1", "2"], vec!["1"]],
        "only the failed entry again"
    );
}

#[tokio::test]
async fn entries_the_answer_does_not_mention_are_retried_too() {
    let (client, calls) = client(|call, req| {
        if call == 1 {
            PublishBatchOutput::builder().successful(ok("0")).build()
        } else {
            all_ok(call, req)
        }
    });
    sink(client, TOPIC).publish(&alerts(2)).await.unwrap();
    let sent: Vec<Vec<String>> = calls
        .lock()
        .unwrap()
        .iter()
        .map(|c| ids(c).into_iter().map(String::from).collect())
        .collect();
    assert_eq!(sent, vec![vec!["0", "1"], vec!["1"]]);
}

#[tokio::test]
async fn entries_still_failing_fail_the_publish() {
    let (client, calls) = client(|_, req| {
        let mut out = PublishBatchOutput::builder();
        for entry in req.publish_batch_request_entries() {
            out = out.failed(failed(entry.id(), "InternalError", false));
        }
        out.build()
    });
    let err = sink(client, TOPIC).publish(&alerts(2)).await.unwrap_err();
    assert_eq!(calls.lock().unwrap().len(), 3, "bounded attempts");
    assert!(
        err.to_string()
            .contains("2 alerts still failed after 3 attempts: InternalError"),
        "{err}"
    );
}

#[tokio::test]
async fn a_sender_fault_fails_at_once() {
    let (client, calls) = client(|_, _| {
        PublishBatchOutput::builder()
            .failed(failed("0", "InvalidParameter", true))
            .build()
    });
    let err = sink(client, TOPIC).publish(&alerts(1)).await.unwrap_err();
    assert_eq!(
        calls.lock().unwrap().len(),
        1,
        "no retry can fix the request"
    );
    assert!(
        err.to_string()
            .contains("rejected an alert: InvalidParameter"),
        "{err}"
    );
}

#[tokio::test]
async fn a_request_that_keeps_failing_is_a_sink_error_after_the_sdk_retries() {
    let rule = mock!(aws_sdk_sns::Client::publish_batch)
        .sequence()
        .http_status(500, None)
        .repeatedly()
        .build();
    let client = mock_client!(aws_sdk_sns, RuleMode::Sequential, [&rule], |c| {
        c.retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1)),
        )
    });
    let err = sink(client, TOPIC).publish(&alerts(1)).await.unwrap_err();
    assert_eq!(rule.num_calls(), 3, "the SDK retried the 500s");
    assert!(
        err.to_string()
            .starts_with("publishing alerts failed: PublishBatch to arn:aws:sns"),
        "{err}"
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "the SDK's error is kept as the cause: {err:?}"
    );
}

#[tokio::test]
async fn a_throttled_request_succeeds_on_the_sdks_retry() {
    let rule = mock!(aws_sdk_sns::Client::publish_batch)
        .sequence()
        .http_status(503, None)
        .output(|| PublishBatchOutput::builder().successful(ok("0")).build())
        .build();
    let client = mock_client!(aws_sdk_sns, RuleMode::Sequential, [&rule], |c| {
        c.retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(1)))
    });
    sink(client, TOPIC).publish(&alerts(1)).await.unwrap();
    assert_eq!(rule.num_calls(), 2);
}

#[tokio::test]
async fn fifo_topics_get_group_and_deduplication_ids() {
    let (client, calls) = client(all_ok);
    let alerts = alerts(2);
    sink(client, &format!("{TOPIC}.fifo"))
        .publish(&alerts)
        .await
        .unwrap();
    let calls = calls.lock().unwrap();
    let got: Vec<(Option<&str>, Option<&str>)> = calls[0]
        .iter()
        .map(|e| (e.message_group_id(), e.message_deduplication_id()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some("123456780000"), Some(alerts[0].alert_id.as_str())),
            (Some("123456780001"), Some(alerts[1].alert_id.as_str())),
        ]
    );
}
