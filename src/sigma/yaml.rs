//! A Sigma file's YAML documents as small trees that keep each node's line and each scalar's
//! style, built from `yaml-rust2`'s event parser. Building refuses what SIGMA.md refuses:
//! anchors, aliases, tags and a key written twice in one mapping.
//!
//! `yaml-rust2` (maintained, the successor of `yaml-rust`) is used at the event level because
//! its events carry every anchor, alias, tag and position, which a deserialiser would resolve
//! away before we could refuse them.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Deeper nesting than this fails the load: a rule nests a few levels, and the bound keeps a
/// hostile file from costing unbounded stack.
const MAX_NESTING: usize = 64;

/// One YAML node with the line (1-based) it starts on.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node {
    pub(super) line: usize,
    pub(super) value: Value,
}

/// A node's content.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    /// A scalar: its text (as written, for a plain one; the content for quoted and block ones)
    /// and whether it was plain.
    Scalar { text: String, plain: bool },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in the order written; keys are scalars (their text) with their lines.
    Map(Vec<(Key, Node)>),
}

/// A mapping key: a scalar's text and line.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Key {
    pub(super) text: String,
    pub(super) line: usize,
}

impl Node {
    /// Whether the node is YAML's null: a plain `null`, `Null`, `NULL`, `~` or nothing.
    pub(super) fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The scalar's text, unless the node is null or not a scalar.
    pub(super) fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } if !self.is_null() => Some(text),
            _ => None,
        }
    }

    /// The mapping's value for `key`.
    pub(super) fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(items) => items.iter().find(|(k, _)| k.text == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Why a file is not YAML that Sigma accepts; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct YamlError {
    pub(super) line: usize,
    pub(super) reason: String,
}

/// The file's documents, each `None` when it is empty (no content at all).
pub(super) fn documents(text: &str) -> Result<Vec<Option<Node>>, YamlError> {
    // YAML allows a byte order mark before the stream (editors on Windows write one);
    // yaml-rust2 would read it as part of the first scalar.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut events = Events {
        parser: Parser::new_from_str(text),
        last_line: 1 + text.replace("\r\n", "\n").matches(['\n', '\r']).count(),
    };
    let mut docs = Vec::new();
    loop {
        let (event, line) = events.next()?;
        match event {
            Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => return Ok(docs),
            Event::DocumentStart => {
                let (first, line) = events.next()?;
                let empty = matches!(&first, Event::Scalar(text, TScalarStyle::Plain, 0, None) if text.is_empty());
                let node = node(&mut events, first, line, 0)?;
                docs.push((!empty).then_some(node));
            }
            _ => return Err(at(line, "unexpected YAML event outside a document")),
        }
    }
}

struct Events<'a> {
    parser: Parser<std::str::Chars<'a>>,
    /// The text's last line: yaml-rust2 places an event or error at the end of a text without
    /// a final line break on the line after it, which the file does not have.
    last_line: usize,
}

impl Events<'_> {
    /// The next event and the line it starts on.
    fn next(&mut self) -> Result<(Event, usize), YamlError> {
        let line = |mark: Marker| mark.line().min(self.last_line);
        match self.parser.next_token() {
            Ok((event, mark)) => Ok((event, line(mark))),
            Err(e) => Err(YamlError {
                line: line(*e.marker()),
                reason: format!("invalid YAML: {}", e.info()),
            }),
        }
    }
}

fn at(line: usize, reason: &str) -> YamlError {
    YamlError {
        line,
        reason: reason.to_owned(),
    }
}

/// Builds the node that `event`, on `line`, starts, reading the events of its content.
fn node(
    events: &mut Events<'_>,
    event: Event,
    line: usize,
    depth: usize,
) -> Result<Node, YamlError> {
    if depth > MAX_NESTING {
        return Err(at(line, "nesting deeper than 64 levels"));
    }
    let refuse_extras = |anchor: usize, tag: &Option<_>| match (anchor, tag) {
        (0, None) => Ok(()),
        (0, Some(_)) => Err(at(line, "YAML tags (`!tag`) are not allowed")),
        _ => Err(at(line, "YAML anchors (`&name`) are not allowed")),
    };
    let value = match event {
        Event::Alias(_) => return Err(at(line, "YAML aliases (`*name`) are not allowed")),
        Event::Scalar(text, style, anchor, tag) => {
            refuse_extras(anchor, &tag)?;
            Value::Scalar {
                text,
                plain: style == TScalarStyle::Plain,
            }
        }
        Event::SequenceStart(anchor, tag) => {
            refuse_extras(anchor, &tag)?;
            let mut items = Vec::new();
            loop {
                let (event, at_line) = events.next()?;
                if event == Event::SequenceEnd {
                    break;
                }
                items.push(node(events, event, at_line, depth + 1)?);
            }
            Value::Seq(items)
        }
        Event::MappingStart(anchor, tag) => {
            refuse_extras(anchor, &tag)?;
            let mut items: Vec<(Key, Node)> = Vec::new();
            loop {
                let (event, key_line) = events.next()?;
                if event == Event::MappingEnd {
                    break;
                }
                let key = node(events, event, key_line, depth + 1)?;
                let Value::Scalar { text, .. } = key.value else {
                    return Err(at(key_line, "a mapping key must be a scalar"));
                };
                if let Some((first, _)) = items.iter().find(|(k, _)| k.text == text) {
                    return Err(at(
                        key_line,
                        &format!("duplicate key `{text}` (first on line {})", first.line),
                    ));
                }
                let (event, value_line) = events.next()?;
                let value = node(events, event, value_line, depth + 1)?;
                items.push((
                    Key {
                        text,
                        line: key_line,
                    },
                    value,
                ));
            }
            Value::Map(items)
        }
        _ => return Err(at(line, "unexpected YAML event")),
    };
    Ok(Node { line, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        documents(text).unwrap().remove(0).unwrap()
    }

    #[test]
    fn scalars_keep_text_and_style() {
        let n = one("a: 05\nb: '05'\nc: True\nd:\ne: ~\nf: 'null'\ng: \"a\\tb\"\n");
        let text = |k| n.get(k).unwrap().text().map(str::to_owned);
        assert_eq!(text("a").as_deref(), Some("05"));
        assert_eq!(text("b").as_deref(), Some("05"));
        assert_eq!(text("c").as_deref(), Some("True"));
        assert_eq!(text("d"), None, "empty value is null");
        assert_eq!(text("e"), None, "~ is null");
        assert_eq!(text("f").as_deref(), Some("null"), "quoted null is text");
        assert_eq!(text("g").as_deref(), Some("a\tb"));
        assert!(matches!(
            n.get("a").unwrap().value,
            Value::Scalar { plain: true, .. }
        ));
        assert!(matches!(
            n.get("b").unwrap().value,
            Value::Scalar { plain: false, .. }
        ));
    }

    #[test]
    fn documents_and_empty_ones() {
        let docs = documents("a: 1\n---\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 3);
        assert!(docs[1].is_none(), "an empty document");
        assert!(documents("").unwrap().is_empty());
    }

    #[test]
    fn refusals_name_their_line() {
        let cases = [
            (
                "a: 1\nb: 2\na: 3\n",
                3,
                "duplicate key `a` (first on line 1)",
            ),
            ("a: &x 1\n", 1, "anchors"),
            // An alias needs an anchor, refused first; an alias of none is invalid YAML.
            ("a: 1\nb: *x\n", 2, "unknown anchor"),
            ("a: !t 1\n", 1, "tags"),
            ("a: [1\n", 2, "invalid YAML"),
            ("a: [1", 1, "invalid YAML"),
            ("a: 1\r\nb: 2\r\nc", 3, "invalid YAML"),
            ("!t)x?d\0n -a1", 1, "tags"),
            (
                "x: 1\nb: 2\nb: 3\n",
                3,
                "duplicate key `b` (first on line 2)",
            ),
            ("? [1]\n: 2\n", 1, "must be a scalar"),
        ];
        for (text, line, reason) in cases {
            let e = documents(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e:?}");
            assert!(e.reason.contains(reason), "{text:?}: {e:?}");
        }
    }

    #[test]
    fn a_byte_order_mark_starts_the_stream() {
        for text in ["\u{feff}a: 1\n", "\u{feff}---\na: 1\n"] {
            assert_eq!(
                one(text).get("a").and_then(Node::text),
                Some("1"),
                "{text:?}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(200) + &"]".repeat(200);
        let e = documents(&text).unwrap_err();
        assert!(e.reason.contains("nesting"), "{e:?}");
    }
}
