//! Compact JSON text of records with CloudTrail's member order, written by `serde_json`.
//!
//! The text (escaping, numbers, layout) is `serde_json::to_string`'s; only the member order is
//! ours. `serde_json::Value` keeps an object's members sorted by key, or in insertion order if
//! any crate in the build switches on serde_json's `preserve_order` feature. That feature must
//! stay off: Cargo unifies features, so it would also change the product's own maps (and so its
//! alert output) in test builds. Instead [`Ordered`] serialises a value with each object's members
//! in the order CloudTrail writes them (a record, its `userIdentity`, a digest file), so the
//! files read like real ones and their bytes do not depend on how `Value` stores members.
//! Members no order names follow in sorted order.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

const RECORD: &[&str] = &[
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "requestID",
    "eventID",
    "readOnly",
    "resources",
    "eventType",
    "apiVersion",
    "managementEvent",
    "recipientAccountId",
    "sharedEventID",
    "vpcEndpointId",
    "vpcEndpointAccountId",
    "insightDetails",
    "eventCategory",
    "tlsDetails",
    "sessionCredentialFromConsole",
];
const IDENTITY: &[&str] = &[
    "type",
    "principalId",
    "arn",
    "accountId",
    "accessKeyId",
    "userName",
    "identityProvider",
    "sessionContext",
    "invokedBy",
];
const SESSION_CONTEXT: &[&str] = &["sessionIssuer", "webIdFederationData", "attributes"];
const SESSION_ISSUER: &[&str] = &["type", "principalId", "arn", "accountId", "userName"];
const ATTRIBUTES: &[&str] = &["creationDate", "mfaAuthenticated"];
const TLS: &[&str] = &["tlsVersion", "cipherSuite", "clientProvidedHostHeader"];
const DIGEST: &[&str] = &[
    "awsAccountId",
    "digestStartTime",
    "digestEndTime",
    "digestS3Bucket",
    "digestS3Object",
    "digestPublicKeyFingerprint",
    "digestSignatureAlgorithm",
    "newestEventTime",
    "oldestEventTime",
    "previousDigestS3Bucket",
    "previousDigestS3Object",
    "previousDigestHashValue",
    "previousDigestHashAlgorithm",
    "previousDigestSignature",
    "logFiles",
];
const DIGEST_LOG_FILE: &[&str] = &[
    "s3Bucket",
    "s3Object",
    "hashValue",
    "hashAlgorithm",
    "newestEventTime",
    "oldestEventTime",
];

/// The member order for an object found under `key`.
fn order_under(key: &str) -> &'static [&'static str] {
    match key {
        "userIdentity" => IDENTITY,
        "sessionContext" => SESSION_CONTEXT,
        "sessionIssuer" => SESSION_ISSUER,
        "attributes" => ATTRIBUTES,
        "tlsDetails" => TLS,
        "logFiles" => DIGEST_LOG_FILE,
        _ => &[],
    }
}

/// A value whose objects serialise with their members in `order` (then sorted); the members'
/// own objects take the order their key names, and array items their array's.
struct Ordered<'a> {
    value: &'a Value,
    order: &'static [&'static str],
}

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for value in items {
                    seq.serialize_element(&Ordered {
                        value,
                        order: self.order,
                    })?;
                }
                seq.end()
            }
            Value::Object(map) => {
                let rank = |k: &str| {
                    self.order
                        .iter()
                        .position(|o| *o == k)
                        .unwrap_or(self.order.len())
                };
                let mut members: Vec<(&String, &Value)> = map.iter().collect();
                members.sort_by(|(a, _), (b, _)| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
                let mut out = serializer.serialize_map(Some(members.len()))?;
                for (key, value) in members {
                    let order = order_under(key);
                    out.serialize_entry(key, &Ordered { value, order })?;
                }
                out.end()
            }
            scalar => scalar.serialize(serializer),
        }
    }
}

fn to_text(value: &Value, order: &'static [&'static str]) -> String {
    serde_json::to_string(&Ordered { value, order })
        .expect("a JSON value with string keys always serialises")
}

/// One record (a top-level CloudTrail event object).
pub(crate) fn record(record: &Value) -> String {
    to_text(record, RECORD)
}

/// A digest file's object.
pub(crate) fn digest(digest: &Value) -> String {
    to_text(digest, DIGEST)
}

/// Any value with members sorted (nested records' identities still in CloudTrail order), also
/// for JSON documents that CloudTrail carries inside strings (policies, templates).
pub(crate) fn text(value: &Value) -> String {
    to_text(value, &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn record_members_follow_cloudtrail_order() {
        let record = json!({
            "eventID": "e", "eventVersion": "1.09", "zzz": 1, "aaa": 2,
            "userIdentity": {"arn": "a", "type": "IAMUser", "sessionContext": {"attributes": {"mfaAuthenticated": "false", "creationDate": "d"}}},
        });
        assert_eq!(
            super::record(&record),
            r#"{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"a","sessionContext":{"attributes":{"creationDate":"d","mfaAuthenticated":"false"}}},"eventID":"e","aaa":2,"zzz":1}"#
        );
    }

    #[test]
    fn array_items_take_their_arrays_order() {
        let digest =
            json!({"logFiles": [{"hashValue": "h", "s3Object": "o"}], "awsAccountId": "1"});
        assert_eq!(
            super::digest(&digest),
            r#"{"awsAccountId":"1","logFiles":[{"s3Object":"o","hashValue":"h"}]}"#
        );
    }

    #[test]
    fn strings_escape_like_json_and_parse_back() {
        let cases = [
            (
                "quote and backslash",
                "{\"Version\":\"2012-10-17\"} C:\\temp",
            ),
            ("newline and tab", "line1\n\tline2\r"),
            ("control", "bell\u{7}"),
            ("unicode stays raw", "Équipe données — 東京 🚀"),
        ];
        for (name, raw) in cases {
            let out = text(&Value::String(raw.to_string()));
            let back: Value = serde_json::from_str(&out).unwrap();
            assert_eq!(back, Value::String(raw.to_string()), "{name}");
        }
        assert_eq!(
            text(&json!("Équipe\u{7}")),
            "\"Équipe\\u0007\"",
            "raw UTF-8, escaped controls"
        );
    }

    #[test]
    fn numbers_booleans_null_arrays() {
        let out = text(&json!([1, -2, 1.5, true, false, null, [], {}]));
        assert_eq!(out, "[1,-2,1.5,true,false,null,[],{}]");
    }
}
