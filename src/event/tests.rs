//! Every envelope from the shared fixtures in `events/`, plus the malformed ones.

use serde_json::{json, Value};

use time::macros::datetime;

use super::*;

const BUCKET: &str = "example-ct-logs";
const PROD: &str = "AWSLogs/123456789012/CloudTrail/us-east-1/2025/03/14/123456789012_CloudTrail_us-east-1_20250314T0905Z_Pr0dAbCdEfGh1234.json.gz";
const DEV: &str = "AWSLogs/999988887777/CloudTrail/eu-west-1/2025/03/14/999988887777_CloudTrail_eu-west-1_20250314T0910Z_DevXyZ0987654321.json.gz";

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn keys(objects: &[ObjectRef]) -> Vec<&str> {
    objects.iter().map(|o| o.key.as_str()).collect()
}

#[test]
fn fixtures_decode_to_the_objects_they_name() {
    let cases: [(&str, &str, Vec<&str>); 6] = [
        (
            "s3-put",
            include_str!("../../events/s3-put.json"),
            vec![PROD],
        ),
        (
            "s3-test-event",
            include_str!("../../events/s3-test-event.json"),
            vec![],
        ),
        (
            "sns-s3",
            include_str!("../../events/sns-s3.json"),
            vec![PROD],
        ),
        (
            "sns-cloudtrail",
            include_str!("../../events/sns-cloudtrail.json"),
            vec![PROD, DEV],
        ),
        (
            "eventbridge-object-created",
            include_str!("../../events/eventbridge-object-created.json"),
            vec![DEV],
        ),
        // Not a fixture of its own: EventBridge for another S3 event type names nothing.
        (
            "eventbridge-object-deleted",
            &include_str!("../../events/eventbridge-object-created.json")
                .replace("Object Created", "Object Deleted"),
            vec![],
        ),
    ];
    for (name, text, want) in cases {
        let Ok(Trigger::Objects(Named { objects, .. })) = parse(&fixture(text)) else {
            panic!("case {name}: not a plain object list");
        };
        assert_eq!(keys(&objects), want, "case {name}");
        assert!(
            objects.iter().all(|o| o.bucket == BUCKET),
            "case {name}: bucket"
        );
    }
}

#[test]
fn s3_notification_keeps_the_object_details() {
    let Ok(Trigger::Objects(Named { objects, .. })) =
        parse(&fixture(include_str!("../../events/s3-put.json")))
    else {
        panic!("not objects");
    };
    assert_eq!(
        objects,
        vec![ObjectRef {
            bucket: BUCKET.into(),
            key: PROD.into(),
            size: Some(1834),
            etag: Some("0d1c6e9d8c8d0cfb3b9e0c6a0b7e2a11".into()),
            version_id: None,
            sequencer: Some("0067D3F0A21B6C4E21".into()),
            created: Some(datetime!(2025-03-14 09:10:42.117 UTC)),
        }]
    );
}

#[test]
fn sqs_batches_keep_each_message_apart() {
    let Ok(Trigger::Sqs(messages)) = parse(&fixture(include_str!("../../events/sqs-s3.json")))
    else {
        panic!("not an SQS batch");
    };
    let got: Vec<(&str, Vec<&str>)> = messages
        .iter()
        .map(|m| {
            (
                m.message_id.as_str(),
                keys(&m.objects.as_ref().unwrap().objects),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("059f36b4-87a3-44ab-83d2-661975830a7d", vec![PROD]),
            // The second body is an SNS envelope (raw delivery off) around an S3 notification.
            ("2e1424d4-f796-459a-8184-9c92662be6da", vec![DEV]),
        ]
    );
    let Ok(Trigger::Sqs(messages)) =
        parse(&fixture(include_str!("../../events/sqs-eventbridge.json")))
    else {
        panic!("not an SQS batch");
    };
    assert_eq!(
        keys(&messages[0].objects.as_ref().unwrap().objects),
        vec![DEV],
        "EventBridge through SQS"
    );
}

#[test]
fn a_bad_sqs_body_fails_only_its_message() {
    let event = json!({"Records": [
        {"messageId": "good", "eventSource": "aws:sqs", "body": include_str!("../../events/s3-put.json")},
        {"messageId": "not-json", "eventSource": "aws:sqs", "body": "hello"},
        {"messageId": "unknown", "eventSource": "aws:sqs", "body": "{\"hello\": 1}"},
    ]});
    let Ok(Trigger::Sqs(messages)) = parse(&event) else {
        panic!("not an SQS batch")
    };
    assert_eq!(
        keys(&messages[0].objects.as_ref().unwrap().objects),
        vec![PROD]
    );
    assert!(
        matches!(messages[1].objects, Err(EventError::NotJson { .. })),
        "{:?}",
        messages[1].objects
    );
    assert!(
        matches!(messages[2].objects, Err(EventError::Unrecognized(_))),
        "{:?}",
        messages[2].objects
    );
}

#[test]
fn batch_jobs_of_both_schemas() {
    let cases = [
        (
            "schema 1.0",
            include_str!("../../events/s3-batch-job.json"),
            "1.0",
            "dGFza2lkZ29lc2hlcmUK",
            PROD,
        ),
        (
            "schema 2.0",
            include_str!("../../events/s3-batch-job-v2.json"),
            "2.0",
            "dGFza2lkZ29lc2hlcmUx",
            DEV,
        ),
    ];
    for (name, text, version, task_id, key) in cases {
        let Ok(Trigger::Batch(job)) = parse(&fixture(text)) else {
            panic!("case {name}: not a batch job")
        };
        assert_eq!(job.schema_version, version, "case {name}");
        assert_eq!(job.tasks.len(), 1, "case {name}");
        assert_eq!(job.tasks[0].task_id, task_id, "case {name}");
        let object = job.tasks[0].object.as_ref().unwrap();
        assert_eq!(
            (object.bucket.as_str(), object.key.as_str()),
            (BUCKET, key),
            "case {name}"
        );
    }
}

#[test]
fn keys_are_url_decoded_where_the_trigger_encodes_them() {
    let s3 = json!({"Records": [{
        "eventSource": "aws:s3", "eventName": "ObjectCreated:CompleteMultipartUpload",
        "s3": {"bucket": {"name": "b"}, "object": {"key": "trail+logs/a%2Bb%3A1.json.gz"}}
    }]});
    let batch = json!({"invocationSchemaVersion": "1.0", "invocationId": "i", "job": {"id": "j"},
        "tasks": [{"taskId": "t", "s3Key": "trail+logs/a%2Bb%3A1.json.gz", "s3BucketArn": "arn:aws:s3:::b"}]});
    // EventBridge and CloudTrail's notice carry the key as it is.
    let eventbridge = json!({"source": "aws.s3", "detail-type": "Object Created",
        "detail": {"bucket": {"name": "b"}, "object": {"key": "trail+logs/a%2Bb.json.gz"}}});
    let Ok(Trigger::Objects(Named { objects, .. })) = parse(&s3) else {
        panic!("s3")
    };
    assert_eq!(
        keys(&objects),
        vec!["trail logs/a+b:1.json.gz"],
        "S3 notification"
    );
    let Ok(Trigger::Batch(job)) = parse(&batch) else {
        panic!("batch")
    };
    assert_eq!(
        job.tasks[0].object.as_ref().unwrap().key,
        "trail logs/a+b:1.json.gz",
        "batch task"
    );
    let Ok(Trigger::Objects(Named { objects, .. })) = parse(&eventbridge) else {
        panic!("eventbridge")
    };
    assert_eq!(
        keys(&objects),
        vec!["trail+logs/a%2Bb.json.gz"],
        "EventBridge"
    );
}

#[test]
fn only_object_created_notifications_name_objects() {
    let record = |name: &str| {
        json!({"eventSource": "aws:s3", "eventName": name,
            "s3": {"bucket": {"name": "b"}, "object": {"key": "k"}}})
    };
    let event = json!({"Records": [record("ObjectRemoved:Delete"), record("ObjectCreated:Copy"),
        record("ObjectRestore:Completed"), record("LifecycleExpiration:Delete")]});
    let Ok(Trigger::Objects(Named { objects, ignored })) = parse(&event) else {
        panic!("not objects")
    };
    assert_eq!(keys(&objects), vec!["k"]);
    assert_eq!(
        ignored,
        [
            "S3 event \"ObjectRemoved:Delete\"",
            "S3 event \"ObjectRestore:Completed\"",
            "S3 event \"LifecycleExpiration:Delete\""
        ],
        "every other event is counted, by name"
    );
}

#[test]
fn eventbridge_events_of_another_detail_type_are_counted_not_processed() {
    let cases = [
        (
            "the fixture",
            fixture(include_str!("../../events/eventbridge-api-call.json")),
            "EventBridge detail type \"AWS API Call via CloudTrail\"",
        ),
        (
            "inside an SQS message",
            json!({"Records": [{"messageId": "m1", "eventSource": "aws:sqs",
                "body": include_str!("../../events/eventbridge-api-call.json")}]}),
            "EventBridge detail type \"AWS API Call via CloudTrail\"",
        ),
    ];
    for (name, event, want) in cases {
        let named = match parse(&event) {
            Ok(Trigger::Objects(named)) => named,
            Ok(Trigger::Sqs(messages)) => messages[0].objects.clone().unwrap(),
            other => panic!("case {name}: {other:?}"),
        };
        assert!(named.objects.is_empty(), "case {name}");
        assert_eq!(named.ignored, [want], "case {name}");
    }
}

#[test]
fn new_fixtures_carry_what_aws_sends() {
    // A versioned bucket's notification: the version travels to GetObject and GetObjectAcl.
    let Ok(Trigger::Objects(Named { objects, .. })) =
        parse(&fixture(include_str!("../../events/s3-put-versioned.json")))
    else {
        panic!("versioned: not objects");
    };
    assert_eq!(
        objects[0].version_id.as_deref(),
        Some("3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nrjfkd")
    );
    assert_eq!(
        objects[0].key,
        "trail logs/AWSLogs/123456789012/CloudTrail/us-east-1/2025/03/14/123456789012_CloudTrail_us-east-1_20250314T0905Z_Pr0dAbCdEfGh1234.json.gz",
        "a prefix with a space, URL-encoded as S3 sends it, decoded once"
    );
    // CloudTrail's notice through an SNS subscription with raw delivery: the body is the notice.
    let Ok(Trigger::Sqs(messages)) = parse(&fixture(include_str!(
        "../../events/sqs-cloudtrail-raw.json"
    ))) else {
        panic!("raw notice: not SQS");
    };
    assert_eq!(
        keys(&messages[0].objects.clone().unwrap().objects),
        vec![PROD, DEV]
    );
    // Batch Operations 1.0 with the bucket ARN as AWS's documentation example writes it.
    let Ok(Trigger::Batch(job)) = parse(&fixture(include_str!(
        "../../events/s3-batch-job-regional-arn.json"
    ))) else {
        panic!("batch: not a job");
    };
    let object = job.tasks[0].object.as_ref().unwrap();
    assert_eq!(
        (object.bucket.as_str(), object.key.as_str()),
        (BUCKET, PROD)
    );
}

#[test]
fn bucket_arns_name_their_bucket() {
    let cases = [
        (
            "global form",
            "arn:aws:s3:::example-ct-logs",
            Some("example-ct-logs"),
        ),
        (
            "region and account filled",
            "arn:aws:s3:us-east-1:0123456788:example-ct-logs",
            Some("example-ct-logs"),
        ),
        ("another partition", "arn:aws-us-gov:s3:::b1", Some("b1")),
        ("not S3", "arn:aws:sns:us-east-1:123456789012:topic", None),
        ("an object ARN", "arn:aws:s3:::b/key", None),
        ("too few parts", "arn:aws:s3:b", None),
        ("not an ARN", "s3://b", None),
    ];
    for (name, arn, want) in cases {
        assert_eq!(bucket_of_arn(arn), want, "case {name}");
    }
}

#[test]
fn malformed_events_are_errors_that_say_what_is_wrong() {
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "empty object",
            json!({}),
            "not a trigger trailwatch accepts: an object with members ",
        ),
        ("array", json!([1, 2]), "a JSON array"),
        (
            "unknown record source",
            json!({"Records": [{"eventSource": "aws:kinesis"}]}),
            "a record from aws:kinesis",
        ),
        (
            "created without key",
            json!({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "b"}, "object": {}}}]}),
            "`s3.object.key` is missing",
        ),
        (
            "bad key escape",
            json!({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "b"}, "object": {"key": "a%zz"}}}]}),
            "object key `a%zz`",
        ),
        (
            "SNS message not JSON",
            json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": "plain text"}}]}),
            "the SNS message is not JSON",
        ),
        (
            "notice keys not a list",
            json!({"s3Bucket": "b", "s3ObjectKey": "k"}),
            "`s3ObjectKey` is missing",
        ),
        (
            "SQS record without id",
            json!({"Records": [{"eventSource": "aws:sqs", "body": "{}"}]}),
            "`Records[].messageId` is missing",
        ),
        (
            "batch task without id",
            json!({"invocationSchemaVersion": "1.0", "invocationId": "i", "tasks": [{"s3Key": "k"}]}),
            "`tasks[].taskId` is missing",
        ),
    ];
    for (name, event, want) in cases {
        let err = parse(&event).expect_err(name);
        assert!(err.to_string().contains(want), "case {name}: {err}");
    }
}

#[test]
fn nesting_is_bounded() {
    let mut event = json!({"s3Bucket": "b", "s3ObjectKey": ["k"]});
    for _ in 0..=MAX_NESTING {
        event = json!({"Type": "Notification", "Message": event.to_string()});
    }
    assert_eq!(parse(&event), Err(EventError::TooDeep));
}

#[test]
fn a_batch_task_without_bucket_fails_alone() {
    let event = json!({"invocationSchemaVersion": "1.0", "invocationId": "i", "job": {"id": "j"},
        "tasks": [{"taskId": "t1", "s3Key": "k"}, {"taskId": "t2", "s3Key": "k", "s3BucketArn": "arn:aws:s3:::b"}]});
    let Ok(Trigger::Batch(job)) = parse(&event) else {
        panic!("batch")
    };
    assert!(job.tasks[0].object.is_err(), "no bucket");
    assert!(job.tasks[1].object.is_ok(), "the other task is fine");
}

#[test]
fn responses_have_the_shapes_aws_expects() {
    let sqs = serde_json::to_value(sqs_response(["m-2".to_string()])).unwrap();
    assert_eq!(
        sqs,
        json!({"batchItemFailures": [{"itemIdentifier": "m-2"}]})
    );
    let none = serde_json::to_value(sqs_response(Vec::new())).unwrap();
    assert_eq!(none, json!({"batchItemFailures": []}), "nothing failed");

    let job = BatchJob {
        schema_version: "1.0".into(),
        invocation_id: "inv".into(),
        tasks: Vec::new(),
    };
    let outcomes = vec![
        ("a".to_string(), TaskOutcome::Succeeded("2 alerts".into())),
        (
            "b".to_string(),
            TaskOutcome::TemporaryFailure("SNS throttled".into()),
        ),
        (
            "c".to_string(),
            TaskOutcome::PermanentFailure("no key".into()),
        ),
    ];
    let batch = serde_json::to_value(batch_response(&job, outcomes)).unwrap();
    assert_eq!(
        batch,
        json!({
            "invocationSchemaVersion": "1.0",
            "treatMissingKeysAs": "PermanentFailure",
            "invocationId": "inv",
            "results": [
                {"taskId": "a", "resultCode": "Succeeded", "resultString": "2 alerts"},
                {"taskId": "b", "resultCode": "TemporaryFailure", "resultString": "SNS throttled"},
                {"taskId": "c", "resultCode": "PermanentFailure", "resultString": "no key"}
            ]
        })
    );
}

#[test]
fn the_heartbeat_fixture_is_a_heartbeat() {
    let Ok(Trigger::Heartbeat(request)) =
        parse(&fixture(include_str!("../../events/heartbeat.json")))
    else {
        panic!("events/heartbeat.json is a heartbeat");
    };
    assert_eq!(request.bucket, "example-ct-logs");
    assert_eq!(request.accounts.map(|a| a.len()), Some(2));
    assert!(matches!(
        parse(&json!({"trailwatch": "heartbeat"})),
        Err(EventError::Heartbeat(_))
    ));
}

/// Every object of the trigger, whatever envelope carries it, with the creation time it got.
fn created_times(trigger: Trigger) -> Vec<Option<OffsetDateTime>> {
    let objects: Vec<ObjectRef> = match trigger {
        Trigger::Objects(named) => named.objects,
        Trigger::Sqs(messages) => messages
            .into_iter()
            .flat_map(|m| m.objects.unwrap().objects)
            .collect(),
        Trigger::Batch(job) => job.tasks.into_iter().map(|t| t.object.unwrap()).collect(),
        Trigger::Heartbeat(_) => Vec::new(),
    };
    objects.into_iter().map(|o| o.created).collect()
}

#[test]
fn each_trigger_gives_the_creation_time_it_carries() {
    let s3 = Some(datetime!(2025-03-14 09:10:42.117 UTC));
    let eventbridge = Some(datetime!(2025-03-14 09:10:42 UTC));
    let cases: [(&str, &str, Vec<Option<OffsetDateTime>>); 10] = [
        ("s3-put", include_str!("../../events/s3-put.json"), vec![s3]),
        (
            "s3-put-versioned",
            include_str!("../../events/s3-put-versioned.json"),
            vec![s3],
        ),
        ("sns-s3", include_str!("../../events/sns-s3.json"), vec![s3]),
        // A raw S3 notification and one inside an SNS envelope: the inner event's time.
        (
            "sqs-s3",
            include_str!("../../events/sqs-s3.json"),
            vec![s3, s3],
        ),
        (
            "eventbridge-object-created",
            include_str!("../../events/eventbridge-object-created.json"),
            vec![eventbridge],
        ),
        (
            "sqs-eventbridge",
            include_str!("../../events/sqs-eventbridge.json"),
            vec![eventbridge],
        ),
        // CloudTrail's notice and Batch Operations say nothing of when the object was made.
        (
            "sns-cloudtrail",
            include_str!("../../events/sns-cloudtrail.json"),
            vec![None, None],
        ),
        (
            "sqs-cloudtrail-raw",
            include_str!("../../events/sqs-cloudtrail-raw.json"),
            vec![None, None],
        ),
        (
            "s3-batch-job",
            include_str!("../../events/s3-batch-job.json"),
            vec![None],
        ),
        (
            "s3-batch-job-v2",
            include_str!("../../events/s3-batch-job-v2.json"),
            vec![None],
        ),
    ];
    for (name, text, want) in cases {
        let trigger = parse(&fixture(text)).unwrap_or_else(|e| panic!("case {name}: {e}"));
        assert_eq!(created_times(trigger), want, "case {name}");
    }
}

#[test]
fn a_time_that_does_not_parse_leaves_the_object_without_one() {
    for time in [
        json!("yesterday"),
        json!(1741943442),
        json!("2025-03-14 09:10:42"),
    ] {
        let mut event = fixture(include_str!("../../events/s3-put.json"));
        event["Records"][0]["eventTime"] = time.clone();
        let Ok(Trigger::Objects(named)) = parse(&event) else {
            panic!("{time}: not objects");
        };
        assert_eq!(
            named.objects.len(),
            1,
            "{time}: the object is still processed"
        );
        assert_eq!(named.objects[0].created, None, "{time}");
    }
}
