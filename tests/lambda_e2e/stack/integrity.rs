//! Log-file integrity (INTEGRITY §2, §5, §6) on the deployed stack with IAM enforced: each
//! permission infra/README.md gives the function for it is needed and sufficient.
//!
//! - `ReadPublicKeysObject` (`PublicKeysS3Uri` set): the key file, that one object;
//!   `ListCloudTrailPublicKeys` otherwise, and then no file is read;
//! - a digest's checks read through `ReadDeliveredObjects`: GET of the digest (with its
//!   metadata), HEAD of the previous one, GET of every listed log;
//! - `ListCloudTrailFolders`: S3 answers those reads of a missing object with 403 (the role may
//!   not list the whole bucket), and the function settles each 403 by listing that key, which
//!   this statement allows inside CloudTrail's log and digest folders: not listed is evidence,
//!   listed is a refusal; the heartbeat lists each account's `CloudTrail-Digest/` folders with
//!   it. Nothing wider is listed.

use aws_sdk_s3::primitives::ByteStream;
use serde_json::{json, Value};
use trailwatch_synth::digest::{key_file, DigestFile, Link, Listed, SigningKey};
use trailwatch_synth::{delivery_of, digest_key, gzip, log_key};

use super::*;
use crate::world::DAY;

const CONFIG_BUCKET: &str = "example-config-bucket";
const KEY_FILE: &str = "trailwatch/public-keys.json";
const TRAIL: &str = "org-trail";
const REGION: &str = "us-east-1";

/// MEMBER's digest of `hour` on the scenario's day (`prefix`: LogFilePrefix).
fn digest_at(prefix: Option<&str>, account: &str, region: &str, hour: u32) -> String {
    digest_key(prefix, None, account, region, DAY, (hour, 10, 5), TRAIL)
}

/// A log of `hour` in MEMBER's folder: its key, decompressed content and gzip.
fn log_at(hour: u32, minute: u32) -> (String, Vec<u8>, Vec<u8>) {
    let key = log_key(
        None,
        None,
        MEMBER,
        REGION,
        DAY,
        (hour, minute),
        &format!("Integrity{hour:02}{minute:02}Log0"),
    );
    let text = delivery_of(&[json!({
        "eventVersion": "1.08",
        "eventTime": format!("2025-03-14T{hour:02}:{minute:02}:00Z"),
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "awsRegion": REGION,
        "recipientAccountId": MEMBER,
    })]);
    let bytes = gzip(text.as_bytes(), 1);
    (key, text.into_bytes(), bytes)
}

/// The digest of `hour` listing `logs`, linked to `previous` (its key and signature).
fn digest_file(
    hour: u32,
    logs: &[(String, Vec<u8>, Vec<u8>)],
    previous: Option<Link>,
) -> DigestFile {
    DigestFile {
        bucket: BUCKET.to_owned(),
        key: digest_at(None, MEMBER, REGION, hour),
        start_time: format!("2025-03-14T{:02}:10:05Z", hour - 1),
        end_time: format!("2025-03-14T{hour:02}:10:05Z"),
        previous,
        logs: logs
            .iter()
            .map(|(key, content, _)| Listed::of(BUCKET, key, content))
            .collect(),
    }
}

/// The S3 event the bucket sent for `key` (the other invocations since the last call dropped).
async fn invocation_for(world: &StackWorld, key: &str) -> Value {
    let all = world.invocations().await;
    let mut found: Vec<Value> = all
        .iter()
        // moto percent-encodes the key's slashes as well.
        .filter(|event| {
            event["Records"][0]["s3"]["object"]["key"]
                .as_str()
                .is_some_and(|k| k.replace("%2F", "/") == key)
        })
        .cloned()
        .collect();
    assert_eq!(found.len(), 1, "one notification for {key} among {all:#?}");
    found.pop().unwrap()
}

/// An alert as (rule id, account, region, key).
type Found = (String, Option<String>, Option<String>, Option<String>);

/// The integrity alerts the security team (which gets every alert) received since the last
/// call, as (rule id, account, region, key); every alert received must be of that kind.
async fn integrity_alerts(world: &StackWorld) -> Vec<Found> {
    let text = |v: &Value| v.as_str().map(String::from);
    let mut alerts: Vec<_> = world
        .team("SecurityTeamSubscription")
        .await
        .into_iter()
        .map(|d| {
            assert_eq!(d.alert["kind"], "integrity", "{:#?}", d.alert);
            assert_eq!(d.attributes["kind"], "integrity");
            (
                d.rule_id().to_string(),
                text(&d.alert["account_id"]),
                text(&d.alert["region"]),
                text(&d.alert["key"]),
            )
        })
        .collect();
    alerts.sort();
    alerts
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

/// `PublicKeysS3Uri` set: a chained pair of digests and their logs, delivered as CloudTrail
/// writes them, are checked with the role's reads alone (the key file, GET of the digest,
/// HEAD of the previous, GET of each log) and raise nothing. A deleted log and a deleted
/// previous digest are answered 403 to this role, as S3 answers them to a caller without an
/// unconditioned s3:ListBucket (moto_aws.py, correction 11); the function's listing of the key
/// (`ListCloudTrailFolders`) finds nothing, hence evidence. A previous digest outside
/// `AWSLogs/`, which the role may neither read nor list, stays a refusal: the invocation's
/// failure for a retry and no verdict.
#[tokio::test]
async fn key_file_stack_checks_a_digest_chain_with_the_roles_reads_only() {
    let uri = format!("s3://{CONFIG_BUCKET}/{KEY_FILE}");
    let world = StackWorld::create(&[("PublicKeysS3Uri", &uri)]).await;
    let signer = SigningKey::generate("fp-stack-world-0001");
    for (key, body) in [
        (KEY_FILE, key_file(&[&signer])),
        ("trailwatch/other.json", key_file(&[])),
    ] {
        world
            .s3
            .put_object()
            .bucket(CONFIG_BUCKET)
            .key(key)
            .body(ByteStream::from(body.into_bytes()))
            .send()
            .await
            .unwrap();
    }

    // The deployed policy: the key file, no CloudTrail; the environment names the file.
    let statements = world.role_statements("FunctionRole", "trailwatch-function");
    assert_eq!(
        statements.get("ReadPublicKeysObject"),
        Some(&json!({
            "Sid": "ReadPublicKeysObject",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": format!("arn:aws:s3:::{CONFIG_BUCKET}/{KEY_FILE}"),
        }))
    );
    assert!(
        !statements.contains_key("ListCloudTrailPublicKeys"),
        "{statements:#?}"
    );
    assert_eq!(world.world["environment"]["TRAILWATCH_PUBLIC_KEYS"], uri);

    // The key file is the one object of its bucket the role reads.
    let s3 = s3_on(&world.function);
    s3.get_object()
        .bucket(CONFIG_BUCKET)
        .key(KEY_FILE)
        .send()
        .await
        .expect("ReadPublicKeysObject: the key file");
    assert_refused(
        s3.get_object()
            .bucket(CONFIG_BUCKET)
            .key("trailwatch/other.json")
            .send()
            .await,
        "the function role reads another object beside the key file",
    );
    assert_refused(
        s3.list_objects_v2()
            .bucket(CONFIG_BUCKET)
            .prefix("trailwatch/")
            .send()
            .await,
        "the function role lists the key file's bucket",
    );

    let first_logs = [log_at(1, 5), log_at(1, 35)];
    let second_logs = [log_at(2, 5), log_at(2, 35)];
    let first = digest_file(1, &first_logs, None);
    let signed_first = first.sign(&signer);
    let second = digest_file(
        2,
        &second_logs,
        Some(Link {
            bucket: BUCKET.to_owned(),
            key: first.key.clone(),
            signature: signed_first.signature.clone(),
        }),
    );
    let signed_second = second.sign(&signer);
    for (key, _, bytes) in first_logs.iter().chain(&second_logs) {
        world.deliver(key, bytes.clone()).await;
    }
    world.deliver_digest(&first.key, &signed_first).await;
    world.deliver_digest(&second.key, &signed_second).await;
    let event = invocation_for(&world, &second.key).await;

    let answer = world.run(&event).await;
    assert_eq!(
        answer.as_ref().ok().map(|a| &a["integrity_alerts"]),
        Some(&json!(0)),
        "the role reads the key file, the digest, its previous one and its logs: {answer:?}"
    );
    assert_eq!(integrity_alerts(&world).await, []);

    // A listed log deleted (a delete marker in the versioned bucket). S3 tells the operator,
    // who may list the bucket, that it is missing (404) and the role only that it may not
    // read it (403): the function's listing of the key settles that.
    let (gone, _, _) = &second_logs[1];
    world
        .s3
        .delete_object()
        .bucket(BUCKET)
        .key(gone)
        .send()
        .await
        .unwrap();
    assert_missing_is_refused(&world, gone).await;
    let answer = world.run(&event).await;
    assert_eq!(
        answer.as_ref().ok().map(|a| &a["integrity_alerts"]),
        Some(&json!(1)),
        "{answer:?}"
    );
    assert_eq!(
        integrity_alerts(&world).await,
        [(
            "integrity.log-missing".to_string(),
            some(MEMBER),
            some(REGION),
            some(gone)
        )]
    );

    // The previous digest deleted too: its HEAD is a 403, its key is not listed, the chain is
    // broken.
    world
        .s3
        .delete_object()
        .bucket(BUCKET)
        .key(&first.key)
        .send()
        .await
        .unwrap();
    assert_missing_is_refused(&world, &first.key).await;
    let answer = world.run(&event).await;
    assert_eq!(
        answer.as_ref().ok().map(|a| &a["integrity_alerts"]),
        Some(&json!(2)),
        "{answer:?}"
    );
    assert_eq!(
        integrity_alerts(&world).await,
        [
            (
                "integrity.digest-chain".to_string(),
                some(MEMBER),
                some(REGION),
                some(&second.key)
            ),
            (
                "integrity.log-missing".to_string(),
                some(MEMBER),
                some(REGION),
                some(gone)
            ),
        ]
    );

    // A digest whose previous digest lies in the bucket outside AWSLogs/, where the role may
    // neither read nor list: the HEAD is refused (403) and so is the listing of its key, so
    // the refusal stands (our permissions, not evidence): the invocation fails to be retried
    // and publishes nothing. The object exists: a listing allowed there would show it.
    let outside = "notes/CloudTrail-Digest/previous.json.gz";
    world.deliver_digest(outside, &signed_first).await;
    let role = s3_on(&world.function);
    // A HEAD's 403 has no body, so no code to check.
    refusal(
        role.head_object().bucket(BUCKET).key(outside).send().await,
        "the function role reads outside AWSLogs/",
    );
    assert_refused(
        role.list_objects_v2()
            .bucket(BUCKET)
            .prefix(outside)
            .max_keys(1)
            .send()
            .await,
        "the function role lists outside AWSLogs/",
    );
    let third_logs = [log_at(3, 5)];
    let third = digest_file(
        3,
        &third_logs,
        Some(Link {
            bucket: BUCKET.to_owned(),
            key: outside.to_owned(),
            signature: signed_first.signature.clone(),
        }),
    );
    world
        .deliver(&third_logs[0].0, third_logs[0].2.clone())
        .await;
    world.deliver_digest(&third.key, &third.sign(&signer)).await;
    let event = invocation_for(&world, &third.key).await;
    let failed = world.run(&event).await;
    match &failed {
        Err(InvocationError::Retryable { first, .. }) => assert!(
            first.contains(outside) && first.contains("access denied") && !first.contains("gone"),
            "the failure names the refused previous digest, not a missing one: {first}"
        ),
        other => panic!("a refused HEAD of the previous digest is no verdict: {other:?}"),
    }
    assert_eq!(integrity_alerts(&world).await, []);
}

/// `key`, just deleted under `AWSLogs/`, as S3 answers it: missing (404) to the operator, who
/// may list the whole bucket; refused (403) to the function role, whose GET and HEAD of it are
/// allowed but whose listing is conditioned on a prefix (moto_aws.py, correction 11), so only
/// the listing of the key, which `ListCloudTrailFolders` allows and which shows nothing, tells
/// the function it is gone.
async fn assert_missing_is_refused(world: &StackWorld, key: &str) {
    let operator = world.s3.get_object().bucket(BUCKET).key(key).send().await;
    assert_eq!(
        operator
            .as_ref()
            .err()
            .and_then(|e| e.raw_response())
            .map(|r| r.status().as_u16()),
        Some(404),
        "the operator is told {key} is missing: {operator:?}"
    );
    let role = s3_on(&world.function);
    let what = format!("the function role is told {key} is missing");
    let code = refusal(
        role.get_object().bucket(BUCKET).key(key).send().await,
        &what,
    );
    assert_eq!(code, "AccessDenied", "{what}");
    refusal(
        role.head_object().bucket(BUCKET).key(key).send().await,
        &what,
    );
    let listed = role
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix(key)
        .max_keys(1)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListCloudTrailFolders: listing {key}: {e:?}"));
    assert!(listed.contents().is_empty(), "{key} is listed: {listed:?}");
}

/// `PublicKeysS3Uri` empty: the role may call CloudTrail ListPublicKeys and read no key file
/// (no `ReadPublicKeysObject`), and the cold start, which then reads no file, succeeds with
/// the role's session.
#[tokio::test]
async fn without_a_key_file_the_role_reads_no_file_and_may_ask_cloudtrail() {
    let world = StackWorld::create(&[]).await;
    let statements = world.role_statements("FunctionRole", "trailwatch-function");
    assert!(
        !statements.contains_key("ReadPublicKeysObject"),
        "{statements:#?}"
    );
    assert_eq!(
        statements.get("ListCloudTrailPublicKeys"),
        Some(&json!({
            "Sid": "ListCloudTrailPublicKeys",
            "Effect": "Allow",
            "Action": "cloudtrail:ListPublicKeys",
            "Resource": "*",
        }))
    );
    assert!(world.world["environment"]
        .get("TRAILWATCH_PUBLIC_KEYS")
        .is_none());
    assert!(world.config.public_keys.is_none());
    world
        .cold_start()
        .await
        .expect("the cold start reads no key file");
}

/// What the heartbeat schedule hands the function (its `Input`, as the stack renders it) at
/// `now`.
fn heartbeat_at(world: &StackWorld, now: &str) -> Value {
    let input = world.resource("HeartbeatSchedule")["Target"]["Input"]
        .as_str()
        .expect("the stack renders the heartbeat schedule's Input");
    let mut payload: Value = serde_json::from_str(input).unwrap();
    payload["now"] = json!(now);
    payload
}

/// Delivers, as names only, MEMBER's digests: us-east-1 at 08:10:05 (fresh at 09:00), eu-west-1
/// at 05:10:05 (late at 09:00, the default 7200 s); TEAM_MEMBER delivers none. Returns the
/// late eu-west-1 digest's key.
async fn deliver_heartbeat_digests(world: &StackWorld, prefix: Option<&str>) -> String {
    let fresh = digest_at(prefix, MEMBER, "us-east-1", 8);
    let older = digest_at(prefix, MEMBER, "us-east-1", 7);
    let late = digest_at(prefix, MEMBER, "eu-west-1", 5);
    for key in [&fresh, &older, &late] {
        world.deliver(key, gzip(b"{}", 1)).await;
    }
    late
}

/// The heartbeat's alerts at 09:00: MEMBER's eu-west-1 names its late digest, TEAM_MEMBER
/// (no digest folder at all) one alert without region or key.
fn expected_late(late: &str) -> Vec<Found> {
    vec![
        (
            "integrity.digest-late".to_string(),
            some(MEMBER),
            some("eu-west-1"),
            some(late),
        ),
        (
            "integrity.digest-late".to_string(),
            some(TEAM_MEMBER),
            None,
            None,
        ),
    ]
}

/// ListObjectsV2 with the role's session: refused for each of `refused`, allowed for each of
/// `allowed` (`None`: no prefix, the bucket's root).
async fn assert_listings(world: &StackWorld, refused: &[Option<String>], allowed: &[String]) {
    let s3 = s3_on(&world.function);
    for prefix in refused {
        assert_refused(
            s3.list_objects_v2()
                .bucket(BUCKET)
                .set_prefix(prefix.clone())
                .delimiter("/")
                .send()
                .await,
            &format!("the function role lists {prefix:?}"),
        );
    }
    for prefix in allowed {
        s3.list_objects_v2()
            .bucket(BUCKET)
            .prefix(prefix)
            .delimiter("/")
            .send()
            .await
            .unwrap_or_else(|e| panic!("ListCloudTrailFolders: listing {prefix}: {e:?}"));
    }
}

/// The heartbeat, as the schedule invokes it: the Regions found under each account's
/// `CloudTrail-Digest/` and the day folders below, listed with `ListCloudTrailFolders`
/// alone, which lists inside CloudTrail's log and digest folders and nothing wider.
#[tokio::test]
async fn heartbeat_lists_only_cloudtrail_folders_and_names_what_is_late() {
    let world = StackWorld::create(&[]).await;
    assert_eq!(
        serde_json::from_str::<Value>(
            world.resource("HeartbeatSchedule")["Target"]["Input"]
                .as_str()
                .unwrap()
        )
        .unwrap(),
        json!({"trailwatch": "heartbeat", "bucket": BUCKET, "prefix": "", "org_id": null})
    );
    let late = deliver_heartbeat_digests(&world, None).await;

    let answer = world
        .run(&heartbeat_at(&world, "2025-03-14T09:00:00Z"))
        .await;
    assert_eq!(
        answer.as_ref().ok().map(|a| &a["heartbeat"]),
        Some(&json!({"bucket": BUCKET, "late": 2})),
        "the heartbeat lists the digest folders with the role's session: {answer:?}"
    );
    assert_eq!(integrity_alerts(&world).await, expected_late(&late));

    let digests = format!("AWSLogs/{MEMBER}/CloudTrail-Digest/");
    let logs = format!("AWSLogs/{MEMBER}/CloudTrail/");
    assert_listings(
        &world,
        &[
            None,
            Some("AWSLogs/".into()),
            Some(format!("AWSLogs/{MEMBER}/")),
            Some(format!("AWSLogs/{MEMBER}/CloudTrail")),
            Some(format!("AWSLogs/{MEMBER}/CloudTrail-Digest")),
            Some(format!("AWSLogs/{MEMBER}/Config/")),
            Some(format!("AWSLogs/{MEMBER}/CloudTrail-Insight/")),
            Some("notes/".into()),
        ],
        &[
            digests.clone(),
            format!("{digests}us-east-1/2025/03/14/"),
            logs.clone(),
            format!("{logs}us-east-1/2025/03/14/"),
        ],
    )
    .await;
}

/// `LogFilePrefix`: the schedule's Input names the prefix and the heartbeat finds the digests
/// under `<prefix>/AWSLogs/`, where the only CloudTrail folders the role may list are.
#[tokio::test]
async fn heartbeat_of_a_prefix_stack_lists_under_the_prefix_only() {
    let prefix = "org-trails";
    let world = StackWorld::create(&[("LogFilePrefix", prefix)]).await;
    let payload = heartbeat_at(&world, "2025-03-14T09:00:00Z");
    assert_eq!(payload["prefix"], prefix);
    let late = deliver_heartbeat_digests(&world, Some(prefix)).await;
    let answer = world.run(&payload).await;
    assert_eq!(
        answer.as_ref().ok().map(|a| &a["heartbeat"]["late"]),
        Some(&json!(2)),
        "{answer:?}"
    );
    assert_eq!(integrity_alerts(&world).await, expected_late(&late));

    let statements = world.role_statements("FunctionRole", "trailwatch-function");
    assert!(
        !statements.contains_key("ListDigestFolders"),
        "{statements:#?}"
    );
    assert_eq!(
        statements["ListCloudTrailFolders"]["Condition"],
        json!({"StringLike": {"s3:prefix": [
            format!("{prefix}/AWSLogs/*/CloudTrail/*"),
            format!("{prefix}/AWSLogs/*/CloudTrail-Digest/*"),
        ]}})
    );
    assert_listings(
        &world,
        &[
            None,
            Some(format!("{prefix}/")),
            Some(format!("{prefix}/AWSLogs/")),
            Some(format!("{prefix}/AWSLogs/{MEMBER}/")),
            Some(format!("{prefix}/AWSLogs/{MEMBER}/Config/")),
            Some(format!("{prefix}/AWSLogs/{MEMBER}/CloudTrail-Insight/")),
            Some("AWSLogs/".into()),
            Some(format!("AWSLogs/{MEMBER}/CloudTrail/")),
            Some(format!("AWSLogs/{MEMBER}/CloudTrail-Digest/")),
            Some("notes/".into()),
        ],
        &[
            format!("{prefix}/AWSLogs/{MEMBER}/CloudTrail-Digest/"),
            format!("{prefix}/AWSLogs/{MEMBER}/CloudTrail/"),
        ],
    )
    .await;
}
