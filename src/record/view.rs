//! A record as rules see it: its text and the located fields, read through borrowed views
//! ([`JsonRef`]) with no per-record tree and no per-record allocation.

use std::borrow::Cow;

use std::ops::ControlFlow;

use super::json::{children, unescape, JsonType, Token};
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
        JsonRef::of_token(self.text, span.start, span.end, span.ty)
    }

    /// Calls `each` with every value of the spread path `path`, registered as `slot` (see
    /// [`FieldPlan::spread_slot_for`](super::FieldPlan::spread_slot_for)): each step takes an
    /// object's member, an array applies the step to each of its elements, and a final array is
    /// replaced by its elements, recursively. Never yields an array. Stops when `each` breaks.
    pub fn for_each_value<B>(
        &self,
        slot: SlotId,
        path: &[String],
        mut each: impl FnMut(JsonRef<'a>) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        match self.spread(slot, path) {
            Some((value, rest)) => walk(value, rest, &mut each),
            None => ControlFlow::Continue(()),
        }
    }

    /// Whether the spread path `path` (registered as `slot`) reaches a member, whatever its
    /// value; through an array, in one of its elements.
    pub fn is_present(&self, slot: SlotId, path: &[String]) -> bool {
        self.spread(slot, path)
            .is_some_and(|(value, rest)| reaches(value, rest))
    }

    /// The value where the scanner stopped on a spread path, and the steps left to apply.
    fn spread<'p>(&self, slot: SlotId, path: &'p [String]) -> Option<(JsonRef<'a>, &'p [String])> {
        let span = self.fields.spans.get(slot.0).copied().flatten()?;
        let value = JsonRef::of_token(self.text, span.start, span.end, span.ty)?;
        Some((
            value,
            path.get(usize::from(span.steps)..).unwrap_or_default(),
        ))
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

impl<'a> JsonRef<'a> {
    /// The value whose token lies at `start..end` of `text`, of type `ty`.
    fn of_token(text: &'a str, start: usize, end: usize, ty: JsonType) -> Option<JsonRef<'a>> {
        let raw = text.get(start..end)?;
        Some(match ty {
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

    /// The member `name` of an object (the last one, as the scanner would take it, when the
    /// name repeats); `None` for anything else.
    fn member(self, name: &str) -> Option<JsonRef<'a>> {
        let JsonRef::Object(text) = self else {
            return None;
        };
        let mut found = None;
        for (key, token) in children(text) {
            let Some((raw, escaped)) = key else { continue };
            let matches = if escaped {
                std::str::from_utf8(raw).is_ok_and(|raw| unescape(raw) == name)
            } else {
                raw == name.as_bytes()
            };
            if matches {
                found = Some(token);
            }
        }
        found.and_then(|t: Token| JsonRef::of_token(text, t.start, t.end, t.ty))
    }

    /// The elements of an array (nothing for another value).
    fn elements(self) -> impl Iterator<Item = JsonRef<'a>> {
        let text = match self {
            JsonRef::Array(text) => text,
            _ => "[]",
        };
        children(text).filter_map(move |(_, t)| JsonRef::of_token(text, t.start, t.end, t.ty))
    }

    /// The value's text as Sigma compares it: a string's value, a number's or boolean's JSON
    /// text as written, an object's text with every escape replaced by its character; `None`
    /// for `null` (which has no text) and arrays (whose elements are read instead).
    pub fn text(self) -> Option<Cow<'a, str>> {
        match self {
            JsonRef::Null | JsonRef::Array(_) => None,
            JsonRef::Bool(true) => Some(Cow::Borrowed("true")),
            JsonRef::Bool(false) => Some(Cow::Borrowed("false")),
            JsonRef::Number(raw) => Some(Cow::Borrowed(raw)),
            JsonRef::String(s) => Some(s.value()),
            JsonRef::Object(raw) => Some(decoded(raw)),
        }
    }
}

/// The members of the object whose validated text is `object`, in document order: each name
/// as written between its quotes, and the text of its value.
pub fn members(object: &str) -> impl Iterator<Item = (&str, &str)> {
    let object = if object.starts_with('{') {
        object
    } else {
        "{}"
    };
    children(object).filter_map(move |(name, token)| {
        let (raw, _) = name?;
        // The name's bytes lie between quotes in `object`, so they are whole characters.
        let name = std::str::from_utf8(raw).ok()?;
        Some((name, object.get(token.start..token.end)?))
    })
}

/// A JSON text with every escape in it replaced, once, by its character (a backslash occurs in
/// valid JSON only inside strings, each one starting an escape).
pub fn decoded(raw: &str) -> Cow<'_, str> {
    if raw.contains('\\') {
        Cow::Owned(unescape(raw))
    } else {
        Cow::Borrowed(raw)
    }
}

fn walk<'a, B>(
    value: JsonRef<'a>,
    rest: &[String],
    each: &mut impl FnMut(JsonRef<'a>) -> ControlFlow<B>,
) -> ControlFlow<B> {
    match (value, rest.split_first()) {
        (JsonRef::Array(_), _) => {
            for element in value.elements() {
                walk(element, rest, each)?;
            }
            ControlFlow::Continue(())
        }
        (_, None) => each(value),
        (_, Some((name, rest))) => match value.member(name) {
            Some(member) => walk(member, rest, each),
            None => ControlFlow::Continue(()),
        },
    }
}

fn reaches(value: JsonRef<'_>, rest: &[String]) -> bool {
    match (value, rest.split_first()) {
        (_, None) => true,
        (JsonRef::Array(_), _) => value.elements().any(|e| reaches(e, rest)),
        (_, Some((name, rest))) => value.member(name).is_some_and(|m| reaches(m, rest)),
    }
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
