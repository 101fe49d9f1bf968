//! The checks on one delivered digest, in INTEGRITY §2's order: steps 1–7 judge the digest
//! itself and the first failure is its one alert; a digest that passes them gets the chain
//! (step 8) and every listed log (step 9).

use std::fmt;

use futures_util::stream::{self, StreamExt, TryStreamExt};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{Deadline, IntegrityError};
use crate::alert::{Alert, IntegrityProblem};
use crate::config::Settings;
use crate::digest::member::{read_first_member, MemberError, MemberLimits};
use crate::digest::{Digest, DigestError, ListedLog, PreviousDigest, MAX_DIGEST_BYTES};
use crate::key::LogKey;
use crate::ports::{Metadata, ObjectRef, ObjectSource, PublicKeys, SourceError, SourceErrorKind};

/// The metadata CloudTrail writes on every digest: the hex signature and its algorithm.
const SIGNATURE: &str = "signature";
const SIGNATURE_ALGORITHM: &str = "signature-algorithm";
/// The one algorithm CloudTrail signs with.
const SHA256_WITH_RSA: &str = "SHA256withRSA";
/// The metadata a backfill digest carries beside the signature.
const BACKFILL_GENERATED: &str = "backfill-generation-timestamp";

/// The digest being checked, for the errors that stop its check.
#[derive(Clone, Copy)]
struct Checked<'a> {
    bucket: &'a str,
    key: &'a str,
}

impl Checked<'_> {
    fn source_error(&self, source: SourceError) -> IntegrityError {
        IntegrityError::Source {
            bucket: self.bucket.to_owned(),
            digest: self.key.to_owned(),
            source,
        }
    }

    /// Reading `bucket`/`key` (the digest itself or a log it lists) stopped mid-way.
    fn read_error(&self, bucket: &str, key: &str, source: MemberError) -> IntegrityError {
        IntegrityError::Read {
            bucket: self.bucket.to_owned(),
            digest: self.key.to_owned(),
            object_bucket: bucket.to_owned(),
            object_key: key.to_owned(),
            source,
        }
    }
}

impl fmt::Display for Checked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// Where the findings of one digest go: its account and region, whatever object they name.
struct Findings<'a> {
    digest: Checked<'a>,
    account_id: Option<&'a str>,
    region: Option<&'a str>,
    alerts: Vec<Alert>,
}

impl Findings<'_> {
    fn about(&mut self, problem: IntegrityProblem, bucket: &str, key: &str, reason: String) {
        self.alerts.push(Alert::integrity(
            problem,
            bucket,
            Some(key),
            self.account_id,
            self.region,
            reason,
        ));
    }

    /// The one alert of a digest that failed one of steps 1–7: its checks end there.
    fn only(mut self, problem: IntegrityProblem, reason: String) -> Vec<Alert> {
        self.digest(problem, reason);
        self.alerts
    }

    /// An alert about the digest itself.
    fn digest(&mut self, problem: IntegrityProblem, reason: String) {
        let Checked { bucket, key } = self.digest;
        self.about(problem, bucket, key, reason);
    }
}

/// Checks the digest `object`, whose key parsed as `key` (kind digest), and returns its
/// integrity alerts (none when everything holds). `None` when the source keeps no metadata
/// (a folder): there is no signature to check, so nothing is checked (INTEGRITY §7).
pub async fn verify_digest<S: ObjectSource, P: PublicKeys>(
    settings: &Settings,
    source: &S,
    keys: &P,
    object: &ObjectRef,
    key: &LogKey,
    deadline: Deadline,
) -> Result<Option<Vec<Alert>>, IntegrityError> {
    let checked = Checked {
        bucket: &object.bucket,
        key: &object.key,
    };
    let mut found = Findings {
        digest: checked,
        account_id: key.account_id.as_deref(),
        region: key.region.as_deref(),
        alerts: Vec::new(),
    };
    let Some(name) = &key.digest else {
        // Only digest keys come here; anything else is not this module's to judge.
        return Ok(Some(found.alerts));
    };
    let at = checked.to_string();

    // 1. Read: the decompressed first member, a JSON object.
    let opened = match source.open(object).await {
        Ok(opened) => opened,
        Err(e) if e.kind() == SourceErrorKind::NotFound => {
            return Ok(Some(found.only(
                IntegrityProblem::DigestUnreadable,
                format!(
                    "The digest {at} was announced but cannot be found ({}).",
                    e.detail()
                ),
            )));
        }
        Err(e) => return Err(checked.source_error(e)),
    };
    let Some(metadata) = opened.metadata else {
        return Ok(None);
    };
    let limits = MemberLimits {
        compressed: settings.limits.max_compressed_bytes,
        decompressed: settings.limits.max_decompressed_bytes.min(MAX_DIGEST_BYTES),
    };
    let mut content = Vec::new();
    let member = match read_first_member(opened.body, limits, |chunk| {
        content.extend_from_slice(chunk)
    }) {
        Ok(member) => member,
        Err(e) if e.is_transient() => {
            return Err(checked.read_error(&object.bucket, &object.key, e))
        }
        Err(e) => {
            return Ok(Some(found.only(
                IntegrityProblem::DigestUnreadable,
                format!("The digest {at} cannot be read: {e}."),
            )));
        }
    };
    let parsed = Digest::parse(&content);
    if let Err(e @ (DigestError::NotJson(_) | DigestError::NotObject)) = &parsed {
        return Ok(Some(found.only(
            IntegrityProblem::DigestUnreadable,
            format!("The digest {at} is not a digest: {e}."),
        )));
    }

    // 2. Signature metadata.
    let signature = match signature_of(&metadata) {
        Ok(signature) => signature,
        Err(why) => {
            return Ok(Some(found.only(
                IntegrityProblem::DigestSignature,
                format!("The digest {at} {why}."),
            )));
        }
    };

    // 3. A backfill digest says when it was generated.
    if name.backfill && !metadata.contains_key(BACKFILL_GENERATED) {
        return Ok(Some(found.only(
            IntegrityProblem::DigestUnreadable,
            format!("The backfill digest {at} has no `{BACKFILL_GENERATED}` metadata."),
        )));
    }

    // 4. Fields.
    let digest = match parsed {
        Ok(digest) => digest,
        Err(e) => {
            return Ok(Some(found.only(
                IntegrityProblem::DigestUnreadable,
                format!("The digest {at} is not a digest: {e}."),
            )));
        }
    };

    // 5. Location.
    if digest.bucket != object.bucket || digest.key != object.key {
        return Ok(Some(found.only(
            IntegrityProblem::DigestMoved,
            format!(
                "The digest found at {at} says CloudTrail wrote it to s3://{}/{}.",
                digest.bucket, digest.key
            ),
        )));
    }

    // 6. Public key.
    let signed_at = OffsetDateTime::parse(&digest.end_time, &Rfc3339).unwrap_or(name.time);
    let public_key = match keys
        .find(&digest.fingerprint, &name.home_region, signed_at)
        .await
    {
        Ok(Some(public_key)) => public_key,
        Ok(None) => {
            return Ok(Some(found.only(
                IntegrityProblem::PublicKeyUnknown,
                format!(
                    "The digest {at} is signed with public key {}, which CloudTrail does not list for {} around {}.",
                    digest.fingerprint, name.home_region, digest.end_time
                ),
            )));
        }
        Err(e) => return Err(checked.source_error(e)),
    };

    // 7. Signature.
    let content_hash = member.hex();
    let signed = digest.signed_text(&content_hash);
    if !public_key.verifies(signed.as_bytes(), &signature) {
        return Ok(Some(found.only(
            IntegrityProblem::DigestSignature,
            format!(
                "The signature of the digest {at} does not verify with public key {} (content SHA-256 {content_hash}).",
                digest.fingerprint
            ),
        )));
    }

    // 8. Chain.
    match &digest.previous {
        None if name.backfill => {}
        None => found.digest(
            IntegrityProblem::ChainRestarted,
            format!(
                "The digest {at} starts a new chain (no previous digest): log file validation or logging was stopped and started again, or the trail is new."
            ),
        ),
        Some(previous) => {
            if let Some(reason) = check_link(settings, source, &digest, previous)
                .await
                .map_err(|e| checked.source_error(e))?
            {
                found.digest(IntegrityProblem::DigestChain, format!("The digest {at} {reason}."));
            }
        }
    }

    // 9. Logs.
    let listed = digest.logs.len();
    let log_limits = MemberLimits {
        compressed: settings.limits.max_compressed_bytes,
        decompressed: settings.limits.max_decompressed_bytes,
    };
    let context = LogContext {
        settings,
        digest: checked,
        limits: log_limits,
        deadline,
        listed,
    };
    let verdicts: Vec<(usize, Option<(IntegrityProblem, String)>)> =
        stream::iter(digest.logs.iter().enumerate())
            .map(|(index, log)| {
                let context = &context;
                async move { Ok((index, check_log(context, source, log, index).await?)) }
            })
            .buffered(settings.verify_concurrency.max(1))
            .try_collect()
            .await?;
    for (index, verdict) in verdicts {
        if let Some((problem, reason)) = verdict {
            let log = &digest.logs[index];
            found.about(problem, &log.bucket, &log.key, reason);
        }
    }
    Ok(Some(found.alerts))
}

/// The hex-decoded signature, or why the metadata does not hold one CloudTrail wrote.
fn signature_of(metadata: &Metadata) -> Result<Vec<u8>, String> {
    let Some(signature) = metadata.get(SIGNATURE) else {
        return Err(format!("has no `{SIGNATURE}` metadata"));
    };
    match metadata.get(SIGNATURE_ALGORITHM).map(String::as_str) {
        None => return Err(format!("has no `{SIGNATURE_ALGORITHM}` metadata")),
        Some(SHA256_WITH_RSA) => {}
        Some(other) => {
            return Err(format!(
                "names signature algorithm `{other}`, not `{SHA256_WITH_RSA}`"
            ))
        }
    }
    hex::decode(signature).map_err(|e| format!("has `{SIGNATURE}` metadata that is not hex ({e})"))
}

/// Step 8: whether `previous` exists and carries the signature `digest` links to; `Some` says
/// what is wrong.
async fn check_link<S: ObjectSource>(
    settings: &Settings,
    source: &S,
    digest: &Digest,
    previous: &PreviousDigest,
) -> Result<Option<String>, SourceError> {
    let at = format!("s3://{}/{}", previous.bucket, previous.key);
    if !is_watched(settings, &previous.bucket) {
        return Ok(Some(format!(
            "links to the previous digest {at}, in a bucket this deployment does not read, so the link cannot be checked"
        )));
    }
    let object = ObjectRef {
        bucket: previous.bucket.clone(),
        key: previous.key.clone(),
        ..ObjectRef::default()
    };
    let metadata = match source.head(&object).await {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == SourceErrorKind::NotFound => {
            return Ok(Some(format!(
                "links to the previous digest {at}, which is gone"
            )))
        }
        Err(e) => return Err(e),
    };
    let theirs = metadata.as_ref().and_then(|m| m.get(SIGNATURE));
    let ours = digest.previous_signature.as_deref();
    Ok(match (theirs, ours) {
        (Some(theirs), Some(ours)) if theirs.eq_ignore_ascii_case(ours) => None,
        (theirs, ours) => Some(format!(
            "links to the previous digest {at} with signature {}, but that digest's signature is {}",
            ours.unwrap_or("null"),
            theirs.map_or("missing", String::as_str)
        )),
    })
}

/// What every log check of one digest shares.
struct LogContext<'a> {
    settings: &'a Settings,
    digest: Checked<'a>,
    limits: MemberLimits,
    deadline: Deadline,
    listed: usize,
}

/// Step 9 for one listed log: `Some` is its alert.
async fn check_log<S: ObjectSource>(
    context: &LogContext<'_>,
    source: &S,
    log: &ListedLog,
    index: usize,
) -> Result<Option<(IntegrityProblem, String)>, IntegrityError> {
    let digest_at = context.digest;
    let at = format!("s3://{}/{}", log.bucket, log.key);
    if context.deadline.is_near() {
        return Err(IntegrityError::Deadline {
            bucket: context.digest.bucket.to_owned(),
            digest: context.digest.key.to_owned(),
            unchecked: context.listed - index,
            listed: context.listed,
        });
    }
    if !is_watched(context.settings, &log.bucket) {
        return Ok(Some((
            IntegrityProblem::LogMissing,
            format!(
                "The log {at} listed in the digest {digest_at} is in a bucket this deployment does not read, so it cannot be checked."
            ),
        )));
    }
    let object = ObjectRef {
        bucket: log.bucket.clone(),
        key: log.key.clone(),
        ..ObjectRef::default()
    };
    let opened = match source.open(&object).await {
        Ok(opened) => opened,
        Err(e) if e.kind() == SourceErrorKind::NotFound => {
            return Ok(Some((
                IntegrityProblem::LogMissing,
                format!(
                    "The log {at} listed in the digest {digest_at} cannot be found ({}).",
                    e.detail()
                ),
            )))
        }
        Err(e) => return Err(context.digest.source_error(e)),
    };
    let modified = |why: String| {
        Ok(Some((
            IntegrityProblem::LogModified,
            format!("The log {at} listed in the digest {digest_at} {why}."),
        )))
    };
    match read_first_member(opened.body, context.limits, |_| {}) {
        Ok(member) if member.trailing => modified(
            "has bytes after its first gzip member, which the digest's hash does not cover"
                .to_owned(),
        ),
        Ok(member) if !member.hex().eq_ignore_ascii_case(&log.hash) => modified(format!(
            "has SHA-256 {} over its {} decompressed bytes, but the digest lists {}",
            member.hex(),
            member.bytes,
            log.hash
        )),
        Ok(_) => Ok(None),
        Err(e) if e.is_transient() => Err(context.digest.read_error(&log.bucket, &log.key, e)),
        Err(e @ MemberError::DecompressedTooLarge { .. }) => modified(format!(
            "{e} (the most a log may decompress to here), so it was not hashed to its end"
        )),
        Err(e) => modified(format!("is not the gzip file CloudTrail hashed: {e}")),
    }
}

fn is_watched(settings: &Settings, bucket: &str) -> bool {
    settings
        .buckets
        .as_ref()
        .is_none_or(|buckets| buckets.contains(bucket))
}
