//! Whole-key cases: one or more passing and failing keys for every layout rule.

use super::*;

fn today() -> Date {
    Date::new(2025, 3, 6).unwrap()
}

fn file(
    kind: Kind,
    prefix: Option<&str>,
    org: Option<&str>,
    account: &str,
    region: &str,
    (year, month, day): (i32, u32, u32),
) -> Result<LogKey, &'static str> {
    Ok(LogKey {
        kind,
        prefix: prefix.map(str::to_owned),
        org_id: org.map(str::to_owned),
        account_id: Some(account.to_owned()),
        region: Some(region.to_owned()),
        date: Date::new(year, month, day),
        digest: None,
    })
}

fn other(
    prefix: Option<&str>,
    org: Option<&str>,
    account: Option<&str>,
) -> Result<LogKey, &'static str> {
    Ok(LogKey {
        org_id: org.map(str::to_owned),
        account_id: account.map(str::to_owned),
        ..LogKey::other(prefix.map(str::to_owned))
    })
}

const ACCT: &str = "111122223333";
const LOG: &str = "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/06/111122223333_CloudTrail_eu-west-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz";

/// Compares everything but a digest's name, which `digest_names_*` below check.
fn check(cases: Vec<(&str, String, Result<LogKey, &str>)>) {
    for (name, key, expected) in cases {
        let got = LogKey::parse(&key, today())
            .map(|key| LogKey {
                digest: None,
                ..key
            })
            .map_err(|e| e.code());
        assert_eq!(got, expected, "case `{name}`: key `{key}`");
    }
}

/// A log key in `region` for `yyyy/mm/dd`, with the file name agreeing with the folders.
fn log_key(region: &str, year: &str, month: &str, day: &str, time: &str) -> String {
    format!(
        "AWSLogs/{ACCT}/CloudTrail/{region}/{year}/{month}/{day}/{ACCT}_CloudTrail_{region}_{year}{month}{day}T{time}Z_QF6qcgyiaVnSueXa.json.gz"
    )
}

#[test]
fn cloudtrail_files_parse_into_components() {
    let eu = |date| file(Kind::Log, None, None, ACCT, "eu-west-1", date);
    check(vec![
        (
            "organization trail log",
            "AWSLogs/o-aa1bb2cc3d/111122223333/CloudTrail/eu-west-1/2025/03/06/111122223333_CloudTrail_eu-west-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz".into(),
            file(Kind::Log, None, Some("o-aa1bb2cc3d"), ACCT, "eu-west-1", (2025, 3, 6)),
        ),
        (
            "account trail log",
            "AWSLogs/333333333333/CloudTrail/us-east-1/2025/03/06/333333333333_CloudTrail_us-east-1_20250306T0320Z_ZgdYr0lP8M9fWEH8.json.gz".into(),
            file(Kind::Log, None, None, "333333333333", "us-east-1", (2025, 3, 6)),
        ),
        ("custom prefix", format!("logs/{LOG}"), file(Kind::Log, Some("logs"), None, ACCT, "eu-west-1", (2025, 3, 6))),
        (
            "multi-segment prefix with spaces and non-ASCII",
            format!("team a/journal é/{LOG}"),
            file(Kind::Log, Some("team a/journal é"), None, ACCT, "eu-west-1", (2025, 3, 6)),
        ),
        (
            "prefix containing AWSLogs",
            format!("AWSLogs/archive/{LOG}"),
            file(Kind::Log, Some("AWSLogs/archive"), None, ACCT, "eu-west-1", (2025, 3, 6)),
        ),
        (
            "prefix with CloudTrail-like names",
            format!("cloudtrail/awslogs/CloudTrail/{LOG}"),
            file(Kind::Log, Some("cloudtrail/awslogs/CloudTrail"), None, ACCT, "eu-west-1", (2025, 3, 6)),
        ),
        (
            "no-break space is not a control character",
            format!("logs\u{a0}/{LOG}"),
            file(Kind::Log, Some("logs\u{a0}"), None, ACCT, "eu-west-1", (2025, 3, 6)),
        ),
        (
            "digest with underscores in the trail name",
            "logs/AWSLogs/o-aa1bb2cc3d/111122223333/CloudTrail-Digest/eu-west-1/2025/03/06/111122223333_CloudTrail-Digest_eu-west-1_org_wide_trail_us-east-1_20250306T023015Z.json.gz".into(),
            file(Kind::Digest, Some("logs"), Some("o-aa1bb2cc3d"), ACCT, "eu-west-1", (2025, 3, 6)),
        ),
        (
            "insight",
            "AWSLogs/111122223333/CloudTrail-Insight/eu-west-1/2025/03/06/111122223333_CloudTrail-Insight_eu-west-1_20250306T1105Z_0123456789ABCDEF.json.gz".into(),
            file(Kind::Insight, None, None, ACCT, "eu-west-1", (2025, 3, 6)),
        ),
        (
            "GovCloud region",
            log_key("us-gov-west-1", "2025", "03", "06", "0230"),
            file(Kind::Log, None, None, ACCT, "us-gov-west-1", (2025, 3, 6)),
        ),
        (
            "ISO-B region",
            log_key("us-isob-east-1", "2025", "03", "06", "0230"),
            file(Kind::Log, None, None, ACCT, "us-isob-east-1", (2025, 3, 6)),
        ),
        (
            "made-up future region",
            log_key("xx-newplace-9", "2025", "03", "06", "0230"),
            file(Kind::Log, None, None, ACCT, "xx-newplace-9", (2025, 3, 6)),
        ),
        ("leap day in a leap year", log_key("eu-west-1", "2024", "02", "29", "2359"), eu((2024, 2, 29))),
        ("launch day", log_key("eu-west-1", "2013", "11", "01", "0000"), eu((2013, 11, 1))),
        ("tomorrow", log_key("eu-west-1", "2025", "03", "07", "0005"), eu((2025, 3, 7))),
    ]);
}

#[test]
fn bad_dates_times_and_file_names_are_rejected() {
    let err = Err;
    check(vec![
        ("leap day in a common year", log_key("eu-west-1", "2023", "02", "29", "0230"), err("bad-date")),
        ("day before launch", log_key("eu-west-1", "2013", "10", "31", "0230"), err("date-out-of-range")),
        ("day after tomorrow", log_key("eu-west-1", "2025", "03", "08", "0230"), err("date-out-of-range")),
        ("unpadded month", log_key("eu-west-1", "2025", "3", "06", "0230"), err("bad-date")),
        ("hour 24", log_key("eu-west-1", "2025", "03", "06", "2400"), err("bad-time")),
        ("minute 60", log_key("eu-west-1", "2025", "03", "06", "0260"), err("bad-time")),
        ("uppercase region", log_key("EU-WEST-1", "2025", "03", "06", "0230"), err("bad-region")),
        ("suffix of 15 characters", LOG.replace("SueXa.", "SueX."), err("bad-file-name")),
        ("suffix of 17 characters", LOG.replace("SueXa.", "SueXab."), err("bad-file-name")),
        ("suffix with a non-ASCII letter", LOG.replace("SueXa.", "Sueßa."), err("bad-file-name")),
        ("`.json` file", LOG.replace(".json.gz", ".json"), err("bad-file-name")),
        ("`.tmp` file", format!("{LOG}.tmp"), err("bad-file-name")),
        (
            "digest name under CloudTrail/",
            "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/06/111122223333_CloudTrail-Digest_eu-west-1_trail_us-east-1_20250306T023015Z.json.gz".into(),
            err("bad-file-name"),
        ),
        (
            "log name under CloudTrail-Digest/",
            LOG.replacen("/CloudTrail/", "/CloudTrail-Digest/", 1),
            err("bad-file-name"),
        ),
        ("file account disagrees", LOG.replace("/111122223333_", "/444455556666_"), err("file-name-mismatch")),
        ("file region disagrees", LOG.replace("_eu-west-1_", "_eu-west-2_"), err("file-name-mismatch")),
        ("file date disagrees", LOG.replace("_20250306T", "_20250305T"), err("file-name-mismatch")),
    ]);
}

#[test]
fn accounts_org_ids_and_near_misses_are_checked() {
    let err = Err;
    check(vec![
        (
            "Arabic-Indic digits in the account",
            LOG.replacen(ACCT, "١١١١٢٢٢٢٣٣٣٣", 1),
            err("bad-account"),
        ),
        (
            "short account",
            LOG.replacen(ACCT, "12345", 1),
            err("bad-account"),
        ),
        (
            "org id of 9 characters",
            LOG.replace("AWSLogs/", "AWSLogs/o-1234abcde/"),
            err("bad-org-id"),
        ),
        (
            "uppercase org id",
            LOG.replace("AWSLogs/", "AWSLogs/O-AA1BB2CC3D/"),
            err("bad-account"),
        ),
        (
            "org id followed by a non-account",
            "AWSLogs/o-aa1bb2cc3d/CloudTrail/eu-west-1/2025/03/06/x.json.gz".into(),
            err("bad-account"),
        ),
        (
            "lowercase awslogs",
            LOG.replace("AWSLogs/", "awslogs/"),
            err("near-miss"),
        ),
        (
            "awslogs right of AWSLogs",
            format!("AWSLogs/awslogs/{ACCT}/Config/x.json.gz"),
            err("near-miss"),
        ),
        (
            "lowercase cloudtrail",
            LOG.replacen("/CloudTrail/", "/cloudtrail/", 1),
            err("near-miss"),
        ),
        (
            "uppercase digest folder",
            LOG.replacen("/CloudTrail/", "/CLOUDTRAIL-DIGEST/", 1),
            err("near-miss"),
        ),
        (
            "mixed-case insight folder",
            LOG.replacen("/CloudTrail/", "/Cloudtrail-Insight/", 1),
            err("near-miss"),
        ),
        (
            "CloudTrail below a region folder",
            format!("AWSLogs/{ACCT}/eu-west-1/CloudTrail/2025/03/06/x.json.gz"),
            err("wrong-depth"),
        ),
        (
            "cloudtrail near miss below another service",
            format!("AWSLogs/{ACCT}/Config/cloudtrail/x.json.gz"),
            err("near-miss"),
        ),
        (
            "digest folder below another service",
            format!("AWSLogs/{ACCT}/Config/CloudTrail-Digest/x"),
            err("wrong-depth"),
        ),
        (
            "CloudTrail before the account",
            LOG.replacen(
                &format!("{ACCT}/CloudTrail"),
                &format!("CloudTrail/{ACCT}"),
                1,
            ),
            err("bad-account"),
        ),
        (
            "too few folders below CloudTrail",
            LOG.replace("/03/06/", "/03/"),
            err("wrong-depth"),
        ),
        (
            "too many folders below CloudTrail",
            LOG.replace("/03/06/", "/03/06/extra/"),
            err("wrong-depth"),
        ),
    ]);
}

#[test]
fn other_services_placeholders_and_outside_keys_are_other() {
    let acct = Some(ACCT);
    check(vec![
        (
            "Config history",
            format!("AWSLogs/{ACCT}/Config/eu-west-1/2025/3/6/ConfigHistory/{ACCT}_Config_eu-west-1_ConfigHistory_AWS__EC2__Instance_20250306T023015Z_20250306T023015Z_1.json.gz"),
            other(None, None, acct),
        ),
        ("Config writability check", format!("AWSLogs/{ACCT}/Config/ConfigWritabilityCheckFile"), other(None, None, acct)),
        (
            "VPC flow logs",
            format!("AWSLogs/{ACCT}/vpcflowlogs/eu-west-1/2025/03/06/{ACCT}_vpcflowlogs_eu-west-1_fl-1234_20250306T0230Z_hash.log.gz"),
            other(None, None, acct),
        ),
        (
            "load balancer logs under a prefix",
            format!("elb/AWSLogs/{ACCT}/elasticloadbalancing/eu-west-1/2025/03/06/{ACCT}_elasticloadbalancing_eu-west-1_app.x_20250306T0230Z_10.0.0.1_abc.log.gz"),
            other(Some("elb"), None, acct),
        ),
        (
            "GuardDuty findings in an organization",
            format!("AWSLogs/o-aa1bb2cc3d/{ACCT}/GuardDuty/eu-west-1/2025/03/06/finding.jsonl.gz"),
            other(None, Some("o-aa1bb2cc3d"), acct),
        ),
        ("file directly in the account folder", format!("AWSLogs/{ACCT}/README"), other(None, None, acct)),
        ("file named like a CloudTrail folder", format!("AWSLogs/{ACCT}/CloudTrail"), other(None, None, acct)),
        (
            "file named like a CloudTrail folder inside another service",
            format!("AWSLogs/{ACCT}/Config/CloudTrail-Digest"),
            other(None, None, acct),
        ),
        ("AWSLogs placeholder", "AWSLogs/".into(), other(None, None, None)),
        ("account placeholder", format!("logs/AWSLogs/o-aa1bb2cc3d/{ACCT}/"), other(Some("logs"), Some("o-aa1bb2cc3d"), acct)),
        ("year placeholder", format!("AWSLogs/{ACCT}/CloudTrail/us-east-1/2025/"), other(None, None, acct)),
        ("day placeholder", format!("AWSLogs/{ACCT}/CloudTrail/us-east-1/2025/03/06/"), other(None, None, acct)),
        ("other service placeholder", format!("AWSLogs/{ACCT}/Config/"), other(None, None, acct)),
        ("no AWSLogs", "index.html".into(), other(None, None, None)),
        ("CloudTrail layout without AWSLogs", "cloudtrail/CloudTrail/us-east-1/x.json.gz".into(), other(None, None, None)),
        ("a file named AWSLogs", "logs/AWSLogs".into(), other(None, None, None)),
        ("a placeholder without AWSLogs", "logs/".into(), other(None, None, None)),
    ]);
}

#[test]
fn placeholders_are_still_validated() {
    let err = Err;
    check(vec![
        (
            "bad account placeholder",
            "AWSLogs/12345/".into(),
            err("bad-account"),
        ),
        (
            "near-miss placeholder",
            format!("AWSLogs/{ACCT}/cloudtrail/"),
            err("near-miss"),
        ),
        (
            "bad region placeholder",
            format!("AWSLogs/{ACCT}/CloudTrail/US-EAST-1/"),
            err("bad-region"),
        ),
        (
            "year placeholder before launch",
            format!("AWSLogs/{ACCT}/CloudTrail/us-east-1/2012/"),
            err("date-out-of-range"),
        ),
        (
            "bad day placeholder",
            format!("AWSLogs/{ACCT}/CloudTrail/us-east-1/2025/02/30/"),
            err("bad-date"),
        ),
        (
            "placeholder below the day folder",
            format!("AWSLogs/{ACCT}/CloudTrail/us-east-1/2025/03/06/extra/"),
            err("wrong-depth"),
        ),
    ]);
}

#[test]
fn malformed_paths_are_rejected() {
    let err = Err;
    check(vec![
        ("empty key", String::new(), err("empty-key")),
        ("leading slash", format!("/{LOG}"), err("leading-slash")),
        ("just a slash", "/".into(), err("leading-slash")),
        (
            "double slash",
            LOG.replace("/CloudTrail/", "//CloudTrail/"),
            err("empty-segment"),
        ),
        (
            "double slash in a placeholder",
            "AWSLogs//".into(),
            err("empty-segment"),
        ),
        (
            "double slash without AWSLogs",
            "a//b".into(),
            err("empty-segment"),
        ),
        ("dot segment", format!("logs/./{LOG}"), err("dot-segment")),
        (
            "dot-dot segment",
            format!("logs/../{LOG}"),
            err("dot-segment"),
        ),
        ("dot-dot as the file", "logs/..".into(), err("dot-segment")),
        (
            "dots inside a name are fine",
            format!("logs..old/{LOG}"),
            file(
                Kind::Log,
                Some("logs..old"),
                None,
                ACCT,
                "eu-west-1",
                (2025, 3, 6),
            ),
        ),
        ("NUL", format!("logs\u{0}/{LOG}"), err("control-character")),
        (
            "unit separator",
            format!("logs\u{1f}/{LOG}"),
            err("control-character"),
        ),
        ("DEL", format!("{LOG}\u{7f}"), err("control-character")),
        (
            "C1 next line",
            format!("logs\u{85}/{LOG}"),
            err("control-character"),
        ),
        (
            "last C1 character",
            format!("logs\u{9f}/{LOG}"),
            err("control-character"),
        ),
        (
            "newline outside AWSLogs",
            "a\nb".into(),
            err("control-character"),
        ),
        ("backslash", format!("logs\\{LOG}"), err("backslash")),
        ("backslash outside AWSLogs", "a\\b".into(), err("backslash")),
    ]);
}

#[test]
fn messages_name_the_offending_segment() {
    let cases = [
        (
            "short account",
            LOG.replacen(ACCT, "12345", 1),
            "account folder `12345`",
        ),
        (
            "near miss",
            LOG.replace("AWSLogs/", "awsLogs/"),
            "folder `awsLogs` differs from `AWSLogs` only in letter case",
        ),
        (
            "bad region",
            log_key("eu-west", "2025", "03", "06", "0230"),
            "region folder `eu-west`",
        ),
        (
            "unpadded month",
            log_key("eu-west-1", "2025", "3", "06", "0230"),
            "month folder `3`",
        ),
        (
            "future date",
            log_key("eu-west-1", "2025", "04", "01", "0230"),
            "`2025/04/01` fall after tomorrow (2025-03-07)",
        ),
        (
            "wrong depth",
            LOG.replace("/03/06/", "/03/"),
            "not `eu-west-1/2025/03/",
        ),
        (
            "control character escaped",
            "ab\u{1b}[31m/x".into(),
            "segment `ab\\u{1b}[31m` contains control character U+001B",
        ),
        (
            "backslash",
            "logs/a\\b/x".into(),
            "segment `a\\b` contains a backslash",
        ),
        (
            "control character escaped after a backslash",
            "a\\b\u{0}/x".into(),
            "segment `a\\b\\u{0}` contains a backslash",
        ),
        ("dot segment", format!("logs/../{LOG}"), "segment `..`"),
    ];
    for (name, key, fragment) in cases {
        let message = LogKey::parse(&key, today())
            .unwrap_err()
            .message()
            .to_owned();
        assert!(message.contains(fragment), "case `{name}`: {message}");
    }
}

#[test]
fn errors_expose_kind_code_and_message() {
    let error = LogKey::parse("", today()).unwrap_err();
    assert_eq!(error.kind(), KeyErrorKind::EmptyKey);
    assert_eq!(error.code(), "empty-key");
    assert_eq!(error.to_string(), error.message());
}

#[test]
fn log_keys_serialize_in_the_cli_shape() {
    let key = LogKey::parse(&format!("logs/{LOG}"), today()).unwrap();
    assert_eq!(
        serde_json::to_value(&key).unwrap(),
        serde_json::json!({
            "kind": "log", "prefix": "logs", "org_id": null, "account_id": ACCT,
            "region": "eu-west-1", "date": "2025-03-06",
        })
    );
    let cases = [
        ("log", Kind::Log),
        ("digest", Kind::Digest),
        ("insight", Kind::Insight),
        ("other", Kind::Other),
    ];
    for (name, kind) in cases {
        assert_eq!(kind.as_str(), name, "case `{name}`");
        assert_eq!(
            serde_json::to_value(kind).unwrap(),
            serde_json::json!(name),
            "case `{name}`"
        );
    }
}

#[test]
fn keys_up_to_s3s_1024_bytes_parse_and_longer_ones_are_refused() {
    let padded = |total: usize| {
        let prefix = "p".repeat(total - LOG.len() - 1);
        format!("{prefix}/{LOG}")
    };
    let longest = padded(1024);
    assert_eq!(longest.len(), 1024);
    assert_eq!(LogKey::parse(&longest, today()).unwrap().kind, Kind::Log);
    let error = LogKey::parse(&padded(1025), today()).unwrap_err();
    assert_eq!(error.code(), "too-long");
    assert!(
        error.message().contains("1025 bytes"),
        "{}",
        error.message()
    );
    // Bytes, not characters: 512 two-byte characters are already 1,024 bytes.
    let wide = format!("{}x", "é".repeat(512));
    assert_eq!(
        LogKey::parse(&wide, today()).unwrap_err().code(),
        "too-long"
    );
}

#[test]
fn digest_names_give_trail_home_region_time_and_backfill() {
    let folder = "AWSLogs/o-aa1bb2cc3d/111122223333/CloudTrail-Digest/eu-west-1/2025/03/06";
    let cases = [
        (
            "standard",
            "111122223333_CloudTrail-Digest_eu-west-1_org_trail_us-east-1_20250306T023015Z.json.gz",
            ("org_trail", "us-east-1", (2, 30, 15), false),
        ),
        (
            "backfill",
            "111122223333_CloudTrail-Digest_eu-west-1_t_eu-west-1_20250306T235959Z_backfill.json.gz",
            ("t", "eu-west-1", (23, 59, 59), true),
        ),
        (
            "a trail named backfill is not a backfill digest",
            "111122223333_CloudTrail-Digest_eu-west-1_backfill_us-east-1_20250306T000000Z.json.gz",
            ("backfill", "us-east-1", (0, 0, 0), false),
        ),
    ];
    for (case, file, (trail, home, (h, m, sec), backfill)) in cases {
        let key = LogKey::parse(&format!("{folder}/{file}"), today())
            .unwrap_or_else(|e| panic!("case `{case}`: {e}"));
        let name = key
            .digest
            .unwrap_or_else(|| panic!("case `{case}`: no digest name"));
        let time = time::Date::from_calendar_date(2025, time::Month::March, 6)
            .unwrap()
            .with_hms(h, m, sec)
            .unwrap()
            .assume_utc();
        assert_eq!(
            name,
            DigestName {
                trail: trail.to_owned(),
                home_region: home.to_owned(),
                time,
                backfill,
            },
            "case `{case}`"
        );
    }
    let log = LogKey::parse(LOG, today()).unwrap();
    assert_eq!(log.digest, None, "a log has no digest name");
}

#[test]
fn backfill_marks_only_digests_and_only_after_the_time() {
    let folder = "AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2025/03/06";
    for (case, file) in [
        (
            "backfill before the time",
            "111122223333_CloudTrail-Digest_eu-west-1_t_us-east-1_backfill_20250306T000000Z.json.gz",
        ),
        (
            "backfill twice",
            "111122223333_CloudTrail-Digest_eu-west-1_t_us-east-1_20250306T000000Z_backfill_backfill.json.gz",
        ),
        (
            "backfill in another case",
            "111122223333_CloudTrail-Digest_eu-west-1_t_us-east-1_20250306T000000Z_Backfill.json.gz",
        ),
    ] {
        assert!(
            LogKey::parse(&format!("{folder}/{file}"), today()).is_err(),
            "case `{case}`"
        );
    }
    let log = "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/06/111122223333_CloudTrail_eu-west-1_20250306T0230Z_QF6qcgyiaVnSueXa_backfill.json.gz";
    assert!(
        LogKey::parse(log, today()).is_err(),
        "a log has no backfill form"
    );
}
