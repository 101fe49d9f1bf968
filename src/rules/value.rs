//! The literal values a pattern compares with, prepared once so that matching a record's value
//! costs no allocation and no re-parsing: wildcard strings, numbers and regexes.

use std::cmp::Ordering;
use std::fmt;

use crate::text::{Case, Token, Wildcard};

/// A string value with `*` wildcards: a case-sensitive [`Wildcard`] with runs only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob(Wildcard);

impl Glob {
    /// Whether `text` matches, case-sensitively; a star matches any run, newlines included.
    pub fn matches(&self, text: &str) -> bool {
        self.0.matches(text)
    }

    /// The one text the value matches when it has no wildcard.
    pub fn as_literal(&self) -> Option<String> {
        self.0.as_literal()
    }
}

/// Collects a string value character by character, with stars as separators.
#[derive(Debug, Default)]
pub(super) struct GlobBuilder {
    tokens: Vec<Token>,
}

impl GlobBuilder {
    /// Appends a literal character (a `\*` in quotes arrives here as `*`).
    pub(super) fn push(&mut self, c: char) {
        self.tokens.push(Token::Char(c));
    }

    /// Appends a wildcard.
    pub(super) fn star(&mut self) {
        self.tokens.push(Token::Run);
    }

    pub(super) fn finish(self) -> Glob {
        Glob(Wildcard::new(self.tokens, Case::Exact))
    }
}

impl fmt::Display for Glob {
    /// Writes the value as a quoted string, escaping literal stars, quotes and backslashes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        let (segments, _) = self.0.segments();
        for (i, segment) in segments.iter().enumerate() {
            if i > 0 {
                f.write_str("*")?;
            }
            // A filter pattern has no single-character wildcard: every element is a character.
            for c in segment.iter().flatten() {
                if matches!(c, '"' | '\\' | '*') {
                    f.write_str("\\")?;
                }
                write!(f, "{c}")?;
            }
        }
        f.write_str("\"")
    }
}

/// A number value, kept both as an exact integer (when it is one) and as a float.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    text: String,
    int: Option<i64>,
    float: f64,
}

impl Number {
    /// The number `text` stands for, or `None` when it is not JSON number syntax.
    pub(crate) fn from_json_text(text: &str) -> Option<Number> {
        if !is_json_number(text) {
            return None;
        }
        Some(Number {
            text: text.to_owned(),
            int: parse_int(text),
            float: text.parse().ok()?,
        })
    }

    /// How a record's number (its JSON text) orders against this value: exactly when both
    /// are 64-bit integers, otherwise as 64-bit floats.
    pub fn compare_json(&self, json: &str) -> Option<Ordering> {
        if let (Some(value), Some(record)) = (self.int, parse_int(json)) {
            return Some(record.cmp(&value));
        }
        json.parse::<f64>().ok()?.partial_cmp(&self.float)
    }
}

impl Number {
    /// How `text` orders against this value, when `text` is a number in JSON syntax (a
    /// string's content may be one); `None` otherwise.
    pub(crate) fn compare_number_text(&self, text: &str) -> Option<Ordering> {
        if is_json_number(text) {
            self.compare_json(text)
        } else {
            None
        }
    }
}

/// The integer a JSON number's text stands for, when it is written as one (no fraction, no
/// exponent) and fits 64 bits.
fn parse_int(text: &str) -> Option<i64> {
    text.parse().ok()
}

/// JSON number syntax: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |from: usize| {
        b.iter()
            .skip(from)
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let mut i = usize::from(b.first() == Some(&b'-'));
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i += digits(i),
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        let n = digits(i + 1);
        if n == 0 {
            return false;
        }
        i += 1 + n;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(i);
        if n == 0 {
            return false;
        }
        i += n;
    }
    i == b.len()
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A `%regex%` value, compiled once.
#[derive(Debug, Clone)]
pub struct PatternRegex(regex::Regex);

impl PatternRegex {
    /// Compiles the text between the `%` signs.
    pub(super) fn new(source: &str) -> Result<PatternRegex, regex::Error> {
        regex::Regex::new(source).map(PatternRegex)
    }

    /// Whether the regex finds a match anywhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        self.0.is_match(text)
    }
}

impl PartialEq for PatternRegex {
    /// Two regexes are the same value when written the same way.
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl fmt::Display for PatternRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "%{}%", self.0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(parts: &[Option<&str>]) -> Glob {
        // None is a star, Some(s) literal text.
        let mut b = GlobBuilder::default();
        for part in parts {
            match part {
                None => b.star(),
                Some(s) => s.chars().for_each(|c| b.push(c)),
            }
        }
        b.finish()
    }

    #[test]
    fn glob_matching() {
        let s = |t| Some(t);
        let cases: &[(&str, &[Option<&str>], &str, bool)] = &[
            ("exact equal", &[s("abc")], "abc", true),
            ("exact is case-sensitive", &[s("abc")], "ABC", false),
            ("exact longer", &[s("abc")], "abcd", false),
            ("empty exact", &[], "", true),
            (
                "prefix",
                &[s("Access"), None],
                "AccessDeniedException",
                true,
            ),
            ("prefix itself", &[s("Access"), None], "Access", true),
            ("prefix miss", &[s("Access"), None], "NoAccess", false),
            ("suffix", &[None, s("Op")], "Client.UnauthorizedOp", true),
            ("suffix miss", &[None, s("Op")], "Client.Oper", false),
            ("star alone, empty", &[None], "", true),
            ("star alone, newline", &[None], "a\nb", true),
            ("middle", &[None, s("mid"), None], "a mid b", true),
            (
                "middle spans newline",
                &[s("a"), None, s("b")],
                "a\n\nb",
                true,
            ),
            (
                "no overlap of prefix and suffix",
                &[s("ab"), None, s("ba")],
                "aba",
                false,
            ),
            (
                "prefix and suffix adjacent",
                &[s("ab"), None, s("ba")],
                "abba",
                true,
            ),
            (
                "middles in order",
                &[None, s("x"), None, s("y"), None],
                "..x..y..",
                true,
            ),
            (
                "middles out of order",
                &[None, s("x"), None, s("y"), None],
                "..y..x..",
                false,
            ),
            (
                "middle must not eat suffix",
                &[None, s("b"), None, s("b")],
                "ab",
                false,
            ),
            (
                "double star is one star",
                &[s("a"), None, None, s("c")],
                "abc",
                true,
            ),
            ("multibyte", &[s("é"), None, s("ü")], "é—ü", true),
        ];
        for (name, parts, text, want) in cases {
            assert_eq!(glob(parts).matches(text), *want, "case: {name}");
        }
    }

    #[test]
    fn glob_display_escapes_literals() {
        let g = glob(&[Some("a\"b\\c*"), None, Some("d")]);
        assert_eq!(
            g.to_string(),
            r#""a\"b\\c\**d""#,
            "literal star, quote and backslash escaped"
        );
    }

    #[test]
    fn json_number_syntax() {
        let cases = [
            ("0", true),
            ("-0", true),
            ("5", true),
            ("-12.5", true),
            ("1e5", true),
            ("1E+5", true),
            ("2.5e-3", true),
            ("007", false),
            ("+5", false),
            ("1.", false),
            (".5", false),
            ("1e", false),
            ("-", false),
            ("", false),
            ("10.0.0.1", false),
            ("5*", false),
            ("0x10", false),
        ];
        for (text, want) in cases {
            assert_eq!(is_json_number(text), want, "case: {text:?}");
        }
    }

    #[test]
    fn number_comparison() {
        use Ordering::*;
        let n = |t| Number::from_json_text(t).unwrap();
        let cases = [
            ("5 vs 5.0 (floats)", "5", "5.0", Some(Equal)),
            (
                "exact big integers",
                "9007199254740993",
                "9007199254740992",
                Some(Less),
            ),
            (
                "exact big integers equal",
                "9007199254740993",
                "9007199254740993",
                Some(Equal),
            ),
            ("float vs int", "1.5", "2", Some(Greater)),
            ("exponent", "1e3", "1000", Some(Equal)),
            ("negative", "-1", "-2", Some(Less)),
            (
                "beyond i64 falls back to float",
                "1",
                "99999999999999999999",
                Some(Greater),
            ),
        ];
        for (name, value, record, want) in cases {
            assert_eq!(n(value).compare_json(record), want, "case: {name}");
        }
    }
}
