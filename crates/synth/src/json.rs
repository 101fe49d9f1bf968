//! Compact JSON text of records with CloudTrail's member order.
//!
//! `serde_json::Value` keeps object members sorted (or in insertion order with the
//! `preserve_order` feature, which another crate could switch on). Writing the text here makes
//! the bytes independent of that feature, and puts the members of a record, its `userIdentity`
//! and a digest file in the order CloudTrail writes them, so the files read like real ones.
//! Members no order names follow in sorted order.

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

/// Appends one record (a top-level CloudTrail event object).
pub(crate) fn write_record(out: &mut String, record: &Value) {
    write_value(out, record, RECORD);
}

/// Appends a digest file's object.
pub(crate) fn write_digest(out: &mut String, digest: &Value) {
    write_value(out, digest, DIGEST);
}

/// A value as compact text with members sorted, for JSON documents that CloudTrail carries
/// inside strings (policies, templates), where its own escaping then applies.
pub(crate) fn text(value: &Value) -> String {
    let mut out = String::new();
    write_plain(&mut out, value);
    out
}

/// Appends any value with members sorted (nested records' identities still in CloudTrail order).
pub(crate) fn write_plain(out: &mut String, value: &Value) {
    write_value(out, value, &[]);
}

fn write_value(out: &mut String, value: &Value, order: &[&str]) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, order);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            let rank = |k: &str| order.iter().position(|o| *o == k).unwrap_or(order.len());
            keys.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, key);
                out.push(':');
                if let Some(child) = map.get(key) {
                    write_value(out, child, order_under(key));
                }
            }
            out.push('}');
        }
    }
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
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
        let mut out = String::new();
        write_record(&mut out, &record);
        assert_eq!(
            out,
            r#"{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"a","sessionContext":{"attributes":{"creationDate":"d","mfaAuthenticated":"false"}}},"eventID":"e","aaa":2,"zzz":1}"#
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
        for (name, text) in cases {
            let mut out = String::new();
            write_plain(&mut out, &Value::String(text.to_string()));
            let back: Value = serde_json::from_str(&out).unwrap();
            assert_eq!(back, Value::String(text.to_string()), "{name}");
        }
    }

    #[test]
    fn numbers_booleans_null_arrays() {
        let mut out = String::new();
        write_plain(&mut out, &json!([1, -2, 1.5, true, false, null, [], {}]));
        assert_eq!(out, "[1,-2,1.5,true,false,null,[],{}]");
    }
}
