//! The Lambda function's handler: one invocation's event through the pipeline, answered the way
//! its trigger expects (DESIGN §3, §7). Generic over the ports, so it runs the same on S3 and
//! SNS as on in-memory fakes; the `bootstrap` binary only builds the adapters and calls it.
//!
//! - Plain triggers (S3, SNS, EventBridge, CloudTrail's notice): every object is processed;
//!   if any failed transiently the invocation fails afterwards (Lambda retries it, and the
//!   alerts already published repeat with the same ids).
//! - SQS: the messages whose objects failed are returned in `batchItemFailures`; a message that
//!   names nothing readable is returned too, so it ends in the queue's dead-letter queue.
//! - S3 Batch Operations: `Succeeded`, `TemporaryFailure` (S3 or SNS failed for now) or
//!   `PermanentFailure` (the task is malformed, or its object can never be processed) per task.
//! - The heartbeat (INTEGRITY §5): its `digest-late` alerts are published; S3 or SNS failing
//!   fails the invocation (retried), a payload or configuration that cannot work fails it for a
//!   person to look at.
//!
//! Whether a failure is worth a retry is [`ProcessError::is_retryable`]'s decision alone.
//! What each object and the heartbeat counted goes into the invocation's [`Tally`].

use std::time::Instant;

use lambda_runtime::Diagnostic;
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::alert::Alert;
use crate::error::chain;
use crate::event::{self, EventError, Trigger};
use crate::integrity::heartbeat::{self, HeartbeatRequest};
use crate::integrity::Deadline;
use crate::metrics::Tally;
use crate::pipeline::{Pipeline, ProcessError, Stats};
use crate::ports::{AlertSink, ObjectRef, ObjectSource, PublicKeys, SourceErrorKind};

/// What every object of one invocation is processed with.
pub struct Ports<'a, S, P, K> {
    /// Where objects come from.
    pub source: &'a S,
    /// Where CloudTrail's public keys come from.
    pub keys: &'a P,
    /// Where alerts go.
    pub sink: &'a K,
}

/// Why an invocation failed. Lambda reports the [`Diagnostic`]'s type, which says whether a
/// retry can help.
#[derive(Debug, thiserror::Error)]
pub enum InvocationError {
    /// S3 or SNS failed: the same event will succeed later.
    #[error("{failed} of {total} objects could not be processed; first: {first}")]
    Retryable {
        /// Objects whose processing failed, retryable or not.
        failed: usize,
        /// Objects the event names.
        total: usize,
        /// The first failure, with every error below it.
        first: String,
    },
    /// The heartbeat could not list the bucket or publish its alerts: it will work later.
    #[error("the heartbeat failed: {0}")]
    Heartbeat(String),
    /// The event cannot be processed as it is; a retry fails the same way and the event ends
    /// in the function's on-failure destination for a person to look at.
    #[error("{0}")]
    NonRetryable(String),
}

impl From<InvocationError> for Diagnostic {
    fn from(error: InvocationError) -> Diagnostic {
        let error_type = match error {
            InvocationError::Retryable { .. } | InvocationError::Heartbeat(_) => "Retryable",
            InvocationError::NonRetryable(_) => "NonRetryable",
        };
        Diagnostic {
            error_type: error_type.to_string(),
            error_message: error.to_string(),
        }
    }
}

/// Handles one invocation, which must be done by `deadline`: decodes `event`, runs every
/// object it names through `pipeline` (or the heartbeat), counts what happened into `tally`,
/// and returns the trigger's answer (the SQS partial batch response, the Batch Operations
/// results, or a summary for triggers that ignore the answer).
pub async fn handle<S: ObjectSource, P: PublicKeys, K: AlertSink>(
    pipeline: &Pipeline,
    ports: &Ports<'_, S, P, K>,
    event: &Value,
    deadline: Deadline,
    tally: &mut Tally<'_>,
) -> Result<Value, InvocationError> {
    let trigger = event::parse(event).map_err(|e| {
        tracing::error!(error = %e, "The event names no object; it is rejected.");
        InvocationError::NonRetryable(e.to_string())
    })?;
    match trigger {
        Trigger::Objects(named) => {
            log_ignored(&named.ignored);
            let objects = named.objects;
            let (stats, failures) = process_all(pipeline, ports, &objects, deadline, tally).await;
            match failures.first() {
                None => Ok(summary(&stats, named.ignored.len())),
                Some(first) => {
                    let message = chain(first);
                    if failures.iter().any(ProcessError::is_retryable) {
                        Err(InvocationError::Retryable {
                            failed: failures.len(),
                            total: objects.len(),
                            first: message,
                        })
                    } else {
                        Err(InvocationError::NonRetryable(message))
                    }
                }
            }
        }
        Trigger::Sqs(messages) => {
            let mut failed = Vec::new();
            for message in messages {
                let ok = match &message.objects {
                    Ok(named) => {
                        log_ignored(&named.ignored);
                        process_all(pipeline, ports, &named.objects, deadline, tally)
                            .await
                            .1
                            .is_empty()
                    }
                    Err(e) => {
                        log_bad_part("SQS message", &message.message_id, e);
                        tally.failed(None);
                        false
                    }
                };
                if !ok {
                    failed.push(message.message_id);
                }
            }
            to_value(event::sqs_response(failed))
        }
        Trigger::Batch(job) => {
            let mut outcomes = Vec::with_capacity(job.tasks.len());
            for task in &job.tasks {
                let outcome = match &task.object {
                    Ok(object) => batch_task(pipeline, ports, object, deadline, tally).await,
                    Err(e) => {
                        log_bad_part("Batch Operations task", &task.task_id, e);
                        tally.failed(None);
                        event::TaskOutcome::PermanentFailure(e.to_string())
                    }
                };
                outcomes.push((task.task_id.clone(), outcome));
            }
            to_value(event::batch_response(&job, outcomes))
        }
        Trigger::Heartbeat(request) => run_heartbeat(pipeline, ports, &request, tally).await,
    }
}

async fn run_heartbeat<S: ObjectSource, P: PublicKeys, K: AlertSink>(
    pipeline: &Pipeline,
    ports: &Ports<'_, S, P, K>,
    request: &HeartbeatRequest,
    tally: &mut Tally<'_>,
) -> Result<Value, InvocationError> {
    let refuse = |message: String| {
        tracing::error!(error = %message, "The heartbeat cannot run as configured; it is rejected.");
        InvocationError::NonRetryable(message)
    };
    if let Some(buckets) = &pipeline.settings().buckets {
        if !buckets.contains(&request.bucket) {
            return Err(refuse(format!(
                "the heartbeat names bucket {}, which is not among the watched buckets",
                request.bucket
            )));
        }
    }
    let plan = heartbeat::plan(request, pipeline.settings(), OffsetDateTime::now_utc())
        .map_err(|e| refuse(e.to_string()))?;
    let mut alerts = heartbeat::run(&plan, ports.source).await.map_err(|e| {
        let message = chain(&e);
        if e.kind() == SourceErrorKind::Permanent {
            refuse(message)
        } else {
            tracing::error!(error = %message, "The heartbeat could not list the bucket; it is reported as failed so that it is retried.");
            InvocationError::Heartbeat(message)
        }
    })?;
    // One late alert per account and region: few, already in memory, batched by the sink.
    Alert::name_accounts(&mut alerts, &pipeline.settings().account_names);
    ports.sink.publish(&alerts).await.map_err(|e| {
        let message = chain(&e);
        tracing::error!(error = %message, "The heartbeat's alerts could not be published; it is reported as failed so that it is retried.");
        InvocationError::Heartbeat(message)
    })?;
    tally.published(&alerts);
    tracing::info!(bucket = %request.bucket, late = alerts.len(), "Heartbeat done.");
    Ok(json!({ "heartbeat": { "bucket": request.bucket, "late": alerts.len() } }))
}

async fn batch_task<S: ObjectSource, P: PublicKeys, K: AlertSink>(
    pipeline: &Pipeline,
    ports: &Ports<'_, S, P, K>,
    object: &ObjectRef,
    deadline: Deadline,
    tally: &mut Tally<'_>,
) -> event::TaskOutcome {
    let (stats, failures) = process_all(
        pipeline,
        ports,
        std::slice::from_ref(object),
        deadline,
        tally,
    )
    .await;
    match failures.first() {
        // Batch Operations retries temporary failures itself; one that will not go away is
        // reported as permanent at once, where the job's completion report shows it.
        Some(e) if e.is_retryable() => event::TaskOutcome::TemporaryFailure(chain(e)),
        Some(e) => event::TaskOutcome::PermanentFailure(chain(e)),
        None => event::TaskOutcome::Succeeded(format!(
            "{} records, {} detections, {} delivery alerts, {} integrity alerts",
            stats.records, stats.detections, stats.delivery_alerts, stats.integrity_alerts
        )),
    }
}

/// Runs every object, failed or not, so one bad object does not hold back the others' alerts.
async fn process_all<S: ObjectSource, P: PublicKeys, K: AlertSink>(
    pipeline: &Pipeline,
    ports: &Ports<'_, S, P, K>,
    objects: &[ObjectRef],
    deadline: Deadline,
    tally: &mut Tally<'_>,
) -> (Stats, Vec<ProcessError>) {
    let mut stats = Stats::default();
    let mut failures = Vec::new();
    for object in objects {
        let started = Instant::now();
        let result = pipeline
            .process_object(ports.source, ports.keys, ports.sink, object, deadline)
            .await;
        // Every alert of the object is published when it returns.
        let published = OffsetDateTime::now_utc();
        match result {
            Ok(report) => {
                tally.processed(&report, started.elapsed(), object.created, published);
                tracing::info!(
                    bucket = %object.bucket,
                    key = %object.key,
                    records = report.records,
                    detections = report.detections,
                    suppressed = report.suppressed,
                    delivery_alerts = report.delivery_alerts,
                    integrity_alerts = report.integrity_alerts,
                    "Processed the object."
                );
                stats.add(&report);
            }
            Err(e) if e.is_retryable() => {
                tally.failed(Some(started.elapsed()));
                tracing::error!(
                    bucket = %object.bucket,
                    key = %object.key,
                    retryable = true,
                    error = %chain(&e),
                    "The object could not be processed now; it is reported as failed so that its trigger retries it."
                );
                failures.push(e);
            }
            Err(e) => {
                tally.failed(Some(started.elapsed()));
                tracing::error!(
                    bucket = %object.bucket,
                    key = %object.key,
                    retryable = false,
                    error = %chain(&e),
                    "The object cannot be processed and a retry would fail the same way; it is reported as failed for a person to look at."
                );
                failures.push(e);
            }
        }
    }
    (stats, failures)
}

fn log_bad_part(what: &str, id: &str, error: &EventError) {
    tracing::error!(
        id,
        error = %error,
        "The {what} names no object trailwatch can read; it is reported as failed."
    );
}

/// Events that name no new object reach the function only through a misconfigured
/// notification or rule: each is worth an operator's look, never an error.
fn log_ignored(ignored: &[String]) {
    for event in ignored {
        tracing::warn!(
            event = %event,
            "The trigger carries an event that names no new object; it is ignored. Check the notification or rule that sends it."
        );
    }
}

fn summary(stats: &Stats, ignored: usize) -> Value {
    json!({
        "objects": stats.objects,
        "records": stats.records,
        "detections": stats.detections,
        "suppressed": stats.suppressed,
        "delivery_alerts": stats.delivery_alerts,
        "integrity_alerts": stats.integrity_alerts,
        "ignored_events": ignored,
    })
}

fn to_value(response: impl serde::Serialize) -> Result<Value, InvocationError> {
    serde_json::to_value(response)
        .map_err(|e| InvocationError::NonRetryable(format!("encoding the response: {e}")))
}

#[cfg(test)]
mod tests;
