//! How the CLI shows alerts to a person: `--format text` lines, and the summary table `replay`
//! ends with. JSON lines stay the default and the one machine interface.
//!
//! Every field an alert quotes from a log or a key was written by whoever wrote the log, so
//! text output escapes what a terminal would act on (ESC, CR, bidirectional overrides, ...):
//! a record cannot move the cursor, recolour the screen or hide the fields after it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use comfy_table::{presets, CellAlignment, Table};

use crate::alert::{Alert, AlertKind};
use crate::pipeline::Stats;

/// How alerts are written to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line, the schema every output carries.
    #[default]
    Json,
    /// One readable line per alert.
    Text,
}

impl Format {
    /// `alert` as one line (without its line break).
    pub fn line(self, alert: &Alert) -> serde_json::Result<String> {
        match self {
            Format::Json => alert.to_json_line(),
            Format::Text => Ok(text_line(alert)),
        }
    }
}

/// Severity, rule, account, region, then what happened (for a detection the event, caller and
/// source IP; otherwise the reason), then the key; `-` for what the alert does not know.
fn text_line(alert: &Alert) -> String {
    let what = match alert.kind {
        AlertKind::Detection => format!(
            "{} {}  {}  {}",
            field(&alert.event_source),
            field(&alert.event_name),
            field(&alert.principal),
            field(&alert.source_ip),
        ),
        AlertKind::Delivery | AlertKind::Integrity => field(&alert.reason).into_owned(),
    };
    format!(
        "{:<8}  {}  {}  {}  {what}  {}",
        alert.severity.as_str().to_uppercase(),
        clean(&alert.rule_id),
        account(alert),
        field(&alert.region),
        field(&alert.key),
    )
}

/// The account an alert is about, as the text line and the summary name it: `Dev
/// (999988887777)` when it has a name.
fn account(alert: &Alert) -> String {
    field(&alert.account_label()).into_owned()
}

/// An alert's text field fit for a terminal; `-` when the alert has none.
fn field(value: &Option<String>) -> Cow<'_, str> {
    value.as_deref().map_or(Cow::Borrowed("-"), clean)
}

/// `text` with every character Rust's debug escaping would escape (controls, format characters
/// such as bidirectional overrides, lone combining marks, the backslash) written as its escape,
/// quotes left alone: what reaches the terminal is printable, and unambiguous.
fn clean(text: &str) -> Cow<'_, str> {
    let plain = |c: char| c == '"' || c == '\'' || c.escape_debug().len() == 1;
    if text.chars().all(plain) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if plain(c) {
            out.push(c);
        } else {
            out.extend(c.escape_debug());
        }
    }
    Cow::Owned(out)
}

/// Alerts counted by account and rule, for the table `replay` ends with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    counts: BTreeMap<(String, String), u64>,
}

impl Summary {
    /// Counts `alert`.
    pub fn add(&mut self, alert: &Alert) {
        *self
            .counts
            .entry((account(alert), clean(&alert.rule_id).into_owned()))
            .or_default() += 1;
    }

    /// The counts, by account then rule id: a table of alerts, then one of the totals of
    /// `stats`. Ends with a line break.
    pub fn table(&self, stats: &Stats) -> String {
        let mut alerts = Table::new();
        alerts
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_header(["Account", "Rule", "Alerts"]);
        for ((account, rule), n) in &self.counts {
            alerts.add_row([account.as_str(), rule.as_str(), &n.to_string()]);
        }
        let mut totals = Table::new();
        totals
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_header([
                "Objects",
                "Records",
                "Detections",
                "Suppressed",
                "Delivery",
                "Integrity",
            ])
            .add_row(
                [
                    stats.objects,
                    stats.records,
                    stats.detections,
                    stats.suppressed,
                    stats.delivery_alerts,
                    stats.integrity_alerts,
                ]
                .map(|n| n.to_string()),
            );
        for (table, first_count) in [(&mut alerts, 2), (&mut totals, 0)] {
            for column in table.column_iter_mut().skip(first_count) {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
        format!("{alerts}\n{totals}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{DeliveryProblem, EventSummary, Origin, RuleRef};
    use crate::rules::Severity;

    fn detection(account: &str, rule: &str, principal: &str) -> Alert {
        Alert::detection(
            RuleRef {
                id: rule,
                title: "t",
                severity: Severity::High,
                tags: &[],
            },
            Origin {
                bucket: Some("b"),
                key: "AWSLogs/k.json.gz",
                account_id: Some(account),
                region: Some("us-east-1"),
            },
            EventSummary {
                event_name: Some("ConsoleLogin".into()),
                event_source: Some("signin.amazonaws.com".into()),
                principal: Some(principal.into()),
                source_ip: Some("203.0.113.7".into()),
                ..EventSummary::default()
            },
            "{}",
            1024,
        )
    }

    #[test]
    fn a_detection_reads_as_one_line_of_its_fields() {
        let alert = detection("111111111111", "CloudWatch.3", "arn:aws:iam::1:user/x");
        assert_eq!(
            Format::Text.line(&alert).unwrap(),
            "HIGH      CloudWatch.3  111111111111  us-east-1  signin.amazonaws.com ConsoleLogin  arn:aws:iam::1:user/x  203.0.113.7  AWSLogs/k.json.gz"
        );
        assert_eq!(
            Format::Json.line(&alert).unwrap(),
            alert.to_json_line().unwrap()
        );
    }

    #[test]
    fn a_delivery_alert_shows_its_reason_and_dashes_for_the_unknown() {
        let alert = Alert::delivery(
            DeliveryProblem::InvalidKey,
            Origin {
                bucket: Some("b"),
                key: "junk",
                account_id: None,
                region: None,
            },
            "the key is junk".into(),
        );
        assert_eq!(
            Format::Text.line(&alert).unwrap(),
            "MEDIUM    delivery.invalid-key  -  -  the key is junk  junk"
        );
    }

    #[test]
    fn terminal_controls_from_a_log_are_escaped() {
        let principal = "x\u{1b}]0;pwned\u{7}\r\u{1b}[2K\u{9b}31m\u{202e}gnp\t\\ \"é\"";
        let line = Format::Text
            .line(&detection("111111111111", "r", principal))
            .unwrap();
        assert!(line.contains(r#"x\u{1b}]0;pwned\u{7}\r\u{1b}[2K\u{9b}31m\u{202e}gnp\t\\ "é""#));
        assert!(
            !line.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{line:?}"
        );
        assert_eq!(clean("plain text: 'quoted'"), "plain text: 'quoted'");
    }

    #[test]
    fn the_summary_counts_by_account_then_rule_and_totals_the_stats() {
        let mut summary = Summary::default();
        for (account, rule) in [
            ("222222222222", "CloudWatch.1"),
            ("111111111111", "CloudWatch.4"),
            ("111111111111", "CloudWatch.1"),
            ("222222222222", "CloudWatch.1"),
        ] {
            summary.add(&detection(account, rule, "p"));
        }
        let stats = Stats {
            objects: 3,
            records: 40,
            detections: 4,
            suppressed: 5,
            delivery_alerts: 1,
            integrity_alerts: 2,
            ..Stats::default()
        };
        let table = summary.table(&stats);
        let rows: Vec<Vec<&str>> = table
            .lines()
            .filter(|l| l.starts_with('│'))
            .map(|l| {
                l.split(['│', '┆'])
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .collect()
            })
            .collect();
        assert_eq!(
            rows,
            [
                vec!["Account", "Rule", "Alerts"],
                vec!["111111111111", "CloudWatch.1", "1"],
                vec!["111111111111", "CloudWatch.4", "1"],
                vec!["222222222222", "CloudWatch.1", "2"],
                vec![
                    "Objects",
                    "Records",
                    "Detections",
                    "Suppressed",
                    "Delivery",
                    "Integrity"
                ],
                vec!["3", "40", "4", "5", "1", "2"],
            ]
        );
        assert!(table.ends_with('\n'));
    }
}
