//! A rule's `condition`: the grammar of SIGMA.md, parsed into a tree over the indices of the
//! rule's search identifiers.
//!
//! ```text
//! condition := or ;  or := and ("or" and)* ;  and := not ("and" not)* ;  not := "not" not | atom
//! atom := "(" or ")" | ("1" | "any" | "all") "of" (pattern | "them") | name
//! ```

/// A parsed condition; `Search(i)` is the rule's `i`-th search identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Cond {
    Or(Vec<Cond>),
    And(Vec<Cond>),
    Not(Box<Cond>),
    Search(usize),
}

/// Deeper nesting of `not` and parentheses than this fails the load: it bounds the parser's
/// and the evaluator's recursion whatever a hostile file holds.
const MAX_NESTING: usize = 64;

/// Lower-case words that are never names.
const KEYWORDS: [&str; 7] = ["and", "or", "not", "of", "all", "any", "them"];

/// Whether `name` may name a search identifier: `[A-Za-z0-9_-]+`, not all digits, not a
/// keyword.
pub(super) fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !name.bytes().all(|b| b.is_ascii_digit())
        && !KEYWORDS.contains(&name)
}

/// Parses `text` against the identifiers `names` (in definition order).
pub(super) fn parse(text: &str, names: &[String]) -> Result<Cond, String> {
    if text.contains('|') {
        return Err(
            "aggregations (`| count()`, `| near`, ...) in the condition are not supported"
                .to_owned(),
        );
    }
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens: &tokens,
        pos: 0,
        depth: 0,
        names,
    };
    let cond = parser.or()?;
    match parser.peek() {
        None => Ok(cond),
        Some(t) => Err(format!("unexpected `{t}` in the condition")),
    }
}

fn tokenize(text: &str) -> Result<Vec<&str>, String> {
    let mut tokens = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches([' ', '\t', '\n', '\r']);
        let Some(first) = rest.chars().next() else {
            return Ok(tokens);
        };
        let len = match first {
            '(' | ')' => 1,
            _ => rest
                .find([' ', '\t', '\n', '\r', '(', ')'])
                .unwrap_or(rest.len()),
        };
        let token = &rest[..len];
        if !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'*' | b'(' | b')'))
        {
            return Err(format!("unexpected `{token}` in the condition"));
        }
        tokens.push(token);
        rest = &rest[len..];
    }
}

struct Parser<'a> {
    tokens: &'a [&'a str],
    pos: usize,
    depth: usize,
    names: &'a [String],
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.tokens.get(self.pos).copied()
    }

    fn eat(&mut self, word: &str) -> bool {
        if self.peek() == Some(word) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Cond, String> {
        let mut members = vec![self.and()?];
        while self.eat("or") {
            members.push(self.and()?);
        }
        Ok(one_or(members, Cond::Or))
    }

    fn and(&mut self) -> Result<Cond, String> {
        let mut members = vec![self.not()?];
        while self.eat("and") {
            members.push(self.not()?);
        }
        Ok(one_or(members, Cond::And))
    }

    fn not(&mut self) -> Result<Cond, String> {
        if self.eat("not") {
            let inner = self.nested(Self::not)?;
            return Ok(Cond::Not(Box::new(inner)));
        }
        self.atom()
    }

    /// Parses one level deeper with `parse`, within [`MAX_NESTING`].
    fn nested(&mut self, parse: fn(&mut Self) -> Result<Cond, String>) -> Result<Cond, String> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(format!(
                "the condition nests deeper than {MAX_NESTING} levels"
            ));
        }
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn atom(&mut self) -> Result<Cond, String> {
        let Some(token) = self.peek() else {
            return Err("the condition ends where an identifier was expected".to_owned());
        };
        self.pos += 1;
        match token {
            "(" => {
                let inner = self.nested(Self::or)?;
                if !self.eat(")") {
                    return Err("`(` without its `)` in the condition".to_owned());
                }
                Ok(inner)
            }
            "1" | "any" | "all" => {
                if !self.eat("of") {
                    return Err(format!("`{token}` must be followed by `of`"));
                }
                let matched = self.pattern()?;
                Ok(if token == "all" {
                    one_or(matched, Cond::And)
                } else {
                    one_or(matched, Cond::Or)
                })
            }
            _ if token.bytes().all(|b| b.is_ascii_digit()) && self.peek() == Some("of") => Err(
                format!("`{token} of` is not supported (only `1 of`, `any of`, `all of`)"),
            ),
            _ if is_name(token) => match self.names.iter().position(|n| n == token) {
                Some(i) => Ok(Cond::Search(i)),
                None => Err(format!(
                    "the condition names `{token}`, which is not defined"
                )),
            },
            _ => Err(format!("unexpected `{token}` in the condition")),
        }
    }

    /// The identifiers an `of` takes: `them` or a pattern; names starting with `_` are left out
    /// unless the pattern itself starts with `_`.
    fn pattern(&mut self) -> Result<Vec<Cond>, String> {
        let Some(token) = self.peek() else {
            return Err("`of` must be followed by a pattern or `them`".to_owned());
        };
        self.pos += 1;
        let pattern = match token {
            "them" => "*",
            "(" | ")" => return Err("`of` must be followed by a pattern or `them`".to_owned()),
            _ if is_name(&token.replace('*', "x")) => token,
            _ => return Err(format!("`{token}` is not a pattern of identifiers")),
        };
        let hidden_ok = pattern.starts_with('_');
        let wildcard = crate::text::Wildcard::new(
            pattern.chars().map(|c| match c {
                '*' => crate::text::Token::Run,
                c => crate::text::Token::Char(c),
            }),
            crate::text::Case::Exact,
        );
        let matched: Vec<Cond> = self
            .names
            .iter()
            .enumerate()
            .filter(|(_, n)| (hidden_ok || !n.starts_with('_')) && wildcard.matches(n))
            .map(|(i, _)| Cond::Search(i))
            .collect();
        if matched.is_empty() {
            return Err(format!("`{token}` matches no search identifier"));
        }
        Ok(matched)
    }
}

fn one_or(mut members: Vec<Cond>, many: fn(Vec<Cond>) -> Cond) -> Cond {
    if members.len() == 1 {
        members.remove(0)
    } else {
        many(members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Cond::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn precedence_and_grouping() {
        let n = names(&["a", "b", "c"]);
        assert_eq!(
            parse("a or b and not c", &n).unwrap(),
            Or(vec![
                Search(0),
                And(vec![Search(1), Not(Box::new(Search(2)))])
            ])
        );
        assert_eq!(
            parse("(a or b)and c", &n).unwrap(),
            And(vec![Or(vec![Search(0), Search(1)]), Search(2)])
        );
        assert_eq!(
            parse("not not a", &n).unwrap(),
            Not(Box::new(Not(Box::new(Search(0)))))
        );
        assert_eq!(
            parse("a\tand\nb", &n).unwrap(),
            And(vec![Search(0), Search(1)])
        );
    }

    #[test]
    fn of_patterns_leave_out_underscore_names() {
        let n = names(&["selection_a", "selection_b", "_selection_c", "filter"]);
        assert_eq!(
            parse("1 of selection_*", &n).unwrap(),
            Or(vec![Search(0), Search(1)])
        );
        assert_eq!(
            parse("all of them", &n).unwrap(),
            And(vec![Search(0), Search(1), Search(3)])
        );
        assert_eq!(parse("any of _sel*", &n).unwrap(), Search(2));
        assert_eq!(parse("all of *_a", &n).unwrap(), Search(0));
        assert_eq!(
            parse("1 of *", &n).unwrap(),
            Or(vec![Search(0), Search(1), Search(3)])
        );
    }

    #[test]
    fn errors() {
        let n = names(&["a", "b", "_c", "AND"]);
        let cases = [
            ("a and x", "not defined"),
            ("1 of z*", "matches no"),
            ("all of _c*x", "matches no"),
            ("a | count() > 5", "aggregations"),
            ("2 of them", "`2 of` is not supported"),
            ("a and", "ends where"),
            ("(a", "without its"),
            ("a b", "unexpected `b`"),
            ("", "ends where"),
            ("a and or b", "unexpected `or`"),
            ("a, b", "unexpected `a,`"),
            ("1 of", "must be followed"),
            ("a AND b", "unexpected `AND`"),
        ];
        let deep = "(".repeat(100) + "a" + &")".repeat(100);
        assert!(parse(&deep, &n).unwrap_err().contains("deeper than 64"));
        let nots = "not ".repeat(100) + "a";
        assert!(parse(&nots, &n).unwrap_err().contains("deeper than 64"));
        let fine = "(".repeat(60) + "a" + &")".repeat(60);
        assert_eq!(parse(&fine, &n).unwrap(), Search(0));
        for (text, want) in cases {
            let e = parse(text, &n).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
        }
        assert_eq!(
            parse("AND", &n).unwrap(),
            Search(3),
            "upper-case AND is a name"
        );
    }

    #[test]
    fn name_syntax() {
        for good in ["a", "sel_1", "x-y", "_", "1a"] {
            assert!(is_name(good), "{good}");
        }
        for bad in ["", "12", "and", "them", "a.b", "a*", "é"] {
            assert!(!is_name(bad), "{bad}");
        }
    }
}
