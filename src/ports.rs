//! The pipeline's ports: where objects come from, where CloudTrail's public keys come from, and
//! where alerts go. S3, CloudTrail and SNS in Lambda; S3 or a folder, a key file and stdout in
//! the CLI; anything in tests. The pipeline and the integrity checks are generic over them.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::Read;

use time::OffsetDateTime;

use crate::acl::ObjectAcl;
use crate::alert::Alert;
use crate::digest::keys::PublicKey;
use crate::error::chain;

/// One object to process, as a trigger names it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectRef {
    /// The bucket's name.
    pub bucket: String,
    /// The key, already URL-decoded.
    pub key: String,
    /// The object's size in bytes, when the trigger (or the folder listing) reports it.
    pub size: Option<u64>,
    /// The object's ETag, when the trigger reports it.
    pub etag: Option<String>,
    /// The version to read, when the trigger names one; `None` reads the current version.
    pub version_id: Option<String>,
    /// S3's sequencer for the event, which orders events on the same key, when reported.
    pub sequencer: Option<String>,
    /// When the object was created, as the event says (an S3 notification's `eventTime`, an
    /// EventBridge event's `time`); `None` for triggers that do not say (Batch Operations,
    /// CloudTrail's notice, listings). Alert latency is measured from it.
    pub created: Option<OffsetDateTime>,
}

/// The error a [`SourceError`] or [`SinkError`] was caused by (an SDK or I/O error), kept
/// whole as its `source()` rather than flattened into text.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What kind of failure a source met; the pipeline acts on the kind alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceErrorKind {
    /// The object does not exist (deleted since the event, or never there).
    NotFound,
    /// The function may not read it: for a CloudTrail delivery that means the writer kept the
    /// bucket owner out (no `bucket-owner-full-control`).
    AccessDenied,
    /// The object is encrypted with a KMS key (SSE-KMS) that refused to decrypt it for the
    /// function: the key policy or the role lacks `kms:Decrypt`, or the key is disabled,
    /// pending deletion or gone. S3 answers with a `KMS.*` error code, or with `AccessDenied`
    /// whose message names KMS.
    KmsDenied,
    /// Throttling, 5xx, timeouts, connection failures: worth a retry.
    Transient,
    /// Anything else the source reports (a bucket that does not exist, a role that may not see
    /// the bucket's owner): the same request fails the same way again.
    Permanent,
}

impl SourceErrorKind {
    fn describe(self) -> &'static str {
        match self {
            SourceErrorKind::NotFound => "object not found",
            SourceErrorKind::AccessDenied => "access denied",
            SourceErrorKind::KmsDenied => "the object's KMS key refused to decrypt it",
            SourceErrorKind::Transient => "transient failure",
            SourceErrorKind::Permanent => "failed",
        }
    }
}

/// Why a source could not hand over an object or its ACL: the kind, what was being done
/// (`GetObject s3://bucket/key`, a path), and the underlying error.
#[derive(Debug, thiserror::Error)]
#[error("{context}: {}", kind.describe())]
pub struct SourceError {
    kind: SourceErrorKind,
    context: String,
    #[source]
    cause: Option<Cause>,
}

impl SourceError {
    /// A failure of `kind` while doing `context`.
    pub fn new(kind: SourceErrorKind, context: impl Into<String>) -> SourceError {
        SourceError {
            kind,
            context: context.into(),
            cause: None,
        }
    }

    /// The same failure, caused by `cause`.
    pub fn caused_by(mut self, cause: impl Into<Cause>) -> SourceError {
        self.cause = Some(cause.into());
        self
    }

    /// What kind of failure it is.
    pub fn kind(&self) -> SourceErrorKind {
        self.kind
    }

    /// What was being done, and what the underlying error said: the text a delivery alert
    /// quotes.
    pub fn detail(&self) -> String {
        match &self.cause {
            Some(cause) => format!("{}: {}", self.context, chain(cause.as_ref())),
            None => self.context.clone(),
        }
    }
}

/// An object's user metadata (`x-amz-meta-*`): names in lower case, without the prefix.
pub type Metadata = BTreeMap<String, String>;

/// An object opened for reading.
#[derive(Debug)]
pub struct Opened<B> {
    /// A reader over the object's bytes as stored (compressed).
    pub body: B,
    /// The object's user metadata; `None` where the source keeps none (a folder).
    pub metadata: Option<Metadata>,
}

/// Where objects come from.
pub trait ObjectSource {
    /// A reader over the object's bytes as stored (compressed).
    type Body: Read + Send;

    /// Opens the object for reading.
    fn open(
        &self,
        object: &ObjectRef,
    ) -> impl Future<Output = Result<Opened<Self::Body>, SourceError>> + Send;

    /// The object's user metadata without its bytes (S3's HEAD); `None` where the source keeps
    /// none.
    fn head(
        &self,
        object: &ObjectRef,
    ) -> impl Future<Output = Result<Option<Metadata>, SourceError>> + Send;

    /// Every object of `bucket` whose key starts with `prefix`, in key order.
    fn list(
        &self,
        bucket: &str,
        prefix: &str,
    ) -> impl Future<Output = Result<Vec<ObjectRef>, SourceError>> + Send;

    /// The names of the folders directly under `prefix` (which ends in `/` or is empty), in
    /// order, without the prefix or a trailing `/` (S3's common prefixes with delimiter `/`).
    fn folders(
        &self,
        bucket: &str,
        prefix: &str,
    ) -> impl Future<Output = Result<Vec<String>, SourceError>> + Send;

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
#[error("publishing alerts failed: {context}")]
pub struct SinkError {
    context: String,
    #[source]
    cause: Option<Cause>,
}

impl SinkError {
    /// A failure while doing `context`.
    pub fn new(context: impl Into<String>) -> SinkError {
        SinkError {
            context: context.into(),
            cause: None,
        }
    }

    /// The same failure, caused by `cause`.
    pub fn caused_by(mut self, cause: impl Into<Cause>) -> SinkError {
        self.cause = Some(cause.into());
        self
    }
}

/// Where alerts go.
pub trait AlertSink {
    /// Publishes a batch of alerts (the pipeline sends them in order, in batches it bounds).
    fn publish(&self, alerts: &[Alert]) -> impl Future<Output = Result<(), SinkError>> + Send;
}

/// Where CloudTrail's public keys come from: a key file, or CloudTrail's ListPublicKeys.
pub trait PublicKeys {
    /// The key with `fingerprint`, for a digest of a trail whose home region is `home_region`
    /// that was signed around `signed_at`; `None` when no key has that fingerprint.
    fn find(
        &self,
        fingerprint: &str,
        home_region: &str,
        signed_at: OffsetDateTime,
    ) -> impl Future<Output = Result<Option<PublicKey>, SourceError>> + Send;
}
