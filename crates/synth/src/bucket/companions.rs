//! The sample bucket's objects other than log deliveries: the digest that covers one of them,
//! an Insights delivery, and an AWS Config file sharing the bucket.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::super::clock::Day;
use super::super::json;
use super::super::rng::Rng;
use super::super::{delivery_of, digest_key, insight_key};
use super::{BUCKET, PRODUCTION, SAMPLE_DAY};

/// The hourly digest covering the first production delivery, with its real SHA-256.
pub(super) fn digest_for(log_key: &str, records: &[Value], text: &str) -> (String, String) {
    let times: Vec<&str> = records
        .iter()
        .filter_map(|r| r["eventTime"].as_str())
        .collect();
    let oldest = times.iter().min().copied().unwrap_or_default();
    let newest = times.iter().max().copied().unwrap_or_default();
    let hash = hex(&Sha256::digest(text.as_bytes()));
    let mut rng = Rng::from_parts(&["digest", log_key]);
    let key = digest_key(
        None,
        None,
        PRODUCTION,
        "us-east-1",
        SAMPLE_DAY,
        (10, 0, 12),
        "management-events",
    );
    let previous = digest_key(
        None,
        None,
        PRODUCTION,
        "us-east-1",
        SAMPLE_DAY,
        (9, 0, 12),
        "management-events",
    );
    let digest = json!({
        "awsAccountId": PRODUCTION,
        "digestStartTime": "2025-03-14T09:00:12Z",
        "digestEndTime": "2025-03-14T10:00:12Z",
        "digestS3Bucket": BUCKET,
        "digestS3Object": key,
        "digestPublicKeyFingerprint": rng.hex(32),
        "digestSignatureAlgorithm": "SHA256withRSA",
        "newestEventTime": newest,
        "oldestEventTime": oldest,
        "previousDigestS3Bucket": BUCKET,
        "previousDigestS3Object": previous,
        "previousDigestHashValue": rng.hex(64),
        "previousDigestHashAlgorithm": "SHA-256",
        "previousDigestSignature": rng.hex(512),
        "logFiles": [{
            "s3Bucket": BUCKET,
            "s3Object": log_key,
            "hashValue": hash,
            "hashAlgorithm": "SHA-256",
            "newestEventTime": newest,
            "oldestEventTime": oldest,
        }],
    });
    (key, json::digest(&digest))
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An API call rate insight: a burst of `RunInstances`, its start and end events.
pub(super) fn insight_delivery(day: Day) -> (String, String) {
    let mut rng = Rng::from_parts(&["insight"]);
    let shared = rng.uuid();
    let role = format!("arn:aws:sts::{PRODUCTION}:assumed-role/terraform-ci/terraform-1741951200");
    let attributions = json!([
        {"attribute": "userIdentityArn",
         "insight": [{"value": role, "average": 42.0}],
         "baseline": [{"value": role, "average": 0.35}]},
        {"attribute": "userAgent",
         "insight": [{"value": "APN/1.0 HashiCorp/1.0 Terraform/1.7.5", "average": 42.0}],
         "baseline": [{"value": "APN/1.0 HashiCorp/1.0 Terraform/1.7.5", "average": 0.35}]},
        {"attribute": "errorCode",
         "insight": [{"value": "null", "average": 42.0}],
         "baseline": [{"value": "null", "average": 0.35}]},
    ]);
    let event = |rng: &mut Rng, state: &str, time: &str, statistics: Value| {
        json!({
            "eventVersion": "1.08",
            "eventTime": time,
            "awsRegion": "us-east-1",
            "eventID": rng.uuid(),
            "eventType": "AwsCloudTrailInsight",
            "recipientAccountId": PRODUCTION,
            "sharedEventID": shared,
            "insightDetails": {
                "state": state,
                "eventSource": "ec2.amazonaws.com",
                "eventName": "RunInstances",
                "insightType": "ApiCallRateInsight",
                "insightContext": {"statistics": statistics, "attributions": attributions},
            },
            "eventCategory": "Insight",
        })
    };
    let start = event(
        &mut rng,
        "Start",
        "2025-03-14T11:58:00Z",
        json!({"baseline": {"average": 0.35}, "insight": {"average": 42.0}}),
    );
    let end = event(
        &mut rng,
        "End",
        "2025-03-14T12:09:00Z",
        json!({"baseline": {"average": 0.35}, "insight": {"average": 42.0}, "insightDuration": 11, "baselineDuration": 10_079}),
    );
    let suffix = rng.alnum(16);
    let key = insight_key(None, None, PRODUCTION, "us-east-1", day, (12, 15), &suffix);
    (key, delivery_of(&[start, end]))
}

/// An AWS Config snapshot sharing the bucket: kind `other`. (A snapshot rather than a history
/// file because history file names contain `::`, which some file systems cannot hold.)
pub(super) fn config_snapshot(day: Day) -> (String, String) {
    let (y, m, d) = day;
    let mut rng = Rng::from_parts(&["config"]);
    let group = format!("sg-0{}", rng.hex(16));
    let vpc = format!("vpc-0{}", rng.hex(16));
    let snapshot = rng.uuid();
    let item = json!({
        "relatedEvents": [],
        "relationships": [{"resourceId": vpc, "resourceType": "AWS::EC2::VPC", "name": "Is contained in Vpc"}],
        "configuration": {
            "description": "Worker nodes",
            "groupName": "workers",
            "ipPermissions": [{"fromPort": 443, "ipProtocol": "tcp", "ipRanges": ["10.0.0.0/8"], "toPort": 443}],
            "ownerId": PRODUCTION,
            "groupId": group,
            "vpcId": vpc,
        },
        "supplementaryConfiguration": {},
        "tags": {"Team": "Équipe Plateforme"},
        "configurationItemVersion": "1.3",
        "configurationItemCaptureTime": "2025-03-14T08:12:45.123Z",
        "configurationStateId": 1_741_939_965_123_i64,
        "awsAccountId": PRODUCTION,
        "configurationItemStatus": "OK",
        "resourceType": "AWS::EC2::SecurityGroup",
        "resourceId": group,
        "resourceName": "workers",
        "ARN": format!("arn:aws:ec2:us-east-1:{PRODUCTION}:security-group/{group}"),
        "awsRegion": "us-east-1",
        "availabilityZone": "Not Applicable",
        "configurationStateMd5Hash": "",
    });
    let body =
        json!({"fileVersion": "1.0", "configSnapshotId": snapshot, "configurationItems": [item]});
    // Config writes month and day without zero padding.
    let key = format!(
        "AWSLogs/{PRODUCTION}/Config/us-east-1/{y}/{m}/{d}/ConfigSnapshot/\
         {PRODUCTION}_Config_us-east-1_ConfigSnapshot_20250314T081245Z_{snapshot}.json.gz"
    );
    (key, json::text(&body))
}
