//! The metric lines a `bootstrap` wrote, read back and held to the Embedded Metric Format: the
//! `_aws` envelope, its one directive's namespace, dimension sets and metric definitions, and
//! the members they name at the top level.

use std::collections::BTreeSet;
use std::ops::RangeInclusive;

use serde_json::{Map, Value};

/// The units CloudWatch accepts (MetricDatum's `Unit`).
const UNITS: &[&str] = &[
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

/// One metric document: its dimension names and its top-level members.
#[derive(Debug)]
pub(crate) struct Document {
    pub dimensions: Vec<String>,
    pub members: Map<String, Value>,
}

impl Document {
    /// The value of the dimension named `name`, if the document has it.
    pub(crate) fn dimension(&self, name: &str) -> Option<&str> {
        self.dimensions
            .iter()
            .any(|d| d == name)
            .then(|| self.members[name].as_str().unwrap())
    }

    /// A count metric's value.
    pub(crate) fn count(&self, metric: &str) -> u64 {
        self.members[metric]
            .as_u64()
            .unwrap_or_else(|| panic!("{metric} is not a count: {:?}", self.members))
    }

    /// A distribution's values; none when the document leaves the metric out.
    pub(crate) fn samples(&self, metric: &str) -> Vec<f64> {
        self.members.get(metric).map_or_else(Vec::new, |v| {
            v.as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_f64().unwrap())
                .collect()
        })
    }
}

/// Every metric document in `stdout`, in order, each checked against the format (and its
/// timestamp against `written`, milliseconds since the epoch). Every line of stdout must be
/// one whole JSON object, so a log line written into a metric line (or the other way round)
/// fails here.
pub(crate) fn documents(stdout: &str, written: RangeInclusive<i64>) -> Vec<Document> {
    let mut found = Vec::new();
    for line in stdout.lines().filter(|l| !l.is_empty()) {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("a stdout line that is not one JSON object ({e}): {line}"));
        let Value::Object(members) = value else {
            panic!("a stdout line that is not a JSON object: {line}");
        };
        if members.contains_key("_aws") {
            found.push(validated(members, &written, line));
        }
    }
    found
}

fn validated(members: Map<String, Value>, written: &RangeInclusive<i64>, line: &str) -> Document {
    let aws = members["_aws"]
        .as_object()
        .unwrap_or_else(|| panic!("_aws is not an object: {line}"));
    let keys: BTreeSet<&str> = aws.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["CloudWatchMetrics", "Timestamp"]),
        "{line}"
    );
    let timestamp = aws["Timestamp"]
        .as_i64()
        .unwrap_or_else(|| panic!("Timestamp is not an integer: {line}"));
    assert!(
        written.contains(&timestamp),
        "Timestamp {timestamp} outside the run {written:?}: {line}"
    );
    let directives = aws["CloudWatchMetrics"].as_array().unwrap();
    assert_eq!(directives.len(), 1, "one directive per document: {line}");
    let directive = directives[0].as_object().unwrap();
    let keys: BTreeSet<&str> = directive.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["Dimensions", "Metrics", "Namespace"]),
        "{line}"
    );
    assert_eq!(directive["Namespace"], "trailwatch", "{line}");

    let sets = directive["Dimensions"].as_array().unwrap();
    assert_eq!(sets.len(), 1, "one dimension set: {line}");
    let dimensions: Vec<String> = sets[0]
        .as_array()
        .unwrap_or_else(|| panic!("a dimension set that is not an array: {line}"))
        .iter()
        .map(|d| d.as_str().unwrap().to_string())
        .collect();
    assert!(dimensions.len() <= 30, "{line}");
    for name in &dimensions {
        assert!(
            members.get(name).is_some_and(Value::is_string),
            "dimension {name} is not a string member: {line}"
        );
    }

    let metrics = directive["Metrics"].as_array().unwrap();
    assert!((1..=100).contains(&metrics.len()), "{line}");
    for metric in metrics {
        let definition = metric.as_object().unwrap();
        let keys: BTreeSet<&str> = definition.keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["Name", "Unit"]), "{line}");
        let name = definition["Name"].as_str().unwrap();
        let unit = definition["Unit"].as_str().unwrap();
        assert!(UNITS.contains(&unit), "unit {unit}: {line}");
        match members.get(name) {
            Some(Value::Number(_)) => {}
            Some(Value::Array(values)) => {
                assert!((1..=100).contains(&values.len()), "{name}: {line}");
                assert!(values.iter().all(Value::is_number), "{name}: {line}");
            }
            other => panic!("metric {name} is {other:?}, not a number or numbers: {line}"),
        }
    }
    Document {
        dimensions,
        members,
    }
}
