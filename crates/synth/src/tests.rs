//! Tests of the public generator API: determinism, record shape and mix, controls, file and
//! key shapes, and the sample bucket's contents.

use std::collections::BTreeSet;
use std::io::Read;

use flate2::read::{GzDecoder, MultiGzDecoder};
use serde_json::Value;

use super::oracle::fired;
use super::*;

const DAY: Day = (2025, 3, 14);

fn records(seed: u64, n: usize, region: &str) -> Vec<Value> {
    let mut synth = Synth::new(seed);
    (0..n)
        .map(|_| synth.record("111111111111", region, DAY))
        .collect()
}

fn gunzip_all(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    MultiGzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = delivery_of(&records(42, 300, "us-east-1"));
    let b = delivery_of(&records(42, 300, "us-east-1"));
    let c = delivery_of(&records(43, 300, "us-east-1"));
    assert_eq!(a, b, "same seed");
    assert_ne!(a, c, "other seed");
    assert_eq!(
        delivery_text(9, "111111111111", "eu-west-1", 100_000),
        delivery_text(9, "111111111111", "eu-west-1", 100_000),
        "delivery_text"
    );
    assert_eq!(
        cis_hit("CloudWatch.10", "1", "us-east-1", "2025-03-14T10:00:00Z"),
        cis_hit("CloudWatch.10", "1", "us-east-1", "2025-03-14T10:00:00Z"),
        "cis_hit"
    );
}

#[test]
fn records_follow_the_cloudtrail_schema() {
    for region in ["us-east-1", "eu-west-1"] {
        for (i, r) in records(7, 3000, region).iter().enumerate() {
            let case = format!("{region} record {i}: {r}");
            let str_at = |k: &str| r[k].as_str().unwrap_or_default();
            assert!(
                str_at("eventVersion").starts_with("1.0")
                    || str_at("eventVersion").starts_with("1.1"),
                "{case}"
            );
            assert!(r["userIdentity"].is_object(), "userIdentity of {case}");
            let time = clock::Stamp::parse(str_at("eventTime"));
            assert_eq!(time.map(|t| t.day()), Some(DAY), "eventTime of {case}");
            assert!(str_at("eventSource").ends_with(".amazonaws.com"), "{case}");
            assert!(!str_at("eventName").is_empty(), "{case}");
            let aws_region = str_at("awsRegion");
            assert!(
                aws_region == region || aws_region == "us-east-1",
                "awsRegion of {case}"
            );
            assert!(
                !str_at("sourceIPAddress").is_empty() && !str_at("userAgent").is_empty(),
                "{case}"
            );
            assert!(
                r.get("requestParameters").is_some() && r.get("responseElements").is_some(),
                "{case}"
            );
            assert!(!str_at("requestID").is_empty(), "requestID of {case}");
            assert!(is_uuid(str_at("eventID")), "eventID of {case}");
            assert!(
                r["readOnly"].is_boolean() && r["managementEvent"].is_boolean(),
                "{case}"
            );
            assert!(
                ["AwsApiCall", "AwsServiceEvent", "AwsConsoleSignIn"]
                    .contains(&str_at("eventType")),
                "eventType of {case}"
            );
            assert_eq!(str_at("recipientAccountId"), "111111111111", "{case}");
            let data = str_at("eventCategory") == "Data";
            assert!(data || str_at("eventCategory") == "Management", "{case}");
            assert_eq!(r["managementEvent"], !data, "managementEvent of {case}");
            assert_eq!(
                r.get("errorCode").is_some(),
                r.get("errorMessage").is_some(),
                "error pair of {case}"
            );
            if r.get("errorCode").is_some() {
                assert!(
                    r["responseElements"].is_null(),
                    "failed call with a response: {case}"
                );
            }
            let identity = &r["userIdentity"];
            if identity["type"] == "AssumedRole" {
                let attributes = &identity["sessionContext"]["attributes"];
                assert!(
                    clock::Stamp::parse(attributes["creationDate"].as_str().unwrap_or_default())
                        .is_some(),
                    "{case}"
                );
                assert!(attributes["mfaAuthenticated"].is_string(), "{case}");
                assert!(
                    identity["sessionContext"]["sessionIssuer"]["arn"].is_string(),
                    "{case}"
                );
            }
            if identity["type"] == "AWSService" {
                assert!(identity["invokedBy"].is_string(), "{case}");
                assert!(
                    r.get("tlsDetails").is_none(),
                    "service call with TLS details: {case}"
                );
            }
        }
    }
}

#[test]
fn ordinary_traffic_has_a_realistic_mix() {
    let all = records(11, 12_000, "us-east-1");
    let text = delivery_of(&all);
    let sources: BTreeSet<&str> = all
        .iter()
        .filter_map(|r| r["eventSource"].as_str())
        .collect();
    let types: BTreeSet<&str> = all.iter().filter_map(|r| r["eventType"].as_str()).collect();
    let identity_types: BTreeSet<&str> = all
        .iter()
        .filter_map(|r| r["userIdentity"]["type"].as_str())
        .collect();
    let errors = all.iter().filter(|r| r.get("errorCode").is_some()).count();
    let codes: BTreeSet<&str> = all.iter().filter_map(|r| r["errorCode"].as_str()).collect();
    let large = all.iter().filter(|r| json::text(r).len() > 4_000).count();
    let data_events = all.iter().filter(|r| r["eventCategory"] == "Data").count();
    let share = errors as f64 / all.len() as f64;
    assert!(sources.len() >= 20, "services: {sources:?}");
    assert_eq!(
        types,
        BTreeSet::from(["AwsApiCall", "AwsConsoleSignIn", "AwsServiceEvent"]),
        "event types"
    );
    for kind in [
        "AssumedRole",
        "IAMUser",
        "AWSService",
        "WebIdentityUser",
        "Unknown",
    ] {
        assert!(
            identity_types.contains(kind),
            "identity type {kind} in {identity_types:?}"
        );
    }
    assert!((0.04..0.06).contains(&share), "error share {share}");
    for code in [
        "AccessDenied",
        "AccessDeniedException",
        "Client.UnauthorizedOperation",
        "ThrottlingException",
    ] {
        assert!(codes.contains(code), "error code {code} in {codes:?}");
    }
    assert!(large > 20, "large records: {large}");
    assert!(data_events > 600, "data events: {data_events}");
    assert!(text.contains("\\\""), "escaped quotes in strings");
    assert!(text.contains("\\n"), "escaped newlines in strings");
    assert!(!text.is_ascii(), "non-ASCII text");
}

#[test]
fn ordinary_records_fire_only_cloudwatch_2_and_only_through_errors() {
    for region in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
        let mut denied = 0;
        for r in records(5, 8_000, region) {
            let rules = fired(&r);
            if r["eventName"] == "GetCallerIdentity" {
                assert!(rules.is_empty(), "GetCallerIdentity cannot be denied: {r}");
            }
            match rules.as_slice() {
                [] => {}
                ["CloudWatch.2"] => denied += 1,
                other => panic!("{region}: ordinary record fired {other:?}: {r}"),
            }
        }
        assert!(denied > 120, "{region}: only {denied} access denials");
    }
    let mut quiet = Synth::with_error_rate(5, 0);
    for _ in 0..5_000 {
        let r = quiet.record("111111111111", "us-east-1", DAY);
        assert!(
            fired(&r).is_empty() && r.get("errorCode").is_none(),
            "quiet record: {r}"
        );
    }
}

#[test]
fn each_hit_fires_exactly_its_control() {
    for control in CONTROLS {
        let record = cis_hit(control, "111111111111", "eu-west-1", "2025-03-14T10:11:12Z");
        let Some(record) = record else {
            panic!("{control}: no record");
        };
        assert_eq!(fired(&record), vec![*control], "{control}: {record}");
        assert_eq!(record["eventTime"], "2025-03-14T10:11:12Z", "{control}");
        assert_eq!(record["recipientAccountId"], "111111111111", "{control}");
        assert!(
            is_uuid(record["eventID"].as_str().unwrap_or_default()),
            "{control}"
        );
    }
    for (control, time) in [
        ("CloudWatch.99", "2025-03-14T10:11:12Z"),
        ("cloudwatch.1", "2025-03-14T10:11:12Z"),
        ("CloudWatch.1", "yesterday"),
    ] {
        assert_eq!(
            cis_hit(control, "1", "us-east-1", time),
            None,
            "{control} at {time}"
        );
    }
}

#[test]
fn near_misses_fire_nothing() {
    for name in NEAR_MISSES {
        let record = near_miss(name, "111111111111", "us-east-1", "2025-03-14T10:11:12Z");
        let Some(record) = record else {
            panic!("{name}: no record");
        };
        assert!(
            fired(&record).is_empty(),
            "{name} fired {:?}: {record}",
            fired(&record)
        );
    }
    assert_eq!(
        near_miss("nope", "1", "us-east-1", "2025-03-14T10:11:12Z"),
        None
    );
}

#[test]
fn delivery_text_hits_its_size_and_parses() {
    for target in [20_000, 100_000, 1_000_000] {
        let text = delivery_text(1, "111111111111", "us-east-1", target);
        let off = (text.len() as f64 - target as f64).abs() / target as f64;
        assert!(off <= 0.05, "target {target}: got {} bytes", text.len());
        let parsed: Value = serde_json::from_str(&text).unwrap();
        let records = parsed["Records"].as_array().map(Vec::len).unwrap_or(0);
        assert!(records > 5, "target {target}: {records} records");
    }
    assert_eq!(
        delivery_text(1, "1", "us-east-1", 0),
        "{\"Records\":[]}",
        "empty"
    );
}

#[test]
fn delivery_of_wraps_records() {
    let rs = records(3, 4, "us-east-1");
    let parsed: Value = serde_json::from_str(&delivery_of(&rs)).unwrap();
    assert_eq!(parsed["Records"], Value::Array(rs), "round trip");
    assert_eq!(delivery_of(&[]), "{\"Records\":[]}", "empty");
}

#[test]
fn gzip_round_trips_single_and_multi_member() {
    let data = delivery_text(2, "111111111111", "us-east-1", 200_000).into_bytes();
    for (name, input) in [
        ("records", data.as_slice()),
        ("empty", &b""[..]),
        ("tiny", &b"ab"[..]),
    ] {
        for members in [0, 1, 2, 3, 7] {
            let packed = gzip(input, members);
            assert_eq!(
                gunzip_all(&packed).unwrap(),
                input,
                "{name} in {members} members"
            );
            assert_eq!(
                packed,
                gzip(input, members),
                "{name} in {members} members: determinism"
            );
            assert_eq!(&packed[..4], &[0x1f, 0x8b, 8, 0], "{name}: magic and flags");
            assert_eq!(&packed[4..8], &[0, 0, 0, 0], "{name}: mtime 0");
            // A single-member decoder stops after the first member: exactly the first share.
            let mut first = Vec::new();
            GzDecoder::new(packed.as_slice())
                .read_to_end(&mut first)
                .unwrap();
            let n = members.max(1);
            assert_eq!(
                first,
                &input[..input.len() / n],
                "{name} in {members} members: first member"
            );
        }
    }
}

#[test]
fn key_shapes() {
    let cases = [
        (
            "plain log",
            log_key(None, None, "111111111111", "us-east-1", (2025, 3, 4), (9, 5), "AbCdEfGhIjKlMnOp"),
            "AWSLogs/111111111111/CloudTrail/us-east-1/2025/03/04/111111111111_CloudTrail_us-east-1_20250304T0905Z_AbCdEfGhIjKlMnOp.json.gz",
        ),
        (
            "prefix and org",
            log_key(Some("security/"), Some("o-exampleorg1"), "333333333333", "eu-west-1", (2025, 12, 31), (23, 55), "0123456789abcdef"),
            "security/AWSLogs/o-exampleorg1/333333333333/CloudTrail/eu-west-1/2025/12/31/333333333333_CloudTrail_eu-west-1_20251231T2355Z_0123456789abcdef.json.gz",
        ),
        (
            "empty prefix",
            log_key(Some(""), None, "111111111111", "us-east-1", (2025, 3, 4), (0, 0), "AbCdEfGhIjKlMnOp"),
            "AWSLogs/111111111111/CloudTrail/us-east-1/2025/03/04/111111111111_CloudTrail_us-east-1_20250304T0000Z_AbCdEfGhIjKlMnOp.json.gz",
        ),
        (
            "digest",
            digest_key(None, None, "111111111111", "us-east-1", (2025, 3, 14), (10, 5, 12), "management-events"),
            "AWSLogs/111111111111/CloudTrail-Digest/us-east-1/2025/03/14/111111111111_CloudTrail-Digest_us-east-1_management-events_us-east-1_20250314T100512Z.json.gz",
        ),
        (
            "insight",
            insight_key(Some("a/b"), None, "111111111111", "us-east-1", (2025, 3, 14), (12, 15), "AbCdEfGhIjKlMnOp"),
            "a/b/AWSLogs/111111111111/CloudTrail-Insight/us-east-1/2025/03/14/111111111111_CloudTrail-Insight_us-east-1_20250314T1215Z_AbCdEfGhIjKlMnOp.json.gz",
        ),
    ];
    for (name, got, want) in cases {
        assert_eq!(got, want, "{name}");
    }
    let suffix = Synth::new(1).suffix16();
    assert!(
        suffix.len() == 16 && suffix.bytes().all(|b| b.is_ascii_alphanumeric()),
        "suffix {suffix}"
    );
}
