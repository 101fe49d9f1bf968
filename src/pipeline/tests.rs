//! The pipeline on in-memory ports: given a delivery (its key, bytes and ACL, or how reading
//! them fails), what is published and what the caller is told.

use serde_json::{json, Value};

use super::*;
use crate::acl::{Grant, Grantee, ObjectAcl};
use crate::config::Limits;
use crate::integrity::Deadline;
use crate::rules::effective_rules;
use crate::testing::{MemorySource, Recorder, NO_KEYS};
use trailwatch_synth::{
    cis_hit, delivery_of, digest_key, gzip, insight_event, insight_key, log_key,
};

const BUCKET: &str = "example-ct-logs";
const PROD: &str = "123456789012";
const OWNER: &str = "bucket-owner-canonical-id";
const WRITER: &str = "member-account-canonical-id";

fn key(suffix: &str) -> String {
    log_key(None, None, PROD, "us-east-1", (2025, 3, 14), (9, 5), suffix)
}

fn object(key: &str) -> ObjectRef {
    ObjectRef {
        bucket: BUCKET.into(),
        key: key.into(),
        ..ObjectRef::default()
    }
}

fn hit_record(control: &str) -> Value {
    cis_hit(control, PROD, "us-east-1", "2025-03-14T09:01:02Z").unwrap()
}

/// A delivery whose records fire `controls`, one each.
fn hits(controls: &[&str]) -> Vec<u8> {
    let records: Vec<Value> = controls.iter().map(|c| hit_record(c)).collect();
    file_of(&records)
}

/// A gzip'd delivery of `records`.
fn file_of(records: &[Value]) -> Vec<u8> {
    gzip(delivery_of(records).as_bytes(), 1)
}

fn pipeline(settings: Settings) -> Pipeline {
    Pipeline::new(settings, &effective_rules(None).unwrap()).unwrap()
}

/// The ACL a member account's delivery has when written with `bucket-owner-full-control`.
fn full_control() -> (ObjectAcl, String) {
    let acl = ObjectAcl {
        owner_id: Some(WRITER.into()),
        grants: vec![
            Grant {
                grantee: Grantee::CanonicalUser(WRITER.into()),
                permission: "FULL_CONTROL".into(),
            },
            Grant {
                grantee: Grantee::CanonicalUser(OWNER.into()),
                permission: "FULL_CONTROL".into(),
            },
        ],
    };
    (acl, OWNER.into())
}

/// The ACL of a delivery written without `bucket-owner-full-control`.
fn writer_only() -> (ObjectAcl, String) {
    let (mut acl, owner) = full_control();
    acl.grants.truncate(1);
    (acl, owner)
}

/// Processes `key` from `source` and returns the result with the rule ids published.
async fn run(
    settings: Settings,
    source: &MemorySource,
    key: &str,
) -> (Result<ObjectReport, ProcessError>, Vec<String>) {
    let (result, sink) = process(settings, source, key).await;
    (result, sink.rule_ids())
}

/// Processes `key` from `source` and returns the result with the sink it published to.
async fn process(
    settings: Settings,
    source: &MemorySource,
    key: &str,
) -> (Result<ObjectReport, ProcessError>, Recorder) {
    let sink = Recorder::default();
    let result = pipeline(settings)
        .process_object(source, &NO_KEYS, &sink, &object(key), Deadline::NONE)
        .await;
    (result, sink)
}

#[tokio::test]
async fn a_sound_delivery_publishes_its_detections_and_reports_its_counts() {
    let key = key("sound0sound0soun");
    let records: Vec<Value> = ["CloudWatch.5", "CloudWatch.1"]
        .iter()
        .map(|c| hit_record(c))
        .collect();
    let text = delivery_of(&records);
    let stored = gzip(text.as_bytes(), 1);
    let source = MemorySource::default()
        .with(&key, stored.clone())
        .with_acl(&key, Ok(full_control()));
    let (result, published) = run(Settings::default(), &source, &key).await;
    assert_eq!(
        result.unwrap(),
        ObjectReport {
            kind: Some(Kind::Log),
            account_id: Some(PROD.into()),
            records: 2,
            detections: 2,
            suppressed: 0,
            delivery_alerts: 0,
            integrity_alerts: 0,
            compressed_bytes: stored.len() as u64,
            decompressed_bytes: text.len() as u64,
        }
    );
    assert_eq!(published, ["CloudWatch.5", "CloudWatch.1"]);
}

#[tokio::test]
async fn what_the_key_says_decides_whether_the_object_is_read() {
    let unexpected = Settings {
        expected_accounts: Some(["999999999999".to_string()].into()),
        ..Settings::default()
    };
    let digest = digest_key(
        None,
        None,
        PROD,
        "us-east-1",
        (2025, 3, 14),
        (9, 5, 0),
        "org-trail",
    );
    // Every key below holds a CIS hit: detections show the content was read.
    // (case, settings, key, the kind reported, what is published)
    type Case = (
        &'static str,
        Settings,
        String,
        Option<Kind>,
        &'static [&'static str],
    );
    let cases: [Case; 6] = [
        (
            "a key outside the layout",
            Settings::default(),
            "AWSLogs/123456789012/CloudTrail/us-east-1/2025/03/14/x.json.gz".into(),
            None,
            &["delivery.invalid-key"],
        ),
        (
            "another service's file",
            Settings::default(),
            "AWSLogs/123456789012/Config/us-east-1/2025/3/14/config.json.gz".into(),
            Some(Kind::Other),
            &[],
        ),
        (
            "an account nobody expects: its content is the attacker's",
            unexpected,
            key("strangerstranger"),
            Some(Kind::Log),
            &["delivery.unexpected-account"],
        ),
        (
            "a digest is not evaluated (and a source without metadata verifies nothing)",
            Settings::default(),
            digest,
            Some(Kind::Digest),
            &[],
        ),
        (
            "a log is",
            Settings::default(),
            key("logloglogloglogl"),
            Some(Kind::Log),
            &["CloudWatch.5"],
        ),
        (
            "an Insights file is read as insights, not by the rules",
            Settings::default(),
            insights_key("rulesrulesrulesr"),
            Some(Kind::Insight),
            &["delivery.corrupt"],
        ),
    ];
    for (name, settings, key, kind, want) in cases {
        let source = MemorySource::default().with(&key, hits(&["CloudWatch.5"]));
        let (result, published) = run(settings, &source, &key).await;
        assert_eq!(result.unwrap().kind, kind, "case {name}");
        assert_eq!(published, want, "case {name}");
    }
}

#[tokio::test]
async fn the_acl_is_judged_and_a_locked_out_owner_is_reported_once() {
    // (case, the ACL or how reading it fails, whether the object itself is denied, published)
    type Acl = Option<Result<(ObjectAcl, String), SourceErrorKind>>;
    type Case = (&'static str, Acl, bool, &'static [&'static str]);
    let cases: [Case; 5] = [
        (
            "bucket owner in control",
            Some(Ok(full_control())),
            false,
            &["CloudWatch.5"],
        ),
        (
            "written without bucket-owner-full-control, still readable",
            Some(Ok(writer_only())),
            false,
            &["delivery.acl", "CloudWatch.5"],
        ),
        (
            "ACL unreadable, object readable",
            Some(Err(SourceErrorKind::AccessDenied)),
            false,
            &["delivery.acl", "CloudWatch.5"],
        ),
        (
            "ACL and object unreadable: one alert, not two",
            Some(Err(SourceErrorKind::AccessDenied)),
            true,
            &["delivery.acl"],
        ),
        (
            "no ACL to judge, object unreadable",
            None,
            true,
            &["delivery.acl"],
        ),
    ];
    for (name, acl, body_denied, want) in cases {
        let key = key("aclaclaclaclacla");
        let source = if body_denied {
            MemorySource::default().failing(&key, SourceErrorKind::AccessDenied)
        } else {
            MemorySource::default().with(&key, hits(&["CloudWatch.5"]))
        };
        let source = match acl {
            Some(acl) => source.with_acl(&key, acl),
            None => source,
        };
        let (result, published) = run(Settings::default(), &source, &key).await;
        let report = result.unwrap_or_else(|e| panic!("case {name}: {e}"));
        assert_eq!(published, want, "case {name}");
        assert_eq!(
            report.delivery_alerts,
            u64::from(want.contains(&"delivery.acl")),
            "case {name}"
        );
    }
}

#[tokio::test]
async fn a_kms_key_that_refuses_is_reported_as_delivery_kms_not_acl() {
    // (case, how reading the ACL ends, published)
    type Case = (
        &'static str,
        Result<(ObjectAcl, String), SourceErrorKind>,
        &'static [&'static str],
    );
    let cases: [Case; 3] = [
        (
            "bucket owner in control, key refuses",
            Ok(full_control()),
            &["delivery.kms"],
        ),
        (
            "ACL unreadable as well: both problems, each once",
            Err(SourceErrorKind::AccessDenied),
            &["delivery.acl", "delivery.kms"],
        ),
        (
            "the ACL read already met the key: one alert",
            Err(SourceErrorKind::KmsDenied),
            &["delivery.kms"],
        ),
    ];
    for (name, acl, want) in cases {
        let key = key("kmskmskmskmskmsk");
        let source = MemorySource::default()
            .failing(&key, SourceErrorKind::KmsDenied)
            .with_acl(&key, acl);
        let (result, published) = run(Settings::default(), &source, &key).await;
        let report = result.unwrap_or_else(|e| panic!("case {name}: {e}"));
        assert_eq!(published, want, "case {name}");
        assert_eq!(report.delivery_alerts, want.len() as u64, "case {name}");
    }
}

#[tokio::test]
async fn source_failures_become_alerts_or_retryable_errors_by_their_kind() {
    // (case, where it fails, kind, published, Ok or whether the error is retryable)
    type Case = (
        &'static str,
        bool,
        SourceErrorKind,
        &'static [&'static str],
        Result<(), bool>,
    );
    let cases: [Case; 6] = [
        (
            "object gone before its ACL was read",
            true,
            SourceErrorKind::NotFound,
            &["delivery.missing"],
            Ok(()),
        ),
        (
            "object gone before it was read",
            false,
            SourceErrorKind::NotFound,
            &["delivery.missing"],
            Ok(()),
        ),
        (
            "S3 throttling on the ACL",
            true,
            SourceErrorKind::Transient,
            &[],
            Err(true),
        ),
        (
            "S3 throttling on the object",
            false,
            SourceErrorKind::Transient,
            &[],
            Err(true),
        ),
        (
            "a bucket that does not exist, on the ACL",
            true,
            SourceErrorKind::Permanent,
            &[],
            Err(false),
        ),
        (
            "a bucket that does not exist, on the object",
            false,
            SourceErrorKind::Permanent,
            &[],
            Err(false),
        ),
    ];
    for (name, on_acl, kind, want, outcome) in cases {
        let key = key("failfailfailfail");
        let source = if on_acl {
            MemorySource::default()
                .with(&key, hits(&["CloudWatch.5"]))
                .with_acl(&key, Err(kind))
        } else {
            MemorySource::default()
                .failing(&key, kind)
                .with_acl(&key, Ok(full_control()))
        };
        let (result, published) = run(Settings::default(), &source, &key).await;
        assert_eq!(published, want, "case {name}");
        match (result, outcome) {
            (Ok(_), Ok(())) => {}
            (Err(e), Err(retryable)) => {
                assert!(
                    matches!(e, ProcessError::Source { .. }),
                    "case {name}: {e:?}"
                );
                assert_eq!(e.is_retryable(), retryable, "case {name}");
            }
            (got, want) => panic!("case {name}: got {got:?}, want {want:?}"),
        }
    }
}

#[tokio::test]
async fn content_problems_are_alerts_and_the_good_records_before_them_count() {
    let mismatched = {
        let mut foreign = hit_record("CloudWatch.1");
        foreign["recipientAccountId"] = json!("999988887777");
        gzip(
            delivery_of(&[hit_record("CloudWatch.5"), foreign]).as_bytes(),
            1,
        )
    };
    let cut = {
        let whole = hits(&["CloudWatch.5", "CloudWatch.1"]);
        whole[..whole.len() - 8].to_vec()
    };
    let tight = Settings {
        limits: Limits {
            max_decompressed_bytes: 64,
            ..Limits::default()
        },
        ..Settings::default()
    };
    let cases: [(&str, Settings, Vec<u8>, &[&str]); 4] = [
        (
            "a record written for another account",
            Settings::default(),
            mismatched,
            &["CloudWatch.5", "CloudWatch.1", "delivery.account-mismatch"],
        ),
        (
            "not gzip",
            Settings::default(),
            b"{\"Records\": []}".to_vec(),
            &["delivery.corrupt"],
        ),
        (
            "gzip cut short after its records",
            Settings::default(),
            cut,
            &["CloudWatch.5", "CloudWatch.1", "delivery.corrupt"],
        ),
        (
            "larger than the limit",
            tight,
            hits(&["CloudWatch.5"]),
            &["delivery.too-large"],
        ),
    ];
    for (name, settings, bytes, want) in cases {
        let key = key("contentcontentco");
        let source = MemorySource::default().with(&key, bytes);
        let (result, published) = run(settings, &source, &key).await;
        let report = result.unwrap_or_else(|e| panic!("case {name}: {e}"));
        assert_eq!(published, want, "case {name}");
        assert_eq!(report.delivery_alerts, 1, "case {name}");
    }
}

#[tokio::test]
async fn a_sink_that_fails_fails_the_object_so_it_is_retried() {
    let key = key("sinksinksinksink");
    let source = MemorySource::default().with(&key, hits(&["CloudWatch.5"]));
    let sink = Recorder {
        down: true,
        ..Recorder::default()
    };
    let err = pipeline(Settings::default())
        .process_object(&source, &NO_KEYS, &sink, &object(&key), Deadline::NONE)
        .await
        .unwrap_err();
    assert!(matches!(err, ProcessError::Sink(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn an_unwatched_bucket_is_never_read() {
    let key = key("elsewhereelsewhe");
    let source = MemorySource::default().with(&key, hits(&["CloudWatch.5"]));
    let settings = Settings {
        buckets: Some(["another-bucket".to_string()].into()),
        ..Settings::default()
    };
    let (result, published) = run(settings, &source, &key).await;
    let err = result.unwrap_err();
    assert!(
        matches!(err, ProcessError::UnwatchedBucket { .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert!(published.is_empty());
}

#[tokio::test]
async fn many_detections_reach_the_sink_in_order_in_bounded_batches() {
    let controls: Vec<&str> = ["CloudWatch.5", "CloudWatch.1"]
        .into_iter()
        .cycle()
        .take(FLUSH_EVERY * 2 + 7)
        .collect();
    let key = key("manymanymanymany");
    let source = MemorySource::default().with(&key, hits(&controls));
    let (result, published) = run(Settings::default(), &source, &key).await;
    assert_eq!(result.unwrap().detections, controls.len() as u64);
    assert_eq!(published, controls);
}

#[tokio::test]
async fn scan_evaluates_any_file_without_key_or_acl_checks() {
    let plain = delivery_of(&[hit_record("CloudWatch.5")]).into_bytes();
    let cases: [(&str, Vec<u8>); 2] = [("gzip", hits(&["CloudWatch.5"])), ("plain JSON", plain)];
    for (name, bytes) in cases {
        let source = MemorySource::default().with("some/file.json", bytes);
        let sink = Recorder::default();
        let report = pipeline(Settings::default())
            .scan_object(&source, &sink, &object("some/file.json"))
            .await
            .unwrap();
        assert_eq!(report.detections, 1, "case {name}");
        assert_eq!(sink.rule_ids(), ["CloudWatch.5"], "case {name}");
        assert_eq!(
            sink.alerts()[0].bucket,
            None,
            "case {name}: a scan names no bucket"
        );
    }
}

#[tokio::test]
async fn a_digest_gets_the_integrity_checks_and_its_alerts_are_counted() {
    let digest = digest_key(None, None, PROD, "us-east-1", (2025, 3, 14), (9, 5, 0), "t");
    let metadata = crate::ports::Metadata::from([
        ("signature".to_owned(), "00".to_owned()),
        ("signature-algorithm".to_owned(), "SHA256withRSA".to_owned()),
    ]);
    let source = MemorySource::default()
        .with(&digest, b"not gzip".to_vec())
        .with_metadata(&digest, metadata);
    let (result, published) = run(Settings::default(), &source, &digest).await;
    let report = result.unwrap();
    assert_eq!(
        (report.kind, report.integrity_alerts, report.delivery_alerts),
        (Some(Kind::Digest), 1, 0)
    );
    assert_eq!(published, ["integrity.digest-unreadable"]);

    // The layout comes first: a digest from where nobody may write is not verified.
    let unexpected = Settings {
        expected_accounts: Some(["999999999999".to_string()].into()),
        ..Settings::default()
    };
    let (_, published) = run(unexpected, &source, &digest).await;
    assert_eq!(published, ["delivery.unexpected-account"]);
}

fn insights_key(suffix: &str) -> String {
    insight_key(
        None,
        None,
        PROD,
        "us-east-1",
        (2025, 3, 14),
        (12, 15),
        suffix,
    )
}

mod insights;
mod sigma;
mod suppressions;
