//! S3 Batch Operations over deliveries already in the bucket, with both invocation schemas.
//! moto runs no Batch Operations job, so each event is built as the service sends it (one
//! task per invocation, the task's `s3VersionId` that of the manifest's object) and handed to
//! the function with its role.

use serde_json::json;

use super::*;
use crate::world::delivery;

#[tokio::test]
async fn batch_operations_jobs_of_both_schemas_read_existing_versions() {
    let world = StackWorld::create(&[]).await;
    let member = member_key(MEMBER, "us-east-1", "BatchBackfill001");
    let team = member_key(TEAM_MEMBER, "eu-west-1", "BatchBackfill002");
    let member_version = world
        .deliver(&member, delivery(MEMBER, "us-east-1", &["CloudWatch.5"]))
        .await;
    let team_version = world
        .deliver(&team, delivery(TEAM_MEMBER, "eu-west-1", &["CloudWatch.1"]))
        .await;
    // A job runs over objects that are already there; their notifications are not the job's.
    world.invocations().await;

    let v1 = json!({
        "invocationSchemaVersion": "1.0",
        "invocationId": "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
        "job": {"id": "f3cc4f60-61f6-4a2b-8a21-d07600c373ce"},
        "tasks": [{
            "taskId": "dGFza2lkZ29lc2hlcmUK",
            "s3Key": member,
            "s3VersionId": member_version,
            "s3BucketArn": format!("arn:aws:s3:::{BUCKET}"),
        }],
    });
    let v2 = json!({
        "invocationSchemaVersion": "2.0",
        "invocationId": "Jr3s8KZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
        "job": {"id": "ff66f7b5-3c47-4f8c-b3b6-61a1a2d4e5f6", "userArguments": {"purpose": "backfill"}},
        "tasks": [{
            "taskId": "dGFza2lkZ29lc2hlcmUx",
            "s3BucketName": BUCKET,
            "s3Key": team,
            "s3VersionId": team_version,
        }],
    });
    for (job, task) in [(&v1, "dGFza2lkZ29lc2hlcmUK"), (&v2, "dGFza2lkZ29lc2hlcmUx")] {
        let answer = world.run(job).await.unwrap();
        assert_eq!(
            answer["invocationSchemaVersion"],
            job["invocationSchemaVersion"]
        );
        assert_eq!(answer["invocationId"], job["invocationId"]);
        let results = answer["results"].as_array().unwrap();
        assert_eq!(results.len(), 1);
        assert_eq!(results[0]["taskId"], task);
        assert_eq!(
            results[0]["resultCode"], "Succeeded",
            "schema {}: the function role reads the version the job names: {answer}",
            job["invocationSchemaVersion"]
        );
    }
    assert_eq!(
        rule_ids(&world.team("SecurityTeamSubscription").await),
        ["CloudWatch.1", "CloudWatch.5"]
    );
    assert_eq!(
        rule_ids(&world.team("AccountTeamSubscription").await),
        ["CloudWatch.1"]
    );
}
