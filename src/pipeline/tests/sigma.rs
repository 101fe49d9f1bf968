//! Sigma rules in the pipeline: their alerts beside the filter-pattern rules', and their ids.

use super::*;

/// A Sigma rule on CloudTrail's own trail changes, with tags.
pub(super) const TRAIL_SIGMA: &str = "title: Trail changed\nid: 7d3c1a2b-0000-4000-8000-0000000000c5\nlevel: critical\ntags: [attack.defense-evasion, attack.t1562.008]\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  trail:\n    eventSource: cloudtrail.amazonaws.com\n  condition: trail\n";

pub(super) fn sigma_rules(text: &str) -> Vec<crate::sigma::SigmaRule> {
    let source = crate::sigma::SigmaSource {
        origin: "trail.yml".into(),
        text: text.into(),
    };
    crate::sigma::load(&[source]).unwrap().rules
}

#[tokio::test]
async fn sigma_alerts_follow_the_filter_rules_and_carry_tags() {
    let pipeline = pipeline(Settings::default())
        .with_sigma(&sigma_rules(TRAIL_SIGMA))
        .unwrap();
    let key = key("sigmasigmasigmas");
    let source = MemorySource::default()
        .with(&key, hits(&["CloudWatch.5", "CloudWatch.1"]))
        .with_acl(&key, Ok(full_control()));
    let sink = Recorder::default();
    pipeline
        .process_object(&source, &NO_KEYS, &sink, &object(&key), Deadline::NONE)
        .await
        .unwrap();
    let sigma_id = "sigma.7d3c1a2b-0000-4000-8000-0000000000c5";
    assert_eq!(sink.rule_ids(), ["CloudWatch.5", sigma_id, "CloudWatch.1"]);
    let alerts = sink.alerts();
    let sigma = serde_json::to_value(&alerts[1]).unwrap();
    assert_eq!(sigma["title"], "Trail changed");
    assert_eq!(sigma["severity"], "critical");
    assert_eq!(
        sigma["tags"],
        json!(["attack.defense-evasion", "attack.t1562.008"])
    );
    assert_eq!(sigma["event_source"], "cloudtrail.amazonaws.com");
    assert_eq!(serde_json::to_value(&alerts[0]).unwrap()["tags"], json!([]));
}

#[test]
fn a_sigma_rule_may_not_take_a_rules_rule_id() {
    let custom = "[[rules]]\nid = \"sigma.7d3c1a2b-0000-4000-8000-0000000000c5\"\ntitle = \"t\"\nseverity = \"low\"\npattern = \"{ $.a = 1 }\"\n";
    let defs = effective_rules(Some(("custom.toml", custom))).unwrap();
    let Err(e) = Pipeline::new(Settings::default(), &defs)
        .unwrap()
        .with_sigma(&sigma_rules(TRAIL_SIGMA))
    else {
        panic!("the clash was accepted");
    };
    assert_eq!(
        e.to_string(),
        "sigma: trail.yml:1: rule id `sigma.7d3c1a2b-0000-4000-8000-0000000000c5` is already a --rules rule's id"
    );
}
