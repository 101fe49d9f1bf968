//! SIGMA.md's semantics, read again from the document alone and evaluated over the generated
//! structures: the rule as [`grammar`](super::grammar) built it, the record as
//! [`json`](super::json) wrote it. Nothing here calls product code. Wildcards become anchored
//! regexes, and case folding is the `regex` crate's `(?i)`, which SIGMA.md names as its
//! definition; Base64, networks, numbers and calendar arithmetic are written out here.
//!
//! Where SIGMA.md is silent this follows the decisions `src/sigma/mod.rs` documents: a step
//! through an array of arrays reaches the inner elements, `base64offset` variants compare
//! folded, a keyword key without `all` ORs its keywords, a seconds field of `60` and an offset
//! past `23:59` name no real time.

use regex::{Regex, RegexBuilder};

use super::grammar::{of_names, Cond, Item, Kind, Pos, Quant, Rule, Search, TimePart};
use super::json::Node;

/// Whether `rule` matches the record `root`.
pub fn matches(rule: &Rule, root: &Node) -> bool {
    let names: Vec<String> = rule.detection.iter().map(|(n, _)| n.clone()).collect();
    let searches: Vec<bool> = rule
        .detection
        .iter()
        .map(|(_, s)| search(s, root))
        .collect();
    rule.condition
        .iter()
        .any(|c| condition(c, &names, &searches))
}

fn condition(cond: &Cond, names: &[String], searches: &[bool]) -> bool {
    let of = |n: &String| searches[names.iter().position(|m| m == n).expect("a defined name")];
    match cond {
        Cond::Name(n) => of(n),
        Cond::Not(c) => !condition(c, names, searches),
        Cond::And(cs) => cs.iter().all(|c| condition(c, names, searches)),
        Cond::Or(cs) => cs.iter().any(|c| condition(c, names, searches)),
        Cond::Of(q, pattern) => {
            let taken = of_names(pattern.as_deref(), names);
            match q {
                Quant::All => taken.into_iter().all(of),
                Quant::One | Quant::Any => taken.into_iter().any(of),
            }
        }
    }
}

fn search(s: &Search, root: &Node) -> bool {
    let keyword = |t: &Option<String>| {
        let t = t.as_deref().expect("keywords are never null");
        wildcard(t, Pos::Contains, false).is_match(text(root).expect("a record has a text"))
    };
    match s {
        Search::Map(items) => items.iter().all(|i| item(i, root)),
        Search::Maps(maps) => maps.iter().any(|m| m.iter().all(|i| item(i, root))),
        Search::Keywords(list) => list.iter().any(|k| keyword(&k.text)),
        Search::Keyword(k) => keyword(&k.text),
    }
}

/// Whether an item holds on the record.
pub fn item(item: &Item, root: &Node) -> bool {
    let held: Vec<bool> = item
        .values
        .scalars()
        .iter()
        .map(|v| value_holds(item, v.text.as_deref(), root))
        .collect();
    let held = if item.all {
        held.iter().all(|h| *h)
    } else {
        held.iter().any(|h| *h)
    };
    held != item.neq
}

/// Whether one listed value holds on the record.
fn value_holds(item: &Item, value: Option<&str>, root: &Node) -> bool {
    if item.field.is_empty() {
        let value = value.expect("keywords are never null");
        return wildcard(value, Pos::Contains, item.cased).is_match(text(root).unwrap_or_default());
    }
    let path: Vec<&str> = item.field.split('.').collect();
    let vals = values(root, &path);
    let Some(value) = value else {
        return vals.is_empty() || vals.iter().any(|v| matches!(v, Node::Null));
    };
    let texts: Vec<&str> = vals.iter().filter_map(|v| text(v)).collect();
    let any = |f: &dyn Fn(&str) -> bool| texts.iter().any(|t| f(t));
    match &item.kind {
        Kind::Plain(pos) => {
            let re = wildcard(value, *pos, item.cased);
            any(&|t| re.is_match(t))
        }
        Kind::Base64(pos) => {
            let encoded = base64(unescape_literal(value).as_bytes());
            let re = literal_regex(&encoded, *pos, item.cased);
            any(&|t| re.is_match(t))
        }
        Kind::Base64Offset => {
            let variants: Vec<Regex> = base64_offsets(unescape_literal(value).as_bytes())
                .iter()
                .map(|v| literal_regex(v, Pos::Contains, false))
                .collect();
            any(&|t| variants.iter().any(|re| re.is_match(t)))
        }
        Kind::Re(flags) => {
            let re = RegexBuilder::new(value)
                .case_insensitive(flags.contains(&'i'))
                .multi_line(flags.contains(&'m'))
                .dot_matches_new_line(flags.contains(&'s'))
                .build()
                .expect("generated regexes are valid");
            any(&|t| re.is_match(t))
        }
        Kind::Cidr => {
            let net = network(value).expect("generated networks are valid");
            any(&|t| net.contains(t))
        }
        Kind::Cmp(op) => {
            assert!(json_number(value), "generated bounds are numbers: {value}");
            any(&|t| {
                json_number(t)
                    && compare(t, value).is_some_and(|o| match *op {
                        "gt" => o.is_gt(),
                        "gte" => o.is_ge(),
                        "lt" => o.is_lt(),
                        _ => o.is_le(),
                    })
            })
        }
        Kind::Exists => {
            let want = value.eq_ignore_ascii_case("true");
            present(root, &path) == want
        }
        Kind::FieldRef(pos) => {
            let other: Vec<&str> = value.split('.').collect();
            let others: Vec<String> = values(root, &other)
                .iter()
                .filter_map(|v| text(v).map(str::to_owned))
                .collect();
            any(&|t| {
                others
                    .iter()
                    .any(|o| literal_regex(o, *pos, item.cased).is_match(t))
            })
        }
        Kind::Time(part) => {
            // Compared as digits, so that no value is too large.
            assert!(value.bytes().all(|b| b.is_ascii_digit()), "{value}");
            let want = value.trim_start_matches('0');
            any(&|t| {
                time_part(t, *part).is_some_and(|p| p.to_string().trim_start_matches('0') == want)
            })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Fields

/// A value's text: a string's value, a number's or boolean's JSON text, an object's text;
/// null and arrays have none.
fn text(node: &Node) -> Option<&str> {
    match node {
        Node::Str(s) | Node::Num(s) => Some(s),
        Node::Bool(true) => Some("true"),
        Node::Bool(false) => Some("false"),
        Node::Obj { text, .. } => Some(text),
        Node::Null | Node::Arr(_) => None,
    }
}

/// The field's values: member by member, through arrays, a final array replaced by its
/// elements, recursively.
fn values<'n>(node: &'n Node, path: &[&str]) -> Vec<&'n Node> {
    let mut out = Vec::new();
    collect(node, path, &mut out);
    out
}

fn collect<'n>(node: &'n Node, path: &[&str], out: &mut Vec<&'n Node>) {
    match (node, path.split_first()) {
        (Node::Arr(items), _) => items.iter().for_each(|i| collect(i, path, out)),
        (_, None) => out.push(node),
        (Node::Obj { members, .. }, Some((step, rest))) => {
            if let Some((_, v)) = members.iter().find(|(n, _)| n == step) {
                collect(v, rest, out);
            }
        }
        _ => {}
    }
}

/// Whether the path reaches a member, whatever its value; through an array, in one element.
fn present(node: &Node, path: &[&str]) -> bool {
    match (node, path.split_first()) {
        (_, None) => true,
        (Node::Arr(items), _) => items.iter().any(|i| present(i, path)),
        (Node::Obj { members, .. }, Some((step, rest))) => members
            .iter()
            .find(|(n, _)| n == step)
            .is_some_and(|(_, v)| present(v, rest)),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Texts

/// A plain value's wildcard pattern as an anchored regex: `*` any run, `?` one character,
/// `\*` `\?` `\\` those characters, any other backslash itself.
fn wildcard(value: &str, pos: Pos, cased: bool) -> Regex {
    let mut re = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            '\\' if matches!(chars.peek(), Some('*' | '?' | '\\')) => {
                let next = chars.next().expect("peeked");
                re.push_str(&regex::escape(&next.to_string()));
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    anchored(&re, pos, cased)
}

/// A literal text found at `pos`.
fn literal_regex(text: &str, pos: Pos, cased: bool) -> Regex {
    anchored(&regex::escape(text), pos, cased)
}

fn anchored(body: &str, pos: Pos, cased: bool) -> Regex {
    let (before, after) = match pos {
        Pos::Whole => ("^", "$"),
        Pos::Contains => ("", ""),
        Pos::StartsWith => ("^", ""),
        Pos::EndsWith => ("", "$"),
    };
    let flags = if cased { "(?s)" } else { "(?si)" };
    Regex::new(&format!("{flags}{before}(?:{body}){after}")).expect("an escaped pattern")
}

/// A Base64 value's text: its escapes read (it holds no unescaped wildcard).
fn unescape_literal(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.peek(), Some('*' | '?' | '\\')) {
            out.extend(chars.next());
        } else {
            assert!(c != '*' && c != '?', "an unescaped wildcard in {value:?}");
            out.push(c);
        }
    }
    out
}

/// Standard Base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// SIGMA.md's three variants: B = Base64(i spaces + bytes) without its first (0, 2, 3)[i]
/// and last (0, 3, 2)[(n + i) mod 3] characters; nothing when that removes all of it.
fn base64_offsets(bytes: &[u8]) -> Vec<String> {
    (0..3)
        .map(|i| {
            let mut padded = vec![b' '; i];
            padded.extend_from_slice(bytes);
            let b = base64(&padded);
            let first = [0, 2, 3][i];
            let last = [0, 3, 2][(bytes.len() + i) % 3];
            if first + last >= b.len() {
                String::new()
            } else {
                b[first..b.len() - last].to_owned()
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Networks

enum Net {
    V4(u32, u32),
    V6(u128, u32),
}

impl Net {
    fn contains(&self, text: &str) -> bool {
        match *self {
            Net::V4(base, len) => {
                ipv4(text).is_some_and(|a| mask(u128::from(a), 32, len) == u128::from(base))
            }
            Net::V6(base, len) => ipv6(text).is_some_and(|a| mask(a, 128, len) == base),
        }
    }
}

fn mask(addr: u128, bits: u32, len: u32) -> u128 {
    if len == 0 {
        0
    } else {
        addr >> (bits - len) << (bits - len)
    }
}

fn network(value: &str) -> Option<Net> {
    let (addr, len) = match value.split_once('/') {
        Some((a, l)) => (a, Some(l.parse::<u32>().ok()?)),
        None => (value, None),
    };
    if let Some(a) = ipv4(addr) {
        let len = len.unwrap_or(32);
        (len <= 32 && mask(u128::from(a), 32, len) == u128::from(a)).then_some(Net::V4(a, len))
    } else {
        let a = ipv6(addr)?;
        let len = len.unwrap_or(128);
        (len <= 128 && mask(a, 128, len) == a).then_some(Net::V6(a, len))
    }
}

/// Four decimal parts 0-255 without leading zeros.
fn ipv4(text: &str) -> Option<u32> {
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    parts.iter().try_fold(0u32, |acc, p| {
        let ok = !p.is_empty()
            && p.len() <= 3
            && p.bytes().all(|b| b.is_ascii_digit())
            && (p.len() == 1 || !p.starts_with('0'));
        let n: u32 = p.parse().ok().filter(|n| ok && *n <= 255)?;
        Some(acc << 8 | n)
    })
}

/// RFC 4291's text forms: eight groups of 1-4 hex digits, `::` once for one or more zero
/// groups, the last two groups possibly as dotted IPv4.
fn ipv6(text: &str) -> Option<u128> {
    let groups = |s: &str| -> Option<Vec<u16>> {
        if s.is_empty() {
            return Some(Vec::new());
        }
        let parts: Vec<&str> = s.split(':').collect();
        let mut out = Vec::new();
        for (i, p) in parts.iter().enumerate() {
            if i == parts.len() - 1 && p.contains('.') {
                let v4 = ipv4(p)?;
                out.push((v4 >> 16) as u16);
                out.push(v4 as u16);
            } else {
                let ok = (1..=4).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_hexdigit());
                out.push(u16::from_str_radix(p, 16).ok().filter(|_| ok)?);
            }
        }
        Some(out)
    };
    let all = match text.split_once("::") {
        None => {
            let g = groups(text)?;
            (g.len() == 8).then_some(g)?
        }
        Some((head, tail)) => {
            // An IPv4 part may only end the address.
            if head.contains('.') {
                return None;
            }
            let (h, t) = (groups(head)?, groups(tail)?);
            if h.len() + t.len() > 7 {
                return None;
            }
            let mut g = h;
            g.resize(8 - t.len(), 0);
            g.extend(t);
            g
        }
    };
    Some(all.iter().fold(0u128, |acc, g| acc << 16 | u128::from(*g)))
}

// ---------------------------------------------------------------------------------------------
// Numbers

/// JSON number syntax.
pub fn json_number(text: &str) -> bool {
    static RE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$").expect("a regex")
    });
    RE.is_match(text)
}

/// Two 64-bit integers exactly, otherwise both as 64-bit floats.
fn compare(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    let int = |t: &str| {
        t.bytes()
            .all(|c| c.is_ascii_digit() || c == b'-')
            .then(|| t.parse::<i64>().ok())
            .flatten()
    };
    match (int(a), int(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => a.parse::<f64>().ok()?.partial_cmp(&b.parse::<f64>().ok()?),
    }
}

// ---------------------------------------------------------------------------------------------
// Time parts

/// The part of a `YYYY-MM-DDTHH:MM:SS[.digits](Z|+HH:MM|-HH:MM)` text naming a real date and
/// time, as written.
fn time_part(text: &str, part: TimePart) -> Option<u32> {
    static RE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(
            r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-]([0-9]{2}):([0-9]{2}))$",
        )
        .expect("a regex")
    });
    let caps = RE.captures(text)?;
    let n = |i: usize| -> Option<u32> { caps.get(i).map(|m| m.as_str().parse().expect("digits")) };
    let (year, month, day) = (n(1)?, n(2)?, n(3)?);
    let (hour, minute, second) = (n(4)?, n(5)?, n(6)?);
    if let (Some(h), Some(m)) = (n(9), n(10)) {
        if h > 23 || m > 59 {
            return None;
        }
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(match part {
        TimePart::Minute => minute,
        TimePart::Hour => hour,
        TimePart::Day => day,
        TimePart::Month => month,
        TimePart::Year => year,
        TimePart::Week => iso_week(year as i64, month as i64, day as i64),
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// ISO 8601 week number: the week (Monday first) holding the year's first Thursday is 1.
fn iso_week(y: i64, m: i64, d: i64) -> u32 {
    // 1970-01-01 was a Thursday: weekday 1 = Monday .. 7 = Sunday.
    let weekday = |days: i64| (days + 3).rem_euclid(7) + 1;
    let days = days_from_civil(y, m, d);
    let thursday = days - weekday(days) + 4;
    // The week's Thursday decides its year; count weeks from that year's first day.
    let year = if thursday < days_from_civil(y, 1, 1) {
        y - 1
    } else if thursday >= days_from_civil(y + 1, 1, 1) {
        y + 1
    } else {
        y
    };
    ((thursday - days_from_civil(year, 1, 1)) / 7 + 1) as u32
}

// ---------------------------------------------------------------------------------------------
// The reference's own pieces, against SIGMA.md's examples and known values

#[test]
fn wildcards_and_case_read_as_sigma_md_says() {
    let holds =
        |value: &str, pos: Pos, cased: bool, text: &str| wildcard(value, pos, cased).is_match(text);
    assert!(holds(
        r"C:\Windows\*.exe",
        Pos::Whole,
        false,
        r"C:\Windows*.exe"
    ));
    assert!(!holds(
        r"C:\Windows\*.exe",
        Pos::Whole,
        false,
        r"C:\Windows\x.exe"
    ));
    assert!(holds(r"C:\tmp\\*", Pos::Whole, false, "C:\\tmp\\any\nrun"));
    assert!(!holds(r"C:\tmp\\*", Pos::Whole, false, r"C:\tmpx"));
    assert!(holds("a\\", Pos::EndsWith, false, "xa\\"));
    assert!(holds("a?c", Pos::Whole, false, "a\u{1F600}c"));
    assert!(!holds("a?c", Pos::Whole, false, "ac"));
    assert!(holds("", Pos::Whole, false, "") && !holds("", Pos::Whole, false, " "));
    assert!(holds("NO", Pos::Whole, false, "No"));
    for (a, b) in [("é", "É"), ("k", "K"), ("k", "\u{212A}"), ("ß", "ẞ")] {
        assert!(holds(a, Pos::Whole, false, b) && holds(b, Pos::Whole, false, a));
        assert!(!holds(a, Pos::Whole, true, b));
    }
    assert!(!holds("ß", Pos::Whole, false, "ss"));
}

#[test]
fn base64_is_rfc_4648_and_offsets_sit_inside_longer_texts() {
    let vectors = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];
    for (plain, encoded) in vectors {
        assert_eq!(base64(plain.as_bytes()), encoded);
    }
    assert_eq!(base64_offsets(b"abc"), ["YWJj", "FiY", "hYm"]);
    // Variant i is found in the Base64 of any text holding the value after i (mod 3) bytes.
    for value in ["abc", "hello world", "ab", "é"] {
        let variants = base64_offsets(value.as_bytes());
        for before in ["", "x", "xy", "xyz", "wxyz"] {
            for after in ["", "!", "!?", "!?."] {
                let text = base64(format!("{before}{value}{after}").as_bytes());
                let i = before.len() % 3;
                assert!(text.contains(&variants[i]), "{value} {before} {after}");
            }
        }
    }
}

#[test]
fn iso_weeks_and_real_dates() {
    let weeks = [
        ((2021, 1, 3), 53),
        ((2020, 12, 31), 53),
        ((2024, 12, 30), 1),
        ((2025, 3, 14), 11),
        ((2024, 1, 1), 1),
        ((2023, 1, 1), 52),
        ((2026, 12, 31), 53),
        ((2027, 1, 1), 53),
    ];
    for ((y, m, d), week) in weeks {
        assert_eq!(iso_week(y, m, d), week, "{y}-{m}-{d}");
    }
    assert_eq!(time_part("2024-02-29T12:05:09Z", TimePart::Minute), Some(5));
    assert_eq!(
        time_part("2024-12-30T23:59:59.123+05:30", TimePart::Week),
        Some(1)
    );
    for not_real in [
        "2023-02-29T12:00:00Z",
        "1900-02-29T00:00:00Z",
        "2024-06-15T24:00:00Z",
        "2024-06-15T10:20:30.Z",
        "2024-06-15t10:20:30z",
        "2024-06-15T10:20:30+0530",
    ] {
        assert_eq!(time_part(not_real, TimePart::Year), None, "{not_real}");
    }
}

#[test]
fn addresses_read_as_std_reads_rfc_4291_forms() {
    use std::net::{Ipv4Addr, Ipv6Addr};
    let texts = super::vocab::ADDRESSES.iter().copied().chain([
        "1:2:3:4:5:6:1.2.3.4",
        "1:2:3:4:5:6:7:1.2.3.4",
        "00001::",
        ":::",
        "1:::2",
    ]);
    for text in texts {
        assert_eq!(
            ipv4(text),
            text.parse::<Ipv4Addr>().ok().map(u32::from),
            "{text}"
        );
        assert_eq!(
            ipv6(text),
            text.parse::<Ipv6Addr>().ok().map(u128::from),
            "{text}"
        );
    }
}
