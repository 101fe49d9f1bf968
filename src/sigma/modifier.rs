//! A field item's modifier chain (`field|contains|all`) and its values, compiled once into tests
//! of a text: wildcard patterns (escapes read, positions added, folded unless `cased`), Base64
//! variants, regexes, networks, numbers and parts of a timestamp.

use std::cmp::Ordering;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use base64::Engine;
use time::{Date, Month, Time, UtcOffset};

use crate::rules::Number;
use crate::text::{Case, Token, Wildcard};

mod search;

use search::Search;

/// Where a value must stand in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Position {
    Whole,
    Contains,
    StartsWith,
    EndsWith,
}

impl Position {
    fn named(name: &str) -> Option<Position> {
        match name {
            "contains" => Some(Position::Contains),
            "startswith" => Some(Position::StartsWith),
            "endswith" => Some(Position::EndsWith),
            _ => None,
        }
    }

    /// `tokens` with runs added around, after or before.
    fn around(self, tokens: Vec<Token>) -> Vec<Token> {
        let (before, after) = match self {
            Position::Whole => (false, false),
            Position::Contains => (true, true),
            Position::StartsWith => (false, true),
            Position::EndsWith => (true, false),
        };
        before
            .then_some(Token::Run)
            .into_iter()
            .chain(tokens)
            .chain(after.then_some(Token::Run))
            .collect()
    }
}

/// A part of a timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TimePart {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// What the chain asks of each value, besides `all`, `neq` and `cased`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Plain(Position),
    Base64(Position),
    Base64Offset,
    Re { i: bool, m: bool, s: bool },
    Cidr,
    Cmp(Ordering, bool),
    Exists,
    FieldRef(Position),
    Time(TimePart),
}

/// A parsed modifier chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Chain {
    pub(super) all: bool,
    pub(super) neq: bool,
    pub(super) case: Case,
    pub(super) kind: Kind,
}

/// Modifiers other tools know that SIGMA.md leaves out on purpose.
const UNSUPPORTED: [&str; 6] = ["windash", "wide", "utf16", "utf16le", "utf16be", "expand"];

/// Parses the modifiers after a field name.
pub(super) fn chain(modifiers: &[&str]) -> Result<Chain, String> {
    let mut seen: Vec<&str> = Vec::new();
    for m in modifiers {
        if seen.contains(m) {
            return Err(format!("modifier `{m}` given twice"));
        }
        if UNSUPPORTED.contains(m) {
            return Err(format!("modifier `{m}` is not supported"));
        }
        seen.push(m);
    }
    let flag = |name| seen.contains(&name);
    let (all, neq, cased) = (flag("all"), flag("neq"), flag("cased"));
    let rest: Vec<&str> = seen
        .iter()
        .copied()
        .filter(|m| !matches!(*m, "all" | "neq" | "cased"))
        .collect();
    let unknown = || -> String {
        match rest.iter().find(|m| !KNOWN.contains(m)) {
            Some(m) => format!("unknown modifier `{m}`"),
            None => format!("modifiers `{}` cannot be combined", rest.join("|")),
        }
    };
    // A position or time part alone, or after `base64` / `fieldref`, is looked up once.
    let position = |p: &str| Position::named(p).ok_or_else(unknown);
    let kind = match rest.as_slice() {
        [] => Kind::Plain(Position::Whole),
        ["base64offset", "contains"] => Kind::Base64Offset,
        ["base64offset", ..] => return Err("`base64offset` needs `contains` after it".to_owned()),
        ["re", flags @ ..] if flags.iter().all(|f| matches!(*f, "i" | "m" | "s")) => Kind::Re {
            i: flags.contains(&"i"),
            m: flags.contains(&"m"),
            s: flags.contains(&"s"),
        },
        ["base64"] => Kind::Base64(Position::Whole),
        ["base64", p] => Kind::Base64(position(p)?),
        ["cidr"] => Kind::Cidr,
        ["gt"] => Kind::Cmp(Ordering::Greater, false),
        ["gte"] => Kind::Cmp(Ordering::Greater, true),
        ["lt"] => Kind::Cmp(Ordering::Less, false),
        ["lte"] => Kind::Cmp(Ordering::Less, true),
        ["exists"] => Kind::Exists,
        ["fieldref"] => Kind::FieldRef(Position::Whole),
        ["fieldref", p] => Kind::FieldRef(position(p)?),
        [one] => match (Position::named(one), time_part(one)) {
            (Some(p), _) => Kind::Plain(p),
            (None, Some(part)) => Kind::Time(part),
            (None, None) => return Err(unknown()),
        },
        _ => return Err(unknown()),
    };
    if cased && !matches!(kind, Kind::Plain(_) | Kind::Base64(_) | Kind::FieldRef(_)) {
        return Err(
            "`cased` applies only to plain, position, `base64` and `fieldref` values".to_owned(),
        );
    }
    if all && kind == Kind::Exists {
        return Err("`all` cannot be combined with `exists`".to_owned());
    }
    Ok(Chain {
        all,
        neq,
        case: if cased { Case::Exact } else { Case::Folded },
        kind,
    })
}

const KNOWN: [&str; 22] = [
    "contains",
    "startswith",
    "endswith",
    "base64",
    "base64offset",
    "re",
    "i",
    "m",
    "s",
    "cidr",
    "gt",
    "gte",
    "lt",
    "lte",
    "exists",
    "fieldref",
    "minute",
    "hour",
    "day",
    "week",
    "month",
    "year",
];

fn time_part(name: &str) -> Option<TimePart> {
    Some(match name {
        "minute" => TimePart::Minute,
        "hour" => TimePart::Hour,
        "day" => TimePart::Day,
        "week" => TimePart::Week,
        "month" => TimePart::Month,
        "year" => TimePart::Year,
        _ => return None,
    })
}

/// A compiled value: what one text must be for the value to hold.
#[derive(Debug, Clone)]
pub(super) enum Matcher {
    Pattern(Wildcard),
    /// `base64offset|contains`: any of the variants, contained.
    AnyOf(Vec<Wildcard>),
    Regex(Search),
    Cidr(Network),
    Cmp {
        order: Ordering,
        or_equal: bool,
        number: Number,
    },
    Time {
        part: TimePart,
        value: u32,
    },
}

impl Matcher {
    /// Compiles `value` (a rule value's text) for a chain whose kind is not `exists`,
    /// `fieldref` or null.
    pub(super) fn compile(chain: &Chain, value: &str) -> Result<Matcher, String> {
        Ok(match chain.kind {
            Kind::Plain(position) => Matcher::Pattern(Wildcard::new(
                position.around(wildcard_tokens(value)),
                chain.case,
            )),
            Kind::Base64(position) => {
                let bytes = literal_text(value, "base64")?;
                let encoded = base64::engine::general_purpose::STANDARD.encode(bytes.as_bytes());
                let tokens = encoded.chars().map(Token::Char).collect();
                Matcher::Pattern(Wildcard::new(position.around(tokens), chain.case))
            }
            Kind::Base64Offset => {
                let text = literal_text(value, "base64offset")?;
                Matcher::AnyOf(
                    base64_offsets(text.as_bytes())
                        .into_iter()
                        .map(|v| {
                            let tokens = v.chars().map(Token::Char).collect();
                            Wildcard::new(Position::Contains.around(tokens), Case::Folded)
                        })
                        .collect(),
                )
            }
            Kind::Re { i, m, s } => Matcher::Regex(
                Search::new(value, i, m, s).map_err(|e| format!("invalid regex `{value}`: {e}"))?,
            ),
            Kind::Cidr => Matcher::Cidr(Network::parse(value)?),
            Kind::Cmp(order, or_equal) => Matcher::Cmp {
                order,
                or_equal,
                number: Number::from_json_text(value)
                    .ok_or_else(|| format!("`{value}` is not a number in JSON syntax"))?,
            },
            Kind::Time(part) => Matcher::Time {
                part,
                // Past u32 a value names no part of any timestamp (a year is at most 9999):
                // it loads and holds for no text.
                value: (!value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| value.parse().unwrap_or(u32::MAX))
                    .ok_or_else(|| format!("`{value}` is not a non-negative integer"))?,
            },
            Kind::Exists | Kind::FieldRef(_) => {
                return Err("internal: exists and fieldref values are not matchers".to_owned())
            }
        })
    }

    /// Whether `text` (one text of the field) satisfies the value.
    pub(super) fn holds(&self, text: &str) -> bool {
        match self {
            Matcher::Pattern(w) => w.matches(text),
            Matcher::AnyOf(variants) => variants.iter().any(|w| w.matches(text)),
            Matcher::Regex(re) => re.is_match(text),
            Matcher::Cidr(net) => net.contains(text),
            Matcher::Cmp {
                order,
                or_equal,
                number,
            } => number
                .compare_number_text(text)
                .is_some_and(|o| o == *order || (*or_equal && o == Ordering::Equal)),
            Matcher::Time { part, value } => time_part_of(text, *part) == Some(*value),
        }
    }

    /// The value's literal text (folded as it compares) when it is a whole-text pattern with
    /// no wildcard: what the rule index keys on.
    pub(super) fn exact_literal(&self) -> Option<(String, Case)> {
        match self {
            Matcher::Pattern(w) => w.as_literal().map(|l| (l, w.case())),
            _ => None,
        }
    }
}

/// A plain value's tokens: `*` and `?` are wildcards; `\*`, `\?`, `\\` stand for `*`, `?`, `\`;
/// any other backslash is itself.
pub(super) fn wildcard_tokens(value: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '*' => Token::Run,
            '?' => Token::One,
            '\\' => match chars.peek() {
                Some(&next @ ('*' | '?' | '\\')) => {
                    chars.next();
                    Token::Char(next)
                }
                _ => Token::Char('\\'),
            },
            c => Token::Char(c),
        });
    }
    tokens
}

/// The text a Base64 value encodes: its escapes read; an unescaped wildcard is an error.
fn literal_text(value: &str, modifier: &str) -> Result<String, String> {
    wildcard_tokens(value)
        .into_iter()
        .map(|t| match t {
            Token::Char(c) => Ok(c),
            _ => Err(format!(
                "`{modifier}` value `{value}` holds an unescaped wildcard"
            )),
        })
        .collect()
}

/// The three Base64 variants of `bytes` at offsets 0, 1 and 2 in a longer text (SIGMA.md).
fn base64_offsets(bytes: &[u8]) -> Vec<String> {
    const FIRST: [usize; 3] = [0, 2, 3];
    const LAST: [usize; 3] = [0, 3, 2];
    (0..3)
        .map(|i| {
            let mut padded = vec![b' '; i];
            padded.extend_from_slice(bytes);
            let b = base64::engine::general_purpose::STANDARD.encode(&padded);
            let cut_end = LAST[(bytes.len() + i) % 3];
            b.get(FIRST[i]..b.len().saturating_sub(cut_end))
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// An IPv4 or IPv6 network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Network {
    V4 { base: u32, len: u32 },
    V6 { base: u128, len: u32 },
}

impl Network {
    fn parse(value: &str) -> Result<Network, String> {
        let bad = || format!("`{value}` is not an IPv4 or IPv6 network");
        let (addr, len) = match value.split_once('/') {
            Some((addr, len)) if !len.is_empty() && len.bytes().all(|b| b.is_ascii_digit()) => {
                (addr, Some(len.parse::<u32>().map_err(|_| bad())?))
            }
            Some(_) => return Err(bad()),
            None => (value, None),
        };
        let net = match addr.parse::<IpAddr>().map_err(|_| bad())? {
            IpAddr::V4(a) => Network::V4 {
                base: u32::from(a),
                len: len.unwrap_or(32),
            },
            IpAddr::V6(a) => Network::V6 {
                base: u128::from(a),
                len: len.unwrap_or(128),
            },
        };
        let host_bits = match net {
            Network::V4 { base, len } if len <= 32 => base & !mask32(len) != 0,
            Network::V6 { base, len } if len <= 128 => base & !mask128(len) != 0,
            _ => return Err(format!("`{value}`: prefix length too long")),
        };
        if host_bits {
            return Err(format!("`{value}` has host bits set"));
        }
        Ok(net)
    }

    fn contains(&self, text: &str) -> bool {
        match *self {
            Network::V4 { base, len } => text
                .parse::<Ipv4Addr>()
                .is_ok_and(|a| u32::from(a) & mask32(len) == base),
            Network::V6 { base, len } => text
                .parse::<Ipv6Addr>()
                .is_ok_and(|a| u128::from(a) & mask128(len) == base),
        }
    }
}

fn mask32(len: u32) -> u32 {
    u32::MAX.checked_shl(32 - len).unwrap_or(0)
}

fn mask128(len: u32) -> u128 {
    u128::MAX.checked_shl(128 - len).unwrap_or(0)
}

/// The part of a `YYYY-MM-DDTHH:MM:SS[.digits](Z|+HH:MM|-HH:MM)` timestamp naming a real date
/// and time, as written (no time-zone conversion); `None` for any other text.
fn time_part_of(text: &str, part: TimePart) -> Option<u32> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let digits = b.get(from..from + len)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let punct = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if !punct.iter().all(|&(i, c)| b.get(i) == Some(&c)) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        i += 1 + digits;
    }
    match b.get(i)? {
        b'Z' if i + 1 == b.len() => {}
        b'+' | b'-' if i + 6 == b.len() && b[i + 3] == b':' => {
            let (h, m) = (num(i + 1, 2)?, num(i + 4, 2)?);
            UtcOffset::from_hms(i8::try_from(h).ok()?, i8::try_from(m).ok()?, 0).ok()?;
            if h > 23 || m > 59 {
                return None;
            }
        }
        _ => return None,
    }
    let date = Date::from_calendar_date(
        i32::try_from(year).ok()?,
        Month::try_from(u8::try_from(month).ok()?).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    Time::from_hms(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
    )
    .ok()?;
    Some(match part {
        TimePart::Minute => minute,
        TimePart::Hour => hour,
        TimePart::Day => day,
        TimePart::Week => u32::from(date.iso_week()),
        TimePart::Month => month,
        TimePart::Year => year,
    })
}

#[cfg(test)]
mod tests;
