//! The JSON grammar at byte level, shared by the record scanner and the decoder's framing:
//! white space, strings (crossed eight bytes at a time), numbers, literals and whole values
//! skipped while being validated, and the decoding of string escapes.
//!
//! Callers that stream hand in a buffer that may end mid-value: every function then returns
//! [`ScanError::Incomplete`] and the caller refills and scans again. Nothing here allocates
//! except [`unescape`], which only runs for the rare string that holds a backslash.

/// The JSON type of a located value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    /// `null`.
    Null,
    /// `true`.
    True,
    /// `false`.
    False,
    /// A number.
    Number,
    /// `escaped` tells whether the string holds a backslash escape and needs decoding.
    String {
        /// Whether a backslash escape occurs in the string.
        escaped: bool,
    },
    /// An object.
    Object,
    /// An array.
    Array,
}

/// How deeply arrays and objects may nest inside one value. CloudTrail records nest a few levels;
/// the bound keeps hostile input from costing unbounded work per byte and matches serde_json's
/// (its recursion limit of 128 lets at most 127 levels through).
pub const MAX_DEPTH: usize = 127;

/// Why a byte sequence is not (yet) a valid JSON value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    /// The buffer ended inside the value; more input may complete it.
    #[error("input ends inside a JSON value")]
    Incomplete,
    /// The bytes at `offset` break the JSON grammar.
    #[error("invalid JSON at byte {offset}: expected {expected}")]
    Syntax {
        /// Byte offset in the scanned input.
        offset: usize,
        /// What the grammar allows there, as a phrase (`` `,` or `}` ``).
        expected: &'static str,
    },
    /// A raw control character inside a string (JSON requires it to be escaped).
    #[error("invalid JSON at byte {offset}: unescaped control character in a string")]
    ControlCharacter {
        /// Byte offset of the control character in the scanned input.
        offset: usize,
    },
    /// A backslash sequence JSON does not define.
    #[error("invalid JSON at byte {offset}: bad escape sequence in a string")]
    BadEscape {
        /// Byte offset of the backslash in the scanned input.
        offset: usize,
    },
    /// Nesting beyond [`MAX_DEPTH`].
    #[error("invalid JSON at byte {offset}: nesting deeper than {MAX_DEPTH} levels")]
    TooDeep {
        /// Byte offset of the bracket that opens one level too many, in the scanned input.
        offset: usize,
    },
    /// The value at `offset` should have been an object (a record).
    #[error("byte {offset}: a record must be a JSON object")]
    NotAnObject {
        /// Byte offset of the value in the scanned input.
        offset: usize,
    },
}

impl ScanError {
    /// Shifts the error's offset by `base`, for buffers that start mid-stream.
    pub fn offset_by(self, base: u64) -> ScanError {
        let shift = |o: usize| o.saturating_add(usize::try_from(base).unwrap_or(usize::MAX));
        match self {
            ScanError::Incomplete => ScanError::Incomplete,
            ScanError::Syntax { offset, expected } => ScanError::Syntax {
                offset: shift(offset),
                expected,
            },
            ScanError::ControlCharacter { offset } => ScanError::ControlCharacter {
                offset: shift(offset),
            },
            ScanError::BadEscape { offset } => ScanError::BadEscape {
                offset: shift(offset),
            },
            ScanError::TooDeep { offset } => ScanError::TooDeep {
                offset: shift(offset),
            },
            ScanError::NotAnObject { offset } => ScanError::NotAnObject {
                offset: shift(offset),
            },
        }
    }
}

/// The result of a scanning step.
pub(crate) type Scan<T> = Result<T, ScanError>;

#[inline]
pub(super) fn at(buf: &[u8], pos: usize) -> Scan<u8> {
    buf.get(pos).copied().ok_or(ScanError::Incomplete)
}

/// Skips JSON white space (space, tab, CR, LF) from `pos`.
#[inline]
pub fn skip_ws(buf: &[u8], mut pos: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = buf.get(pos) {
        pos += 1;
    }
    pos
}

/// Succeeds when only white space follows `pos`.
pub fn expect_only_whitespace(buf: &[u8], pos: usize) -> Scan<()> {
    let end = skip_ws(buf, pos);
    if end == buf.len() {
        Ok(())
    } else {
        Err(ScanError::Syntax {
            offset: end,
            expected: "end of input",
        })
    }
}

/// Expects byte `want` at `pos` (after white space) and returns the position after it.
#[inline]
pub fn expect_byte(buf: &[u8], pos: usize, want: u8, expected: &'static str) -> Scan<usize> {
    let pos = skip_ws(buf, pos);
    if at(buf, pos)? == want {
        Ok(pos + 1)
    } else {
        Err(ScanError::Syntax {
            offset: pos,
            expected,
        })
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// A mask whose lowest set high bit marks the first byte of `word` (little-endian) that is a
/// quote, a backslash or a control character. Bytes above that one may be marked spuriously,
/// which is why only the lowest bit is ever used.
#[inline]
fn special_bytes(word: u64) -> u64 {
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let zero_in = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    zero_in(quote) | zero_in(backslash) | below_space
}

/// Scans the string whose opening quote is at `start`. Returns the position after the closing
/// quote and whether the string holds escapes.
#[inline]
pub fn scan_string(buf: &[u8], start: usize) -> Scan<(usize, bool)> {
    let mut i = start + 1;
    let mut escaped = false;
    loop {
        while let Some(chunk) = buf.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let mask = special_bytes(u64::from_le_bytes(word));
            if mask != 0 {
                i += (mask.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        match at(buf, i)? {
            b'"' => return Ok((i + 1, escaped)),
            b'\\' => {
                escaped = true;
                i = scan_escape(buf, i)?;
            }
            c if c < 0x20 => return Err(ScanError::ControlCharacter { offset: i }),
            _ => i += 1,
        }
    }
}

/// Checks the escape whose backslash is at `pos`; returns the position after it.
fn scan_escape(buf: &[u8], pos: usize) -> Scan<usize> {
    match at(buf, pos + 1)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Ok(pos + 2),
        b'u' => {
            for k in 2..6 {
                if !at(buf, pos + k)?.is_ascii_hexdigit() {
                    return Err(ScanError::BadEscape { offset: pos });
                }
            }
            Ok(pos + 6)
        }
        _ => Err(ScanError::BadEscape { offset: pos }),
    }
}

fn scan_literal(buf: &[u8], pos: usize, word: &'static [u8]) -> Scan<usize> {
    let end = pos + word.len();
    let available = &buf[pos..buf.len().min(end)];
    if available != &word[..available.len()] {
        return Err(ScanError::Syntax {
            offset: pos,
            expected: "a JSON value",
        });
    }
    if available.len() < word.len() {
        return Err(ScanError::Incomplete);
    }
    Ok(end)
}

fn scan_digits(buf: &[u8], mut pos: usize) -> Scan<usize> {
    while at(buf, pos)?.is_ascii_digit() {
        pos += 1;
    }
    Ok(pos)
}

/// Scans a number by JSON's grammar. Reaching the buffer's end is `Incomplete`, since the
/// number may go on; a record never ends in a bare number, so that costs nothing.
fn scan_number(buf: &[u8], start: usize) -> Scan<usize> {
    let bad = |offset| ScanError::Syntax {
        offset,
        expected: "a digit",
    };
    let mut pos = start;
    if at(buf, pos)? == b'-' {
        pos += 1;
    }
    match at(buf, pos)? {
        b'0' => pos += 1,
        b'1'..=b'9' => pos = scan_digits(buf, pos + 1)?,
        _ => return Err(bad(pos)),
    }
    if at(buf, pos)? == b'.' {
        if !at(buf, pos + 1)?.is_ascii_digit() {
            return Err(bad(pos + 1));
        }
        pos = scan_digits(buf, pos + 1)?;
    }
    if let b'e' | b'E' = at(buf, pos)? {
        pos += 1;
        if let b'+' | b'-' = at(buf, pos)? {
            pos += 1;
        }
        if !at(buf, pos)?.is_ascii_digit() {
            return Err(bad(pos));
        }
        pos = scan_digits(buf, pos)?;
    }
    Ok(pos)
}

/// Scans a scalar at `pos` (which holds its first byte).
#[inline]
fn scan_scalar(buf: &[u8], pos: usize, first: u8) -> Scan<(usize, JsonType)> {
    match first {
        b'"' => scan_string(buf, pos).map(|(end, escaped)| (end, JsonType::String { escaped })),
        b't' => scan_literal(buf, pos, b"true").map(|end| (end, JsonType::True)),
        b'f' => scan_literal(buf, pos, b"false").map(|end| (end, JsonType::False)),
        b'n' => scan_literal(buf, pos, b"null").map(|end| (end, JsonType::Null)),
        b'-' | b'0'..=b'9' => scan_number(buf, pos).map(|end| (end, JsonType::Number)),
        _ => Err(ScanError::Syntax {
            offset: pos,
            expected: "a JSON value",
        }),
    }
}

/// After a member name's opening quote at `pos`: scans the name and the colon, returning the
/// position of the value (white space skipped).
#[inline]
fn scan_member_name(buf: &[u8], pos: usize) -> Scan<usize> {
    if at(buf, pos)? != b'"' {
        return Err(ScanError::Syntax {
            offset: pos,
            expected: "a member name",
        });
    }
    let (end, _) = scan_string(buf, pos)?;
    let colon = expect_byte(buf, end, b':', "`:`")?;
    Ok(skip_ws(buf, colon))
}

/// Open containers of one skipped value, one bit each (set: object), so nesting costs no
/// allocation.
struct Nesting {
    bits: u128,
    len: usize,
}

impl Nesting {
    fn push(&mut self, is_object: bool, depth: usize, offset: usize) -> Scan<()> {
        if depth + self.len >= MAX_DEPTH {
            return Err(ScanError::TooDeep { offset });
        }
        self.bits = (self.bits << 1) | u128::from(is_object);
        self.len += 1;
        Ok(())
    }
    fn pop(&mut self) {
        self.bits >>= 1;
        self.len -= 1;
    }
    fn in_object(&self) -> bool {
        self.bits & 1 == 1
    }
}

/// Skips (and validates) the value starting at `pos`, which sits `depth` containers deep.
/// Returns the position after it and its type.
pub fn skip_value(buf: &[u8], pos: usize, depth: usize) -> Scan<(usize, JsonType)> {
    let first = at(buf, pos)?;
    let ty = match first {
        b'{' => JsonType::Object,
        b'[' => JsonType::Array,
        _ => return scan_scalar(buf, pos, first),
    };
    let mut nest = Nesting { bits: 0, len: 0 };
    let mut pos = pos;
    // Each turn reads one value (opening a container counts as reading its start), then the
    // separators and closers after it.
    loop {
        let b = at(buf, pos)?;
        match b {
            b'{' | b'[' => {
                let is_object = b == b'{';
                nest.push(is_object, depth, pos)?;
                pos = skip_ws(buf, pos + 1);
                let close = if is_object { b'}' } else { b']' };
                if at(buf, pos)? != close {
                    if is_object {
                        pos = scan_member_name(buf, pos)?;
                    }
                    continue;
                }
                nest.pop();
                pos += 1;
            }
            _ => pos = scan_scalar(buf, pos, b)?.0,
        }
        loop {
            if nest.len == 0 {
                return Ok((pos, ty));
            }
            pos = skip_ws(buf, pos);
            match at(buf, pos)? {
                b',' => {
                    pos = skip_ws(buf, pos + 1);
                    if nest.in_object() {
                        pos = scan_member_name(buf, pos)?;
                    }
                    break;
                }
                b'}' if nest.in_object() => {
                    nest.pop();
                    pos += 1;
                }
                b']' if !nest.in_object() => {
                    nest.pop();
                    pos += 1;
                }
                _ => {
                    return Err(ScanError::Syntax {
                        offset: pos,
                        expected: if nest.in_object() {
                            "`,` or `}`"
                        } else {
                            "`,` or `]`"
                        },
                    })
                }
            }
        }
    }
}

/// One element of an array, or one member's value of an object: its token's bounds in the
/// container's text and its type.
#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) ty: JsonType,
}

/// The elements of an array, or the members of an object, whose text `container` the scanner
/// has validated: `(name, value)` pairs, the name `None` for array elements and otherwise still
/// as written between its quotes (with whether it holds an escape).
pub(super) fn children(container: &str) -> Children<'_> {
    let buf = container.as_bytes();
    let object = buf.first() == Some(&b'{');
    let pos = skip_ws(buf, 1);
    Children {
        buf,
        pos,
        object,
        done: matches!(buf.get(pos), Some(b'}' | b']') | None),
    }
}

/// Iterator returned by [`children`].
pub(super) struct Children<'a> {
    buf: &'a [u8],
    pos: usize,
    object: bool,
    done: bool,
}

impl<'a> Iterator for Children<'a> {
    type Item = (Option<(&'a [u8], bool)>, Token);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        // The text was validated when the record was scanned, so an error here cannot
        // happen; should it, the walk simply ends.
        let step = || -> Scan<Self::Item> {
            let mut pos = self.pos;
            let mut name = None;
            if self.object {
                let (end, escaped) = scan_string(self.buf, pos)?;
                name = Some((&self.buf[pos + 1..end - 1], escaped));
                pos = skip_ws(self.buf, expect_byte(self.buf, end, b':', "`:`")?);
            }
            let (end, ty) = skip_value(self.buf, pos, 0)?;
            Ok((
                name,
                Token {
                    start: pos,
                    end,
                    ty,
                },
            ))
        };
        match step() {
            Ok(item) => {
                let after = skip_ws(self.buf, item.1.end);
                match self.buf.get(after) {
                    Some(b',') => self.pos = skip_ws(self.buf, after + 1),
                    _ => self.done = true,
                }
                Some(item)
            }
            Err(_) => {
                self.done = true;
                None
            }
        }
    }
}

/// Decodes the escapes of a string body that [`scan_string`] accepted. A `\u` escape naming
/// half a surrogate pair without its other half becomes U+FFFD, as serde_json's lossy mode
/// would: the record stays readable and the damage is visible.
pub fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else { break };
        match e {
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let unit = hex4(raw, i + 2);
                chars.nth(3);
                let pair_follows = raw.get(i + 6..).is_some_and(|r| r.starts_with("\\u"));
                let ch = if (0xD800..0xDC00).contains(&unit) && pair_follows {
                    let low = hex4(raw, i + 8);
                    if (0xDC00..0xE000).contains(&low) {
                        chars.nth(5);
                        char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                    } else {
                        None
                    }
                } else {
                    char::from_u32(unit)
                };
                out.push(ch.unwrap_or('\u{FFFD}'));
            }
            other => out.push(other),
        }
    }
    out
}

fn hex4(raw: &str, at: usize) -> u32 {
    raw.get(at..at + 4)
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .unwrap_or(0xFFFD)
}
