//! The digest as a value: its fields, the signed text, the first-member reader and key files.

use std::io::{self, Read};

use base64::Engine as _;
use serde_json::json;
use trailwatch_synth::digest::{key_file, SigningKey};
use trailwatch_synth::gzip;

use super::keys::{parse_key_file, PublicKey};
use super::member::{read_first_member, MemberError, MemberLimits};
use super::*;

fn digest_json() -> serde_json::Value {
    json!({
        "digestStartTime": "2024-08-02T02:00:00Z", "digestEndTime": "2024-08-02T03:00:00Z",
        "digestS3Bucket": "b", "digestS3Object": "k/d.json.gz",
        "digestPublicKeyFingerprint": "fp", "previousDigestSignature": "ab01",
        "previousDigestS3Bucket": "b", "previousDigestS3Object": "k/p.json.gz",
        "logFiles": [{"s3Bucket": "b", "s3Object": "k/l.json.gz", "hashValue": "00ff"}],
    })
}

#[test]
fn a_digest_parses_into_the_fields_the_checks_use() {
    let digest = Digest::parse(digest_json().to_string().as_bytes()).unwrap();
    assert_eq!(digest.end_time, "2024-08-02T03:00:00Z");
    assert_eq!(
        digest.previous,
        Some(PreviousDigest {
            bucket: "b".into(),
            key: "k/p.json.gz".into()
        })
    );
    assert_eq!(digest.previous_signature.as_deref(), Some("ab01"));
    assert_eq!(
        digest.logs,
        vec![ListedLog {
            bucket: "b".into(),
            key: "k/l.json.gz".into(),
            hash: "00ff".into()
        }]
    );
}

#[test]
fn the_signed_text_is_end_time_location_hash_and_previous_signature() {
    let mut value = digest_json();
    let digest = Digest::parse(value.to_string().as_bytes()).unwrap();
    assert_eq!(
        digest.signed_text("c0ffee"),
        "2024-08-02T03:00:00Z\nb/k/d.json.gz\nc0ffee\nab01"
    );
    value["previousDigestSignature"] = serde_json::Value::Null;
    let first = Digest::parse(value.to_string().as_bytes()).unwrap();
    assert_eq!(
        first.signed_text("c0ffee"),
        "2024-08-02T03:00:00Z\nb/k/d.json.gz\nc0ffee\nnull"
    );
}

#[test]
fn escapes_in_the_json_are_decoded_before_signing() {
    let text = digest_json()
        .to_string()
        .replace("k/d.json.gz", "k\\/d.json.gz");
    let digest = Digest::parse(text.as_bytes()).unwrap();
    assert_eq!(digest.key, "k/d.json.gz");
}

#[test]
fn a_chain_restarts_when_either_previous_field_is_null_or_absent() {
    for (case, change) in [
        (
            "bucket null",
            ("previousDigestS3Bucket", Some(serde_json::Value::Null)),
        ),
        (
            "object null",
            ("previousDigestS3Object", Some(serde_json::Value::Null)),
        ),
        ("bucket absent", ("previousDigestS3Bucket", None)),
        ("object absent", ("previousDigestS3Object", None)),
    ] {
        let mut value = digest_json();
        let members = value.as_object_mut().unwrap();
        match change {
            (name, Some(v)) => {
                members.insert(name.into(), v);
            }
            (name, None) => {
                members.remove(name);
            }
        }
        let digest = Digest::parse(value.to_string().as_bytes()).unwrap();
        assert_eq!(digest.previous, None, "case {case}");
    }
}

#[test]
fn what_is_not_a_digest_says_why() {
    let cases: [(&str, String, &str); 6] = [
        ("not JSON", "{".into(), "not JSON"),
        ("an array", "[]".into(), "not an object"),
        (
            "deeply nested",
            format!("{}{}", "[".repeat(1000), "]".repeat(1000)),
            "not JSON",
        ),
        (
            "previous bucket a number",
            digest_json().to_string().replace(
                "\"previousDigestS3Bucket\":\"b\"",
                "\"previousDigestS3Bucket\":1",
            ),
            "previousDigestS3Bucket",
        ),
        (
            "previous signature absent",
            {
                let mut v = digest_json();
                v.as_object_mut().unwrap().remove("previousDigestSignature");
                v.to_string()
            },
            "previousDigestSignature",
        ),
        (
            "a log entry without a key",
            digest_json()
                .to_string()
                .replace("\"s3Object\":\"k/l.json.gz\",", ""),
            "logFiles[0]",
        ),
    ];
    for (case, text, fragment) in cases {
        let error = Digest::parse(text.as_bytes()).expect_err(case).to_string();
        assert!(error.contains(fragment), "case {case}: {error}");
    }
}

#[test]
fn a_digest_listing_a_hundred_thousand_logs_parses_in_bounded_time() {
    let entry = json!({"s3Bucket": "b", "s3Object": "k", "hashValue": "00"});
    let mut value = digest_json();
    value["logFiles"] = serde_json::Value::Array(vec![entry; 100_000]);
    let text = value.to_string();
    assert!((text.len() as u64) < MAX_DIGEST_BYTES);
    let started = std::time::Instant::now();
    let digest = Digest::parse(text.as_bytes()).unwrap();
    assert_eq!(digest.logs.len(), 100_000);
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
}

fn unbounded() -> MemberLimits {
    MemberLimits {
        compressed: u64::MAX,
        decompressed: u64::MAX,
    }
}

#[test]
fn the_first_member_is_hashed_and_what_follows_it_noticed() {
    let data = b"{\"Records\":[]}";
    let expected = trailwatch_synth::digest::sha256_hex(data);
    let one = read_first_member(&gzip(data, 1)[..], unbounded(), |_| {}).unwrap();
    assert_eq!(
        (one.hex(), one.bytes, one.trailing),
        (expected.clone(), 14, false)
    );

    let mut appended = gzip(data, 1);
    appended.extend_from_slice(&gzip(b"", 1));
    let two = read_first_member(&appended[..], unbounded(), |_| {}).unwrap();
    assert_eq!(
        (two.hex(), two.trailing),
        (expected, true),
        "an empty member after"
    );

    let mut garbage = gzip(data, 1);
    garbage.push(b'\n');
    assert!(
        read_first_member(&garbage[..], unbounded(), |_| {})
            .unwrap()
            .trailing
    );

    let split = read_first_member(&gzip(data, 2)[..], unbounded(), |_| {}).unwrap();
    assert!(
        split.trailing && split.bytes == 7,
        "only the first of two members is read"
    );
}

#[test]
fn the_content_is_handed_over_in_full() {
    let data: Vec<u8> = (0..300_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let mut kept = Vec::new();
    read_first_member(&gzip(&data, 1)[..], unbounded(), |c| {
        kept.extend_from_slice(c)
    })
    .unwrap();
    assert_eq!(kept, data);
}

/// Whether an error is the one a case expects.
type Expect = fn(&MemberError) -> bool;

#[test]
fn bad_gzip_and_limits_are_typed() {
    let data = vec![b'x'; 10_000];
    let zipped = gzip(&data, 1);
    let cases: [(&str, Vec<u8>, MemberLimits, Expect); 6] = [
        ("empty", vec![], unbounded(), |e| {
            matches!(e, MemberError::NotGzip)
        }),
        ("plain text", b"hello".to_vec(), unbounded(), |e| {
            matches!(e, MemberError::NotGzip)
        }),
        ("one magic byte", vec![0x1f], unbounded(), |e| {
            matches!(e, MemberError::Corrupt(_))
        }),
        (
            "truncated",
            zipped[..zipped.len() - 5].to_vec(),
            unbounded(),
            |e| matches!(e, MemberError::Corrupt(_)),
        ),
        (
            "decompressed limit",
            zipped.clone(),
            MemberLimits {
                compressed: u64::MAX,
                decompressed: 9_999,
            },
            |e| matches!(e, MemberError::DecompressedTooLarge { limit: 9_999 }),
        ),
        (
            "compressed limit",
            zipped.clone(),
            MemberLimits {
                compressed: 10,
                decompressed: u64::MAX,
            },
            |e| matches!(e, MemberError::CompressedTooLarge { limit: 10 }),
        ),
    ];
    for (case, bytes, limits, expected) in cases {
        let error = read_first_member(&bytes[..], limits, |_| {}).expect_err(case);
        assert!(expected(&error), "case {case}: {error:?}");
        assert!(!error.is_transient(), "case {case}");
    }
    let exact = read_first_member(
        &zipped[..],
        MemberLimits {
            compressed: zipped.len() as u64,
            decompressed: 10_000,
        },
        |_| {},
    );
    assert!(exact.is_ok(), "limits are inclusive: {exact:?}");
}

/// A reader that fails after `after` bytes, like a connection that drops.
struct Dropping<'a> {
    bytes: &'a [u8],
    after: usize,
}

impl Read for Dropping<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.after == 0 {
            return Err(io::Error::new(io::ErrorKind::ConnectionReset, "reset"));
        }
        let n = buf.len().min(self.after).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        self.after -= n;
        Ok(n)
    }
}

#[test]
fn a_source_that_fails_mid_read_is_transient() {
    let zipped = gzip(&vec![b'y'; 100_000], 1);
    for after in [0, 20] {
        let error = read_first_member(
            Dropping {
                bytes: &zipped,
                after,
            },
            unbounded(),
            |_| {},
        )
        .expect_err("the source failed");
        assert!(error.is_transient(), "after {after}: {error:?}");
    }
}

#[test]
fn key_files_of_both_cli_versions_parse_and_verify() {
    let key = SigningKey::generate("fp-one");
    let v2 = key_file(&[&key]);
    let keys = parse_key_file(&v2).unwrap();
    let public = &keys["fp-one"];
    let signature = key.sign(b"message");
    assert!(public.verifies(b"message", &signature));
    assert!(!public.verifies(b"massage", &signature));
    assert!(!public.verifies(b"message", &signature[1..]));

    let value = base64::engine::general_purpose::STANDARD.encode(key.public_key_der());
    let v1 = json!({"PublicKeyList": [{
        "Value": value, "ValidityStartTime": 1719866383.0, "ValidityEndTime": 1751402383,
        "Fingerprint": "fp-one",
    }]});
    assert_eq!(parse_key_file(&v1.to_string()).unwrap().len(), 1);
}

#[test]
fn a_malformed_key_file_names_the_entry_and_the_problem() {
    let key = SigningKey::generate("fp-one");
    let value = base64::engine::general_purpose::STANDARD.encode(key.public_key_der());
    let entry = |value: &str, fingerprint: &str, start: serde_json::Value| json!({"Value": value, "ValidityStartTime": start, "ValidityEndTime": "2026-01-01T00:00:00Z", "Fingerprint": fingerprint});
    let cases = [
        ("not JSON", "{".to_owned(), "not the JSON"),
        ("no list", json!({"Keys": []}).to_string(), "PublicKeyList"),
        (
            "not base64",
            json!({"PublicKeyList": [entry("!!", "f", json!("2024-01-01T00:00:00Z"))]}).to_string(),
            "base64",
        ),
        (
            "not a key",
            json!({"PublicKeyList": [entry("AAAA", "f", json!("2024-01-01T00:00:00Z"))]})
                .to_string(),
            "not a DER RSA public key",
        ),
        (
            "bad time",
            json!({"PublicKeyList": [entry(&value, "f", json!("yesterday"))]}).to_string(),
            "ValidityStartTime",
        ),
        (
            "empty fingerprint",
            json!({"PublicKeyList": [entry(&value, "", json!(1))]}).to_string(),
            "Fingerprint",
        ),
        (
            "listed twice",
            json!({"PublicKeyList": [entry(&value, "f", json!(1)), entry(&value, "f", json!(2))]})
                .to_string(),
            "twice",
        ),
    ];
    for (case, text, fragment) in cases {
        let error = parse_key_file(&text).expect_err(case).to_string();
        assert!(error.contains(fragment), "case {case}: {error}");
    }
}

#[test]
fn a_public_key_refuses_what_is_not_rsa() {
    assert!(PublicKey::from_der("f", b"").is_err());
    assert!(PublicKey::from_der("f", &[0x30, 0x03, 0x02, 0x01, 0x01]).is_err());
}

/// The DER `RSAPublicKey` of modulus `n` and exponent `e` (big-endian, no leading zeros).
fn rsa_public_key_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    use pkcs1::der::{asn1::UintRef, Encode as _};
    let key = pkcs1::RsaPublicKey {
        modulus: UintRef::new(n).unwrap(),
        public_exponent: UintRef::new(e).unwrap(),
    };
    let mut buffer = vec![0; 2048];
    let len = key.encode_to_slice(&mut buffer).unwrap().len();
    buffer.truncate(len);
    buffer
}

#[test]
fn a_public_key_refuses_a_modulus_or_exponent_no_signature_could_pass() {
    let bits = |n: usize| {
        let mut modulus = vec![0xff; n / 8];
        modulus[n / 8 - 1] = 0xfb;
        modulus
    };
    let refused = |n: &[u8], e: &[u8]| {
        PublicKey::from_der("fp", &rsa_public_key_der(n, e))
            .unwrap_err()
            .to_string()
    };
    assert!(refused(&bits(1024), &[1, 0, 1]).contains("a modulus of 1024 bits"));
    assert!(refused(&bits(8200), &[1, 0, 1]).contains("a modulus of 8200 bits"));
    for exponent in [&[1][..], &[1, 0, 0], &[2, 0, 0, 0, 1]] {
        assert!(
            refused(&bits(2048), exponent).contains("exponent"),
            "{exponent:?}"
        );
    }
    for n in [2048, 4096, 8192] {
        assert!(PublicKey::from_der("fp", &rsa_public_key_der(&bits(n), &[1, 0, 1])).is_ok());
    }
    // The key CloudTrail's stand-in signs with reads back as the same key.
    let key = SigningKey::generate("fp-one");
    let public = PublicKey::from_der("fp-one", &key.public_key_der()).unwrap();
    assert!(public.verifies(b"signed", &key.sign(b"signed")));
    assert!(!public.verifies(b"signed!", &key.sign(b"signed")));
}
