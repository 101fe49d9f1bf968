//! The CloudTrail key adapter on the real SDK client (aws-smithy-mocks): the request it sends,
//! the cache, pages, and how failures are sorted.

use std::time::Duration;

use aws_sdk_cloudtrail::config::retry::RetryConfig;
use aws_sdk_cloudtrail::operation::list_public_keys::ListPublicKeysOutput;
use aws_sdk_cloudtrail::primitives::Blob;
use aws_sdk_cloudtrail::types::PublicKey as ListedKey;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use time::macros::datetime;
use trailwatch_synth::digest::SigningKey;

use super::*;
use crate::ports::SourceErrorKind;

fn keys(rules: &[&Rule]) -> CloudTrailKeys {
    let client = mock_client!(
        aws_sdk_cloudtrail,
        RuleMode::MatchAny,
        rules.iter().copied(),
        |c| {
            c.retry_config(
                RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(1)),
            )
        }
    );
    CloudTrailKeys::new(client.config().clone())
}

fn listed(key: &SigningKey) -> ListedKey {
    ListedKey::builder()
        .fingerprint(key.fingerprint())
        .value(Blob::new(key.public_key_der()))
        .build()
}

const SIGNED_AT: OffsetDateTime = datetime!(2024-08-02 03:00:00 UTC);

#[tokio::test]
async fn asks_for_the_two_hours_around_the_digest_and_caches_every_key_returned() {
    let (one, two) = (
        SigningKey::generate("fp-one"),
        SigningKey::generate("fp-two"),
    );
    let (listed_one, listed_two) = (listed(&one), listed(&two));
    let list = mock!(aws_sdk_cloudtrail::Client::list_public_keys)
        .match_requests(|r| {
            r.start_time() == Some(&DateTime::from_secs(SIGNED_AT.unix_timestamp() - 3600))
                && r.end_time() == Some(&DateTime::from_secs(SIGNED_AT.unix_timestamp() + 3600))
        })
        .then_output(move || {
            ListPublicKeysOutput::builder()
                .public_key_list(listed_one.clone())
                .public_key_list(listed_two.clone())
                .build()
        });
    let keys = keys(&[&list]);
    let found = keys.find("fp-two", "us-east-1", SIGNED_AT).await.unwrap();
    let found = found.expect("fp-two is listed");
    assert!(found.verifies(b"m", &two.sign(b"m")));
    assert!(keys
        .find("fp-one", "us-east-1", SIGNED_AT)
        .await
        .unwrap()
        .is_some());
    assert_eq!(list.num_calls(), 1, "the second key came from the cache");
    assert!(keys
        .find("fp-three", "us-east-1", SIGNED_AT)
        .await
        .unwrap()
        .is_none());
    assert_eq!(list.num_calls(), 2, "a miss asks again");
}

#[tokio::test]
async fn follows_every_page() {
    let key = SigningKey::generate("fp-late");
    let last = listed(&key);
    let pages = mock!(aws_sdk_cloudtrail::Client::list_public_keys)
        .sequence()
        .output(|| ListPublicKeysOutput::builder().next_token("page-2").build())
        .output(move || {
            ListPublicKeysOutput::builder()
                .public_key_list(last.clone())
                .build()
        })
        .build();
    let keys = keys(&[&pages]);
    assert!(keys
        .find("fp-late", "eu-west-1", SIGNED_AT)
        .await
        .unwrap()
        .is_some());
    assert_eq!(pages.num_calls(), 2);
}

#[tokio::test]
async fn failures_are_sorted_so_that_only_passing_ones_are_retried() {
    let cases = [
        (500, "InternalFailure", SourceErrorKind::Transient),
        (400, "ThrottlingException", SourceErrorKind::Transient),
        (400, "AccessDeniedException", SourceErrorKind::AccessDenied),
        (400, "InvalidTimeRangeException", SourceErrorKind::Permanent),
    ];
    for (status, code, kind) in cases {
        let body = format!("{{\"__type\":\"{code}\",\"message\":\"{code}\"}}");
        let failing = mock!(aws_sdk_cloudtrail::Client::list_public_keys)
            .sequence()
            .http_status(status, Some(body.clone()))
            .times(3)
            .build();
        let keys = keys(&[&failing]);
        let error = keys
            .find("fp", "eu-west-1", SIGNED_AT)
            .await
            .expect_err(code);
        assert_eq!(error.kind(), kind, "{code}");
        assert!(
            error.detail().contains("ListPublicKeys in eu-west-1"),
            "{}",
            error.detail()
        );
    }
}

#[tokio::test]
async fn a_listed_value_that_is_not_a_key_is_not_used() {
    let broken = mock!(aws_sdk_cloudtrail::Client::list_public_keys).then_output(|| {
        ListPublicKeysOutput::builder()
            .public_key_list(
                ListedKey::builder()
                    .fingerprint("fp-bad")
                    .value(Blob::new(b"not DER".to_vec()))
                    .build(),
            )
            .build()
    });
    let keys = keys(&[&broken]);
    assert!(keys
        .find("fp-bad", "eu-west-1", SIGNED_AT)
        .await
        .unwrap()
        .is_none());
}

#[test]
fn each_home_region_gets_its_own_client() {
    let keys = keys(&[]);
    let region = |name: &str| {
        keys.client(name)
            .config()
            .region()
            .map(|r| r.as_ref().to_owned())
    };
    assert_eq!(region("eu-west-1").as_deref(), Some("eu-west-1"));
    assert_eq!(region("ap-southeast-2").as_deref(), Some("ap-southeast-2"));
    assert_eq!(keys.clients.lock().unwrap().len(), 2);
    region("eu-west-1");
    assert_eq!(
        keys.clients.lock().unwrap().len(),
        2,
        "a region's client is kept"
    );
}
