//! Deliveries through the deployed stack, asserted by what reaches each team: the example
//! subscriptions' filter policies on SQS queues (see `stack_world.py`).
//!
//! - direct mode: S3's notification (from the stack's bucket configuration) reaches the
//!   function as Lambda's asynchronous invocation, with the new version's `versionId`;
//! - sqs mode: S3's notification lands in the buffer queue, polled with the function role as
//!   Lambda's event source mapping does, failures left for the redrive policy.

use serde_json::{json, Value};
use trailwatch_synth::gzip;

use super::*;
use crate::world::delivery;

/// MEMBER's delivery fires CloudWatch.4 (medium) and CloudWatch.5 (high); TEAM_MEMBER's fires
/// CloudWatch.1 (critical) and CloudWatch.8 (medium). Returns the keys and version ids.
async fn deliver_both(world: &StackWorld) -> [(String, String); 2] {
    let member = member_key(MEMBER, "us-east-1", "MemberVersioned1");
    let team = member_key(TEAM_MEMBER, "eu-west-1", "TeamVersioned001");
    let member_version = world
        .deliver(
            &member,
            delivery(MEMBER, "us-east-1", &["CloudWatch.4", "CloudWatch.5"]),
        )
        .await;
    let team_version = world
        .deliver(
            &team,
            delivery(TEAM_MEMBER, "eu-west-1", &["CloudWatch.1", "CloudWatch.8"]),
        )
        .await;
    [(member, member_version), (team, team_version)]
}

/// Each example subscription gets exactly what its filter policy selects.
async fn assert_teams_receive_their_alerts(world: &StackWorld) {
    let security = world.team("SecurityTeamSubscription").await;
    assert_eq!(
        rule_ids(&security),
        [
            "CloudWatch.1",
            "CloudWatch.4",
            "CloudWatch.5",
            "CloudWatch.8"
        ],
        "the security team gets every alert, once"
    );
    let account_team = world.team("AccountTeamSubscription").await;
    assert_eq!(
        rule_ids(&account_team),
        ["CloudWatch.1", "CloudWatch.8"],
        "the account team gets its account's alerts only"
    );
    assert!(
        account_team
            .iter()
            .all(|d| d.attributes["account_id"] == TEAM_MEMBER
                && d.alert["account_id"] == TEAM_MEMBER)
    );
    let on_call = world.team("OnCallSubscription").await;
    assert_eq!(
        rule_ids(&on_call),
        ["CloudWatch.1", "CloudWatch.5"],
        "on-call gets critical and high alerts only"
    );
    for d in security.iter().chain(&account_team).chain(&on_call) {
        assert_eq!(d.alert["kind"], "detection");
        assert_eq!(d.alert["bucket"], BUCKET);
        for name in [
            "kind",
            "rule_id",
            "severity",
            "account_id",
            "region",
            "event_source",
            "event_name",
        ] {
            assert!(
                d.attributes.contains_key(name),
                "attribute {name} on {:?}",
                d.attributes
            );
        }
    }
}

fn object_of(event: &Value) -> &Value {
    &event["Records"][0]["s3"]["object"]
}

/// The versioned-object bug of the section 1: on a versioned bucket every event names
/// the version, and reading a version is s3:GetObjectVersion / s3:GetObjectVersionAcl.
#[tokio::test]
async fn direct_mode_versioned_member_deliveries_reach_the_matching_teams() {
    let world = StackWorld::create(&[]).await;
    let delivered = deliver_both(&world).await;
    // Not CloudTrail's: outside AWSLogs/ or not a log file, so the bucket does not notify.
    world.deliver("notes/readme.json.gz", b"x".to_vec()).await;
    world
        .deliver(&delivered[0].0.replace(".json.gz", ".txt"), b"x".to_vec())
        .await;

    let invocations = world.invocations().await;
    assert_eq!(
        invocations.len(),
        2,
        "one invocation per delivery: {invocations:#?}"
    );
    for ((key, version), event) in delivered.iter().zip(&invocations) {
        assert_eq!(
            object_of(event)["versionId"],
            version.as_str(),
            "S3 names the delivered version of {key}"
        );
        let answer = world.run(event).await;
        assert_eq!(
            answer
                .as_ref()
                .ok()
                .map(|a| (&a["detections"], &a["delivery_alerts"])),
            Some((&json!(2), &json!(0))),
            "the function role reads the versioned delivery {key} and its ACL: {answer:?}\n\
             (delivery alerts here mean AccessDenied: the role lacks s3:GetObjectVersion / \
             s3:GetObjectVersionAcl; see the security team's queue)\n{:#?}",
            world
                .team("SecurityTeamSubscription")
                .await
                .iter()
                .map(|d| &d.alert)
                .collect::<Vec<_>>()
        );
    }
    assert_teams_receive_their_alerts(&world).await;
}

/// A delivery gone before the function reads it (its version deleted, as a person or a
/// lifecycle rule can): S3 tells the role only that it may not read that version's ACL (403,
/// since the role may list the bucket only under a prefix: moto_aws.py, correction 11), which
/// alone would read as `delivery.acl`. The function lists the key (`ListCloudTrailFolders`),
/// finds nothing, and says `delivery.missing`.
#[tokio::test]
async fn direct_mode_delivery_deleted_before_it_is_read_is_missing() {
    let world = StackWorld::create(&[]).await;
    let key = member_key(MEMBER, "us-east-1", "DeletedUnread001");
    let version = world
        .deliver(&key, delivery(MEMBER, "us-east-1", &["CloudWatch.4"]))
        .await;
    let invocations = world.invocations().await;
    assert_eq!(invocations.len(), 1, "{invocations:#?}");
    let event = &invocations[0];
    assert_eq!(object_of(event)["versionId"], version.as_str());
    world
        .s3
        .delete_object()
        .bucket(BUCKET)
        .key(&key)
        .version_id(&version)
        .send()
        .await
        .unwrap();

    // What S3 says of the deleted version: missing to the operator, refused to the role.
    let operator = world
        .s3
        .get_object_acl()
        .bucket(BUCKET)
        .key(&key)
        .version_id(&version)
        .send()
        .await;
    assert_eq!(
        operator.as_ref().err().and_then(|e| e.code()),
        Some("NoSuchVersion"),
        "{operator:?}"
    );
    let role = s3_on(&world.function);
    assert_refused(
        role.get_object_acl()
            .bucket(BUCKET)
            .key(&key)
            .version_id(&version)
            .send()
            .await,
        "the function role is told the deleted version's ACL is missing",
    );
    assert_refused(
        role.get_object()
            .bucket(BUCKET)
            .key(&key)
            .version_id(&version)
            .send()
            .await,
        "the function role is told the deleted version is missing",
    );

    let answer = world.run(event).await;
    assert_eq!(
        answer
            .as_ref()
            .ok()
            .map(|a| (&a["detections"], &a["delivery_alerts"])),
        Some((&json!(0), &json!(1))),
        "{answer:?}"
    );
    let security = world.team("SecurityTeamSubscription").await;
    assert_eq!(rule_ids(&security), ["delivery.missing"]);
    assert_eq!(security[0].alert["key"], key.as_str());
    let reason = security[0].alert["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("not in the bucket's listing"),
        "gone by the listing of its key, after S3's refusal: {reason}"
    );
}

/// Lambda's SQS poller, played with the function role: receive a batch, invoke, delete what
/// the partial batch response does not name. Returns the response, the batch's size and the
/// receipt handles of the failed messages.
async fn poll_buffer_once(world: &StackWorld) -> (Value, usize, Vec<String>) {
    let sqs = aws_sdk_sqs::Client::new(&world.function);
    let url = world.name("BufferQueue");
    let arn = world.name("BufferQueue.Arn");
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
        .send()
        .await
        .expect("the poller reads the buffer queue's attributes with the function role");
    let batch = world.world["event_source_mapping"]["BatchSize"]
        .as_i64()
        .unwrap();
    let out = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(batch as i32)
        .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
        .send()
        .await
        .expect("the poller receives from the buffer queue with the function role");
    if out.messages().is_empty() {
        return (Value::Null, 0, Vec::new()); // Lambda invokes no empty batch
    }
    let records: Vec<Value> = out
        .messages()
        .iter()
        .map(|m| {
            json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": m.attributes().map(|a| a.iter().map(|(k, v)| (k.as_str().to_string(), json!(v))).collect::<serde_json::Map<_, _>>()),
                "messageAttributes": {},
                "md5OfBody": m.md5_of_body(),
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": "us-east-1",
            })
        })
        .collect();
    let response = world
        .run(&json!({ "Records": records }))
        .await
        .expect("an SQS batch always gets a partial batch response");
    let failed: Vec<&str> = response["batchItemFailures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["itemIdentifier"].as_str().unwrap())
        .collect();
    let mut kept = Vec::new();
    for m in out.messages() {
        if failed.contains(&m.message_id().unwrap()) {
            kept.push(m.receipt_handle().unwrap().to_string());
        } else {
            sqs.delete_message()
                .queue_url(url)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .expect("the poller deletes processed messages with the function role");
        }
    }
    (response, out.messages().len(), kept)
}

/// The visibility timeout of the messages `handles` name runs out now (as the operator).
async fn time_out(world: &StackWorld, handles: &[String]) {
    for handle in handles {
        world
            .sqs
            .change_message_visibility()
            .queue_url(world.name("BufferQueue"))
            .receipt_handle(handle)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn sqs_mode_buffers_versioned_deliveries_and_answers_partial_batches() {
    let world = StackWorld::create(&[("InvocationMode", "sqs")]).await;
    let mapping = &world.world["event_source_mapping"];
    assert_eq!(mapping["EventSourceArn"], world.name("BufferQueue.Arn"));
    assert_eq!(mapping["FunctionArn"], world.name("Function.Arn"));
    assert_eq!(
        mapping["FunctionResponseTypes"],
        json!(["ReportBatchItemFailures"])
    );
    assert_eq!(mapping["BatchSize"], 10);

    let delivered = deliver_both(&world).await;
    // Something in the queue that names nothing readable: it must come back for the redrive.
    world
        .sqs
        .send_message()
        .queue_url(world.name("BufferQueue"))
        .message_body("not an S3 event")
        .send()
        .await
        .unwrap();
    assert!(
        world.invocations().await.is_empty(),
        "sqs mode never invokes directly"
    );

    let (response, size, kept) = poll_buffer_once(&world).await;
    // S3's s3:TestEvent (sent when the notification configuration was written), the two
    // notifications and the stray message.
    assert_eq!(size, 4, "everything in the buffer in one batch");
    let failures = response["batchItemFailures"].as_array().unwrap();
    assert_eq!(
        failures.len(),
        1,
        "only the stray message fails: {response}"
    );
    assert_teams_receive_their_alerts(&world).await;

    // The failed message stays, invisible until the visibility timeout, then redriven after
    // maxReceiveCount receives to the failure queue.
    let attributes = world
        .sqs
        .get_queue_attributes()
        .queue_url(world.name("BufferQueue"))
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let attributes = attributes.attributes().unwrap();
    let get = |name: aws_sdk_sqs::types::QueueAttributeName| attributes[&name].clone();
    use aws_sdk_sqs::types::QueueAttributeName as A;
    assert_eq!(get(A::ApproximateNumberOfMessagesNotVisible), "1");
    assert_eq!(get(A::ApproximateNumberOfMessages), "0");
    let redrive: Value = serde_json::from_str(&get(A::RedrivePolicy)).unwrap();
    assert_eq!(
        redrive["deadLetterTargetArn"],
        world.name("FailureQueue.Arn")
    );
    assert_eq!(
        redrive["maxReceiveCount"].to_string().trim_matches('"'),
        "3"
    );

    // BufferMaxReceiveCount (3) receives, then SQS moves the message to the failure queue.
    time_out(&world, &kept).await;
    let mut receives = 1;
    loop {
        let (response, size, kept) = poll_buffer_once(&world).await;
        if size == 0 {
            break;
        }
        assert_eq!(response["batchItemFailures"].as_array().unwrap().len(), 1);
        receives += 1;
        assert!(receives <= 3, "received {receives} times");
        time_out(&world, &kept).await;
    }
    assert_eq!(
        receives, 3,
        "the stray message is received maxReceiveCount times"
    );
    let failed = world.drain(world.name("FailureQueue")).await;
    let bodies: Vec<&str> = failed.iter().map(|m| m.body().unwrap()).collect();
    assert_eq!(bodies, ["not an S3 event"], "redriven to the failure queue");
    let _ = delivered;
}

#[tokio::test]
async fn stack_world_applies_what_moto_does_not_model() {
    let world = StackWorld::create(&[]).await;
    // Versioning: every delivery gets a version id (`StackWorld::deliver` asserts it; the Rust
    // SDK cannot decode moto's GetBucketVersioning answer).
    let notification = world
        .s3
        .get_bucket_notification_configuration()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    let lambda = notification.lambda_function_configurations();
    assert_eq!(lambda.len(), 1);
    assert_eq!(lambda[0].lambda_function_arn(), world.name("Function.Arn"));
    let policy = world
        .s3
        .get_bucket_policy()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    let stored: Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    assert_eq!(
        stored,
        world.resource("TrailBucketPolicy")["PolicyDocument"]
    );
    let applied: Vec<&str> = world.world["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for logical in [
        "TrailBucketPolicy",
        "AlertTopicPolicy",
        "FunctionAsyncConfig",
        "FailureQueueDepthAlarm",
        "NoObjectsProcessedAlarm",
        "DeliveryOrIntegrityAlertsAlarm",
        "AlertLatencyHighAlarm",
        "SecurityTeamSubscription",
    ] {
        assert!(
            applied.iter().any(|a| a.starts_with(logical)),
            "{logical} applied: {applied:?}"
        );
    }
    // A corrupt delivery is still a delivery alert, not a failure: the role reads it.
    let key = member_key(MEMBER, "us-east-1", "CorruptGzipData1");
    let mut corrupt = gzip(b"{\"Records\": []}", 1);
    corrupt.truncate(corrupt.len() / 2);
    world.deliver(&key, corrupt).await;
    let event = world.invocations().await.pop().unwrap();
    let answer = world.run(&event).await.unwrap();
    assert_eq!(answer["delivery_alerts"], 1);
    let security = world.team("SecurityTeamSubscription").await;
    assert_eq!(rule_ids(&security), ["delivery.corrupt"]);
}

/// An SSE-KMS trail: the function decrypts through S3 with the trail's key (TrailKmsKeyArn),
/// and a delivery under a key the stack was not told about is a delivery problem of its own.
#[tokio::test]
async fn sse_kms_deliveries_decrypt_with_the_trails_key_only() {
    let (world, trail_key, other_key) = StackWorld::create_with_trail_key(&[]).await;
    let good = member_key(TEAM_MEMBER, "eu-west-1", "SseKmsDelivery01");
    let stray = member_key(MEMBER, "us-east-1", "SseKmsOtherKey01");
    world
        .deliver_encrypted(
            &good,
            delivery(TEAM_MEMBER, "eu-west-1", &["CloudWatch.1"]),
            Some(&trail_key),
        )
        .await;
    world
        .deliver_encrypted(&stray, delivery(MEMBER, "us-east-1", &[]), Some(&other_key))
        .await;
    let invocations = world.invocations().await;
    assert_eq!(invocations.len(), 2);
    let good_answer = world.run(&invocations[0]).await;
    assert_eq!(
        good_answer
            .as_ref()
            .ok()
            .map(|a| (&a["detections"], &a["delivery_alerts"])),
        Some((&json!(1), &json!(0))),
        "the function role decrypts the trail's SSE-KMS delivery through S3: {good_answer:?}"
    );
    let stray_answer = world.run(&invocations[1]).await.unwrap();
    assert_eq!(stray_answer["delivery_alerts"], 1, "{stray_answer}");
    assert_eq!(
        rule_ids(&world.team("SecurityTeamSubscription").await),
        ["CloudWatch.1", "delivery.kms"],
        "another key's delivery is reported as a KMS problem, not as an ACL one"
    );
    assert_eq!(
        rule_ids(&world.team("AccountTeamSubscription").await),
        ["CloudWatch.1"]
    );
}
