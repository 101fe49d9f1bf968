//! The `trailwatch` binary as outside checks drive it (DESIGN §8): replay over the bundled
//! sample bucket, key, scan and rules, with their exit codes; the text format, `--jobs` and the
//! progress bar (on a real pseudo-terminal).

use std::collections::BTreeMap;
use std::process::{Command, Output};

use serde_json::Value;
use trailwatch_synth::SAMPLE_ALERTS;

fn trailwatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trailwatch"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .expect("stdout is UTF-8")
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l}"))
        })
        .collect()
}

const SAMPLE_ARGS: [&str; 5] = [
    "replay",
    "--expected-accounts",
    "111111111111,222222222222,333333333333",
    "--expected-org",
    "o-exampleorg1",
];

#[test]
fn replay_of_the_sample_bucket_gives_the_documented_alerts() {
    let stats = tempfile::NamedTempFile::new().unwrap();
    let mut args = SAMPLE_ARGS.to_vec();
    let stats_path = stats.path().to_str().unwrap();
    args.extend(["--stats", stats_path, "events/sample-bucket"]);
    let out = trailwatch(&args);
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let alerts = json_lines(&out);
    // Per object (by the part of its key the table names), the rule ids of its alerts.
    let mut by_object: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for a in &alerts {
        let key = a["key"].as_str().unwrap();
        let objects: Vec<&str> = SAMPLE_ALERTS
            .iter()
            .map(|o| o.key_part)
            .filter(|part| key.contains(part))
            .collect();
        let [object] = objects.as_slice() else {
            panic!("{key}: {} sample objects match", objects.len());
        };
        by_object
            .entry(object)
            .or_default()
            .push(a["rule_id"].as_str().unwrap().to_string());
        assert_eq!(a["version"], 1);
        assert_eq!(a["bucket"], "sample-bucket");
        assert_eq!(
            a["alert_id"].as_str().map(str::len),
            Some(32),
            "alert id in {a}"
        );
    }
    for v in by_object.values_mut() {
        v.sort();
    }
    let want: BTreeMap<&str, Vec<String>> = SAMPLE_ALERTS
        .iter()
        .filter(|o| !o.alerts.is_empty())
        .map(|o| {
            let mut ids: Vec<String> = o
                .alerts
                .iter()
                .flat_map(|(id, n)| std::iter::repeat_n(id.to_string(), *n))
                .collect();
            ids.sort();
            (o.key_part, ids)
        })
        .collect();
    assert_eq!(by_object, want);
    let stats: Value =
        serde_json::from_str(&std::fs::read_to_string(stats.path()).unwrap()).unwrap();
    for (field, n) in [
        ("objects", 14),
        ("logs", 10),
        ("digests", 1),
        ("insights", 1),
        ("other", 1),
        ("invalid", 4),
        ("detections", 23),
        ("delivery_alerts", 4),
    ] {
        assert_eq!(stats[field], n, "stats field {field}: {stats}");
    }
    // 9 readable logs hold 184 records; the corrupt one yields 5 before it breaks; the Insights
    // file holds 2.
    assert_eq!(stats["records"], 191, "{stats}");
}

#[test]
fn detections_carry_the_event_and_delivery_alerts_the_reason() {
    let mut args = SAMPLE_ARGS.to_vec();
    args.push("events/sample-bucket");
    let alerts = json_lines(&trailwatch(&args));
    let root = alerts
        .iter()
        .find(|a| a["rule_id"] == "CloudWatch.1")
        .expect("a root-usage alert");
    assert_eq!(root["kind"], "detection");
    assert_eq!(root["severity"], "critical");
    assert_eq!(root["account_id"], "111111111111");
    assert_eq!(root["record"]["userIdentity"]["type"], "Root");
    assert_eq!(root["event_id"], root["record"]["eventID"]);
    assert_eq!(root["reason"], Value::Null);
    assert!(root.get("insight").is_none(), "{root}");
    let insight = alerts
        .iter()
        .find(|a| a["rule_id"] == "insight.ApiCallRateInsight")
        .expect("the Insights file's start");
    assert_eq!(insight["kind"], "detection");
    assert_eq!(insight["event_name"], "RunInstances");
    assert_eq!(insight["event_id"], insight["record"]["eventID"]);
    assert_eq!(insight["record"]["insightDetails"]["state"], "Start");
    assert_eq!(insight["insight"]["baseline_average"], 0.35);
    assert_eq!(insight["insight"]["insight_average"], 42.0);
    let mismatch = alerts
        .iter()
        .find(|a| a["rule_id"] == "delivery.account-mismatch")
        .unwrap();
    assert_eq!(mismatch["kind"], "delivery");
    assert_eq!(mismatch["record"], Value::Null);
    assert!(
        mismatch["reason"]
            .as_str()
            .unwrap()
            .starts_with("2 of 12 records"),
        "{mismatch}"
    );
}

#[test]
fn replay_without_expectations_evaluates_the_stranger_too() {
    let alerts = json_lines(&trailwatch(&["replay", "events/sample-bucket"]));
    assert!(!alerts
        .iter()
        .any(|a| a["rule_id"] == "delivery.unexpected-account"));
}

#[test]
fn key_prints_parts_or_errors_in_order() {
    let good = "logs/AWSLogs/o-exampleorg1/333333333333/CloudTrail/us-east-1/2025/03/14/333333333333_CloudTrail_us-east-1_20250314T1600Z_7AwyLpycmwrL5dvg.json.gz";
    let out = trailwatch(&[
        "key",
        "--",
        good,
        "AWSLogs/123/CloudTrail/x",
        "AWSLogs/111111111111/Config/x",
    ]);
    assert!(out.status.success());
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["key"], good);
    assert_eq!(lines[0]["kind"], "log");
    assert_eq!(lines[0]["prefix"], "logs");
    assert_eq!(lines[0]["org_id"], "o-exampleorg1");
    assert_eq!(lines[0]["account_id"], "333333333333");
    assert_eq!(lines[0]["region"], "us-east-1");
    assert_eq!(lines[0]["date"], "2025-03-14");
    assert_eq!(lines[1]["error"]["code"], "bad-account");
    assert!(lines[1]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("123"));
    assert_eq!(lines[2]["kind"], "other");
    let encoded = trailwatch(&["key", "--url-encoded", "my+logs%2Fx/AWSLogs/111111111111/"]);
    let line = &json_lines(&encoded)[0];
    assert_eq!(line["prefix"], "my logs/x", "{line}");
    let bad = trailwatch(&["key", "--url-encoded", "%zz"]);
    assert_eq!(json_lines(&bad)[0]["error"]["code"], "bad-url-encoding");
}

#[test]
fn scan_reads_gzip_and_plain_files_without_key_checks() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"{"Records":[{"eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com","recipientAccountId":"999999999999","eventID":"e1"}]}"#;
    let plain = dir.path().join("anything.json");
    std::fs::write(&plain, text).unwrap();
    let gz = dir.path().join("other.json.gz");
    std::fs::write(&gz, trailwatch_synth::gzip(text.as_bytes(), 2)).unwrap();
    let out = trailwatch(&["scan", plain.to_str().unwrap(), gz.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let alerts = json_lines(&out);
    assert_eq!(alerts.len(), 2);
    for a in &alerts {
        assert_eq!(a["rule_id"], "CloudWatch.5");
        assert_eq!(
            a["account_id"], "999999999999",
            "from the record when there is no key"
        );
        assert_eq!(a["bucket"], Value::Null);
    }
    let missing = trailwatch(&["scan", "no/such/file.json.gz"]);
    assert_eq!(
        missing.status.code(),
        Some(1),
        "an unreadable file is an operational error"
    );
}

#[test]
fn rules_lists_the_pack_and_custom_files_change_it() {
    let builtin = json_lines(&trailwatch(&["rules"]));
    assert_eq!(builtin.len(), 15);
    assert!(builtin
        .iter()
        .all(|r| r["enabled"] == true && r["source"] == "builtin"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rules.toml");
    std::fs::write(
        &file,
        "[[rules]]\nid = \"CloudWatch.2\"\nenabled = false\n\n[[rules]]\nid = \"team.stop\"\ntitle = \"Stop\"\nseverity = \"high\"\npattern = '{ $.eventName = \"StopLogging\" }'\n",
    )
    .unwrap();
    let custom = json_lines(&trailwatch(&["rules", "--rules", file.to_str().unwrap()]));
    assert_eq!(custom.len(), 16);
    assert!(custom
        .iter()
        .any(|r| r["id"] == "CloudWatch.2" && r["enabled"] == false));
    assert!(custom.iter().any(|r| r["id"] == "team.stop"));
    std::fs::write(
        &file,
        "[[rules]]\nid = \"x\"\ntitle = \"X\"\nseverity = \"high\"\npattern = '{ $.a = }'\n",
    )
    .unwrap();
    let bad = trailwatch(&["rules", "--rules", file.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("rules.toml:5:"),
        "names the pattern's line: {err}"
    );
    assert!(bad.stdout.is_empty(), "nothing on stdout on error");
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let usage_errors: [&[&str]; 6] = [
        &["key"],
        &["replay"],
        &["frobnicate"],
        &["scan", "--no-such-flag", "x.json"],
        &["replay", "--jobs", "0", "events/sample-bucket"],
        &["scan", "--format", "yaml", "x.json"],
    ];
    for args in usage_errors {
        let out = trailwatch(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            out.stdout.is_empty(),
            "{args:?}: stdout carries JSON lines only"
        );
        assert!(!out.stderr.is_empty(), "{args:?}: the usage is explained");
    }
    // A flag whose value is no account id is a usage error too, as `verify` must treat it
    // (INTEGRITY §7) and as every command then does.
    assert_eq!(
        trailwatch(&["replay", "--expected-accounts", "12", "events"])
            .status
            .code(),
        Some(2)
    );
    for sub in ["key", "scan", "replay", "rules", "verify"] {
        let help = trailwatch(&[sub, "--help"]);
        assert_eq!(help.status.code(), Some(0), "{sub} --help");
        assert!(
            String::from_utf8_lossy(&help.stdout).contains(&format!("Usage: trailwatch {sub}")),
            "{sub} --help prints its usage"
        );
    }
}

/// `verify`'s usage errors (INTEGRITY §7) are found before any request is sent: none of these
/// runs reaches the endpoint, which does not exist.
#[test]
fn verify_usage_errors_exit_2_before_reaching_aws() {
    let dir = tempfile::tempdir().unwrap();
    let bad_keys = dir.path().join("keys.json");
    std::fs::write(
        &bad_keys,
        r#"{"PublicKeyList":[{"Value":"!!","Fingerprint":"f"}]}"#,
    )
    .unwrap();
    let bad_keys = bad_keys.to_str().unwrap();
    let cases: [(&str, &[&str]); 9] = [
        ("no URL", &["verify"]),
        (
            "two URLs",
            &["verify", "s3://bucket-one", "s3://bucket-two"],
        ),
        ("not an s3 URL", &["verify", "bucket-one"]),
        ("a bucket name S3 rejects", &["verify", "s3://Bad_Bucket"]),
        ("a name too short", &["verify", "s3://ab"]),
        (
            "a bad TIME",
            &["verify", "--start", "yesterday", "s3://bucket-one"],
        ),
        (
            "START after END",
            &[
                "verify",
                "--start",
                "2025-03-07T00:00:00Z",
                "--end",
                "2025-03-06T00:00:00Z",
                "s3://bucket-one",
            ],
        ),
        (
            "a bad account",
            &["verify", "--expected-accounts", "12", "s3://bucket-one"],
        ),
        (
            "a bad key file",
            &["verify", "--public-keys", bad_keys, "s3://bucket-one"],
        ),
    ];
    for (case, args) in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_trailwatch"))
            .args(args)
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("AWS_ACCESS_KEY_ID", "x")
            .env("AWS_SECRET_ACCESS_KEY", "x")
            .env("AWS_REGION", "us-east-1")
            .output()
            .expect("the binary runs");
        assert_eq!(
            out.status.code(),
            Some(2),
            "case {case}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stdout.is_empty(),
            "case {case}: stdout carries alerts only"
        );
    }
}

#[test]
fn verify_against_an_unreachable_endpoint_is_an_operational_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_trailwatch"))
        .args(["verify", "s3://bucket-one"])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .output()
        .expect("the binary runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

/// A folder of Sigma files: one in-scope rule on trail changes, one document of another product.
fn sigma_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("aws")).unwrap();
    std::fs::write(
        dir.path().join("aws/trail.yml"),
        "title: Trail stopped\nid: 5e6f7a8b-1111-4222-8333-944455556666\nlevel: high\ntags: [attack.t1562.008]\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  selection:\n    eventSource: cloudtrail.amazonaws.com\n    eventName: stoplogging\n  condition: selection\n---\ntitle: Elsewhere\nlogsource:\n  product: windows\ndetection: {}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("README.md"), "not a rule\n").unwrap();
    dir
}

#[test]
fn sigma_rules_are_listed_after_the_others_and_fire_in_scan() {
    let dir = sigma_folder();
    let folder = dir.path().to_str().unwrap();
    let out = trailwatch(&["rules", "--sigma", folder]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rules = json_lines(&out);
    assert_eq!(rules.len(), 16);
    let sigma = &rules[15];
    assert_eq!(sigma["id"], "sigma.5e6f7a8b-1111-4222-8333-944455556666");
    assert_eq!(sigma["source"], "sigma");
    assert_eq!(sigma["pattern"], Value::Null);
    assert_eq!(sigma["tags"], serde_json::json!(["attack.t1562.008"]));
    assert!(sigma["file"].as_str().unwrap().ends_with("aws/trail.yml"));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("sigma: skipped 1 rules outside product aws / service cloudtrail"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let log = dir.path().join("log.json");
    std::fs::write(&log, r#"{"Records":[{"eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com","eventID":"e1"}]}"#).unwrap();
    // The same folder twice is the same rule twice: its id repeats.
    let twice = trailwatch(&[
        "scan",
        "--sigma",
        folder,
        "--sigma",
        folder,
        log.to_str().unwrap(),
    ]);
    assert_eq!(twice.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("is already used by"));
    let out = trailwatch(&["scan", "--sigma", folder, log.to_str().unwrap()]);
    let ids: Vec<Value> = json_lines(&out)
        .iter()
        .map(|a| a["rule_id"].clone())
        .collect();
    assert_eq!(
        ids,
        ["CloudWatch.5", "sigma.5e6f7a8b-1111-4222-8333-944455556666"]
    );
}

#[test]
fn a_bad_sigma_rule_fails_before_any_log_is_read() {
    let dir = sigma_folder();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "title: Bad\nid: 6e6f7a8b-1111-4222-8333-944455556666\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  selection:\n    eventName|windash: x\n  condition: selection\n",
    )
    .unwrap();
    for command in ["scan", "replay"] {
        let out = trailwatch(&[
            command,
            "--sigma",
            dir.path().to_str().unwrap(),
            "events/sample-bucket",
        ]);
        assert_eq!(out.status.code(), Some(1), "{command}");
        assert!(
            out.stdout.is_empty(),
            "{command}: no alert before the load failed"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("bad.yaml:8: search identifier `selection`: `eventName|windash`: modifier `windash` is not supported"), "{command}: {err}");
    }
    let empty = tempfile::tempdir().unwrap();
    let out = trailwatch(&["rules", "--sigma", empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no .yml or .yaml file"));
}

#[test]
fn suppressions_hold_back_detections_are_counted_and_listed() {
    // Every filter-pattern detection in account 222222222222, and an expired entry that would
    // suppress everything if it were still live.
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        r#"
[[suppress]]
rule = "CloudWatch.*"
pattern = '{ $.recipientAccountId = "222222222222" }'
reason = "account 222222222222 is the sandbox"
expires = 9999-12-31

[[suppress]]
rule = "*"
pattern = '{ $.eventVersion EXISTS }'
reason = "a finished migration"
expires = 2020-01-01
"#,
    )
    .unwrap();
    let rules = file.path().to_str().unwrap();
    let stats = tempfile::NamedTempFile::new().unwrap();
    let mut args = SAMPLE_ARGS.to_vec();
    args.extend([
        "--rules",
        rules,
        "--stats",
        stats.path().to_str().unwrap(),
        "events/sample-bucket",
    ]);
    let out = trailwatch(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let alerts = json_lines(&out);
    let sandbox = |a: &&Value| a["account_id"] == "222222222222" && a["kind"] == "detection";
    assert_eq!(
        alerts.iter().filter(sandbox).count(),
        0,
        "sandbox detections"
    );
    let stats: Value =
        serde_json::from_str(&std::fs::read_to_string(stats.path()).unwrap()).unwrap();
    let (detections, suppressed) = (stats["detections"].as_u64(), stats["suppressed"].as_u64());
    // Every detection is either published or suppressed: the sample's 23 in all.
    assert_eq!(
        detections.zip(suppressed).map(|(d, s)| d + s),
        Some(23),
        "{stats}"
    );
    assert!(
        suppressed.unwrap() > 0,
        "the sandbox has detections: {stats}"
    );
    assert_eq!(
        stats["delivery_alerts"], 4,
        "delivery alerts are never suppressed"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("A suppression has expired") && stderr.contains(":9:8"),
        "the expired entry is reported with its place: {stderr}"
    );

    let listed = json_lines(&trailwatch(&["rules", "--rules", rules]));
    let states: Vec<(&str, &str)> = listed
        .iter()
        .filter(|l| l.get("suppression").is_some())
        .map(|l| {
            (
                l["suppression"]["rule"].as_str().unwrap(),
                l["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(states, [("CloudWatch.*", "live"), ("*", "expired")]);
    assert_eq!(
        listed.last().unwrap()["suppression"]["expires"],
        "2020-01-01"
    );
}

#[test]
fn account_names_from_the_environment_name_every_kind_of_alert() {
    let names = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        names.path(),
        r#"{"Accounts": [{"Id": "111111111111", "Name": "Production"}, {"Id": "222222222222", "Name": "Dev"}]}"#,
    )
    .unwrap();
    let mut args = SAMPLE_ARGS.to_vec();
    args.push("events/sample-bucket");
    let out = Command::new(env!("CARGO_BIN_EXE_trailwatch"))
        .args(&args)
        .env("TRAILWATCH_ACCOUNT_NAMES", names.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let alerts = json_lines(&out);
    let mut kinds = std::collections::BTreeSet::new();
    for alert in &alerts {
        let want = match alert["account_id"].as_str() {
            Some("111111111111") => Value::from("Production"),
            Some("222222222222") => Value::from("Dev"),
            _ => Value::Null,
        };
        assert_eq!(alert["account_name"], want, "{alert}");
        if want != Value::Null {
            kinds.insert(alert["kind"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(kinds, ["delivery", "detection"].map(String::from).into());
    // The text lines and the summary read the name beside the id.
    let mut text_args = args.clone();
    text_args.splice(1..1, ["--format", "text"]);
    let out = Command::new(env!("CARGO_BIN_EXE_trailwatch"))
        .args(&text_args)
        .env("TRAILWATCH_ACCOUNT_NAMES", names.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.contains("CloudWatch.1  Production (111111111111)  us-east-1")),
        "{text}"
    );
    assert!(
        table_rows(&text)
            .iter()
            .any(|row| row[0] == "Dev (222222222222)"),
        "{text}"
    );

    // A names file that does not parse stops the run, naming the file.
    std::fs::write(names.path(), "111111111111 = \"Prod\"\n2222 = \"Dev\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_trailwatch"))
        .args(&args)
        .env("TRAILWATCH_ACCOUNT_NAMES", names.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`2222` is not a 12-digit account id"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing read before the names");
}

/// How many alerts the sample bucket's replay publishes, by its table.
fn sample_alert_count() -> usize {
    SAMPLE_ALERTS
        .iter()
        .flat_map(|o| o.alerts.iter().map(|(_, n)| *n))
        .sum()
}

/// The sample replay's stdout and `--stats` with `extra` arguments.
fn sample_replay(extra: &[&str]) -> (Output, Value) {
    let stats = tempfile::NamedTempFile::new().unwrap();
    let mut args = SAMPLE_ARGS.to_vec();
    args.extend(extra);
    args.extend([
        "--stats",
        stats.path().to_str().unwrap(),
        "events/sample-bucket",
    ]);
    let out = trailwatch(&args);
    assert!(
        out.status.success(),
        "{extra:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats = serde_json::from_str(&std::fs::read_to_string(stats.path()).unwrap()).unwrap();
    (out, stats)
}

#[test]
fn replay_prints_the_same_for_any_number_of_jobs() {
    for format in ["json", "text"] {
        let (one, one_stats) = sample_replay(&["--format", format, "--jobs", "1"]);
        assert_eq!(
            String::from_utf8_lossy(&one.stdout)
                .lines()
                .filter(|l| l.contains("AWSLogs/"))
                .count(),
            sample_alert_count(),
            "{format}: every alert"
        );
        for jobs in ["4", "3"] {
            let (many, many_stats) = sample_replay(&["--format", format, "--jobs", jobs]);
            assert!(
                one.stdout == many.stdout,
                "{format}, --jobs {jobs}: stdout differs from --jobs 1"
            );
            assert_eq!(one_stats, many_stats, "{format}, --jobs {jobs}");
        }
    }
}

/// The rows of the tables in `text`, each as its cells.
fn table_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| l.starts_with('│'))
        .map(|l| {
            l.split(['│', '┆'])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect()
        })
        .collect()
}

#[test]
fn text_replay_is_one_line_per_alert_then_the_summary_of_the_json_alerts() {
    let (json, stats) = sample_replay(&[]);
    let alerts = json_lines(&json);
    let (text, _) = sample_replay(&["--format", "text"]);
    let text = String::from_utf8(text.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let field = |a: &Value, name: &str| a[name].as_str().unwrap_or("-").to_string();
    for (alert, line) in alerts.iter().zip(&lines) {
        let what = if alert["kind"] == "detection" {
            format!(
                "{} {}  {}  {}",
                field(alert, "event_source"),
                field(alert, "event_name"),
                field(alert, "principal"),
                field(alert, "source_ip")
            )
        } else {
            field(alert, "reason")
        };
        let want = format!(
            "{:<8}  {}  {}  {}  {what}  {}",
            field(alert, "severity").to_uppercase(),
            field(alert, "rule_id"),
            field(alert, "account_id"),
            field(alert, "region"),
            field(alert, "key")
        );
        assert_eq!(*line, want);
    }
    // The JSON run's summary goes to stderr; the text run's follows the alert lines.
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    for a in &alerts {
        *counts
            .entry((field(a, "account_id"), field(a, "rule_id")))
            .or_default() += 1;
    }
    let mut want = vec![vec!["Account".to_string(), "Rule".into(), "Alerts".into()]];
    want.extend(
        counts
            .into_iter()
            .map(|((account, rule), n)| vec![account, rule, n.to_string()]),
    );
    want.push(
        [
            "Objects",
            "Records",
            "Detections",
            "Suppressed",
            "Delivery",
            "Integrity",
        ]
        .map(String::from)
        .to_vec(),
    );
    let delivery = alerts.iter().filter(|a| a["kind"] == "delivery").count();
    want.push(vec![
        stats["objects"].to_string(),
        stats["records"].to_string(),
        stats["detections"].to_string(),
        stats["suppressed"].to_string(),
        delivery.to_string(),
        "0".into(),
    ]);
    let summary = lines[alerts.len()..].join("\n");
    assert_eq!(table_rows(&summary), want);
    assert_eq!(
        table_rows(&String::from_utf8_lossy(&json.stderr)),
        want,
        "the same table on stderr with JSON"
    );
}

#[test]
fn text_lines_escape_what_a_log_could_send_to_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    // A file name is a key, written by whoever wrote the object.
    let log = dir.path().join("evil\u{1b}[2J.json");
    std::fs::write(
        &log,
        r#"{"Records":[{"eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com","userIdentity":{"arn":"x\r\u001b]0;owned\u0007\u009b1m\u202e"},"sourceIPAddress":"1.2.3.4\nHIGH fake line","eventID":"e1"}]}"#,
    )
    .unwrap();
    let out = trailwatch(&["scan", "--format", "text", log.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{text:?}");
    assert!(
        !text
            .trim_end_matches('\n')
            .chars()
            .any(|c| c.is_control() || c == '\u{202e}'),
        "{text:?}"
    );
    assert!(
        text.contains(
            r"StopLogging  x\r\u{1b}]0;owned\u{7}\u{9b}1m\u{202e}  1.2.3.4\nHIGH fake line"
        ),
        "{text:?}"
    );
    assert!(text.ends_with("evil\\u{1b}[2J.json\n"), "{text:?}");
}

/// Drops the escape sequences a terminal acts on (CSI, OSC) and carriage returns from `text`.
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                Some('[') => {
                    for c in chars.by_ref() {
                        if c.is_ascii_alphabetic() {
                            break;
                        }
                    }
                }
                _ => {
                    for c in chars.by_ref() {
                        if c == '\u{7}' {
                            break;
                        }
                    }
                }
            },
            '\r' => out.push('\n'),
            c => out.push(c),
        }
    }
    out
}

/// The sample replay with stderr on a pseudo-terminal: what the terminal received, and the
/// run's stdout.
fn replay_on_a_terminal() -> (String, Output) {
    use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
    use std::io::Read;
    use std::os::unix::ffi::OsStrExt;

    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    rustix::termios::tcsetwinsize(
        &master,
        rustix::termios::Winsize {
            ws_row: 40,
            ws_col: 160,
            ws_xpixel: 0,
            ws_ypixel: 0,
        },
    )
    .unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(std::ffi::OsStr::from_bytes(name.as_bytes()))
        .unwrap();
    let mut master = std::fs::File::from(master);
    // Read while the child writes: a full terminal buffer would block it.
    let screen = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut chunk = [0; 4096];
        // Linux answers EIO once the last holder of the terminal side closes it.
        while let Ok(n @ 1..) = master.read(&mut chunk) {
            seen.extend_from_slice(&chunk[..n]);
        }
        seen
    });
    let mut args = SAMPLE_ARGS.to_vec();
    args.extend(["--jobs", "2", "events/sample-bucket"]);
    // The command owns our only handle on the terminal side: dropped with it once spawned.
    let child = Command::new(env!("CARGO_BIN_EXE_trailwatch"))
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(terminal)
        .spawn()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let screen = String::from_utf8(screen.join().unwrap()).unwrap();
    (plain(&screen), out)
}

#[test]
fn replay_shows_progress_on_a_terminal_and_nothing_on_a_pipe() {
    let (screen, out) = replay_on_a_terminal();
    let bars: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains(" objects  "))
        .collect();
    assert!(
        bars.first().is_some_and(|b| b.contains(" 0/14 objects ")),
        "{screen}"
    );
    let last = bars.last().unwrap();
    assert!(
        last.contains(" 14/14 objects  ")
            && last.contains(&format!(" objects/s  {} alerts ", sample_alert_count())),
        "the final count stays: {screen}"
    );
    assert!(bars.len() >= 2, "{screen}");
    // Log lines and the table are written below the bar, never into its line.
    let log = screen
        .lines()
        .find(|l| l.contains("replay finished"))
        .unwrap();
    assert!(!log.contains("objects  "), "{screen}");
    assert!(screen.contains("│ 444444444444 ┆ delivery.unexpected-account ┆      1 │"));
    assert_eq!(
        json_lines(&out).len(),
        sample_alert_count(),
        "stdout carries the alerts only"
    );

    let (piped, _) = sample_replay(&["--jobs", "2"]);
    let stderr = String::from_utf8(piped.stderr).unwrap();
    assert!(
        !stderr.contains("objects/s") && !stderr.contains('\r'),
        "{stderr}"
    );
    assert!(
        !stderr.lines().any(|l| l.trim().is_empty()),
        "not even a blank line: {stderr:?}"
    );
    assert!(out.stdout == piped.stdout);
}
