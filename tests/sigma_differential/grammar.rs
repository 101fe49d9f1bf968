//! Sigma rules generated from SIGMA.md's grammar, as structures the reference evaluates and as
//! the YAML text the product loads: search identifiers as maps, lists of maps, keyword lists and
//! single keywords; items with every allowed modifier chain, `all`, `neq` and `cased` at any
//! position; values plain, quoted, escaped or null; conditions over the identifiers.

use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::sample::select;

use super::vocab::{self, ALL, FIELDS};

/// Where a value stands in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pos {
    Whole,
    Contains,
    StartsWith,
    EndsWith,
}

impl Pos {
    fn modifier(self) -> Option<&'static str> {
        match self {
            Pos::Whole => None,
            Pos::Contains => Some("contains"),
            Pos::StartsWith => Some("startswith"),
            Pos::EndsWith => Some("endswith"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimePart {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// A modifier chain's kind, besides `all`, `neq` and `cased`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Plain(Pos),
    Base64(Pos),
    Base64Offset,
    /// `re` and its flags in the order written.
    Re(Vec<char>),
    Cidr,
    /// `gt`, `gte`, `lt` or `lte`.
    Cmp(&'static str),
    Exists,
    FieldRef(Pos),
    Time(TimePart),
}

impl Kind {
    /// The chain's modifiers in order, without `all`, `neq` and `cased`.
    fn modifiers(&self) -> Vec<String> {
        let pos = |p: Pos| p.modifier().map(str::to_owned);
        let mut m: Vec<String> = Vec::new();
        match self {
            Kind::Plain(p) => m.extend(pos(*p)),
            Kind::Base64(p) => {
                m.push("base64".into());
                m.extend(pos(*p));
            }
            Kind::Base64Offset => m.extend(["base64offset".into(), "contains".into()]),
            Kind::Re(flags) => {
                m.push("re".into());
                m.extend(flags.iter().map(char::to_string));
            }
            Kind::Cidr => m.push("cidr".into()),
            Kind::Cmp(op) => m.push((*op).into()),
            Kind::Exists => m.push("exists".into()),
            Kind::FieldRef(p) => {
                m.push("fieldref".into());
                m.extend(pos(*p));
            }
            Kind::Time(part) => m.push(
                match part {
                    TimePart::Minute => "minute",
                    TimePart::Hour => "hour",
                    TimePart::Day => "day",
                    TimePart::Week => "week",
                    TimePart::Month => "month",
                    TimePart::Year => "year",
                }
                .into(),
            ),
        }
        m
    }

    fn takes_cased(&self) -> bool {
        matches!(self, Kind::Plain(_) | Kind::Base64(_) | Kind::FieldRef(_))
    }
}

/// A YAML scalar: what it means (`None`: null) and how it is written.
#[derive(Debug, Clone)]
pub struct Scalar {
    pub text: Option<String>,
    /// The scalar on one line, or `|-` for a literal block scalar of `text`'s lines.
    yaml: String,
}

impl Scalar {
    /// The scalar as written after a key or `- `; a block's lines indented by `indent`.
    pub fn yaml(&self, indent: usize) -> String {
        match &self.text {
            Some(text) if self.yaml == "|-" => {
                let mut out = self.yaml.clone();
                for line in text.split('\n') {
                    out.push('\n');
                    if !line.is_empty() {
                        let _ = write!(out, "{:indent$}{line}", "");
                    }
                }
                out
            }
            _ => self.yaml.clone(),
        }
    }
}

/// An item's values: one scalar, or a list (OR, or AND with `all`).
#[derive(Debug, Clone)]
pub enum Values {
    One(Scalar),
    List(Vec<Scalar>),
}

impl Values {
    pub fn scalars(&self) -> &[Scalar] {
        match self {
            Values::One(s) => std::slice::from_ref(s),
            Values::List(list) => list,
        }
    }
}

/// `field|modifiers: values`; an empty field is a keyword item.
#[derive(Debug, Clone)]
pub struct Item {
    pub field: String,
    pub kind: Kind,
    pub all: bool,
    pub neq: bool,
    pub cased: bool,
    /// All the modifiers, in the order written.
    pub modifiers: Vec<String>,
    pub values: Values,
}

impl Item {
    pub fn key(&self) -> String {
        std::iter::once(self.field.as_str())
            .chain(self.modifiers.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("|")
    }
}

/// A search identifier's value.
#[derive(Debug, Clone)]
pub enum Search {
    Map(Vec<Item>),
    Maps(Vec<Vec<Item>>),
    Keywords(Vec<Scalar>),
    Keyword(Scalar),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quant {
    One,
    Any,
    All,
}

/// A condition over the identifiers' names.
#[derive(Debug, Clone)]
pub enum Cond {
    Name(String),
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    /// `them` when the pattern is `None`.
    Of(Quant, Option<String>),
}

/// A generated in-scope rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub title: Scalar,
    pub level: Option<&'static str>,
    pub tags: Vec<Scalar>,
    pub description: Option<Scalar>,
    pub detection: Vec<(String, Search)>,
    /// The condition's alternatives: one string, or a list of them (their OR).
    pub condition: Vec<Cond>,
    pub condition_list: bool,
    /// Layout choices: key order, spacing, quoting of the condition.
    pub layout: u64,
}

// ---------------------------------------------------------------------------------------------
// Scalars

/// Whether `text` can be written as a plain scalar that YAML reads back as exactly `text`.
fn plain_safe(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let second = text.chars().nth(1);
    let first_ok = first.is_alphanumeric()
        || matches!(first, '\\' | '/' | '(')
        || (matches!(first, '-' | '+' | '.') && second.is_some_and(|c| c.is_ascii_digit()));
    first_ok
        && !matches!(text, "null" | "Null" | "NULL" | "~")
        && !text.ends_with(' ')
        && !text.contains(" #")
        && !text
            .chars()
            .any(|c| c.is_control() || matches!(c, ':' | '#' | ',' | '[' | ']' | '{' | '}' | '\t'))
}

/// Whether `text` can be written as a `|-` block: lines starting with no white space (the
/// block's indentation is then clear), no other control character than newline and tab, no
/// final newline (`-` strips it).
fn block_safe(text: &str) -> bool {
    !text.is_empty()
        && !text.ends_with('\n')
        && text
            .split('\n')
            .all(|l| !l.starts_with([' ', '\t']) && !l.chars().any(|c| c.is_control() && c != '\t'))
}

fn single_quoted(text: &str) -> Option<String> {
    (!text.chars().any(char::is_control)).then(|| format!("'{}'", text.replace('\'', "''")))
}

fn double_quoted(text: &str, style: u8) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '/' if style & 4 != 0 => out.push_str("\\/"),
            c if !c.is_ascii() && style & 8 != 0 => {
                if (c as u32) > 0xFFFF {
                    let _ = write!(out, "\\U{:08X}", c as u32);
                } else {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
            }
            c if c.is_ascii_alphabetic() && style & 16 != 0 => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `text` in the style `style` picks among those that can hold it; null as one of
/// YAML's spellings of null, the empty one included.
pub fn scalar(text: Option<&str>, style: u8) -> Scalar {
    let yaml = match text {
        None => ["null", "Null", "NULL", "~", ""][usize::from(style) % 5].to_owned(),
        Some(t) => {
            let mut forms = Vec::new();
            if plain_safe(t) {
                forms.push(t.to_owned());
            }
            forms.extend(single_quoted(t));
            forms.push(double_quoted(t, style));
            if block_safe(t) {
                forms.push("|-".to_owned());
            }
            forms[usize::from(style) % forms.len()].clone()
        }
    };
    Scalar {
        text: text.map(str::to_owned),
        yaml,
    }
}

fn quoted(text: &str) -> String {
    single_quoted(text).unwrap_or_else(|| double_quoted(text, 0))
}

// ---------------------------------------------------------------------------------------------
// Values

/// Wildcard syntax for a text meant literally.
pub fn escape_wildcards(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if matches!(c, '*' | '?' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

const INSERTS: &[&str] = &["*", "?", "\\*", "\\?", "\\\\", "\\", "\\x", "**", "*?"];

const SOUP: &[&str] = &[
    "a", "b", "*", "?", "\\", "\\*", "\\?", "\\\\", "é", "K", "ß", "ss", "x", " ", "\"",
];

/// A piece of a text in some case, with wildcards and escapes put in.
fn mangled(base: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (
        base,
        any::<bool>(),
        0..4u8,
        0..=8usize,
        0..=8usize,
        prop::collection::vec((0..=8usize, select(INSERTS)), 0..3),
    )
        .prop_map(|(text, literal, case, from, len, inserts)| {
            let text = match case {
                1 => text.to_uppercase(),
                2 => text.to_lowercase(),
                _ => text,
            };
            let chars: Vec<char> = text.chars().collect();
            let start = chars.len() * from / 8;
            let end = start + (chars.len() - start) * len.max(1) / 8;
            let piece: String = chars[start..end.max(start)].iter().collect();
            let piece = if literal {
                escape_wildcards(&piece)
            } else {
                piece
            };
            // Inserts go between characters, never inside an escape just written.
            let mut out: Vec<String> = piece.chars().map(String::from).collect();
            if literal {
                out = Vec::new();
                let mut it = piece.chars();
                while let Some(c) = it.next() {
                    let mut s = String::from(c);
                    if c == '\\' {
                        s.extend(it.next());
                    }
                    out.push(s);
                }
            }
            for (at, insert) in inserts {
                let at = out.len() * at / 8;
                out.insert(at, insert.to_owned());
            }
            out.concat()
        })
}

/// A plain value: a vocabulary text as it is or made literal, mangled, or a soup of the
/// wildcard syntax.
fn pattern(base: BoxedStrategy<String>) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (base.clone(), any::<bool>()).prop_map(|(t, literal)| if literal { escape_wildcards(&t) } else { t }),
        4 => mangled(base),
        1 => prop::collection::vec(select(SOUP), 0..5).prop_map(|p| p.concat()),
    ]
}

/// A keyword: like a plain value, or a piece of JSON syntax (`"a":`) the record's text holds.
fn keyword() -> impl Strategy<Value = String> {
    let names = select(&["a", "b", "eventName", "k", "arr", "x.y", "é"][..]);
    prop_oneof![
        4 => pattern(select(ALL.clone()).boxed()),
        1 => names.prop_map(|n| format!("\"{n}\":")),
        1 => Just("say \"hi\"".to_owned()),
        1 => Just("say \\\"hi\\\"".to_owned()),
    ]
}

/// A Base64 value's text: literal, its wildcards escaped.
fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(vocab::ENCODED).prop_map(str::to_owned),
        1 => select(ALL.clone()),
    ]
    .prop_map(|t| {
        t.replace('\\', "\\\\")
            .replace('*', "\\*")
            .replace('?', "\\?")
    })
}

/// Regexes for `re`, each with a text it finds (for records made to match).
pub const REGEXES: &[(&str, &str)] = &[
    ("^a", "abc"),
    ("c$", "abc"),
    ("abc", "xabcx"),
    ("^ABC$", "abc"),
    ("a.c", "a\nc"),
    ("^$", ""),
    (".", "é"),
    ("é", "É"),
    ("É", "é"),
    ("k", "\u{212A}"),
    ("\u{212A}", "k"),
    ("ß", "ẞ"),
    ("ẞ", "ss"),
    ("^[0-9]+$", "42"),
    ("^[A-Z]", "abc"),
    ("^x$", "x\ny"),
    ("^y$", "x\ny"),
    ("x.y", "x\ny"),
    ("x\\ny", "x\ny"),
    ("(?i)straße", "STRAẞE"),
    ("^[0-9a-f:.]+$", "::ffff:10.0.0.1"),
    ("\\*", "a*b"),
    ("a\\?b", "ab"),
    ("\\\\", "a\\b"),
    ("^\\s", " 42"),
    ("hello\\s+world", "hello \t world"),
    ("^.{3}$", "x\u{1F600}y"),
    ("\\p{Greek}", "σ"),
    ("(?-i)abc", "ABC"),
    ("[[:upper:]]", "k"),
    ("\"a\":", "{\"a\":1}"),
];

const NETWORKS: &[&str] = &[
    "10.0.0.0/8",
    "10.0.0.1",
    "10.0.0.1/32",
    "10.0.0.0/31",
    "192.168.0.0/16",
    "0.0.0.0/0",
    "172.16.0.0/12",
    "11.0.0.0/8",
    "::/0",
    "::ffff:0:0/96",
    "2001:db8::/32",
    "2001:DB8::/48",
    "fe80::1",
    "fe80::/10",
    "::1/128",
];

const NUMBERS: &[&str] = &[
    "5",
    "42",
    "-1",
    "0",
    "-0",
    "1.5",
    "1.10",
    "1e3",
    "1000",
    "-1.5e3",
    "9223372036854775807",
    "9007199254740992",
    "1e400",
    "0.5",
    "2024",
];

const TIME_VALUES: &[&str] = &[
    "0",
    "00",
    "5",
    "05",
    "7",
    "9",
    "12",
    "14",
    "29",
    "30",
    "1",
    "2",
    "3",
    "53",
    "2024",
    "2020",
    "2025",
    "59",
    "23",
    "99999999999",
    "000000000000000000007",
];

/// What a value is made from: the vocabulary, or a field and text of a synthetic record.
pub type Harvest = &'static [(String, String)];

/// The texts an item of `kind` lists.
fn value_text(kind: &Kind, base: BoxedStrategy<String>) -> BoxedStrategy<String> {
    let own = |list: &'static [&'static str]| select(list).prop_map(str::to_owned).boxed();
    match kind {
        Kind::Plain(_) => pattern(base).boxed(),
        Kind::Base64(_) | Kind::Base64Offset => literal().boxed(),
        Kind::Re(_) => select(REGEXES).prop_map(|(re, _)| re.to_owned()).boxed(),
        Kind::Cidr => own(NETWORKS),
        Kind::Cmp(_) => own(NUMBERS),
        Kind::Exists => own(&["true", "True", "TRUE", "false", "False", "FALSE"]),
        Kind::FieldRef(_) => own(FIELDS),
        Kind::Time(_) => own(TIME_VALUES),
    }
}

fn position() -> impl Strategy<Value = Pos> {
    select(&[Pos::Whole, Pos::Contains, Pos::StartsWith, Pos::EndsWith][..])
}

fn kind() -> impl Strategy<Value = Kind> {
    let part = select(
        &[
            TimePart::Minute,
            TimePart::Hour,
            TimePart::Day,
            TimePart::Week,
            TimePart::Month,
            TimePart::Year,
        ][..],
    );
    prop_oneof![
        10 => position().prop_map(Kind::Plain),
        2 => position().prop_map(Kind::Base64),
        1 => Just(Kind::Base64Offset),
        2 => prop::sample::subsequence(vec!['i', 'm', 's'], 0..=3)
            .prop_shuffle()
            .prop_map(Kind::Re),
        2 => Just(Kind::Cidr),
        2 => select(&["gt", "gte", "lt", "lte"][..]).prop_map(Kind::Cmp),
        2 => Just(Kind::Exists),
        2 => position().prop_map(Kind::FieldRef),
        2 => part.prop_map(Kind::Time),
    ]
}

/// Inserts `all`, `neq` and `cased` where `at` says among the other modifiers.
fn place(mut modifiers: Vec<String>, extras: &[(&str, bool)], at: &[usize]) -> Vec<String> {
    for ((name, on), at) in extras.iter().zip(at) {
        if *on {
            let i = at % (modifiers.len() + 1);
            modifiers.insert(i, (*name).to_owned());
        }
    }
    modifiers
}

/// A field item; `harvest` (when given) supplies a field and a text that a synthetic record
/// holds, for the kinds whose values are texts.
fn field_item(harvest: Harvest) -> impl Strategy<Value = Item> {
    let source = prop_oneof![
        (select(FIELDS), select(ALL.clone())).prop_map(|(f, t)| (f.to_owned(), t)),
        select(harvest),
    ];
    (kind(), source).prop_flat_map(|(kind, (field, text))| {
        let texts = matches!(kind, Kind::Plain(_)).then_some(text);
        let base = match texts {
            Some(t) => prop_oneof![1 => Just(t), 1 => select(ALL.clone())].boxed(),
            None => select(ALL.clone()).boxed(),
        };
        let values = prop::collection::vec((value_text(&kind, base), any::<u8>(), 0..5u8), 1..4);
        (
            Just(kind),
            Just(field),
            any::<(bool, bool, bool)>(),
            prop::array::uniform3(any::<usize>()),
            any::<bool>(),
            values,
        )
            .prop_map(|(kind, field, (all, neq, cased), at, one, values)| {
                let exists = kind == Kind::Exists;
                let cased = cased && kind.takes_cased();
                let all = all && !exists && values.len() >= 2;
                // `null` takes no modifier but `neq`.
                let nulls = kind == Kind::Plain(Pos::Whole) && !cased && !all;
                let scalars: Vec<Scalar> = values
                    .iter()
                    .map(|(text, style, null)| {
                        let text = (!(nulls && *null == 0)).then_some(text.as_str());
                        // `exists` takes a plain `true` or `false`.
                        let style = if exists { 0 } else { *style };
                        scalar(text, style)
                    })
                    .collect();
                let values = if (exists || one) && !all {
                    Values::One(scalars[0].clone())
                } else {
                    Values::List(scalars)
                };
                let modifiers = place(
                    kind.modifiers(),
                    &[("all", all), ("neq", neq), ("cased", cased)],
                    &at,
                );
                Item {
                    field,
                    kind,
                    all,
                    neq,
                    cased,
                    modifiers,
                    values,
                }
            })
    })
}

/// A keyword item of a map: `'|all'`, `'|cased'`, both, or the empty key.
fn keyword_item() -> impl Strategy<Value = Item> {
    (
        prop::collection::vec((keyword(), any::<u8>()), 1..4),
        any::<(bool, bool, bool)>(),
    )
        .prop_map(|(values, (all, cased, first))| {
            let all = all && values.len() >= 2;
            let mut modifiers = Vec::new();
            if all {
                modifiers.push("all".to_owned());
            }
            if cased {
                modifiers.insert(usize::from(first && all), "cased".to_owned());
            }
            let scalars = values
                .iter()
                .map(|(t, style)| scalar(Some(t), *style))
                .collect();
            Item {
                field: String::new(),
                kind: Kind::Plain(Pos::Whole),
                all,
                neq: false,
                cased,
                modifiers,
                values: Values::List(scalars),
            }
        })
}

/// A map's items, keys distinct (a repeated key fails the load).
fn items(harvest: Harvest) -> impl Strategy<Value = Vec<Item>> {
    let item = prop_oneof![8 => field_item(harvest), 1 => keyword_item()];
    prop::collection::vec(item, 1..4).prop_map(|items| {
        let mut keys = Vec::new();
        items
            .into_iter()
            .filter(|i| {
                let key = i.key();
                let fresh = !keys.contains(&key);
                keys.push(key);
                fresh
            })
            .collect()
    })
}

fn search(harvest: Harvest) -> impl Strategy<Value = Search> {
    let kw = (keyword(), any::<u8>())
        .prop_map(|(t, s)| scalar(Some(&t), s))
        .boxed();
    prop_oneof![
        6 => items(harvest).prop_map(Search::Map),
        3 => prop::collection::vec(items(harvest), 1..3).prop_map(Search::Maps),
        1 => prop::collection::vec(kw.clone(), 1..4).prop_map(Search::Keywords),
        1 => kw.prop_map(Search::Keyword),
    ]
}

// ---------------------------------------------------------------------------------------------
// Conditions

const NAMES: &[&str] = &[
    "selection",
    "sel_1",
    "sel_2",
    "sel-3",
    "filter",
    "filter_main",
    "_hidden",
    "_sel_x",
    "AND",
    "Or",
    "1a",
    "keywords",
];

/// The names a pattern takes: names starting with `_` only when the pattern starts so.
pub fn of_names<'n>(pattern: Option<&str>, names: &'n [String]) -> Vec<&'n String> {
    let pattern = pattern.unwrap_or("*");
    names
        .iter()
        .filter(|n| (pattern.starts_with('_') || !n.starts_with('_')) && glob(pattern, n))
        .collect()
}

/// `*` is any run; everything else itself.
fn glob(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, rest)) => {
            name.starts_with(head)
                && (0..=name.len() - head.len()).any(|skip| {
                    name.get(head.len() + skip..)
                        .is_some_and(|tail| glob(rest, tail))
                })
        }
    }
}

/// A pattern made from a name by putting `*` for part of it.
fn name_pattern(name: &str, from: usize, len: usize) -> String {
    let from = from % (name.len() + 1);
    let len = len % (name.len() - from + 1);
    format!("{}*{}", &name[..from], &name[from + len..])
}

fn condition(names: Vec<String>) -> impl Strategy<Value = Cond> {
    let n = names.clone();
    let leaf = prop_oneof![
        4 => select(names.clone()).prop_map(Cond::Name),
        2 => (
            select(&[Quant::One, Quant::Any, Quant::All][..]),
            select(names.clone()),
            any::<(usize, usize, bool)>(),
        )
            .prop_map(move |(q, name, (from, len, them))| {
                let pattern = (!them).then(|| name_pattern(&name, from, len));
                // A pattern or `them` matching nothing fails the load: name the identifier.
                if of_names(pattern.as_deref(), &n).is_empty() {
                    Cond::Name(name)
                } else {
                    Cond::Of(q, pattern)
                }
            }),
    ];
    leaf.prop_recursive(4, 16, 3, |inner| {
        prop_oneof![
            1 => inner.clone().prop_map(|c| Cond::Not(Box::new(c))),
            1 => prop::collection::vec(inner.clone(), 2..4).prop_map(Cond::And),
            1 => prop::collection::vec(inner, 2..4).prop_map(Cond::Or),
        ]
    })
}

/// The condition as text: the least parentheses precedence needs, more where `layout` says,
/// tokens separated by spaces, tabs and newlines.
pub fn condition_text(cond: &Cond, layout: &mut u64) -> String {
    let mut out = String::new();
    print(cond, 0, layout, &mut out);
    out.trim_start().to_owned()
}

fn next(layout: &mut u64) -> u64 {
    *layout = layout
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *layout >> 33
}

fn sep(layout: &mut u64, out: &mut String) {
    out.push_str([" ", " ", " ", "  ", "\t", "\n", " \n\t"][(next(layout) % 7) as usize]);
}

fn print(cond: &Cond, min: u8, layout: &mut u64, out: &mut String) {
    let prec = match cond {
        Cond::Or(_) => 1,
        Cond::And(_) => 2,
        Cond::Not(_) => 3,
        _ => 4,
    };
    let paren = prec < min || next(layout).is_multiple_of(8);
    if paren {
        if next(layout).is_multiple_of(2) {
            sep(layout, out);
        }
        out.push('(');
    }
    let word = |w: &str, layout: &mut u64, out: &mut String| {
        // Next to a parenthesis a word needs no separator.
        let glued = out.ends_with('(') || out.ends_with(')');
        if !glued || next(layout).is_multiple_of(2) {
            sep(layout, out);
        }
        out.push_str(w);
    };
    match cond {
        Cond::Name(n) => word(n, layout, out),
        Cond::Of(q, pattern) => {
            let q = match q {
                Quant::One => "1",
                Quant::Any => "any",
                Quant::All => "all",
            };
            word(q, layout, out);
            word("of", layout, out);
            word(pattern.as_deref().unwrap_or("them"), layout, out);
        }
        Cond::Not(inner) => {
            word("not", layout, out);
            print(inner, 3, layout, out);
        }
        Cond::And(members) | Cond::Or(members) => {
            let op = if prec == 1 { "or" } else { "and" };
            for (i, m) in members.iter().enumerate() {
                if i > 0 {
                    word(op, layout, out);
                }
                print(m, prec, layout, out);
            }
        }
    }
    if paren {
        if next(layout).is_multiple_of(2) {
            sep(layout, out);
        }
        out.push(')');
    }
}

// ---------------------------------------------------------------------------------------------
// Rules

const LEVELS: &[&str] = &["informational", "low", "medium", "high", "critical"];

/// A rule whose identifiers draw on the vocabulary and on `harvest`.
pub fn rule(harvest: Harvest) -> impl Strategy<Value = Rule> {
    let names = prop::sample::subsequence(NAMES, 1..=4).prop_shuffle();
    names.prop_flat_map(move |names| {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        (
            prop::collection::vec(search(harvest), names.len()),
            prop::collection::vec(condition(names.clone()), 1..3),
            any::<bool>(),
            Just(names),
            (
                any::<u128>(),
                any::<u8>(),
                prop::option::of(select(LEVELS)),
                prop::collection::vec(
                    (
                        select(&["attack.t1078", "5", "True", "cis é", "a: b"][..]),
                        any::<u8>(),
                    ),
                    0..3,
                ),
                prop::option::of(("[a-z ]{0,12}", any::<u8>())),
                any::<u64>(),
            ),
        )
            .prop_map(
                |(
                    searches,
                    condition,
                    list,
                    names,
                    (id, upper, level, tags, description, layout),
                )| {
                    let hex = format!("{id:032x}");
                    let id = format!(
                        "{}-{}-{}-{}-{}",
                        &hex[..8],
                        &hex[8..12],
                        &hex[12..16],
                        &hex[16..20],
                        &hex[20..]
                    );
                    let id = if upper % 3 == 0 {
                        id.to_uppercase()
                    } else {
                        id
                    };
                    Rule {
                        title: scalar(Some(&format!("rule {}", &id[..8])), upper),
                        id,
                        level,
                        tags: tags.iter().map(|(t, s)| scalar(Some(t), *s)).collect(),
                        description: description.map(|(d, s)| scalar(Some(&d), s)),
                        detection: names.into_iter().zip(searches).collect(),
                        condition_list: list || condition.len() > 1,
                        condition,
                        layout,
                    }
                },
            )
    })
}

/// A mapping key as YAML writes it.
fn key(text: &str, style: u64) -> String {
    if plain_safe(text) && !style.is_multiple_of(3) {
        text.to_owned()
    } else if style.is_multiple_of(2) {
        quoted(text)
    } else {
        double_quoted(text, 0)
    }
}

/// Values after their key, a list's items at `indent`, or as a flow sequence (`[a, 'b']`)
/// when `flow` asks and every item can stand in one.
fn values_yaml(values: &Values, indent: usize, flow: bool, out: &mut String) {
    match values {
        Values::One(s) => {
            let _ = writeln!(out, " {}", s.yaml(indent));
        }
        Values::List(list) if flow && list.iter().all(|s| !s.yaml.is_empty() && s.yaml != "|-") => {
            let items: Vec<&str> = list.iter().map(|s| s.yaml.as_str()).collect();
            let _ = writeln!(out, " [{}]", items.join(", "));
        }
        Values::List(list) => {
            out.push('\n');
            for s in list {
                let _ = writeln!(out, "{:indent$}- {}", "", s.yaml(indent + 2));
            }
        }
    }
}

/// A map of items, its first line continuing `out`'s (after `- ` or a newline).
fn map_yaml(items: &[Item], indent: usize, first_inline: bool, layout: &mut u64, out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !first_inline {
            let _ = write!(out, "{:indent$}", "");
        }
        let _ = write!(out, "{}:", key(&item.key(), next(layout)));
        let flow = next(layout).is_multiple_of(4);
        values_yaml(&item.values, indent + 2, flow, out);
    }
}

/// A rule document in parts, so that a mutation can replace, drop or add one.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Top-level entries (`title: ...\n`), by key.
    pub top: Vec<(String, String)>,
    /// Search identifiers: name and the text after `name:`, lines indented by four.
    pub searches: Vec<(String, String)>,
    /// The text after `condition:`.
    pub condition: String,
    /// Where `condition` goes among the identifiers, and how the top-level keys rotate.
    pub layout: u64,
}

impl Doc {
    /// The document's text (without a `---` line).
    pub fn text(&self) -> String {
        let mut detection = String::from("detection:\n");
        let at = (self.layout as usize) % (self.searches.len() + 1);
        for (i, (name, body)) in self.searches.iter().enumerate() {
            if i == at {
                let _ = write!(detection, "  condition:{}", self.condition);
            }
            let _ = write!(detection, "  {name}:{body}");
        }
        if at == self.searches.len() {
            let _ = write!(detection, "  condition:{}", self.condition);
        }
        let mut parts: Vec<String> = self.top.iter().map(|(_, t)| t.clone()).collect();
        parts.push(detection);
        let turn = ((self.layout >> 8) as usize) % parts.len();
        parts.rotate_left(turn);
        parts.concat()
    }

    /// Replaces the top-level entry `key` (or adds it), or drops it when `text` is `None`.
    pub fn set(&mut self, key: &str, text: Option<String>) {
        let at = self.top.iter().position(|(k, _)| k == key);
        match (at, text) {
            (Some(i), Some(t)) => self.top[i].1 = t,
            (None, Some(t)) => self.top.push((key.to_owned(), t)),
            (Some(i), None) => {
                self.top.remove(i);
            }
            (None, None) => {}
        }
    }
}

/// The rule as a document.
pub fn doc(rule: &Rule) -> Doc {
    let mut layout = rule.layout;
    let mut searches = Vec::new();
    for (name, search) in &rule.detection {
        let mut body = String::new();
        match search {
            Search::Map(items) => {
                body.push('\n');
                map_yaml(items, 4, false, &mut layout, &mut body);
            }
            Search::Maps(maps) => {
                body.push('\n');
                for items in maps {
                    body.push_str("    - ");
                    map_yaml(items, 6, true, &mut layout, &mut body);
                }
            }
            Search::Keywords(list) => {
                let flow = next(&mut layout).is_multiple_of(4);
                values_yaml(&Values::List(list.clone()), 4, flow, &mut body);
            }
            Search::Keyword(s) => values_yaml(&Values::One(s.clone()), 4, false, &mut body),
        }
        searches.push((name.clone(), body));
    }
    let texts: Vec<String> = rule
        .condition
        .iter()
        .map(|c| condition_text(c, &mut layout))
        .collect();
    let style = next(&mut layout) as u8;
    let condition = if rule.condition_list {
        let mut c = String::from("\n");
        for t in &texts {
            let _ = writeln!(c, "    - {}", scalar(Some(t), style).yaml(6));
        }
        c
    } else {
        format!(" {}\n", scalar(Some(&texts[0]), style).yaml(4))
    };

    let mut top = vec![
        (
            "title".to_owned(),
            format!("title: {}\n", rule.title.yaml(2)),
        ),
        (
            "id".to_owned(),
            format!("id: {}\n", key(&rule.id, next(&mut layout))),
        ),
        ("status".to_owned(), "status: test\n".to_owned()),
        (
            "logsource".to_owned(),
            format!(
                "logsource:\n  {}\n  service: cloudtrail\n",
                [
                    "product: aws",
                    "product: 'aws'\n  category: x",
                    "product: \"aws\""
                ][(next(&mut layout) % 3) as usize]
            ),
        ),
    ];
    if let Some(level) = rule.level {
        top.push(("level".to_owned(), format!("level: {level}\n")));
    }
    if !rule.tags.is_empty() {
        let mut tags = String::from("tags:\n");
        for t in &rule.tags {
            let _ = writeln!(tags, "  - {}", t.yaml(4));
        }
        top.push(("tags".to_owned(), tags));
    }
    if let Some(d) = &rule.description {
        top.push((
            "description".to_owned(),
            format!("description: {}\n", d.yaml(2)),
        ));
    }
    Doc {
        top,
        searches,
        condition,
        layout: next(&mut layout),
    }
}
