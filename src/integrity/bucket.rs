//! `trailwatch verify` over a bucket (INTEGRITY §7): every digest under a prefix whose
//! file-name time falls in a window is checked as if just delivered, then, when accounts are
//! expected, the heartbeat runs as of the window's end over every log prefix and organization
//! found.

use std::collections::BTreeSet;

use time::OffsetDateTime;

use super::heartbeat::{self, HeartbeatRequest};
use super::{verify_digest, Deadline, IntegrityError};
use crate::alert::Alert;
use crate::config::{ConfigError, Settings};
use crate::date::Date;
use crate::key::{Kind, LogKey};
use crate::ports::{AlertSink, ObjectSource, PublicKeys, SinkError, SourceError};

/// What to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketRequest {
    /// The bucket.
    pub bucket: String,
    /// Only keys under `<prefix>/`; empty for the whole bucket.
    pub prefix: String,
    /// Digests whose file-name time is at or after this; `None`: from the first.
    pub start: Option<OffsetDateTime>,
    /// Digests whose file-name time is at or before this; also the heartbeat's "now".
    pub end: OffsetDateTime,
    /// The accounts the heartbeat expects; `None` runs no heartbeat.
    pub expected_accounts: Option<BTreeSet<String>>,
}

/// What a run found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketReport {
    /// Keys listed.
    pub objects: usize,
    /// Digests checked.
    pub digests: usize,
    /// Integrity alerts written.
    pub alerts: usize,
    /// Digests that could not be checked (each logged by the caller from `failures`).
    pub failed: usize,
}

/// Why a run stopped, or which digests it could not check.
#[derive(Debug, thiserror::Error)]
pub enum BucketError {
    /// The bucket could not be listed.
    #[error("listing s3://{bucket}/{prefix}")]
    List {
        /// The bucket.
        bucket: String,
        /// The prefix listed.
        prefix: String,
        /// What failed.
        #[source]
        source: SourceError,
    },
    /// Alerts could not be written.
    #[error(transparent)]
    Sink(#[from] SinkError),
    /// The heartbeat cannot run as asked.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// Verifies the digests `request` names, writing alerts to `sink`. Digests that could not be
/// checked are returned beside the report, so that one unreadable object does not hide the
/// findings on all the others.
pub async fn verify_bucket<S: ObjectSource, P: PublicKeys, K: AlertSink>(
    settings: &Settings,
    source: &S,
    keys: &P,
    sink: &K,
    request: &BucketRequest,
) -> Result<(BucketReport, Vec<IntegrityError>), BucketError> {
    let under = if request.prefix.is_empty() {
        String::new()
    } else {
        format!("{}/", request.prefix.trim_end_matches('/'))
    };
    let objects = source
        .list(&request.bucket, &under)
        .await
        .map_err(|source| BucketError::List {
            bucket: request.bucket.clone(),
            prefix: under.clone(),
            source,
        })?;
    let mut report = BucketReport {
        objects: objects.len(),
        ..BucketReport::default()
    };
    let mut failures = Vec::new();
    // Keys dated up to the window's end parse; later ones are outside it anyway.
    let today = Date::of(request.end.max(OffsetDateTime::now_utc()));
    // Every `[prefix/]AWSLogs/[org/]` holding CloudTrail's files: where the heartbeat looks.
    let mut roots = BTreeSet::new();
    for object in &objects {
        let Ok(key) = LogKey::parse(&object.key, today) else {
            continue;
        };
        if key.kind != Kind::Other {
            roots.insert((key.prefix.clone().unwrap_or_default(), key.org_id.clone()));
        }
        let Some(name) = key.digest.as_ref().filter(|_| key.kind == Kind::Digest) else {
            continue;
        };
        let in_window =
            request.start.is_none_or(|start| name.time >= start) && name.time <= request.end;
        if !in_window {
            continue;
        }
        report.digests += 1;
        match verify_digest(settings, source, keys, object, &key, Deadline::NONE).await {
            Ok(alerts) => {
                let mut alerts = alerts.unwrap_or_default();
                report.alerts += alerts.len();
                Alert::name_accounts(&mut alerts, &settings.account_names);
                sink.publish(&alerts).await?;
            }
            Err(e) => {
                report.failed += 1;
                failures.push(e);
            }
        }
    }
    let Some(accounts) = &request.expected_accounts else {
        return Ok((report, failures));
    };
    if roots.is_empty() {
        roots.insert((request.prefix.trim_end_matches('/').to_owned(), None));
    }
    for (prefix, org_id) in roots {
        let beat = HeartbeatRequest {
            bucket: request.bucket.clone(),
            prefix,
            org_id,
            accounts: Some(accounts.clone()),
            regions: None,
            max_age_s: None,
            now: Some(request.end),
        };
        let plan = heartbeat::plan(&beat, settings, request.end)?;
        let mut alerts =
            heartbeat::run(&plan, source)
                .await
                .map_err(|source| BucketError::List {
                    bucket: request.bucket.clone(),
                    prefix: beat.prefix.clone(),
                    source,
                })?;
        report.alerts += alerts.len();
        Alert::name_accounts(&mut alerts, &settings.account_names);
        sink.publish(&alerts).await?;
    }
    Ok((report, failures))
}
