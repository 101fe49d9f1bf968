//! Load through the SQS trigger path: 1,000 objects of mixed sizes, some bad, one a folder
//! placeholder, written to moto's bucket, announced by moto's own S3 → SQS notifications, and
//! consumed in batches of ten the way Lambda's SQS poller does (failed messages come back, the rest are deleted),
//! with S3 and SNS faults injected at the start so some objects are retried.
//!
//! Conservation is asserted object by object: every object accounted for exactly once,
//! every record written evaluated, every alert expected received (by id) and nothing else.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, MessageSystemAttributeName, QueueAttributeName,
};
use serde_json::{json, Value};
use tracing_subscriber::layer::SubscriberExt;
use trailwatch_synth::{cis_hit, delivery_of, gzip, log_key, Synth, CONTROLS};

use crate::proxy::{Fault, FaultProxy, Op};
use crate::tally::Tally;
use crate::world::*;

const OBJECTS: usize = 1000;
/// Deliveries written at once, as many accounts' trails would.
const WRITERS: usize = 8;
/// Invocations that meet the injected faults.
const FAULTY_INVOCATIONS: usize = 10;
/// Invocations after which the run is declared stuck.
const MAX_INVOCATIONS: usize = 1000;

/// One delivery and what the function must make of it.
struct Planned {
    key: String,
    account: &'static str,
    body: Vec<u8>,
    acl: Acl,
    /// Deleted after its notification is sent, before the function reads it.
    deleted: bool,
    records: u64,
    detections: u64,
    /// The delivery alert due, if any.
    delivery: Option<&'static str>,
}

/// The `i`th delivery: mostly good, a few of each kind of bad, sizes from one record to
/// thousands. Deterministic.
fn plan(i: usize, synth: &mut Synth) -> Planned {
    let account = if i.is_multiple_of(2) { PRODUCTION } else { DEV };
    let region = if i.is_multiple_of(2) {
        "us-east-1"
    } else {
        "eu-west-1"
    };
    let suffix = format!("Load{i:012}");
    let key = log_key(None, None, account, region, DAY, (9, 5), &suffix);
    let size = if i % 100 == 50 {
        3000
    } else {
        1 + i * 37 % 150
    };
    let hits = if i.is_multiple_of(5) { 1 + i % 3 } else { 0 };
    let mut records: Vec<Value> = (0..size)
        .map(|_| synth.record(account, region, DAY))
        .collect();
    for h in 0..hits {
        let control = CONTROLS[(i + h) % CONTROLS.len()];
        let time = format!("2025-03-14T09:0{h}:30Z");
        let at = (h * 7) % records.len();
        records.insert(at, cis_hit(control, account, region, &time).unwrap());
    }
    let good = Planned {
        key,
        account,
        body: gzip(delivery_of(&records).as_bytes(), 1),
        acl: Acl::BucketOwnerFullControl,
        deleted: false,
        records: records.len() as u64,
        detections: hits as u64,
        delivery: None,
    };
    // Bad content is never evaluated: no records, no detections.
    let bad = |good: Planned, delivery, body: Vec<u8>| Planned {
        body,
        records: 0,
        detections: 0,
        delivery: Some(delivery),
        ..good
    };
    match i {
        _ if i % 53 == 7 => bad(good, "delivery.corrupt", gzip(b"<html>not json</html>", 1)),
        _ if i % 79 == 23 => bad(good, "delivery.corrupt", Vec::new()),
        _ if i % 61 == 11 => Planned {
            acl: Acl::Private,
            delivery: Some("delivery.acl"),
            ..good
        },
        _ if i % 67 == 13 => {
            let key = log_key(None, None, STRANGER, region, DAY, (9, 5), &suffix);
            let body = good.body.clone();
            bad(
                Planned {
                    key,
                    account: STRANGER,
                    ..good
                },
                "delivery.unexpected-account",
                body,
            )
        }
        _ if i % 71 == 17 => {
            let key = good.key.replace(".json.gz", ".json");
            let body = good.body.clone();
            bad(Planned { key, ..good }, "delivery.invalid-key", body)
        }
        _ if i % 73 == 19 => {
            let body = good.body.clone();
            bad(
                Planned {
                    deleted: true,
                    ..good
                },
                "delivery.missing",
                body,
            )
        }
        // The console's "create folder": an empty object whose key ends in `/`, kind other.
        _ if i == OBJECTS - 1 => Planned {
            key: format!("AWSLogs/{account}/CloudTrail/{region}/2025/03/"),
            body: Vec::new(),
            records: 0,
            detections: 0,
            ..good
        },
        _ => good,
    }
}

/// A queue for the bucket's notifications, with a dead-letter queue after five receives.
/// Returns the queue's URL and ARN and the dead-letter queue's URL.
async fn notification_queue(world: &World) -> (String, String, String) {
    let visibility = (QueueAttributeName::VisibilityTimeout, "300");
    let dlq = world
        .create_queue("deliveries-dlq", std::slice::from_ref(&visibility))
        .await;
    let policy = json!({"deadLetterTargetArn": world.queue_arn(&dlq).await, "maxReceiveCount": 5})
        .to_string();
    let redrive = (QueueAttributeName::RedrivePolicy, policy.as_str());
    let queue = world
        .create_queue("deliveries", &[visibility, redrive])
        .await;
    let queue_arn = world.queue_arn(&queue).await;
    let config = aws_sdk_s3::types::NotificationConfiguration::builder()
        .queue_configurations(
            aws_sdk_s3::types::QueueConfiguration::builder()
                .queue_arn(&queue_arn)
                .events(aws_sdk_s3::types::Event::S3ObjectCreated)
                .build()
                .unwrap(),
        )
        .build();
    world
        .s3
        .put_bucket_notification_configuration()
        .bucket(BUCKET)
        .notification_configuration(config)
        .send()
        .await
        .unwrap();
    (queue, queue_arn, dlq)
}

/// The SQS event Lambda's poller builds from received messages.
fn sqs_event(messages: &[aws_sdk_sqs::types::Message], queue_arn: &str) -> Value {
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": {
                    "ApproximateReceiveCount": m
                        .attributes()
                        .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount)),
                },
                "messageAttributes": {},
                "md5OfBody": m.md5_of_body(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            })
        })
        .collect();
    json!({ "Records": records })
}

#[tokio::test]
async fn a_thousand_deliveries_through_sqs_are_all_accounted_for() {
    let world = World::new().await;
    let (queue, queue_arn, dlq) = notification_queue(&world).await;
    let mut synth = Synth::with_error_rate(11, 0);
    let planned: Vec<Planned> = (0..OBJECTS).map(|i| plan(i, &mut synth)).collect();
    let written_bytes: usize = planned.iter().map(|p| p.body.len()).sum();
    let writing = Instant::now();
    let mut writers = tokio::task::JoinSet::new();
    for p in &planned {
        if writers.len() == WRITERS {
            writers.join_next().await.unwrap().unwrap();
        }
        writers.spawn(put_object(
            world.s3.clone(),
            p.key.clone(),
            p.body.clone(),
            p.acl,
        ));
    }
    writers.join_all().await;
    for p in planned.iter().filter(|p| p.deleted) {
        world
            .s3
            .delete_object()
            .bucket(BUCKET)
            .key(&p.key)
            .send()
            .await
            .unwrap();
    }
    let writing = writing.elapsed();

    // Transient trouble at the start: objects and alert batches that must come back. The
    // first invocations go through the proxy; the rest straight to moto, as the proxy's
    // connection-per-request costs more than the function itself.
    let proxy = FaultProxy::start(&world.moto.endpoint);
    proxy.arm(Op::GetObject, Fault::Status(503, "SlowDown"), Some(9));
    proxy.arm(
        Op::PublishBatch,
        Fault::Status(500, "InternalFailure"),
        Some(6),
    );
    let faulty = sdk_for(&proxy.endpoint).await;
    let tally = Tally::default();
    // While only one dispatcher exists, tracing-core settles a callsite's interest from the
    // current thread's default alone: another test reaching one of the handler's callsites
    // first, on its own thread with no subscriber, would cache "never" for it and this tally
    // would miss the function's log lines. A second, idle dispatcher makes tracing ask every
    // registered dispatcher instead.
    let _idle = tracing::Dispatch::new(tracing_subscriber::registry());
    let _logs =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(tally.clone()));

    let started = Instant::now();
    let (mut invocations, mut returned) = (0, 0);
    loop {
        let received = world
            .sqs
            .receive_message()
            .queue_url(&queue)
            .max_number_of_messages(10)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .unwrap();
        let messages = received.messages();
        if messages.is_empty() {
            break;
        }
        invocations += 1;
        assert!(invocations <= MAX_INVOCATIONS, "the queue does not drain");
        tally.invocation_starts();
        let sdk = if invocations <= FAULTY_INVOCATIONS {
            &faulty
        } else {
            &world.sdk
        };
        let answer = world
            .invoke_through(sdk, &sqs_event(messages, &queue_arn))
            .await
            .expect("an SQS invocation answers with its failures");
        let failed: BTreeSet<&str> = answer["batchItemFailures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["itemIdentifier"].as_str().unwrap())
            .collect();
        let mut done = Vec::new();
        for m in messages {
            let handle = m.receipt_handle().unwrap();
            if failed.contains(m.message_id().unwrap()) {
                // Back in the queue at once, as if its visibility timeout had run out.
                returned += 1;
                world
                    .sqs
                    .change_message_visibility()
                    .queue_url(&queue)
                    .receipt_handle(handle)
                    .visibility_timeout(0)
                    .send()
                    .await
                    .unwrap();
            } else {
                done.push(
                    DeleteMessageBatchRequestEntry::builder()
                        .id(done.len().to_string())
                        .receipt_handle(handle)
                        .build()
                        .unwrap(),
                );
            }
        }
        if !done.is_empty() {
            let deleted = world
                .sqs
                .delete_message_batch()
                .queue_url(&queue)
                .set_entries(Some(done))
                .send()
                .await
                .unwrap();
            assert!(deleted.failed().is_empty(), "{:?}", deleted.failed());
        }
    }
    let elapsed = started.elapsed();

    // Objects in = objects accounted for, each exactly once, with its records and alerts.
    let objects = tally.objects();
    let keys: BTreeSet<&String> = objects.keys().collect();
    let planned_keys: BTreeSet<&String> = planned.iter().map(|p| &p.key).collect();
    assert_eq!(keys, planned_keys, "every object, and nothing else");
    for p in &planned {
        let t = &objects[&p.key];
        assert_eq!(t.processed, 1, "{}: processed once", p.key);
        assert_eq!(
            (t.records, t.detections, t.delivery_alerts),
            (p.records, p.detections, u64::from(p.delivery.is_some())),
            "{}: records, detections, delivery alerts",
            p.key
        );
    }
    let retried = objects.values().filter(|t| t.failed > 0).count();
    let injected = proxy.injected(Op::GetObject) + proxy.injected(Op::PublishBatch);
    assert_eq!(injected, 15, "every armed fault met a request");
    assert!(retried > 0, "the injected faults sent objects back");
    let records_in: u64 = planned.iter().map(|p| p.records).sum();
    let evaluated: u64 = objects.values().map(|t| t.records).sum();
    assert_eq!(evaluated, records_in, "records in = records evaluated");

    // Alerts expected = alerts received, by id; a retried publish may repeat one.
    let security = world.drain(&world.security).await;
    let mut by_key: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for d in &security {
        let entry = by_key
            .entry(d.alert["key"].as_str().unwrap().to_string())
            .or_default();
        let id = d.alert["alert_id"].as_str().unwrap().to_string();
        match d.alert["kind"].as_str().unwrap() {
            "detection" => entry.0.insert(id),
            _ => entry.1.insert(d.rule_id().to_string()),
        };
    }
    for p in &planned {
        let (detections, delivery) = by_key.remove(&p.key).unwrap_or_default();
        assert_eq!(
            detections.len() as u64,
            p.detections,
            "{}: detections",
            p.key
        );
        let want: BTreeSet<String> = p.delivery.iter().map(|d| d.to_string()).collect();
        assert_eq!(delivery, want, "{}: delivery alerts", p.key);
    }
    assert!(by_key.is_empty(), "alerts for unknown keys: {by_key:?}");
    let expected_alerts: u64 = planned
        .iter()
        .map(|p| p.detections + u64::from(p.delivery.is_some()))
        .sum();
    let distinct: BTreeSet<&str> = security
        .iter()
        .map(|d| d.alert["alert_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        distinct.len() as u64,
        expected_alerts,
        "alerts expected = received"
    );

    // The Dev team's filter policy lets exactly Dev's alerts through.
    let dev_expected: u64 = planned
        .iter()
        .filter(|p| p.account == DEV && p.delivery != Some("delivery.invalid-key"))
        .map(|p| p.detections + u64::from(p.delivery.is_some()))
        .sum();
    let dev: BTreeSet<String> = world
        .drain(&world.dev)
        .await
        .iter()
        .map(|d| d.alert["alert_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(dev.len() as u64, dev_expected, "Dev's alerts");

    assert!(world.drain(&dlq).await.is_empty(), "nothing dead-lettered");
    let (slowest, slowest_key) = tally.slowest().unwrap();
    eprintln!(
        "load: {OBJECTS} objects ({:.1} MB compressed, {records_in} records, written in {:.1} s) \
         processed in {:.1} s ({:.1} s of it in the function): \
         {:.0} objects/s, {:.0} records/s; {invocations} invocations, {returned} messages \
         returned, {retried} objects retried, {} faults injected; {expected_alerts} alerts \
         ({} deliveries, {} repeats); slowest object {:.0} ms ({slowest_key})",
        written_bytes as f64 / 1e6,
        writing.as_secs_f64(),
        elapsed.as_secs_f64(),
        tally.busy().as_secs_f64(),
        OBJECTS as f64 / elapsed.as_secs_f64(),
        records_in as f64 / elapsed.as_secs_f64(),
        injected,
        security.len(),
        security.len() - distinct.len(),
        slowest.as_secs_f64() * 1000.0,
    );
}
