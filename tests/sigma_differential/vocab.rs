//! The texts records hold and rules look for, drawn from one vocabulary so that generated
//! rules hit generated records often enough: case-folding pairs, wildcard characters and
//! backslashes, number spellings, addresses, timestamps and Base64 of known texts.

use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::select;

use super::reference::base64;

/// Ordinary words, wildcard characters and backslashes, quotes, newlines, astral characters.
pub const WORDS: &[&str] = &[
    "abc",
    "ABC",
    "Abc",
    "hello world",
    "Hello World",
    "say \"hi\"",
    "x\ny",
    "tab\there",
    "",
    " ",
    "a*b",
    "a?b",
    "a\\b",
    "a\\*b",
    "C:\\Windows\\x.exe",
    "C:\\Windows*.exe",
    "C:\\tmp\\",
    "C:\\tmp\\x",
    "ab\\",
    "/",
    "a/b",
    "\u{1F600}",
    "x\u{1F600}y",
    "ConsoleLogin",
    "consolelogin",
    "AssumeRole",
    "signin.amazonaws.com",
    "Root",
    "{\"a\":1}",
    "{\"Action\":\"s3:GetObject\"}",
    "Failure",
    "No",
    "NO",
];

/// Characters SIGMA.md names for case folding, and their neighbours.
pub const FOLDING: &[&str] = &[
    "é", "É", "k", "K", "\u{212A}", "ß", "ẞ", "ss", "SS", "straße", "STRASSE", "STRAẞE", "\u{17F}",
    "s", "Σ", "σ", "ς", "İ", "i",
];

/// Texts that are, or almost are, numbers in JSON syntax, and plain-scalar look-alikes.
pub const NUMBERISH: &[&str] = &[
    "5",
    "05",
    "1.10",
    "1.1",
    "True",
    "true",
    "false",
    "0x1F",
    "1e3",
    "-0",
    " 42",
    "42",
    "+1",
    "-1.5e3",
    "1000",
    "9223372036854775807",
    "9223372036854775808",
    "1e400",
    "1.",
    ".5",
];

/// Addresses, in and out of the text forms SIGMA.md accepts.
pub const ADDRESSES: &[&str] = &[
    "10.0.0.1",
    "10.255.255.255",
    "010.0.0.1",
    "10.0.0.256",
    "11.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "192.168.1.1 ",
    "0.0.0.0",
    "1.2.3",
    "10.0.0.1:80",
    "::ffff:10.0.0.1",
    "::ffff:a00:1",
    "2001:db8::1",
    "2001:DB8:0:0:0:0:0:1",
    "2001:db8::1.2.3.4",
    "2001:db9::",
    "fe80::1",
    "fe80::1%eth0",
    "[::1]",
    "::1",
    "::",
    "1:2:3:4:5:6:7::",
    "1:2:3:4:5:6:7:8::",
    "2001:db8:::1",
];

/// Timestamps, real and not (`24:00`, a leap second, 29 February, ISO week edges).
pub const TIMES: &[&str] = &[
    "2024-02-29T12:05:09Z",
    "2023-02-29T12:00:00Z",
    "2024-12-30T23:59:59.123+05:30",
    "2021-01-03T00:00:00-01:00",
    "2020-12-31T10:00:00Z",
    "2025-03-14T05:07:00Z",
    "2024-01-01T00:00:60Z",
    "2024-01-01 00:00:00Z",
    "2024-01-01T00:00:00",
    "2024-06-15T10:20:30.Z",
    "2024-06-15T10:20:30.5Z",
    "2024-06-15T24:00:00Z",
    "2024-06-15T10:20:30+24:00",
    "2024-06-15T10:20:30+23:59",
    "2024-06-15T10:20:30+0530",
    "1900-02-29T00:00:00Z",
    "2000-02-29T00:00:00Z",
    "2024-13-01T00:00:00Z",
    "2024-06-15t10:20:30z",
    "2010-01-03T09:60:00Z",
];

/// Texts whose Base64 the records carry, alone and inside longer texts.
pub const ENCODED: &[&str] = &[
    "abc",
    "hello world",
    "Hello",
    "é",
    "ab",
    "a",
    "say \"hi\"",
    "*",
];

/// Base64 of each of [`ENCODED`] at every offset in a longer text, as records hold it.
static BASE64: LazyLock<Vec<String>> = LazyLock::new(|| {
    ENCODED
        .iter()
        .flat_map(|t| {
            [
                base64(t.as_bytes()),
                base64(format!(" {t}").as_bytes()),
                base64(format!("  {t}").as_bytes()),
                base64(format!("xx{t}yy").as_bytes()),
                base64(format!("run {t} now").as_bytes()),
            ]
        })
        .collect()
});

/// Every text of the vocabulary.
pub static ALL: LazyLock<Vec<String>> = LazyLock::new(|| {
    [WORDS, FOLDING, NUMBERISH, ADDRESSES, TIMES]
        .iter()
        .flat_map(|group| group.iter().map(|s| (*s).to_owned()))
        .chain(BASE64.iter().cloned())
        .collect()
});

/// A string for a record: each group equally likely, so the rarer kinds of text turn up.
pub fn record_string() -> impl Strategy<Value = String> {
    let own = |g: &'static [&'static str]| select(g).prop_map(str::to_owned);
    prop_oneof![
        3 => own(WORDS),
        2 => own(FOLDING),
        1 => own(NUMBERISH),
        1 => own(ADDRESSES),
        1 => own(TIMES),
        1 => select(BASE64.clone()),
    ]
}

/// Dotted field names for rules: through objects and arrays, one naming a key with a dot
/// (which reaches `x` then `y`, never the member `x.y`), one no record has.
pub const FIELDS: &[&str] = &[
    "a",
    "b",
    "c",
    "a.b",
    "a.b.c",
    "b.a",
    "arr",
    "arr.a",
    "arr.k",
    "arr.a.b",
    "a.arr",
    "x.y",
    "x",
    "é",
    "A",
    "k",
    "eventName",
    "eventSource",
    "userIdentity.type",
    "missing",
];
