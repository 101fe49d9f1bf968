//! Suppression tests: the schema with every load error at its position, and which detections a
//! suppression covers (rule glob, pattern, expiry day).

use super::*;
use crate::record::{extract, Fields};
use crate::rules::effective_suppressions;

const ORIGIN: &str = "rules.toml";

fn load(text: &str) -> Result<Vec<SuppressionDef>, RuleError> {
    effective_suppressions(Some((ORIGIN, text)))
}

fn at(line: usize, column: usize) -> FilePos {
    FilePos {
        origin: ORIGIN.to_owned(),
        line,
        column,
    }
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::new(y, m, d).unwrap()
}

const SCANNER: &str = r#"
[[rules]]
id = "CloudWatch.2"
enabled = true

[[suppress]]
rule = "CloudWatch.2"
pattern = '{ $.userIdentity.arn = "arn:aws:sts::111111111111:assumed-role/Scanner/*" }'
reason = "the weekly permission scan"
expires = 2027-03-31

[[suppress]]
rule = "sigma.*"
pattern = '{ $.sourceIPAddress = "203.0.113.9" }'
reason = "the red team's address until the exercise ends"
expires = 2026-12-01
"#;

#[test]
fn entries_load_in_file_order_with_their_positions() {
    let defs = load(SCANNER).unwrap();
    assert_eq!(
        defs,
        [
            SuppressionDef {
                rule: "CloudWatch.2".into(),
                pattern:
                    r#"{ $.userIdentity.arn = "arn:aws:sts::111111111111:assumed-role/Scanner/*" }"#
                        .into(),
                reason: "the weekly permission scan".into(),
                expires: date(2027, 3, 31),
                at: at(7, 8),
            },
            SuppressionDef {
                rule: "sigma.*".into(),
                pattern: r#"{ $.sourceIPAddress = "203.0.113.9" }"#.into(),
                reason: "the red team's address until the exercise ends".into(),
                expires: date(2026, 12, 1),
                at: at(13, 8),
            },
        ]
    );
    assert_eq!(load(""), Ok(vec![]), "a file without suppressions");
    assert_eq!(effective_suppressions(None), Ok(vec![]), "no file");
    // The rules of the same file still load beside them.
    assert!(crate::rules::effective_rules(Some((ORIGIN, SCANNER))).is_ok());
}

#[test]
fn every_mistake_fails_the_load_at_its_place() {
    let entry = |body: &str| format!("[[suppress]]\n{body}");
    let full =
        "rule = \"CloudWatch.2\"\npattern = '{ $.a = 1 }'\nreason = \"r\"\nexpires = 2027-01-01\n";
    let without = |key: &str| {
        entry(
            &full
                .lines()
                .filter(|l| !l.starts_with(key))
                .map(|l| format!("{l}\n"))
                .collect::<String>(),
        )
    };
    for field in ["rule", "pattern", "reason", "expires"] {
        match load(&without(field)) {
            Err(RuleError::SuppressionMissing { field: f, at: a }) => {
                assert_eq!(f, field);
                assert_eq!(a.line, 1, "{field}: the entry's `[[suppress]]` line");
            }
            other => panic!("without {field}: {other:?}"),
        }
    }
    let cases: [(&str, String, RuleError); 7] = [
        (
            "unknown key",
            entry(&format!("{full}until = 2027-01-01\n")),
            RuleError::UnknownKey {
                at: at(6, 1),
                key: "until".into(),
                allowed: "rule, pattern, reason, expires",
            },
        ),
        (
            "rule with a space",
            entry(&full.replace("\"CloudWatch.2\"", "\"Cloud Watch\"")),
            RuleError::BadSuppressionRule {
                at: at(2, 8),
                rule: "Cloud Watch".into(),
            },
        ),
        (
            "blank reason",
            entry(&full.replace("\"r\"", "\"  \"")),
            RuleError::BlankReason { at: at(4, 10) },
        ),
        (
            "expires as a string",
            entry(&full.replace("2027-01-01", "\"2027-01-01\"")),
            RuleError::WrongType {
                at: at(5, 11),
                key: "expires",
                expected: "a TOML date (2027-03-31)",
            },
        ),
        (
            "expires with a time",
            entry(&full.replace("2027-01-01", "2027-01-01T00:00:00Z")),
            RuleError::WrongType {
                at: at(5, 11),
                key: "expires",
                expected: "a TOML date (2027-03-31)",
            },
        ),
        (
            "reason not a string",
            entry(&full.replace("\"r\"", "3")),
            RuleError::WrongType {
                at: at(4, 10),
                key: "reason",
                expected: "a string",
            },
        ),
        (
            "unknown top-level key",
            format!("[[suppression]]\n{full}"),
            RuleError::UnknownKey {
                at: at(1, 3),
                key: "suppression".into(),
                allowed: "rules, suppress",
            },
        ),
    ];
    for (case, text, want) in cases {
        assert_eq!(load(&text), Err(want), "{case}:\n{text}");
    }
    match load(&entry(&full.replace("{ $.a = 1 }", "{ $.a = }"))) {
        Err(RuleError::SuppressionPattern { at: a, .. }) => assert_eq!(a, at(3, 11)),
        other => panic!("bad pattern: {other:?}"),
    }
}

/// Which of `defs` covers a `rule_id` detection on `record` on `today`, by index.
fn covering(defs: &[SuppressionDef], rule_id: &str, record: &str, today: Date) -> Option<usize> {
    let mut plan = FieldPlan::new();
    let set = Suppressions::compile(defs, &mut plan).unwrap();
    let mut fields = Fields::new(&plan);
    extract(&plan, record, &mut fields).unwrap();
    let found = set.covering(rule_id, &Record::new(record, &fields), today)?;
    defs.iter().position(|d| d == found)
}

#[test]
fn a_suppression_covers_its_rules_records_until_its_day_ends() {
    let defs = load(SCANNER).unwrap();
    let scanner = r#"{"userIdentity":{"arn":"arn:aws:sts::111111111111:assumed-role/Scanner/run-7"},"errorCode":"AccessDenied"}"#;
    let person = r#"{"userIdentity":{"arn":"arn:aws:iam::111111111111:user/mallory"},"errorCode":"AccessDenied"}"#;
    let red_team = r#"{"sourceIPAddress":"203.0.113.9"}"#;
    let before = date(2026, 11, 30);
    let cases = [
        (
            "the scanner's denial",
            "CloudWatch.2",
            scanner,
            before,
            Some(0),
        ),
        ("a person's denial", "CloudWatch.2", person, before, None),
        (
            "the scanner under another rule",
            "CloudWatch.3",
            scanner,
            before,
            None,
        ),
        (
            "on its last day",
            "CloudWatch.2",
            scanner,
            date(2027, 3, 31),
            Some(0),
        ),
        (
            "the day after",
            "CloudWatch.2",
            scanner,
            date(2027, 4, 1),
            None,
        ),
        (
            "a glob over Sigma rules",
            "sigma.abc-123",
            red_team,
            before,
            Some(1),
        ),
        (
            "the glob's own prefix only",
            "sigmax",
            red_team,
            before,
            None,
        ),
        (
            "the glob on its expiry day",
            "sigma.x",
            red_team,
            date(2026, 12, 1),
            Some(1),
        ),
        (
            "the glob expired",
            "sigma.x",
            red_team,
            date(2026, 12, 2),
            None,
        ),
    ];
    for (case, rule_id, record, today, want) in cases {
        assert_eq!(covering(&defs, rule_id, record, today), want, "{case}");
    }
}

#[test]
fn liveness_is_the_expiry_day_inclusive() {
    let def = &load(SCANNER).unwrap()[0];
    assert!(def.is_live(date(2027, 3, 31)));
    assert!(!def.is_live(date(2027, 4, 1)));
}
