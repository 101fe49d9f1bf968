//! The heartbeat (INTEGRITY §5): for every expected account and region, the newest standard
//! digest must be younger than the allowed age. A trail that stops, or whose validation is
//! switched off, writes nothing for its digests to be checked against; only their absence
//! shows it.
//!
//! The request is what EventBridge Scheduler sends, checked as strictly as a configuration
//! ([`HeartbeatRequest::from_value`]); [`plan`] fills its defaults from the settings; [`run`]
//! lists only the day folders the age window covers.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::alert::{Alert, IntegrityProblem};
use crate::config::{env, is_bucket_name, parse_org_id, ConfigError, Settings};
use crate::date::Date;
use crate::key::{is_account_id, is_region, Kind, LogKey};
use crate::ports::{ObjectSource, SourceError};

/// The value of `trailwatch` that makes an invocation a heartbeat.
pub const MARKER: &str = "heartbeat";

/// The slack beyond the allowed age that the listing covers, so that a late digest is named
/// rather than reported as none.
const LOOKBACK: Duration = Duration::hours(24);

/// A heartbeat invocation's payload:
/// `{"trailwatch":"heartbeat","bucket","prefix","org_id","accounts","regions","max_age_s","now"}`,
/// only `trailwatch` and `bucket` required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeartbeatRequest {
    /// The bucket the trails deliver to.
    pub bucket: String,
    /// The log file prefix, without slashes at either end; empty for none.
    pub prefix: String,
    /// The organization folder of an organization trail.
    pub org_id: Option<String>,
    /// The accounts to check; `None` for the configured expected accounts.
    pub accounts: Option<BTreeSet<String>>,
    /// The regions to check; `None` for the configured regions, else those with digest folders.
    pub regions: Option<BTreeSet<String>>,
    /// The allowed age in seconds; `None` for the configured one.
    pub max_age_s: Option<u64>,
    /// The time to judge by; `None` for the invocation's.
    pub now: Option<OffsetDateTime>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Payload {
    trailwatch: String,
    bucket: String,
    #[serde(default)]
    prefix: Option<String>,
    #[serde(default)]
    org_id: Option<String>,
    #[serde(default)]
    accounts: Option<Vec<String>>,
    #[serde(default)]
    regions: Option<Vec<String>>,
    #[serde(default)]
    max_age_s: Option<u64>,
    #[serde(default)]
    now: Option<String>,
}

impl HeartbeatRequest {
    /// Whether `event` asks for a heartbeat (`"trailwatch": "heartbeat"`).
    pub fn is_heartbeat(event: &Value) -> bool {
        event.get("trailwatch").and_then(Value::as_str) == Some(MARKER)
    }

    /// The request in `event`; an unknown member or a bad value is an error naming it, as a
    /// misconfigured schedule must fail loudly rather than check the wrong thing.
    pub fn from_value(event: &Value) -> Result<HeartbeatRequest, ConfigError> {
        let payload = Payload::deserialize(event)
            .map_err(|e| ConfigError::new("heartbeat", e.to_string()))?;
        if payload.trailwatch != MARKER {
            return Err(ConfigError::new(
                "heartbeat.trailwatch",
                format!("`{}` is not `{MARKER}`", payload.trailwatch),
            ));
        }
        if !is_bucket_name(&payload.bucket) {
            return Err(ConfigError::new(
                "heartbeat.bucket",
                format!("`{}` is not an S3 bucket name", payload.bucket),
            ));
        }
        let prefix = payload
            .prefix
            .unwrap_or_default()
            .trim_matches('/')
            .to_owned();
        if prefix.split('/').any(|segment| segment.is_empty()) && !prefix.is_empty() {
            return Err(ConfigError::new(
                "heartbeat.prefix",
                format!("`{prefix}` has an empty folder"),
            ));
        }
        let org_id = payload
            .org_id
            .map(|o| parse_org_id("heartbeat.org_id", &o))
            .transpose()?;
        let list = |name: &str, items: Option<Vec<String>>, valid: fn(&str) -> bool, what: &str| {
            items
                .map(|items| {
                    let set: BTreeSet<String> = items.into_iter().collect();
                    match set.iter().find(|item| !valid(item)) {
                        Some(bad) => Err(ConfigError::new(name, format!("`{bad}` is not {what}"))),
                        None if set.is_empty() => Err(ConfigError::new(
                            name,
                            "is empty; leave it out for the default",
                        )),
                        None => Ok(set),
                    }
                })
                .transpose()
        };
        let accounts = list(
            "heartbeat.accounts",
            payload.accounts,
            is_account_id,
            "a 12-digit account id",
        )?;
        let regions = list(
            "heartbeat.regions",
            payload.regions,
            is_region,
            "a region name",
        )?;
        if payload.max_age_s == Some(0) {
            return Err(ConfigError::new("heartbeat.max_age_s", "must be positive"));
        }
        let now = payload
            .now
            .map(|text| {
                OffsetDateTime::parse(&text, &Rfc3339).map_err(|e| {
                    ConfigError::new(
                        "heartbeat.now",
                        format!("`{text}` is not an RFC 3339 time: {e}"),
                    )
                })
            })
            .transpose()?;
        Ok(HeartbeatRequest {
            bucket: payload.bucket,
            prefix,
            org_id,
            accounts,
            regions,
            max_age_s: payload.max_age_s,
            now,
        })
    }
}

/// A heartbeat with every default filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heartbeat {
    bucket: String,
    /// `[prefix/]AWSLogs/[org_id/]`.
    root: String,
    accounts: BTreeSet<String>,
    regions: Option<BTreeSet<String>>,
    max_age: Duration,
    now: OffsetDateTime,
}

/// `request` with the defaults of `settings`, judged at `now` unless it names a time. No
/// account list anywhere is a configuration error.
pub fn plan(
    request: &HeartbeatRequest,
    settings: &Settings,
    now: OffsetDateTime,
) -> Result<Heartbeat, ConfigError> {
    let accounts = request
        .accounts
        .clone()
        .or_else(|| settings.expected_accounts.clone())
        .ok_or_else(|| {
            ConfigError::new(
                env::EXPECTED_ACCOUNTS,
                "is required for a heartbeat that names no accounts",
            )
        })?;
    let max_age_s = request
        .max_age_s
        .unwrap_or(settings.max_digest_age_s)
        .min(i64::MAX as u64);
    let mut root = String::new();
    if !request.prefix.is_empty() {
        root.push_str(&request.prefix);
        root.push('/');
    }
    root.push_str("AWSLogs/");
    if let Some(org) = &request.org_id {
        root.push_str(org);
        root.push('/');
    }
    Ok(Heartbeat {
        bucket: request.bucket.clone(),
        root,
        accounts,
        regions: request.regions.clone().or_else(|| settings.regions.clone()),
        max_age: Duration::seconds(max_age_s as i64),
        now: request.now.unwrap_or(now),
    })
}

/// Lists each account's and region's recent digests and returns a `digest-late` alert for each
/// pair whose newest standard digest is older than allowed, or missing.
pub async fn run<S: ObjectSource>(
    heartbeat: &Heartbeat,
    source: &S,
) -> Result<Vec<Alert>, SourceError> {
    let mut alerts = Vec::new();
    let since = heartbeat.now - heartbeat.max_age - LOOKBACK;
    for account in &heartbeat.accounts {
        let digests = format!("{}{account}/CloudTrail-Digest/", heartbeat.root);
        let regions = match &heartbeat.regions {
            Some(regions) => regions.clone(),
            None => {
                let found: BTreeSet<String> = source
                    .folders(&heartbeat.bucket, &digests)
                    .await?
                    .into_iter()
                    .filter(|region| is_region(region))
                    .collect();
                if found.is_empty() {
                    alerts.push(Alert::integrity(
                        IntegrityProblem::DigestLate,
                        &heartbeat.bucket,
                        None,
                        Some(account),
                        None,
                        format!(
                            "Account {account} has no digest folder for any region under s3://{}/{digests}: it has never delivered a digest here.",
                            heartbeat.bucket
                        ),
                    ));
                    continue;
                }
                found
            }
        };
        for region in &regions {
            let newest = newest_digest(heartbeat, source, &digests, account, region, since).await?;
            let reason = match &newest {
                Some((_, written)) if heartbeat.now - *written <= heartbeat.max_age => continue,
                Some((key, written)) => format!(
                    "The newest digest of account {account} in {region}, s3://{}/{key}, was written at {}, {} before {} (more than the {} allowed).",
                    heartbeat.bucket,
                    rfc3339(*written),
                    span(heartbeat.now - *written),
                    rfc3339(heartbeat.now),
                    span(heartbeat.max_age),
                ),
                None => format!(
                    "Account {account} wrote no digest in {region} between {} and {} (the {} allowed plus {} before).",
                    rfc3339(since),
                    rfc3339(heartbeat.now),
                    span(heartbeat.max_age),
                    span(LOOKBACK),
                ),
            };
            alerts.push(Alert::integrity(
                IntegrityProblem::DigestLate,
                &heartbeat.bucket,
                newest.as_ref().map(|(key, _)| key.as_str()),
                Some(account),
                Some(region),
                reason,
            ));
        }
    }
    Ok(alerts)
}

/// The newest standard digest of `account` in `region` written in (`since`, now], listing only
/// the day folders of that window.
async fn newest_digest<S: ObjectSource>(
    heartbeat: &Heartbeat,
    source: &S,
    digests: &str,
    account: &str,
    region: &str,
    since: OffsetDateTime,
) -> Result<Option<(String, OffsetDateTime)>, SourceError> {
    let today = Date::of(heartbeat.now);
    let mut newest: Option<(String, OffsetDateTime)> = None;
    let mut day = since.date();
    while day <= heartbeat.now.date() {
        let folder = format!(
            "{digests}{region}/{:04}/{:02}/{:02}/",
            day.year(),
            u8::from(day.month()),
            day.day()
        );
        for object in source.list(&heartbeat.bucket, &folder).await? {
            let Ok(key) = LogKey::parse(&object.key, today) else {
                continue;
            };
            let Some(name) = key.digest.as_ref().filter(|_| key.kind == Kind::Digest) else {
                continue;
            };
            let ours =
                key.account_id.as_deref() == Some(account) && key.region.as_deref() == Some(region);
            let in_window = name.time > since && name.time <= heartbeat.now;
            if ours
                && in_window
                && !name.backfill
                && newest.as_ref().is_none_or(|(_, t)| name.time > *t)
            {
                newest = Some((object.key.clone(), name.time));
            }
        }
        let Some(next) = day.next_day() else { break };
        day = next;
    }
    Ok(newest)
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

/// `2h 5m`, `45m 10s`.
fn span(duration: Duration) -> String {
    let total = duration.whole_seconds().max(0);
    let (hours, minutes, seconds) = (total / 3600, total % 3600 / 60, total % 60);
    match (hours, minutes, seconds) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m {s}s"),
        (h, m, _) => format!("{h}h {m}m"),
    }
}
