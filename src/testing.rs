//! In-memory ports for the crate's unit tests: a source of canned objects (with ACLs, missing
//! objects and failures of every kind) and a sink that records what it is given.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::Mutex;

use crate::acl::ObjectAcl;
use crate::alert::Alert;
use crate::ports::{AlertSink, ObjectRef, ObjectSource, SinkError, SourceError, SourceErrorKind};

/// Objects by key. A key not there is not found; a key without an ACL answers "no ACL", as a
/// local folder does.
#[derive(Default)]
pub(crate) struct MemorySource {
    objects: HashMap<String, Canned>,
}

/// One object: its bytes or how reading them fails, and its ACL with the bucket owner's id or
/// how reading that fails.
struct Canned {
    body: Result<Vec<u8>, SourceErrorKind>,
    acl: Option<Result<(ObjectAcl, String), SourceErrorKind>>,
}

impl MemorySource {
    /// Adds an object holding `bytes`.
    pub fn with(self, key: impl Into<String>, bytes: Vec<u8>) -> Self {
        self.canned(key.into(), Ok(bytes))
    }

    /// Adds an object whose every read fails with `kind`.
    pub fn failing(self, key: impl Into<String>, kind: SourceErrorKind) -> Self {
        self.canned(key.into(), Err(kind))
    }

    /// Gives the object at `key` (added before) an ACL, or makes reading its ACL fail.
    pub fn with_acl(
        mut self,
        key: &str,
        acl: Result<(ObjectAcl, String), SourceErrorKind>,
    ) -> Self {
        if let Some(object) = self.objects.get_mut(key) {
            object.acl = Some(acl);
        }
        self
    }

    fn canned(mut self, key: String, body: Result<Vec<u8>, SourceErrorKind>) -> Self {
        self.objects.insert(key, Canned { body, acl: None });
        self
    }
}

fn failure(kind: SourceErrorKind, call: &str, object: &ObjectRef) -> SourceError {
    SourceError::new(kind, format!("{call} {}", object.key))
}

impl ObjectSource for MemorySource {
    type Body = Cursor<Vec<u8>>;

    async fn open(&self, object: &ObjectRef) -> Result<Cursor<Vec<u8>>, SourceError> {
        match self.objects.get(&object.key).map(|o| &o.body) {
            Some(Ok(bytes)) => Ok(Cursor::new(bytes.clone())),
            Some(Err(kind)) => Err(failure(*kind, "open", object)),
            None => Err(failure(SourceErrorKind::NotFound, "open", object)),
        }
    }

    async fn acl(&self, object: &ObjectRef) -> Result<Option<(ObjectAcl, String)>, SourceError> {
        match self.objects.get(&object.key) {
            None => Err(failure(SourceErrorKind::NotFound, "acl", object)),
            Some(Canned { acl: None, .. }) => Ok(None),
            Some(Canned {
                acl: Some(Ok(acl)), ..
            }) => Ok(Some(acl.clone())),
            Some(Canned {
                acl: Some(Err(kind)),
                ..
            }) => Err(failure(*kind, "acl", object)),
        }
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

    /// The alerts published, in order.
    pub fn alerts(&self) -> Vec<Alert> {
        self.alerts.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

impl AlertSink for Recorder {
    async fn publish(&self, alerts: &[Alert]) -> Result<(), SinkError> {
        if self.down {
            return Err(SinkError::new("SNS is down"));
        }
        self.alerts
            .lock()
            .map_err(|_| SinkError::new("recorder poisoned"))?
            .extend_from_slice(alerts);
        Ok(())
    }
}
