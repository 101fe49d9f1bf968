//! The configuration parsers and the Lambda environment, read from tables.

use super::*;

#[test]
fn lists_parse_and_reject_clearly() {
    let accounts = parse_accounts("--expected-accounts", " 111111111111, 222222222222").unwrap();
    assert_eq!(accounts.len(), 2, "two accounts, white space trimmed");
    let err = parse_accounts("--expected-accounts", "111111111111,12345").unwrap_err();
    assert_eq!(
        err.to_string(),
        "--expected-accounts: `12345` is not a 12-digit account id"
    );
    assert!(
        parse_accounts("X", "").is_err(),
        "an empty list is a mistake, not 'any account'"
    );
    assert!(parse_regions("R", "us-east-1,eu-west-3").is_ok());
    assert!(parse_regions("R", "us-east-1,Europe").is_err());
    assert_eq!(parse_org_id("O", "o-exampleorg1").unwrap(), "o-exampleorg1");
    assert!(parse_org_id("O", "o-short").is_err());
    assert!(parse_buckets("B", "example-ct-logs, logs.archive.2025").is_ok());
    for bad in ["ab", "Example", "-logs", "logs-", "logs_x", &"a".repeat(64)] {
        assert!(parse_buckets("B", bad).is_err(), "{bad}");
    }
}

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:trailwatch-alerts";
const OWNER: &str = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";

fn config(vars: &[(&str, &str)]) -> Result<LambdaConfig, ConfigError> {
    LambdaConfig::from_lookup(|name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    })
}

#[test]
fn lambda_config_defaults_with_only_the_topic() {
    let c = config(&[(env::TOPIC_ARN, TOPIC)]).unwrap();
    assert_eq!(c.topic_arn, TOPIC);
    assert_eq!(c.settings, Settings::default());
    assert_eq!(c.bucket_owner_id, None);
    assert_eq!(c.expected_bucket_owner, None);
    assert_eq!(c.rules, None);
    assert_eq!(c.sigma_rules, None);
}

#[test]
fn lambda_config_reads_every_variable() {
    let c = config(&[
        (env::TOPIC_ARN, TOPIC),
        (env::EXPECTED_ACCOUNTS, "123456789012, 999988887777"),
        (env::EXPECTED_ORG_ID, "o-exampleorg1"),
        (env::REGIONS, "us-east-1,eu-west-1"),
        (env::BUCKETS, "example-ct-logs"),
        (env::BUCKET_OWNER_ID, &OWNER.to_ascii_uppercase()),
        (env::EXPECTED_BUCKET_OWNER, "111122223333"),
        (env::RULES, "s3://config-bucket/trailwatch/rules.toml"),
        (env::SIGMA_RULES, "s3://config-bucket/trailwatch/sigma/"),
        (env::MAX_COMPRESSED_BYTES, "1000"),
        (env::MAX_DECOMPRESSED_BYTES, "2000"),
        (env::MAX_RECORD_BYTES, "300"),
        (env::MAX_ALERT_RECORD_BYTES, "400"),
    ])
    .unwrap();
    let s = &c.settings;
    assert_eq!(
        s.expected_accounts.as_ref().map(|a| a.len()),
        Some(2),
        "accounts"
    );
    assert_eq!(s.expected_org.as_deref(), Some("o-exampleorg1"));
    assert_eq!(s.regions.as_ref().map(|r| r.len()), Some(2), "regions");
    assert_eq!(s.buckets.as_ref().map(|b| b.len()), Some(1), "buckets");
    assert_eq!(c.bucket_owner_id.as_deref(), Some(OWNER), "lower-cased");
    assert_eq!(c.expected_bucket_owner.as_deref(), Some("111122223333"));
    assert_eq!(
        c.rules,
        Some(FileLocation::S3 {
            bucket: "config-bucket".into(),
            key: "trailwatch/rules.toml".into()
        })
    );
    assert_eq!(
        c.sigma_rules,
        Some(SigmaLocation::Prefix {
            bucket: "config-bucket".into(),
            prefix: "trailwatch/sigma/".into()
        })
    );
    assert_eq!(
        s.limits,
        Limits {
            max_compressed_bytes: 1000,
            max_decompressed_bytes: 2000,
            max_record_bytes: 300
        }
    );
    assert_eq!(s.max_alert_record_bytes, 400);
}

#[test]
fn limits_override_only_what_is_set_and_keep_the_other_settings() {
    let base = Settings {
        expected_org: Some("o-exampleorg1".into()),
        ..Settings::default()
    };
    let vars = [
        (env::MAX_RECORD_BYTES, "300"),
        (env::MAX_COMPRESSED_BYTES, " "),
    ];
    let lookup = |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let s = base.clone().with_tuning_from(lookup).unwrap();
    assert_eq!(s.limits.max_record_bytes, 300);
    assert_eq!(
        s.limits.max_compressed_bytes, base.limits.max_compressed_bytes,
        "blank"
    );
    assert_eq!(s.expected_org, base.expected_org);
    let bad = base.with_tuning_from(|_| Some("-1".into())).unwrap_err();
    assert!(bad.to_string().starts_with("TRAILWATCH_MAX_"), "{bad}");
}

#[test]
fn blank_values_count_as_unset() {
    let c = config(&[
        (env::TOPIC_ARN, TOPIC),
        (env::EXPECTED_ACCOUNTS, ""),
        (env::RULES, "  "),
    ])
    .unwrap();
    assert_eq!(c.settings.expected_accounts, None);
    assert_eq!(c.rules, None);
}

#[test]
fn lambda_config_rejects_bad_values_naming_the_variable() {
    type Vars<'a> = &'a [(&'a str, &'a str)];
    let cases: [(&str, Vars, &str); 12] = [
        ("missing topic", &[], env::TOPIC_ARN),
        ("blank topic", &[(env::TOPIC_ARN, " ")], env::TOPIC_ARN),
        (
            "queue ARN as topic",
            &[(env::TOPIC_ARN, "arn:aws:sqs:us-east-1:123456789012:q")],
            env::TOPIC_ARN,
        ),
        (
            "topic name only",
            &[(env::TOPIC_ARN, "alerts")],
            env::TOPIC_ARN,
        ),
        (
            "short account",
            &[(env::TOPIC_ARN, TOPIC), (env::EXPECTED_ACCOUNTS, "12345")],
            env::EXPECTED_ACCOUNTS,
        ),
        (
            "bad org",
            &[(env::TOPIC_ARN, TOPIC), (env::EXPECTED_ORG_ID, "org-1")],
            env::EXPECTED_ORG_ID,
        ),
        (
            "bad region",
            &[(env::TOPIC_ARN, TOPIC), (env::REGIONS, "Europe")],
            env::REGIONS,
        ),
        (
            "account id as canonical id",
            &[
                (env::TOPIC_ARN, TOPIC),
                (env::BUCKET_OWNER_ID, "123456789012"),
            ],
            env::BUCKET_OWNER_ID,
        ),
        (
            "canonical id as expected owner",
            &[(env::TOPIC_ARN, TOPIC), (env::EXPECTED_BUCKET_OWNER, OWNER)],
            env::EXPECTED_BUCKET_OWNER,
        ),
        (
            "s3 URI without key",
            &[(env::TOPIC_ARN, TOPIC), (env::RULES, "s3://bucket-only")],
            env::RULES,
        ),
        (
            "Sigma URI without bucket",
            &[(env::TOPIC_ARN, TOPIC), (env::SIGMA_RULES, "s3:///sigma/")],
            env::SIGMA_RULES,
        ),
        (
            "zero limit",
            &[(env::TOPIC_ARN, TOPIC), (env::MAX_RECORD_BYTES, "0")],
            env::MAX_RECORD_BYTES,
        ),
    ];
    for (name, vars, variable) in cases {
        let err = config(vars).expect_err(name);
        assert_eq!(err.setting, variable, "case {name}: {err}");
    }
    let err = config(&[(env::TOPIC_ARN, TOPIC), (env::MAX_COMPRESSED_BYTES, "10MB")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "TRAILWATCH_MAX_COMPRESSED_BYTES: `10MB` is not a positive whole number of bytes"
    );
}

#[test]
fn every_variable_is_documented() {
    let doc = include_str!("../../docs/lambda.md");
    for name in env::ALL {
        assert!(
            doc.contains(&format!("| `{name}` |")),
            "docs/lambda.md lacks {name}"
        );
    }
}

#[test]
fn rules_locations() {
    assert_eq!(
        FileLocation::parse("R", "/opt/rules.toml").unwrap(),
        FileLocation::Path("/opt/rules.toml".into())
    );
    let s3 = FileLocation::parse("R", "s3://b/k/rules.toml").unwrap();
    assert_eq!(s3.origin(), "s3://b/k/rules.toml");
    assert!(FileLocation::parse("R", "s3:///k").is_err(), "empty bucket");
}

#[test]
fn sigma_locations() {
    let object = |bucket: &str, key: &str| SigmaLocation::Object {
        bucket: bucket.into(),
        key: key.into(),
    };
    let prefix = |bucket: &str, prefix: &str| SigmaLocation::Prefix {
        bucket: bucket.into(),
        prefix: prefix.into(),
    };
    let cases = [
        ("/opt/sigma", SigmaLocation::Path("/opt/sigma".into())),
        ("rules/aws.yml", SigmaLocation::Path("rules/aws.yml".into())),
        ("s3://b/sigma/aws.yml", object("b", "sigma/aws.yml")),
        ("s3://b/sigma", object("b", "sigma")),
        ("s3://b/sigma/", prefix("b", "sigma/")),
        ("s3://b/a/b/c/", prefix("b", "a/b/c/")),
        ("s3://b/", prefix("b", "")),
    ];
    for (text, want) in cases {
        let got = SigmaLocation::parse("S", text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(got, want, "{text}");
        assert_eq!(got.origin(), text, "{text}: the origin is the text given");
    }
    for bad in ["s3://", "s3://b", "s3:///sigma/", "s3:///k.yml"] {
        let err = SigmaLocation::parse("S", bad).expect_err(bad);
        assert_eq!(
            err.to_string(),
            format!("S: `{bad}` is not of the form s3://bucket/key or s3://bucket/prefix/"),
        );
    }
}

#[test]
fn account_names_come_from_a_file_or_the_word_organizations() {
    let names = |value: &str| {
        config(&[(env::TOPIC_ARN, TOPIC), (env::ACCOUNT_NAMES, value)]).map(|c| c.account_names)
    };
    assert_eq!(names("organizations"), Ok(Some(NamesSource::Organizations)));
    assert_eq!(
        names(" organizations "),
        Ok(Some(NamesSource::Organizations)),
        "trimmed like every variable"
    );
    assert_eq!(
        names("s3://config-bucket/names.toml"),
        Ok(Some(NamesSource::File(FileLocation::S3 {
            bucket: "config-bucket".into(),
            key: "names.toml".into()
        })))
    );
    // Only the exact word: anything else is a path, a file of that name included.
    for path in ["Organizations", "./organizations", "organizations.toml"] {
        assert_eq!(
            names(path),
            Ok(Some(NamesSource::File(FileLocation::Path(path.into())))),
            "{path}"
        );
    }
    assert_eq!(names(""), Ok(None));
    let err = names("s3://bucket-only").unwrap_err();
    assert_eq!(err.setting, env::ACCOUNT_NAMES, "{err}");
}
