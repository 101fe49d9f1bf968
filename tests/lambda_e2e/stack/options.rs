//! The stack's optional shapes on the stack world: trails delivering under a log file prefix
//! (`LogFilePrefix`), custom rules from S3 (`RulesS3Uri`), the FIFO alert topic (`FifoTopic`),
//! and the backfill role S3 Batch Operations assumes (`BackfillBucketName`).
//! Each least-privilege claim of infra/README.md for them, as the deployed roles experience it.

use aws_sdk_s3::primitives::ByteStream;
use serde_json::json;
use trailwatch_synth::log_key;

use super::*;
use crate::world::{delivery, DAY};

const PREFIX: &str = "org-trails";

#[tokio::test]
async fn log_file_prefix_moves_every_grant_under_prefix_awslogs() {
    let world = StackWorld::create(&[("LogFilePrefix", PREFIX)]).await;
    let key = log_key(
        Some(PREFIX),
        None,
        TEAM_MEMBER,
        "eu-west-1",
        DAY,
        (9, 5),
        "PrefixedDeliver1",
    );
    let unprefixed = member_key(TEAM_MEMBER, "eu-west-1", "NotUnderPrefix01");
    world
        .deliver(&key, delivery(TEAM_MEMBER, "eu-west-1", &["CloudWatch.1"]))
        .await;
    world
        .deliver(&unprefixed, delivery(TEAM_MEMBER, "eu-west-1", &[]))
        .await;

    // The bucket notifies for <prefix>/AWSLogs/ only, and the function reads what it names.
    let invocations = world.invocations().await;
    assert_eq!(invocations.len(), 1, "{invocations:#?}");
    let answer = world.run(&invocations[0]).await;
    assert_eq!(
        answer
            .as_ref()
            .ok()
            .map(|a| (&a["detections"], &a["delivery_alerts"])),
        Some((&json!(1), &json!(0))),
        "the function role reads {key}: {answer:?}"
    );
    assert_eq!(
        rule_ids(&world.team("AccountTeamSubscription").await),
        ["CloudWatch.1"]
    );

    let s3 = s3_on(&world.function);
    assert_refused(
        s3.get_object().bucket(BUCKET).key(&unprefixed).send().await,
        "the function role reads AWSLogs/ outside the prefix",
    );

    let vendor_user = sdk_as(world.endpoint(), keys(&world.world["vendor"], "vendor")).await;
    let session = assume(
        &vendor_user,
        world.name("VendorReadRole.Arn"),
        "acme-cloudtrail-read",
        Some(EXTERNAL_ID),
    )
    .await
    .unwrap();
    let vendor = s3_on(&sdk_as(world.endpoint(), session).await);
    let listed = vendor
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix(format!("{PREFIX}/AWSLogs/"))
        .send()
        .await
        .expect("the vendor lists under <prefix>/AWSLogs/");
    assert_eq!(listed.contents().len(), 1);
    vendor
        .get_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect("the vendor reads under <prefix>/AWSLogs/");
    assert_refused(
        vendor
            .list_objects_v2()
            .bucket(BUCKET)
            .prefix("AWSLogs/")
            .send()
            .await,
        "the vendor lists AWSLogs/ outside the prefix",
    );
    assert_refused(
        vendor
            .get_object()
            .bucket(BUCKET)
            .key(&unprefixed)
            .send()
            .await,
        "the vendor reads AWSLogs/ outside the prefix",
    );
}

#[tokio::test]
async fn backfill_role_reads_manifests_and_writes_reports_only() {
    let manifests = "example-backfill-manifests";
    let world = StackWorld::create(&[("BackfillBucketName", manifests)]).await;
    let manifest = "trailwatch-backfill/2025-03-14/manifest.csv";
    world
        .s3
        .put_object()
        .bucket(manifests)
        .key(manifest)
        .body(ByteStream::from_static(
            b"example-ct-logs,AWSLogs/x.json.gz\n",
        ))
        .send()
        .await
        .unwrap();
    let delivered = member_key(MEMBER, "us-east-1", "BackfillRoleRead");
    world
        .deliver(&delivered, delivery(MEMBER, "us-east-1", &[]))
        .await;
    let s3 = s3_on(
        world
            .backfill
            .as_ref()
            .expect("the stack has a backfill role"),
    );

    s3.get_object()
        .bucket(manifests)
        .key(manifest)
        .send()
        .await
        .expect("ReadManifests: the job's manifest");
    s3.put_object()
        .bucket(manifests)
        .key("trailwatch-backfill/reports/job-1/report.csv")
        .body(ByteStream::from_static(b"done"))
        .send()
        .await
        .expect("WriteReports: the completion report");
    assert_refused(
        s3.put_object()
            .bucket(manifests)
            .key("trailwatch-backfill/2025-03-14/manifest.csv")
            .body(ByteStream::from_static(b"swapped"))
            .send()
            .await,
        "the backfill role rewrites a manifest",
    );
    assert_refused(
        s3.get_object().bucket(BUCKET).key(&delivered).send().await,
        "the backfill role reads deliveries (the function does, with its own role)",
    );
    assert_refused(
        s3.list_objects_v2().bucket(manifests).send().await,
        "the backfill role lists the manifest bucket",
    );
}

/// `FifoTopic=true`: the alert topic is `<stack>-alerts.fifo`, which delivers to SQS FIFO
/// queues only (the stack's e-mail subscriptions are refused by a Rule), so the team's queue
/// is subscribed here; alerts arrive grouped by account.
#[tokio::test]
async fn fifo_topic_delivers_to_a_fifo_queue_grouped_by_account() {
    let world = StackWorld::create(&[
        ("FifoTopic", "true"),
        ("SecurityTeamEmail", ""),
        ("AccountTeamEmail", ""),
        ("AccountTeamAccountIds", ""),
        ("OnCallEmail", ""),
    ])
    .await;
    let topic = world.name("AlertTopic");
    assert!(topic.ends_with(":trailwatch-alerts.fifo"), "{topic}");
    let queue = world
        .sqs
        .create_queue()
        .queue_name("security-team.fifo")
        .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    let arn = world
        .sqs
        .get_queue_attributes()
        .queue_url(&queue)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes()
        .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
        .clone();
    aws_sdk_sns::Client::new(&world.operator)
        .subscribe()
        .topic_arn(topic)
        .protocol("sqs")
        .endpoint(arn)
        .attributes("RawMessageDelivery", "true")
        .send()
        .await
        .unwrap();

    let key = member_key(TEAM_MEMBER, "eu-west-1", "FifoTopicDeliver");
    world
        .deliver(
            &key,
            delivery(TEAM_MEMBER, "eu-west-1", &["CloudWatch.1", "CloudWatch.8"]),
        )
        .await;
    let event = world.invocations().await.pop().unwrap();
    let answer = world.run(&event).await;
    assert_eq!(
        answer.as_ref().ok().map(|a| &a["detections"]),
        Some(&json!(2)),
        "the function role publishes to the FIFO topic: {answer:?}"
    );
    let out = world
        .sqs
        .receive_message()
        .queue_url(&queue)
        .max_number_of_messages(10)
        .message_system_attribute_names(
            aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId,
        )
        .send()
        .await
        .unwrap();
    let groups: Vec<&str> = out
        .messages()
        .iter()
        .map(|m| {
            m.attributes().unwrap()[&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId]
                .as_str()
        })
        .collect();
    assert_eq!(groups, [TEAM_MEMBER, TEAM_MEMBER], "one group per account");
}

/// `RulesS3Uri`: at cold start the function reads that one object with its role, and nothing
/// else of that bucket.
#[tokio::test]
async fn rules_object_is_the_one_object_the_role_reads_outside_the_trail_bucket() {
    let (bucket, key) = ("example-config-bucket", "trailwatch/rules.toml");
    let world = StackWorld::create(&[("RulesS3Uri", &format!("s3://{bucket}/{key}"))]).await;
    for k in [key, "trailwatch/other.toml"] {
        world
            .s3
            .put_object()
            .bucket(bucket)
            .key(k)
            .body(ByteStream::from_static(b"# no custom rules\n"))
            .send()
            .await
            .unwrap();
    }
    let s3 = s3_on(&world.function);
    let owner = world.config.expected_bucket_owner.as_deref();
    let text = trailwatch::aws::read_text_object(&s3, bucket, key, owner)
        .await
        .expect("ReadRulesObject: the function reads its rules at cold start");
    assert_eq!(text, "# no custom rules\n");
    assert_refused(
        s3.get_object()
            .bucket(bucket)
            .key("trailwatch/other.toml")
            .send()
            .await,
        "the function role reads another object of the rules bucket",
    );
    assert_refused(
        s3.list_objects_v2().bucket(bucket).send().await,
        "the function role lists the rules bucket",
    );
}
