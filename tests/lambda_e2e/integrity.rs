//! Log-file integrity validation end to end (INTEGRITY.md) on the scenario of `digest_world`:
//! the real `bootstrap` (behind the Runtime API emulator, one S3 notification per digest, its
//! alerts read from the SNS topic's queue), `trailwatch verify` and `trailwatch replay` over
//! the same moto bucket must raise the same integrity alerts, exactly those the plan predicts;
//! the heartbeat through `bootstrap` and `verify --expected-accounts` name the same silence;
//! and `verify` exits 1 on operational errors and 2 on usage errors.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use serde_json::{json, Value};

use crate::bootstrap::{Artifact, Payload, Served};
use crate::digest_world::{self, seen, DigestWorld, Expected, HEARTBEAT_NOW, MAX_AGE_S, SILENT};
use crate::moto::free_port;
use crate::world::{World, BUCKET, DEV, PRODUCTION};

/// Integrity alerts keyed by id (each id once), with what the plan can predict of them.
type Alerts = BTreeSet<(String, Expected)>;

fn expected_accounts() -> String {
    format!("{PRODUCTION},{DEV},{SILENT}")
}

/// `trailwatch ARGS` against `endpoint` with dummy credentials and nothing of this machine's
/// AWS configuration.
fn trailwatch(endpoint: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trailwatch"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .stdin(Stdio::null())
        .output()
        .expect("running trailwatch")
}

fn shown(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The alerts a successful run printed, one JSON object per line; `integrity` ones only.
fn printed_integrity(out: &Output) -> Alerts {
    assert_eq!(out.status.code(), Some(0), "{}", shown(out));
    let mut alerts = Alerts::new();
    let mut lines = 0;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let alert: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}\n{}", shown(out)));
        if alert["kind"] == "integrity" {
            lines += 1;
            alerts.insert(seen(&alert));
        }
    }
    assert_eq!(
        lines,
        alerts.len(),
        "an alert printed twice: {}",
        shown(out)
    );
    alerts
}

/// What the security team's queue received, all of kind `integrity`.
async fn queued_integrity(world: &World) -> Alerts {
    let delivered = world.drain(&world.security).await;
    let alerts: Alerts = delivered
        .iter()
        .map(|d| {
            assert_eq!(d.alert["kind"], "integrity", "{:?}", d.alert);
            assert_eq!(
                d.attributes.get("kind").map(String::as_str),
                Some("integrity")
            );
            seen(&d.alert)
        })
        .collect();
    assert_eq!(alerts.len(), delivered.len(), "an alert published twice");
    alerts
}

fn predicted(alerts: &Alerts) -> BTreeSet<Expected> {
    alerts.iter().map(|(_, e)| e.clone()).collect()
}

fn key_file(digests: &DigestWorld) -> String {
    digests.key_file.path().display().to_string()
}

/// The function for the scenario: the key file, the three expected accounts.
fn serve(world: &World, digests: &DigestWorld, dir: &Path) -> Served {
    let keys = key_file(digests);
    let accounts = expected_accounts();
    Served::start_with_deadline(
        &Artifact::Native,
        world,
        &[
            ("TRAILWATCH_PUBLIC_KEYS", &keys),
            ("TRAILWATCH_EXPECTED_ACCOUNTS", &accounts),
        ],
        dir,
    )
}

#[tokio::test]
async fn bootstrap_verify_and_replay_raise_the_same_integrity_alerts() {
    let started = Instant::now();
    let world = World::new().await;
    let digests = digest_world::plant(&world).await;
    let dir = tempfile::tempdir().unwrap();
    let served = serve(&world, &digests, dir.path());
    eprintln!(
        "integrity e2e: {} digests planted, {} alerts expected; bootstrap up after {:?}",
        digests.digest_keys.len(),
        digests.expected.len(),
        started.elapsed()
    );

    // a. The function, one S3 notification per digest as the bucket would send them.
    let at = Instant::now();
    for key in &digests.digest_keys {
        let event = json!({"Records": [{
            "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
            "s3": {"bucket": {"name": BUCKET}, "object": {"key": key}},
        }]});
        let answer = served.invoke_ok(Payload::Json(&event.to_string()));
        assert!(answer.is_object(), "{key}: {answer}");
    }
    let from_function = queued_integrity(&world).await;
    eprintln!(
        "integrity e2e: {} invocations in {:?}",
        digests.digest_keys.len(),
        at.elapsed()
    );
    assert_eq!(
        predicted(&from_function),
        digests.expected,
        "the function's alerts\n{}",
        crate::bootstrap::logs(&served.log)
    );

    // b. `trailwatch verify` over the whole bucket.
    let keys = key_file(&digests);
    let url = format!("s3://{BUCKET}");
    let at = Instant::now();
    let verify = trailwatch(
        &world.moto.endpoint,
        &["verify", "--public-keys", &keys, &url],
    );
    eprintln!("integrity e2e: verify in {:?}", at.elapsed());
    let from_verify = printed_integrity(&verify);
    assert_eq!(
        predicted(&from_verify),
        digests.expected,
        "{}",
        shown(&verify)
    );
    assert_eq!(from_verify, from_function, "verify and the function differ");

    // c. `trailwatch replay` over every object: logs get their own checks too.
    let at = Instant::now();
    let replay = trailwatch(
        &world.moto.endpoint,
        &["replay", "--public-keys", &keys, &url],
    );
    eprintln!("integrity e2e: replay in {:?}", at.elapsed());
    let from_replay = printed_integrity(&replay);
    assert_eq!(from_replay, from_function, "replay and the function differ");
    eprintln!("integrity e2e: whole test {:?}", started.elapsed());
}

#[tokio::test]
async fn heartbeat_through_bootstrap_and_verify_name_the_same_silence() {
    let world = World::new().await;
    let digests = digest_world::plant(&world).await;
    let dir = tempfile::tempdir().unwrap();
    let served = serve(&world, &digests, dir.path());

    // The schedule's payload, regions left to the digest folders.
    let payload = json!({
        "trailwatch": "heartbeat", "bucket": BUCKET, "prefix": "", "org_id": null,
        "accounts": [PRODUCTION, DEV, SILENT], "regions": null,
        "max_age_s": MAX_AGE_S, "now": HEARTBEAT_NOW,
    });
    let answer = served.invoke_ok(Payload::Json(&payload.to_string()));
    assert_eq!(
        answer,
        json!({"heartbeat": {"bucket": BUCKET, "late": digests.expected_late.len()}}),
        "{}",
        crate::bootstrap::logs(&served.log)
    );
    let from_heartbeat = queued_integrity(&world).await;
    assert_eq!(predicted(&from_heartbeat), digests.expected_late);

    // verify as of the same time runs the same heartbeat after checking every digest.
    let keys = key_file(&digests);
    let accounts = expected_accounts();
    let verify = trailwatch(
        &world.moto.endpoint,
        &[
            "verify",
            "--public-keys",
            &keys,
            "--expected-accounts",
            &accounts,
            "--end",
            HEARTBEAT_NOW,
            &format!("s3://{BUCKET}"),
        ],
    );
    let (late, checked): (Alerts, Alerts) = printed_integrity(&verify)
        .into_iter()
        .partition(|(_, (rule, ..))| rule == "integrity.digest-late");
    assert_eq!(late, from_heartbeat, "{}", shown(&verify));
    assert_eq!(predicted(&checked), digests.expected, "{}", shown(&verify));
}

#[tokio::test]
async fn verify_exits_1_on_operational_and_2_on_usage_errors() {
    let world = World::new().await;
    let endpoint = world.moto.endpoint.as_str();
    let dir = tempfile::tempdir().unwrap();
    let good_keys = dir.path().join("keys.json");
    let signer = trailwatch_synth::digest::SigningKey::generate("fp-e2e-exit-codes");
    std::fs::write(&good_keys, trailwatch_synth::digest::key_file(&[&signer])).unwrap();
    let bad_keys = dir.path().join("bad-keys.json");
    std::fs::write(
        &bad_keys,
        r#"{"PublicKeyList": [{"Value": "not base64!"}]}"#,
    )
    .unwrap();
    let (good, bad) = (
        good_keys.display().to_string(),
        bad_keys.display().to_string(),
    );
    let bucket = format!("s3://{BUCKET}");
    let closed = format!("http://127.0.0.1:{}", free_port());

    // The bucket is there and empty: verify ran, and found nothing.
    let ran = trailwatch(endpoint, &["verify", "--public-keys", &good, &bucket]);
    assert_eq!(ran.status.code(), Some(0), "{}", shown(&ran));
    assert!(ran.stdout.is_empty(), "{}", shown(&ran));

    // What, where, the arguments after `verify`, the status and what stderr must say.
    type Case<'a> = (&'a str, &'a str, Vec<&'a str>, i32, &'a str);
    let cases: Vec<Case> = vec![
        (
            "no such bucket",
            endpoint,
            vec!["--public-keys", &good, "s3://no-such-bucket-here"],
            1,
            "NoSuchBucket",
        ),
        (
            "unreachable endpoint",
            &closed,
            vec!["--public-keys", &good, &bucket],
            1,
            "dispatch failure",
        ),
        (
            "bad bucket name",
            endpoint,
            vec!["s3://BAD_NAME"],
            2,
            "`BAD_NAME` is not a bucket name",
        ),
        (
            "a folder, not an s3:// URL",
            endpoint,
            vec!["--public-keys", &good, "example-ct-logs"],
            2,
            "is not an s3://BUCKET[/PREFIX] URL",
        ),
        (
            "start after end",
            endpoint,
            vec![
                "--public-keys",
                &good,
                "--start",
                "2025-03-14T12:00:00Z",
                "--end",
                "2025-03-14T11:00:00Z",
                &bucket,
            ],
            2,
            "--start is after --end",
        ),
        (
            "bad time",
            endpoint,
            vec!["--public-keys", &good, "--end", "2025-03-14 noon", &bucket],
            2,
            "is not an RFC 3339 time",
        ),
        (
            "malformed key file",
            endpoint,
            vec!["--public-keys", &bad, &bucket],
            2,
            "not the JSON `aws cloudtrail list-public-keys` prints",
        ),
    ];
    for (name, endpoint, args, status, says) in cases {
        let at = Instant::now();
        let out = trailwatch(endpoint, &[&["verify"], args.as_slice()].concat());
        assert_eq!(out.status.code(), Some(status), "{name}: {}", shown(&out));
        assert!(out.stdout.is_empty(), "{name}: {}", shown(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{name}: wanted {says:?} on stderr: {}",
            shown(&out)
        );
        eprintln!(
            "verify exit codes: {name} -> {status} in {:?}",
            at.elapsed()
        );
    }
}
