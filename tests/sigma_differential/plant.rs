//! Records made to come close to a rule: a record with, at some items' fields, a value built to
//! satisfy the item (wildcards filled in, case changed, Base64 at an offset, an address inside
//! the network, a number near the bound, a timestamp with that part, a text and its fieldref).
//! Random records alone almost never satisfy a `cidr` or a time part; these make each kind of
//! item hold often enough that a disagreement on the matching side shows. Only the choice of
//! inputs leans on the rule: the reference still decides every outcome.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::grammar::{Item, Kind, Pos, Rule, Scalar, Search, TimePart, REGEXES};
use super::json::{Dice, Json};
use super::reference::{base64, json_number};
use super::vocab::ALL;

/// `base` (an object) with values planted for some items of `rule`.
pub fn plant(rule: &Rule, mut base: Json, dice: &mut Dice) -> Json {
    for (_, search) in &rule.detection {
        match search {
            Search::Map(items) => items.iter().for_each(|i| item(i, &mut base, dice)),
            Search::Maps(maps) => {
                let items = &maps[dice.below(maps.len())];
                items.iter().for_each(|i| item(i, &mut base, dice));
            }
            Search::Keywords(list) => keyword(&list[dice.below(list.len())], &mut base, dice),
            Search::Keyword(k) => keyword(k, &mut base, dice),
        }
    }
    base
}

fn keyword(k: &Scalar, root: &mut Json, dice: &mut Dice) {
    if let Some(text) = &k.text {
        let name = format!("kw{}", dice.below(4));
        put(root, &[&name], Json::Str(resolve(text, dice)), dice);
    }
}

fn item(item: &Item, root: &mut Json, dice: &mut Dice) {
    if dice.one_in(5) {
        return;
    }
    let scalars = item.values.scalars();
    let chosen: Vec<&Scalar> = if item.all {
        scalars.iter().collect()
    } else {
        vec![&scalars[dice.below(scalars.len())]]
    };
    let path: Vec<&str> = item.field.split('.').collect();
    for value in chosen {
        if item.field.is_empty() {
            keyword(value, root, dice);
            continue;
        }
        let Some(text) = &value.text else {
            // JSON null, or a text that null does not hold for.
            let v = if dice.one_in(2) {
                Json::Null
            } else {
                Json::Str(ALL[dice.below(ALL.len())].clone())
            };
            put(root, &path, v, dice);
            continue;
        };
        if let Kind::FieldRef(pos) = item.kind {
            let other: Vec<&str> = text.split('.').collect();
            let t = ALL[dice.below(ALL.len())].clone();
            put(root, &other, Json::Str(t.clone()), dice);
            let mine = recase(decorate(t, pos, dice), item.cased, dice);
            put(root, &path, Json::Str(mine), dice);
            continue;
        }
        if let Some(v) = example(item, text, dice) {
            put(root, &path, v, dice);
        }
    }
}

/// A value meant to satisfy `text` as a value of `item`.
fn example(item: &Item, text: &str, dice: &mut Dice) -> Option<Json> {
    Some(match &item.kind {
        Kind::Plain(pos) => {
            let t = recase(decorate(resolve(text, dice), *pos, dice), item.cased, dice);
            if json_number(&t) && dice.one_in(2) {
                Json::Num(t)
            } else if matches!(t.as_str(), "true" | "false") && dice.one_in(2) {
                Json::Bool(t == "true")
            } else {
                Json::Str(t)
            }
        }
        Kind::Base64(pos) => {
            let encoded = base64(unescape(text).as_bytes());
            Json::Str(recase(decorate(encoded, *pos, dice), item.cased, dice))
        }
        Kind::Base64Offset => {
            let mut bytes = "ab".as_bytes()[..dice.below(3)].to_vec();
            bytes.extend_from_slice(unescape(text).as_bytes());
            bytes.extend_from_slice(&b"!?"[..dice.below(3)]);
            Json::Str(format!(
                "{}{}",
                dice.pick(&["", "x ", "=="]),
                base64(&bytes)
            ))
        }
        Kind::Re(_) => {
            let (_, example) = REGEXES.iter().find(|(re, _)| *re == text)?;
            Json::Str((*example).to_owned())
        }
        Kind::Cidr => Json::Str(inside(text, dice)?),
        Kind::Cmp(_) => {
            let near = near(text, dice);
            if dice.one_in(2) {
                Json::Num(near)
            } else {
                Json::Str(near)
            }
        }
        Kind::Exists => {
            if text.eq_ignore_ascii_case("false") {
                return None;
            }
            Json::Obj(Vec::new())
        }
        Kind::FieldRef(_) => return None,
        Kind::Time(part) => Json::Str(timestamp(*part, text.parse().ok()?, dice)?),
    })
}

/// A text the wildcard pattern matches: each `*` and `?` filled in, escapes read.
fn resolve(pattern: &str, dice: &mut Dice) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str(dice.pick(&["", "", "x", "é ", "*"])),
            '?' => out.push_str(dice.pick(&["x", "É", "?", "\u{1F600}"])),
            '\\' if matches!(chars.peek(), Some('*' | '?' | '\\')) => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// A Base64 value's literal text.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some('*' | '?' | '\\')) => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// `text` with something before and after, as its position allows.
fn decorate(text: String, pos: Pos, dice: &mut Dice) -> String {
    let mut around = || dice.pick(&["", "ab", "é ", "\n"]).to_owned();
    match pos {
        Pos::Whole => text,
        Pos::Contains => format!("{}{text}{}", around(), around()),
        Pos::StartsWith => format!("{text}{}", around()),
        Pos::EndsWith => format!("{}{text}", around()),
    }
}

/// Sometimes in another case (which only folded comparison forgives).
fn recase(text: String, cased: bool, dice: &mut Dice) -> String {
    match dice.below(if cased { 8 } else { 3 }) {
        0 => text.to_uppercase(),
        1 => text.to_lowercase(),
        _ => text,
    }
}

/// An address inside the network `value`, in some text form of its family.
fn inside(value: &str, dice: &mut Dice) -> Option<String> {
    let (addr, len) = match value.split_once('/') {
        Some((a, l)) => (a, Some(l.parse::<u32>().ok()?)),
        None => (value, None),
    };
    let host = dice.next();
    Some(match addr.parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => {
            let len = len.unwrap_or(32);
            let free = u32::MAX.checked_shr(len).unwrap_or(0);
            Ipv4Addr::from(u32::from(a) | (host as u32 & free)).to_string()
        }
        IpAddr::V6(a) => {
            let len = len.unwrap_or(128);
            let free = u128::MAX.checked_shr(len).unwrap_or(0);
            let ip = Ipv6Addr::from(u128::from(a) | (u128::from(host) & free));
            if dice.one_in(2) {
                ip.to_string()
            } else {
                let s = ip.segments().map(|g| format!("{g:X}"));
                s.join(":")
            }
        }
    })
}

/// A number at, just above or just below `bound`.
fn near(bound: &str, dice: &mut Dice) -> String {
    if let Ok(n) = bound.parse::<i64>() {
        let d = dice.below(3) as i64 - 1;
        return n.checked_add(d).unwrap_or(n).to_string();
    }
    match dice.below(3) {
        0 => bound.to_owned(),
        1 => format!("{bound}1"),
        _ => format!("-{}", bound.trim_start_matches('-')),
    }
}

/// A real timestamp whose `part` is `value`, when there is one.
fn timestamp(part: TimePart, value: u32, dice: &mut Dice) -> Option<String> {
    let zone = dice.pick(&["Z", "+02:00", "-03:30", ".5Z", ".123456+23:59"]);
    let (y, m, d, h, min) = match part {
        TimePart::Year if (1..=9999).contains(&value) => (value, 3, 14, 5, 7),
        TimePart::Month if (1..=12).contains(&value) => (2024, value, 14, 5, 7),
        TimePart::Day if (1..=31).contains(&value) => (2024, 1, value, 5, 7),
        TimePart::Hour if value <= 23 => (2024, 6, 15, value, 7),
        TimePart::Minute if value <= 59 => (2024, 6, 15, 5, value),
        TimePart::Week if (1..=52).contains(&value) => {
            // 2024-01-01 is the Monday of ISO week 1; its day of the year is 1.
            let doy = 1 + 7 * (value - 1) + dice.below(7) as u32;
            let lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
            let (mut month, mut day) = (1, doy);
            for len in lengths {
                if day <= len {
                    break;
                }
                day -= len;
                month += 1;
            }
            (2024, month, day, 12, 0)
        }
        _ => return None,
    };
    let zone = if zone.starts_with('.') || zone == "Z" {
        zone.to_owned()
    } else {
        format!(".0{zone}")
    };
    Some(format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:09{zone}"))
}

/// Sets the member at `path`, making objects on the way; a member already there is replaced,
/// or joined with the new value in an array. Through an array, one element takes it.
fn put(node: &mut Json, path: &[&str], value: Json, dice: &mut Dice) {
    let Some((step, rest)) = path.split_first() else {
        *node = value;
        return;
    };
    match node {
        Json::Obj(members) => match members.iter_mut().find(|(n, _)| n == step) {
            Some((_, child)) if rest.is_empty() => {
                if dice.one_in(3) {
                    let old = std::mem::replace(child, Json::Null);
                    *child = Json::Arr(vec![old, value]);
                } else {
                    *child = value;
                }
            }
            Some((_, child)) => put(child, rest, value, dice),
            None => {
                let mut child = Json::Null;
                put(&mut child, rest, value, dice);
                if dice.one_in(4) {
                    child = Json::Arr(vec![child]);
                }
                members.push(((*step).to_owned(), child));
            }
        },
        Json::Arr(items) if !items.is_empty() => {
            let i = dice.below(items.len());
            put(&mut items[i], path, value, dice);
        }
        _ => {
            *node = Json::Obj(Vec::new());
            put(node, path, value, dice);
        }
    }
}
