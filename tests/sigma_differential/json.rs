//! Records for the differential test: a JSON tree, written out as text with random white space
//! and random escapes, together with what SIGMA.md says each value's text is. The writer knows
//! every character it escapes, so an object's text with its escapes decoded is built beside the
//! raw text instead of being parsed back: no JSON reader is involved on the reference side.

use proptest::prelude::*;
use proptest::sample::select;

use super::vocab;

/// A JSON value to write; numbers are their text as written.
#[derive(Debug, Clone)]
pub enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    /// Members in order; names are distinct.
    Obj(Vec<(String, Json)>),
}

/// A written value as the reference reads it.
#[derive(Debug, Clone)]
pub enum Node {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Node>),
    /// `text`: the object's text as it stands in the record, every escape replaced by its
    /// character (SIGMA.md, Texts).
    Obj {
        text: String,
        members: Vec<(String, Node)>,
    },
}

/// A record's text and its tree.
#[derive(Debug, Clone)]
pub struct Written {
    pub raw: String,
    pub root: Node,
}

/// A small deterministic generator for layout choices, so one `u64` of the strategy decides
/// them all (the tree itself shrinks as a proptest value).
pub struct Dice(pub u64);

impl Dice {
    pub fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, of: &[&'a str]) -> &'a str {
        of[self.below(of.len())]
    }
}

/// Writes `value` (an object, for a record) with layout and escapes chosen by `seed`.
pub fn write(value: &Json, seed: u64) -> Written {
    let mut w = Writer {
        raw: String::new(),
        decoded: String::new(),
        choices: Dice(seed),
    };
    let root = w.value(value);
    Written { raw: w.raw, root }
}

struct Writer {
    raw: String,
    /// The same text with every escape replaced by its character.
    decoded: String,
    choices: Dice,
}

impl Writer {
    fn push(&mut self, s: &str) {
        self.raw.push_str(s);
        self.decoded.push_str(s);
    }

    /// White space between tokens: mostly none, sometimes any of JSON's four characters.
    fn space(&mut self) {
        if self.choices.one_in(3) {
            let s = self.choices.pick(&[" ", "\n", "\t", "\r\n", "  ", " \t "]);
            self.push(s);
        }
    }

    fn value(&mut self, value: &Json) -> Node {
        match value {
            Json::Null => {
                self.push("null");
                Node::Null
            }
            Json::Bool(b) => {
                self.push(if *b { "true" } else { "false" });
                Node::Bool(*b)
            }
            Json::Num(text) => {
                self.push(text);
                Node::Num(text.clone())
            }
            Json::Str(s) => {
                self.string(s);
                Node::Str(s.clone())
            }
            Json::Arr(items) => {
                self.push("[");
                self.space();
                let mut nodes = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.push(",");
                        self.space();
                    }
                    nodes.push(self.value(item));
                    self.space();
                }
                self.push("]");
                Node::Arr(nodes)
            }
            Json::Obj(members) => {
                let start = self.decoded.len();
                self.push("{");
                self.space();
                let mut nodes = Vec::new();
                for (i, (name, item)) in members.iter().enumerate() {
                    if i > 0 {
                        self.push(",");
                        self.space();
                    }
                    self.string(name);
                    self.space();
                    self.push(":");
                    self.space();
                    nodes.push((name.clone(), self.value(item)));
                    self.space();
                }
                self.push("}");
                Node::Obj {
                    text: self.decoded[start..].to_owned(),
                    members: nodes,
                }
            }
        }
    }

    /// A string, each character written as itself or escaped, as JSON allows.
    fn string(&mut self, s: &str) {
        self.push("\"");
        for c in s.chars() {
            self.decoded.push(c);
            let must = matches!(c, '"' | '\\') || c < ' ';
            if !must && !self.choices.one_in(6) {
                self.raw.push(c);
                continue;
            }
            let short = match c {
                '"' => Some("\\\""),
                '\\' => Some("\\\\"),
                '/' => Some("\\/"),
                '\u{8}' => Some("\\b"),
                '\u{c}' => Some("\\f"),
                '\n' => Some("\\n"),
                '\r' => Some("\\r"),
                '\t' => Some("\\t"),
                _ => None,
            };
            match short {
                Some(e) if !self.choices.one_in(3) => self.raw.push_str(e),
                _ => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        let hex = if self.choices.one_in(2) {
                            format!("\\u{unit:04x}")
                        } else {
                            format!("\\u{unit:04X}")
                        };
                        self.raw.push_str(&hex);
                    }
                }
            }
        }
        self.push("\"");
    }
}

/// A synthetic CloudTrail record as a tree (serde_json's number texts, members sorted).
pub fn from_serde(value: &serde_json::Value) -> Json {
    use serde_json::Value;
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => Json::Num(n.to_string()),
        Value::String(s) => Json::Str(s.clone()),
        Value::Array(items) => Json::Arr(items.iter().map(from_serde).collect()),
        Value::Object(members) => Json::Obj(
            members
                .iter()
                .map(|(k, v)| (k.clone(), from_serde(v)))
                .collect(),
        ),
    }
}

/// Member names records use: the rules' field names reach them, and a few cannot be named
/// (`x.y` holds a dot).
const NAMES: &[&str] = &[
    "a",
    "b",
    "c",
    "k",
    "arr",
    "x",
    "y",
    "x.y",
    "é",
    "A",
    "eventName",
    "eventSource",
    "userIdentity",
    "type",
];

/// Number texts as JSON allows them to be written.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "5",
    "42",
    "-1",
    "1.50",
    "1.10",
    "1e3",
    "1E+3",
    "1000",
    "-1.5e3",
    "0.5",
    "2024",
    "12",
    "9007199254740993",
    "9223372036854775807",
    "9223372036854775808",
    "1e400",
];

fn scalar() -> impl Strategy<Value = Json> {
    prop_oneof![
        1 => Just(Json::Null),
        1 => any::<bool>().prop_map(Json::Bool),
        2 => select(NUMBERS).prop_map(|n| Json::Num(n.to_owned())),
        8 => vocab::record_string().prop_map(Json::Str),
    ]
}

fn members(inner: impl Strategy<Value = Json>, max: usize) -> impl Strategy<Value = Json> {
    prop::collection::vec((select(NAMES), inner), 0..max).prop_map(|pairs| {
        let mut seen = Vec::new();
        Json::Obj(
            pairs
                .into_iter()
                .filter(|(name, _)| {
                    let fresh = !seen.contains(name);
                    seen.push(*name);
                    fresh
                })
                .map(|(name, v)| (name.to_owned(), v))
                .collect(),
        )
    })
}

/// A random record: an object of nested objects, arrays of objects, arrays of arrays and
/// scalars, over the names and texts the rules use.
pub fn record() -> impl Strategy<Value = Json> {
    let value = scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            2 => members(inner.clone(), 4),
            1 => prop::collection::vec(inner, 0..4).prop_map(Json::Arr),
        ]
    });
    members(value, 7)
}

#[test]
fn written_records_are_the_json_of_their_trees() {
    let tree = Json::Obj(vec![
        ("p".into(), Json::Str("\\n/é\"\u{1F600}\u{1}".into())),
        (
            "x.y".into(),
            Json::Arr(vec![Json::Num("-0".into()), Json::Null]),
        ),
        ("o".into(), Json::Obj(vec![("é".into(), Json::Bool(true))])),
    ]);
    let expected = serde_json::json!({
        "p": "\\n/é\"\u{1F600}\u{1}",
        "x.y": [-0.0, null],
        "o": {"é": true}
    });
    for seed in 0..200 {
        let written = write(&tree, seed);
        let read: serde_json::Value = serde_json::from_str(&written.raw).expect("valid JSON");
        assert_eq!(read, expected, "{}", written.raw);
        let Node::Obj { text, .. } = &written.root else {
            panic!("an object")
        };
        // Escapes decoded once: the text holds the characters themselves.
        assert!(text.contains("\\n/é\"\u{1F600}\u{1}"), "{text:?}");
        assert!(!text.contains("\\u") && !text.contains("\\/"), "{text:?}");
    }
}
