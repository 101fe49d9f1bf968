//! CloudTrail digest files as values (INTEGRITY §1–2): the first gzip member of an object read
//! within bounds and hashed ([`member`]), a digest's JSON checked for the fields the checks use
//! ([`Digest::parse`]), the text CloudTrail signs ([`Digest::signed_text`]), and the public
//! keys that verify it ([`keys`]). Pure: which objects are read, and in which order the checks
//! run, is `integrity`'s.

pub mod keys;
pub mod member;

#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

/// The longest digest read, in decompressed bytes. CloudTrail's digests list one hour of one
/// region's logs, a few hundred bytes per log: tens of KB at most. Anything near this bound
/// is not CloudTrail's, and holding it (and a tree of its JSON) must stay cheap.
pub const MAX_DIGEST_BYTES: u64 = 16 << 20;

/// One log file a digest vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedLog {
    /// `s3Bucket`.
    pub bucket: String,
    /// `s3Object`.
    pub key: String,
    /// `hashValue`: hex SHA-256 of the log's decompressed content.
    pub hash: String,
}

/// Where the previous digest of the chain lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousDigest {
    /// `previousDigestS3Bucket`.
    pub bucket: String,
    /// `previousDigestS3Object`.
    pub key: String,
}

/// The fields of a digest the checks use, exactly as its JSON gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// `digestStartTime`.
    pub start_time: String,
    /// `digestEndTime`.
    pub end_time: String,
    /// `digestS3Bucket`: where CloudTrail wrote it.
    pub bucket: String,
    /// `digestS3Object`: the key CloudTrail wrote it under.
    pub key: String,
    /// `digestPublicKeyFingerprint`: the key that signed it.
    pub fingerprint: String,
    /// `previousDigestSignature`: hex, or `None` where the JSON has `null`.
    pub previous_signature: Option<String>,
    /// The previous digest; `None` when either of its fields is null or absent (the chain
    /// restarted).
    pub previous: Option<PreviousDigest>,
    /// `logFiles`.
    pub logs: Vec<ListedLog>,
}

/// Why a digest's content is not a digest (INTEGRITY §2.1, §2.4).
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// The content is not JSON.
    #[error("the content is not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// The content is JSON, but not an object.
    #[error("the content is JSON but not an object")]
    NotObject,
    /// A member is missing or of the wrong type.
    #[error("`{name}` is {found}, not {expected}")]
    Field {
        /// The member's name.
        name: &'static str,
        /// What it must be.
        expected: &'static str,
        /// What it is.
        found: &'static str,
    },
    /// An entry of `logFiles` is not an object, or one of its members is missing or wrong.
    #[error("`logFiles[{index}]` {problem}")]
    LogFile {
        /// The entry's position.
        index: usize,
        /// What is wrong with it.
        problem: String,
    },
}

impl Digest {
    /// Parses a digest's decompressed content.
    pub fn parse(content: &[u8]) -> Result<Digest, DigestError> {
        let value: Value = serde_json::from_slice(content).map_err(DigestError::NotJson)?;
        let Value::Object(members) = value else {
            return Err(DigestError::NotObject);
        };
        let text = |name| required_text(&members, name);
        let previous = match (
            nullable_text(&members, "previousDigestS3Bucket")?,
            nullable_text(&members, "previousDigestS3Object")?,
        ) {
            (Some(bucket), Some(key)) => Some(PreviousDigest { bucket, key }),
            _ => None,
        };
        let previous_signature = match members.get("previousDigestSignature") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) => None,
            other => {
                return Err(DigestError::Field {
                    name: "previousDigestSignature",
                    expected: "a string or null",
                    found: describe(other),
                })
            }
        };
        let logs = match members.get("logFiles") {
            Some(Value::Array(entries)) => entries
                .iter()
                .enumerate()
                .map(|(index, entry)| listed_log(index, entry))
                .collect::<Result<Vec<_>, _>>()?,
            other => {
                return Err(DigestError::Field {
                    name: "logFiles",
                    expected: "an array",
                    found: describe(other),
                })
            }
        };
        Ok(Digest {
            start_time: text("digestStartTime")?,
            end_time: text("digestEndTime")?,
            bucket: text("digestS3Bucket")?,
            key: text("digestS3Object")?,
            fingerprint: text("digestPublicKeyFingerprint")?,
            previous_signature,
            previous,
            logs,
        })
    }

    /// The text CloudTrail signs (INTEGRITY §2.7) for a digest whose content has the lower-case
    /// hex SHA-256 `content_hash`: end time, `bucket/key`, that hash and the previous
    /// signature (`null` when there is none), one per line.
    pub fn signed_text(&self, content_hash: &str) -> String {
        format!(
            "{}\n{}/{}\n{}\n{}",
            self.end_time,
            self.bucket,
            self.key,
            content_hash,
            self.previous_signature.as_deref().unwrap_or("null")
        )
    }
}

fn required_text(members: &Map<String, Value>, name: &'static str) -> Result<String, DigestError> {
    match members.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        other => Err(DigestError::Field {
            name,
            expected: "a string",
            found: describe(other),
        }),
    }
}

/// A string, or `None` for null or absent. Anything else is not CloudTrail's (the content's
/// hash is signed, so a valid digest cannot hold it) and fails the parse rather than being
/// read as a restarted chain.
fn nullable_text(
    members: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, DigestError> {
    match members.get(name) {
        Some(Value::String(s)) => Ok(Some(s.clone())),
        None | Some(Value::Null) => Ok(None),
        other => Err(DigestError::Field {
            name,
            expected: "a string, null or absent",
            found: describe(other),
        }),
    }
}

fn listed_log(index: usize, entry: &Value) -> Result<ListedLog, DigestError> {
    let Value::Object(members) = entry else {
        return Err(DigestError::LogFile {
            index,
            problem: format!("is {}, not an object", describe(Some(entry))),
        });
    };
    let text = |name| {
        required_text(members, name).map_err(|e| DigestError::LogFile {
            index,
            problem: e.to_string(),
        })
    };
    Ok(ListedLog {
        bucket: text("s3Bucket")?,
        key: text("s3Object")?,
        hash: text("hashValue")?,
    })
}

fn describe(value: Option<&Value>) -> &'static str {
    match value {
        None => "absent",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "a boolean",
        Some(Value::Number(_)) => "a number",
        Some(Value::String(_)) => "a string",
        Some(Value::Array(_)) => "an array",
        Some(Value::Object(_)) => "an object",
    }
}
