//! The modifier chains SIGMA.md allows and refuses, and each matcher's corner cases.

use super::*;

fn compile(modifiers: &[&str], value: &str) -> Result<Matcher, String> {
    Matcher::compile(&chain(modifiers)?, value)
}

fn holds(modifiers: &[&str], value: &str, text: &str) -> bool {
    compile(modifiers, value).unwrap().holds(text)
}

#[test]
fn chains_allowed() {
    let ok: &[&[&str]] = &[
        &[],
        &["contains"],
        &["startswith", "cased"],
        &["cased", "endswith", "all", "neq"],
        &["base64"],
        &["base64", "contains"],
        &["base64", "startswith", "cased"],
        &["base64offset", "contains"],
        &["re"],
        &["re", "i", "m", "s"],
        &["re", "s", "i"],
        &["cidr"],
        &["gt"],
        &["lte", "neq"],
        &["exists"],
        &["exists", "neq"],
        &["fieldref"],
        &["fieldref", "endswith", "cased"],
        &["week"],
        &["all", "contains"],
    ];
    for m in ok {
        chain(m).unwrap_or_else(|e| panic!("{m:?}: {e}"));
    }
}

#[test]
fn chains_refused() {
    let cases: &[(&[&str], &str)] = &[
        (&["contains", "contains"], "given twice"),
        (&["Contains"], "unknown modifier `Contains`"),
        (&["nope"], "unknown modifier `nope`"),
        (&["windash"], "not supported"),
        (&["wide"], "not supported"),
        (&["utf16"], "not supported"),
        (&["utf16le"], "not supported"),
        (&["utf16be"], "not supported"),
        (&["expand"], "not supported"),
        (&["base64offset"], "needs `contains`"),
        (&["base64offset", "startswith"], "needs `contains`"),
        (&["contains", "startswith"], "cannot be combined"),
        (&["re", "cidr"], "cannot be combined"),
        (&["i"], "cannot be combined"),
        (&["re", "i", "i"], "given twice"),
        (&["cidr", "cased"], "`cased` applies only"),
        (&["re", "cased"], "`cased` applies only"),
        (
            &["base64offset", "contains", "cased"],
            "`cased` applies only",
        ),
        (&["exists", "all"], "`all` cannot"),
        (&["contains", "base64"], "cannot be combined"),
        (&["fieldref", "re"], "cannot be combined"),
        (&["gt", "lt"], "cannot be combined"),
    ];
    for (m, want) in cases {
        let e = chain(m).unwrap_err();
        assert!(e.contains(want), "{m:?}: {e}");
    }
}

#[test]
fn plain_values_and_escapes() {
    assert!(holds(&[], r"C:\Windows\*.exe", r"C:\Windows*.exe"));
    assert!(!holds(&[], r"C:\Windows\*.exe", r"C:\Windows\x.exe"));
    assert!(holds(&[], r"C:\tmp\\*", r"C:\tmp\anything"));
    assert!(!holds(&[], r"C:\tmp\\*", r"C:\tmpx"));
    assert!(
        holds(&["endswith"], r"a\", r"xa\"),
        "a trailing backslash is itself"
    );
    assert!(holds(&[], r"\?", "?") && !holds(&[], r"\?", "x"));
    assert!(holds(&[], "a?c", "abc") && !holds(&[], "a?c", "ac"));
    assert!(
        holds(&[], "", "") && !holds(&[], "", " "),
        "'' matches only ''"
    );
    assert!(holds(&["contains"], "", "anything"));
    assert!(holds(&["contains"], "*", ""), "`*` holds for any text");
    assert!(holds(&[], "NO", "No"), "case-insensitive by default");
    assert!(!holds(&["cased"], "NO", "No"));
    assert!(holds(&["startswith"], "Get", "getObject"));
    assert!(holds(&["endswith"], "object", "GetObject"));
    assert!(holds(&[], "a*", "a\nb"), "a run crosses newlines");
}

#[test]
fn base64_values() {
    // "hello" → aGVsbG8=
    assert!(holds(&["base64"], "hello", "aGVsbG8="));
    assert!(holds(&["base64", "contains"], "hello", "xx aGVsbG8= yy"));
    assert!(
        holds(&["base64"], "hello", "AGVSBG8="),
        "folded like any plain value"
    );
    assert!(!holds(&["base64", "cased"], "hello", "AGVSBG8="));
    assert!(
        holds(&["base64"], r"a\*", "YSo="),
        "escapes read first: `a*`"
    );
    let e = compile(&["base64"], "a*").unwrap_err();
    assert!(e.contains("unescaped wildcard"), "{e}");
    let e = compile(&["base64offset", "contains"], "a?").unwrap_err();
    assert!(e.contains("unescaped wildcard"), "{e}");
}

#[test]
fn base64_offsets_follow_the_formula() {
    // SIGMA.md's formula for "ping" (n = 4), worked by hand:
    // i=0: B="cGluZw==", drop 0 first and (0,3,2)[4 % 3]=3 last characters;
    // i=1: B=" ping"→"IHBpbmc=", drop 2 first and (0,3,2)[5 % 3]=2 last;
    // i=2: B="  ping"→"ICBwaW5n", drop 3 first and (0,3,2)[6 % 3]=0 last.
    let v = base64_offsets(b"ping");
    assert_eq!(v, ["cGluZ", "Bpbm", "waW5n"]);
    for (i, variant) in v.iter().enumerate() {
        let mut text = " ".repeat(i) + "ping";
        text = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
        assert!(
            text.contains(variant.as_str()),
            "variant {i} {variant} in {text}"
        );
    }
    let m = compile(&["base64offset", "contains"], "ping").unwrap();
    for prefix in ["", "a", "ab", "abc"] {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{prefix}ping"));
        assert!(m.holds(&encoded), "{prefix:?}: {encoded}");
    }
    assert!(!m.holds(&base64::engine::general_purpose::STANDARD.encode("pong")));
}

#[test]
fn regexes() {
    assert!(holds(&["re"], "b+", "abbc"), "found anywhere");
    assert!(!holds(&["re"], "^b", "abc"));
    assert!(!holds(&["re"], "ABC", "abc"), "case-sensitive without i");
    assert!(holds(&["re", "i"], "ABC", "xabcx"));
    assert!(holds(&["re", "m"], "^b$", "a\nb\nc"));
    assert!(!holds(&["re"], "^b$", "a\nb\nc"));
    assert!(holds(&["re", "s"], "a.b", "a\nb"));
    assert!(!holds(&["re"], "a.b", "a\nb"));
    let e = compile(&["re"], "(").unwrap_err();
    assert!(e.contains("invalid regex"), "{e}");
}

#[test]
fn networks() {
    assert!(holds(&["cidr"], "10.0.0.0/8", "10.1.2.3"));
    assert!(!holds(&["cidr"], "10.0.0.0/8", "11.0.0.1"));
    assert!(holds(&["cidr"], "0.0.0.0/0", "255.255.255.255"));
    assert!(
        holds(&["cidr"], "192.168.1.7", "192.168.1.7"),
        "bare address is /32"
    );
    assert!(!holds(&["cidr"], "192.168.1.7", "192.168.1.8"));
    assert!(
        !holds(&["cidr"], "10.0.0.0/8", "010.1.2.3"),
        "leading zeros are no address"
    );
    assert!(!holds(&["cidr"], "10.0.0.0/8", "10.1.2.3:80"));
    assert!(!holds(&["cidr"], "10.0.0.0/8", " 10.1.2.3"));
    assert!(
        !holds(&["cidr"], "10.0.0.0/8", "::ffff:10.0.0.1"),
        "IPv6 is not IPv4"
    );
    assert!(holds(&["cidr"], "::ffff:0:0/96", "::ffff:10.0.0.1"));
    assert!(holds(&["cidr"], "2001:db8::/32", "2001:DB8::1"));
    assert!(!holds(&["cidr"], "2001:db8::/32", "[2001:db8::1]"));
    assert!(!holds(&["cidr"], "2001:db8::/32", "2001:db8::1%eth0"));
    assert!(holds(&["cidr"], "::1", "::1"), "bare IPv6 is /128");
    for (bad, why) in [
        ("10.0.0.1/8", "host bits"),
        ("2001:db8::1/32", "host bits"),
        ("10.0.0.0/33", "too long"),
        ("10.0.0.0/", "not an IPv4"),
        ("10.0.0/8", "not an IPv4"),
        ("010.0.0.0/8", "not an IPv4"),
        ("x", "not an IPv4"),
    ] {
        let e = compile(&["cidr"], bad).unwrap_err();
        assert!(e.contains(why), "{bad}: {e}");
    }
}

#[test]
fn numbers() {
    assert!(holds(&["gt"], "5", "6"));
    assert!(!holds(&["gt"], "5", "5"));
    assert!(holds(&["gte"], "5", "5.0"));
    assert!(holds(&["lt"], "5", "-1.5e3"));
    assert!(holds(&["lte"], "1e3", "1000"));
    assert!(
        holds(&["gt"], "9007199254740992", "9007199254740993"),
        "two integers compare exactly"
    );
    for not_a_number in [" 42", "+1", "05", "0x1F", "", "1.", "abc"] {
        assert!(!holds(&["gt"], "0", not_a_number), "{not_a_number:?}");
    }
    for bad in ["05", "abc", "+1", "0x1F", ""] {
        assert!(compile(&["gt"], bad).is_err(), "{bad:?}");
    }
}

#[test]
fn time_parts() {
    let t = "2026-03-01T14:05:09.123+02:00";
    assert!(holds(&["minute"], "5", t));
    assert!(holds(&["hour"], "14", t), "no time-zone conversion");
    assert!(holds(&["day"], "1", t));
    assert!(holds(&["month"], "3", t));
    assert!(holds(&["year"], "2026", t));
    assert!(holds(&["week"], "9", t), "ISO week of 2026-03-01 is 9");
    assert!(
        holds(&["week"], "53", "2021-01-01T00:00:00Z"),
        "ISO week of the year before"
    );
    assert!(holds(&["day"], "29", "2024-02-29T00:00:00Z"));
    for not_a_time in [
        "2023-02-29T00:00:00Z",
        "2026-03-01T24:00:00Z",
        "2026-03-01T14:05:60Z",
        "2026-03-01 14:05:09Z",
        "2026-03-01T14:05:09",
        "2026-03-01T14:05:09.Z",
        "2026-03-01T14:05:09+2:00",
        "2026-03-01T14:05:09+24:00",
        "2026-13-01T14:05:09Z",
        "2026-03-01T14:05:09Zx",
    ] {
        assert!(!holds(&["year"], "2026", not_a_time), "{not_a_time}");
    }
    assert!(compile(&["hour"], "-1").is_err());
    assert!(compile(&["hour"], "x").is_err());
    assert!(compile(&["hour"], "").is_err());
    assert!(
        !holds(&["year"], "99999999999", t),
        "a non-negative integer past u32"
    );
    assert!(holds(&["minute"], "000000000000000000005", t));
}

#[test]
fn a_regex_is_searched_for_the_literal_every_match_contains() {
    let literal = |value: &str| {
        let hir = regex_syntax::Parser::new().parse(value).unwrap();
        search::required_literal(&hir).map(|b| String::from_utf8(b).unwrap())
    };
    assert_eq!(
        literal(".+:assumed-role/aws:.+").as_deref(),
        Some(":assumed-role/aws:")
    );
    assert_eq!(
        literal("^arn:aws:iam::[0-9]{12}:root$").as_deref(),
        Some("arn:aws:iam::")
    );
    assert_eq!(literal("Delete").as_deref(), Some("Delete"));
    for none in [
        "(?i)Delete",
        "Create|Delete",
        "x*",
        "(Delete)+",
        "[a-z]+",
        "",
    ] {
        assert_eq!(literal(none), None, "{none}");
    }
    // The search agrees with the regex itself, with and without the literal, and folded.
    for (modifiers, value) in [
        (&["re"][..], ".+:assumed-role/aws:.+"),
        (&["re", "i"][..], ".+:ASSUMED-role/aws:.+"),
        (&["re"][..], "^arn:aws:iam::[0-9]{12}:root$"),
    ] {
        let regex = regex::RegexBuilder::new(value)
            .case_insensitive(modifiers.contains(&"i"))
            .build()
            .unwrap();
        for text in [
            "arn:aws:sts::111111111111:assumed-role/aws:ec2-infrastructure/i-0",
            "arn:aws:sts::111111111111:assumed-role/Admin/alice",
            ":assumed-role/aws:",
            "x:assumed-role/aws:y",
            "arn:aws:iam::123456789012:root",
            "arn:aws:iam::12345678901:root",
            "",
        ] {
            assert_eq!(
                holds(modifiers, value, text),
                regex.is_match(text),
                "{value} on {text}"
            );
        }
    }
}
