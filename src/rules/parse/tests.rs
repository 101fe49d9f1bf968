//! Parser tests: one per syntactic point of the language, plus error columns and fuzzing.

use super::*;

fn parse(text: &str) -> Pattern {
    parse_pattern(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

fn error(text: &str) -> PatternError {
    match parse_pattern(text) {
        Ok(p) => panic!("{text:?} should not parse, got {p:?}"),
        Err(e) => e,
    }
}

/// The test of a single-test pattern.
fn single(text: &str) -> Test {
    match parse(text).expr {
        Expr::Test(t) => t,
        other => panic!("{text:?} is not a single test: {other:?}"),
    }
}

fn key(name: &str) -> Step {
    Step::Key(name.to_owned())
}

#[test]
fn selectors_walk_members_and_indices() {
    let cases: &[(&str, Vec<Step>)] = &[
        ("{$.a EXISTS}", vec![key("a")]),
        (
            "{$.userIdentity.type EXISTS}",
            vec![key("userIdentity"), key("type")],
        ),
        (
            "{$.resources[0].ARN EXISTS}",
            vec![key("resources"), Step::Index(0), key("ARN")],
        ),
        (
            "{$.a[1][12] EXISTS}",
            vec![key("a"), Step::Index(1), Step::Index(12)],
        ),
        ("{$[3] EXISTS}", vec![Step::Index(3)]),
        ("{$.Type EXISTS}", vec![key("Type")]),
        (
            "{$.additionalEventData.x-amz-id-2 EXISTS}",
            vec![key("additionalEventData"), key("x-amz-id-2")],
        ),
        (
            "{$.requestParameters.encryptionContext.aws:cloudtrail:arn EXISTS}",
            vec![
                key("requestParameters"),
                key("encryptionContext"),
                key("aws:cloudtrail:arn"),
            ],
        ),
        ("{$.a*b$c EXISTS}", vec![key("a*b$c")]),
        ("{$.é EXISTS}", vec![key("é")]),
    ];
    for (text, steps) in cases {
        assert_eq!(&single(text).selector.steps, steps, "selector case: {text}");
    }
}

#[test]
fn selector_names_are_case_sensitive() {
    assert_ne!(
        parse("{$.eventName EXISTS}"),
        parse("{$.eventname EXISTS}"),
        "selector case-sensitivity"
    );
}

#[test]
fn selector_syntax_errors() {
    let cases = [
        ("{$ EXISTS}", 3, "bare `$`"),
        ("{$. a EXISTS}", 4, "white space after `.`"),
        ("{$.a .b EXISTS}", 6, "white space before `.`"),
        ("{$.a [0] EXISTS}", 6, "white space before `[`"),
        ("{$.a..b EXISTS}", 6, "empty member name"),
        ("{$.a[] EXISTS}", 6, "empty index"),
        ("{$.a[x] EXISTS}", 6, "non-digit index"),
        ("{$.a[-1] EXISTS}", 6, "negative index"),
        ("{$.a[1 EXISTS}", 7, "unclosed index"),
        (
            "{$.a[99999999999999999999999] EXISTS}",
            6,
            "index beyond usize",
        ),
        ("{a.b EXISTS}", 2, "selector without `$`"),
    ];
    for (text, column, name) in cases {
        assert_eq!(
            error(text).column(),
            column,
            "selector error case: {name}: {}",
            error(text)
        );
    }
}

#[test]
fn white_space_between_any_tokens_and_around_braces() {
    let tight = parse(r#"{($.a="x")||($.b!=1&&$.c IS TRUE)}"#);
    let loose =
        parse(" \t\r\n{ \n ( \t$.a \r= \n\"x\" ) \t|| ( $.b\n!=\t1 && $.c\tIS\r\nTRUE ) \n} \r\n");
    assert_eq!(
        tight, loose,
        "white space (space, tab, CR, LF) between tokens"
    );
    // Other white space is not a separator.
    assert!(
        parse_pattern("{\u{a0}$.a EXISTS}").is_err(),
        "no-break space is not white space"
    );
    assert_eq!(
        single("{$.a\u{c} EXISTS}").selector.steps,
        vec![key("a\u{c}")],
        "form feed is not white space: it belongs to the name"
    );
}

#[test]
fn keywords_are_upper_case_only() {
    let good = [
        ("{$.a IS TRUE}", Check::IsTrue),
        ("{$.a IS FALSE}", Check::IsFalse),
        ("{$.a IS NULL}", Check::IsNull),
        ("{$.a EXISTS}", Check::Exists),
        ("{$.a NOT EXISTS}", Check::NotExists),
        ("{$.a NOT\n EXISTS}", Check::NotExists),
        ("{$.a[0]IS TRUE}", Check::IsTrue),
    ];
    for (text, want) in good {
        assert_eq!(single(text).check, want, "keyword case: {text}");
    }
    let bad = [
        ("{$.a is TRUE}", 6),
        ("{$.a IS true}", 9),
        ("{$.a exists}", 6),
        ("{$.a Exists}", 6),
        ("{$.a not EXISTS}", 6),
        ("{$.a NOT exists}", 10),
        ("{$.a ISTRUE}", 6),
        ("{$.a IS}", 8),
        ("{$.a NOT}", 9),
        ("{$.a}", 5),
    ];
    for (text, column) in bad {
        assert_eq!(
            error(text).column(),
            column,
            "lower-case keyword case: {text}: {}",
            error(text)
        );
    }
}

#[test]
fn bare_words_are_strings_unless_json_numbers() {
    let strings = [
        ("{$.eventName=CreateTrail}", "CreateTrail", true),
        (
            "{$.eventSource=kms.amazonaws.com}",
            "kms.amazonaws.com",
            true,
        ),
        ("{$.ip=10.0.0.*}", "10.0.0.17", true),
        ("{$.ip=10.0.0.*}", "10.0.1.17", false),
        ("{$.n=007}", "007", true),
        ("{$.n=+5}", "+5", true),
        ("{$.n=1.}", "1.", true),
        ("{$.n=5*}", "50", true),
        ("{$.x=$.y}", "$.y", true),
        ("{$.x=TRUE}", "TRUE", true),
        ("{$.x=a\\b}", "a\\b", true),
        ("{$.x=a[0]:b/c,d'e}", "a[0]:b/c,d'e", true),
    ];
    for (text, sample, want) in strings {
        match single(text).check {
            Check::Str {
                negated: false,
                glob,
            } => {
                assert_eq!(
                    glob.matches(sample),
                    want,
                    "bare string case: {text} on {sample:?}"
                )
            }
            other => panic!("bare word case {text}: expected a string, got {other:?}"),
        }
    }
    let numbers = [
        "{$.n=5}",
        "{$.n=-5}",
        "{$.n=0}",
        "{$.n=5.0}",
        "{$.n=1e3}",
        "{$.n=-2.5E-3}",
    ];
    for text in numbers {
        assert!(
            matches!(single(text).check, Check::Num { op: CmpOp::Eq, .. }),
            "bare number case: {text}"
        );
    }
    assert!(
        matches!(single(r#"{$.n="5"}"#).check, Check::Str { .. }),
        "quoted number is a string"
    );
}

#[test]
fn bare_words_stop_at_punctuation() {
    assert_eq!(
        parse("{$.a=x&&$.b=y||$.c=z}"),
        parse(r#"{$.a="x" && $.b="y" || $.c="z"}"#),
        "bare words end at && and ||"
    );
    assert_eq!(
        parse("{($.a=x)}"),
        parse(r#"{$.a="x"}"#),
        "bare word ends at )"
    );
    assert_eq!(
        parse("{$.a=x}"),
        parse(r#"{$.a="x"}"#),
        "bare word ends at }}"
    );
}

#[test]
fn operators() {
    let cases = [
        ("{$.n=1}", CmpOp::Eq),
        ("{$.n!=1}", CmpOp::Ne),
        ("{$.n<1}", CmpOp::Lt),
        ("{$.n>1}", CmpOp::Gt),
        ("{$.n<=1}", CmpOp::Le),
        ("{$.n>=1}", CmpOp::Ge),
        ("{$.n >= -1.5}", CmpOp::Ge),
    ];
    for (text, want) in cases {
        match single(text).check {
            Check::Num { op, .. } => assert_eq!(op, want, "operator case: {text}"),
            other => panic!("operator case {text}: got {other:?}"),
        }
    }
    assert_eq!(
        single(r#"{$.a != "x"}"#).check,
        single(r#"{$.a!="x"}"#).check,
        "!= is a string inequality"
    );
    for text in [
        "{$.a == 1}",
        "{$.a ! = 1}",
        "{$.a =< 1}",
        "{$.a => 1}",
        "{$.a <> 1}",
        "{$.a ~ 1}",
    ] {
        assert!(parse_pattern(text).is_err(), "bad operator case: {text}");
    }
}

#[test]
fn ordering_operators_take_numbers_only() {
    for text in [
        r#"{$.a < "x"}"#,
        "{$.a > x}",
        "{$.a <= 10.0.0.1}",
        r#"{$.a >= "5"}"#,
    ] {
        let e = error(text);
        assert!(
            matches!(e.kind(), PatternErrorKind::OrderingNeedsNumber { .. }),
            "ordering with a string case: {text}: {e}"
        );
    }
    assert_eq!(
        error(r#"{$.a <  "x"}"#).column(),
        9,
        "ordering error points at the value"
    );
}

#[test]
fn quoted_strings_and_escapes() {
    let cases = [
        (r#"{$.a="x y"}"#, "x y", true),
        (r#"{$.a="a\"b"}"#, "a\"b", true),
        (r#"{$.a="a\\b"}"#, "a\\b", true),
        (r#"{$.a="a\*b"}"#, "a*b", true),
        (r#"{$.a="a\*b"}"#, "axxb", false),
        (r#"{$.a="a*b"}"#, "axxb", true),
        (
            r#"{$.a="*UnauthorizedOperation"}"#,
            "Client.UnauthorizedOperation",
            true,
        ),
        (r#"{$.a="(){}&&||=!<>%$.[]"}"#, "(){}&&||=!<>%$.[]", true),
        ("{$.a=\"line\nbreak\"}", "line\nbreak", true),
        (r#"{$.a=""}"#, "", true),
        (r#"{$.a="Yes"}"#, "yes", false),
    ];
    for (text, sample, want) in cases {
        match single(text).check {
            Check::Str { glob, .. } => {
                assert_eq!(
                    glob.matches(sample),
                    want,
                    "quoted case: {text} on {sample:?}"
                )
            }
            other => panic!("quoted case {text}: got {other:?}"),
        }
    }
    let bad = [
        (r#"{$.a="a\nb"}"#, 8, "\\n"),
        (r#"{$.a="\u0041"}"#, 7, "\\u"),
        (r#"{$.a="\/"}"#, 7, "\\/"),
        (r#"{$.a="\%"}"#, 7, "\\%"),
    ];
    for (text, column, seq) in bad {
        let e = error(text);
        assert_eq!(
            (e.column(), e.kind()),
            (
                column,
                &PatternErrorKind::BadEscape {
                    sequence: seq.to_owned()
                }
            ),
            "bad escape case: {text}"
        );
    }
    for text in [r#"{$.a="abc}"#, r#"{$.a="abc\"}"#, r#"{$.a="abc\"#] {
        let e = error(text);
        assert_eq!(
            (e.column(), e.kind()),
            (6, &PatternErrorKind::UnterminatedString),
            "unterminated case: {text}"
        );
    }
}

#[test]
fn regexes() {
    let cases = [
        ("{$.a=%^Access%}", false, "AccessDenied", true),
        ("{$.a=%^Access%}", false, "NoAccess", false),
        ("{$.a!=%[0-9]+%}", true, "abc", false),
        ("{$.a = %a b%}", false, "xa by", true),
        ("{$.a=%(?i)yes%}", false, "YES", true),
        ("{$.a=%x{2}%}", false, "axxb", true),
        ("{$.a=%x{2}%}", false, "axb", false),
    ];
    for (text, negated, sample, found) in cases {
        match single(text).check {
            Check::Regex { negated: n, regex } => {
                assert_eq!(n, negated, "regex operator case: {text}");
                assert_eq!(
                    regex.is_match(sample),
                    found,
                    "regex case: {text} on {sample:?}"
                );
            }
            other => panic!("regex case {text}: got {other:?}"),
        }
    }
}

#[test]
fn regex_errors() {
    type KindCheck = fn(&PatternErrorKind) -> bool;
    let cases: [(&str, usize, KindCheck); 6] = [
        ("{$.a=%%}", 6, |k| *k == PatternErrorKind::EmptyRegex),
        ("{$.a=%abc}", 6, |k| {
            *k == PatternErrorKind::UnterminatedRegex
        }),
        ("{$.a=%(%}", 6, |k| {
            matches!(k, PatternErrorKind::InvalidRegex { .. })
        }),
        (
            "{$.a=%(?=x)%}",
            6,
            |k| matches!(k, PatternErrorKind::InvalidRegex { reason } if reason.contains("look-around") && !reason.contains('\n')),
        ),
        ("{$.a<%x%}", 6, |k| {
            matches!(k, PatternErrorKind::RegexNeedsEquality { op: "<" })
        }),
        ("{$.a >= %x%}", 9, |k| {
            matches!(k, PatternErrorKind::RegexNeedsEquality { op: ">=" })
        }),
    ];
    for (text, column, kind_ok) in cases {
        let e = error(text);
        assert_eq!(e.column(), column, "regex error column case: {text}: {e}");
        assert!(kind_ok(e.kind()), "regex error kind case: {text}: {e}");
    }
}

#[test]
fn and_binds_tighter_than_or_and_parentheses_group() {
    let cases = [
        (
            "{$.a EXISTS || $.b EXISTS && $.c EXISTS}",
            "{$.a EXISTS || ($.b EXISTS && $.c EXISTS)}",
            true,
        ),
        (
            "{$.a EXISTS && $.b EXISTS || $.c EXISTS}",
            "{($.a EXISTS && $.b EXISTS) || $.c EXISTS}",
            true,
        ),
        (
            "{$.a EXISTS || $.b EXISTS && $.c EXISTS}",
            "{($.a EXISTS || $.b EXISTS) && $.c EXISTS}",
            false,
        ),
        (
            "{$.a EXISTS || $.b EXISTS || $.c EXISTS}",
            "{($.a EXISTS || $.b EXISTS) || $.c EXISTS}",
            true,
        ),
        (
            "{$.a EXISTS && $.b EXISTS && $.c EXISTS}",
            "{$.a EXISTS && ($.b EXISTS && $.c EXISTS)}",
            true,
        ),
        ("{(($.a EXISTS))}", "{$.a EXISTS}", true),
    ];
    for (left, right, same) in cases {
        assert_eq!(
            parse(left) == parse(right),
            same,
            "precedence case: {left} vs {right}"
        );
    }
    match parse("{$.a EXISTS || $.b EXISTS && $.c EXISTS}").expr {
        Expr::Or(members) => {
            assert!(
                matches!(members.as_slice(), [Expr::Test(_), Expr::And(_)]),
                "|| at the top"
            )
        }
        other => panic!("precedence: expected an Or at the top, got {other:?}"),
    }
}

#[test]
fn structural_errors_name_the_column() {
    let cases = [
        ("", 1, "end of pattern"),
        ("$.a EXISTS", 1, "`$.a`"),
        ("{}", 2, "`}`"),
        ("{ }", 3, "`}`"),
        ("{$.a EXISTS", 12, "end of pattern"),
        ("{$.a EXISTS} x", 14, "`x`"),
        ("{$.a EXISTS}}", 13, "`}`"),
        ("{$.a EXISTS & $.b EXISTS}", 13, "`&`"),
        ("{$.a EXISTS | $.b EXISTS}", 13, "`|`"),
        ("{$.a EXISTS || }", 16, "`}`"),
        ("{($.a EXISTS}", 13, "`}`"),
        ("{$.a EXISTS)}", 12, "`)`"),
        ("{$.a EXISTS $.b EXISTS}", 13, "`$.b`"),
        ("{$.a = }", 8, "`}`"),
        ("{é $.a EXISTS}", 2, "`é`"),
        ("{$.a = x é}", 10, "`é`"),
    ];
    for (text, column, found) in cases {
        let e = error(text);
        assert_eq!(e.column(), column, "column case: {text:?}: {e}");
        assert!(
            e.to_string().contains(found),
            "found-token case: {text:?}: {e}"
        );
        assert!(
            e.to_string().contains("expected"),
            "expected-token case: {text:?}: {e}"
        );
    }
}

#[test]
fn nesting_is_bounded() {
    let ok = format!(
        "{{{}$.a EXISTS{}}}",
        "(".repeat(MAX_DEPTH),
        ")".repeat(MAX_DEPTH)
    );
    assert!(parse_pattern(&ok).is_ok(), "nesting at the limit");
    let deep = format!("{{{}$.a EXISTS{}}}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(
        matches!(error(&deep).kind(), PatternErrorKind::TooDeep { .. }),
        "nesting beyond the limit"
    );
}

#[test]
fn printed_pattern_parses_back() {
    let cases = [
        r#"{$.a="x" || $.b!=1 && ($.c IS NULL || $.d NOT EXISTS) && $.e[2].f=%^a.*b$%}"#,
        r#"{$.a="a\"b\\c\*d*e" && $.b=*x*y* && $.c <= -1.5e3 && $.d IS FALSE}"#,
        r#"{($.a EXISTS || $.b IS TRUE) && ($.c EXISTS || $.d EXISTS)}"#,
    ];
    for text in cases {
        let tree = parse(text);
        assert_eq!(parse(&tree.to_string()), tree, "round trip case: {text}");
    }
}
