//! [`S3Source`]: CloudTrail deliveries, their ACLs, metadata and listings, and the bucket
//! owner's id, read from S3; and the files read at cold start ([`read_location`],
//! [`read_sigma_location`]).
//!
//! Every request carries `ExpectedBucketOwner` when it is configured, so a bucket re-created
//! under another account (bucket sniping) is never read from.
//!
//! S3 answers a read of a missing object with 404 only to a caller that may list the bucket
//! without conditions; to anyone else it answers 403, exactly as it refuses an object the
//! caller may not read. The function may list only CloudTrail's folders (a listing whose
//! `s3:prefix` is under them), so a 403 is followed by one listing of the key itself
//! ([`S3Source::settle_refusal`]): a key the listing does not show is gone (a deleted log is
//! evidence, INTEGRITY §2.9), one it shows was refused (our permissions: transient). The object's compressed bytes
//! are held in memory (DESIGN §9: compressed bytes plus one record at a time), bounded by the
//! configured limit: the decoder then reports a larger object as `delivery.too-large`.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::Mutex;

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output;
use aws_sdk_s3::types::{Grant as S3Grant, Type};
use aws_sdk_s3::Client;
use futures_util::{stream, StreamExt, TryStreamExt};

use super::kind_of;
use crate::acl::{Grant, Grantee, ObjectAcl};
use crate::config::{FileLocation, SigmaLocation};
use crate::error::chain;
use crate::ports::{Metadata, ObjectRef, ObjectSource, Opened, SourceError, SourceErrorKind};
use crate::sigma::{self, SigmaError, SigmaSource};

/// Objects of S3 buckets, for the pipeline.
#[derive(Debug)]
pub struct S3Source {
    client: Client,
    expected_bucket_owner: Option<String>,
    max_compressed_bytes: u64,
    /// Canonical id of each bucket's owner: configured, or asked of S3 once per bucket for the
    /// container's life (the owner of a bucket does not change under a running function).
    owners: Mutex<HashMap<String, String>>,
    configured_owner: Option<String>,
}

impl S3Source {
    /// A source reading at most `max_compressed_bytes` (plus one, so that the decoder sees the
    /// excess) of each object.
    pub fn new(client: Client, max_compressed_bytes: u64) -> S3Source {
        S3Source {
            client,
            expected_bucket_owner: None,
            max_compressed_bytes,
            owners: Mutex::new(HashMap::new()),
            configured_owner: None,
        }
    }

    /// Sends `ExpectedBucketOwner` (a 12-digit account id) with every request.
    pub fn with_expected_bucket_owner(mut self, account_id: Option<String>) -> S3Source {
        self.expected_bucket_owner = account_id;
        self
    }

    /// Uses this canonical id as every bucket's owner instead of asking GetBucketAcl.
    pub fn with_bucket_owner_id(mut self, canonical_id: Option<String>) -> S3Source {
        self.configured_owner = canonical_id;
        self
    }

    async fn bucket_owner(&self, object: &ObjectRef) -> Result<String, SourceError> {
        if let Some(id) = &self.configured_owner {
            return Ok(id.clone());
        }
        if let Some(id) = self.cached_owner(&object.bucket) {
            return Ok(id);
        }
        let out = self
            .client
            .get_bucket_acl()
            .bucket(&object.bucket)
            .set_expected_bucket_owner(self.expected_bucket_owner.clone())
            .send()
            .await
            // The function's role cannot see who owns the bucket: not the object's fault, so
            // not a delivery alert; fail the invocation and let the operator fix the role.
            .map_err(|e| {
                let e = source_error(e, "GetBucketAcl", &object.bucket, "");
                match e.kind() {
                    SourceErrorKind::AccessDenied
                    | SourceErrorKind::KmsDenied
                    | SourceErrorKind::NotFound => {
                        SourceError::new(SourceErrorKind::Permanent, e.detail())
                    }
                    _ => e,
                }
            })?;
        let id = out
            .owner()
            .and_then(|o| o.id())
            .ok_or_else(|| {
                SourceError::new(
                    SourceErrorKind::Permanent,
                    format!(
                        "GetBucketAcl s3://{}: the answer names no owner",
                        object.bucket
                    ),
                )
            })?
            .to_string();
        if let Ok(mut owners) = self.owners.lock() {
            owners.insert(object.bucket.clone(), id.clone());
        }
        Ok(id)
    }

    /// Every page of ListObjectsV2 under `prefix`, grouped by `delimiter` when given.
    async fn listing(
        &self,
        bucket: &str,
        prefix: &str,
        delimiter: Option<&str>,
    ) -> Result<Vec<ListObjectsV2Output>, SourceError> {
        listing(
            &self.client,
            self.expected_bucket_owner.as_deref(),
            bucket,
            prefix,
            delimiter,
        )
        .await
    }

    /// A read's result with a refusal settled into "gone" or "refused".
    async fn settle<T>(
        &self,
        result: Result<T, SourceError>,
        object: &ObjectRef,
    ) -> Result<T, SourceError> {
        match result {
            Err(e) if e.kind() == SourceErrorKind::AccessDenied => {
                Err(self.settle_refusal(e, object).await)
            }
            other => other,
        }
    }

    /// Whether a 403 on `object` hides a missing object: one listing of its key. The listing
    /// failing too (no permission, S3 trouble) leaves the refusal as it was. An object named by
    /// a version that was deleted while other versions remain is listed, so it stays a
    /// refusal: a retry, then the failure queue, rather than a wrong verdict.
    async fn settle_refusal(&self, refusal: SourceError, object: &ObjectRef) -> SourceError {
        let listed = self
            .client
            .list_objects_v2()
            .bucket(&object.bucket)
            .prefix(&object.key)
            .max_keys(1)
            .set_expected_bucket_owner(self.expected_bucket_owner.clone())
            .send()
            .await;
        match listed {
            // The key sorts first among the keys it prefixes, so one key settles it.
            Ok(page) if page.contents().first().and_then(|o| o.key()) != Some(object.key.as_str()) => {
                SourceError::new(
                    SourceErrorKind::NotFound,
                    format!(
                        "{} (S3 refused the read, and the key is not in the bucket's listing: it is gone)",
                        refusal.detail()
                    ),
                )
            }
            Ok(_) => refusal,
            Err(e) => {
                tracing::debug!(
                    bucket = %object.bucket,
                    key = %object.key,
                    error = %chain(&e),
                    "Listing the refused key failed too; the refusal stands."
                );
                refusal
            }
        }
    }

    fn cached_owner(&self, bucket: &str) -> Option<String> {
        // A poisoned lock only means another task panicked mid-insert; asking S3 again is safe.
        self.owners.lock().ok()?.get(bucket).cloned()
    }
}

impl ObjectSource for S3Source {
    type Body = Cursor<Vec<u8>>;

    async fn open(&self, object: &ObjectRef) -> Result<Opened<Cursor<Vec<u8>>>, SourceError> {
        let out = self
            .client
            .get_object()
            .bucket(&object.bucket)
            .key(&object.key)
            .set_version_id(object.version_id.clone())
            .set_expected_bucket_owner(self.expected_bucket_owner.clone())
            .send()
            .await
            .map_err(|e| source_error(e, "GetObject", &object.bucket, &object.key));
        let out = self.settle(out, object).await?;
        let metadata = user_metadata(out.metadata());
        let keep = self.max_compressed_bytes.saturating_add(1);
        let announced = out.content_length().and_then(|n| u64::try_from(n).ok());
        let capacity = announced.unwrap_or(0).min(keep).min(64 << 20);
        let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        let mut body = out.body;
        while (bytes.len() as u64) < keep {
            let chunk = body.try_next().await.map_err(|e| {
                SourceError::new(
                    SourceErrorKind::Transient,
                    format!(
                        "GetObject s3://{}/{}: reading the body failed after {} bytes",
                        object.bucket,
                        object.key,
                        bytes.len(),
                    ),
                )
                .caused_by(e)
            })?;
            let Some(chunk) = chunk else { break };
            let room = usize::try_from(keep - bytes.len() as u64).unwrap_or(usize::MAX);
            bytes.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
        }
        if let Some(announced) = announced.filter(|&n| n < keep && (bytes.len() as u64) < n) {
            // HTTP framing catches this too; checked here so that a cut body can never be
            // read as a corrupt delivery.
            return Err(SourceError::new(
                SourceErrorKind::Transient,
                format!(
                    "GetObject s3://{}/{}: the body ended after {} of {announced} bytes",
                    object.bucket,
                    object.key,
                    bytes.len()
                ),
            ));
        }
        // Dropping the rest of an oversized body closes the connection instead of reading it.
        Ok(Opened {
            body: Cursor::new(bytes),
            metadata: Some(metadata),
        })
    }

    async fn head(&self, object: &ObjectRef) -> Result<Option<Metadata>, SourceError> {
        let out = self
            .client
            .head_object()
            .bucket(&object.bucket)
            .key(&object.key)
            .set_version_id(object.version_id.clone())
            .set_expected_bucket_owner(self.expected_bucket_owner.clone())
            .send()
            .await
            .map_err(|e| source_error(e, "HeadObject", &object.bucket, &object.key));
        let out = self.settle(out, object).await?;
        Ok(Some(user_metadata(out.metadata())))
    }

    async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectRef>, SourceError> {
        let mut objects = Vec::new();
        for page in self.listing(bucket, prefix, None).await? {
            for listed in page.contents() {
                if let Some(key) = listed.key() {
                    objects.push(ObjectRef {
                        bucket: bucket.to_owned(),
                        key: key.to_owned(),
                        size: listed.size().and_then(|n| u64::try_from(n).ok()),
                        etag: listed.e_tag().map(String::from),
                        ..ObjectRef::default()
                    });
                }
            }
        }
        Ok(objects)
    }

    async fn folders(&self, bucket: &str, prefix: &str) -> Result<Vec<String>, SourceError> {
        let mut folders = Vec::new();
        for page in self.listing(bucket, prefix, Some("/")).await? {
            for common in page.common_prefixes() {
                let name = common
                    .prefix()
                    .and_then(|p| p.strip_prefix(prefix))
                    .and_then(|p| p.strip_suffix('/'));
                if let Some(name) = name.filter(|n| !n.is_empty()) {
                    folders.push(name.to_owned());
                }
            }
        }
        Ok(folders)
    }

    async fn acl(&self, object: &ObjectRef) -> Result<Option<(ObjectAcl, String)>, SourceError> {
        let out = self
            .client
            .get_object_acl()
            .bucket(&object.bucket)
            .key(&object.key)
            .set_version_id(object.version_id.clone())
            .set_expected_bucket_owner(self.expected_bucket_owner.clone())
            .send()
            .await
            .map_err(|e| source_error(e, "GetObjectAcl", &object.bucket, &object.key));
        let out = self.settle(out, object).await?;
        let acl = ObjectAcl {
            owner_id: out.owner().and_then(|o| o.id()).map(String::from),
            grants: out.grants().iter().filter_map(grant).collect(),
        };
        let owner = self.bucket_owner(object).await?;
        Ok(Some((acl, owner)))
    }
}

/// S3's user metadata, names in lower case as S3 reports them (HTTP headers are
/// case-insensitive; S3 lower-cases them).
fn user_metadata(metadata: Option<&HashMap<String, String>>) -> Metadata {
    metadata
        .into_iter()
        .flatten()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
        .collect()
}

/// One S3 grant in the ACL module's terms; a grant without grantee or permission says nothing.
fn grant(g: &S3Grant) -> Option<Grant> {
    let grantee = g.grantee()?;
    let permission = g.permission()?.as_str().to_string();
    let grantee = match grantee.r#type() {
        Type::CanonicalUser => Grantee::CanonicalUser(grantee.id().unwrap_or_default().to_string()),
        Type::Group => Grantee::Group(grantee.uri().unwrap_or_default().to_string()),
        other => Grantee::Other(
            grantee
                .email_address()
                .or(grantee.id())
                .unwrap_or(other.as_str())
                .to_string(),
        ),
    };
    Some(Grant {
        grantee,
        permission,
    })
}

/// The source error for a failed S3 call, its context naming the call and the object, the SDK's
/// error kept as its cause. The SDK's modeled `NoSuchKey` counts as not found whatever the
/// answer's code.
fn source_error<E>(
    err: SdkError<E, HttpResponse>,
    call: &str,
    bucket: &str,
    key: &str,
) -> SourceError
where
    E: ProvideErrorMetadata + ModelsNoSuchKey + std::error::Error + Send + Sync + 'static,
{
    let kind = if err
        .as_service_error()
        .is_some_and(ModelsNoSuchKey::is_no_such_key)
    {
        SourceErrorKind::NotFound
    } else {
        kind_of(&err)
    };
    SourceError::new(kind, format!("{call} s3://{bucket}/{key}")).caused_by(err)
}

/// The operation errors that model S3's `NoSuchKey`.
trait ModelsNoSuchKey {
    fn is_no_such_key(&self) -> bool;
}

impl ModelsNoSuchKey for aws_sdk_s3::operation::get_object::GetObjectError {
    fn is_no_such_key(&self) -> bool {
        self.is_no_such_key()
    }
}

impl ModelsNoSuchKey for aws_sdk_s3::operation::get_object_acl::GetObjectAclError {
    fn is_no_such_key(&self) -> bool {
        self.is_no_such_key()
    }
}

impl ModelsNoSuchKey for aws_sdk_s3::operation::head_object::HeadObjectError {
    fn is_no_such_key(&self) -> bool {
        self.is_not_found()
    }
}

impl ModelsNoSuchKey for aws_sdk_s3::operation::get_bucket_acl::GetBucketAclError {
    fn is_no_such_key(&self) -> bool {
        false
    }
}

impl ModelsNoSuchKey for aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Error {
    fn is_no_such_key(&self) -> bool {
        false
    }
}

/// Every page of ListObjectsV2 of `bucket` under `prefix`, grouped by `delimiter` when given.
async fn listing(
    client: &Client,
    expected_bucket_owner: Option<&str>,
    bucket: &str,
    prefix: &str,
    delimiter: Option<&str>,
) -> Result<Vec<ListObjectsV2Output>, SourceError> {
    let mut pages = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .set_delimiter(delimiter.map(String::from))
        .set_expected_bucket_owner(expected_bucket_owner.map(String::from))
        .into_paginator()
        .send();
    let mut listed = Vec::new();
    while let Some(page) = pages.next().await {
        listed.push(page.map_err(|e| source_error(e, "ListObjectsV2", bucket, prefix))?);
    }
    Ok(listed)
}

/// The bytes of a small S3 object read whole (a file read at cold start).
async fn object_bytes(
    client: &Client,
    bucket: &str,
    key: &str,
    expected_bucket_owner: Option<&str>,
) -> Result<Vec<u8>, SourceError> {
    let out = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .set_expected_bucket_owner(expected_bucket_owner.map(String::from))
        .send()
        .await
        .map_err(|e| source_error(e, "GetObject", bucket, key))?;
    let bytes = out.body.collect().await.map_err(|e| {
        SourceError::new(
            SourceErrorKind::Transient,
            format!("GetObject s3://{bucket}/{key}: reading the body failed"),
        )
        .caused_by(e)
    })?;
    Ok(bytes.to_vec())
}

/// The text of a small S3 object (the custom rules file), read once at cold start.
pub async fn read_text_object(
    client: &Client,
    bucket: &str,
    key: &str,
    expected_bucket_owner: Option<&str>,
) -> Result<String, SourceError> {
    let bytes = object_bytes(client, bucket, key, expected_bucket_owner).await?;
    String::from_utf8(bytes).map_err(|e| {
        SourceError::new(
            SourceErrorKind::Permanent,
            format!("s3://{bucket}/{key} is not UTF-8 text"),
        )
        .caused_by(e)
    })
}

/// The text of a file read at cold start (custom rules, public keys): from the function's file
/// system, or an S3 object read with `client`.
pub async fn read_location(
    client: &Client,
    location: &FileLocation,
    expected_bucket_owner: Option<&str>,
) -> Result<String, SourceError> {
    match location {
        FileLocation::Path(path) => std::fs::read_to_string(path).map_err(|e| {
            SourceError::new(
                SourceErrorKind::Permanent,
                format!("reading {}", location.origin()),
            )
            .caused_by(e)
        }),
        FileLocation::S3 { bucket, key } => {
            read_text_object(client, bucket, key, expected_bucket_owner).await
        }
    }
}

/// Sigma files read from S3 at once: a rule set of SigmaHQ's size is a few hundred small
/// objects, and one after the other they would take seconds of the init phase Lambda bounds.
const SIGMA_READS: usize = 8;

/// The Sigma files `location` names, read at cold start: a path as `--sigma` reads it, one
/// object, or every object under a prefix whose key ends in `.yml` or `.yaml`, in byte order of
/// key. Any failure is the load's error, naming the file, object or prefix.
pub async fn read_sigma_location(
    client: &Client,
    location: &SigmaLocation,
    expected_bucket_owner: Option<&str>,
) -> Result<Vec<SigmaSource>, SigmaError> {
    let (bucket, prefix) = match location {
        SigmaLocation::Path(path) => return sigma::read_path(path),
        SigmaLocation::Object { bucket, key } => {
            return Ok(vec![
                read_sigma_object(client, bucket, key, expected_bucket_owner).await?,
            ]);
        }
        SigmaLocation::Prefix { bucket, prefix } => (bucket, prefix),
    };
    let fail = |reason: String| SigmaError {
        origin: location.origin(),
        line: None,
        reason,
    };
    let pages = listing(client, expected_bucket_owner, bucket, prefix, None)
        .await
        .map_err(|e| fail(format!("cannot be listed: {}", chain(&e))))?;
    let mut keys: Vec<&str> = pages
        .iter()
        .flat_map(|page| page.contents())
        .filter_map(|object| object.key())
        .filter(|key| sigma::is_rule_file(key))
        .collect();
    // S3 lists keys in this order already; sorting states the order rather than trusting
    // every S3-compatible store to keep it.
    keys.sort_unstable();
    if keys.is_empty() {
        return Err(fail("holds no .yml or .yaml file".to_owned()));
    }
    stream::iter(keys)
        .map(|key| read_sigma_object(client, bucket, key, expected_bucket_owner))
        .buffered(SIGMA_READS)
        .try_collect()
        .await
}

async fn read_sigma_object(
    client: &Client,
    bucket: &str,
    key: &str,
    expected_bucket_owner: Option<&str>,
) -> Result<SigmaSource, SigmaError> {
    let origin = format!("s3://{bucket}/{key}");
    let fail = |reason: String| SigmaError {
        origin: origin.clone(),
        line: None,
        reason,
    };
    let bytes = object_bytes(client, bucket, key, expected_bucket_owner)
        .await
        .map_err(|e| fail(format!("cannot be read: {}", chain(&e))))?;
    SigmaSource::from_bytes(origin, bytes)
}

#[cfg(test)]
mod tests;
