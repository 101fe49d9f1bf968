//! The documents a tally gives, whole: envelope, dimensions, values, the bound on per-account
//! documents and on values per member, latency, and the lines they are written as.

use serde_json::json;
use time::macros::datetime;

use super::*;
use crate::alert::{DeliveryProblem, IntegrityProblem, Origin};
use crate::key::Kind;

const PROD: &str = "123456789012";
const DEV: &str = "999988887777";
const STRANGER: &str = "444444444444";
const AT: OffsetDateTime = datetime!(2025-03-14 09:11:00 UTC);
/// `AT` in milliseconds since the epoch.
const AT_MS: i64 = 1_741_943_460_000;

fn report(
    kind: Option<Kind>,
    account: Option<&str>,
    records: u64,
    detections: u64,
) -> ObjectReport {
    ObjectReport {
        kind,
        account_id: account.map(String::from),
        records,
        detections,
        compressed_bytes: 100 * records,
        decompressed_bytes: 1000 * records,
        ..ObjectReport::default()
    }
}

fn expected() -> BTreeSet<String> {
    [PROD.to_string(), DEV.to_string()].into()
}

fn envelope(dimensions: &[&str], metrics: &[Metric]) -> Value {
    let metrics: Vec<Value> = metrics
        .iter()
        .map(|m| json!({"Name": m.name(), "Unit": m.unit()}))
        .collect();
    json!({
        "Timestamp": AT_MS,
        "CloudWatchMetrics": [{"Namespace": "trailwatch", "Dimensions": [dimensions], "Metrics": metrics}],
    })
}

/// Every metric but the distributions, and Failures unless `totals`.
fn counts(totals: bool) -> Vec<Metric> {
    Metric::ALL
        .into_iter()
        .filter(|m| !matches!(m, Metric::ProcessingDuration | Metric::AlertLatency))
        .filter(|m| totals || *m != Metric::Failures)
        .collect()
}

fn with(mut metrics: Vec<Metric>, more: &[Metric]) -> Vec<Metric> {
    metrics.extend(more);
    metrics
}

#[test]
fn objects_count_in_the_totals_their_kind_and_their_expected_account() {
    let accounts = expected();
    let mut tally = Tally::new(Some(&accounts));
    let created = datetime!(2025-03-14 09:10:42.117 UTC);
    tally.processed(
        &report(Some(Kind::Log), Some(PROD), 3, 2),
        Duration::from_millis(40),
        Some(created),
        AT,
    );
    tally.processed(
        &report(Some(Kind::Log), Some(STRANGER), 1, 0),
        Duration::from_millis(10),
        Some(created),
        AT,
    );
    let mut invalid = report(None, None, 0, 0);
    invalid.delivery_alerts = 1;
    tally.processed(&invalid, Duration::from_millis(5), None, AT);
    tally.failed(Some(Duration::from_millis(7)));
    tally.failed(None);

    let distributions = [Metric::ProcessingDuration, Metric::AlertLatency];
    let latency = 17_883.0;
    let want = vec![
        json!({
            "_aws": envelope(&[], &with(counts(true), &distributions)),
            "Objects": 3, "Failures": 2, "Records": 4, "CompressedBytes": 400,
            "DecompressedBytes": 4000, "Detections": 2, "DeliveryAlerts": 1, "IntegrityAlerts": 0,
            "SuppressedDetections": 0,
            "ProcessingDuration": [40.0, 10.0, 5.0, 7.0],
            // The stranger's object raised nothing; the invalid key's event gave no time.
            "AlertLatency": [latency],
        }),
        json!({
            "_aws": envelope(&["Kind"], &with(counts(false), &[Metric::ProcessingDuration])),
            "Kind": "invalid",
            "Objects": 1, "Records": 0, "CompressedBytes": 0, "DecompressedBytes": 0,
            "Detections": 0, "DeliveryAlerts": 1, "IntegrityAlerts": 0, "SuppressedDetections": 0,
            "ProcessingDuration": [5.0],
        }),
        json!({
            "_aws": envelope(&["Kind"], &with(counts(false), &distributions)),
            "Kind": "log",
            "Objects": 2, "Records": 4, "CompressedBytes": 400, "DecompressedBytes": 4000,
            "Detections": 2, "DeliveryAlerts": 0, "IntegrityAlerts": 0, "SuppressedDetections": 0,
            "ProcessingDuration": [40.0, 10.0],
            "AlertLatency": [latency],
        }),
        // Only Production: Dev had no object, the stranger is not expected.
        json!({
            "_aws": envelope(&["AccountId"], &with(counts(false), &distributions)),
            "AccountId": PROD,
            "Objects": 1, "Records": 3, "CompressedBytes": 300, "DecompressedBytes": 3000,
            "Detections": 2, "DeliveryAlerts": 0, "IntegrityAlerts": 0, "SuppressedDetections": 0,
            "ProcessingDuration": [40.0],
            "AlertLatency": [latency],
        }),
    ];
    assert_eq!(tally.documents(AT), want);
}

#[test]
fn without_expected_accounts_no_account_gets_a_document() {
    let mut tally = Tally::new(None);
    for account in [PROD, DEV, STRANGER] {
        tally.processed(
            &report(Some(Kind::Log), Some(account), 1, 0),
            Duration::ZERO,
            None,
            AT,
        );
    }
    let documents = tally.documents(AT);
    assert_eq!(documents.len(), 2, "totals and kind log: {documents:?}");
    assert!(documents.iter().all(|d| d.get("AccountId").is_none()));
}

#[test]
fn an_invocation_with_nothing_to_count_reports_zeros() {
    let documents = Tally::new(None).documents(AT);
    assert_eq!(
        documents,
        [json!({
            "_aws": envelope(&[], &counts(true)),
            "Objects": 0, "Failures": 0, "Records": 0, "CompressedBytes": 0,
            "DecompressedBytes": 0, "Detections": 0, "DeliveryAlerts": 0, "IntegrityAlerts": 0,
            "SuppressedDetections": 0,
        })]
    );
}

#[test]
fn the_heartbeats_alerts_count_by_their_kind_in_the_totals() {
    let late = |account| {
        Alert::integrity(
            IntegrityProblem::DigestLate,
            "bucket",
            None,
            Some(account),
            Some("us-east-1"),
            "no digest".into(),
        )
    };
    let origin = Origin {
        bucket: Some("bucket"),
        key: "key",
        account_id: None,
        region: None,
    };
    let mut tally = Tally::new(None);
    tally.published(&[
        late(PROD),
        late(DEV),
        Alert::delivery(DeliveryProblem::InvalidKey, origin, "bad".into()),
    ]);
    let documents = tally.documents(AT);
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0]["IntegrityAlerts"], 2);
    assert_eq!(documents[0]["DeliveryAlerts"], 1);
    assert_eq!(documents[0]["Objects"], 0);
}

#[test]
fn values_past_the_limit_go_on_in_documents_of_their_own() {
    let accounts = expected();
    let mut tally = Tally::new(Some(&accounts));
    let objects = 2 * MAX_VALUES + 50;
    let created = AT - time::Duration::seconds(1);
    for n in 0..objects {
        tally.processed(
            &report(Some(Kind::Log), Some(PROD), 1, 1),
            Duration::from_millis(n as u64),
            Some(created),
            AT,
        );
    }
    let documents = tally.documents(AT);
    // Totals, kind log and Production: three documents each (100, 100 and 50 values).
    assert_eq!(documents.len(), 9, "{documents:?}");
    for group in documents.chunks(3) {
        assert_eq!(group[0]["Objects"], objects, "the counts are in the first");
        let durations: Vec<f64> = group
            .iter()
            .flat_map(|d| d["ProcessingDuration"].as_array().unwrap().clone())
            .map(|v| v.as_f64().unwrap())
            .collect();
        let want: Vec<f64> = (0..objects).map(|n| n as f64).collect();
        assert_eq!(durations, want, "every sample once, in order");
        for (part, document) in group.iter().enumerate() {
            let len = document["AlertLatency"].as_array().unwrap().len();
            assert_eq!(len, [100, 100, 50][part]);
            let named: Vec<&str> = document["_aws"]["CloudWatchMetrics"][0]["Metrics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["Name"].as_str().unwrap())
                .collect();
            if part > 0 {
                assert_eq!(named, ["ProcessingDuration", "AlertLatency"]);
                assert!(document.get("Objects").is_none(), "counted once only");
            }
        }
    }
}

#[test]
fn latency_runs_from_creation_to_publication_and_never_backwards() {
    let created = datetime!(2025-03-14 09:10:42.117 UTC);
    assert_eq!(latency(created, AT), Some(Duration::from_millis(17_883)));
    assert_eq!(latency(AT, AT), Some(Duration::ZERO));
    assert_eq!(latency(AT + time::Duration::milliseconds(1), AT), None);

    // An object with alerts but a creation time after the publication gives no sample.
    let mut tally = Tally::new(None);
    tally.processed(
        &report(Some(Kind::Log), None, 1, 1),
        Duration::ZERO,
        Some(AT + time::Duration::seconds(5)),
        AT,
    );
    assert!(tally.documents(AT)[0].get("AlertLatency").is_none());
}

#[test]
fn each_document_is_written_as_one_line_of_its_own() {
    let mut tally = Tally::new(None);
    tally.processed(
        &report(Some(Kind::Digest), None, 0, 0),
        Duration::ZERO,
        None,
        AT,
    );
    let documents = tally.documents(AT);
    let mut out = Vec::new();
    write(&documents, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.ends_with('\n'));
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, documents);
}

/// A writer that refuses everything, as a closed stdout does.
struct Closed;

impl Write for Closed {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::from(io::ErrorKind::BrokenPipe))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failed_write_is_an_error_to_log() {
    let documents = Tally::new(None).documents(AT);
    let error = write(&documents, &mut Closed).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
}

/// The README's table of metrics is the one list the template's tests read too
/// (infra/tests/test_metrics.py), so the names cannot drift apart.
#[test]
fn the_readme_documents_every_metric_with_its_unit() {
    let readme = include_str!("../../README.md");
    let section = readme
        .split_once("\n### Metrics\n")
        .and_then(|(_, rest)| rest.split("\n#").next())
        .expect("README.md has a `### Metrics` section");
    let documented: Vec<(&str, &str)> = section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((name, *cells.get(2)?))
        })
        .collect();
    let written: Vec<(&str, &str)> = Metric::ALL.iter().map(|m| (m.name(), m.unit())).collect();
    assert_eq!(documented, written);
}
