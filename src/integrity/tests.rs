//! Every check of INTEGRITY §2 and alert of §4 on digests signed with the tests' own key, over
//! in-memory ports; the heartbeat of §5 over listings; the failure semantics of §6 and §8.

use std::sync::OnceLock;
use std::time::{Duration as StdDuration, Instant};

use time::macros::datetime;
use time::OffsetDateTime;
use trailwatch_synth::digest::{sign_content, DigestFile, Link, Listed, SigningKey};
use trailwatch_synth::{delivery_of, digest_key, gzip, log_key};

use super::heartbeat::{self, HeartbeatRequest};
use super::*;
use crate::alert::{Alert, AlertKind, IntegrityProblem};
use crate::config::Settings;
use crate::date::Date;
use crate::digest::keys::PublicKey;
use crate::key::LogKey;
use crate::ports::{Metadata, ObjectRef, SourceErrorKind};
use crate::rules::Severity;
use crate::testing::MemorySource;

const BUCKET: &str = "org-trail-bucket";
const ACCOUNT: &str = "111122223333";
const REGION: &str = "eu-west-1";
const DAY: (i32, u32, u32) = (2025, 3, 6);

fn signer() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate("fp-tests-0001"))
}

/// Another key that claims the same fingerprint: what a forger holds.
fn forger() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate("fp-tests-0001"))
}

fn keys() -> FileKeys {
    let key = signer();
    FileKeys::from_keys([PublicKey::from_der(key.fingerprint(), &key.public_key_der()).unwrap()])
}

fn digest_at(hour: u32) -> String {
    digest_key(None, None, ACCOUNT, REGION, DAY, (hour, 10, 5), "org-trail")
}

fn log_at(hour: u32, minute: u32) -> String {
    log_key(
        None,
        None,
        ACCOUNT,
        REGION,
        DAY,
        (hour, minute),
        "QF6qcgyiaVnSueXa",
    )
}

/// A log's decompressed content (two records of its own) and its gzip.
fn log_content(hour: u32, minute: u32) -> (Vec<u8>, Vec<u8>) {
    let text = delivery_of(&[serde_json::json!({
        "eventVersion": "1.08", "eventTime": format!("2025-03-06T{hour:02}:{minute:02}:00Z"),
        "eventName": "GetObject", "recipientAccountId": ACCOUNT,
    })]);
    (text.clone().into_bytes(), gzip(text.as_bytes(), 1))
}

/// The digest of `hour`: two logs of that hour, linked to the previous hour's digest when
/// `previous` carries its signature.
fn digest_file(hour: u32, previous: Option<&str>) -> DigestFile {
    let logs = [5, 35]
        .iter()
        .map(|&minute| Listed::of(BUCKET, &log_at(hour, minute), &log_content(hour, minute).0))
        .collect();
    DigestFile {
        bucket: BUCKET.to_owned(),
        key: digest_at(hour),
        start_time: format!("2025-03-06T{:02}:10:05Z", hour.saturating_sub(1)),
        end_time: format!("2025-03-06T{hour:02}:10:05Z"),
        previous: previous.map(|signature| Link {
            bucket: BUCKET.to_owned(),
            key: digest_at(hour - 1),
            signature: signature.to_owned(),
        }),
        logs,
    }
}

/// Hours 1 and 2 delivered, hour 2 linked to hour 1, every log in place.
struct World {
    source: MemorySource,
    first: DigestFile,
    second: DigestFile,
    second_signature: String,
}

fn world() -> World {
    let first = digest_file(1, None);
    let signed_first = first.sign(signer());
    let second = digest_file(2, Some(&signed_first.signature));
    let signed_second = second.sign(signer());
    let mut source = MemorySource::default()
        .with(&first.key, signed_first.gzip.clone())
        .with_metadata(&first.key, signed_first.metadata.clone())
        .with(&second.key, signed_second.gzip.clone())
        .with_metadata(&second.key, signed_second.metadata.clone());
    for hour in [1, 2] {
        for minute in [5, 35] {
            source = source.with(log_at(hour, minute), log_content(hour, minute).1);
        }
    }
    World {
        source,
        first,
        second_signature: signed_second.signature,
        second,
    }
}

fn settings() -> Settings {
    Settings {
        buckets: Some([BUCKET.to_owned()].into()),
        ..Settings::default()
    }
}

fn object(key: &str) -> ObjectRef {
    ObjectRef {
        bucket: BUCKET.to_owned(),
        key: key.to_owned(),
        ..ObjectRef::default()
    }
}

async fn check_with(
    source: &MemorySource,
    keys: &FileKeys,
    key: &str,
    deadline: Deadline,
) -> Result<Option<Vec<Alert>>, IntegrityError> {
    let parsed = LogKey::parse(key, Date::new(2025, 3, 7).unwrap()).unwrap();
    verify_digest(&settings(), source, keys, &object(key), &parsed, deadline).await
}

/// The alerts of checking `key`, as (rule id, alerted key) pairs.
async fn findings(source: &MemorySource, key: &str) -> Vec<(String, Option<String>)> {
    check_with(source, &keys(), key, Deadline::NONE)
        .await
        .unwrap_or_else(|e| panic!("{key}: {e}"))
        .expect("the source keeps metadata")
        .into_iter()
        .map(|a| (a.rule_id, a.key))
        .collect()
}

fn found(problem: IntegrityProblem, key: &str) -> (String, Option<String>) {
    (problem.rule_id().to_owned(), Some(key.to_owned()))
}

fn with_signature_metadata(signature: &str) -> Metadata {
    Metadata::from([
        ("signature".to_owned(), signature.to_owned()),
        ("signature-algorithm".to_owned(), "SHA256withRSA".to_owned()),
    ])
}

#[tokio::test]
async fn a_clean_linked_digest_raises_nothing() {
    let w = world();
    assert_eq!(findings(&w.source, &w.second.key).await, vec![]);
}

#[tokio::test]
async fn a_digest_that_starts_a_chain_is_reported_low_and_its_logs_still_checked() {
    let w = world();
    let source = w.source.clone().without(&log_at(1, 35));
    assert_eq!(
        findings(&source, &w.first.key).await,
        vec![
            found(IntegrityProblem::ChainRestarted, &w.first.key),
            found(IntegrityProblem::LogMissing, &log_at(1, 35)),
        ]
    );
}

#[tokio::test]
async fn integrity_alerts_carry_the_digests_account_and_region_and_no_event() {
    let w = world();
    let source = w.source.clone().without(&log_at(2, 5));
    let alerts = check_with(&source, &keys(), &w.second.key, Deadline::NONE)
        .await
        .unwrap()
        .unwrap();
    let [alert] = alerts.as_slice() else {
        panic!("one alert: {alerts:?}")
    };
    assert_eq!(alert.kind, AlertKind::Integrity);
    assert_eq!(alert.rule_id, "integrity.log-missing");
    assert_eq!(alert.severity, Severity::High);
    assert_eq!(alert.bucket.as_deref(), Some(BUCKET));
    assert_eq!(alert.key.as_deref(), Some(log_at(2, 5).as_str()));
    assert_eq!(alert.account_id.as_deref(), Some(ACCOUNT));
    assert_eq!(alert.region.as_deref(), Some(REGION));
    assert_eq!(
        (
            &alert.event_time,
            &alert.event_name,
            &alert.event_source,
            &alert.event_id
        ),
        (&None, &None, &None, &None)
    );
    assert_eq!(
        (&alert.principal, &alert.source_ip, &alert.record),
        (&None, &None, &None)
    );
    let reason = alert.reason.as_deref().unwrap();
    assert!(
        reason.contains(&w.second.key),
        "names the listing digest: {reason}"
    );
    let json: serde_json::Value = serde_json::from_str(&alert.to_json_line().unwrap()).unwrap();
    assert_eq!(json["kind"], "integrity");
}

#[test]
fn rule_ids_titles_and_severities_follow_the_table() {
    let table = [
        ("integrity.digest-unreadable", Severity::High),
        ("integrity.digest-signature", Severity::Critical),
        ("integrity.digest-moved", Severity::High),
        ("integrity.public-key-unknown", Severity::High),
        ("integrity.digest-chain", Severity::High),
        ("integrity.chain-restarted", Severity::Low),
        ("integrity.log-missing", Severity::High),
        ("integrity.log-modified", Severity::Critical),
        ("integrity.digest-late", Severity::Medium),
    ];
    for (problem, (rule_id, severity)) in IntegrityProblem::ALL.into_iter().zip(table) {
        let alert = Alert::integrity(problem, BUCKET, None, None, None, "r".into());
        assert_eq!(alert.rule_id, rule_id);
        assert_eq!(alert.severity, severity, "{rule_id}");
        assert!(!alert.title.is_empty(), "{rule_id} has a title");
    }
}

#[tokio::test]
async fn step_1_a_digest_that_is_gone_or_not_a_gzip_json_object_is_unreadable() {
    let w = world();
    let metadata = with_signature_metadata(&w.second_signature);
    let cases: [(&str, Option<Vec<u8>>); 5] = [
        ("gone", None),
        ("not gzip", Some(b"{\"digestStartTime\":1}".to_vec())),
        ("truncated gzip", Some(gzip(b"{}", 1)[..12].to_vec())),
        ("not JSON", Some(gzip(b"digest?", 1))),
        ("a JSON array", Some(gzip(b"[1,2]", 1))),
    ];
    for (case, bytes) in cases {
        let source = match bytes {
            None => w.source.clone().without(&w.second.key),
            Some(bytes) => w
                .source
                .clone()
                .without(&w.second.key)
                .with(&w.second.key, bytes)
                .with_metadata(&w.second.key, metadata.clone()),
        };
        assert_eq!(
            findings(&source, &w.second.key).await,
            vec![found(IntegrityProblem::DigestUnreadable, &w.second.key)],
            "case {case}"
        );
    }
}

#[tokio::test]
async fn step_1_bytes_after_the_first_member_are_ignored_as_the_aws_cli_does() {
    let w = world();
    let signed = w.second.sign(signer());
    let mut bytes = signed.gzip.clone();
    bytes.extend_from_slice(&gzip(b"appended", 1));
    let source = w
        .source
        .clone()
        .without(&w.second.key)
        .with(&w.second.key, bytes)
        .with_metadata(&w.second.key, signed.metadata);
    assert_eq!(findings(&source, &w.second.key).await, vec![]);
}

#[tokio::test]
async fn step_2_missing_or_wrong_signature_metadata_fails_before_the_fields_are_judged() {
    let w = world();
    let signed = w.second.sign(signer());
    let cases = [
        ("no metadata at all", Metadata::new()),
        (
            "no algorithm",
            Metadata::from([("signature".to_owned(), signed.signature.clone())]),
        ),
        (
            "another algorithm",
            Metadata::from([
                ("signature".to_owned(), signed.signature.clone()),
                ("signature-algorithm".to_owned(), "SHA1withRSA".to_owned()),
            ]),
        ),
        ("a signature that is not hex", with_signature_metadata("zz")),
    ];
    for (case, metadata) in cases {
        // A body without the digest fields: step 2 still comes first.
        for body in [signed.gzip.clone(), gzip(b"{}", 1)] {
            let source = w
                .source
                .clone()
                .without(&w.second.key)
                .with(&w.second.key, body)
                .with_metadata(&w.second.key, metadata.clone());
            assert_eq!(
                findings(&source, &w.second.key).await,
                vec![found(IntegrityProblem::DigestSignature, &w.second.key)],
                "case {case}"
            );
        }
    }
}

#[tokio::test]
async fn step_3_a_backfill_digest_needs_its_generation_timestamp_and_starts_no_chain_alert() {
    let w = world();
    let key = w.first.key.replace(".json.gz", "_backfill.json.gz");
    let digest = DigestFile {
        key: key.clone(),
        ..w.first.clone()
    };
    let signed = digest.sign(signer());
    let mut metadata = signed.metadata.clone();
    let without = w
        .source
        .clone()
        .with(&key, signed.gzip.clone())
        .with_metadata(&key, metadata.clone());
    assert_eq!(
        findings(&without, &key).await,
        vec![found(IntegrityProblem::DigestUnreadable, &key)],
        "no backfill-generation-timestamp"
    );
    metadata.insert(
        "backfill-generation-timestamp".to_owned(),
        "2025-03-06T05:00:00Z".to_owned(),
    );
    let with = without.with_metadata(&key, metadata);
    assert_eq!(
        findings(&with, &key).await,
        vec![],
        "a backfill digest starts no chain alert"
    );
}

#[tokio::test]
async fn step_4_a_missing_or_mistyped_field_is_unreadable() {
    let w = world();
    let content: serde_json::Value =
        serde_json::from_slice(&w.second.content(signer().fingerprint())).unwrap();
    let cases: Vec<(&str, serde_json::Value)> = vec![
        (
            "no digestEndTime",
            without_member(&content, "digestEndTime"),
        ),
        (
            "numeric digestS3Bucket",
            with_member(&content, "digestS3Bucket", 7.into()),
        ),
        (
            "no fingerprint",
            without_member(&content, "digestPublicKeyFingerprint"),
        ),
        (
            "no previousDigestSignature",
            without_member(&content, "previousDigestSignature"),
        ),
        (
            "logFiles an object",
            with_member(&content, "logFiles", serde_json::json!({})),
        ),
        (
            "a log entry without hashValue",
            with_member(
                &content,
                "logFiles",
                serde_json::json!([{"s3Bucket": BUCKET, "s3Object": "k"}]),
            ),
        ),
        (
            "a log entry that is a string",
            with_member(&content, "logFiles", serde_json::json!(["k"])),
        ),
    ];
    for (case, value) in cases {
        let signed = sign_content(&w.second, signer(), value.to_string().into_bytes());
        let source = w
            .source
            .clone()
            .without(&w.second.key)
            .with(&w.second.key, signed.gzip)
            .with_metadata(&w.second.key, signed.metadata);
        assert_eq!(
            findings(&source, &w.second.key).await,
            vec![found(IntegrityProblem::DigestUnreadable, &w.second.key)],
            "case {case}"
        );
    }
}

fn without_member(value: &serde_json::Value, name: &str) -> serde_json::Value {
    let mut value = value.clone();
    value.as_object_mut().unwrap().remove(name);
    value
}

fn with_member(
    value: &serde_json::Value,
    name: &str,
    member: serde_json::Value,
) -> serde_json::Value {
    let mut value = value.clone();
    value
        .as_object_mut()
        .unwrap()
        .insert(name.to_owned(), member);
    value
}

#[tokio::test]
async fn step_5_a_digest_found_elsewhere_than_it_names_is_moved_and_nothing_more_is_checked() {
    let w = world();
    let signed = w.second.sign(signer());
    let elsewhere = digest_at(3);
    let source = w
        .source
        .clone()
        .without(&log_at(2, 5))
        .with(&elsewhere, signed.gzip)
        .with_metadata(&elsewhere, signed.metadata);
    assert_eq!(
        findings(&source, &elsewhere).await,
        vec![found(IntegrityProblem::DigestMoved, &elsewhere)]
    );
}

#[tokio::test]
async fn step_6_a_fingerprint_no_key_has_is_unknown() {
    let w = world();
    let stranger = SigningKey::generate("fp-nobody-knows");
    let signed = w.second.sign(&stranger);
    let source = w
        .source
        .clone()
        .without(&w.second.key)
        .with(&w.second.key, signed.gzip)
        .with_metadata(&w.second.key, signed.metadata);
    assert_eq!(
        findings(&source, &w.second.key).await,
        vec![found(IntegrityProblem::PublicKeyUnknown, &w.second.key)]
    );
}

#[tokio::test]
async fn step_7_a_forged_or_altered_digest_fails_its_signature() {
    let w = world();
    let forged = w.second.sign(forger());
    let genuine = w.second.sign(signer());
    let altered_content = String::from_utf8(genuine.content.clone())
        .unwrap()
        .replacen("SHA-256", "SHA-384", 1)
        .into_bytes();
    let cases = [
        (
            "signed by another key with the same fingerprint",
            forged.gzip,
            forged.metadata,
        ),
        (
            "content altered after signing",
            gzip(&altered_content, 1),
            genuine.metadata.clone(),
        ),
        (
            "signature of another digest",
            genuine.gzip.clone(),
            with_signature_metadata(&w.first.sign(signer()).signature),
        ),
    ];
    for (case, body, metadata) in cases {
        let source = w
            .source
            .clone()
            .without(&w.second.key)
            .with(&w.second.key, body)
            .with_metadata(&w.second.key, metadata);
        assert_eq!(
            findings(&source, &w.second.key).await,
            vec![found(IntegrityProblem::DigestSignature, &w.second.key)],
            "case {case}"
        );
    }
}

#[tokio::test]
async fn step_8_a_previous_digest_that_is_gone_or_differs_breaks_the_chain() {
    let w = world();
    let gone = w.source.clone().without(&w.first.key);
    assert_eq!(
        findings(&gone, &w.second.key).await,
        vec![found(IntegrityProblem::DigestChain, &w.second.key)],
        "previous digest deleted"
    );
    let replaced = w
        .source
        .clone()
        .with_metadata(&w.first.key, with_signature_metadata(&"ab".repeat(256)));
    assert_eq!(
        findings(&replaced, &w.second.key).await,
        vec![found(IntegrityProblem::DigestChain, &w.second.key)],
        "previous digest re-signed"
    );
    let upper = w.source.clone().with_metadata(
        &w.first.key,
        with_signature_metadata(&w.first.sign(signer()).signature.to_uppercase()),
    );
    assert_eq!(
        findings(&upper, &w.second.key).await,
        vec![],
        "hex compares without regard to case"
    );
}

#[tokio::test]
async fn step_8_a_digest_naming_itself_as_previous_is_a_broken_chain() {
    let w = world();
    let digest = DigestFile {
        previous: Some(Link {
            bucket: BUCKET.to_owned(),
            key: w.second.key.clone(),
            signature: "00".repeat(256),
        }),
        ..w.second.clone()
    };
    let signed = digest.sign(signer());
    let source = w
        .source
        .clone()
        .without(&w.second.key)
        .with(&w.second.key, signed.gzip)
        .with_metadata(&w.second.key, signed.metadata);
    assert_eq!(
        findings(&source, &w.second.key).await,
        vec![found(IntegrityProblem::DigestChain, &w.second.key)]
    );
}

#[tokio::test]
async fn step_9_every_tampering_of_a_listed_log_is_found() {
    let w = world();
    let target = log_at(2, 35);
    let (content, bytes) = log_content(2, 35);
    let mut appended = bytes.clone();
    appended.extend_from_slice(&gzip(b"", 1));
    let mut garbage = bytes.clone();
    garbage.push(0);
    let mut edited = content.clone();
    edited[10] ^= 1;
    let cases: [(&str, Option<Vec<u8>>, IntegrityProblem); 7] = [
        ("deleted", None, IntegrityProblem::LogMissing),
        (
            "content edited",
            Some(gzip(&edited, 1)),
            IntegrityProblem::LogModified,
        ),
        (
            "an empty member appended",
            Some(appended),
            IntegrityProblem::LogModified,
        ),
        (
            "a byte appended",
            Some(garbage),
            IntegrityProblem::LogModified,
        ),
        (
            "truncated",
            Some(bytes[..bytes.len() - 4].to_vec()),
            IntegrityProblem::LogModified,
        ),
        (
            "not gzip",
            Some(content.clone()),
            IntegrityProblem::LogModified,
        ),
        (
            "recompressed in two members",
            Some(gzip(&content, 2)),
            IntegrityProblem::LogModified,
        ),
    ];
    for (case, replacement, problem) in cases {
        let source = match replacement {
            None => w.source.clone().without(&target),
            Some(bytes) => w.source.clone().without(&target).with(&target, bytes),
        };
        assert_eq!(
            findings(&source, &w.second.key).await,
            vec![found(problem, &target)],
            "case {case}"
        );
    }
    let recompressed = w
        .source
        .clone()
        .without(&target)
        .with(&target, gzip(&content, 1));
    assert_eq!(
        findings(&recompressed, &w.second.key).await,
        vec![],
        "the same content compressed again is the same log"
    );
}

#[tokio::test]
async fn step_9_a_log_past_the_decompressed_limit_is_modified() {
    let w = world();
    let big_key = log_at(2, 50);
    let big = vec![b' '; 200 << 10];
    let mut digest = w.second.clone();
    digest.logs.push(Listed::of(BUCKET, &big_key, &big));
    let signed = digest.sign(signer());
    let source = w
        .source
        .clone()
        .without(&w.second.key)
        .with(&w.second.key, signed.gzip)
        .with_metadata(&w.second.key, signed.metadata)
        .with(&big_key, gzip(&big, 1));
    let tight = Settings {
        limits: crate::config::Limits {
            max_decompressed_bytes: 64 << 10,
            ..crate::config::Limits::default()
        },
        ..settings()
    };
    let parsed = LogKey::parse(&w.second.key, Date::new(2025, 3, 7).unwrap()).unwrap();
    let alerts = verify_digest(
        &tight,
        &source,
        &keys(),
        &object(&w.second.key),
        &parsed,
        Deadline::NONE,
    )
    .await
    .unwrap()
    .unwrap();
    let found: Vec<(&str, Option<&str>)> = alerts
        .iter()
        .map(|a| (a.rule_id.as_str(), a.key.as_deref()))
        .collect();
    assert_eq!(found, [("integrity.log-modified", Some(big_key.as_str()))]);
    assert!(
        alerts[0].reason.as_deref().unwrap().contains("65536"),
        "{:?}",
        alerts[0].reason
    );
}

#[tokio::test]
async fn what_only_a_retry_can_settle_fails_the_check_and_is_retryable() {
    let w = world();
    for kind in [
        SourceErrorKind::Transient,
        SourceErrorKind::AccessDenied,
        SourceErrorKind::KmsDenied,
    ] {
        let cases = [
            (
                "the digest",
                w.source
                    .clone()
                    .without(&w.second.key)
                    .failing(&w.second.key, kind),
            ),
            (
                "the previous digest",
                w.source
                    .clone()
                    .without(&w.first.key)
                    .failing(&w.first.key, kind),
            ),
            (
                "a listed log",
                w.source
                    .clone()
                    .without(&log_at(2, 5))
                    .failing(log_at(2, 5), kind),
            ),
        ];
        for (case, source) in cases {
            let err = check_with(&source, &keys(), &w.second.key, Deadline::NONE)
                .await
                .expect_err(case);
            assert!(err.is_retryable(), "{case} {kind:?}: {err}");
        }
    }
    let err = check_with(
        &w.source
            .clone()
            .without(&log_at(2, 5))
            .failing(log_at(2, 5), SourceErrorKind::Permanent),
        &keys(),
        &w.second.key,
        Deadline::NONE,
    )
    .await
    .expect_err("a permanent failure");
    assert!(!err.is_retryable(), "{err}");
}

#[tokio::test]
async fn with_ten_seconds_left_and_logs_unchecked_the_check_fails_for_a_retry() {
    let w = world();
    let deadline = Deadline::at(Instant::now() + StdDuration::from_secs(9));
    let err = check_with(&w.source, &keys(), &w.second.key, deadline)
        .await
        .expect_err("too little time");
    assert!(
        matches!(
            err,
            IntegrityError::Deadline {
                unchecked: 2,
                listed: 2,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.is_retryable());
    let plenty = Deadline::at(Instant::now() + StdDuration::from_secs(600));
    assert_eq!(
        check_with(&w.source, &keys(), &w.second.key, plenty)
            .await
            .unwrap(),
        Some(vec![])
    );
}

#[tokio::test]
async fn a_source_without_metadata_checks_nothing() {
    let w = world();
    let signed = w.second.sign(signer());
    let folder_like = w
        .source
        .clone()
        .without(&w.second.key)
        .with(&w.second.key, signed.gzip);
    assert_eq!(
        check_with(&folder_like, &keys(), &w.second.key, Deadline::NONE)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn logs_outside_the_watched_buckets_are_not_read_but_reported() {
    let w = world();
    let mut digest = w.second.clone();
    digest.logs[0].bucket = "someone-elses-bucket".to_owned();
    let signed = digest.sign(signer());
    let source = w
        .source
        .clone()
        .without(&w.second.key)
        .with(&w.second.key, signed.gzip)
        .with_metadata(&w.second.key, signed.metadata);
    assert_eq!(
        findings(&source, &w.second.key).await,
        vec![found(IntegrityProblem::LogMissing, &digest.logs[0].key)]
    );
}

// ---------------------------------------------------------------- heartbeat

fn beat(now: OffsetDateTime) -> HeartbeatRequest {
    HeartbeatRequest::from_value(&serde_json::json!({
        "trailwatch": "heartbeat", "bucket": BUCKET, "accounts": [ACCOUNT, "444455556666"],
        "now": now.format(&time::format_description::well_known::Rfc3339).unwrap(),
    }))
    .unwrap()
}

async fn late(
    source: &MemorySource,
    request: &HeartbeatRequest,
) -> Vec<(Option<String>, Option<String>, Option<String>)> {
    let plan = heartbeat::plan(request, &Settings::default(), OffsetDateTime::now_utc()).unwrap();
    heartbeat::run(&plan, source)
        .await
        .unwrap()
        .into_iter()
        .map(|a| {
            assert_eq!(a.rule_id, "integrity.digest-late");
            (a.account_id, a.region, a.key)
        })
        .collect()
}

#[tokio::test]
async fn the_heartbeat_names_accounts_and_regions_whose_digests_stopped_or_never_came() {
    let w = world();
    let other_region = digest_key(
        None,
        None,
        ACCOUNT,
        "us-east-1",
        DAY,
        (1, 0, 0),
        "org-trail",
    );
    let backfill = digest_key(
        None,
        None,
        ACCOUNT,
        "us-east-1",
        DAY,
        (3, 0, 0),
        "org-trail",
    )
    .replace(".json.gz", "_backfill.json.gz");
    let source = w
        .source
        .clone()
        .with(&other_region, vec![1])
        .with(&backfill, vec![1]);
    // 03:00: eu-west-1's newest digest (02:10) is fresh, us-east-1's (01:00) is 2h old (the
    // backfill digest at 03:00 does not count), and the second account never delivered.
    let request = beat(datetime!(2025-03-06 03:00:01 UTC));
    assert_eq!(
        late(&source, &request).await,
        vec![
            (
                Some(ACCOUNT.into()),
                Some("us-east-1".into()),
                Some(other_region.clone())
            ),
            (Some("444455556666".into()), None, None),
        ]
    );
    // A day later nothing is fresh; eu-west-1's 02:10 digest is still in the window (26 h),
    // us-east-1's 01:00 is not, so that region names none.
    let later = beat(datetime!(2025-03-07 04:00:00 UTC));
    assert_eq!(
        late(&source, &later).await,
        vec![
            (
                Some(ACCOUNT.into()),
                Some(REGION.into()),
                Some(w.second.key.clone())
            ),
            (Some(ACCOUNT.into()), Some("us-east-1".into()), None),
            (Some("444455556666".into()), None, None),
        ]
    );
    let much_later = beat(datetime!(2025-03-09 00:00:00 UTC));
    assert_eq!(
        late(&source, &much_later).await,
        vec![
            (Some(ACCOUNT.into()), Some(REGION.into()), None),
            (Some(ACCOUNT.into()), Some("us-east-1".into()), None),
            (Some("444455556666".into()), None, None),
        ]
    );
}

#[tokio::test]
async fn the_heartbeat_checks_the_regions_it_is_given_even_without_folders() {
    let w = world();
    let request = HeartbeatRequest {
        regions: Some(["eu-west-1".to_owned(), "ap-south-1".to_owned()].into()),
        accounts: Some([ACCOUNT.to_owned()].into()),
        ..beat(datetime!(2025-03-06 03:00:00 UTC))
    };
    assert_eq!(
        late(&w.source, &request).await,
        vec![(Some(ACCOUNT.into()), Some("ap-south-1".into()), None)]
    );
}

#[test]
fn a_heartbeat_payload_is_checked_like_configuration() {
    let ok = HeartbeatRequest::from_value(&serde_json::json!({
        "trailwatch": "heartbeat", "bucket": BUCKET, "prefix": "logs/", "org_id": null,
        "accounts": [ACCOUNT], "regions": null, "max_age_s": 7200, "now": null,
    }))
    .unwrap();
    assert_eq!(ok.prefix, "logs");
    assert_eq!(ok.max_age_s, Some(7200));
    for (case, payload) in [
        ("no bucket", serde_json::json!({"trailwatch": "heartbeat"})),
        (
            "a bad bucket",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": "B"}),
        ),
        (
            "an unknown member",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET, "acounts": []}),
        ),
        (
            "a bad account",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET, "accounts": ["1234"]}),
        ),
        (
            "no accounts",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET, "accounts": []}),
        ),
        (
            "a bad region",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET, "regions": ["Mars"]}),
        ),
        (
            "a zero age",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET, "max_age_s": 0}),
        ),
        (
            "a bad time",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET, "now": "today"}),
        ),
        (
            "a bad org",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET, "org_id": "o-x"}),
        ),
    ] {
        assert!(
            HeartbeatRequest::from_value(&payload).is_err(),
            "case {case}"
        );
    }
    let no_accounts = HeartbeatRequest::from_value(
        &serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET}),
    )
    .unwrap();
    assert!(
        heartbeat::plan(
            &no_accounts,
            &Settings::default(),
            OffsetDateTime::now_utc()
        )
        .is_err(),
        "no accounts anywhere is a configuration error"
    );
}

// ---------------------------------------------------------------- hostile digests

#[tokio::test]
async fn a_digest_that_decompresses_past_its_bound_is_unreadable_and_read_no_further() {
    let w = world();
    let bomb = gzip(
        &vec![b' '; (crate::digest::MAX_DIGEST_BYTES + 1) as usize],
        1,
    );
    assert!(bomb.len() < 1 << 20, "the bomb is small: {}", bomb.len());
    let source = w
        .source
        .clone()
        .without(&w.second.key)
        .with(&w.second.key, bomb)
        .with_metadata(&w.second.key, with_signature_metadata(&w.second_signature));
    let started = Instant::now();
    assert_eq!(
        findings(&source, &w.second.key).await,
        vec![found(IntegrityProblem::DigestUnreadable, &w.second.key)]
    );
    assert!(
        started.elapsed() < StdDuration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_digest_listing_twenty_thousand_missing_logs_gives_one_alert_each_in_bounded_time() {
    let w = world();
    let mut digest = w.second.clone();
    digest.logs = (0..20_000)
        .map(|i| {
            Listed::of(
                BUCKET,
                &format!("AWSLogs/{ACCOUNT}/CloudTrail/gone-{i}.json.gz"),
                b"",
            )
        })
        .collect();
    let signed = digest.sign(signer());
    let source = w
        .source
        .clone()
        .without(&w.second.key)
        .with(&w.second.key, signed.gzip)
        .with_metadata(&w.second.key, signed.metadata);
    let started = Instant::now();
    let found = findings(&source, &w.second.key).await;
    assert_eq!(found.len(), 20_000);
    assert!(found
        .iter()
        .all(|(rule, _)| rule == "integrity.log-missing"));
    assert!(
        started.elapsed() < StdDuration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}
