//! SIGMA.md sentence by sentence, one file per part of it; the helpers here load rules from text
//! and run them on one record.

use super::*;
use crate::record::{extract, FieldPlan, Fields, Record};

pub(super) const ID: &str = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";

/// A whole in-scope rule around `detection` (indented by the caller's two spaces).
pub(super) fn rule_with(detection: &str) -> String {
    format!(
        "title: t\nid: {ID}\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n{detection}\n"
    )
}

pub(super) fn source(text: &str) -> SigmaSource {
    SigmaSource {
        origin: "rules/test.yml".to_owned(),
        text: text.to_owned(),
    }
}

pub(super) fn load_one(text: &str) -> Result<Loaded, SigmaError> {
    load(&[source(text)])
}

/// The ids of the rules of `text` that match `record`.
pub(super) fn hits(text: &str, record: &str) -> Vec<String> {
    let loaded = load_one(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut plan = FieldPlan::new();
    let set = SigmaSet::compile(&loaded.rules, &mut plan);
    let mut fields = Fields::new(&plan);
    extract(&plan, record, &mut fields).unwrap();
    let rec = Record::new(record, &fields);
    let mut ids = Vec::new();
    set.for_each_match(&rec, |r| ids.push(r.rule_id.clone()));
    ids
}

/// Whether the rule with detection `detection` matches `record`.
pub(super) fn matches(detection: &str, record: &str) -> bool {
    !hits(&rule_with(detection), record).is_empty()
}

pub(super) fn load_error(text: &str) -> SigmaError {
    match load_one(text) {
        Ok(_) => panic!("loaded:\n{text}"),
        Err(e) => e,
    }
}

pub(super) fn detection_error(detection: &str) -> String {
    load_error(&rule_with(detection)).to_string()
}

/// Asserts that each detection fails the load with a message holding its fragment.
pub(super) fn refused(cases: &[(&str, &str)]) {
    for (detection, want) in cases {
        let e = detection_error(detection);
        assert!(e.contains(want), "{detection}\n→ {e}");
    }
}

mod conditions;
mod loading;
mod searches;
mod values;
