//! The pipeline's two ports: where objects come from and where alerts go. S3 and SNS in
//! Lambda, a folder and stdout locally, anything in tests; the pipeline is generic over both.

use std::future::Future;
use std::io::Read;

use crate::acl::ObjectAcl;
use crate::alert::Alert;

/// One object to process, as a trigger names it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectRef {
    pub bucket: String,
    /// The key, already URL-decoded.
    pub key: String,
    pub size: Option<u64>,
    pub etag: Option<String>,
    pub version_id: Option<String>,
    pub sequencer: Option<String>,
}

/// Why a source could not hand over an object or its ACL.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The object does not exist (deleted since the event, or never there).
    #[error("object not found: {0}")]
    NotFound(String),
    /// The function may not read it: for a CloudTrail delivery that means the writer kept the
    /// bucket owner out (no `bucket-owner-full-control`).
    #[error("access denied: {0}")]
    AccessDenied(String),
    /// Throttling, 5xx, timeouts, connection failures: worth a retry.
    #[error("transient failure: {0}")]
    Transient(String),
    /// Anything else the source reports; permanent.
    #[error("{0}")]
    Other(String),
}

/// Where objects come from.
pub trait ObjectSource {
    /// A reader over the object's bytes as stored (compressed).
    type Body: Read + Send;

    /// Opens the object for reading.
    fn open(
        &self,
        object: &ObjectRef,
    ) -> impl Future<Output = Result<Self::Body, SourceError>> + Send;

    /// The object's ACL and the bucket owner's canonical id, or `None` where ACLs do not apply
    /// (local folders).
    fn acl(
        &self,
        object: &ObjectRef,
    ) -> impl Future<Output = Result<Option<(ObjectAcl, String)>, SourceError>> + Send;
}

/// Why alerts could not be published. Always transient from the pipeline's point of view: the
/// invocation fails so that AWS retries it, since an alert must not be lost.
#[derive(Debug, thiserror::Error)]
#[error("publishing alerts failed: {0}")]
pub struct SinkError(pub String);

/// Where alerts go.
pub trait AlertSink {
    /// Publishes a batch of alerts (the pipeline sends them in order, in batches it bounds).
    fn publish(&self, alerts: &[Alert]) -> impl Future<Output = Result<(), SinkError>> + Send;
}
