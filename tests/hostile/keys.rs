//! Hostile keys: Unicode look-alikes, `%` escapes, control characters and S3's 1,024-byte
//! limit, through `trailwatch key` and, as file names, through the whole pipeline.

use std::ffi::OsStr;

use serde_json::Value;

use crate::measured::run;
use crate::{log_key, replay_one, stop_logging, Expect, ACCOUNT, SMALL_RSS_MIB};

/// Folders of a valid log key for the day; a file name goes after them.
const FOLDER: &str = "AWSLogs/123456789012/CloudTrail/us-east-1/2025/03/14/";

/// `trailwatch key [--url-encoded] KEY...`, one parsed line per key.
fn parse_keys(url_encoded: bool, keys: &[String]) -> Vec<Value> {
    let scratch = tempfile::tempdir().unwrap();
    let mut args: Vec<&OsStr> = vec!["key".as_ref()];
    if url_encoded {
        args.push("--url-encoded".as_ref());
    }
    args.push("--".as_ref());
    args.extend(keys.iter().map(|k| OsStr::new(k.as_str())));
    let out = run(&args, &[], scratch.path());
    assert_eq!(out.exit_code, Some(0), "{}", out.stderr);
    assert_eq!(out.alerts.len(), keys.len(), "one line per key");
    for (line, key) in out.alerts.iter().zip(keys) {
        assert_eq!(line["key"], key.as_str(), "in order, echoed exactly");
    }
    out.alerts
}

/// The line's error code, or its kind when it parsed.
fn verdict(line: &Value) -> &str {
    line["error"]["code"]
        .as_str()
        .or(line["kind"].as_str())
        .unwrap()
}

/// A valid log key grown to `total` bytes by a prefix of 200-byte folders.
fn padded_to(total: usize) -> String {
    let tail = log_key("LongLongLongKey1");
    let mut prefix = String::new();
    while prefix.len() + tail.len() < total {
        let room = total - tail.len() - prefix.len();
        let folder = room.min(201) - 1;
        prefix.push_str(&"p".repeat(folder.max(1)));
        prefix.push('/');
    }
    let key = format!("{prefix}{tail}");
    assert_eq!(key.len(), total, "padding arithmetic");
    key
}

#[test]
fn unicode_control_characters_and_length_get_their_own_verdicts() {
    let name = |suffix: &str| {
        format!("{FOLDER}{ACCOUNT}_CloudTrail_us-east-1_20250314T0905Z_{suffix}.json.gz")
    };
    let cases: Vec<(String, &str)> = vec![
        (format!("logs-é/{}", log_key("Pr0dAbCdEfGh1234")), "log"),
        (
            "AWSLogs/١٢٣٤٥٦٧٨٩٠١٢/CloudTrail/us-east-1/2025/03/14/x.json.gz".into(),
            "bad-account",
        ),
        (
            FOLDER.replace("123456789012", "１２３４５６７８９０１２"),
            "bad-account",
        ),
        (
            FOLDER.replace("AWSLogs", "ＡＷＳＬｏｇｓ") + "x.json.gz",
            "other",
        ),
        (name("Pr0dAbCdEfGh123é"), "bad-file-name"),
        (name("Pr0dAbCdEfGh\u{202e}123"), "bad-file-name"),
        (
            FOLDER.replace("us-east-1", "us-east-1\u{200b}") + "x.json.gz",
            "bad-region",
        ),
        (
            format!("logs\n/{}", log_key("Pr0dAbCdEfGh1234")),
            "control-character",
        ),
        (
            format!("logs\u{85}/{}", log_key("Pr0dAbCdEfGh1234")),
            "control-character",
        ),
        (name("Pr0dAbCd\tfGh1234"), "control-character"),
        (FOLDER.to_string(), "other"),
        (padded_to(1024), "log"),
        (padded_to(1025), "too-long"),
        ("é".repeat(513), "too-long"),
    ];
    let keys: Vec<String> = cases.iter().map(|(k, _)| k.clone()).collect();
    for (line, (key, want)) in parse_keys(false, &keys).iter().zip(&cases) {
        assert_eq!(verdict(line), *want, "{key:?}: {line}");
        if line["error"].is_object() {
            assert!(!line["error"]["message"].as_str().unwrap().is_empty());
        }
    }
}

#[test]
fn percent_escapes_decode_once_and_badly_formed_ones_are_refused() {
    let encoded = |key: &str| key.replace('/', "%2F");
    let cases: Vec<(String, &str)> = vec![
        (encoded(&log_key("Pr0dAbCdEfGh1234")), "log"),
        (format!("my+logs%25/{}", log_key("Pr0dAbCdEfGh1234")), "log"),
        (
            format!("logs%00/{}", log_key("Pr0dAbCdEfGh1234")),
            "control-character",
        ),
        (
            format!("%2e%2e/{}", log_key("Pr0dAbCdEfGh1234")),
            "dot-segment",
        ),
        ("%zz".into(), "bad-url-encoding"),
        ("AWSLogs%2".into(), "bad-url-encoding"),
        // An overlong `/` and a lone continuation byte are not UTF-8.
        ("AWSLogs%C0%AF123456789012".into(), "bad-url-encoding"),
        ("%80".into(), "bad-url-encoding"),
        // Escapes decode once: `%252F` is a literal `%2F`, not a separator.
        ("AWSLogs%252F123456789012%252F".into(), "other"),
    ];
    let keys: Vec<String> = cases.iter().map(|(k, _)| k.clone()).collect();
    let lines = parse_keys(true, &keys);
    for (line, (key, want)) in lines.iter().zip(&cases) {
        assert_eq!(verdict(line), *want, "{key:?}: {line}");
    }
    assert_eq!(
        lines[1]["prefix"], "my logs%",
        "`+` is a space, `%25` a percent"
    );
}

#[test]
fn hostile_file_names_in_the_bucket_become_invalid_key_alerts_and_are_not_read() {
    // The body would fire a detection: an invalid key's content is never evaluated.
    let body = trailwatch_synth::gzip(
        format!(r#"{{"Records":[{}]}}"#, stop_logging("unread")).as_bytes(),
        1,
    );
    let name = |suffix: &str| {
        format!("{FOLDER}{ACCOUNT}_CloudTrail_us-east-1_20250314T0905Z_{suffix}.json.gz")
    };
    let cases = [
        (name("Pr0dAbCdEfGh123é"), "[bad-file-name]"),
        (name("Pr0dAbCdEfGh\u{7}123"), "[control-character]"),
        (padded_to(1100), "[too-long]"),
    ];
    for (key, code) in cases {
        replay_one(&key, &body, &[]).check(
            &format!("file {key:?}"),
            &Expect {
                records: 0,
                detections: &[],
                delivery: Some(("delivery.invalid-key", code)),
                max_rss_mib: SMALL_RSS_MIB,
            },
        );
    }
}
