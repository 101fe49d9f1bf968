//! In-memory ports for the crate's unit tests: a source of canned objects (with ACLs, user
//! metadata, missing objects and failures of every kind) and a sink that records what it is
//! given.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::sync::Mutex;

use crate::acl::ObjectAcl;
use crate::alert::Alert;
use crate::integrity::FileKeys;
use crate::ports::{
    AlertSink, Metadata, ObjectRef, ObjectSource, Opened, SinkError, SourceError, SourceErrorKind,
};

/// No public keys, for tests whose sources hold no digest.
pub(crate) static NO_KEYS: FileKeys = FileKeys::empty();

/// Objects by key, whatever the bucket. A key not there is not found; a key without an ACL
/// answers "no ACL" and one without metadata "no metadata", as a local folder does.
#[derive(Default, Clone)]
pub(crate) struct MemorySource {
    objects: BTreeMap<String, Canned>,
}

/// One object: its bytes or how reading them fails, its ACL with the bucket owner's id or how
/// reading that fails, and its user metadata.
#[derive(Clone)]
struct Canned {
    body: Result<Vec<u8>, SourceErrorKind>,
    acl: Option<Result<(ObjectAcl, String), SourceErrorKind>>,
    metadata: Option<Metadata>,
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

    /// Gives the object at `key` (added before) user metadata.
    pub fn with_metadata(mut self, key: &str, metadata: Metadata) -> Self {
        if let Some(object) = self.objects.get_mut(key) {
            object.metadata = Some(metadata);
        }
        self
    }

    /// Removes the object at `key`.
    pub fn without(mut self, key: &str) -> Self {
        self.objects.remove(key);
        self
    }

    fn canned(mut self, key: String, body: Result<Vec<u8>, SourceErrorKind>) -> Self {
        self.objects.insert(
            key,
            Canned {
                body,
                acl: None,
                metadata: None,
            },
        );
        self
    }
}

fn failure(kind: SourceErrorKind, call: &str, object: &ObjectRef) -> SourceError {
    SourceError::new(kind, format!("{call} {}", object.key))
}

impl ObjectSource for MemorySource {
    type Body = Cursor<Vec<u8>>;

    async fn open(&self, object: &ObjectRef) -> Result<Opened<Cursor<Vec<u8>>>, SourceError> {
        match self.objects.get(&object.key) {
            Some(Canned {
                body: Ok(bytes),
                metadata,
                ..
            }) => Ok(Opened {
                body: Cursor::new(bytes.clone()),
                metadata: metadata.clone(),
            }),
            Some(Canned {
                body: Err(kind), ..
            }) => Err(failure(*kind, "open", object)),
            None => Err(failure(SourceErrorKind::NotFound, "open", object)),
        }
    }

    async fn head(&self, object: &ObjectRef) -> Result<Option<Metadata>, SourceError> {
        match self.objects.get(&object.key) {
            Some(Canned {
                body: Err(kind), ..
            }) => Err(failure(*kind, "head", object)),
            Some(canned) => Ok(canned.metadata.clone()),
            None => Err(failure(SourceErrorKind::NotFound, "head", object)),
        }
    }

    async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectRef>, SourceError> {
        Ok(self
            .objects
            .keys()
            .filter(|key| key.starts_with(prefix))
            .map(|key| ObjectRef {
                bucket: bucket.to_owned(),
                key: key.clone(),
                ..ObjectRef::default()
            })
            .collect())
    }

    async fn folders(&self, _bucket: &str, prefix: &str) -> Result<Vec<String>, SourceError> {
        let mut folders: Vec<String> = self
            .objects
            .keys()
            .filter_map(|key| key.strip_prefix(prefix)?.split_once('/'))
            .map(|(folder, _)| folder.to_owned())
            .collect();
        folders.dedup();
        Ok(folders)
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
