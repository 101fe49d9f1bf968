//! Property tests over the whole engine: the parser never panics, patterns built from the
//! grammar always parse, print back to the same tree, compile and evaluate without panicking.

use proptest::prelude::*;
use proptest::sample::select;

use super::*;
use crate::fields::{FieldPlan, Fields, Record};

/// Pieces the grammar is made of, to build strings that come close to patterns.
fn token() -> impl Strategy<Value = &'static str> {
    select(vec![
        "{", "}", "(", ")", "$", ".", "[", "]", "0", "12", "$.a", "$.b.c", "$.d[0]", "=", "!=",
        "<", ">", "<=", ">=", "&&", "||", "&", "|", "!", "IS", "TRUE", "FALSE", "NULL", "EXISTS",
        "NOT", "\"", "\\", "\\\"", "\\*", "*", "%", "%a%", "%(%", "x", "-1.5", "1e3", " ", "\t",
        "\n", "é", "\"q*\"",
    ])
}

/// Optional white space between tokens.
fn ws() -> impl Strategy<Value = &'static str> {
    select(vec!["", "", " ", "\t", "\n", "\r\n", "  "])
}

fn selector() -> impl Strategy<Value = String> {
    let step = prop_oneof![
        select(vec![
            "a",
            "b",
            "eventName",
            "x-amz-id-2",
            "aws:cloudtrail:arn",
            "é",
            "T*"
        ])
        .prop_map(|name| format!(".{name}")),
        (0usize..3).prop_map(|i| format!("[{i}]")),
    ];
    prop::collection::vec(step, 1..4).prop_map(|steps| format!("${}", steps.concat()))
}

fn number() -> impl Strategy<Value = &'static str> {
    select(vec![
        "0",
        "-1",
        "5.0",
        "1e3",
        "9007199254740993",
        "-2.5E-3",
        "7",
    ])
}

fn string_value() -> impl Strategy<Value = String> {
    let quoted = prop::collection::vec(
        select(vec![
            "a", "*", "\\*", "\\\"", "\\\\", " ", "é", "\n", "%", "}", "&&",
        ]),
        0..5,
    )
    .prop_map(|pieces| format!("\"{}\"", pieces.concat()));
    let bare = prop::collection::vec(select(vec!["a", "*", "10", ".", "-", "$", "é", "\\"]), 1..5)
        .prop_map(|pieces| pieces.concat());
    prop_oneof![quoted, bare]
}

/// What follows a selector; keyword conditions carry their own leading white space, since a
/// name would otherwise run into them.
fn condition() -> impl Strategy<Value = String> {
    let regex = select(vec!["%a%", "%^x.*y$%", "%(?i)yes%", "%[0-9]+%"]).prop_map(str::to_owned);
    let equality_value = prop_oneof![string_value(), number().prop_map(str::to_owned), regex];
    prop_oneof![
        (select(vec!["=", "!="]), ws(), equality_value)
            .prop_map(|(op, w, v)| format!("{op}{w}{v}")),
        (select(vec!["<", ">", "<=", ">="]), ws(), number())
            .prop_map(|(op, w, v)| format!("{op}{w}{v}")),
        select(vec![
            " IS TRUE",
            " IS FALSE",
            "\tIS\nNULL",
            " EXISTS",
            " NOT EXISTS",
            "\nNOT \r\nEXISTS"
        ])
        .prop_map(str::to_owned),
    ]
}

/// Pattern text that the grammar allows, with white space sprinkled where it may stand.
fn pattern_text() -> impl Strategy<Value = String> {
    let term = (selector(), ws(), condition()).prop_map(|(s, w, c)| format!("{s}{w}{c}"));
    let expr = term.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (
                inner.clone(),
                ws(),
                select(vec!["&&", "||"]),
                ws(),
                inner.clone()
            )
                .prop_map(|(a, w1, op, w2, b)| format!("{a}{w1}{op}{w2}{b}")),
            (ws(), inner, ws()).prop_map(|(w1, e, w2)| format!("({w1}{e}{w2})")),
        ]
    });
    (ws(), ws(), expr, ws(), ws()).prop_map(|(a, b, e, c, d)| format!("{a}{{{b}{e}{c}}}{d}"))
}

const RECORDS: [&str; 3] = [
    r#"{"a":"yes","b":{"a":[1,"x",null]},"eventName":"a*-","T*":true}"#,
    r#"{"a":5,"b":[{"a":"10.-"}],"x-amz-id-2":{"aws:cloudtrail:arn":"é"},"é":"\u00e9"}"#,
    r#"{}"#,
];

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = parse_pattern(&text);
    }

    #[test]
    fn never_panics_on_token_soup(tokens in prop::collection::vec(token(), 0..40)) {
        let text = tokens.concat();
        if let Err(e) = parse_pattern(&text) {
            prop_assert!(e.column() >= 1 && e.column() <= text.chars().count() + 1);
        }
    }

    #[test]
    fn grammar_patterns_parse_print_back_and_evaluate(text in pattern_text()) {
        let tree = parse_pattern(&text);
        prop_assert!(tree.is_ok(), "grammar pattern should parse: {:?}: {:?}", text, tree);
        let tree = tree.unwrap();
        let printed = tree.to_string();
        prop_assert_eq!(parse_pattern(&printed), Ok(tree), "printed: {}", printed);

        let def = RuleDef {
            id: "p".to_owned(),
            title: "p".to_owned(),
            severity: Severity::Info,
            pattern: text,
            description: None,
            enabled: true,
            source: RuleSource::Builtin,
        };
        let mut plan = FieldPlan::new();
        let set = RuleSet::compile(&[def], &mut plan).unwrap();
        let mut fields = Fields::new(&plan);
        for record in RECORDS {
            plan.extract(record, &mut fields).unwrap();
            let _ = set.rules()[0].matches(&Record::new(record, &fields));
        }
    }
}
