//! The handler in-process against moto: real S3, SNS (with its filter policies) and SQS over
//! HTTP, asserted by reading the teams' queues.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::world::*;

fn rule_ids(delivered: &[Delivered]) -> Vec<String> {
    let mut ids: Vec<String> = delivered.iter().map(|d| d.rule_id().to_string()).collect();
    ids.sort();
    ids
}

fn alert_ids(delivered: &[Delivered]) -> BTreeSet<String> {
    delivered
        .iter()
        .map(|d| d.alert["alert_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn detections_reach_each_team_once_with_body_and_attributes() {
    let world = World::new().await;
    world.deliver_prod_and_dev().await;
    // CloudTrail's own notice through SNS names both deliveries.
    let answer = world.invoke(&fixture("sns-cloudtrail.json")).await.unwrap();
    assert_eq!(
        answer,
        json!({"objects": 2, "records": 13, "detections": 3, "suppressed": 0, "delivery_alerts": 0, "integrity_alerts": 0, "ignored_events": 0})
    );

    let security = world.drain(&world.security).await;
    assert_eq!(
        rule_ids(&security),
        ["CloudWatch.1", "CloudWatch.4", "CloudWatch.5"],
        "each once"
    );
    let stop_logging = security
        .iter()
        .find(|d| d.rule_id() == "CloudWatch.5")
        .unwrap();
    let alert = &stop_logging.alert;
    assert_eq!(alert["kind"], "detection");
    assert_eq!(alert["account_id"], PRODUCTION);
    assert_eq!(alert["region"], "us-east-1");
    assert_eq!(alert["bucket"], BUCKET);
    assert_eq!(alert["key"], fixture_prod_key().as_str());
    assert_eq!(alert["event_name"], "StopLogging");
    assert_eq!(alert["event_source"], "cloudtrail.amazonaws.com");
    assert_eq!(
        alert["record"]["eventName"], "StopLogging",
        "the record travels with it"
    );
    assert_eq!(alert["reason"], Value::Null);
    let want: BTreeMap<String, String> = [
        ("kind", "detection"),
        ("rule_id", "CloudWatch.5"),
        ("severity", alert["severity"].as_str().unwrap()),
        ("account_id", PRODUCTION),
        ("region", "us-east-1"),
        ("event_source", "cloudtrail.amazonaws.com"),
        ("event_name", "StopLogging"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(stop_logging.attributes, want, "message attributes");
    let subject = stop_logging.subject.as_deref().unwrap();
    assert!(
        subject.starts_with("[")
            && subject.contains("CloudWatch.5 in 123456789012: ")
            && subject.len() <= 100,
        "{subject}"
    );

    let dev = world.drain(&world.dev).await;
    assert_eq!(
        rule_ids(&dev),
        ["CloudWatch.1", "CloudWatch.4"],
        "only Dev's alerts"
    );
    assert!(dev
        .iter()
        .all(|d| d.alert["account_id"] == DEV && d.attributes["account_id"] == DEV));
    let security_dev: BTreeSet<String> = alert_ids(
        &security
            .into_iter()
            .filter(|d| d.alert["account_id"] == DEV)
            .collect::<Vec<_>>(),
    );
    assert_eq!(
        alert_ids(&dev),
        security_dev,
        "the same alerts reach both teams"
    );
}

#[tokio::test]
async fn delivery_problems_each_give_their_delivery_alert() {
    let world = World::new().await;
    let stranger_key = stranger_key();
    let private_key = dev_key("PrivateAclPriv01");
    let corrupt_key = prod_key("CorruptGzipData1");
    let mismatch_key = prod_key("MismatchAccount1");
    let deleted_key = prod_key("DeletedObjectXY1");
    world
        .put(
            &stranger_key,
            delivery(STRANGER, "us-east-1", &["CloudWatch.1"]),
            Acl::BucketOwnerFullControl,
        )
        .await;
    world
        .put(&private_key, delivery(DEV, "eu-west-1", &[]), Acl::Private)
        .await;
    let mut corrupt = delivery(PRODUCTION, "us-east-1", &[]);
    corrupt.truncate(corrupt.len() / 2);
    world
        .put(&corrupt_key, corrupt, Acl::BucketOwnerFullControl)
        .await;
    // Dev's records written into Production's folder.
    world
        .put(
            &mismatch_key,
            delivery(DEV, "us-east-1", &[]),
            Acl::BucketOwnerFullControl,
        )
        .await;
    world
        .put(
            &deleted_key,
            delivery(PRODUCTION, "us-east-1", &[]),
            Acl::BucketOwnerFullControl,
        )
        .await;
    world
        .s3
        .delete_object()
        .bucket(BUCKET)
        .key(&deleted_key)
        .send()
        .await
        .unwrap();

    let keys = [
        &stranger_key,
        &private_key,
        &corrupt_key,
        &mismatch_key,
        &deleted_key,
    ];
    let records: Vec<Value> = keys
        .iter()
        .map(|key| {
            json!({"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
            "s3": {"bucket": {"name": BUCKET}, "object": {"key": key}}})
        })
        .collect();
    let answer = world.invoke(&json!({"Records": records})).await.unwrap();
    assert_eq!(answer["delivery_alerts"], 5, "{answer}");
    assert_eq!(
        answer["detections"], 0,
        "the stranger's content is not evaluated: {answer}"
    );

    let security = world.drain(&world.security).await;
    let got: BTreeMap<String, String> = security
        .iter()
        .map(|d| {
            (
                d.alert["key"].as_str().unwrap().to_string(),
                d.rule_id().to_string(),
            )
        })
        .collect();
    let want: BTreeMap<String, String> = [
        (stranger_key.clone(), "delivery.unexpected-account"),
        (private_key.clone(), "delivery.acl"),
        (corrupt_key.clone(), "delivery.corrupt"),
        (mismatch_key.clone(), "delivery.account-mismatch"),
        (deleted_key.clone(), "delivery.missing"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(security.len(), 5, "one alert each");
    for d in &security {
        assert_eq!(d.alert["kind"], "delivery", "{}", d.rule_id());
        assert_eq!(d.attributes["kind"], "delivery", "{}", d.rule_id());
        assert!(
            d.alert["reason"].as_str().is_some_and(|r| !r.is_empty()),
            "{}: a reason",
            d.rule_id()
        );
    }
    let dev = world.drain(&world.dev).await;
    assert_eq!(
        rule_ids(&dev),
        ["delivery.acl"],
        "Dev hears of its own delivery problem only"
    );
}

#[tokio::test]
async fn every_envelope_gives_the_same_alerts() {
    let world = World::new().await;
    world.deliver_prod_and_dev().await;
    // The reference: each delivery through a direct S3 notification.
    world.invoke(&fixture("s3-put.json")).await.unwrap();
    let prod = alert_ids(&world.drain(&world.security).await);
    let dev_event = json!({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": BUCKET}, "object": {"key": fixture_dev_key()}}}]});
    world.invoke(&dev_event).await.unwrap();
    let dev = alert_ids(&world.drain(&world.security).await);
    assert_eq!((prod.len(), dev.len()), (1, 2));
    let both: BTreeSet<String> = prod.union(&dev).cloned().collect();

    let none = BTreeSet::new();
    let cases: [(&str, &BTreeSet<String>, Value); 10] = [
        (
            "sns-s3.json",
            &prod,
            json!({"objects": 1, "records": 6, "detections": 1, "suppressed": 0, "delivery_alerts": 0, "integrity_alerts": 0, "ignored_events": 0}),
        ),
        (
            "sns-cloudtrail.json",
            &both,
            json!({"objects": 2, "records": 13, "detections": 3, "suppressed": 0, "delivery_alerts": 0, "integrity_alerts": 0, "ignored_events": 0}),
        ),
        (
            "eventbridge-object-created.json",
            &dev,
            json!({"objects": 1, "records": 7, "detections": 2, "suppressed": 0, "delivery_alerts": 0, "integrity_alerts": 0, "ignored_events": 0}),
        ),
        ("sqs-s3.json", &both, json!({"batchItemFailures": []})),
        (
            "sqs-eventbridge.json",
            &dev,
            json!({"batchItemFailures": []}),
        ),
        (
            "sqs-cloudtrail-raw.json",
            &both,
            json!({"batchItemFailures": []}),
        ),
        (
            "eventbridge-api-call.json",
            &none,
            json!({"objects": 0, "records": 0, "detections": 0, "suppressed": 0, "delivery_alerts": 0, "integrity_alerts": 0, "ignored_events": 1}),
        ),
        ("s3-batch-job.json", &prod, Value::Null),
        ("s3-batch-job-regional-arn.json", &prod, Value::Null),
        ("s3-batch-job-v2.json", &dev, Value::Null),
    ];
    for (name, want, answer) in cases {
        let got = world.invoke(&fixture(name)).await.unwrap();
        if answer.is_null() {
            let codes: Vec<&str> = got["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["resultCode"].as_str().unwrap())
                .collect();
            assert_eq!(codes, ["Succeeded"], "case {name}: {got}");
        } else {
            assert_eq!(got, answer, "case {name}");
        }
        assert_eq!(
            &alert_ids(&world.drain(&world.security).await),
            want,
            "case {name}"
        );
    }
    // The test notification S3 sends when the trigger is configured: nothing to do.
    let answer = world.invoke(&fixture("s3-test-event.json")).await.unwrap();
    assert_eq!(answer["objects"], 0);
    assert!(
        world.drain(&world.security).await.is_empty(),
        "no alert for a test event"
    );
}

#[tokio::test]
async fn transient_failures_fail_the_invocation_the_message_or_the_task() {
    let world = World::new().await;
    world.deliver_prod_and_dev().await;
    // The topic is gone: every publish fails, and no alert may be lost silently.
    world
        .sns
        .delete_topic()
        .topic_arn(&world.topic_arn)
        .send()
        .await
        .unwrap();

    let err = world
        .invoke(&fixture("sns-cloudtrail.json"))
        .await
        .unwrap_err();
    let diagnostic = lambda_runtime::Diagnostic::from(err);
    assert_eq!(
        diagnostic.error_type, "Retryable",
        "{}",
        diagnostic.error_message
    );
    assert!(
        diagnostic.error_message.contains("2 of 2 objects"),
        "{}",
        diagnostic.error_message
    );

    let answer = world.invoke(&fixture("sqs-s3.json")).await.unwrap();
    let failed: Vec<&str> = answer["batchItemFailures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["itemIdentifier"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed,
        [
            "059f36b4-87a3-44ab-83d2-661975830a7d",
            "2e1424d4-f796-459a-8184-9c92662be6da"
        ]
    );

    let answer = world.invoke(&fixture("s3-batch-job.json")).await.unwrap();
    assert_eq!(
        answer["results"][0]["resultCode"], "TemporaryFailure",
        "{answer}"
    );

    // S3 unreachable (the emulator stopped): the SDK's retries run out, the invocation fails.
    drop(world.moto);
    let world_sdk = world.sdk.clone();
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&world_sdk)
            .force_path_style(true)
            .build(),
    );
    let source = trailwatch::aws::S3Source::new(s3, 1 << 20)
        .with_bucket_owner_id(Some(BUCKET_OWNER.to_string()));
    let pipeline = trailwatch::pipeline::Pipeline::new(
        World::settings(),
        &trailwatch::rules::effective_rules(None).unwrap(),
    )
    .unwrap();
    let sink =
        trailwatch::aws::SnsSink::new(aws_sdk_sns::Client::new(&world_sdk), &world.topic_arn);
    let keys = trailwatch::integrity::FileKeys::empty();
    let ports = trailwatch::handler::Ports {
        source: &source,
        keys: &keys,
        sink: &sink,
    };
    let err = trailwatch::handler::handle(
        &pipeline,
        &ports,
        &fixture("s3-put.json"),
        trailwatch::integrity::Deadline::NONE,
        &mut trailwatch::metrics::Tally::new(None),
    )
    .await
    .unwrap_err();
    assert_eq!(
        lambda_runtime::Diagnostic::from(err).error_type,
        "Retryable"
    );
}
