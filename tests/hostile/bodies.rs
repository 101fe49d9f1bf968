//! Hostile file bodies at a well-formed log key: bombs, broken gzip, JSON that is not
//! CloudTrail's, and records that are not what they claim.

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::{log_key, replay_one, stop_logging, Expect, SMALL_RSS_MIB};

/// The default largest record is 8 MiB: the window may grow to twice that while framing one.
const RECORD_LIMIT_RSS_MIB: u64 = SMALL_RSS_MIB + 24;

fn gz(text: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(text).unwrap();
    encoder.finish().unwrap()
}

fn doc(records: &[&str]) -> String {
    format!(r#"{{"Records":[{}]}}"#, records.join(","))
}

/// `head`, then `fill` repeated to `total` bytes as identical gzip members, then `tail`: a
/// bomb of ratio ~1000:1 that takes seconds to build whatever its size.
fn bomb(head: &str, fill: u8, total: u64, tail: &str) -> Vec<u8> {
    const MEMBER: u64 = 64 << 20;
    let member = gz(&vec![fill; MEMBER as usize]);
    let mut body = gz(head.as_bytes());
    for _ in 0..total / MEMBER {
        body.extend_from_slice(&member);
    }
    body.extend(gz(tail.as_bytes()));
    body
}

fn key(name: &str) -> String {
    // Sixteen letters or digits, as a log's suffix must be.
    log_key(&format!("{name:x>16}")[..16])
}

#[test]
fn a_ten_gib_whitespace_bomb_stops_at_the_decompressed_limit_keeping_the_record_before_it() {
    let head = format!(r#"{{"Records":[{},"#, stop_logging("before-bomb"));
    let body = bomb(&head, b' ', 10 << 30, "]}");
    assert!(body.len() < 12 << 20, "{} compressed bytes", body.len());
    let out = replay_one(
        &key("wsbomb"),
        &body,
        &[("TRAILWATCH_MAX_DECOMPRESSED_BYTES", "268435456")],
    );
    out.check(
        "whitespace bomb",
        &Expect {
            records: 1,
            detections: &["before-bomb"],
            delivery: Some((
                "delivery.too-large",
                "exceeds the limit of 268435456 decompressed bytes",
            )),
            max_rss_mib: SMALL_RSS_MIB,
        },
    );
}

#[test]
fn a_ten_gib_string_bomb_stops_at_the_default_record_limit() {
    let head = format!(
        r#"{{"Records":[{},{{"eventName":""#,
        stop_logging("before-bomb")
    );
    let out = replay_one(
        &key("strbomb"),
        &bomb(&head, b'A', 10 << 30, r#""}]}"#),
        &[],
    );
    out.check(
        "string bomb",
        &Expect {
            records: 1,
            detections: &["before-bomb"],
            delivery: Some((
                "delivery.too-large",
                "record 1 exceeds the limit of 8388608 bytes",
            )),
            max_rss_mib: RECORD_LIMIT_RSS_MIB,
        },
    );
}

#[test]
fn a_one_kib_bomb_under_the_limits_is_only_a_large_file() {
    let text = format!(
        r#"{{"Records":[{}{}]}}"#,
        stop_logging("in-small-bomb"),
        " ".repeat(1 << 20)
    );
    let body = gz(text.as_bytes());
    assert!(body.len() <= 2048, "{} compressed bytes", body.len());
    let out = replay_one(&key("smallbomb"), &body, &[]);
    out.check(
        "1 KiB bomb",
        &Expect {
            records: 1,
            detections: &["in-small-bomb"],
            delivery: None,
            max_rss_mib: SMALL_RSS_MIB,
        },
    );
}

#[test]
fn a_fifty_mib_string_is_too_large_by_default_and_read_under_a_raised_limit() {
    let huge = format!(
        r#"{{"requestParameters":{{"blob":"{}"}}}}"#,
        "x".repeat(50 << 20)
    );
    let text = doc(&[&stop_logging("first"), &huge, &stop_logging("last")]);
    let body = gz(text.as_bytes());
    replay_one(&key("bigstring"), &body, &[]).check(
        "50 MiB string, default limit",
        &Expect {
            records: 1,
            detections: &["first"],
            delivery: Some(("delivery.too-large", "record 1 exceeds the limit")),
            max_rss_mib: RECORD_LIMIT_RSS_MIB,
        },
    );
    replay_one(
        &key("bigstring"),
        &body,
        &[("TRAILWATCH_MAX_RECORD_BYTES", "67108864")],
    )
    .check(
        "50 MiB string, 64 MiB limit",
        &Expect {
            records: 3,
            detections: &["first", "last"],
            delivery: None,
            // The window holds the record and at most doubles past it.
            max_rss_mib: SMALL_RSS_MIB + 3 * 50,
        },
    );
}

#[test]
fn truncated_gzip_keeps_the_records_before_the_cut() {
    let first = gz(format!(r#"{{"Records":[{},"#, stop_logging("before-cut")).as_bytes());
    let second = gz(format!("{}]}}", stop_logging("after-cut")).as_bytes());
    let body = [&first[..], &second[..second.len() / 2]].concat();
    replay_one(&key("truncated"), &body, &[]).check(
        "truncated member",
        &Expect {
            records: 1,
            detections: &["before-cut"],
            delivery: Some(("delivery.corrupt", "truncated")),
            max_rss_mib: SMALL_RSS_MIB,
        },
    );
}

#[test]
fn concatenated_members_make_one_document_even_with_a_hundred_thousand_empty_ones() {
    let text = doc(&[&stop_logging("one"), &stop_logging("two")]);
    let (a, b) = text.split_at(text.len() / 3);
    let (b, c) = b.split_at(b.len() / 2);
    let empty = gz(b"");
    let mut body = gz(a.as_bytes());
    body.extend(gz(b.as_bytes()));
    for _ in 0..100_000 {
        body.extend_from_slice(&empty);
    }
    body.extend(gz(c.as_bytes()));
    replay_one(&key("members"), &body, &[]).check(
        "concatenated members",
        &Expect {
            records: 2,
            detections: &["one", "two"],
            delivery: None,
            max_rss_mib: SMALL_RSS_MIB,
        },
    );
}

/// A case name, the body, the records evaluated, the detections and a piece of the reason.
type CorruptCase = (
    &'static str,
    Vec<u8>,
    u64,
    &'static [&'static str],
    &'static str,
);

/// Documents that are not CloudTrail's: each a `delivery.corrupt` naming the problem, with the
/// records before the problem (if any) evaluated.
#[test]
fn documents_that_are_not_cloudtrail_json_are_corrupt_deliveries() {
    let good = stop_logging("good");
    let deep_record = format!(r#"{{"a":{}1{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
    let deep_element = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_member = format!(
        r#"{{"x":{}1{},"Records":[]}}"#,
        r#"{"x":"#.repeat(100_000),
        "}".repeat(100_000)
    );
    let bom = format!("\u{feff}{}", doc(&[&good]));
    let cases: Vec<CorruptCase> = vec![
        (
            "gzip of non-JSON",
            gz(b"hello, world"),
            0,
            &[],
            "`{` opening",
        ),
        ("gzip of nothing", gz(b""), 0, &[], "the document is empty"),
        ("zero-byte object", Vec::new(), 0, &[], "empty (zero bytes)"),
        (
            "not gzip",
            doc(&[&good]).into_bytes(),
            0,
            &[],
            "not a gzip file",
        ),
        ("empty object", gz(b"{}"), 0, &[], "no `Records` member"),
        (
            "no Records",
            gz(br#"{"records":[]}"#),
            0,
            &[],
            "no `Records` member",
        ),
        (
            "Records a string",
            gz(br#"{"Records":"[]"}"#),
            0,
            &[],
            "not an array",
        ),
        (
            "Records an object",
            gz(br#"{"Records":{"a":{}}}"#),
            0,
            &[],
            "not an array",
        ),
        ("byte order mark", gz(bom.as_bytes()), 0, &[], "`{` opening"),
        (
            "NaN after a good record",
            gz(doc(&[&good, r#"{"x":NaN}"#, &good]).as_bytes()),
            1,
            &["good"],
            "invalid JSON at byte",
        ),
        (
            "-Infinity",
            gz(doc(&[&good, r#"{"x":-Infinity}"#]).as_bytes()),
            1,
            &["good"],
            "invalid JSON at byte",
        ),
        (
            "100k-deep record",
            gz(doc(&[&good, &deep_record]).as_bytes()),
            1,
            &["good"],
            "nesting deeper than 127",
        ),
        (
            "100k-deep element",
            gz(doc(&[&good, &deep_element]).as_bytes()),
            1,
            &["good"],
            "nesting deeper than 127",
        ),
        (
            "100k-deep member",
            gz(deep_member.as_bytes()),
            0,
            &[],
            "nesting deeper than 127",
        ),
        (
            "trailing garbage",
            gz(format!("{} x", doc(&[&good])).as_bytes()),
            1,
            &["good"],
            "invalid JSON at byte",
        ),
    ];
    for (case, body, records, detections, reason) in cases {
        replay_one(&key("corrupt"), &body, &[]).check(
            case,
            &Expect {
                records,
                detections,
                delivery: Some(("delivery.corrupt", reason)),
                max_rss_mib: SMALL_RSS_MIB,
            },
        );
    }
}

#[test]
fn records_that_are_not_objects_or_not_utf8_are_skipped_and_the_rest_evaluated() {
    let one = stop_logging("one");
    let two = stop_logging("two");
    let text = format!(
        r#"{{"Records":[1,"x",{one},null,[{{}}],{{"eventName":"bad {}"}},{two}]}}"#,
        "\u{1}"
    );
    let mut bytes = text.into_bytes();
    // Make the fifth element's string invalid UTF-8 (the control character's place).
    let at = bytes.iter().position(|&b| b == 1).unwrap();
    bytes[at] = 0xff;
    replay_one(&key("notobjects"), &gz(&bytes), &[]).check(
        "non-object and non-UTF-8 records",
        &Expect {
            records: 2,
            detections: &["one", "two"],
            delivery: Some((
                "delivery.corrupt",
                "5 records could not be read and were skipped; first: record 0 is not a JSON object",
            )),
            max_rss_mib: SMALL_RSS_MIB,
        },
    );
}

#[test]
fn duplicate_keys_read_as_a_json_parser_reads_them_the_last_one_wins() {
    let hidden = r#"{"eventVersion":"1.08","eventID":"first-wins","eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com","eventName":"DescribeTrails","recipientAccountId":"123456789012"}"#;
    let shown = r#"{"eventVersion":"1.08","eventID":"last-wins","eventName":"DescribeTrails","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","recipientAccountId":"123456789012"}"#;
    let expected: serde_json::Value = serde_json::from_str(shown).unwrap();
    assert_eq!(expected["eventName"], "StopLogging", "serde_json agrees");
    replay_one(
        &key("duplicates"),
        &gz(doc(&[hidden, shown]).as_bytes()),
        &[],
    )
    .check(
        "duplicate keys",
        &Expect {
            records: 2,
            detections: &["last-wins"],
            delivery: None,
            max_rss_mib: SMALL_RSS_MIB,
        },
    );
}

#[test]
fn an_empty_record_is_evaluated_and_fires_nothing() {
    replay_one(&key("emptyrecord"), &gz(br#"{"Records":[{}]}"#), &[]).check(
        "empty record",
        &Expect {
            records: 1,
            detections: &[],
            delivery: None,
            max_rss_mib: SMALL_RSS_MIB,
        },
    );
}

#[test]
fn a_detection_with_a_five_mib_principal_stays_small_enough_to_publish() {
    let mut record: serde_json::Value = serde_json::from_str(&stop_logging("huge")).unwrap();
    record["userIdentity"]["arn"] = "a".repeat(5 << 20).into();
    let out = replay_one(
        &key("hugeprincipal"),
        &gz(doc(&[&record.to_string()]).as_bytes()),
        &[],
    );
    out.check(
        "5 MiB principal",
        &Expect {
            records: 1,
            detections: &["huge"],
            delivery: None,
            // A record near the record limit, and its copy into the alert.
            max_rss_mib: RECORD_LIMIT_RSS_MIB,
        },
    );
    let alert = &out.alerts[0];
    let principal = alert["principal"].as_str().unwrap();
    assert!(principal.ends_with(&format!("[{} more bytes]", (5 << 20) - 1024)));
    assert_eq!(alert["record_truncated"], true);
    // The default 64 KiB of record, and a few clipped fields: well inside SNS's 256 KiB.
    assert!(
        alert.to_string().len() < 72 << 10,
        "{}",
        alert.to_string().len()
    );
}
