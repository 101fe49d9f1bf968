//! Every trigger the Lambda function accepts (DESIGN §3), decoded into the same
//! [`ObjectRef`]s, and the answers the batching triggers expect back.
//!
//! - S3 event notifications (`Records[].s3`): `ObjectCreated:*` only, other events are skipped;
//!   `s3:TestEvent` (sent when a notification is configured) names no object.
//! - The same notification delivered through SNS (`Records[].Sns.Message`) or SQS
//!   (`Records[].body`, itself possibly an SNS envelope when raw delivery is off).
//! - EventBridge `Object Created` events from S3, directly or through SQS.
//! - CloudTrail's own delivery notice (`{"s3Bucket": ..., "s3ObjectKey": [...]}`) via SNS/SQS.
//! - S3 Batch Operations jobs (schema 1.0 with a bucket ARN, 2.0 with a bucket name).
//! - The scheduled heartbeat, `{"trailwatch":"heartbeat",...}` (INTEGRITY §5), which names no
//!   object.
//!
//! An object's creation time is the S3 notification's `eventTime` or the EventBridge event's
//! `time` (inside whatever envelopes carry them); Batch Operations tasks and CloudTrail's
//! notices give none.
//!
//! Keys arrive URL-encoded (`+` for a space, then `%XX`) in S3 notifications and Batch
//! Operations tasks, and as they are in EventBridge events and CloudTrail's notices. Pure: no
//! I/O, so every envelope is tested from the fixtures in `events/`.

use aws_lambda_events::event::s3::batch_job::{S3BatchJobResponse, S3BatchJobResult};
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::config::ConfigError;
use crate::integrity::heartbeat::HeartbeatRequest;
use crate::key::url_decode;
use crate::ports::ObjectRef;

/// Envelopes inside envelopes are followed this deep (SQS → SNS → S3 is three); more is a
/// malformed or hostile event, not a real delivery.
const MAX_NESTING: usize = 4;

/// What one invocation asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// Objects processed together: any transient failure fails the whole invocation.
    Objects(Named),
    /// An SQS batch: each message succeeds or fails (and comes back) on its own.
    Sqs(Vec<SqsMessage>),
    /// An S3 Batch Operations invocation: each task gets its own result code.
    Batch(BatchJob),
    /// The scheduled heartbeat (INTEGRITY §5): no object, a check that digests still arrive.
    Heartbeat(HeartbeatRequest),
}

/// What an envelope names: the new objects to process, and the events it carries that name
/// none. S3 events other than `ObjectCreated:*` and EventBridge detail types other than
/// `Object Created` (say "AWS API Call via CloudTrail" from a misconfigured rule) are not
/// errors, but nobody meant to send them: the handler logs and counts each.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Named {
    /// The objects to process, in the event's order.
    pub objects: Vec<ObjectRef>,
    /// One description per event that names no new object (`EventBridge detail type "…"`).
    pub ignored: Vec<String>,
}

impl Named {
    fn object(object: ObjectRef) -> Named {
        Named {
            objects: vec![object],
            ignored: Vec::new(),
        }
    }

    fn ignored(what: String) -> Named {
        Named {
            objects: Vec::new(),
            ignored: vec![what],
        }
    }

    fn append(&mut self, mut other: Named) {
        self.objects.append(&mut other.objects);
        self.ignored.append(&mut other.ignored);
    }
}

/// One message of an SQS batch and the objects it names (or why it names none we can read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqsMessage {
    /// The message's `messageId`, by which a failure is reported back to SQS.
    pub message_id: String,
    /// The objects its body names, or why the body names none that can be read.
    pub objects: Result<Named, EventError>,
}

/// An S3 Batch Operations invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchJob {
    /// `1.0` or `2.0`, echoed in the response.
    pub schema_version: String,
    /// The job's `invocationId`, echoed in the response.
    pub invocation_id: String,
    /// The tasks to run, in the job's order.
    pub tasks: Vec<BatchTask>,
}

/// One Batch Operations task: one object of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchTask {
    /// The task's `taskId`, echoed in its result.
    pub task_id: String,
    /// The object the task names, or why it names none that can be read.
    pub object: Result<ObjectRef, EventError>,
}

/// A task's result, as Batch Operations expects it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskOutcome {
    /// Processed (alerts published, delivery alerts included).
    Succeeded(String),
    /// S3 or SNS failed: Batch Operations retries the task.
    TemporaryFailure(String),
    /// The task itself is malformed; retrying cannot help.
    PermanentFailure(String),
}

/// Why an event (or a part of it) names no object trailwatch can process.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// Not one of the envelopes of DESIGN §3.
    #[error("not a trigger trailwatch accepts: {0}")]
    Unrecognized(String),
    /// A message body that should hold JSON does not.
    #[error("{what} is not JSON: {detail}")]
    NotJson {
        /// Which body it is (`the SQS message body`, ...).
        what: &'static str,
        /// The JSON parser's error.
        detail: String,
    },
    /// A field the envelope must have is absent or not a string.
    #[error("`{0}` is missing or not a string")]
    Missing(&'static str),
    /// The key is not valid URL encoding.
    #[error("object key `{key}`: {message}")]
    BadKey {
        /// The key as the event carries it, still encoded.
        key: String,
        /// What is wrong with its encoding.
        message: String,
    },
    /// Envelopes are nested deeper than any real delivery nests them.
    #[error("envelopes are nested more than {MAX_NESTING} deep")]
    TooDeep,
    /// A heartbeat whose payload is wrong.
    #[error("heartbeat: {0}")]
    Heartbeat(#[source] ConfigError),
}

/// Decodes the invocation's payload.
pub fn parse(event: &Value) -> Result<Trigger, EventError> {
    if HeartbeatRequest::is_heartbeat(event) {
        return HeartbeatRequest::from_value(event)
            .map(Trigger::Heartbeat)
            .map_err(EventError::Heartbeat);
    }
    if event.get("tasks").is_some() && event.get("invocationSchemaVersion").is_some() {
        return batch_job(event).map(Trigger::Batch);
    }
    if let Some(records) = records(event) {
        if records.first().and_then(|r| text(r, &["eventSource"])) == Some("aws:sqs") {
            return records
                .iter()
                .map(sqs_message)
                .collect::<Result<_, _>>()
                .map(Trigger::Sqs);
        }
    }
    objects_in(event, 0).map(Trigger::Objects)
}

/// The objects an envelope (or a message body that is one) names; `depth` counts the
/// envelopes already opened.
fn objects_in(event: &Value, depth: usize) -> Result<Named, EventError> {
    if depth > MAX_NESTING {
        return Err(EventError::TooDeep);
    }
    if let Some(records) = records(event) {
        let mut named = Named::default();
        for record in records {
            named.append(record_objects(record, depth)?);
        }
        return Ok(named);
    }
    if text(event, &["Event"]) == Some("s3:TestEvent") {
        return Ok(Named::default());
    }
    if text(event, &["source"]) == Some("aws.s3") && event.get("detail-type").is_some() {
        return eventbridge(event);
    }
    if event.get("s3Bucket").is_some() && event.get("s3ObjectKey").is_some() {
        return cloudtrail_notice(event);
    }
    // An SNS message as SQS receives it without raw delivery.
    match text(event, &["Type"]) {
        Some("Notification") => {
            let message = text(event, &["Message"]).ok_or(EventError::Missing("Message"))?;
            return objects_in(&json("the SNS message", message)?, depth + 1);
        }
        Some("SubscriptionConfirmation" | "UnsubscribeConfirmation") => return Ok(Named::default()),
        _ => {}
    }
    Err(EventError::Unrecognized(describe(event)))
}

/// One entry of a `Records` array that is not SQS's: an S3 notification or an SNS delivery.
fn record_objects(record: &Value, depth: usize) -> Result<Named, EventError> {
    if text(record, &["eventSource"]) == Some("aws:s3") {
        return s3_record(record);
    }
    if text(record, &["EventSource"]) == Some("aws:sns") {
        let message =
            text(record, &["Sns", "Message"]).ok_or(EventError::Missing("Sns.Message"))?;
        return objects_in(&json("the SNS message", message)?, depth + 1);
    }
    Err(EventError::Unrecognized(format!(
        "a record from {}",
        text(record, &["eventSource"])
            .or_else(|| text(record, &["EventSource"]))
            .unwrap_or("an unnamed source")
    )))
}

/// An S3 notification record: the object for `ObjectCreated:*`, nothing for other events.
fn s3_record(record: &Value) -> Result<Named, EventError> {
    let event_name = text(record, &["eventName"]).unwrap_or_default();
    if !event_name.starts_with("ObjectCreated:") {
        return Ok(Named::ignored(format!("S3 event {event_name:?}")));
    }
    let bucket =
        text(record, &["s3", "bucket", "name"]).ok_or(EventError::Missing("s3.bucket.name"))?;
    let encoded =
        text(record, &["s3", "object", "key"]).ok_or(EventError::Missing("s3.object.key"))?;
    let object = |field| {
        record
            .get("s3")
            .and_then(|s3| s3.get("object"))
            .and_then(|o| o.get(field))
    };
    Ok(Named::object(ObjectRef {
        bucket: bucket.to_string(),
        key: decoded(encoded)?,
        size: object("size").and_then(Value::as_u64),
        etag: object("eTag").and_then(Value::as_str).map(String::from),
        version_id: object("versionId")
            .and_then(Value::as_str)
            .map(String::from),
        sequencer: object("sequencer")
            .and_then(Value::as_str)
            .map(String::from),
        created: time_at(record, "eventTime"),
    }))
}

/// An EventBridge event from S3: the object for `Object Created`, nothing for other types.
fn eventbridge(event: &Value) -> Result<Named, EventError> {
    let detail_type = text(event, &["detail-type"]).unwrap_or_default();
    if detail_type != "Object Created" {
        return Ok(Named::ignored(format!(
            "EventBridge detail type {detail_type:?}"
        )));
    }
    let bucket = text(event, &["detail", "bucket", "name"])
        .ok_or(EventError::Missing("detail.bucket.name"))?;
    let key = text(event, &["detail", "object", "key"])
        .ok_or(EventError::Missing("detail.object.key"))?;
    let object = |field| {
        event
            .get("detail")
            .and_then(|d| d.get("object"))
            .and_then(|o| o.get(field))
    };
    Ok(Named::object(ObjectRef {
        bucket: bucket.to_string(),
        key: key.to_string(),
        size: object("size").and_then(Value::as_u64),
        etag: object("etag").and_then(Value::as_str).map(String::from),
        version_id: object("version-id")
            .and_then(Value::as_str)
            .map(String::from),
        sequencer: object("sequencer")
            .and_then(Value::as_str)
            .map(String::from),
        created: time_at(event, "time"),
    }))
}

/// CloudTrail's notice that it delivered files: one bucket, a list of plain keys.
fn cloudtrail_notice(event: &Value) -> Result<Named, EventError> {
    let bucket = text(event, &["s3Bucket"]).ok_or(EventError::Missing("s3Bucket"))?;
    let keys = event
        .get("s3ObjectKey")
        .and_then(Value::as_array)
        .ok_or(EventError::Missing("s3ObjectKey"))?;
    let objects = keys
        .iter()
        .map(|key| {
            let key = key.as_str().ok_or(EventError::Missing("s3ObjectKey[]"))?;
            Ok(ObjectRef {
                bucket: bucket.to_string(),
                key: key.to_string(),
                ..ObjectRef::default()
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Named {
        objects,
        ignored: Vec::new(),
    })
}

/// One SQS message. Its id must be there (it is how a failure is reported back); a body that
/// names no readable object is this message's failure only.
fn sqs_message(record: &Value) -> Result<SqsMessage, EventError> {
    let message_id =
        text(record, &["messageId"]).ok_or(EventError::Missing("Records[].messageId"))?;
    let objects = text(record, &["body"])
        .ok_or(EventError::Missing("Records[].body"))
        .and_then(|body| json("the SQS message body", body))
        .and_then(|body| objects_in(&body, 1));
    Ok(SqsMessage {
        message_id: message_id.to_string(),
        objects,
    })
}

fn batch_job(event: &Value) -> Result<BatchJob, EventError> {
    let schema_version = text(event, &["invocationSchemaVersion"])
        .ok_or(EventError::Missing("invocationSchemaVersion"))?;
    let invocation_id =
        text(event, &["invocationId"]).ok_or(EventError::Missing("invocationId"))?;
    let tasks = event
        .get("tasks")
        .and_then(Value::as_array)
        .ok_or(EventError::Missing("tasks"))?;
    let tasks = tasks
        .iter()
        .map(|task| {
            let task_id = text(task, &["taskId"]).ok_or(EventError::Missing("tasks[].taskId"))?;
            Ok(BatchTask {
                task_id: task_id.to_string(),
                object: batch_object(task),
            })
        })
        .collect::<Result<_, EventError>>()?;
    Ok(BatchJob {
        schema_version: schema_version.to_string(),
        invocation_id: invocation_id.to_string(),
        tasks,
    })
}

/// A task's object: schema 2.0 names the bucket, 1.0 gives its ARN.
fn batch_object(task: &Value) -> Result<ObjectRef, EventError> {
    let bucket = text(task, &["s3BucketName"])
        .or_else(|| text(task, &["s3BucketArn"]).and_then(bucket_of_arn))
        .filter(|b| !b.is_empty())
        .ok_or(EventError::Missing("tasks[].s3BucketName or s3BucketArn"))?;
    let key = text(task, &["s3Key"]).ok_or(EventError::Missing("tasks[].s3Key"))?;
    Ok(ObjectRef {
        bucket: bucket.to_string(),
        key: decoded(key)?,
        version_id: text(task, &["s3VersionId"]).map(String::from),
        ..ObjectRef::default()
    })
}

/// The bucket an S3 bucket ARN names: `arn:<partition>:s3:<region>:<account>:<bucket>`, where
/// a bucket ARN usually leaves region and account empty (`arn:aws:s3:::bucket`) but AWS's
/// Batch Operations documentation shows them filled (`arn:aws:s3:us-east-1:0123456788:bucket`).
fn bucket_of_arn(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let prefix = parts.next()?;
    let _partition = parts.next()?;
    let service = parts.next()?;
    let (_region, _account) = (parts.next()?, parts.next()?);
    let bucket = parts.next()?;
    (prefix == "arn" && service == "s3" && !bucket.contains('/')).then_some(bucket)
}

/// The SQS partial batch response: only the failed messages come back to the queue.
pub fn sqs_response(failed_message_ids: impl IntoIterator<Item = String>) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for id in failed_message_ids {
        let mut failure = BatchItemFailure::default();
        failure.item_identifier = id;
        response.batch_item_failures.push(failure);
    }
    response
}

/// The Batch Operations response: one result per task, in the job's order.
pub fn batch_response(job: &BatchJob, outcomes: Vec<(String, TaskOutcome)>) -> S3BatchJobResponse {
    let mut response = S3BatchJobResponse::default();
    response.invocation_schema_version = Some(job.schema_version.clone());
    // Every task gets an explicit result, so this only matters if one were left out.
    response.treat_missing_keys_as = Some("PermanentFailure".to_string());
    response.invocation_id = Some(job.invocation_id.clone());
    for (task_id, outcome) in outcomes {
        let (code, text) = match outcome {
            TaskOutcome::Succeeded(t) => ("Succeeded", t),
            TaskOutcome::TemporaryFailure(t) => ("TemporaryFailure", t),
            TaskOutcome::PermanentFailure(t) => ("PermanentFailure", t),
        };
        let mut result = S3BatchJobResult::default();
        result.task_id = Some(task_id);
        result.result_code = Some(code.to_string());
        result.result_string = Some(text);
        response.results.push(result);
    }
    response
}

fn records(event: &Value) -> Option<&Vec<Value>> {
    event.get("Records").and_then(Value::as_array)
}

/// The RFC 3339 time in member `name`. Only metrics read it, so a time that is absent or does
/// not parse leaves the object without one rather than failing its event.
fn time_at(value: &Value, name: &str) -> Option<OffsetDateTime> {
    text(value, &[name]).and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
}

/// The string at `path`, if every step exists and the last is a string.
fn text<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    path.iter()
        .try_fold(value, |v, step| v.get(step))
        .and_then(Value::as_str)
}

fn json(what: &'static str, text: &str) -> Result<Value, EventError> {
    serde_json::from_str(text).map_err(|e| EventError::NotJson {
        what,
        detail: e.to_string(),
    })
}

fn decoded(encoded: &str) -> Result<String, EventError> {
    url_decode(encoded).map_err(|e| EventError::BadKey {
        key: encoded.to_string(),
        message: e.to_string(),
    })
}

/// A short description of an unknown event for the error: its top-level member names.
fn describe(event: &Value) -> String {
    match event {
        Value::Object(members) => {
            let names: Vec<&str> = members.keys().map(String::as_str).take(8).collect();
            format!("an object with members {}", names.join(", "))
        }
        Value::Array(_) => "a JSON array".to_string(),
        Value::String(_) => "a JSON string".to_string(),
        other => format!("the JSON value {other}"),
    }
}

#[cfg(test)]
mod tests;
