//! What one invocation measured, written as CloudWatch Embedded Metric Format (EMF) log lines in
//! namespace `trailwatch`: Lambda hands stdout to CloudWatch Logs, which extracts the metrics,
//! so no metric costs an API call or a permission.
//!
//! Each document is one JSON object on one line: `_aws` holds `Timestamp` (milliseconds since
//! the epoch) and one metric directive (`Namespace`, `Dimensions` as an array of dimension-name
//! arrays, `Metrics` as `{Name, Unit}`), and the dimension values (strings) and metric values
//! (numbers, or arrays of at most [`MAX_VALUES`] numbers) are top-level members.
//!
//! Dimensions are kept few and bounded, since every distinct value set is a metric billed per
//! month: the invocation's totals (no dimension), one document per key [`Kind`](crate::key::Kind)
//! met (`log`, `digest`, `insight`, `other`, or `invalid` for a key that did not parse), and
//! one per account, for the accounts the deployment expects only. An organisation's accounts
//! are not a bound (a thousand accounts would be a thousand streams per metric), and capping
//! the account documents of one invocation would bound a line count, not the streams, which
//! add up over invocations; the expected accounts are the deployment's own bounded list. Other
//! accounts count in the totals and their kind; their alerts name them.
//!
//! `ProcessingDuration` has one value per object, failed or not; `AlertLatency` one per object
//! that raised at least one alert and whose event gave its creation time, from that time to
//! when the object's last alert was published. Values past [`MAX_VALUES`] go on in further
//! documents of the same dimensions, which carry those samples only.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::time::Duration;

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::alert::{Alert, AlertKind};
use crate::pipeline::{ObjectReport, Stats};

/// The CloudWatch namespace of every metric.
pub const NAMESPACE: &str = "trailwatch";

/// The most values one metric member may hold in one document (the EMF limit).
pub const MAX_VALUES: usize = 100;

/// The dimension of the per-kind documents.
pub const KIND: &str = "Kind";

/// The dimension of the per-account documents.
pub const ACCOUNT_ID: &str = "AccountId";

/// The kind of an object whose key did not parse.
const INVALID: &str = "invalid";

/// Every metric trailwatch writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Objects processed (alerts published, delivery alerts included).
    Objects,
    /// Objects whose processing failed, and SQS messages or Batch Operations tasks that name
    /// no readable object: what the trigger is told failed. Totals only.
    Failures,
    /// Records read and evaluated.
    Records,
    /// Bytes of the objects as stored, read while decoding their records.
    CompressedBytes,
    /// Bytes out of the decompressor.
    DecompressedBytes,
    /// Detection alerts published.
    Detections,
    /// Delivery alerts published.
    DeliveryAlerts,
    /// Integrity alerts published (digests', and the heartbeat's `digest-late`).
    IntegrityAlerts,
    /// Detections a live suppression matched, not published.
    SuppressedDetections,
    /// Time to process one object.
    ProcessingDuration,
    /// From an object's creation to the publication of its alerts.
    AlertLatency,
}

impl Metric {
    /// Every metric, in the order the documents list them.
    pub const ALL: [Metric; 11] = [
        Metric::Objects,
        Metric::Failures,
        Metric::Records,
        Metric::CompressedBytes,
        Metric::DecompressedBytes,
        Metric::Detections,
        Metric::DeliveryAlerts,
        Metric::IntegrityAlerts,
        Metric::SuppressedDetections,
        Metric::ProcessingDuration,
        Metric::AlertLatency,
    ];

    /// The metric's name in CloudWatch.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Objects => "Objects",
            Metric::Failures => "Failures",
            Metric::Records => "Records",
            Metric::CompressedBytes => "CompressedBytes",
            Metric::DecompressedBytes => "DecompressedBytes",
            Metric::Detections => "Detections",
            Metric::DeliveryAlerts => "DeliveryAlerts",
            Metric::IntegrityAlerts => "IntegrityAlerts",
            Metric::SuppressedDetections => "SuppressedDetections",
            Metric::ProcessingDuration => "ProcessingDuration",
            Metric::AlertLatency => "AlertLatency",
        }
    }

    /// Its CloudWatch unit.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::CompressedBytes | Metric::DecompressedBytes => "Bytes",
            Metric::ProcessingDuration | Metric::AlertLatency => "Milliseconds",
            _ => "Count",
        }
    }
}

/// The counts and samples of one dimension value set: the objects' totals as `replay --stats`
/// adds them, and what only metrics have.
#[derive(Debug, Default, Clone, PartialEq)]
struct Group {
    totals: Stats,
    failures: u64,
    durations: Vec<f64>,
    latencies: Vec<f64>,
}

impl Group {
    fn add(&mut self, report: &ObjectReport, duration: f64, latency: Option<f64>) {
        self.totals.add(report);
        self.durations.push(duration);
        self.latencies.extend(latency);
    }

    fn count(&self, metric: Metric) -> Option<u64> {
        let t = &self.totals;
        Some(match metric {
            Metric::Objects => t.objects,
            Metric::Failures => self.failures,
            Metric::Records => t.records,
            Metric::CompressedBytes => t.compressed_bytes,
            Metric::DecompressedBytes => t.decompressed_bytes,
            Metric::Detections => t.detections,
            Metric::DeliveryAlerts => t.delivery_alerts,
            Metric::IntegrityAlerts => t.integrity_alerts,
            Metric::SuppressedDetections => t.suppressed,
            Metric::ProcessingDuration | Metric::AlertLatency => return None,
        })
    }

    fn samples(&self, metric: Metric) -> Option<&[f64]> {
        match metric {
            Metric::ProcessingDuration => Some(&self.durations),
            Metric::AlertLatency => Some(&self.latencies),
            _ => None,
        }
    }
}

/// What one invocation measured, by dimension value set.
#[derive(Debug)]
pub struct Tally<'a> {
    expected_accounts: Option<&'a BTreeSet<String>>,
    total: Group,
    kinds: BTreeMap<&'static str, Group>,
    accounts: BTreeMap<String, Group>,
}

impl<'a> Tally<'a> {
    /// An empty tally that gives per-account documents to `expected_accounts` only (none when
    /// `None`).
    pub fn new(expected_accounts: Option<&'a BTreeSet<String>>) -> Tally<'a> {
        Tally {
            expected_accounts,
            total: Group::default(),
            kinds: BTreeMap::new(),
            accounts: BTreeMap::new(),
        }
    }

    /// Counts an object processed in `duration`, whose alerts were all published by
    /// `published`; `created` is when its event says it was created.
    pub fn processed(
        &mut self,
        report: &ObjectReport,
        duration: Duration,
        created: Option<OffsetDateTime>,
        published: OffsetDateTime,
    ) {
        let alerted = report.detections + report.delivery_alerts + report.integrity_alerts > 0;
        let latency = created
            .filter(|_| alerted)
            .and_then(|created| latency(created, published))
            .map(millis);
        let duration = millis(duration);
        self.total.add(report, duration, latency);
        let kind = report.kind.map_or(INVALID, |k| k.as_str());
        self.kinds
            .entry(kind)
            .or_default()
            .add(report, duration, latency);
        if let Some(account) = &report.account_id {
            if self.expected_accounts.is_some_and(|a| a.contains(account)) {
                self.accounts
                    .entry(account.clone())
                    .or_default()
                    .add(report, duration, latency);
            }
        }
    }

    /// Counts an object whose processing failed after `duration`, or (`None`) a message or
    /// task that names no readable object.
    pub fn failed(&mut self, duration: Option<Duration>) {
        self.total.failures += 1;
        self.total.durations.extend(duration.map(millis));
    }

    /// Counts alerts published outside any object (the heartbeat's).
    pub fn published(&mut self, alerts: &[Alert]) {
        for alert in alerts {
            match alert.kind {
                AlertKind::Detection => self.total.totals.detections += 1,
                AlertKind::Delivery => self.total.totals.delivery_alerts += 1,
                AlertKind::Integrity => self.total.totals.integrity_alerts += 1,
            }
        }
    }

    /// The EMF documents, stamped `at`: the totals first (always, so that an invocation with
    /// nothing to count still reports its zeros), then each kind, then each expected account.
    pub fn documents(&self, at: OffsetDateTime) -> Vec<Value> {
        let timestamp = at.unix_timestamp_nanos() / 1_000_000;
        let mut documents = group_documents(&self.total, None, timestamp);
        for (kind, group) in &self.kinds {
            documents.extend(group_documents(group, Some((KIND, kind)), timestamp));
        }
        for (account, group) in &self.accounts {
            documents.extend(group_documents(
                group,
                Some((ACCOUNT_ID, account)),
                timestamp,
            ));
        }
        documents
    }
}

/// How long after `created` the alerts went out at `published`; `None` when `created` is later,
/// which only clocks that disagree can say.
pub fn latency(created: OffsetDateTime, published: OffsetDateTime) -> Option<Duration> {
    Duration::try_from(published - created).ok()
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// One group's documents: its counts and the first [`MAX_VALUES`] samples of each distribution,
/// then as many documents as the remaining samples need.
fn group_documents(group: &Group, dimension: Option<(&str, &str)>, timestamp: i128) -> Vec<Value> {
    let mut documents = Vec::new();
    for part in 0.. {
        let mut members = Map::new();
        let mut metrics = Vec::new();
        for metric in Metric::ALL {
            // Failures are counted for the whole invocation: a failed object has no report to
            // say its kind or account.
            if metric == Metric::Failures && dimension.is_some() {
                continue;
            }
            let value = match (group.count(metric), group.samples(metric)) {
                (Some(count), _) if part == 0 => json!(count),
                (_, Some(samples)) => match samples.chunks(MAX_VALUES).nth(part) {
                    Some(chunk) => json!(chunk),
                    None => continue,
                },
                _ => continue,
            };
            members.insert(metric.name().to_string(), value);
            metrics.push(json!({"Name": metric.name(), "Unit": metric.unit()}));
        }
        if metrics.is_empty() {
            break;
        }
        let dimensions: Vec<&str> = dimension.iter().map(|(name, _)| *name).collect();
        if let Some((name, value)) = dimension {
            members.insert(name.to_string(), json!(value));
        }
        members.insert(
            "_aws".to_string(),
            json!({
                "Timestamp": timestamp,
                "CloudWatchMetrics": [{
                    "Namespace": NAMESPACE,
                    "Dimensions": [dimensions],
                    "Metrics": metrics,
                }],
            }),
        );
        documents.push(Value::Object(members));
    }
    documents
}

/// Writes each document as one line with a single `write_all`: the log lines around it are
/// written the same way under stdout's lock, so none can land inside it.
pub fn write(documents: &[Value], out: &mut impl Write) -> io::Result<()> {
    for document in documents {
        let mut line = serde_json::to_vec(document)?;
        line.push(b'\n');
        out.write_all(&line)?;
    }
    Ok(())
}

/// Writes the documents to stdout, where Lambda's log agent reads them. A failure is logged and
/// goes no further: losing a metric must not fail the invocation that raised the alerts.
pub fn emit(documents: &[Value]) {
    let written = write(documents, &mut io::stdout().lock());
    if let Err(e) = written {
        tracing::warn!(error = %e, "The invocation's metrics could not be written; they are lost.");
    }
}

#[cfg(test)]
mod tests;
