//! INTEGRITY §2 step by step, the alert shape of §4 and the failure semantics of §6 and §8.

use super::*;

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
            Some(bytes) => w.with_second(bytes, metadata.clone()),
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
    let source = w.with_second(bytes, signed.metadata);
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
            let source = w.with_second(body, metadata.clone());
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
        let source = w.with_second(signed.gzip, signed.metadata);
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
    let source = w.with_second(signed.gzip, signed.metadata);
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
        let source = w.with_second(body, metadata);
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
    let source = w.with_second(signed.gzip, signed.metadata);
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
        .with_second(signed.gzip, signed.metadata)
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
    let source = w.with_second(signed.gzip, signed.metadata);
    assert_eq!(
        findings(&source, &w.second.key).await,
        vec![found(IntegrityProblem::LogMissing, &digest.logs[0].key)]
    );
}
