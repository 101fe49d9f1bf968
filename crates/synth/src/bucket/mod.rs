//! The bundled sample bucket (`events/sample-bucket/`): a day in a small organisation's shared
//! CloudTrail bucket, with every kind of object and problem trailwatch must handle.
//!
//! Built in memory so tests can check it without touching the disk; `examples/gen_samples.rs`
//! writes it out. `events/README.md` lists each object and the alerts it should raise;
//! [`SAMPLE_ALERTS`] holds the same expectations for the tests.

mod companions;
mod expected;

use serde_json::Value;

use super::clock::{Day, Stamp};
use super::controls::{cis_hit, near_miss};
use super::rng::Rng;
use super::{delivery_of, gzip, log_key, Synth};
use companions::{config_snapshot, digest_for, insight_delivery};
pub use expected::{SampleAlerts, SAMPLE_ALERTS};

/// One object of the sample bucket: its key (relative to the bucket root) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleObject {
    /// The object key, relative to the bucket root.
    pub key: String,
    /// The object's bytes as stored (gzip, possibly corrupt on purpose).
    pub bytes: Vec<u8>,
}

/// The sample day.
pub const SAMPLE_DAY: Day = (2025, 3, 14);
/// The production account.
pub const PRODUCTION: &str = "111111111111";
/// The development account.
pub const DEVELOPMENT: &str = "222222222222";
/// The organisation's management account, whose trail is an organisation trail.
pub const MANAGEMENT: &str = "333333333333";
/// An account that is not one of ours.
pub const STRANGER: &str = "444444444444";
/// The organisation id in the organisation trail's keys.
pub const ORG_ID: &str = "o-exampleorg1";
/// The bucket's name as digests and encryption contexts spell it.
pub const BUCKET: &str = "example-org-cloudtrail-logs";

/// What goes into one log delivery.
struct Delivery<'a> {
    prefix: Option<&'a str>,
    org: Option<&'a str>,
    account: &'a str,
    region: &'a str,
    hhmm: (u32, u32),
    /// How many ordinary records the delivery holds.
    ordinary: usize,
    /// Whether ordinary records may fail (about 5%); without, they fire no control at all.
    errors: bool,
    hits: &'a [&'a str],
    near_misses: &'a [&'a str],
}

/// The seed of the bucket's ordinary traffic, mixed into each delivery's own. Any value gives a
/// plausible day; this one was found by trying successive values until the ordinary traffic
/// raised exactly the alerts that `events/README.md` and [`SAMPLE_ALERTS`] have listed per object
/// since the bucket was first generated (and the cut delivery still ends after 5 whole records),
/// so that moving to the ChaCha generator changed the records' details, not what the bucket shows.
const TRAFFIC_SEED: u64 = 4354;

/// Records of one delivery, in time order, within the quarter hour before the file's time.
fn delivery_records(d: &Delivery<'_>, day: Day) -> Vec<Value> {
    let key_seed = format!("{:?}{}{}{:?}", d.prefix, d.account, d.region, d.hhmm);
    let seed = Rng::from_parts(&["sample", &TRAFFIC_SEED.to_string(), &key_seed]).next_u64();
    let mut synth = if d.errors {
        Synth::new(seed)
    } else {
        Synth::with_error_rate(seed, 0)
    };
    let end = d.hhmm.0 * 3600 + d.hhmm.1 * 60;
    let start = end.saturating_sub(900);
    let mut timed: Vec<(u32, Value)> = (0..d.ordinary)
        .map(|_| {
            let secs = synth.rng.between(u64::from(start), u64::from(end)) as u32;
            (secs, synth.record_at(d.account, d.region, day, secs))
        })
        .collect();
    // Special records are spread evenly through the window so that they are easy to spot.
    let specials = d.hits.len() + d.near_misses.len();
    let specials_iter = d
        .hits
        .iter()
        .map(|c| (true, *c))
        .chain(d.near_misses.iter().map(|n| (false, *n)));
    for (i, (is_hit, name)) in specials_iter.enumerate() {
        let secs = start + (end - start) * (i as u32 + 1) / (specials as u32 + 1);
        let time = Stamp::new(day, secs).iso();
        let record = if is_hit {
            cis_hit(name, d.account, d.region, &time)
        } else {
            near_miss(name, d.account, d.region, &time)
        };
        if let Some(record) = record {
            timed.push((secs, record));
        }
    }
    timed.sort_by_key(|(secs, _)| *secs);
    timed.into_iter().map(|(_, record)| record).collect()
}

fn key_of(d: &Delivery<'_>, day: Day) -> String {
    let suffix = Rng::from_parts(&[
        "suffix",
        d.account,
        d.region,
        &format!("{:?}{:?}", d.hhmm, d.prefix),
    ])
    .alnum(16);
    log_key(d.prefix, d.org, d.account, d.region, day, d.hhmm, &suffix)
}

/// The sample bucket's objects, sorted by key. Deterministic: the same bytes on every call.
pub fn sample_bucket() -> Vec<SampleObject> {
    let day = SAMPLE_DAY;
    let mut objects = Vec::new();
    let mut add = |key: String, bytes: Vec<u8>| objects.push(SampleObject { key, bytes });

    let plain = |account, region, hhmm, ordinary, hits, near_misses| Delivery {
        prefix: None,
        org: None,
        account,
        region,
        hhmm,
        ordinary,
        errors: true,
        hits,
        near_misses,
    };
    let deliveries = [
        plain(
            PRODUCTION,
            "us-east-1",
            (9, 5),
            24,
            &["CloudWatch.1", "CloudWatch.3", "CloudWatch.4"][..],
            &["root-invoked-by", "console-login-mfa"][..],
        ),
        plain(
            PRODUCTION,
            "us-east-1",
            (14, 10),
            20,
            &["CloudWatch.5", "CloudWatch.7"][..],
            &["disable-key-rotation"][..],
        ),
        plain(
            PRODUCTION,
            "eu-west-1",
            (9, 20),
            24,
            &["CloudWatch.2", "CloudWatch.10", "CloudWatch.13"][..],
            &["dry-run", "throttled"][..],
        ),
        plain(
            DEVELOPMENT,
            "eu-west-1",
            (11, 50),
            20,
            &["CloudWatch.9", "CloudWatch.12", "CloudWatch.14"][..],
            &[][..],
        ),
        Delivery {
            org: Some(ORG_ID),
            ..plain(
                MANAGEMENT,
                "us-east-1",
                (16, 0),
                16,
                &["CIS.4.15"][..],
                &["federated-console-login"][..],
            )
        },
        Delivery {
            prefix: Some("security"),
            ..plain(
                PRODUCTION,
                "us-east-1",
                (17, 5),
                16,
                &["CloudWatch.2"][..],
                &[][..],
            )
        },
    ];
    let mut first_delivery: Option<(String, Vec<Value>, String)> = None;
    for d in &deliveries {
        let records = delivery_records(d, day);
        let text = delivery_of(&records);
        let key = key_of(d, day);
        if first_delivery.is_none() {
            first_delivery = Some((key.clone(), records, text.clone()));
        }
        add(key, gzip(text.as_bytes(), 1));
    }

    // Delivered as three concatenated gzip members, as large CloudTrail files can be.
    let multi = plain(
        DEVELOPMENT,
        "us-east-1",
        (10, 35),
        30,
        &["CloudWatch.6", "CloudWatch.8", "CloudWatch.11"][..],
        &[][..],
    );
    let text = delivery_of(&delivery_records(&multi, day));
    add(key_of(&multi, day), gzip(text.as_bytes(), 3));

    // Two records of the production account written into the development account's folder.
    let mismatch = Delivery {
        errors: false,
        ..plain(DEVELOPMENT, "us-west-2", (13, 20), 10, &[][..], &[][..])
    };
    let mut records = delivery_records(&mismatch, day);
    let intruder = Delivery {
        account: PRODUCTION,
        ordinary: 2,
        ..mismatch
    };
    records.extend(delivery_records(&intruder, day));
    records.sort_by(|a, b| a["eventTime"].as_str().cmp(&b["eventTime"].as_str()));
    add(
        key_of(&mismatch, day),
        gzip(delivery_of(&records).as_bytes(), 1),
    );

    // A delivery cut short: valid key, gzip stream truncated mid-way.
    let corrupt = Delivery {
        errors: false,
        ..plain(DEVELOPMENT, "eu-west-1", (12, 55), 12, &[][..], &[][..])
    };
    let whole = gzip(delivery_of(&delivery_records(&corrupt, day)).as_bytes(), 1);
    let cut = whole
        .get(..whole.len() * 3 / 5)
        .unwrap_or_default()
        .to_vec();
    add(key_of(&corrupt, day), cut);

    // A stranger's trail writing into our bucket.
    let stranger = Delivery {
        errors: false,
        ..plain(STRANGER, "us-east-1", (2, 30), 8, &[][..], &[][..])
    };
    let text = delivery_of(&delivery_records(&stranger, day));
    add(key_of(&stranger, day), gzip(text.as_bytes(), 1));

    // A file whose name says the 15th in the folder of the 14th.
    let misdated = Delivery {
        errors: false,
        ..plain(DEVELOPMENT, "us-east-1", (0, 10), 6, &[][..], &[][..])
    };
    let text = delivery_of(&delivery_records(&misdated, day));
    let good = key_of(&misdated, day);
    add(
        good.replace("_20250314T0010Z_", "_20250315T0010Z_"),
        gzip(text.as_bytes(), 1),
    );

    if let Some((key, records, text)) = first_delivery {
        let (digest_key, digest) = digest_for(&key, &records, &text);
        add(digest_key, gzip(digest.as_bytes(), 1));
    }
    let (key, text) = insight_delivery(day);
    add(key, gzip(text.as_bytes(), 1));
    let (key, text) = config_snapshot(day);
    add(key, gzip(text.as_bytes(), 1));

    objects.sort_by(|a, b| a.key.cmp(&b.key));
    objects
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::Read;

    use flate2::read::{GzDecoder, MultiGzDecoder};

    use sha2::{Digest, Sha256};

    use super::companions::hex;
    use super::*;
    use crate::oracle::fired;

    fn gunzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        MultiGzDecoder::new(bytes).read_to_end(&mut out)?;
        Ok(out)
    }

    fn parse(bytes: &[u8]) -> Option<Value> {
        serde_json::from_slice(&gunzip(bytes).ok()?).ok()
    }

    /// The account folder of a key: the segment after `AWSLogs/` and any org id.
    fn folder_account(key: &str) -> &str {
        let after = key.split("AWSLogs/").nth(1).unwrap_or_default();
        let mut segments = after.split('/');
        let first = segments.next().unwrap_or_default();
        if first.starts_with("o-") {
            segments.next().unwrap_or_default()
        } else {
            first
        }
    }

    #[test]
    fn every_object_holds_and_fires_what_the_table_says() {
        let objects = sample_bucket();
        assert_eq!(objects.len(), SAMPLE_ALERTS.len(), "object count");
        for expected in &SAMPLE_ALERTS {
            let matching: Vec<&SampleObject> = objects
                .iter()
                .filter(|o| o.key.contains(expected.key_part))
                .collect();
            let [object] = matching.as_slice() else {
                panic!("{}: {} objects match", expected.key_part, matching.len());
            };
            let got = parse(&object.bytes).map(|body| {
                let records = body["Records"].as_array().cloned().unwrap_or_default();
                let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
                for record in &records {
                    for rule in fired(record) {
                        *counts.entry(rule).or_default() += 1;
                    }
                }
                (records.len(), counts)
            });
            // The delivery checks are the pipeline's; the reference finds the detections.
            let detections = expected
                .alerts
                .iter()
                .copied()
                .filter(|(id, _)| !id.starts_with("delivery."));
            let want = expected
                .records
                .map(|n| (n, detections.collect::<BTreeMap<_, _>>()));
            assert_eq!(got, want, "{}", object.key);
        }
    }

    #[test]
    fn bucket_is_deterministic_small_and_dated_2025() {
        let objects = sample_bucket();
        assert_eq!(objects, sample_bucket(), "determinism");
        let total: usize = objects.iter().map(|o| o.bytes.len()).sum();
        assert!(total < 200_000, "total size {total}");
        for object in &objects {
            assert!(
                object.key.contains("/2025/"),
                "{} is not dated 2025",
                object.key
            );
        }
    }

    #[test]
    fn problems_are_where_the_readme_says() {
        let objects = sample_bucket();
        let find = |fragment: &str| objects.iter().find(|o| o.key.contains(fragment));
        // The misdated file: folder says the 14th, name the 15th.
        let misdated = find("_20250315T0010Z_")
            .map(|o| o.key.clone())
            .unwrap_or_default();
        assert!(misdated.contains("/2025/03/14/"), "misdated key {misdated}");
        // The multi-member delivery: one gzip member holds only part of the text.
        for object in &objects {
            let whole = gunzip(&object.bytes).map(|b| b.len()).ok();
            let mut first = Vec::new();
            let first_len = GzDecoder::new(object.bytes.as_slice())
                .read_to_end(&mut first)
                .ok();
            let multi = object
                .key
                .contains("222222222222_CloudTrail_us-east-1_20250314T1035Z_");
            if whole.is_some() {
                assert_eq!(
                    first_len.is_some_and(|n| Some(n) < whole),
                    multi,
                    "{}: members",
                    object.key
                );
            }
        }
        // Account mismatch: exactly two records, both in the us-west-2 delivery, name another account.
        let mut foreign = Vec::new();
        for object in objects.iter().filter(|o| o.key.contains("/CloudTrail/")) {
            let records = parse(&object.bytes)
                .map(|b| b["Records"].clone())
                .unwrap_or_default();
            for record in records.as_array().into_iter().flatten() {
                if record["recipientAccountId"] != folder_account(&object.key) {
                    foreign.push((object.key.clone(), record["recipientAccountId"].clone()));
                }
            }
        }
        assert_eq!(foreign.len(), 2, "foreign records: {foreign:?}");
        for (key, account) in &foreign {
            assert!(key.contains("/222222222222/CloudTrail/us-west-2/"), "{key}");
            assert_eq!(account, PRODUCTION, "{key}");
        }
        // The corrupt delivery is a truncated gzip stream.
        let corrupt = find("222222222222_CloudTrail_eu-west-1_20250314T1255Z_")
            .map(|o| gunzip(&o.bytes).is_err());
        assert_eq!(corrupt, Some(true), "corrupt delivery");
    }

    #[test]
    fn digest_and_insight_have_their_real_shapes() {
        let objects = sample_bucket();
        let digest = objects
            .iter()
            .find(|o| o.key.contains("/CloudTrail-Digest/"))
            .and_then(|o| parse(&o.bytes))
            .unwrap_or_default();
        assert!(digest.get("Records").is_none(), "digest has no Records");
        assert_eq!(digest["awsAccountId"], PRODUCTION);
        let log = &digest["logFiles"][0];
        let logged = objects
            .iter()
            .find(|o| Some(o.key.as_str()) == log["s3Object"].as_str())
            .map(|o| gunzip(&o.bytes).unwrap());
        let hash = logged.map(|text| hex(&Sha256::digest(&text)));
        assert_eq!(
            hash.as_deref(),
            log["hashValue"].as_str(),
            "digest hash of the log file"
        );

        let insight = objects
            .iter()
            .find(|o| o.key.contains("/CloudTrail-Insight/"))
            .and_then(|o| parse(&o.bytes))
            .unwrap_or_default();
        let records = insight["Records"].as_array().cloned().unwrap_or_default();
        assert_eq!(records.len(), 2, "insight start and end");
        for record in &records {
            assert_eq!(record["eventType"], "AwsCloudTrailInsight", "{record}");
            assert_eq!(record["recipientAccountId"], PRODUCTION, "{record}");
        }
    }
}
