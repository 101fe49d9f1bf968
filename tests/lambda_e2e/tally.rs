//! Reads the function's own per-object log lines ("Processed the object." with its counts,
//! "The object could not be processed" on failure) as an operator's metric filter would, and
//! times each object from the one before it in the same invocation.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// What the function reported for one object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectTally {
    /// Successful processings, with the counts of the last one.
    pub processed: u32,
    pub records: u64,
    pub detections: u64,
    pub delivery_alerts: u64,
    /// Failed attempts (each sent back to the queue).
    pub failed: u32,
}

#[derive(Default)]
struct State {
    objects: BTreeMap<String, ObjectTally>,
    clock: Option<Instant>,
    slowest: Option<(Duration, String)>,
    busy: Duration,
}

/// A tracing layer; clones share one tally.
#[derive(Clone, Default)]
pub struct Tally(Arc<Mutex<State>>);

impl Tally {
    /// Marks the start of an invocation: the next object's time counts from here.
    pub fn invocation_starts(&self) {
        self.0.lock().unwrap().clock = Some(Instant::now());
    }

    pub fn objects(&self) -> BTreeMap<String, ObjectTally> {
        self.0.lock().unwrap().objects.clone()
    }

    /// Time spent on objects, summed.
    pub fn busy(&self) -> Duration {
        self.0.lock().unwrap().busy
    }

    /// The object that took longest, and how long.
    pub fn slowest(&self) -> Option<(Duration, String)> {
        self.0.lock().unwrap().slowest.clone()
    }
}

#[derive(Default)]
struct Fields {
    message: String,
    key: String,
    records: u64,
    detections: u64,
    delivery_alerts: u64,
}

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "records" => self.records = value,
            "detections" => self.detections = value,
            "delivery_alerts" => self.delivery_alerts = value,
            _ => {}
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "key" {
            self.key = value.to_string();
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            // `%key` arrives as a Display value wrapped for Debug.
            "key" => self.key = format!("{value:?}"),
            _ => {}
        }
    }
}

impl<S: Subscriber> Layer<S> for Tally {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let processed = fields.message == "Processed the object.";
        let failed = fields
            .message
            .starts_with("The object could not be processed");
        if !processed && !failed {
            return;
        }
        let mut state = self.0.lock().unwrap();
        let now = Instant::now();
        if let Some(since) = state.clock.replace(now) {
            let took = now - since;
            state.busy += took;
            if state.slowest.as_ref().is_none_or(|(d, _)| took > *d) {
                state.slowest = Some((took, fields.key.clone()));
            }
        }
        let tally = state.objects.entry(fields.key).or_default();
        if processed {
            tally.processed += 1;
            tally.records = fields.records;
            tally.detections = fields.detections;
            tally.delivery_alerts = fields.delivery_alerts;
        } else {
            tally.failed += 1;
        }
    }
}
