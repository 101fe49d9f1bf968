//! One object through the whole pipeline: key, layout, ACL, decode, content checks, rules,
//! alerts; for an Insights file, the insight reader instead of the rules; for a digest, the
//! integrity checks instead of the ACL and the rules; what one record raises is `evaluate`'s. Generic over
//! where objects and public keys come from and where alerts go, so the Lambda handler and the
//! CLI run exactly this code.
//!
//! Failure semantics (DESIGN §7): a problem with the delivery itself (bad key, foreign account,
//! ACL, corrupt or oversized file) becomes a delivery alert and the object counts as processed;
//! a problem reaching S3 or SNS is returned as [`ProcessError`] so the invocation fails and AWS
//! retries it. Detections found before any failure are published first, so a retry can only
//! duplicate alerts (same ids), never lose them.

use std::io::Read;

use crate::accounts::AccountNames;
use crate::acl::{self, AclVerdict};
use crate::alert::{Alert, AlertKind, DeliveryProblem, EventSlots, Origin};
use crate::config::Settings;
use crate::date::Date;
use crate::decode::{DecodeError, Format, RecordReader};
use crate::insight::InsightSlots;
use crate::integrity::{self, Deadline, IntegrityError};
use crate::key::{Kind, LogKey};
use crate::layout;
use crate::ports::{
    AlertSink, ObjectRef, ObjectSource, PublicKeys, SinkError, SourceError, SourceErrorKind,
};
use crate::record::FieldPlan;
use crate::rules::{RuleDef, RuleError, RuleSet, SuppressionDef, Suppressions};
use crate::sigma::{SigmaError, SigmaRule, SigmaSet};

use evaluate::Evaluate;
pub use report::{ObjectReport, Stats};

/// Alerts held before they are handed to the sink: bounds memory when one file matches
/// thousands of times, and is large enough to fill SNS batches of ten.
const FLUSH_EVERY: usize = 100;

/// A failure outside the delivery's own content: the invocation must fail and be retried.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// The source failed to hand over the object or its ACL.
    #[error("s3://{bucket}/{key} could not be read")]
    Source {
        /// The object's bucket.
        bucket: String,
        /// The object's key.
        key: String,
        /// The source's error.
        #[source]
        source: SourceError,
    },
    /// The object's bytes stopped coming mid-read.
    #[error("s3://{bucket}/{key}: reading the object failed")]
    Read {
        /// The object's bucket.
        bucket: String,
        /// The object's key.
        key: String,
        /// The decoder's error (always [`DecodeError::Source`]).
        #[source]
        source: DecodeError,
    },
    /// Alerts could not be published.
    #[error(transparent)]
    Sink(#[from] SinkError),
    /// A digest could not be checked to the end.
    #[error(transparent)]
    Integrity(#[from] IntegrityError),
    /// The event names a bucket this deployment does not watch: it is never read, whatever the
    /// function's role would allow (a forged or misrouted event, not a delivery).
    #[error("s3://{bucket}/{key}: the bucket is not among the watched buckets")]
    UnwatchedBucket {
        /// The bucket the event names.
        bucket: String,
        /// The key the event names.
        key: String,
    },
}

impl ProcessError {
    /// Whether retrying the object can succeed: S3 or SNS trouble that passes, as opposed to a
    /// source failure that will not go away (a bucket that does not exist, a role that may not
    /// see the bucket's owner) or a bucket this deployment does not watch. The one place this
    /// is decided: every trigger's answer follows it.
    pub fn is_retryable(&self) -> bool {
        match self {
            ProcessError::Source { source, .. } => source.kind() != SourceErrorKind::Permanent,
            ProcessError::Read { .. } | ProcessError::Sink(_) => true,
            ProcessError::Integrity(e) => e.is_retryable(),
            ProcessError::UnwatchedBucket { .. } => false,
        }
    }
}

/// The compiled rules and settings, built once (cold start) and shared by every object.
pub struct Pipeline {
    settings: Settings,
    plan: FieldPlan,
    rules: RuleSet,
    sigma: SigmaSet,
    suppressions: Suppressions,
    slots: EventSlots,
    insights: InsightSlots,
}

/// Alerts on their way to the sink, with the counts the report needs.
struct Outbox<'k, K> {
    sink: &'k K,
    names: &'k AccountNames,
    pending: Vec<Alert>,
    report: ObjectReport,
}

impl<'k, K: AlertSink> Outbox<'k, K> {
    fn new(sink: &'k K, names: &'k AccountNames) -> Self {
        Outbox {
            sink,
            names,
            pending: Vec::new(),
            report: ObjectReport::default(),
        }
    }

    async fn push(&mut self, alert: Alert) -> Result<(), SinkError> {
        match alert.kind {
            AlertKind::Detection => self.report.detections += 1,
            AlertKind::Delivery => self.report.delivery_alerts += 1,
            AlertKind::Integrity => self.report.integrity_alerts += 1,
        }
        self.pending.push(alert);
        if self.pending.len() >= FLUSH_EVERY {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        if !self.pending.is_empty() {
            Alert::name_accounts(&mut self.pending, self.names);
            self.sink.publish(&self.pending).await?;
            self.pending.clear();
        }
        Ok(())
    }
}

/// Problems met while reading records that do not stop the file: counted, first one kept.
#[derive(Default)]
struct Tally {
    count: u64,
    first: Option<String>,
}

impl Tally {
    fn note(&mut self, what: impl FnOnce() -> String) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(what());
        }
    }
}

impl Pipeline {
    /// Compiles `rules` (the effective definitions) for `settings`.
    pub fn new(settings: Settings, rules: &[RuleDef]) -> Result<Pipeline, RuleError> {
        let mut plan = FieldPlan::new();
        let rules = RuleSet::compile(rules, &mut plan)?;
        let slots = EventSlots::register(&mut plan);
        let insights = InsightSlots::register(&mut plan);
        Ok(Pipeline {
            settings,
            plan,
            rules,
            sigma: SigmaSet::default(),
            suppressions: Suppressions::default(),
            slots,
            insights,
        })
    }

    /// Adds the Sigma rules `sigma`, evaluated after the filter-pattern rules on every record.
    /// A Sigma rule whose `rule_id` a filter-pattern rule already has fails, naming its file.
    pub fn with_sigma(mut self, sigma: &[SigmaRule]) -> Result<Pipeline, SigmaError> {
        for rule in sigma {
            if self
                .rules
                .rules()
                .iter()
                .any(|r| r.def().id == rule.rule_id)
            {
                return Err(SigmaError {
                    origin: rule.file.clone(),
                    line: Some(rule.line),
                    reason: format!("rule id `{}` is already a --rules rule's id", rule.rule_id),
                });
            }
        }
        self.sigma = SigmaSet::compile(sigma, &mut self.plan);
        Ok(self)
    }

    /// Adds the rules file's suppressions: a detection one of them covers is counted, not
    /// published. Each one already expired is logged as a warning (the CLI's stderr, the
    /// function's log), so that a stale entry is noticed and removed.
    pub fn with_suppressions(mut self, defs: &[SuppressionDef]) -> Result<Pipeline, RuleError> {
        self.suppressions = Suppressions::compile(defs, &mut self.plan)?;
        let today = Date::today_utc();
        for def in defs.iter().filter(|d| !d.is_live(today)) {
            tracing::warn!(
                suppression = %def.at,
                rule = %def.rule,
                expired = %def.expires,
                reason = %def.reason,
                "A suppression has expired and no longer suppresses anything; remove or renew it."
            );
        }
        Ok(self)
    }

    /// The compiled suppressions.
    pub fn suppressions(&self) -> &Suppressions {
        &self.suppressions
    }

    /// The compiled rules.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The compiled Sigma rules.
    pub fn sigma(&self) -> &SigmaSet {
        &self.sigma
    }

    /// The settings the pipeline checks by.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Runs the whole pipeline on one delivered object; a digest's checks stop short of
    /// `deadline` (INTEGRITY §8).
    pub async fn process_object<S: ObjectSource, P: PublicKeys, K: AlertSink>(
        &self,
        source: &S,
        keys: &P,
        sink: &K,
        object: &ObjectRef,
        deadline: Deadline,
    ) -> Result<ObjectReport, ProcessError> {
        if let Some(buckets) = &self.settings.buckets {
            if !buckets.contains(&object.bucket) {
                return Err(ProcessError::UnwatchedBucket {
                    bucket: object.bucket.clone(),
                    key: object.key.clone(),
                });
            }
        }
        let mut out = Outbox::new(sink, &self.settings.account_names);
        let result = self
            .validate_and_read(source, keys, object, deadline, &mut out)
            .await;
        // Publish what was found even when the object then failed: a retry duplicates, never loses.
        out.flush().await?;
        result.map(|()| out.report)
    }

    /// Evaluates the rules on one file with no key, layout or ACL checks (`trailwatch scan`).
    /// The file may be gzip or plain JSON.
    pub async fn scan_object<S: ObjectSource, K: AlertSink>(
        &self,
        source: &S,
        sink: &K,
        object: &ObjectRef,
    ) -> Result<ObjectReport, ProcessError> {
        let mut out = Outbox::new(sink, &self.settings.account_names);
        let origin = Origin {
            bucket: None,
            key: &object.key,
            account_id: None,
            region: None,
        };
        let result = match source.open(object).await {
            Ok(opened) => {
                // Without a key there is no telling an Insights file: every file is a log.
                let (format, evaluate) = (Format::Detect, Evaluate::Rules);
                self.read_records(opened.body, format, evaluate, origin, object, &mut out)
                    .await
            }
            Err(e) => Err(ProcessError::Source {
                bucket: object.bucket.clone(),
                key: object.key.clone(),
                source: e,
            }),
        };
        out.flush().await?;
        result.map(|()| out.report)
    }

    async fn validate_and_read<S: ObjectSource, P: PublicKeys, K: AlertSink>(
        &self,
        source: &S,
        keys: &P,
        object: &ObjectRef,
        deadline: Deadline,
        out: &mut Outbox<'_, K>,
    ) -> Result<(), ProcessError> {
        let bare = Origin {
            bucket: Some(&object.bucket),
            key: &object.key,
            account_id: None,
            region: None,
        };
        let key = match LogKey::parse(&object.key, Date::today_utc()) {
            Ok(key) => key,
            Err(e) => {
                let reason = format!("{} [{}]", e.message(), e.code());
                return Ok(out
                    .push(Alert::delivery(DeliveryProblem::InvalidKey, bare, reason))
                    .await?);
            }
        };
        out.report.kind = Some(key.kind);
        out.report.account_id.clone_from(&key.account_id);
        let origin = Origin {
            account_id: key.account_id.as_deref(),
            region: key.region.as_deref(),
            ..bare
        };
        if key.kind == Kind::Other {
            return Ok(());
        }
        if let Err((problem, reason)) = layout::check(&self.settings, &key) {
            // Content from where nothing should write is not evaluated: it is the attacker's.
            return Ok(out.push(Alert::delivery(problem, origin, reason)).await?);
        }
        if key.kind == Kind::Digest {
            // `None`: the source keeps no metadata (a folder), so there is nothing to verify.
            let found =
                integrity::verify_digest(&self.settings, source, keys, object, &key, deadline)
                    .await?;
            for alert in found.into_iter().flatten() {
                out.push(alert).await?;
            }
            return Ok(());
        }
        let evaluate = match key.kind {
            Kind::Log => Evaluate::Rules,
            Kind::Insight => Evaluate::Insights,
            // Both returned above: other services' files are not read, digests are verified.
            Kind::Digest | Kind::Other => return Ok(()),
        };
        let source_failure = |source| ProcessError::Source {
            bucket: object.bucket.clone(),
            key: object.key.clone(),
            source,
        };
        let mut acl_alerted = false;
        let mut kms_alerted = false;
        match source.acl(object).await {
            Ok(Some((acl, bucket_owner))) => {
                if let AclVerdict::Violation(reason) = acl::verdict(&acl, &bucket_owner) {
                    out.push(Alert::delivery(DeliveryProblem::Acl, origin, reason))
                        .await?;
                    acl_alerted = true;
                }
            }
            Ok(None) => {}
            Err(e) => match e.kind() {
                SourceErrorKind::AccessDenied => {
                    let reason = format!(
                        "the object's ACL cannot be read by the bucket owner ({})",
                        e.detail()
                    );
                    out.push(Alert::delivery(DeliveryProblem::Acl, origin, reason))
                        .await?;
                    acl_alerted = true;
                }
                SourceErrorKind::KmsDenied => {
                    self.kms_refused(origin, &e, out).await?;
                    kms_alerted = true;
                }
                SourceErrorKind::NotFound => return self.missing(origin, &e, out).await,
                SourceErrorKind::Transient | SourceErrorKind::Permanent => {
                    return Err(source_failure(e))
                }
            },
        }
        let body = match source.open(object).await {
            Ok(opened) => opened.body,
            Err(e) => {
                return match e.kind() {
                    SourceErrorKind::NotFound => self.missing(origin, &e, out).await,
                    // The ACL's alert already says the bucket owner is locked out.
                    SourceErrorKind::AccessDenied if acl_alerted => Ok(()),
                    SourceErrorKind::AccessDenied => {
                        let reason = format!(
                            "the object cannot be read by the bucket owner ({})",
                            e.detail()
                        );
                        Ok(out
                            .push(Alert::delivery(DeliveryProblem::Acl, origin, reason))
                            .await?)
                    }
                    SourceErrorKind::KmsDenied if kms_alerted => Ok(()),
                    SourceErrorKind::KmsDenied => self.kms_refused(origin, &e, out).await,
                    SourceErrorKind::Transient | SourceErrorKind::Permanent => {
                        Err(source_failure(e))
                    }
                };
            }
        };
        self.read_records(body, Format::Gzip, evaluate, origin, object, out)
            .await
    }

    async fn missing<K: AlertSink>(
        &self,
        origin: Origin<'_>,
        error: &SourceError,
        out: &mut Outbox<'_, K>,
    ) -> Result<(), ProcessError> {
        let reason = format!("the object was announced but is gone ({})", error.detail());
        Ok(out
            .push(Alert::delivery(DeliveryProblem::Missing, origin, reason))
            .await?)
    }

    /// The object is SSE-KMS encrypted and its key refused the function: not the writer's ACL
    /// (the bucket owner may well control the object) but a key policy, a role without
    /// `kms:Decrypt`, or a disabled or deleted key. Its content stays unread, so it is reported
    /// on its own rule id rather than as `delivery.acl`.
    async fn kms_refused<K: AlertSink>(
        &self,
        origin: Origin<'_>,
        error: &SourceError,
        out: &mut Outbox<'_, K>,
    ) -> Result<(), ProcessError> {
        let reason = format!(
            "the object's KMS key refused to decrypt it for this function ({})",
            error.detail()
        );
        Ok(out
            .push(Alert::delivery(DeliveryProblem::Kms, origin, reason))
            .await?)
    }

    /// Reads every record of `body`, evaluating each as `evaluate` says and (for keyed
    /// deliveries) checking its account against the folder's.
    async fn read_records<R: Read + Send, K: AlertSink>(
        &self,
        body: R,
        format: Format,
        evaluate: Evaluate,
        origin: Origin<'_>,
        object: &ObjectRef,
        out: &mut Outbox<'_, K>,
    ) -> Result<(), ProcessError> {
        let mut reader = match RecordReader::new(body, format, &self.plan, self.settings.limits) {
            Ok(reader) => reader,
            Err(e) => return self.unreadable(e, origin, object, 0, out).await,
        };
        let mut mismatched = Tally::default();
        let mut unreadable = Tally::default();
        // Suppressions expire at the end of a UTC day; one object is read within minutes.
        let today = Date::today_utc();
        let fatal = loop {
            let evaluated = match reader.next_record() {
                Ok(Some(rec)) => {
                    out.report.records += 1;
                    if let (Some(folder), Some(named)) =
                        (origin.account_id, self.slots.recipient_account(&rec))
                    {
                        if named != folder {
                            mismatched.note(|| named.into_owned());
                        }
                    }
                    self.evaluate(evaluate, &rec, origin, today, &mut out.report.suppressed)
                }
                Ok(None) => break None,
                Err(e) if e.is_record_local() => {
                    unreadable.note(|| e.to_string());
                    continue;
                }
                Err(e) => break Some(e),
            };
            let alerts = match evaluated {
                Ok(alerts) => alerts,
                Err(e) => {
                    let index = reader.records_read().saturating_sub(1);
                    unreadable.note(|| format!("record {index}: {e}"));
                    continue;
                }
            };
            for alert in alerts {
                out.push(alert).await?;
            }
        };
        out.report.compressed_bytes = reader.compressed_bytes();
        out.report.decompressed_bytes = reader.decompressed_bytes();
        if let (Some(first), Some(folder)) = (mismatched.first, origin.account_id) {
            let reason = format!(
                "{} of {} records name a recipientAccountId other than the folder's account {folder} (first: {first})",
                mismatched.count,
                reader.records_read(),
            );
            out.push(Alert::delivery(
                DeliveryProblem::AccountMismatch,
                origin,
                reason,
            ))
            .await?;
        }
        if let Some(first) = unreadable.first {
            let reason = format!(
                "{} records could not be read and were skipped; first: {first}",
                unreadable.count
            );
            out.push(Alert::delivery(DeliveryProblem::Corrupt, origin, reason))
                .await?;
        }
        match fatal {
            Some(e) => {
                self.unreadable(e, origin, object, reader.records_read(), out)
                    .await
            }
            None => Ok(()),
        }
    }

    /// A decode failure: transient ones fail the invocation, the rest become a delivery alert.
    async fn unreadable<K: AlertSink>(
        &self,
        e: DecodeError,
        origin: Origin<'_>,
        object: &ObjectRef,
        records_before: u64,
        out: &mut Outbox<'_, K>,
    ) -> Result<(), ProcessError> {
        if e.is_transient() {
            return Err(ProcessError::Read {
                bucket: object.bucket.clone(),
                key: object.key.clone(),
                source: e,
            });
        }
        let problem = if e.is_limit() {
            DeliveryProblem::TooLarge
        } else {
            DeliveryProblem::Corrupt
        };
        let reason = format!("{e} (after {records_before} records)");
        Ok(out.push(Alert::delivery(problem, origin, reason)).await?)
    }
}

mod evaluate;
mod report;
#[cfg(test)]
mod tests;
