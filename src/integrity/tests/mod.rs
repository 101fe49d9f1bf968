//! Every check of INTEGRITY §2 and alert of §4 on digests signed with the tests' own key, over
//! in-memory ports ([`checks`]); the heartbeat of §5 over listings ([`beats`]); digests
//! built to cost time or memory ([`hostile`]). This module holds the world they share: two
//! chained digest hours of one account and region, every listed log in place.

mod beats;
mod checks;
mod hostile;

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

impl World {
    /// The world with the second hour's digest replaced by `body` with `metadata`.
    fn with_second(&self, body: Vec<u8>, metadata: Metadata) -> MemorySource {
        self.source
            .clone()
            .without(&self.second.key)
            .with(&self.second.key, body)
            .with_metadata(&self.second.key, metadata)
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
