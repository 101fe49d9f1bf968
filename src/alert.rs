//! Alerts: the one JSON schema every output carries (DESIGN §6), built from a matched record or
//! a failed delivery check; the record it carries is the log's own text ([`RecordJson`]).
//!
//! An alert's id is a hash of what it is about (bucket, key, event id, rule id), so the same
//! finding always has the same id: Lambda's retries and duplicate S3 events then produce
//! recognisable duplicates rather than new alerts.

use std::borrow::Cow;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::accounts::AccountNames;
use crate::record::{FieldPlan, Record, SlotId};
use crate::rules::Severity;

use record::bounded_record;
pub use record::RecordJson;

/// Detection (a record matched a rule), delivery (a file failed validation) or integrity (a
/// digest or a log it lists failed validation, or digests stopped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertKind {
    /// A record matched a rule.
    Detection,
    /// A delivered file failed one of the delivery checks.
    Delivery,
    /// Log-file integrity validation failed (INTEGRITY §4).
    Integrity,
}

impl AlertKind {
    /// The lower-case name used in JSON and SNS attributes.
    pub fn as_str(&self) -> &'static str {
        match self {
            AlertKind::Detection => "detection",
            AlertKind::Delivery => "delivery",
            AlertKind::Integrity => "integrity",
        }
    }
}

/// Everything log-file integrity validation can find (INTEGRITY §4); each is its own rule id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IntegrityProblem {
    /// The digest is gone, not gzip, not a JSON object, or lacks a field.
    DigestUnreadable,
    /// The digest's signature metadata is missing or wrong, or the signature does not verify.
    DigestSignature,
    /// The digest says it was written elsewhere than where it was found.
    DigestMoved,
    /// No public key has the digest's fingerprint.
    PublicKeyUnknown,
    /// The previous digest is gone, or its signature is not the one this digest links to.
    DigestChain,
    /// The digest starts a new chain: logging or validation stopped, or a new trail.
    ChainRestarted,
    /// A log the digest lists is gone.
    LogMissing,
    /// A log the digest lists is not the file CloudTrail hashed.
    LogModified,
    /// An account's or region's newest digest is older than allowed, or there is none.
    DigestLate,
}

impl IntegrityProblem {
    /// Every problem, in the order of the specification's table.
    pub const ALL: [IntegrityProblem; 9] = [
        IntegrityProblem::DigestUnreadable,
        IntegrityProblem::DigestSignature,
        IntegrityProblem::DigestMoved,
        IntegrityProblem::PublicKeyUnknown,
        IntegrityProblem::DigestChain,
        IntegrityProblem::ChainRestarted,
        IntegrityProblem::LogMissing,
        IntegrityProblem::LogModified,
        IntegrityProblem::DigestLate,
    ];

    /// The alert's `rule_id`.
    pub fn rule_id(self) -> &'static str {
        match self {
            IntegrityProblem::DigestUnreadable => "integrity.digest-unreadable",
            IntegrityProblem::DigestSignature => "integrity.digest-signature",
            IntegrityProblem::DigestMoved => "integrity.digest-moved",
            IntegrityProblem::PublicKeyUnknown => "integrity.public-key-unknown",
            IntegrityProblem::DigestChain => "integrity.digest-chain",
            IntegrityProblem::ChainRestarted => "integrity.chain-restarted",
            IntegrityProblem::LogMissing => "integrity.log-missing",
            IntegrityProblem::LogModified => "integrity.log-modified",
            IntegrityProblem::DigestLate => "integrity.digest-late",
        }
    }

    fn title(self) -> &'static str {
        match self {
            IntegrityProblem::DigestUnreadable => "CloudTrail digest file is missing or unreadable",
            IntegrityProblem::DigestSignature => {
                "CloudTrail digest file's signature is missing or invalid"
            }
            IntegrityProblem::DigestMoved => {
                "CloudTrail digest file is not where CloudTrail wrote it"
            }
            IntegrityProblem::PublicKeyUnknown => {
                "CloudTrail digest file names an unknown public key"
            }
            IntegrityProblem::DigestChain => "CloudTrail digest chain is broken",
            IntegrityProblem::ChainRestarted => "CloudTrail digest chain restarted",
            IntegrityProblem::LogMissing => "CloudTrail log file listed in a digest is missing",
            IntegrityProblem::LogModified => "CloudTrail log file was modified after delivery",
            IntegrityProblem::DigestLate => "CloudTrail digests stopped arriving",
        }
    }

    fn severity(self) -> Severity {
        match self {
            IntegrityProblem::DigestSignature | IntegrityProblem::LogModified => Severity::Critical,
            IntegrityProblem::DigestUnreadable
            | IntegrityProblem::DigestMoved
            | IntegrityProblem::PublicKeyUnknown
            | IntegrityProblem::DigestChain
            | IntegrityProblem::LogMissing => Severity::High,
            IntegrityProblem::DigestLate => Severity::Medium,
            IntegrityProblem::ChainRestarted => Severity::Low,
        }
    }
}

/// Everything a delivery can fail on; each is its own rule id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryProblem {
    /// The key breaks the CloudTrail key layout, or names a region not among the configured ones.
    InvalidKey,
    /// The key's account is not on the list of expected accounts.
    UnexpectedAccount,
    /// The key's organization is not the expected organization.
    UnexpectedOrg,
    /// The bucket owner does not control the object, a public group is granted access, or the
    /// bucket owner may not read the object or its ACL.
    Acl,
    /// Records name a `recipientAccountId` other than the account of the key's folder.
    AccountMismatch,
    /// The file is not valid gzip JSON in CloudTrail's shape, or some of its records are
    /// unreadable.
    Corrupt,
    /// The file exceeds a configured size limit (compressed, decompressed or per record).
    TooLarge,
    /// The object named by the event is gone (deleted or never readable under that key).
    Missing,
    /// The object is encrypted with a KMS key (SSE-KMS) that refused to decrypt it for the
    /// function (key policy, missing `kms:Decrypt`, a disabled or deleted key): unread.
    Kms,
}

impl DeliveryProblem {
    /// The alert's `rule_id`.
    pub fn rule_id(self) -> &'static str {
        match self {
            DeliveryProblem::InvalidKey => "delivery.invalid-key",
            DeliveryProblem::UnexpectedAccount => "delivery.unexpected-account",
            DeliveryProblem::UnexpectedOrg => "delivery.unexpected-org",
            DeliveryProblem::Acl => "delivery.acl",
            DeliveryProblem::AccountMismatch => "delivery.account-mismatch",
            DeliveryProblem::Corrupt => "delivery.corrupt",
            DeliveryProblem::TooLarge => "delivery.too-large",
            DeliveryProblem::Missing => "delivery.missing",
            DeliveryProblem::Kms => "delivery.kms",
        }
    }

    fn title(self) -> &'static str {
        match self {
            DeliveryProblem::InvalidKey => "Object key does not follow the CloudTrail layout",
            DeliveryProblem::UnexpectedAccount => "Delivery from an account that is not expected",
            DeliveryProblem::UnexpectedOrg => "Delivery under an unexpected organization",
            DeliveryProblem::Acl => "Delivered object is not controlled by the bucket owner",
            DeliveryProblem::AccountMismatch => "Records name another account than their folder",
            DeliveryProblem::Corrupt => "Delivered file is not valid CloudTrail gzip JSON",
            DeliveryProblem::TooLarge => "Delivered file exceeds a size limit",
            DeliveryProblem::Missing => "Delivered object could not be found",
            DeliveryProblem::Kms => "Delivered object's KMS key refused to decrypt it",
        }
    }

    /// Forged or foreign logs and vanished logs are the ones an attacker would cause.
    fn severity(self) -> Severity {
        match self {
            DeliveryProblem::UnexpectedAccount
            | DeliveryProblem::UnexpectedOrg
            | DeliveryProblem::AccountMismatch
            | DeliveryProblem::Missing => Severity::High,
            DeliveryProblem::InvalidKey
            | DeliveryProblem::Acl
            | DeliveryProblem::Corrupt
            | DeliveryProblem::TooLarge
            | DeliveryProblem::Kms => Severity::Medium,
        }
    }
}

/// One alert, serialised exactly as DESIGN §6 lists the fields (plus `alert_id` and, when they
/// apply, `insight` and `record_truncated`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Version of the alert schema; always 1.
    pub version: u32,
    /// 32 hex digits hashing bucket, key, event id and rule id: the same finding, the same id.
    pub alert_id: String,
    /// Whether a rule matched a record or a delivery check failed.
    pub kind: AlertKind,
    /// The matched rule's id, or the delivery problem's `delivery.*` id.
    pub rule_id: String,
    /// The matched rule's title, or a one-line statement of the delivery problem.
    pub title: String,
    /// The matched rule's severity, or the one the delivery problem carries.
    pub severity: Severity,
    /// The account of the key's folder, else (for a detection) the record's
    /// `recipientAccountId`; null when neither names one.
    pub account_id: Option<String>,
    /// The region of the key's folder, else (for a detection) the record's `awsRegion`; null
    /// when neither names one.
    pub region: Option<String>,
    /// The record's `eventTime`; null for delivery alerts and records without one.
    pub event_time: Option<String>,
    /// The record's `eventName`; null for delivery alerts and records without one.
    pub event_name: Option<String>,
    /// The record's `eventSource`; null for delivery alerts and records without one.
    pub event_source: Option<String>,
    /// The record's `eventID`; null for delivery alerts and records without one.
    pub event_id: Option<String>,
    /// The caller: `userIdentity.arn`, else `invokedBy`, else `principalId`; null for delivery
    /// alerts and records naming none of them.
    pub principal: Option<String>,
    /// The record's `sourceIPAddress`; null for delivery alerts and records without one.
    pub source_ip: Option<String>,
    /// The bucket holding the object; null for a file `trailwatch scan` reads.
    pub bucket: Option<String>,
    /// The object's key (for `trailwatch scan`, the file's path); null only for an
    /// `integrity.digest-late` alert about an account or region with no digest at all.
    pub key: Option<String>,
    /// For a delivery or integrity alert, a sentence saying what was found; null for detections.
    pub reason: Option<String>,
    /// The matched record as JSON, cut down when too large; null for delivery alerts.
    pub record: Option<RecordJson>,
    /// The matched rule's tags (a Sigma rule's, in order); `[]` for other rules and for
    /// delivery and integrity alerts. After DESIGN §6's fields, as every added field.
    pub tags: Vec<String>,
    /// The name of `account_id` in the deployment's account names (`TRAILWATCH_ACCOUNT_NAMES`);
    /// null when unknown. Set by [`Alert::name_accounts`] just before alerts are published.
    pub account_name: Option<String>,
    /// For an `insight.*` detection, what the CloudTrail Insights event says; absent from the
    /// JSON of every other alert, whose output it leaves as it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insight: Option<InsightDetails>,
    /// Whether `record` was cut down to fit; serialised only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub record_truncated: bool,
}

/// The `insight` field of a CloudTrail Insights alert: the unusual activity and how far it is
/// from normal. The averages are per minute (calls, or errors for `ApiErrorRateInsight`), as
/// the record wrote them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InsightDetails {
    /// `insightDetails.insightType`: `ApiCallRateInsight`, `ApiErrorRateInsight` or what else
    /// the record names.
    #[serde(rename = "type")]
    pub insight_type: String,
    /// `insightDetails.eventSource`, the service of the unusual activity.
    pub event_source: Option<String>,
    /// `insightDetails.eventName`, the API of the unusual activity.
    pub event_name: Option<String>,
    /// `insightDetails.state`: `Start` (an `End` raises no alert).
    pub state: String,
    /// `insightDetails.insightContext.statistics.baseline.average`.
    pub baseline_average: serde_json::Number,
    /// `insightDetails.insightContext.statistics.insight.average`.
    pub insight_average: serde_json::Number,
    /// `insightDetails.insightContext.statistics.insightDuration`, in minutes; null when the
    /// record has none.
    pub insight_duration: Option<serde_json::Number>,
}

/// Where the alert's object lives: the bucket (none for local files) and key (or path).
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// The bucket; `None` for a file read locally by `trailwatch scan`.
    pub bucket: Option<&'a str>,
    /// The object's key, or the local file's path.
    pub key: &'a str,
    /// The account of the key's folder; `None` when the key names none or did not parse.
    pub account_id: Option<&'a str>,
    /// The region of the key's folder; `None` when the key names none or did not parse.
    pub region: Option<&'a str>,
}

/// The record fields a detection reports, read from the matched record.
#[derive(Debug, Clone, Default)]
pub struct EventSummary {
    /// The record's `eventTime`.
    pub event_time: Option<String>,
    /// The record's `eventName`.
    pub event_name: Option<String>,
    /// The record's `eventSource`.
    pub event_source: Option<String>,
    /// The record's `eventID`.
    pub event_id: Option<String>,
    /// The caller: `userIdentity.arn`, else `userIdentity.invokedBy`, else
    /// `userIdentity.principalId`.
    pub principal: Option<String>,
    /// The record's `sourceIPAddress`.
    pub source_ip: Option<String>,
    /// The record's `recipientAccountId`.
    pub account_id: Option<String>,
    /// The record's `awsRegion`.
    pub region: Option<String>,
}

/// The record fields an alert carries (and the account the content check compares), registered
/// in the pipeline's one [`FieldPlan`] beside what the rules read.
#[derive(Debug, Clone)]
pub struct EventSlots {
    recipient_account: SlotId,
    aws_region: SlotId,
    event_time: SlotId,
    event_name: SlotId,
    event_source: SlotId,
    event_id: SlotId,
    arn: SlotId,
    invoked_by: SlotId,
    principal_id: SlotId,
    source_ip: SlotId,
}

impl EventSlots {
    /// Registers the fields in `plan`.
    pub fn register(plan: &mut FieldPlan) -> Self {
        let mut slot = |path: &[&str]| plan.member_slot(path.iter().copied());
        EventSlots {
            recipient_account: slot(&["recipientAccountId"]),
            aws_region: slot(&["awsRegion"]),
            event_time: slot(&["eventTime"]),
            event_name: slot(&["eventName"]),
            event_source: slot(&["eventSource"]),
            event_id: slot(&["eventID"]),
            arn: slot(&["userIdentity", "arn"]),
            invoked_by: slot(&["userIdentity", "invokedBy"]),
            principal_id: slot(&["userIdentity", "principalId"]),
            source_ip: slot(&["sourceIPAddress"]),
        }
    }

    /// The alert's view of the record's event.
    pub fn summary(&self, rec: &Record<'_>) -> EventSummary {
        let text = |slot| rec.get_str(slot).map(|s| s.into_owned());
        EventSummary {
            event_time: text(self.event_time),
            event_name: text(self.event_name),
            event_source: text(self.event_source),
            event_id: text(self.event_id),
            // The caller as precisely as the record says: its ARN, else the AWS service
            // acting for it, else its principal id.
            principal: text(self.arn)
                .or_else(|| text(self.invoked_by))
                .or_else(|| text(self.principal_id)),
            source_ip: text(self.source_ip),
            account_id: text(self.recipient_account),
            region: text(self.aws_region),
        }
    }

    /// The record's `recipientAccountId`, the account it says it was written for.
    pub fn recipient_account<'a>(&self, rec: &Record<'a>) -> Option<Cow<'a, str>> {
        rec.get_str(self.recipient_account)
    }
}

/// Longest text an alert field carries: S3's longest key. Longer text (a record's field, a
/// forged key, a reason quoting either) was written to be noticed; it is cut, saying so, so
/// that no field can make an alert too large to publish or hide the fields after it.
pub const MAX_FIELD_BYTES: usize = 1024;

/// `text` cut to [`MAX_FIELD_BYTES`] at a character boundary, with how much was left out.
fn clip(text: String) -> String {
    if text.len() <= MAX_FIELD_BYTES {
        return text;
    }
    let mut end = MAX_FIELD_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…[{} more bytes]", &text[..end], text.len() - end)
}

/// The rule fields a detection reports.
#[derive(Debug, Clone, Copy)]
pub struct RuleRef<'a> {
    /// The rule's id (`CloudWatch.5`, ...).
    pub id: &'a str,
    /// The rule's title.
    pub title: &'a str,
    /// The rule's severity.
    pub severity: Severity,
    /// The rule's tags (empty but for Sigma rules).
    pub tags: &'a [String],
}

impl Alert {
    /// A detection for `record_text` (one record's JSON), which matched `rule`. Account and
    /// region come from the key where there is one (the bucket policy vouches for the folder),
    /// else from the record. A record whose JSON exceeds `max_record_bytes` is cut down to its
    /// smaller members and flagged `record_truncated`.
    pub fn detection(
        rule: RuleRef<'_>,
        origin: Origin<'_>,
        event: EventSummary,
        record_text: &str,
        max_record_bytes: usize,
    ) -> Alert {
        let (record, record_truncated) = bounded_record(record_text, max_record_bytes);
        // The id comes from the whole event id; only what the alert shows is clipped.
        let alert_id = alert_id(
            origin.bucket,
            origin.key,
            event.event_id.as_deref(),
            rule.id,
        );
        let clipped = |field: Option<String>| field.map(clip);
        Alert {
            version: 1,
            alert_id,
            kind: AlertKind::Detection,
            rule_id: rule.id.to_string(),
            title: rule.title.to_string(),
            severity: rule.severity,
            tags: rule.tags.to_vec(),
            account_id: clipped(origin.account_id.map(String::from).or(event.account_id)),
            region: clipped(origin.region.map(String::from).or(event.region)),
            event_time: clipped(event.event_time),
            event_name: clipped(event.event_name),
            event_source: clipped(event.event_source),
            event_id: clipped(event.event_id),
            principal: clipped(event.principal),
            source_ip: clipped(event.source_ip),
            bucket: origin.bucket.map(|b| clip(b.to_string())),
            key: Some(clip(origin.key.to_string())),
            reason: None,
            record: Some(record),
            account_name: None,
            insight: None,
            record_truncated,
        }
    }

    /// The detection with the insight it reports; its texts are cut like every other field.
    pub fn with_insight(mut self, mut insight: InsightDetails) -> Alert {
        insight.event_source = insight.event_source.map(clip);
        insight.event_name = insight.event_name.map(clip);
        self.insight = Some(insight);
        self
    }

    /// A delivery alert: `problem` with `reason`, a sentence saying what was found.
    pub fn delivery(problem: DeliveryProblem, origin: Origin<'_>, reason: String) -> Alert {
        Alert::finding(
            AlertKind::Delivery,
            (problem.rule_id(), problem.title(), problem.severity()),
            origin.bucket,
            Some(origin.key),
            origin.account_id,
            origin.region,
            reason,
        )
    }

    /// An integrity alert: `problem` about the object `key` of `bucket` (`None` for a late
    /// account or region with no digest at all), for the account and region of the digest it
    /// came from, with `reason`, a sentence giving the evidence.
    pub fn integrity(
        problem: IntegrityProblem,
        bucket: &str,
        key: Option<&str>,
        account_id: Option<&str>,
        region: Option<&str>,
        reason: String,
    ) -> Alert {
        Alert::finding(
            AlertKind::Integrity,
            (problem.rule_id(), problem.title(), problem.severity()),
            Some(bucket),
            key,
            account_id,
            region,
            reason,
        )
    }

    /// A delivery or integrity alert: no record, a reason. For a keyless alert the id hashes
    /// the account and region instead, so that each late account or region has its own.
    fn finding(
        kind: AlertKind,
        (rule_id, title, severity): (&str, &str, Severity),
        bucket: Option<&str>,
        key: Option<&str>,
        account_id: Option<&str>,
        region: Option<&str>,
        reason: String,
    ) -> Alert {
        let id = match key {
            Some(key) => alert_id(bucket, key, None, rule_id),
            None => {
                let subject = format!("{}/{}", account_id.unwrap_or(""), region.unwrap_or(""));
                alert_id(bucket, "", Some(&subject), rule_id)
            }
        };
        Alert {
            version: 1,
            alert_id: id,
            kind,
            rule_id: rule_id.to_string(),
            title: title.to_string(),
            severity,
            tags: Vec::new(),
            account_id: account_id.map(String::from),
            region: region.map(String::from),
            event_time: None,
            event_name: None,
            event_source: None,
            event_id: None,
            principal: None,
            source_ip: None,
            bucket: bucket.map(|b| clip(b.to_string())),
            key: key.map(|k| clip(k.to_string())),
            reason: Some(clip(reason)),
            record: None,
            account_name: None,
            insight: None,
            record_truncated: false,
        }
    }

    /// Gives each of `alerts` its account's name from `names`: every path that publishes
    /// alerts calls this first, so that all of them (detections, delivery and integrity
    /// alerts, the heartbeat's) carry it.
    pub fn name_accounts(alerts: &mut [Alert], names: &AccountNames) {
        if names.is_empty() {
            return;
        }
        for alert in alerts {
            alert.account_name = alert
                .account_id
                .as_deref()
                .and_then(|id| names.get(id))
                .map(String::from);
        }
    }

    /// How people read the account: `Dev (999988887777)` when it has a name, else the id.
    pub fn account_label(&self) -> Option<String> {
        let id = self.account_id.as_deref()?;
        Some(match &self.account_name {
            Some(name) => format!("{name} ({id})"),
            None => id.to_owned(),
        })
    }

    /// The alert as one line of JSON. serde_json fails only on maps with non-string keys and
    /// on failing `Serialize` impls, neither of which an alert holds; the error is still
    /// returned rather than hidden, so a defect fails the publish instead of sending `""`.
    pub fn to_json_line(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}

/// A stable id: the first 128 bits of SHA-256 over the fields, NUL-separated, in hex.
fn alert_id(bucket: Option<&str>, key: &str, event_id: Option<&str>, rule_id: &str) -> String {
    let mut h = Sha256::new();
    for part in [bucket.unwrap_or(""), key, event_id.unwrap_or(""), rule_id] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

mod record;
#[cfg(test)]
mod tests;
