//! Log-file integrity validation (INTEGRITY.md): each digest CloudTrail delivers is checked as it
//! arrives ([`verify_digest`]: its signature, its place in the chain, the hash of every log it
//! lists), and a heartbeat ([`heartbeat`]) notices accounts and regions whose digests stop.
//!
//! Both are generic over the ports ([`ObjectSource`](crate::ports::ObjectSource),
//! [`PublicKeys`](crate::ports::PublicKeys)), so the Lambda function, `trailwatch verify` and
//! `replay s3://` run the same checks. What they find is an alert of kind `integrity`; what
//! stops them from finding anything (S3 or CloudTrail failing, our own permissions, the
//! invocation's deadline) is an [`IntegrityError`], which fails the invocation so that it is
//! retried (INTEGRITY §6): no digest passes on partial work.

mod bucket;
pub mod heartbeat;
mod keys;
mod verify;

#[cfg(test)]
mod tests;

pub use bucket::{verify_bucket, BucketError, BucketReport, BucketRequest};
pub use keys::FileKeys;
pub use verify::verify_digest;

use std::time::{Duration, Instant};

use crate::digest::member::MemberError;
use crate::ports::{SourceError, SourceErrorKind};

/// How much invocation time must be left to start checking another log (INTEGRITY §8).
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(10);

/// When the invocation must be done; none for the CLI.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    /// No deadline: the CLI checks for as long as it takes.
    pub const NONE: Deadline = Deadline(None);

    /// The invocation ends at `instant`.
    pub fn at(instant: Instant) -> Deadline {
        Deadline(Some(instant))
    }

    /// Whether less than [`DEADLINE_MARGIN`] is left.
    pub fn is_near(&self) -> bool {
        self.0
            .is_some_and(|end| end.saturating_duration_since(Instant::now()) < DEADLINE_MARGIN)
    }
}

/// Why a digest could not be checked to the end: nothing was found wrong with it, but nothing
/// can be said for it either, so the invocation fails and is retried.
#[derive(Debug, thiserror::Error)]
pub enum IntegrityError {
    /// An object or a public key could not be read (S3 or CloudTrail failing, or this function
    /// lacking a permission: a 403 is ours, not evidence).
    #[error("checking digest s3://{bucket}/{digest}: {source}")]
    Source {
        /// The digest's bucket.
        bucket: String,
        /// The digest's key.
        digest: String,
        /// What failed.
        #[source]
        source: SourceError,
    },
    /// An object's bytes stopped coming mid-read.
    #[error(
        "checking digest s3://{bucket}/{digest}: reading s3://{object_bucket}/{object_key} failed"
    )]
    Read {
        /// The digest's bucket.
        bucket: String,
        /// The digest's key.
        digest: String,
        /// The bucket of the object being read.
        object_bucket: String,
        /// The key of the object being read.
        object_key: String,
        /// The reader's error.
        #[source]
        source: MemberError,
    },
    /// Too little invocation time was left to check the remaining logs.
    #[error(
        "checking digest s3://{bucket}/{digest}: less than {}s of the invocation left with {unchecked} of its {listed} logs unchecked",
        DEADLINE_MARGIN.as_secs()
    )]
    Deadline {
        /// The digest's bucket.
        bucket: String,
        /// The digest's key.
        digest: String,
        /// Logs not yet checked.
        unchecked: usize,
        /// Logs the digest lists.
        listed: usize,
    },
}

impl IntegrityError {
    /// Whether a retry can succeed: everything but a source failure that will not pass (a
    /// bucket that does not exist, a request the SDK cannot build).
    pub fn is_retryable(&self) -> bool {
        match self {
            IntegrityError::Source { source, .. } => source.kind() != SourceErrorKind::Permanent,
            IntegrityError::Read { .. } | IntegrityError::Deadline { .. } => true,
        }
    }
}
