//! Account names files: the three shapes, and every mistake with where it is.

use super::*;

const ORIGIN: &str = "names.toml";

fn names(text: &str) -> AccountNames {
    AccountNames::parse(ORIGIN, text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn the_three_shapes_name_the_same_accounts() {
    let toml =
        "# ids as bare or quoted keys\n111111111111 = \"Production\"\n\"999988887777\" = \"Dev\"\n";
    let json = r#"{"111111111111": "Production", "999988887777": "Dev"}"#;
    let listing = r#"{
        "Accounts": [
            {"Id": "111111111111", "Arn": "arn:aws:organizations::111111111111:account/o-exampleorg1/111111111111",
             "Email": "prod@example.com", "Name": "Production", "Status": "ACTIVE",
             "JoinedMethod": "CREATED", "JoinedTimestamp": "2020-01-01T00:00:00Z"},
            {"Id": "999988887777", "Name": "Dev", "Status": "ACTIVE"}
        ]
    }"#;
    for (shape, text) in [("toml", toml), ("json", json), ("organizations", listing)] {
        let n = names(text);
        assert_eq!(n.len(), 2, "{shape}");
        assert_eq!(n.get("111111111111"), Some("Production"), "{shape}");
        assert_eq!(n.get("999988887777"), Some("Dev"), "{shape}");
        assert_eq!(n.get("222222222222"), None, "{shape}");
    }
    assert!(names("").is_empty(), "an empty TOML file names nobody");
}

#[test]
fn every_mistake_fails_naming_the_file() {
    let bad_id = |id: &str| NamesError::BadId {
        origin: ORIGIN.into(),
        id: id.into(),
    };
    let bad_name = |problem| NamesError::BadName {
        origin: ORIGIN.into(),
        id: "111111111111".into(),
        problem,
    };
    let cases = [
        ("short id", "11111111111 = \"x\"".to_owned(), bad_id("11111111111")),
        ("letters", "\"11111111111a\" = \"x\"".to_owned(), bad_id("11111111111a")),
        ("empty name", "111111111111 = \" \"".to_owned(), bad_name("is empty")),
        (
            "long name",
            format!("111111111111 = \"{}\"", "n".repeat(51)),
            bad_name("is longer than 50 characters"),
        ),
        (
            "line break",
            "111111111111 = \"Dev\\nSubject: forged\"".to_owned(),
            bad_name("holds a control character"),
        ),
        (
            "escape",
            r#"{"111111111111": "Dev\u001b[31m"}"#.to_owned(),
            bad_name("holds a control character"),
        ),
        (
            "listed twice",
            r#"{"Accounts": [{"Id": "111111111111", "Name": "a"}, {"Id": "111111111111", "Name": "b"}]}"#
                .to_owned(),
            NamesError::Duplicate {
                origin: ORIGIN.into(),
                id: "111111111111".into(),
            },
        ),
    ];
    for (case, text, want) in cases {
        assert_eq!(AccountNames::parse(ORIGIN, &text), Err(want), "{case}");
    }
    assert_eq!(
        names(&format!("111111111111 = \"{}\"", "n".repeat(50))).len(),
        1,
        "50 characters are allowed"
    );
    // Syntax errors say where.
    let at = |text: &str| match AccountNames::parse(ORIGIN, text) {
        Err(NamesError::Syntax { line_col, .. }) => line_col,
        other => panic!("{text}: {other:?}"),
    };
    assert_eq!(
        at("111111111111 = \"a\"\n222222222222 = 3\n"),
        Some((2, 16))
    );
    assert_eq!(at("{\"111111111111\": 3}"), Some((1, 18)));
    assert!(at("{\"Accounts\": [{\"Id\": \"111111111111\"}]}").is_some());
    let shown = AccountNames::parse(ORIGIN, "111111111111 = 3")
        .unwrap_err()
        .to_string();
    assert!(shown.starts_with("names.toml:1:16: "), "{shown}");
}

#[test]
fn pairs_read_elsewhere_pass_the_same_checks() {
    let pair = |id: &str, name: &str| (id.to_owned(), name.to_owned());
    let origin = "AWS Organizations";
    let named = AccountNames::from_pairs(
        origin,
        [
            pair("111111111111", "Production"),
            pair("999988887777", "Dev"),
        ],
    )
    .unwrap();
    assert_eq!(named.get("999988887777"), Some("Dev"));
    assert_eq!(named.len(), 2);
    let cases = [
        (
            "control character",
            vec![pair("111111111111", "Dev\r\nBcc: x")],
            NamesError::BadName {
                origin: origin.into(),
                id: "111111111111".into(),
                problem: "holds a control character",
            },
        ),
        (
            "no id",
            vec![pair("", "Dev")],
            NamesError::BadId {
                origin: origin.into(),
                id: String::new(),
            },
        ),
        (
            "twice",
            vec![pair("111111111111", "a"), pair("111111111111", "a")],
            NamesError::Duplicate {
                origin: origin.into(),
                id: "111111111111".into(),
            },
        ),
    ];
    for (case, pairs, want) in cases {
        assert_eq!(AccountNames::from_pairs(origin, pairs), Err(want), "{case}");
    }
}
