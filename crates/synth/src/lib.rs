//! Deterministic synthetic CloudTrail data for samples, benchmarks and tests.
//!
//! Everything here is a pure function of a seed: the same seed gives the same bytes on every
//! machine, so generated fixtures can be committed and benchmarks compared across runs. The
//! generator is `rand_chacha`'s ChaCha8, seeded (see `rng`); JSON text is written by
//! `serde_json` with members in CloudTrail's order, whatever `serde_json` features are on; the
//! calendar is the `time` crate's.
//!
//! - [`Synth::record`]: an ordinary record of a busy account — dozens of services, realistic
//!   callers (SSO people, CI, workloads, services), about 5% failures of which most are access
//!   denials. Ordinary records never fire a CIS control except CloudWatch.2 through those
//!   denials.
//! - [`cis_hit`] / [`near_miss`]: one record that fires exactly one named control, or a
//!   look-alike that fires none; [`insight_event`]: the start or end of a CloudTrail Insight.
//! - [`delivery_text`], [`delivery_of`], [`gzip`], [`log_key`], [`digest_key`],
//!   [`insight_key`]: files and keys as CloudTrail delivers them.
//! - [`sample_bucket`]: the bundled `events/sample-bucket/`, and [`SAMPLE_ALERTS`]: what each of
//!   its objects holds and raises on replay.
//! - [`digest`]: signed digest files, the tests' signing key and its key file.
//! - [`sigma_pack`]: 57 Sigma rules shaped like a community CloudTrail set, for the benchmarks.
//! - [`CIS_EVENT_NAMES`]: the event names the built-in pack's CIS controls list (RULES.md), for
//!   the generator's reference evaluation and the product's pack tests alike.

mod bucket;
mod catalog;
mod cis;
mod clock;
mod controls;
pub mod digest;
mod identity;
mod json;
mod record;
mod rng;
mod sigma;

#[cfg(test)]
mod oracle;
#[cfg(test)]
mod tests;

use std::io::Write;

use flate2::{Compression, GzBuilder};
use serde_json::Value;

pub use bucket::{
    sample_bucket, SampleAlerts, SampleObject, BUCKET, DEVELOPMENT, MANAGEMENT, ORG_ID, PRODUCTION,
    SAMPLE_ALERTS, SAMPLE_DAY, STRANGER,
};
pub use cis::{EventNames, CIS_EVENT_NAMES};
pub use clock::Day;
pub use controls::{CONTROLS, NEAR_MISSES};
pub use sigma::sigma_pack;

use clock::{compact_date, Stamp};
use record::Site;
use rng::Rng;

/// The share of ordinary records that fail, per mille.
pub const DEFAULT_ERROR_PER_MILLE: u32 = 50;

/// The day benchmark deliveries are dated.
pub const BENCH_DAY: Day = (2025, 6, 2);

/// A seeded generator of ordinary records.
#[derive(Debug, Clone)]
pub struct Synth {
    rng: Rng,
    error_per_mille: u32,
}

impl Synth {
    /// A generator whose records fail at the default rate (about 5%).
    pub fn new(seed: u64) -> Synth {
        Synth::with_error_rate(seed, DEFAULT_ERROR_PER_MILLE)
    }

    /// A generator whose records fail with probability `per_mille`/1000 (0: none fail, so
    /// its records fire no CIS control at all).
    pub fn with_error_rate(seed: u64, per_mille: u32) -> Synth {
        Synth {
            rng: Rng::new(seed),
            error_per_mille: per_mille.min(1000),
        }
    }

    /// One ordinary record (mostly benign, ~5% errors) for that account/region at a time within that day.
    pub fn record(&mut self, account_id: &str, region: &str, day: Day) -> Value {
        let secs = self.rng.below(86_400) as u32;
        self.record_at(account_id, region, day, secs)
    }

    /// One ordinary record at that second of the day (values past the day's end mean its last second).
    pub fn record_at(
        &mut self,
        account_id: &str,
        region: &str,
        day: Day,
        seconds_of_day: u32,
    ) -> Value {
        let site = Site {
            account: account_id,
            region,
            at: Stamp::new(day, seconds_of_day),
        };
        record::ordinary(&mut self.rng, site, self.error_per_mille)
    }

    /// A log file name's 16-character suffix.
    pub fn suffix16(&mut self) -> String {
        self.rng.alnum(16)
    }
}

/// A record that fires exactly the named built-in control ("CloudWatch.1".."CloudWatch.14", "CIS.4.15") and no other CIS control.
///
/// `None` when the control is not one of [`CONTROLS`] or `event_time` is not
/// `YYYY-MM-DDTHH:MM:SSZ`. Deterministic in its arguments.
pub fn cis_hit(control: &str, account_id: &str, region: &str, event_time: &str) -> Option<Value> {
    controls::cis_hit(control, account_id, region, event_time)
}

/// A record resembling a hit that fires no CIS control: `root-invoked-by`, `console-login-mfa`,
/// `federated-console-login`, `dry-run`, `disable-key-rotation` or `throttled` (see
/// [`NEAR_MISSES`]); `None` otherwise, or for a malformed `event_time`.
pub fn near_miss(name: &str, account_id: &str, region: &str, event_time: &str) -> Option<Value> {
    controls::near_miss(name, account_id, region, event_time)
}

/// An Insights event record as CloudTrail writes it under `CloudTrail-Insight/`: the `state`
/// (`Start` or `End`) of an `insight_type` insight on EC2's `RunInstances` for `account_id` in
/// `region` at `event_time`, averaging 42.0 calls (or errors) a minute against a baseline of
/// 0.35; an `End` also says how long the insight lasted, 11 minutes. Deterministic in its
/// arguments; the start and end of one insight share their `sharedEventID`.
pub fn insight_event(
    account_id: &str,
    region: &str,
    event_time: &str,
    state: &str,
    insight_type: &str,
) -> Value {
    let id = |parts: &[&str]| Rng::from_parts(parts).uuid();
    let mut statistics =
        serde_json::json!({"baseline": {"average": 0.35}, "insight": {"average": 42.0}});
    if state == "End" {
        statistics["insightDuration"] = 11.into();
        statistics["baselineDuration"] = 10_079.into();
    }
    serde_json::json!({
        "eventVersion": "1.08",
        "eventTime": event_time,
        "awsRegion": region,
        "eventID": id(&["insight-event", account_id, region, event_time, state, insight_type]),
        "eventType": "AwsCloudTrailInsight",
        "recipientAccountId": account_id,
        "sharedEventID": id(&["insight-shared", account_id, region, insight_type]),
        "insightDetails": {
            "state": state,
            "eventSource": "ec2.amazonaws.com",
            "eventName": "RunInstances",
            "insightType": insight_type,
            "insightContext": {"statistics": statistics},
        },
        "eventCategory": "Insight",
    })
}

/// `{"Records":[...]}` text of about `target_bytes` uncompressed, ordinary records only (for benchmarks).
///
/// Records are dated [`BENCH_DAY`]. Near the target, records too large for the space left are
/// skipped, so the text ends within a small record's size of the target.
pub fn delivery_text(seed: u64, account_id: &str, region: &str, target_bytes: usize) -> String {
    const OPEN: &str = "{\"Records\":[";
    const CLOSE: &str = "]}";
    let mut synth = Synth::new(seed);
    let mut out = String::with_capacity(target_bytes + 8192);
    out.push_str(OPEN);
    let mut count = 0usize;
    let mut misses = 0;
    while out.len() + CLOSE.len() < target_bytes {
        let record = json::record(&synth.record(account_id, region, BENCH_DAY));
        let now = out.len() + CLOSE.len();
        let after = now + record.len() + usize::from(count > 0);
        if count > 0 && after > target_bytes {
            // Near the end, draw again for a record that still fits (small ones are common);
            // after enough tries, stop at whichever boundary is nearer.
            if misses < 64 {
                misses += 1;
                continue;
            }
            if after - target_bytes > target_bytes - now {
                break;
            }
        }
        if count > 0 {
            out.push(',');
        }
        out.push_str(&record);
        count += 1;
    }
    out.push_str(CLOSE);
    out
}

/// `{"Records":[...]}` for given records.
pub fn delivery_of(records: &[Value]) -> String {
    let mut out = String::from("{\"Records\":[");
    for (i, record) in records.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&json::record(record));
    }
    out.push_str("]}");
    out
}

/// Deterministic gzip (mtime 0) of bytes; `members` > 1 splits into that many concatenated gzip members.
///
/// The data is cut into `members` nearly equal byte ranges (anywhere, even inside a record, as
/// nothing promises members end on record boundaries); 0 counts as 1.
pub fn gzip(data: &[u8], members: usize) -> Vec<u8> {
    let members = members.max(1);
    let mut out = Vec::with_capacity(data.len() / 4 + 64);
    for i in 0..members {
        let from = data.len() * i / members;
        let to = data.len() * (i + 1) / members;
        let part = data.get(from..to).unwrap_or_default();
        let mut encoder = GzBuilder::new()
            .mtime(0)
            .write(&mut out, Compression::default());
        // Compressing into a Vec performs no I/O, so these cannot fail.
        encoder
            .write_all(part)
            .expect("gzip into memory cannot fail");
        encoder.finish().expect("gzip into memory cannot fail");
    }
    out
}

fn root_path(prefix: Option<&str>, org_id: Option<&str>, account_id: &str) -> String {
    let mut path = String::new();
    if let Some(prefix) = prefix
        .map(|p| p.trim_matches('/'))
        .filter(|p| !p.is_empty())
    {
        path.push_str(prefix);
        path.push('/');
    }
    path.push_str("AWSLogs/");
    if let Some(org) = org_id {
        path.push_str(org);
        path.push('/');
    }
    path.push_str(account_id);
    path
}

fn day_folder(day: Day) -> String {
    let (y, m, d) = day;
    format!("{y:04}/{m:02}/{d:02}")
}

/// The canonical object key of a log delivery (optionally with prefix and org id), matching the file-name rules.
///
/// `[<prefix>/]AWSLogs/[<org>/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail_<region>_<yyyymmdd>T<hhmm>Z_<suffix>.json.gz`
pub fn log_key(
    prefix: Option<&str>,
    org_id: Option<&str>,
    account_id: &str,
    region: &str,
    day: Day,
    hhmm: (u32, u32),
    suffix16: &str,
) -> String {
    format!(
        "{}/CloudTrail/{region}/{}/{account_id}_CloudTrail_{region}_{}T{:02}{:02}Z_{suffix16}.json.gz",
        root_path(prefix, org_id, account_id),
        day_folder(day),
        compact_date(day),
        hhmm.0,
        hhmm.1
    )
}

/// The key of a digest file: `…/CloudTrail-Digest/<region>/<date>/<account>_CloudTrail-Digest_<region>_<trail>_<region>_<yyyymmdd>T<hhmmss>Z.json.gz`.
pub fn digest_key(
    prefix: Option<&str>,
    org_id: Option<&str>,
    account_id: &str,
    region: &str,
    day: Day,
    hhmmss: (u32, u32, u32),
    trail: &str,
) -> String {
    format!(
        "{}/CloudTrail-Digest/{region}/{}/{account_id}_CloudTrail-Digest_{region}_{trail}_{region}_{}T{:02}{:02}{:02}Z.json.gz",
        root_path(prefix, org_id, account_id),
        day_folder(day),
        compact_date(day),
        hhmmss.0,
        hhmmss.1,
        hhmmss.2
    )
}

/// The key of an Insights delivery: like [`log_key`] under `CloudTrail-Insight`.
pub fn insight_key(
    prefix: Option<&str>,
    org_id: Option<&str>,
    account_id: &str,
    region: &str,
    day: Day,
    hhmm: (u32, u32),
    suffix16: &str,
) -> String {
    format!(
        "{}/CloudTrail-Insight/{region}/{}/{account_id}_CloudTrail-Insight_{region}_{}T{:02}{:02}Z_{suffix16}.json.gz",
        root_path(prefix, org_id, account_id),
        day_folder(day),
        compact_date(day),
        hhmm.0,
        hhmm.1
    )
}
