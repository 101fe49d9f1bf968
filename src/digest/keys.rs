//! CloudTrail's public keys (INTEGRITY §3): an RSA key with its fingerprint, the signature check
//! a digest gets (RSASSA-PKCS1-v1_5 with SHA-256, by `ring`), and the key file that
//! `aws cloudtrail list-public-keys` prints. `ring` reads a key only when it checks a signature,
//! so the DER is read here with `pkcs1` as the key is loaded: a malformed key is refused then,
//! by name, rather than showing up later as signatures that do not verify.

use std::collections::BTreeMap;
use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use pkcs1::der::Decode as _;
use ring::signature::{RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256};
use serde::Deserialize;
use serde_json::Value;
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::OffsetDateTime;

/// One of CloudTrail's signing keys.
#[derive(Clone)]
pub struct PublicKey {
    fingerprint: String,
    key: RsaPublicKeyComponents<Vec<u8>>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

/// Bytes that are not an RSA public key CloudTrail could sign with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("public key {fingerprint} is not a DER RSA public key of 2048 to 8192 bits ({reason})")]
pub struct BadKey {
    /// The key's fingerprint.
    pub fingerprint: String,
    /// What the parser said.
    pub reason: String,
}

impl PublicKey {
    /// The key with `fingerprint` from `der`, a DER PKCS#1 `RSAPublicKey`, as CloudTrail's
    /// `Value` holds it once base64-decoded.
    pub fn from_der(fingerprint: impl Into<String>, der: &[u8]) -> Result<PublicKey, BadKey> {
        let fingerprint = fingerprint.into();
        let bad = |reason: String| BadKey {
            fingerprint: fingerprint.clone(),
            reason,
        };
        let key = pkcs1::RsaPublicKey::from_der(der).map_err(|e| bad(e.to_string()))?;
        let (n, e) = (key.modulus.as_bytes(), key.public_exponent.as_bytes());
        let bits = bit_length(n);
        if !(2048..=8192).contains(&bits) {
            return Err(bad(format!("a modulus of {bits} bits")));
        }
        // What `ring` accepts of an exponent: odd, at least 3, at most 33 bits.
        let odd = e.last().is_some_and(|low| low & 1 == 1);
        if !odd || bit_length(e) > 33 || e == [1] {
            return Err(bad("an exponent ring refuses".to_owned()));
        }
        Ok(PublicKey {
            key: RsaPublicKeyComponents {
                n: n.to_vec(),
                e: e.to_vec(),
            },
            fingerprint,
        })
    }

    /// The key's fingerprint, as digests name it.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Whether `signature` is this key's RSASSA-PKCS1-v1_5 / SHA-256 signature of `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key
            .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
            .is_ok()
    }
}

/// The bit length of a big-endian integer without leading zero bytes.
fn bit_length(bytes: &[u8]) -> usize {
    match bytes.first() {
        None => 0,
        Some(top) => bytes.len() * 8 - top.leading_zeros() as usize,
    }
}

/// A key file that is not what `aws cloudtrail list-public-keys` prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyFileError(String);

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeyFile {
    public_key_list: Vec<KeyEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeyEntry {
    value: String,
    fingerprint: String,
    validity_start_time: Option<Value>,
    validity_end_time: Option<Value>,
}

/// The keys of a key file: `{"PublicKeyList":[{"Value","ValidityStartTime","ValidityEndTime",
/// "Fingerprint"}]}`, `Value` base64 of a DER RSA public key, times ISO 8601 (AWS CLI v2) or
/// epoch seconds (v1). The times must be well-formed but reject no key: a digest is checked
/// against the key it names, whenever it was signed.
pub fn parse_key_file(text: &str) -> Result<BTreeMap<String, PublicKey>, KeyFileError> {
    let file: KeyFile = serde_json::from_str(text).map_err(|e| {
        KeyFileError(format!(
            "not the JSON `aws cloudtrail list-public-keys` prints: {e}"
        ))
    })?;
    let mut keys = BTreeMap::new();
    for (index, entry) in file.public_key_list.into_iter().enumerate() {
        let at = |what: String| KeyFileError(format!("PublicKeyList[{index}]: {what}"));
        if entry.fingerprint.is_empty() {
            return Err(at("Fingerprint is empty".to_owned()));
        }
        for (name, time) in [
            ("ValidityStartTime", &entry.validity_start_time),
            ("ValidityEndTime", &entry.validity_end_time),
        ] {
            if let Some(time) = time {
                check_time(time).map_err(|why| at(format!("{name} {why}")))?;
            }
        }
        let der = BASE64
            .decode(entry.value.trim())
            .map_err(|e| at(format!("Value is not base64: {e}")))?;
        let key = PublicKey::from_der(&entry.fingerprint, &der).map_err(|e| at(e.to_string()))?;
        if let Some(earlier) = keys.insert(entry.fingerprint.clone(), key) {
            return Err(at(format!(
                "fingerprint {} is listed twice",
                earlier.fingerprint()
            )));
        }
    }
    Ok(keys)
}

/// An ISO 8601 time string (`2024-08-02T03:00:00Z`, `2024-08-02T03:00:00+00:00`) or a number of
/// seconds since the epoch.
fn check_time(value: &Value) -> Result<(), String> {
    match value {
        Value::String(text) => OffsetDateTime::parse(text, &Rfc3339)
            .or_else(|_| OffsetDateTime::parse(text, &Iso8601::DEFAULT))
            .map(drop)
            .map_err(|e| format!("`{text}` is not an ISO 8601 time: {e}")),
        Value::Number(n) if n.as_f64().is_some_and(f64::is_finite) => Ok(()),
        other => Err(format!("is {other}, not a time")),
    }
}
