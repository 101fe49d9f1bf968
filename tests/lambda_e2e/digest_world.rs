//! The integrity scenario on top of the sharing world (`world`): Production and Dev deliver
//! logs and signed, chained digests into the shared bucket in us-east-1 and eu-west-1, an
//! expected third account never delivers, and every tampering INTEGRITY.md names is planted
//! once, each in an account, region and hour of its own so that none masks another.
//!
//! The chains (digests at `hh:10:05`, two logs per hour at `hh:05` and `hh:35`):
//!
//! | chain | hours | planted |
//! |---|---|---|
//! | Production us-east-1 | 08–11 | 07: a copy of 08's digest (moved); 09: a log deleted; 10: a log rewritten; 11: the digest forged |
//! | Production eu-west-1 | 08–11 | 09: the chain restarts; 10: a log with a gzip member appended; 11: the digest has no `signature` metadata |
//! | Dev us-east-1 | 08–11 | 09: the digest deleted (10's link fails); 11: a valid backfill digest |
//! | Dev eu-west-1 | 06–08 | 07: signed with a key the key file lacks; 08: a backfill digest without its timestamp |
//!
//! Every chain's first digest starts a chain (`chain-restarted`, as for a new trail). Digests
//! that would be linked to by a later one are only tampered with where the tampering keeps
//! that link intact (a restart, an unknown key) or where no later digest exists (the forgery,
//! the missing metadata): otherwise the next digest's `digest-chain` would follow from it.
//! Dev's eu-west-1 digests stop at 08:10:05, which the heartbeat at 12:00 reports late.

use std::collections::BTreeSet;

use serde_json::Value;
use tempfile::NamedTempFile;
use trailwatch_synth::digest::{key_file, DigestFile, Link, Listed, Signed, SigningKey};
use trailwatch_synth::{delivery_of, digest_key, gzip, log_key, Synth};

use crate::world::{Acl, World, BUCKET, DAY, DEV, PRODUCTION};

/// An account that is expected but never delivers anything.
pub const SILENT: &str = "111122223333";
/// The trail's name in the digests' file names.
const TRAIL: &str = "org-trail";
/// The fingerprint of the key file's one key (and of the forger's key, which claims it).
const FINGERPRINT: &str = "fp-e2e-integrity-0001";
/// The heartbeat's time, and its allowed age.
pub const HEARTBEAT_NOW: &str = "2025-03-14T12:00:00Z";
pub const MAX_AGE_S: u64 = 7200;

/// What is done to one hour of a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plant {
    /// Nothing: the hour must raise nothing (beyond a chain's start).
    Clean,
    /// The `hh:35` log is never written.
    DeleteLog,
    /// The `hh:35` log's content is replaced after the digest hashed it.
    ModifyLog,
    /// A second gzip member is appended to the `hh:35` log.
    AppendMember,
    /// The digest lists one log less and is signed by another key claiming the fingerprint.
    Forge,
    /// The digest is signed (the next one links to it) but then deleted.
    DeleteDigest,
    /// The digest's previous-digest fields are null mid-chain.
    Restart,
    /// The digest is signed by a key whose fingerprint the key file does not list.
    UnknownKey,
    /// The digest is stored without its `signature` metadata.
    NoSignature,
}

struct Chain {
    account: &'static str,
    region: &'static str,
    hours: std::ops::RangeInclusive<u32>,
    plants: &'static [(u32, Plant)],
}

const CHAINS: [Chain; 4] = [
    Chain {
        account: PRODUCTION,
        region: "us-east-1",
        hours: 8..=11,
        plants: &[
            (9, Plant::DeleteLog),
            (10, Plant::ModifyLog),
            (11, Plant::Forge),
        ],
    },
    Chain {
        account: PRODUCTION,
        region: "eu-west-1",
        hours: 8..=11,
        plants: &[
            (9, Plant::Restart),
            (10, Plant::AppendMember),
            (11, Plant::NoSignature),
        ],
    },
    Chain {
        account: DEV,
        region: "us-east-1",
        hours: 8..=11,
        plants: &[(9, Plant::DeleteDigest)],
    },
    Chain {
        account: DEV,
        region: "eu-west-1",
        hours: 6..=8,
        plants: &[(7, Plant::UnknownKey)],
    },
];

/// An integrity alert as the plan predicts it: rule id, key, account, region.
pub type Expected = (String, Option<String>, Option<String>, Option<String>);

/// The scenario planted in a world's bucket.
pub struct DigestWorld {
    /// The key file (`aws cloudtrail list-public-keys` output) with the signing key only.
    pub key_file: NamedTempFile,
    /// Every digest key in the bucket, in the order they were written.
    pub digest_keys: Vec<String>,
    /// The integrity alerts a check of every digest must raise, exactly.
    pub expected: BTreeSet<Expected>,
    /// The `digest-late` alerts of a heartbeat at [`HEARTBEAT_NOW`] over Production, Dev and
    /// [`SILENT`] with [`MAX_AGE_S`], regions discovered.
    pub expected_late: BTreeSet<Expected>,
}

fn expect(rule: &str, key: Option<&str>, account: &str, region: Option<&str>) -> Expected {
    (
        format!("integrity.{rule}"),
        key.map(String::from),
        Some(account.to_owned()),
        region.map(String::from),
    )
}

fn digest_at(account: &str, region: &str, hhmmss: (u32, u32, u32)) -> String {
    digest_key(None, None, account, region, DAY, hhmmss, TRAIL)
}

fn backfill_at(account: &str, region: &str, hhmmss: (u32, u32, u32)) -> String {
    digest_at(account, region, hhmmss).replace(".json.gz", "_backfill.json.gz")
}

fn log_at(account: &str, region: &str, hour: u32, minute: u32) -> String {
    let suffix = format!("Log{hour:02}{minute:02}AbCdEfGhI");
    log_key(None, None, account, region, DAY, (hour, minute), &suffix)
}

/// A log's decompressed content: three ordinary records (which fire nothing) of that hour.
fn log_content(account: &str, region: &str, hour: u32, minute: u32) -> Vec<u8> {
    let seed = u64::from(hour * 100 + minute) ^ account.parse::<u64>().unwrap();
    let mut synth = Synth::with_error_rate(seed, 0);
    let records: Vec<Value> = (0..3)
        .map(|i| synth.record_at(account, region, DAY, hour * 3600 + minute * 60 + i))
        .collect();
    delivery_of(&records).into_bytes()
}

fn time(hour: u32, minute: u32, second: u32) -> String {
    let (y, m, d) = DAY;
    format!("{y:04}-{m:02}-{d:02}T{hour:02}:{minute:02}:{second:02}Z")
}

/// Writes a digest object: its gzip and the metadata CloudTrail sets, minus `drop`.
async fn put_digest(world: &World, key: &str, signed: &Signed, extra: &[(&str, &str)], drop: &str) {
    let mut put = world
        .s3
        .put_object()
        .bucket(BUCKET)
        .key(key)
        .body(signed.gzip.clone().into());
    for (name, value) in &signed.metadata {
        if name != drop {
            put = put.metadata(name, value);
        }
    }
    for (name, value) in extra {
        put = put.metadata(*name, *value);
    }
    put.send().await.unwrap();
}

/// Plants the scenario into `world`'s bucket.
pub async fn plant(world: &World) -> DigestWorld {
    let signer = SigningKey::generate(FINGERPRINT);
    let forger = SigningKey::generate(FINGERPRINT);
    let unknown = SigningKey::generate("fp-e2e-not-in-the-key-file");
    let mut key_file_out = NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut key_file_out, key_file(&[&signer]).as_bytes()).unwrap();

    let mut digest_keys = Vec::new();
    let mut expected = BTreeSet::new();
    for chain in &CHAINS {
        let (account, region) = (chain.account, chain.region);
        let mut previous: Option<Link> = None;
        for hour in chain.hours.clone() {
            let plant = chain
                .plants
                .iter()
                .find(|(h, _)| *h == hour)
                .map_or(Plant::Clean, |(_, p)| *p);
            let mut logs = Vec::new();
            for minute in [5, 35] {
                let key = log_at(account, region, hour, minute);
                let content = log_content(account, region, hour, minute);
                logs.push(Listed::of(BUCKET, &key, &content));
                let body = match (minute, plant) {
                    (35, Plant::DeleteLog) => {
                        expected.insert(expect("log-missing", Some(&key), account, Some(region)));
                        continue;
                    }
                    (35, Plant::ModifyLog) => {
                        expected.insert(expect("log-modified", Some(&key), account, Some(region)));
                        let mut altered = content.clone();
                        let at = altered.len() / 2;
                        altered[at] = if altered[at] == b'a' { b'b' } else { b'a' };
                        gzip(&altered, 1)
                    }
                    (35, Plant::AppendMember) => {
                        expected.insert(expect("log-modified", Some(&key), account, Some(region)));
                        let mut bytes = gzip(&content, 1);
                        bytes.extend(gzip(br#"{"Records":[]}"#, 1));
                        bytes
                    }
                    _ => gzip(&content, 1),
                };
                world.put(&key, body, Acl::BucketOwnerFullControl).await;
            }
            let key = digest_at(account, region, (hour, 10, 5));
            let restart = plant == Plant::Restart || previous.is_none();
            let mut digest = DigestFile {
                bucket: BUCKET.to_owned(),
                key: key.clone(),
                start_time: time(hour - 1, 10, 5),
                end_time: time(hour, 10, 5),
                previous: if restart { None } else { previous.clone() },
                logs,
            };
            if restart {
                expected.insert(expect("chain-restarted", Some(&key), account, Some(region)));
            }
            let signed = match plant {
                Plant::Forge => {
                    digest.logs.pop();
                    expected.insert(expect(
                        "digest-signature",
                        Some(&key),
                        account,
                        Some(region),
                    ));
                    digest.sign(&forger)
                }
                Plant::UnknownKey => {
                    // Only the key-lookup failure is reported, not the chain start.
                    expected.insert(expect(
                        "public-key-unknown",
                        Some(&key),
                        account,
                        Some(region),
                    ));
                    digest.sign(&unknown)
                }
                _ => digest.sign(&signer),
            };
            match plant {
                Plant::DeleteDigest => {
                    let next = digest_at(account, region, (hour + 1, 10, 5));
                    expected.insert(expect("digest-chain", Some(&next), account, Some(region)));
                }
                Plant::NoSignature => {
                    expected.insert(expect(
                        "digest-signature",
                        Some(&key),
                        account,
                        Some(region),
                    ));
                    put_digest(world, &key, &signed, &[], "signature").await;
                    digest_keys.push(key.clone());
                }
                _ => {
                    put_digest(world, &key, &signed, &[], "").await;
                    digest_keys.push(key.clone());
                }
            }
            // Steps 1-7 failing end a digest's checks: no chain, no logs.
            if matches!(plant, Plant::Forge | Plant::UnknownKey | Plant::NoSignature) {
                expected.retain(|e| {
                    !(e.0 == "integrity.chain-restarted" && e.1.as_deref() == Some(&key))
                });
            }
            previous = Some(Link {
                bucket: BUCKET.to_owned(),
                key,
                signature: signed.signature.clone(),
            });
        }
    }

    // Production us-east-1, 07:40: a valid digest (08's) copied to another key.
    let original = digest_at(PRODUCTION, "us-east-1", (8, 10, 5));
    let copy = digest_at(PRODUCTION, "us-east-1", (7, 40, 0));
    world
        .s3
        .copy_object()
        .bucket(BUCKET)
        .copy_source(format!("{BUCKET}/{original}"))
        .key(&copy)
        .send()
        .await
        .unwrap();
    expected.insert(expect(
        "digest-moved",
        Some(&copy),
        PRODUCTION,
        Some("us-east-1"),
    ));
    digest_keys.push(copy);

    // Backfill digests for a log that missed its hour's digest: Dev us-east-1 at 11:40 with
    // its generation timestamp (nothing to report), Dev eu-west-1 at 08:40 without it.
    for (region, hour, valid) in [("us-east-1", 11, true), ("eu-west-1", 8, false)] {
        let log = log_at(DEV, region, hour, 50);
        let content = log_content(DEV, region, hour, 50);
        world
            .put(&log, gzip(&content, 1), Acl::BucketOwnerFullControl)
            .await;
        let key = backfill_at(DEV, region, (hour, 40, 0));
        let signed = DigestFile {
            bucket: BUCKET.to_owned(),
            key: key.clone(),
            start_time: time(hour - 1, 10, 5),
            end_time: time(hour, 10, 5),
            previous: None,
            logs: vec![Listed::of(BUCKET, &log, &content)],
        }
        .sign(&signer);
        let generated = time(hour, 40, 0);
        let extra: &[(&str, &str)] = if valid {
            &[("backfill-generation-timestamp", &generated)]
        } else {
            expected.insert(expect("digest-unreadable", Some(&key), DEV, Some(region)));
            &[]
        };
        put_digest(world, &key, &signed, extra, "").await;
        digest_keys.push(key);
    }

    // At 12:00 with 2 h allowed: Dev's eu-west-1 digests stopped at 08:10:05 (the backfill
    // digest at 08:40 does not count), and the silent account has no digest folder at all.
    let expected_late = BTreeSet::from([
        expect(
            "digest-late",
            Some(&digest_at(DEV, "eu-west-1", (8, 10, 5))),
            DEV,
            Some("eu-west-1"),
        ),
        expect("digest-late", None, SILENT, None),
    ]);
    DigestWorld {
        key_file: key_file_out,
        digest_keys,
        expected,
        expected_late,
    }
}

/// An integrity alert as a comparable tuple, with its id first.
pub fn seen(alert: &Value) -> (String, Expected) {
    let text = |name: &str| alert[name].as_str().map(String::from);
    (
        text("alert_id").expect("an alert id"),
        (
            text("rule_id").expect("a rule id"),
            text("key"),
            text("account_id"),
            text("region"),
        ),
    )
}
