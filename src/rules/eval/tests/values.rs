//! How values compare: types, strings and wildcards, escapes, bare words, numbers, regexes.

use super::{check, def};
use crate::record::FieldPlan;
use crate::rules::{RuleError, RuleSet};

#[test]
fn types_do_not_mix() {
    check(
        "types do not mix",
        &[
            (
                "string value, number record",
                r#"{$.a = "5"}"#,
                r#"{"a":5}"#,
                false,
            ),
            (
                "string value, number record, !=",
                r#"{$.a != "5"}"#,
                r#"{"a":5}"#,
                false,
            ),
            (
                "number value, string record",
                "{$.a = 5}",
                r#"{"a":"5"}"#,
                false,
            ),
            (
                "number value, string record, !=",
                "{$.a != 5}",
                r#"{"a":"5"}"#,
                false,
            ),
            (
                "number value, string record, <",
                "{$.a < 9}",
                r#"{"a":"5"}"#,
                false,
            ),
            ("string vs boolean", "{$.a = true}", r#"{"a":true}"#, false),
            (
                "string vs boolean, !=",
                "{$.a != x}",
                r#"{"a":true}"#,
                false,
            ),
            ("string vs null", "{$.a = null}", r#"{"a":null}"#, false),
            ("string vs null, !=", "{$.a != x}", r#"{"a":null}"#, false),
            ("wildcard vs object", "{$.a = *}", r#"{"a":{"b":1}}"#, false),
            (
                "wildcard vs array, !=",
                "{$.a != x}",
                r#"{"a":["x"]}"#,
                false,
            ),
            ("number vs boolean", "{$.a = 1}", r#"{"a":true}"#, false),
            ("number vs array", "{$.a != 1}", r#"{"a":[1]}"#, false),
            ("bare number is a number", "{$.a = 5}", r#"{"a":5}"#, true),
            ("numerically: 5 = 5.0", "{$.a = 5}", r#"{"a":5.0}"#, true),
            ("numerically: 5.0 = 5", "{$.a = 5.0}", r#"{"a":5}"#, true),
            (
                "numerically: 1e2 = 100",
                "{$.a = 1e2}",
                r#"{"a":100}"#,
                true,
            ),
            ("numerically: -0 = 0", "{$.a = 0}", r#"{"a":-0}"#, true),
            (
                "string != on a different string",
                r#"{$.a != "5"}"#,
                r#"{"a":"6"}"#,
                true,
            ),
            (
                "number != on a different number",
                "{$.a != 5}",
                r#"{"a":6}"#,
                true,
            ),
        ],
    );
}

#[test]
fn strings_are_case_sensitive_and_stars_match_any_run() {
    check(
        "strings: case and wildcards",
        &[
            ("same case", r#"{$.a = "Yes"}"#, r#"{"a":"Yes"}"#, true),
            ("other case", r#"{$.a = "Yes"}"#, r#"{"a":"yes"}"#, false),
            (
                "leading star",
                r#"{$.e = "*UnauthorizedOperation"}"#,
                r#"{"e":"Client.UnauthorizedOperation"}"#,
                true,
            ),
            (
                "trailing star",
                r#"{$.e = "AccessDenied*"}"#,
                r#"{"e":"AccessDeniedException"}"#,
                true,
            ),
            (
                "star matches empty",
                r#"{$.e = "AccessDenied*"}"#,
                r#"{"e":"AccessDenied"}"#,
                true,
            ),
            (
                "star in bare word",
                "{$.ip = 123.123.*}",
                r#"{"ip":"123.123.4.5"}"#,
                true,
            ),
            (
                "star in bare word, miss",
                "{$.ip = 123.123.*}",
                r#"{"ip":"123.124.4.5"}"#,
                false,
            ),
            (
                "star in the middle",
                r#"{$.a = "a*z"}"#,
                r#"{"a":"abcz"}"#,
                true,
            ),
            (
                "star spans a newline",
                r#"{$.a = "a*z"}"#,
                r#"{"a":"a\nz"}"#,
                true,
            ),
            (
                "several stars",
                r#"{$.a = "*b*d*"}"#,
                r#"{"a":"abcde"}"#,
                true,
            ),
            (
                "several stars, order",
                r#"{$.a = "*d*b*"}"#,
                r#"{"a":"abcde"}"#,
                false,
            ),
            (
                "lone star matches the empty string",
                r#"{$.a = "*"}"#,
                r#"{"a":""}"#,
                true,
            ),
            ("!= with a star", r#"{$.a != "x*"}"#, r#"{"a":"yz"}"#, true),
            (
                "!= with a star, match",
                r#"{$.a != "x*"}"#,
                r#"{"a":"xz"}"#,
                false,
            ),
        ],
    );
}

#[test]
fn quoted_escapes() {
    check(
        "escapes inside quotes",
        &[
            (
                "escaped quote",
                r#"{$.a = "say \"hi\""}"#,
                r#"{"a":"say \"hi\""}"#,
                true,
            ),
            (
                "escaped backslash",
                r#"{$.a = "C:\\tmp"}"#,
                r#"{"a":"C:\\tmp"}"#,
                true,
            ),
            (
                "escaped star is literal",
                r#"{$.a = "a\*"}"#,
                r#"{"a":"a*"}"#,
                true,
            ),
            (
                "escaped star is not a wildcard",
                r#"{$.a = "a\*"}"#,
                r#"{"a":"ab"}"#,
                false,
            ),
            (
                "record escapes are decoded",
                r#"{$.a = "CreateTrail"}"#,
                r#"{"a":"Create\u0054rail"}"#,
                true,
            ),
            (
                "decoded record with a wildcard",
                r#"{$.a = "*\"*"}"#,
                r#"{"a":"x\"y"}"#,
                true,
            ),
        ],
    );
}

#[test]
fn ordering_operators_take_numbers_only() {
    check(
        "ordering operators on numbers",
        &[
            ("<", "{$.n < 10}", r#"{"n":9}"#, true),
            ("< equal", "{$.n < 10}", r#"{"n":10}"#, false),
            ("<=", "{$.n <= 10}", r#"{"n":10}"#, true),
            (">", "{$.n > 10}", r#"{"n":10.5}"#, true),
            (">=", "{$.n >= 10}", r#"{"n":9.99}"#, false),
            ("negative", "{$.n > -1}", r#"{"n":0}"#, true),
            ("exponent", "{$.n >= 1e3}", r#"{"n":1000}"#, true),
        ],
    );
    let mut plan = FieldPlan::new();
    for pattern in [r#"{$.n < "10"}"#, "{$.n >= ten}", "{$.n > %1%}"] {
        assert!(
            matches!(
                RuleSet::compile(&[def("o", pattern)], &mut plan),
                Err(RuleError::Pattern { .. })
            ),
            "ordering operators with a string value are an error: {pattern}"
        );
    }
}

#[test]
fn bare_words_are_strings_unless_json_numbers() {
    check(
        "bare words",
        &[
            (
                "bare string",
                "{$.eventName = CreateTrail}",
                r#"{"eventName":"CreateTrail"}"#,
                true,
            ),
            (
                "dotted bare string",
                "{$.s = kms.amazonaws.com}",
                r#"{"s":"kms.amazonaws.com"}"#,
                true,
            ),
            (
                "ip with a star",
                "{$.ip = 10.0.0.*}",
                r#"{"ip":"10.0.0.1"}"#,
                true,
            ),
            ("bare number", "{$.n = 42}", r#"{"n":42}"#, true),
            (
                "bare number vs string",
                "{$.n = 42}",
                r#"{"n":"42"}"#,
                false,
            ),
            (
                "not a JSON number: leading zero",
                "{$.n = 042}",
                r#"{"n":"042"}"#,
                true,
            ),
            (
                "not a JSON number: leading zero vs number",
                "{$.n = 042}",
                r#"{"n":42}"#,
                false,
            ),
            (
                "bare TRUE is a string",
                "{$.b = TRUE}",
                r#"{"b":"TRUE"}"#,
                true,
            ),
        ],
    );
}

#[test]
fn regexes_apply_to_strings_only() {
    check(
        "%regex%",
        &[
            (
                "= finds a match",
                "{$.a = %Denied%}",
                r#"{"a":"AccessDeniedException"}"#,
                true,
            ),
            (
                "= anchored miss",
                "{$.a = %^Denied%}",
                r#"{"a":"AccessDenied"}"#,
                false,
            ),
            (
                "!= when no match",
                "{$.a != %^Denied%}",
                r#"{"a":"AccessDenied"}"#,
                true,
            ),
            (
                "!= when a match",
                "{$.a != %Denied%}",
                r#"{"a":"AccessDenied"}"#,
                false,
            ),
            ("= on a number", "{$.a = %1%}", r#"{"a":1}"#, false),
            ("!= on a number", "{$.a != %x%}", r#"{"a":1}"#, false),
            ("!= on a boolean", "{$.a != %x%}", r#"{"a":true}"#, false),
            ("= on null", "{$.a = %.*%}", r#"{"a":null}"#, false),
            (
                "case-sensitive by default",
                "{$.a = %yes%}",
                r#"{"a":"YES"}"#,
                false,
            ),
            (
                "flags in the regex",
                "{$.a = %(?i)yes%}",
                r#"{"a":"YES"}"#,
                true,
            ),
            (
                "on a decoded string",
                "{$.a = %^A$%}",
                r#"{"a":"\u0041"}"#,
                true,
            ),
        ],
    );
}

#[test]
fn numbers_compare_exactly_as_integers_else_as_floats() {
    check(
        "number comparison",
        &[
            (
                "big integers differ",
                "{$.n = 9007199254740993}",
                r#"{"n":9007199254740992}"#,
                false,
            ),
            (
                "big integers equal",
                "{$.n = 9007199254740993}",
                r#"{"n":9007199254740993}"#,
                true,
            ),
            (
                "big integers order",
                "{$.n > 9007199254740992}",
                r#"{"n":9007199254740993}"#,
                true,
            ),
            (
                "i64 extremes",
                "{$.n < -9223372036854775807}",
                r#"{"n":-9223372036854775808}"#,
                true,
            ),
            ("float vs integer", "{$.n < 2}", r#"{"n":1.5}"#, true),
            (
                "float precision",
                "{$.n = 0.3}",
                r#"{"n":0.30000000000000004}"#,
                false,
            ),
            (
                "beyond i64 compares as float",
                "{$.n > 9223372036854775807}",
                r#"{"n":1e19}"#,
                true,
            ),
        ],
    );
}
