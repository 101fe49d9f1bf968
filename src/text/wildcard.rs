//! Wildcard patterns matched against a whole text: `*` any run of characters (empty, newlines
//! too), `?` exactly one character, everything else itself, exactly or under simple case folding.
//!
//! A pattern is kept as its fixed-length segments between the runs. Matching checks the first
//! segment at the start, the last at the end, and finds the others left to right: with
//! fixed-length segments the leftmost place is always safe, so there is no backtracking. An ASCII
//! text (nearly every CloudTrail value) is matched byte by byte with no allocation.

use std::fmt;

use super::fold::fold_char;

/// One element of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// This character.
    Char(char),
    /// Exactly one character (`?`).
    One,
    /// Any run of characters (`*`).
    Run,
}

/// How characters compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Exactly.
    Exact,
    /// Under Unicode simple case folding ([`fold`](super::fold)).
    Folded,
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wildcard {
    /// The segments between runs (`None`: any one character), folded when `case` says so;
    /// without a run, the one segment is the whole pattern.
    segments: Vec<Vec<Option<char>>>,
    /// The same segments as bytes, for ASCII texts; `None` when a segment holds a character
    /// that no ASCII character equals, so that no ASCII text can match.
    ascii: Option<Vec<AsciiSegment>>,
    /// How many characters the segments hold: a matching text has at least as many, and,
    /// without a run, exactly as many.
    chars: usize,
    starred: bool,
    case: Case,
}

impl Wildcard {
    /// The pattern of `tokens`; consecutive runs mean one run.
    pub fn new(tokens: impl IntoIterator<Item = Token>, case: Case) -> Wildcard {
        let fold = |c: char| match case {
            Case::Exact => c,
            Case::Folded => fold_char(c),
        };
        let mut segments = vec![Vec::new()];
        for token in tokens {
            match token {
                Token::Char(c) => segments
                    .last_mut()
                    .into_iter()
                    .for_each(|s| s.push(Some(fold(c)))),
                Token::One => segments.last_mut().into_iter().for_each(|s| s.push(None)),
                Token::Run => segments.push(Vec::new()),
            }
        }
        let starred = segments.len() > 1;
        if starred {
            // Empty segments between runs come from runs of runs.
            let last = segments.pop().unwrap_or_default();
            let mut kept: Vec<_> = segments
                .drain(..)
                .enumerate()
                .filter(|(i, s)| *i == 0 || !s.is_empty())
                .map(|(_, s)| s)
                .collect();
            kept.push(last);
            segments = kept;
        }
        let ascii = segments
            .iter()
            .map(|s| {
                let units = s
                    .iter()
                    .map(|c| match c {
                        None => Some(None),
                        Some(c) => u8::try_from(*c).ok().filter(u8::is_ascii).map(Some),
                    })
                    .collect::<Option<Vec<_>>>()?;
                let literal = units.iter().copied().collect();
                Some(AsciiSegment { units, literal })
            })
            .collect();
        Wildcard {
            chars: segments.iter().map(Vec::len).sum(),
            segments,
            ascii,
            starred,
            case,
        }
    }

    /// A pattern that is `text` exactly, with no wildcard.
    pub fn literal(text: &str, case: Case) -> Wildcard {
        Wildcard::new(text.chars().map(Token::Char), case)
    }

    /// Whether the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        // n characters take n to 4n bytes (folding maps one character to one), so most texts
        // are told apart by their length before a byte of them is read.
        let bytes = text.len();
        if bytes < self.chars || (!self.starred && bytes > 4 * self.chars) {
            return false;
        }
        if text.is_ascii() {
            let Some(segments) = &self.ascii else {
                return false;
            };
            return matches_ascii(
                segments,
                self.starred,
                text.as_bytes(),
                self.case == Case::Folded,
            );
        }
        let chars: Vec<char> = match self.case {
            Case::Exact => text.chars().collect(),
            Case::Folded => text.chars().map(fold_char).collect(),
        };
        matches(&self.segments, self.starred, &chars)
    }

    /// The pattern's text when it holds no wildcard at all (folded if the pattern folds).
    pub fn as_literal(&self) -> Option<String> {
        if self.starred {
            return None;
        }
        self.segments.first()?.iter().copied().collect()
    }

    /// How the pattern compares characters.
    pub fn case(&self) -> Case {
        self.case
    }

    /// The segments and whether runs separate them, for printing the pattern back.
    pub fn segments(&self) -> (&[Vec<Option<char>>], bool) {
        (&self.segments, self.starred)
    }
}

/// A segment for ASCII texts: its bytes (`None`: any one), and the same as one literal when it
/// has no single-character wildcard, which is compared and searched for with memchr.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AsciiSegment {
    units: Vec<Option<u8>>,
    literal: Option<Vec<u8>>,
}

impl AsciiSegment {
    /// Whether the segment matches at the start of `at` (which is long enough).
    fn fits(&self, at: &[u8], folded: bool) -> bool {
        match (&self.literal, folded) {
            (Some(l), false) => at[..l.len()] == l[..],
            (Some(l), true) => at[..l.len()].eq_ignore_ascii_case(l),
            (None, _) => self.units.iter().zip(at).all(|(want, got)| {
                want.is_none_or(|w| {
                    w == if folded {
                        got.to_ascii_uppercase()
                    } else {
                        *got
                    }
                })
            }),
        }
    }

    /// Where the segment first matches in `hay`.
    fn find(&self, hay: &[u8], folded: bool) -> Option<usize> {
        let len = self.units.len();
        match (&self.literal, folded) {
            (Some(l), false) => memchr::memmem::find(hay, l),
            (Some(l), true) => {
                let first = *l.first()?;
                let (upper, lower) = (first.to_ascii_uppercase(), first.to_ascii_lowercase());
                let mut from = 0;
                while let Some(i) = memchr::memchr2(upper, lower, hay.get(from..)?) {
                    let at = from + i;
                    if hay.len() - at < len {
                        return None;
                    }
                    if hay[at..at + len].eq_ignore_ascii_case(l) {
                        return Some(at);
                    }
                    from = at + 1;
                }
                None
            }
            (None, _) => {
                (0..(hay.len() + 1).saturating_sub(len)).find(|&i| self.fits(&hay[i..], folded))
            }
        }
    }
}

/// [`matches`] for an ASCII text, segment by segment.
fn matches_ascii(segments: &[AsciiSegment], starred: bool, text: &[u8], folded: bool) -> bool {
    let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
        return text.is_empty();
    };
    let (head, tail) = (first.units.len(), last.units.len());
    if !starred {
        return head == text.len() && first.fits(text, folded);
    }
    if text.len() < head + tail
        || !first.fits(text, folded)
        || !last.fits(&text[text.len() - tail..], folded)
    {
        return false;
    }
    let mut rest = &text[head..text.len() - tail];
    for segment in &segments[1..segments.len() - 1] {
        let Some(at) = segment.find(rest, folded) else {
            return false;
        };
        rest = &rest[at + segment.units.len()..];
    }
    true
}

/// Whether `text` (its characters, folded as the pattern is) matches the segments.
fn matches(segments: &[Vec<Option<char>>], starred: bool, text: &[char]) -> bool {
    let fits = |segment: &[Option<char>], at: &[char]| {
        segment
            .iter()
            .zip(at)
            .all(|(want, got)| want.is_none_or(|w| w == *got))
    };
    let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
        return text.is_empty();
    };
    if !starred {
        return first.len() == text.len() && fits(first, text);
    }
    // The first and last segments are kept apart ("ab*ba" must not match "aba").
    if text.len() < first.len() + last.len()
        || !fits(first, text)
        || !fits(last, &text[text.len() - last.len()..])
    {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for segment in &segments[1..segments.len() - 1] {
        let Some(at) = (0..(rest.len() + 1).saturating_sub(segment.len()))
            .find(|&i| fits(segment, &rest[i..]))
        else {
            return false;
        };
        rest = &rest[at + segment.len()..];
    }
    true
}

impl fmt::Display for Wildcard {
    /// The pattern with `*` for runs and `?` for single characters; literal `*`, `?` and `\`
    /// written with a backslash before them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str("*")?;
            }
            for c in segment {
                match c {
                    None => f.write_str("?")?,
                    Some(c @ ('*' | '?' | '\\')) => write!(f, "\\{c}")?,
                    Some(c) => write!(f, "{c}")?,
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `*` and `?` are wildcards, `\` makes the next character literal.
    fn pattern(text: &str, case: Case) -> Wildcard {
        let mut tokens = Vec::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            tokens.push(match c {
                '*' => Token::Run,
                '?' => Token::One,
                '\\' => Token::Char(chars.next().unwrap()),
                c => Token::Char(c),
            });
        }
        Wildcard::new(tokens, case)
    }

    #[test]
    fn matching() {
        use Case::*;
        let cases = [
            ("abc", Exact, "abc", true),
            ("abc", Exact, "ABC", false),
            ("abc", Folded, "ABC", true),
            ("abc", Exact, "abcd", false),
            ("", Exact, "", true),
            ("", Exact, "x", false),
            ("Access*", Exact, "AccessDenied", true),
            ("Access*", Exact, "Access", true),
            ("Access*", Exact, "NoAccess", false),
            ("*Op", Exact, "Client.UnauthorizedOp", true),
            ("*", Exact, "", true),
            ("*", Exact, "a\nb", true),
            ("a*b", Exact, "a\n\nb", true),
            ("ab*ba", Exact, "aba", false),
            ("ab*ba", Exact, "abba", true),
            ("*x*y*", Exact, "..x..y..", true),
            ("*x*y*", Exact, "..y..x..", false),
            ("*b*b", Exact, "ab", false),
            ("a**c", Exact, "abc", true),
            ("é*ü", Exact, "é—ü", true),
            ("?", Exact, "é", true),
            ("?", Exact, "", false),
            ("??", Exact, "é", false),
            ("a?c", Exact, "abc", true),
            ("*?x?*", Exact, "1x2", true),
            ("*?x?*", Exact, "x2", false),
            ("\\*", Exact, "*", true),
            ("\\*", Exact, "a", false),
            ("k", Folded, "\u{212A}", true),
            ("\u{212A}", Folded, "k", true),
            ("é", Folded, "É", true),
            ("ß", Folded, "ẞ", true),
            ("ß", Folded, "ss", false),
            ("é", Exact, "e", false),
            ("*ß*", Folded, "xẞy", true),
            ("kk", Folded, "\u{212A}\u{212A}", true),
            ("?", Exact, "\u{10348}", true),
            ("??", Exact, "\u{10348}\u{10348}", true),
            ("?", Exact, "\u{10348}a", false),
            ("a?*", Exact, "a\u{10348}", true),
            (
                "TruffleHog",
                Folded,
                "aws-cli/2.15 Python/3.11 Linux/6.1 TruffleHog",
                false,
            ),
        ];
        for (p, case, text, want) in cases {
            assert_eq!(
                pattern(p, case).matches(text),
                want,
                "{p:?} {case:?} {text:?}"
            );
        }
    }

    #[test]
    fn literal_and_display() {
        assert_eq!(
            Wildcard::literal("GetObject", Case::Folded)
                .as_literal()
                .as_deref(),
            Some("GETOBJECT")
        );
        assert_eq!(pattern("a*b", Case::Exact).as_literal(), None);
        assert_eq!(pattern("a\\*b*c?", Case::Exact).to_string(), "a\\*b*c?");
        assert_eq!(pattern("a**b", Case::Exact).to_string(), "a*b");
    }
}
