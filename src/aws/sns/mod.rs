//! [`SnsSink`]: alerts published to an SNS topic with `PublishBatch`.
//!
//! `PublishBatch` answers 200 even when some entries failed: every `Failed` entry (and any
//! entry the answer does not mention) is retried a bounded number of times, and what still
//! fails is returned as a [`SinkError`] so the invocation fails and AWS retries it. Entries
//! SNS rejects as the sender's fault are not retried: they would fail again.

mod console;
pub mod message;

use std::time::Duration;

use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry};
use aws_sdk_sns::Client;

use crate::alert::Alert;
use crate::ports::{AlertSink, SinkError};
use message::Entry;

/// Attempts at publishing an entry that SNS reports as failed, and the pause before the first
/// retry (doubled each time). Whole-request failures are retried by the SDK itself.
const DEFAULT_ATTEMPTS: u32 = 4;
const DEFAULT_BACKOFF: Duration = Duration::from_millis(200);

/// An SNS topic as the pipeline's alert sink.
#[derive(Debug, Clone)]
pub struct SnsSink {
    client: Client,
    topic_arn: String,
    fifo: bool,
    bucket_region: Option<String>,
    attempts: u32,
    backoff: Duration,
}

impl SnsSink {
    /// Publishes to `topic_arn`; a name ending in `.fifo` makes it a FIFO topic.
    pub fn new(client: Client, topic_arn: impl Into<String>) -> SnsSink {
        let topic_arn = topic_arn.into();
        SnsSink {
            client,
            fifo: topic_arn.ends_with(".fifo"),
            topic_arn,
            bucket_region: None,
            attempts: DEFAULT_ATTEMPTS,
            backoff: DEFAULT_BACKOFF,
        }
    }

    /// Links e-mails to objects in the S3 console of `region`, the watched bucket's (the
    /// function's own: S3 notifies only functions in the bucket's region).
    pub fn with_bucket_region(mut self, region: Option<String>) -> SnsSink {
        self.bucket_region = region;
        self
    }

    /// Changes how often failed entries are tried (at least once) and the first pause.
    pub fn with_retries(mut self, attempts: u32, backoff: Duration) -> SnsSink {
        self.attempts = attempts.max(1);
        self.backoff = backoff;
        self
    }

    /// Publishes one batch, retrying the entries SNS reports as failed.
    async fn publish_batch(&self, entries: &[Entry]) -> Result<(), SinkError> {
        // Entry ids are positions in `entries`: unique within the request even when two alerts
        // are identical (a record repeated in a file), which alert ids would not be.
        let mut pending: Vec<usize> = (0..entries.len()).collect();
        let mut pause = self.backoff;
        let mut last_failures = String::new();
        for attempt in 1..=self.attempts {
            if attempt > 1 {
                tokio::time::sleep(pause).await;
                pause = pause.saturating_mul(2);
            }
            let request: Vec<PublishBatchRequestEntry> = pending
                .iter()
                .filter_map(|&i| entries.get(i).map(|e| request_entry(i, e, self.fifo)))
                .collect::<Result<_, _>>()?;
            let out = self
                .client
                .publish_batch()
                .topic_arn(&self.topic_arn)
                .set_publish_batch_request_entries(Some(request))
                .send()
                .await
                .map_err(|e| {
                    SinkError::new(format!("PublishBatch to {}", self.topic_arn)).caused_by(e)
                })?;
            let published: Vec<usize> = out
                .successful()
                .iter()
                .filter_map(|s| s.id()?.parse().ok())
                .collect();
            let mut failures = Vec::new();
            for failed in out.failed() {
                let what = format!(
                    "{} ({})",
                    failed.code(),
                    failed.message().unwrap_or("no message")
                );
                if failed.sender_fault() {
                    return Err(SinkError::new(format!(
                        "PublishBatch to {} rejected an alert: {what}",
                        self.topic_arn
                    )));
                }
                failures.push(what);
            }
            pending.retain(|i| !published.contains(i));
            if pending.is_empty() {
                return Ok(());
            }
            tracing::warn!(
                topic = %self.topic_arn,
                attempt,
                failed = pending.len(),
                errors = %failures.join("; "),
                "SNS did not take every alert of a batch; retrying those"
            );
            last_failures = failures.join("; ");
        }
        Err(SinkError::new(format!(
            "PublishBatch to {}: {} alerts still failed after {} attempts: {}",
            self.topic_arn,
            pending.len(),
            self.attempts,
            if last_failures.is_empty() {
                "not acknowledged"
            } else {
                &last_failures
            }
        )))
    }
}

fn request_entry(
    index: usize,
    entry: &Entry,
    fifo: bool,
) -> Result<PublishBatchRequestEntry, SinkError> {
    let mut builder = PublishBatchRequestEntry::builder()
        .id(index.to_string())
        .subject(&entry.subject)
        .message(&entry.message)
        .message_structure("json");
    for (name, value) in &entry.attributes {
        let value = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(value)
            .build()
            .map_err(|e| SinkError::new(format!("building attribute {name}")).caused_by(e))?;
        builder = builder.message_attributes(*name, value);
    }
    if let (true, Some((group, dedup))) = (fifo, &entry.fifo) {
        builder = builder
            .message_group_id(group)
            .message_deduplication_id(dedup);
    }
    builder
        .build()
        .map_err(|e| SinkError::new("building a PublishBatch entry").caused_by(e))
}

impl AlertSink for SnsSink {
    async fn publish(&self, alerts: &[Alert]) -> Result<(), SinkError> {
        let entries = alerts
            .iter()
            .map(|a| message::encode(a, self.fifo, self.bucket_region.as_deref()))
            .collect::<Result<Vec<Entry>, _>>()
            .map_err(|e| SinkError::new("encoding an alert").caused_by(e))?;
        for batch in message::batches(&entries) {
            self.publish_batch(batch).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
