//! Hostile deliveries through the CLI's whole pipeline (`trailwatch replay` over a folder shaped
//! like the bucket), one process per file so that its peak memory is measured on its own.
//!
//! For every input: the expected delivery alert (or none), the good records of a partly-bad
//! file still evaluated, no panic, and peak RSS within a bound derived from the limits in force.
//! Large inputs (gzip bombs, a 50 MiB string) are generated here, not checked in.

mod bodies;
mod keys;
mod measured;

use serde_json::Value;

pub use measured::{replay_one, Outcome};

/// The account every hostile delivery claims, and the day it claims.
pub const ACCOUNT: &str = "123456789012";
pub const DAY: (i32, u32, u32) = (2025, 3, 14);

/// A log key in Production's us-east-1 folder for the day.
pub fn log_key(suffix: &str) -> String {
    trailwatch_synth::log_key(None, None, ACCOUNT, "us-east-1", DAY, (9, 5), suffix)
}

/// A record that fires CloudWatch.5 (StopLogging), as JSON text.
pub fn stop_logging(event_id: &str) -> String {
    let mut record =
        trailwatch_synth::cis_hit("CloudWatch.5", ACCOUNT, "us-east-1", "2025-03-14T09:01:30Z")
            .expect("CloudWatch.5 is in the pack");
    record["eventID"] = Value::from(event_id);
    record.to_string()
}

/// The measuring runner and a debug build of the CLI sit near 10 MiB; an ordinary file must
/// not move that far.
pub const SMALL_RSS_MIB: u64 = 24;

/// What a run must show.
pub struct Expect<'a> {
    /// Records evaluated.
    pub records: u64,
    /// Event ids of the detections (all CloudWatch.5 here), in order.
    pub detections: &'a [&'a str],
    /// The delivery alert's rule id and a piece of its reason, if one is due.
    pub delivery: Option<(&'a str, &'a str)>,
    /// Peak resident memory allowed, in MiB.
    pub max_rss_mib: u64,
}

impl Outcome {
    /// Asserts `expect`, naming `case` in every failure.
    pub fn check(&self, case: &str, expect: &Expect<'_>) {
        assert_eq!(self.exit_code, Some(0), "{case}: exit\n{}", self.stderr);
        assert!(
            !self.stderr.contains("panicked"),
            "{case}: panic\n{}",
            self.stderr
        );
        let detections: Vec<&str> = self
            .alerts
            .iter()
            .filter(|a| a["kind"] == "detection")
            .map(|a| a["event_id"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(detections, expect.detections, "{case}: detections");
        let delivery: Vec<&Value> = self
            .alerts
            .iter()
            .filter(|a| a["kind"] == "delivery")
            .collect();
        match expect.delivery {
            None => assert!(delivery.is_empty(), "{case}: unexpected {delivery:?}"),
            Some((rule_id, reason)) => {
                assert_eq!(delivery.len(), 1, "{case}: delivery alerts {delivery:?}");
                assert_eq!(delivery[0]["rule_id"], rule_id, "{case}");
                let said = delivery[0]["reason"].as_str().unwrap_or_default();
                assert!(said.contains(reason), "{case}: reason {said:?}");
            }
        }
        assert_eq!(self.stats["records"], expect.records, "{case}: records");
        assert!(
            self.peak_rss_kib <= expect.max_rss_mib << 10,
            "{case}: peak RSS {} KiB over {} MiB",
            self.peak_rss_kib,
            expect.max_rss_mib
        );
        eprintln!(
            "{case}: peak RSS {:.1} MiB, {:.2} s",
            self.peak_rss_kib as f64 / 1024.0,
            self.seconds
        );
    }
}
