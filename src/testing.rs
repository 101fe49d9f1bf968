//! In-memory ports for the crate's unit tests: a source of canned objects and a sink that
//! records what it is given.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::Mutex;

use crate::acl::ObjectAcl;
use crate::alert::Alert;
use crate::ports::{AlertSink, ObjectRef, ObjectSource, SinkError, SourceError};

/// Objects by key; a key mapped to `Err` fails with that error on every read, a key not there
/// is not found. No ACLs.
#[derive(Default)]
pub(crate) struct MemorySource(pub HashMap<String, Canned>);

/// An object's bytes, or how reading it fails (given the key).
pub(crate) type Canned = Result<Vec<u8>, fn(String) -> SourceError>;

impl ObjectSource for MemorySource {
    type Body = Cursor<Vec<u8>>;

    async fn open(&self, object: &ObjectRef) -> Result<Cursor<Vec<u8>>, SourceError> {
        match self.0.get(&object.key) {
            Some(Ok(bytes)) => Ok(Cursor::new(bytes.clone())),
            Some(Err(make)) => Err(make(object.key.clone())),
            None => Err(SourceError::NotFound(object.key.clone())),
        }
    }

    async fn acl(&self, _object: &ObjectRef) -> Result<Option<(ObjectAcl, String)>, SourceError> {
        Ok(None)
    }
}

/// Records published alerts; fails every publish when `down`.
#[derive(Default)]
pub(crate) struct Recorder {
    pub alerts: Mutex<Vec<Alert>>,
    pub down: bool,
}

impl Recorder {
    /// The rule ids published, in order.
    pub fn rule_ids(&self) -> Vec<String> {
        self.alerts
            .lock()
            .map(|a| a.iter().map(|a| a.rule_id.clone()).collect())
            .unwrap_or_default()
    }
}

impl AlertSink for Recorder {
    async fn publish(&self, alerts: &[Alert]) -> Result<(), SinkError> {
        if self.down {
            return Err(SinkError("SNS is down".into()));
        }
        self.alerts
            .lock()
            .map_err(|_| SinkError("recorder poisoned".into()))?
            .extend_from_slice(alerts);
        Ok(())
    }
}
