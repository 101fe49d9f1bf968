//! What processing reports: one object's counts, and the totals over many that
//! `trailwatch replay --stats` writes.

use serde::Serialize;

use crate::key::Kind;

/// What happened to one object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectReport {
    /// The key's kind; `None` when the key did not parse.
    pub kind: Option<Kind>,
    /// The account folder the key names; `None` when it names none or did not parse.
    pub account_id: Option<String>,
    /// Records read and evaluated.
    pub records: u64,
    /// Detection alerts raised.
    pub detections: u64,
    /// Detections a live suppression covered: counted here, not published.
    pub suppressed: u64,
    /// Delivery alerts raised.
    pub delivery_alerts: u64,
    /// Integrity alerts raised (a digest's own, and those about the logs it lists).
    pub integrity_alerts: u64,
    /// Bytes of the object as stored read while decoding its records (0 when none were read:
    /// a digest, a key refused before reading).
    pub compressed_bytes: u64,
    /// Bytes out of the decompressor while decoding its records.
    pub decompressed_bytes: u64,
}

/// Totals over many objects, as `trailwatch replay --stats` writes them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Objects processed.
    pub objects: u64,
    /// Objects whose key is a CloudTrail log file.
    pub logs: u64,
    /// Objects whose key is a digest file.
    pub digests: u64,
    /// Objects whose key is an Insights events file.
    pub insights: u64,
    /// Objects whose key is not CloudTrail's.
    pub other: u64,
    /// Objects that raised at least one delivery alert.
    pub invalid: u64,
    /// Records read and evaluated, over every object.
    pub records: u64,
    /// Detection alerts raised, over every object.
    pub detections: u64,
    /// Delivery alerts raised, over every object.
    pub delivery_alerts: u64,
    /// Detections suppressed, over every object: added after DESIGN §8's fields.
    pub suppressed: u64,
    /// Integrity alerts raised, over every object. Not in `--stats`, whose fields DESIGN §8
    /// fixes; the handler's summary and the CLI's log report it.
    #[serde(skip)]
    pub integrity_alerts: u64,
    /// Bytes of the objects as stored, read while decoding their records. Not in `--stats`
    /// (DESIGN §8); the function's metrics report it.
    #[serde(skip)]
    pub compressed_bytes: u64,
    /// Bytes out of the decompressor, over every object; a metric, not in `--stats`.
    #[serde(skip)]
    pub decompressed_bytes: u64,
}

impl Stats {
    /// Adds one object's report.
    pub fn add(&mut self, report: &ObjectReport) {
        self.objects += 1;
        match report.kind {
            Some(Kind::Log) => self.logs += 1,
            Some(Kind::Digest) => self.digests += 1,
            Some(Kind::Insight) => self.insights += 1,
            Some(Kind::Other) => self.other += 1,
            None => {}
        }
        if report.delivery_alerts > 0 {
            self.invalid += 1;
        }
        self.records += report.records;
        self.detections += report.detections;
        self.suppressed += report.suppressed;
        self.delivery_alerts += report.delivery_alerts;
        self.integrity_alerts += report.integrity_alerts;
        self.compressed_bytes += report.compressed_bytes;
        self.decompressed_bytes += report.decompressed_bytes;
    }
}
