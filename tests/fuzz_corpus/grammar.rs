//! The filter-pattern check of the fuzz target, driven by generated text instead of a fuzzer:
//! arbitrary text, soups of the grammar's tokens, and patterns the grammar allows. Every input
//! goes through `checks::pattern_on_record`, which asserts the properties (a parse error names
//! a column inside the text; a parsed pattern prints back to the same tree and compiles; it
//! matches each record exactly when the documented semantics, read over serde_json's tree, say
//! it should).

use proptest::prelude::*;
use proptest::sample::select;

use crate::checks;

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
    fn arbitrary_text_parses_or_names_a_column_inside_it(text in any::<String>()) {
        for record in RECORDS {
            checks::pattern_on_record(&text, record);
        }
    }

    #[test]
    fn token_soup_parses_or_names_a_column_inside_it(tokens in prop::collection::vec(token(), 0..40)) {
        let text = tokens.concat();
        for record in RECORDS {
            checks::pattern_on_record(&text, record);
        }
    }

    #[test]
    fn grammar_patterns_parse_print_back_and_evaluate_as_documented(text in pattern_text()) {
        let tree = trailwatch::rules::parse_pattern(&text);
        prop_assert!(tree.is_ok(), "grammar pattern should parse: {:?}: {:?}", text, tree);
        for record in RECORDS {
            checks::pattern_on_record(&text, record);
        }
    }
}
