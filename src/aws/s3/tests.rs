//! The S3 source on the real S3 client with canned answers: modeled and raw errors, retries,
//! the size bound, ACL parsing, the bucket owner cache, and the cross-account ACL cases the
//! emulator cannot model (it reports every writer as the bucket owner).

use std::io::Read;
use std::time::Duration;

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::operation::get_bucket_acl::GetBucketAclOutput;
use aws_sdk_s3::operation::get_object::{GetObjectError, GetObjectOutput};
use aws_sdk_s3::operation::get_object_acl::GetObjectAclOutput;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::error::NoSuchKey;
use aws_sdk_s3::types::{Grant as S3Grant, Grantee as S3Grantee, Owner, Permission, Type};
use aws_sdk_s3::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use trailwatch_synth::{cis_hit, delivery_of, gzip, log_key};

use super::*;
use crate::config::Settings;
use crate::integrity::Deadline;
use crate::pipeline::Pipeline;
use crate::rules::effective_rules;
use crate::testing::{Recorder, NO_KEYS};

const BUCKET: &str = "example-ct-logs";
const BUCKET_OWNER: &str = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
const WRITER: &str = "d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3";
const LOG_ARCHIVE: &str = "111122223333";

fn object() -> ObjectRef {
    ObjectRef {
        bucket: BUCKET.into(),
        key: log_key(
            None,
            None,
            "999988887777",
            "eu-west-1",
            (2025, 3, 14),
            (9, 10),
            "DevXyZ0987654321",
        ),
        ..ObjectRef::default()
    }
}

fn s3(rules: &[&Rule]) -> Client {
    mock_client!(aws_sdk_s3, RuleMode::MatchAny, rules.iter().copied(), |c| {
        c.retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1)),
        )
    })
}

/// ListObjectsV2 of `object()`'s key showing `keys`: what settles a 403 (see `s3.rs`).
fn listing(keys: &[String]) -> Rule {
    use aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output;
    use aws_sdk_s3::types::Object;
    let keys = keys.to_vec();
    mock!(aws_sdk_s3::Client::list_objects_v2)
        .match_requests(|r| r.prefix() == Some(object().key.as_str()) && r.max_keys() == Some(1))
        .then_output(move || {
            keys.iter()
                .fold(ListObjectsV2Output::builder(), |out, key| {
                    out.contents(Object::builder().key(key).build())
                })
                .build()
        })
}

fn read_all(mut body: Cursor<Vec<u8>>) -> Vec<u8> {
    let mut bytes = Vec::new();
    body.read_to_end(&mut bytes).unwrap();
    bytes
}

fn error_body(code: &str) -> Option<String> {
    Some(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{code}</Message><RequestId>R</RequestId></Error>"
    ))
}

#[tokio::test]
async fn reads_the_object_with_the_expected_bucket_owner() {
    let get = mock!(aws_sdk_s3::Client::get_object)
        .match_requests(|r| {
            r.expected_bucket_owner() == Some(LOG_ARCHIVE) && r.bucket() == Some(BUCKET)
        })
        .then_output(|| {
            GetObjectOutput::builder()
                .body(ByteStream::from_static(b"gzip bytes"))
                .build()
        });
    let source =
        S3Source::new(s3(&[&get]), 1000).with_expected_bucket_owner(Some(LOG_ARCHIVE.into()));
    let body = source.open(&object()).await.unwrap().body;
    assert_eq!(read_all(body), b"gzip bytes");
    assert_eq!(
        get.num_calls(),
        1,
        "the request carried ExpectedBucketOwner"
    );
}

#[tokio::test]
async fn reads_one_byte_past_the_limit_so_the_decoder_sees_the_excess() {
    let get = mock!(aws_sdk_s3::Client::get_object).then_output(|| {
        GetObjectOutput::builder()
            .body(ByteStream::from(vec![7u8; 5000]))
            .build()
    });
    let body = S3Source::new(s3(&[&get]), 100)
        .open(&object())
        .await
        .unwrap()
        .body;
    assert_eq!(read_all(body).len(), 101);
}

/// The grants a GetObjectAcl answer lists.
type Grants = fn() -> Vec<S3Grant>;

#[tokio::test]
async fn get_object_failures_are_typed() {
    let cases: Vec<(&str, Rule, SourceErrorKind, usize)> = vec![
        (
            "modeled NoSuchKey",
            mock!(aws_sdk_s3::Client::get_object)
                .then_error(|| GetObjectError::NoSuchKey(NoSuchKey::builder().build())),
            SourceErrorKind::NotFound,
            1,
        ),
        (
            "403 AccessDenied",
            mock!(aws_sdk_s3::Client::get_object)
                .sequence()
                .http_status(403, error_body("AccessDenied"))
                .build(),
            SourceErrorKind::AccessDenied,
            1,
        ),
        (
            "bucket gone",
            mock!(aws_sdk_s3::Client::get_object)
                .sequence()
                .http_status(404, error_body("NoSuchBucket"))
                .build(),
            SourceErrorKind::Permanent,
            1,
        ),
        (
            "500 on every attempt",
            mock!(aws_sdk_s3::Client::get_object)
                .sequence()
                .http_status(500, error_body("InternalError"))
                .repeatedly()
                .build(),
            SourceErrorKind::Transient,
            3,
        ),
        (
            "SlowDown on every attempt",
            mock!(aws_sdk_s3::Client::get_object)
                .sequence()
                .http_status(503, error_body("SlowDown"))
                .repeatedly()
                .build(),
            SourceErrorKind::Transient,
            3,
        ),
    ];
    // A 403 with the key still listed is a refusal.
    let still_there = listing(&[object().key]);
    for (name, rule, expected, calls) in cases {
        let source = S3Source::new(s3(&[&rule, &still_there]), 1000);
        let err = source.open(&object()).await.expect_err(name);
        assert_eq!(err.kind(), expected, "case {name}: {err:?}");
        assert!(
            err.to_string()
                .contains("GetObject s3://example-ct-logs/AWSLogs/"),
            "case {name}: {err}"
        );
        assert_eq!(rule.num_calls(), calls, "case {name}: attempts");
    }
}

#[tokio::test]
async fn a_passing_5xx_is_retried_by_the_sdk() {
    let get = mock!(aws_sdk_s3::Client::get_object)
        .sequence()
        .http_status(503, error_body("ServiceUnavailable"))
        .output(|| {
            GetObjectOutput::builder()
                .body(ByteStream::from_static(b"ok"))
                .build()
        })
        .build();
    let body = S3Source::new(s3(&[&get]), 1000)
        .open(&object())
        .await
        .unwrap()
        .body;
    assert_eq!(read_all(body), b"ok");
    assert_eq!(get.num_calls(), 2);
}

fn user(id: &str, permission: Permission) -> S3Grant {
    S3Grant::builder()
        .grantee(
            S3Grantee::builder()
                .r#type(Type::CanonicalUser)
                .id(id)
                .build()
                .unwrap(),
        )
        .permission(permission)
        .build()
}

fn owner(id: &str) -> Owner {
    Owner::builder().id(id).build()
}

/// GetObjectAcl answering with `owner` and `grants`.
fn object_acl(object_owner: &'static str, grants: Grants) -> Rule {
    mock!(aws_sdk_s3::Client::get_object_acl).then_output(move || {
        GetObjectAclOutput::builder()
            .owner(owner(object_owner))
            .set_grants(Some(grants()))
            .build()
    })
}

fn bucket_acl() -> Rule {
    mock!(aws_sdk_s3::Client::get_bucket_acl).then_output(|| {
        GetBucketAclOutput::builder()
            .owner(owner(BUCKET_OWNER))
            .build()
    })
}

#[tokio::test]
async fn acl_grants_are_read_and_the_bucket_owner_asked_once() {
    let acl = object_acl(WRITER, || {
        vec![
            user(WRITER, Permission::FullControl),
            user(BUCKET_OWNER, Permission::FullControl),
            S3Grant::builder()
                .grantee(
                    S3Grantee::builder()
                        .r#type(Type::Group)
                        .uri("http://acs.amazonaws.com/groups/s3/LogDelivery")
                        .build()
                        .unwrap(),
                )
                .permission(Permission::Write)
                .build(),
        ]
    });
    let owner_rule = bucket_acl();
    let source = S3Source::new(s3(&[&acl, &owner_rule]), 1000);
    for _ in 0..2 {
        let (got, bucket_owner) = source.acl(&object()).await.unwrap().unwrap();
        assert_eq!(bucket_owner, BUCKET_OWNER);
        assert_eq!(got.owner_id.as_deref(), Some(WRITER));
        assert_eq!(
            got.grants,
            vec![
                Grant {
                    grantee: Grantee::CanonicalUser(WRITER.into()),
                    permission: "FULL_CONTROL".into()
                },
                Grant {
                    grantee: Grantee::CanonicalUser(BUCKET_OWNER.into()),
                    permission: "FULL_CONTROL".into()
                },
                Grant {
                    grantee: Grantee::Group(
                        "http://acs.amazonaws.com/groups/s3/LogDelivery".into()
                    ),
                    permission: "WRITE".into()
                },
            ]
        );
    }
    assert_eq!(acl.num_calls(), 2);
    assert_eq!(owner_rule.num_calls(), 1, "the bucket owner is cached");
}

#[tokio::test]
async fn a_configured_bucket_owner_needs_no_lookup() {
    let acl = object_acl(WRITER, || vec![user(WRITER, Permission::FullControl)]);
    let owner_rule = bucket_acl();
    let source = S3Source::new(s3(&[&acl, &owner_rule]), 1000)
        .with_bucket_owner_id(Some(BUCKET_OWNER.into()));
    let (_, bucket_owner) = source.acl(&object()).await.unwrap().unwrap();
    assert_eq!(bucket_owner, BUCKET_OWNER);
    assert_eq!(owner_rule.num_calls(), 0);
}

#[tokio::test]
async fn a_role_that_cannot_read_the_bucket_acl_fails_the_invocation() {
    let acl = object_acl(WRITER, || vec![user(WRITER, Permission::FullControl)]);
    let owner_rule = mock!(aws_sdk_s3::Client::get_bucket_acl)
        .sequence()
        .http_status(403, error_body("AccessDenied"))
        .build();
    let err = S3Source::new(s3(&[&acl, &owner_rule]), 1000)
        .acl(&object())
        .await
        .unwrap_err();
    assert!(
        err.kind() == SourceErrorKind::Permanent && err.to_string().contains("GetBucketAcl"),
        "not a delivery problem but the function's: {err:?}"
    );
}

/// The cross-account cases through the whole pipeline. In the emulator every writer is the
/// bucket owner, so these are played here: Dev's account writes into the log archive's bucket.
#[tokio::test]
async fn cross_account_writes_are_judged_by_their_grants() {
    let record = cis_hit(
        "CloudWatch.4",
        "999988887777",
        "eu-west-1",
        "2025-03-14T09:05:00Z",
    )
    .unwrap();
    let cases: [(&str, Grants, Vec<&str>); 3] = [
        (
            "bucket-owner-full-control",
            || {
                vec![
                    user(WRITER, Permission::FullControl),
                    user(BUCKET_OWNER, Permission::FullControl),
                ]
            },
            vec!["CloudWatch.4"],
        ),
        (
            "private ACL of the writer",
            || vec![user(WRITER, Permission::FullControl)],
            vec!["delivery.acl", "CloudWatch.4"],
        ),
        (
            "bucket owner may only read",
            || {
                vec![
                    user(WRITER, Permission::FullControl),
                    user(BUCKET_OWNER, Permission::Read),
                ]
            },
            vec!["delivery.acl", "CloudWatch.4"],
        ),
    ];
    let pipeline = Pipeline::new(Settings::default(), &effective_rules(None).unwrap()).unwrap();
    for (name, grants, want) in cases {
        let body = gzip(delivery_of(std::slice::from_ref(&record)).as_bytes(), 1);
        let get = mock!(aws_sdk_s3::Client::get_object).then_output(move || {
            GetObjectOutput::builder()
                .body(ByteStream::from(body.clone()))
                .build()
        });
        let acl = object_acl(WRITER, grants);
        let owner_rule = bucket_acl();
        let source = S3Source::new(s3(&[&get, &acl, &owner_rule]), 1 << 20);
        let sink = Recorder::default();
        pipeline
            .process_object(&source, &NO_KEYS, &sink, &object(), Deadline::NONE)
            .await
            .unwrap();
        assert_eq!(sink.rule_ids(), want, "case {name}");
    }
}

#[tokio::test]
async fn an_unreadable_acl_is_a_delivery_alert() {
    let acl = mock!(aws_sdk_s3::Client::get_object_acl)
        .sequence()
        .http_status(403, error_body("AccessDenied"))
        .build();
    let get = mock!(aws_sdk_s3::Client::get_object)
        .sequence()
        .http_status(403, error_body("AccessDenied"))
        .build();
    let still_there = listing(&[object().key]);
    let source = S3Source::new(s3(&[&acl, &get, &still_there]), 1000);
    let sink = Recorder::default();
    let pipeline = Pipeline::new(Settings::default(), &effective_rules(None).unwrap()).unwrap();
    pipeline
        .process_object(&source, &NO_KEYS, &sink, &object(), Deadline::NONE)
        .await
        .unwrap();
    assert_eq!(
        sink.rule_ids(),
        vec!["delivery.acl"],
        "one alert, not one per call"
    );

    // The same refusals for a key that is no longer listed: the delivery is gone.
    let acl = mock!(aws_sdk_s3::Client::get_object_acl)
        .sequence()
        .http_status(403, error_body("AccessDenied"))
        .build();
    let gone = listing(&[]);
    let source = S3Source::new(s3(&[&acl, &gone]), 1000);
    let sink = Recorder::default();
    pipeline
        .process_object(&source, &NO_KEYS, &sink, &object(), Deadline::NONE)
        .await
        .unwrap();
    assert_eq!(sink.rule_ids(), vec!["delivery.missing"]);
}

fn error_with_message(code: &str, message: &str) -> Option<String> {
    Some(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>R</RequestId></Error>"
    ))
}

/// An SSE-KMS delivery whose key refuses the function: S3 answers 403 AccessDenied naming
/// kms:Decrypt, or a `KMS.*` code for a disabled or deleted key. Either is `delivery.kms`, not
/// `delivery.acl`: the bucket owner controls the object, the key is what locks it.
#[tokio::test]
async fn a_kms_refusal_is_its_own_delivery_alert() {
    let cases: [(&str, u16, &str, &str); 3] = [
        (
            "role or key policy without kms:Decrypt",
            403,
            "AccessDenied",
            "User: arn:aws:sts::111122223333:assumed-role/trailwatch/fn is not authorized to \
             perform: kms:Decrypt on resource: arn:aws:kms:eu-west-1:111122223333:key/1234abcd \
             because no identity-based policy allows the kms:Decrypt action",
        ),
        (
            "disabled key",
            400,
            "KMS.DisabledException",
            "arn:aws:kms:eu-west-1:111122223333:key/1234abcd is disabled.",
        ),
        (
            "key pending deletion",
            400,
            "KMS.KMSInvalidStateException",
            "arn:aws:kms:eu-west-1:111122223333:key/1234abcd is pending deletion.",
        ),
    ];
    let pipeline = Pipeline::new(Settings::default(), &effective_rules(None).unwrap()).unwrap();
    for (name, status, code, message) in cases {
        let get = mock!(aws_sdk_s3::Client::get_object)
            .sequence()
            .http_status(status, error_with_message(code, message))
            .build();
        let source = S3Source::new(s3(&[&get]), 1000);
        let err = source.open(&object()).await.expect_err(name);
        assert_eq!(
            err.kind(),
            SourceErrorKind::KmsDenied,
            "case {name}: {err:?}"
        );
        assert_eq!(get.num_calls(), 1, "case {name}: not retried");

        let get = mock!(aws_sdk_s3::Client::get_object)
            .sequence()
            .http_status(status, error_with_message(code, message))
            .build();
        let acl = object_acl(WRITER, || {
            vec![
                user(WRITER, Permission::FullControl),
                user(BUCKET_OWNER, Permission::FullControl),
            ]
        });
        let owner_rule = bucket_acl();
        let source = S3Source::new(s3(&[&get, &acl, &owner_rule]), 1000);
        let sink = Recorder::default();
        pipeline
            .process_object(&source, &NO_KEYS, &sink, &object(), Deadline::NONE)
            .await
            .unwrap_or_else(|e| panic!("case {name}: {e}"));
        let alerts = sink.alerts();
        assert_eq!(sink.rule_ids(), vec!["delivery.kms"], "case {name}");
        let reason = alerts[0].reason.clone().unwrap_or_default();
        assert!(
            reason.starts_with("the object's KMS key refused to decrypt it for this function")
                && reason.contains(code),
            "case {name}: {reason}"
        );
    }
}

/// S3 answers 403 for a missing object unless the caller may list the whole bucket; one listing
/// of the key tells a deleted object (a verdict) from a refused one (our permissions).
#[tokio::test]
async fn a_refused_read_is_settled_by_listing_the_key() {
    let key = object().key;
    let cases: [(&str, Option<Vec<String>>, SourceErrorKind); 4] = [
        (
            "the listing shows nothing: gone",
            Some(vec![]),
            SourceErrorKind::NotFound,
        ),
        (
            "only a longer key shares the prefix: gone",
            Some(vec![format!("{key}.bak")]),
            SourceErrorKind::NotFound,
        ),
        (
            "the listing shows the key: refused",
            Some(vec![key.clone()]),
            SourceErrorKind::AccessDenied,
        ),
        (
            "the listing is refused too: refused",
            None,
            SourceErrorKind::AccessDenied,
        ),
    ];
    for (case, listed, want) in cases {
        let get = mock!(aws_sdk_s3::Client::get_object)
            .sequence()
            .http_status(403, error_body("AccessDenied"))
            .build();
        let head = mock!(aws_sdk_s3::Client::head_object)
            .sequence()
            .http_status(403, None)
            .build();
        let acl = mock!(aws_sdk_s3::Client::get_object_acl)
            .sequence()
            .http_status(403, error_body("AccessDenied"))
            .build();
        let list = match &listed {
            Some(keys) => listing(keys),
            None => mock!(aws_sdk_s3::Client::list_objects_v2)
                .sequence()
                .http_status(403, error_body("AccessDenied"))
                .times(3)
                .build(),
        };
        let source = S3Source::new(s3(&[&get, &head, &acl, &list]), 1000);
        let errors = [
            source.open(&object()).await.expect_err(case),
            source.head(&object()).await.expect_err(case),
            source.acl(&object()).await.expect_err(case),
        ];
        for error in errors {
            assert_eq!(error.kind(), want, "case {case}: {}", error.detail());
        }
        assert_eq!(list.num_calls(), 3, "case {case}: one listing per refusal");
    }
}

mod sigma;
