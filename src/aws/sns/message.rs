//! How an alert travels through SNS (DESIGN §6), as pure values: the subject, the
//! `MessageStructure=json` body, the message attributes subscriptions filter on, FIFO ids, and
//! the cutting of a list of alerts into `PublishBatch` requests.
//!
//! The body gives e-mail subscribers a readable text and every other protocol (SQS, Lambda,
//! HTTPS, Firehose, e-mail-json) the alert's JSON, exactly as stdout carries it.

use serde_json::json;

use super::console;
use crate::alert::{Alert, AlertKind};

/// Most entries in one `PublishBatch` request (an SNS limit).
pub const MAX_BATCH_ENTRIES: usize = 10;

/// Most bytes of one request's messages, subjects and attributes together, and of one
/// message (an SNS limit: 256 KiB).
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// SNS subjects must be shorter than 100 characters.
pub const MAX_SUBJECT_CHARS: usize = 99;

/// One alert ready to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The e-mail subject: `[SEVERITY] rule in account: title`, printable ASCII, at most
    /// [`MAX_SUBJECT_CHARS`].
    pub subject: String,
    /// The `MessageStructure=json` document: `{"default": <alert JSON>, "email": <text>}`.
    pub message: String,
    /// `(name, value)` pairs, all of SNS type `String`; absent fields are left out (SNS
    /// rejects empty values, and a filter on a missing attribute does not match).
    pub attributes: Vec<(&'static str, String)>,
    /// For FIFO topics: `(MessageGroupId, MessageDeduplicationId)`.
    pub fifo: Option<(String, String)>,
}

impl Entry {
    /// The bytes SNS counts against its limits.
    pub fn size(&self) -> usize {
        let attributes: usize = self
            .attributes
            .iter()
            .map(|(name, value)| name.len() + "String".len() + value.len())
            .sum();
        self.message.len() + self.subject.len() + attributes
    }
}

/// Encodes `alert`; `fifo` for a `.fifo` topic; `bucket_region`, where the watched bucket is,
/// for the e-mail's link to the object.
///
/// An entry must fit in one message: if the record makes it too large even after the alert's
/// own truncation (a raised `TRAILWATCH_MAX_ALERT_RECORD_BYTES`), the e-mail text leaves the
/// record out, and failing that the JSON does too, flagged `record_truncated`. An alert is
/// never dropped for its size.
pub fn encode(
    alert: &Alert,
    fifo: bool,
    bucket_region: Option<&str>,
) -> Result<Entry, serde_json::Error> {
    let entry = build(alert, fifo, bucket_region, true)?;
    if entry.size() <= MAX_PAYLOAD_BYTES {
        return Ok(entry);
    }
    let entry = build(alert, fifo, bucket_region, false)?;
    if entry.size() <= MAX_PAYLOAD_BYTES {
        return Ok(entry);
    }
    let mut lean = alert.clone();
    lean.record = None;
    lean.record_truncated = true;
    build(&lean, fifo, bucket_region, false)
}

fn build(
    alert: &Alert,
    fifo: bool,
    bucket_region: Option<&str>,
    record_in_email: bool,
) -> Result<Entry, serde_json::Error> {
    let message = json!({
        "default": alert.to_json_line()?,
        "email": email_text(alert, bucket_region, record_in_email)?,
    })
    .to_string();
    Ok(Entry {
        subject: subject(alert),
        message,
        attributes: attributes(alert),
        fifo: fifo.then(|| fifo_ids(alert)),
    })
}

/// `[SEVERITY] rule in account: title`, printable ASCII only, at most [`MAX_SUBJECT_CHARS`];
/// the account reads `Dev (999988887777)` when it has a name.
pub fn subject(alert: &Alert) -> String {
    let account = alert
        .account_label()
        .unwrap_or_else(|| "unknown account".to_owned());
    let text = format!(
        "[{}] {} in {account}: {}",
        alert.severity.as_str().to_ascii_uppercase(),
        alert.rule_id,
        alert.title
    );
    // SNS refuses line breaks and control characters; custom rule titles may hold anything.
    let mut subject = String::with_capacity(MAX_SUBJECT_CHARS);
    for c in text.chars() {
        if subject.len() == MAX_SUBJECT_CHARS {
            break;
        }
        subject.push(match c {
            ' '..='~' => c,
            c if c.is_whitespace() || c.is_control() => ' ',
            _ => '?',
        });
    }
    subject
}

/// The e-mail rendering: the facts a reader needs first, one per line, links to the event and
/// the object in the console, then the record.
pub fn email_text(
    alert: &Alert,
    bucket_region: Option<&str>,
    with_record: bool,
) -> Result<String, serde_json::Error> {
    let what = match alert.kind {
        AlertKind::Detection => "detection",
        AlertKind::Delivery => "delivery problem",
        AlertKind::Integrity => "integrity problem",
    };
    let mut text = format!("trailwatch {what}: {} ({})\n\n", alert.title, alert.rule_id);
    let object = match (&alert.bucket, &alert.key) {
        (Some(bucket), Some(key)) => Some(format!("s3://{bucket}/{key}")),
        (Some(bucket), None) => Some(format!("s3://{bucket}")),
        (None, key) => key.clone(),
    };
    let account = alert.account_label();
    let event_link = console::event_link(alert);
    let object_link = console::object_link(alert, bucket_region);
    let lines = [
        ("Severity", Some(alert.severity.as_str())),
        ("Account", account.as_deref()),
        ("Region", alert.region.as_deref()),
        ("Event", alert.event_name.as_deref()),
        ("Source", alert.event_source.as_deref()),
        ("Time", alert.event_time.as_deref()),
        ("Principal", alert.principal.as_deref()),
        ("Source IP", alert.source_ip.as_deref()),
        ("Event ID", alert.event_id.as_deref()),
        ("Reason", alert.reason.as_deref()),
        ("Object", object.as_deref()),
        ("Alert ID", Some(alert.alert_id.as_str())),
        ("CloudTrail", event_link.as_deref()),
        ("S3", object_link.as_deref()),
    ];
    for (label, value) in lines {
        if let Some(value) = value {
            text.push_str(&format!("{label:<10} {value}\n"));
        }
    }
    if let Some(record) = &alert.record {
        text.push_str("\nRecord");
        if alert.record_truncated {
            text.push_str(" (truncated)");
        }
        if with_record {
            text.push_str(":\n");
            text.push_str(&serde_json::to_string_pretty(&record.value()?)?);
            text.push('\n');
        } else {
            text.push_str(": too large for e-mail; see the JSON delivery of this alert.\n");
        }
    }
    Ok(text)
}

/// The attributes subscription filter policies match on.
pub fn attributes(alert: &Alert) -> Vec<(&'static str, String)> {
    let fields = [
        ("kind", Some(alert.kind.as_str())),
        ("rule_id", Some(alert.rule_id.as_str())),
        ("severity", Some(alert.severity.as_str())),
        ("account_id", alert.account_id.as_deref()),
        ("account_name", alert.account_name.as_deref()),
        ("region", alert.region.as_deref()),
        ("event_source", alert.event_source.as_deref()),
        ("event_name", alert.event_name.as_deref()),
    ];
    fields
        .into_iter()
        .filter_map(|(name, value)| {
            value
                .filter(|v| !v.is_empty())
                .map(|v| (name, attribute_value(v)))
        })
        .collect()
}

/// `value` with the characters SNS refuses in a `String` attribute (controls other than tab,
/// line feed and carriage return) replaced by U+FFFD. Event names and sources come from the
/// record, which its writer controls: one refused character would fail the whole batch on
/// every retry, so a crafted record could hold back every alert of its file.
fn attribute_value(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if c < ' ' => char::REPLACEMENT_CHARACTER,
            c => c,
        })
        .collect()
}

/// FIFO ids: one ordered group per account, and the alert id (a hash of bucket, key, event id
/// and rule id) as the deduplication id, so SNS itself drops a retried invocation's repeats.
fn fifo_ids(alert: &Alert) -> (String, String) {
    let group = alert.account_id.as_deref().unwrap_or("unknown-account");
    (group.to_string(), alert.alert_id.clone())
}

/// Cuts `entries` into consecutive `PublishBatch` requests of at most [`MAX_BATCH_ENTRIES`]
/// entries and [`MAX_PAYLOAD_BYTES`] bytes; together they hold every entry once, in order.
pub fn batches(entries: &[Entry]) -> Vec<&[Entry]> {
    let mut batches = Vec::new();
    let mut rest = entries;
    while !rest.is_empty() {
        let mut bytes = 0;
        let mut len = 0;
        for entry in rest.iter().take(MAX_BATCH_ENTRIES) {
            bytes += entry.size();
            // An entry is never larger than one request may be (`encode` sees to it), so a
            // batch always takes at least its first entry.
            if len > 0 && bytes > MAX_PAYLOAD_BYTES {
                break;
            }
            len += 1;
        }
        let (batch, tail) = rest.split_at(len.max(1));
        batches.push(batch);
        rest = tail;
    }
    batches
}

#[cfg(test)]
mod tests;
