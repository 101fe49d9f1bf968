//! The record an alert carries: the log's own JSON text on one line, cut down to a bound when
//! the record is larger.

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::record::members;

/// A record's JSON as an alert carries it: the log's own text (validated by the scanner), on
/// one line, members in the order CloudTrail wrote them. Copying the text, rather than
/// rebuilding the record as a tree and printing it again, is what keeps a flood of alerts cheap.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct RecordJson(Box<RawValue>);

impl RecordJson {
    /// `text` as it is, but for line breaks: white space outside strings, where a JSON line may
    /// not have them (valid JSON has no raw line break inside a string).
    fn new(text: &str) -> RecordJson {
        let line = if memchr::memchr2(b'\n', b'\r', text.as_bytes()).is_some() {
            text.replace(['\n', '\r'], " ")
        } else {
            text.to_owned()
        };
        // serde_json checks the text again; the scanner accepted it, so this cannot fail, but
        // if it did the alert would still be published, saying why its record is missing.
        RecordJson(RawValue::from_string(line).unwrap_or_else(|e| {
            let note = Value::String(format!("record not representable: {e}"));
            serde_json::value::to_raw_value(&note).unwrap_or_else(|_| RawValue::NULL.to_owned())
        }))
    }

    /// The JSON text.
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// The record parsed as a tree (for tests, and for pretty-printing an e-mail).
    pub fn value(&self) -> serde_json::Result<Value> {
        serde_json::from_str(self.text())
    }
}

impl PartialEq for RecordJson {
    fn eq(&self, other: &RecordJson) -> bool {
        self.text() == other.text()
    }
}

/// The record's JSON, cut to fit `max_bytes` when it is larger: top-level members are kept in
/// the order CloudTrail wrote them while they fit, so the identifying fields (written first)
/// stay and bulky `requestParameters`/`responseElements` go.
pub(super) fn bounded_record(text: &str, max_bytes: usize) -> (RecordJson, bool) {
    if text.len() <= max_bytes {
        return (RecordJson::new(text), false);
    }
    let mut kept = String::from("{");
    for (name, value) in members(text) {
        // `"name":value` and its comma, within the closing brace.
        let size = name.len() + 3 + value.len() + usize::from(kept.len() > 1);
        if kept.len() + size < max_bytes {
            if kept.len() > 1 {
                kept.push(',');
            }
            kept.push('"');
            kept.push_str(name);
            kept.push_str("\":");
            kept.push_str(value);
        }
    }
    kept.push('}');
    (RecordJson::new(&kept), true)
}
