//! Each least-privilege claim of infra/README.md ("Permissions", "Granting a vendor read
//! access"), as the deployed roles experience it with moto enforcing IAM: what the role needs
//! works, and the nearest thing it must not do is refused. Removing a permission fails the
//! first kind of assertion; widening one (a wildcard resource, an extra action) fails the
//! second.

use aws_sdk_s3::primitives::ByteStream;

use super::*;
use crate::world::delivery;

const OUTSIDE: &str = "notes/outside-the-log-prefix.json.gz";

#[tokio::test]
async fn function_role_reads_deliveries_and_nothing_else_of_the_bucket() {
    let world = StackWorld::create(&[]).await;
    let key = member_key(MEMBER, "us-east-1", "LeastPrivilege01");
    let version = world
        .deliver(&key, delivery(MEMBER, "us-east-1", &[]))
        .await;
    world.deliver(OUTSIDE, b"not a log".to_vec()).await;
    let s3 = s3_on(&world.function);

    // ReadDeliveredObjects, ReadBucketAcl: what the function does.
    s3.get_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect("GetObject under AWSLogs/");
    s3.get_object()
        .bucket(BUCKET)
        .key(&key)
        .version_id(&version)
        .send()
        .await
        .expect("GetObject of a version under AWSLogs/ (s3:GetObjectVersion)");
    s3.get_object_acl()
        .bucket(BUCKET)
        .key(&key)
        .version_id(&version)
        .send()
        .await
        .expect("GetObjectAcl of a version under AWSLogs/ (s3:GetObjectVersionAcl)");
    s3.get_bucket_acl()
        .bucket(BUCKET)
        .send()
        .await
        .expect("GetBucketAcl");

    // Not outside the log prefix, not writing, not deleting, not listing.
    assert_refused(
        s3.get_object().bucket(BUCKET).key(OUTSIDE).send().await,
        "GetObject outside AWSLogs/",
    );
    assert_refused(
        s3.get_object_acl().bucket(BUCKET).key(OUTSIDE).send().await,
        "GetObjectAcl outside AWSLogs/",
    );
    assert_refused(
        s3.put_object()
            .bucket(BUCKET)
            .key(&key)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
        "PutObject under AWSLogs/",
    );
    assert_refused(
        s3.delete_object().bucket(BUCKET).key(&key).send().await,
        "DeleteObject under AWSLogs/",
    );
    assert_refused(
        s3.delete_object()
            .bucket(BUCKET)
            .key(&key)
            .version_id(&version)
            .send()
            .await,
        "DeleteObject of a version",
    );
    assert_refused(
        s3.put_object_acl()
            .bucket(BUCKET)
            .key(&key)
            .acl(aws_sdk_s3::types::ObjectCannedAcl::Private)
            .send()
            .await,
        "PutObjectAcl",
    );
    assert_refused(
        s3.list_objects_v2()
            .bucket(BUCKET)
            .prefix("AWSLogs/")
            .send()
            .await,
        "ListObjectsV2",
    );
    assert_refused(s3.list_buckets().send().await, "ListBuckets");
    assert_refused(
        s3.get_bucket_policy().bucket(BUCKET).send().await,
        "GetBucketPolicy",
    );
    assert_refused(
        s3.get_object()
            .bucket("deploy-artifacts")
            .key("trailwatch/bootstrap.zip")
            .send()
            .await,
        "GetObject of the deployment artifacts",
    );
}

#[tokio::test]
async fn only_the_function_publishes_and_only_to_its_topic() {
    let world = StackWorld::create(&[]).await;
    let topic = world.name("AlertTopic");
    let sns = aws_sdk_sns::Client::new(&world.function);
    // PublishAlerts (+ UseTopicKey: the topic is encrypted with the stack's key).
    sns.publish()
        .topic_arn(topic)
        .message(r#"{"note": "a message with spaces, as every alert has"}"#)
        .send()
        .await
        .expect("the function role publishes to the alert topic");
    world
        .drain(
            world.world["teams"]["SecurityTeamSubscription"]["queue_url"]
                .as_str()
                .unwrap(),
        )
        .await;

    let operator = aws_sdk_sns::Client::new(&world.operator);
    let other = operator
        .create_topic()
        .name("someone-elses-topic")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_string();
    assert_refused(
        sns.publish().topic_arn(&other).message("{}").send().await,
        "the function role publishes to its topic only",
    );
    // AlertTopicPolicy's NobodyElsePublishes: even an administrator of the account may not.
    assert_refused(
        operator
            .publish()
            .topic_arn(topic)
            .message("{}")
            .send()
            .await,
        "only the function role publishes alerts",
    );
    assert_refused(sns.create_topic().name("more").send().await, "CreateTopic");
}

#[tokio::test]
async fn function_role_queues_and_trust_are_as_narrow_as_the_readme_says() {
    let world = StackWorld::create(&[]).await;
    // One inline policy, no managed policy (AWSLambdaBasicExecutionRole would write any log
    // group of the account).
    assert_eq!(
        world.world["roles"]["FunctionRole"],
        serde_json::json!({"managed_policies": [], "inline_policies": ["trailwatch-function"]})
    );
    let sqs = aws_sdk_sqs::Client::new(&world.function);
    let failure = world.name("FailureQueue");
    // SendToFailureQueue: Lambda sends failed asynchronous events with the function's role.
    sqs.send_message()
        .queue_url(failure)
        .message_body("{}")
        .send()
        .await
        .expect("the function role sends to the failure queue (direct mode's destination)");
    assert_no_other_queue_use(&world, &sqs, failure).await;
    // Only Lambda may assume the function role: not even the account's administrator.
    let refused = assume(
        &world.operator,
        world.name("FunctionRole.Arn"),
        "not-lambda",
        None,
    )
    .await;
    assert!(refused.is_err(), "the operator assumed the function role");
}

/// In sqs mode the bucket's events come through the buffer queue, which SQS itself redrives:
/// the role consumes that queue and sends to none. Only while the heartbeat runs (an
/// asynchronous invocation by EventBridge Scheduler, `FunctionAsyncConfig` in either mode) may
/// it send to the failure queue, where Lambda puts a failed heartbeat run with its role.
#[tokio::test]
async fn sqs_mode_function_role_consumes_the_buffer_queue_only() {
    for heartbeat in ["true", "false"] {
        let world =
            StackWorld::create(&[("InvocationMode", "sqs"), ("Heartbeat", heartbeat)]).await;
        let sqs = aws_sdk_sqs::Client::new(&world.function);
        let buffer = world.name("BufferQueue");
        sqs.receive_message()
            .queue_url(buffer)
            .send()
            .await
            .expect("ConsumeBufferQueue: receive");
        sqs.get_queue_attributes()
            .queue_url(buffer)
            .send()
            .await
            .expect("ConsumeBufferQueue: attributes");
        assert_refused(
            sqs.send_message()
                .queue_url(buffer)
                .message_body("{}")
                .send()
                .await,
            "only S3 sends to the buffer queue",
        );
        let failure = world.name("FailureQueue");
        let sent = sqs
            .send_message()
            .queue_url(failure)
            .message_body("{}")
            .send()
            .await;
        if heartbeat == "true" {
            sent.expect("SendToFailureQueue: a failed heartbeat run lands in the failure queue");
        } else {
            assert_refused(
                sent,
                "without the heartbeat SQS itself redrives; the role sends nothing",
            );
        }
        assert_no_other_queue_use(&world, &sqs, failure).await;
        let statements = world.role_statements("FunctionRole", "trailwatch-function");
        assert_eq!(
            statements.contains_key("SendToFailureQueue"),
            heartbeat == "true",
            "Heartbeat={heartbeat}: {statements:#?}"
        );
        assert_eq!(
            world.world["types"].get("FunctionAsyncConfig").is_some(),
            heartbeat == "true",
            "FunctionAsyncConfig exists in sqs mode exactly while the heartbeat runs"
        );
    }
}

#[tokio::test]
async fn vendor_reads_and_lists_only_under_the_log_prefix_with_its_external_id() {
    let world = StackWorld::create(&[]).await;
    let key = member_key(MEMBER, "us-east-1", "VendorReadable01");
    world
        .deliver(&key, delivery(MEMBER, "us-east-1", &["CloudWatch.5"]))
        .await;
    world.deliver(OUTSIDE, b"not a log".to_vec()).await;
    let role = world.name("VendorReadRole.Arn");
    let vendor_user = sdk_as(world.endpoint(), keys(&world.world["vendor"], "vendor")).await;

    for (external_id, what) in [
        (None, "without an external id"),
        (Some("another-customers-id"), "with another external id"),
    ] {
        assert!(
            assume(&vendor_user, role, "acme-cloudtrail-read", external_id)
                .await
                .is_err(),
            "the vendor assumed the role {what}"
        );
    }
    let session = assume(
        &vendor_user,
        role,
        "acme-cloudtrail-read",
        Some(EXTERNAL_ID),
    )
    .await
    .expect("the vendor assumes the role with its external id");
    let s3 = s3_on(&sdk_as(world.endpoint(), session).await);

    let listed = s3
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix("AWSLogs/")
        .send()
        .await
        .expect("ListLogs: list under AWSLogs/");
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, [key.as_str()]);
    s3.get_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect("ReadLogs: a delivery");

    assert_refused(
        s3.list_objects_v2().bucket(BUCKET).send().await,
        "listing the bucket root",
    );
    assert_refused(
        s3.list_objects_v2()
            .bucket(BUCKET)
            .prefix("notes/")
            .send()
            .await,
        "listing outside AWSLogs/",
    );
    assert_refused(
        s3.get_object().bucket(BUCKET).key(OUTSIDE).send().await,
        "reading outside AWSLogs/",
    );
    assert_refused(
        s3.get_object_acl().bucket(BUCKET).key(&key).send().await,
        "reading an ACL",
    );
    assert_refused(
        s3.put_object()
            .bucket(BUCKET)
            .key(&key)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
        "writing",
    );
    assert_refused(
        s3.delete_object().bucket(BUCKET).key(&key).send().await,
        "deleting",
    );
    assert_refused(s3.list_buckets().send().await, "listing buckets");
}

/// The function role reads no failure queue and sends to no queue but its own.
async fn assert_no_other_queue_use(world: &StackWorld, sqs: &aws_sdk_sqs::Client, failure: &str) {
    assert_refused(
        sqs.receive_message().queue_url(failure).send().await,
        "the function role cannot read the failure queue",
    );
    let other = world
        .sqs
        .create_queue()
        .queue_name("someone-elses-queue")
        .send()
        .await
        .unwrap();
    assert_refused(
        sqs.send_message()
            .queue_url(other.queue_url().unwrap())
            .message_body("{}")
            .send()
            .await,
        "SendMessage elsewhere",
    );
}
