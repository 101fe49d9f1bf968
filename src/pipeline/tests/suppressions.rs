//! Suppressions in the pipeline: what they hold back, what they count, what they never touch.

use super::sigma::{sigma_rules, TRAIL_SIGMA};
use super::*;

/// Rules-file suppressions: a live one for CloudWatch.1, an expired one for CloudWatch.5 and a
/// glob over every Sigma rule, all on records of the production account.
const SUPPRESSIONS: &str = r#"
[[suppress]]
rule = "CloudWatch.1"
pattern = '{ $.recipientAccountId = "123456789012" }'
reason = "break-glass drill"
expires = 9999-12-31

[[suppress]]
rule = "CloudWatch.5"
pattern = '{ $.recipientAccountId = "123456789012" }'
reason = "the old migration"
expires = 2020-01-01

[[suppress]]
rule = "sigma.*"
pattern = '{ $.recipientAccountId = "123456789012" }'
reason = "Sigma trial in production"
expires = 9999-12-31
"#;

pub(super) fn suppressing(file: &str) -> Pipeline {
    let defs = crate::rules::effective_suppressions(Some(("custom.toml", file))).unwrap();
    pipeline(Settings::default())
        .with_sigma(&sigma_rules(TRAIL_SIGMA))
        .unwrap()
        .with_suppressions(&defs)
        .unwrap()
}

#[tokio::test]
async fn live_suppressions_hold_back_detections_and_count_them() {
    let key = key("suppresssuppress");
    let source = MemorySource::default()
        .with(&key, hits(&["CloudWatch.5", "CloudWatch.1"]))
        .with_acl(&key, Ok(full_control()));
    let sink = Recorder::default();
    let report = suppressing(SUPPRESSIONS)
        .process_object(&source, &NO_KEYS, &sink, &object(&key), Deadline::NONE)
        .await
        .unwrap();
    // CloudWatch.1 and the Sigma rule are suppressed; CloudWatch.5's suppression has expired.
    assert_eq!(sink.rule_ids(), ["CloudWatch.5"]);
    assert_eq!((report.detections, report.suppressed), (1, 2));
    let mut stats = Stats::default();
    stats.add(&report);
    assert_eq!(serde_json::to_value(&stats).unwrap()["suppressed"], 2);
}

#[tokio::test]
async fn delivery_alerts_are_never_suppressed() {
    let everything = "[[suppress]]\nrule = \"*\"\npattern = '{ $.eventVersion EXISTS }'\nreason = \"all of it\"\nexpires = 9999-12-31\n";
    let key = key("deliverydelivery");
    let source = MemorySource::default()
        .with(&key, hits(&["CloudWatch.5", "CloudWatch.1"]))
        .with_acl(&key, Ok(writer_only()));
    let sink = Recorder::default();
    let report = suppressing(everything)
        .process_object(&source, &NO_KEYS, &sink, &object(&key), Deadline::NONE)
        .await
        .unwrap();
    assert_eq!(sink.rule_ids(), ["delivery.acl"]);
    assert_eq!((report.detections, report.suppressed), (0, 3));
}
