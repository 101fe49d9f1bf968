//! A record as rules see it: its text and the located fields, read through borrowed views
//! ([`JsonRef`]) with no per-record tree and no per-record allocation.

use std::borrow::Cow;

use super::json::{unescape, JsonType};
use super::plan::SlotId;
use super::scan::Fields;

/// A record's text together with the located fields: what rules evaluate.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    text: &'a str,
    fields: &'a Fields,
}

impl<'a> Record<'a> {
    /// Pairs a record's text with the fields extracted from that same text.
    pub fn new(text: &'a str, fields: &'a Fields) -> Self {
        Record { text, fields }
    }

    /// The record's JSON text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The value at a registered path, or `None` when the path resolves to nothing.
    pub fn get(&self, slot: SlotId) -> Option<JsonRef<'a>> {
        let span = self.fields.spans.get(slot.0).copied().flatten()?;
        let raw = self.text.get(span.start..span.end)?;
        Some(match span.ty {
            JsonType::Null => JsonRef::Null,
            JsonType::True => JsonRef::Bool(true),
            JsonType::False => JsonRef::Bool(false),
            JsonType::Number => JsonRef::Number(raw),
            JsonType::String { escaped } => JsonRef::String(JsonStr {
                raw: &raw[1..raw.len() - 1],
                escaped,
            }),
            JsonType::Object => JsonRef::Object(raw),
            JsonType::Array => JsonRef::Array(raw),
        })
    }

    /// The string at `slot`, decoded; `None` when absent or not a string.
    pub fn get_str(&self, slot: SlotId) -> Option<Cow<'a, str>> {
        match self.get(slot)? {
            JsonRef::String(s) => Some(s.value()),
            _ => None,
        }
    }
}

/// A borrowed view of one JSON value inside a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonRef<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// The number's text as written (already validated as JSON number syntax).
    Number(&'a str),
    /// A string, still as written between its quotes.
    String(JsonStr<'a>),
    /// The whole object's text, braces included.
    Object(&'a str),
    /// The whole array's text, brackets included.
    Array(&'a str),
}

/// A JSON string as it stands between its quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonStr<'a> {
    raw: &'a str,
    escaped: bool,
}

impl<'a> JsonStr<'a> {
    /// The string's value: borrowed when it has no escapes, decoded otherwise.
    pub fn value(&self) -> Cow<'a, str> {
        if self.escaped {
            Cow::Owned(unescape(self.raw))
        } else {
            Cow::Borrowed(self.raw)
        }
    }
}
