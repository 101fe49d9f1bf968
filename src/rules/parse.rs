//! The parser: pattern text → [`Pattern`], or a [`PatternError`] naming the column.
//!
//! A hand-written recursive-descent parser over the text. Lexing depends on position (after an
//! operator, `$.x` is a bare word; in a term it starts a selector), so tokens are read on
//! demand rather than split up front.

use super::ast::{Check, CmpOp, Expr, Pattern, Selector, Test};
use super::value::{GlobBuilder, Number, PatternRegex};
use crate::record::Step;

/// Deepest nesting of parentheses accepted; keeps recursion (here and in evaluation) bounded
/// whatever a rules file holds.
const MAX_DEPTH: usize = 64;

/// Why a pattern does not parse, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {kind}")]
pub struct PatternError {
    column: usize,
    kind: PatternErrorKind,
}

impl PatternError {
    /// The 1-based column, counted in characters, where the problem starts.
    pub fn column(&self) -> usize {
        self.column
    }

    /// What is wrong.
    pub fn kind(&self) -> &PatternErrorKind {
        &self.kind
    }
}

/// What is wrong with a pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternErrorKind {
    /// The grammar wants something else at this point.
    #[error("expected {expected}, found {found}")]
    Expected {
        /// What the grammar allows here, as a phrase (`` `]` closing the array index ``).
        expected: &'static str,
        /// The token found instead, quoted in backticks, or `end of pattern`.
        found: String,
    },
    /// A backslash sequence other than `\"`, `\\` and `\*` inside a quoted string.
    #[error(
        "unknown escape `{sequence}` in a quoted string (only \\\", \\\\ and \\* are allowed)"
    )]
    BadEscape {
        /// The backslash and the character after it.
        sequence: String,
    },
    /// A `"` opens a string that the pattern ends inside.
    #[error("quoted string is not closed")]
    UnterminatedString,
    /// A `%` opens a regex with no `%` after it.
    #[error("regex is not closed by a `%`")]
    UnterminatedRegex,
    /// `%%`: a regex with nothing in it.
    #[error("empty regex `%%`")]
    EmptyRegex,
    /// The text between the `%`s is not a regex the `regex` crate accepts.
    #[error("invalid regex: {reason}")]
    InvalidRegex {
        /// The last line of the `regex` crate's message, which says what is wrong.
        reason: String,
    },
    /// `<`, `>`, `<=` or `>=` with a string value.
    #[error("`{op}` compares numbers only, but the value is a string")]
    OrderingNeedsNumber {
        /// The operator as written.
        op: &'static str,
    },
    /// A regex with an operator other than `=` or `!=`.
    #[error("a %regex% is compared with `=` or `!=` only, not `{op}`")]
    RegexNeedsEquality {
        /// The operator as written.
        op: &'static str,
    },
    /// An array index too large for a `usize`.
    #[error("array index `{digits}` is too large")]
    IndexTooLarge {
        /// The index's digits as written.
        digits: String,
    },
    /// Parentheses nested deeper than the parser accepts.
    #[error("parentheses nested more than {max} deep")]
    TooDeep {
        /// The deepest nesting accepted.
        max: usize,
    },
}

/// Parses a filter pattern (`{ ... }`), compiling its string, number and regex values.
pub fn parse_pattern(text: &str) -> Result<Pattern, PatternError> {
    let mut p = Parser { text, pos: 0 };
    p.skip_ws();
    if !p.eat("{") {
        return Err(p.expected("`{` opening the pattern"));
    }
    let expr = p.expr(0)?;
    p.skip_ws();
    if !p.eat("}") {
        return Err(p.expected("`&&`, `||` or `}`"));
    }
    p.skip_ws();
    if p.pos < text.len() {
        return Err(p.expected("end of pattern after `}`"));
    }
    Ok(Pattern { expr })
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Characters that end a bare word: white space and the language's punctuation.
fn is_bare(c: char) -> bool {
    !is_ws(c)
        && !matches!(
            c,
            '(' | ')' | '{' | '}' | '&' | '|' | '"' | '=' | '!' | '<' | '>' | '%'
        )
}

/// Characters of a selector's member name: those of a bare word but the path punctuation.
fn is_name(c: char) -> bool {
    is_bare(c) && !matches!(c, '.' | '[' | ']')
}

struct Parser<'t> {
    text: &'t str,
    /// Byte offset of the next unread character; always on a character boundary.
    pos: usize,
}

impl<'t> Parser<'t> {
    fn rest(&self) -> &'t str {
        self.text.get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start_matches(is_ws).len();
    }

    fn eat(&mut self, token: &str) -> bool {
        let found = self.rest().starts_with(token);
        if found {
            self.pos += token.len();
        }
        found
    }

    /// Reads the run of characters satisfying `keep`, possibly empty.
    fn take_while(&mut self, keep: fn(char) -> bool) -> &'t str {
        let rest = self.rest();
        let len = rest.len() - rest.trim_start_matches(keep).len();
        self.pos += len;
        rest.get(..len).unwrap_or_default()
    }

    fn error_at(&self, byte: usize, kind: PatternErrorKind) -> PatternError {
        let column = self.text.get(..byte).unwrap_or(self.text).chars().count() + 1;
        PatternError { column, kind }
    }

    /// An error at the current position naming what was expected and what stands there.
    fn expected(&self, expected: &'static str) -> PatternError {
        let rest = self.rest();
        let found = if rest.is_empty() {
            "end of pattern".to_owned()
        } else if rest.starts_with("&&") || rest.starts_with("||") {
            format!("`{}`", rest.get(..2).unwrap_or_default())
        } else {
            let word_len = rest.len() - rest.trim_start_matches(is_bare).len();
            let token: String = match word_len {
                0 => rest.chars().take(1).collect(),
                _ => rest.chars().take_while(|&c| is_bare(c)).take(24).collect(),
            };
            format!("`{token}`")
        };
        self.error_at(self.pos, PatternErrorKind::Expected { expected, found })
    }

    /// `expr := and ("||" and)*`
    fn expr(&mut self, depth: usize) -> Result<Expr, PatternError> {
        let mut members = vec![self.and(depth)?];
        loop {
            self.skip_ws();
            if !self.eat("||") {
                break;
            }
            members.push(self.and(depth)?);
        }
        Ok(flatten(members, Joint::Or))
    }

    /// `and := term ("&&" term)*`
    fn and(&mut self, depth: usize) -> Result<Expr, PatternError> {
        let mut members = vec![self.term(depth)?];
        loop {
            self.skip_ws();
            if !self.eat("&&") {
                break;
            }
            members.push(self.term(depth)?);
        }
        Ok(flatten(members, Joint::And))
    }

    /// `term := "(" expr ")" | selector condition`
    fn term(&mut self, depth: usize) -> Result<Expr, PatternError> {
        self.skip_ws();
        match self.peek() {
            Some('(') => {
                if depth >= MAX_DEPTH {
                    return Err(
                        self.error_at(self.pos, PatternErrorKind::TooDeep { max: MAX_DEPTH })
                    );
                }
                self.pos += 1;
                let inner = self.expr(depth + 1)?;
                self.skip_ws();
                if !self.eat(")") {
                    return Err(self.expected("`&&`, `||` or `)`"));
                }
                Ok(inner)
            }
            Some('$') => {
                let selector = self.selector()?;
                let check = self.condition()?;
                Ok(Expr::Test(Test { selector, check }))
            }
            _ => Err(self.expected("`(` or a selector such as `$.eventName`")),
        }
    }

    /// `selector := "$" ("." name | "[" digits "]")+`, with no white space inside.
    fn selector(&mut self) -> Result<Selector, PatternError> {
        self.pos += 1; // the `$`
        let mut steps = Vec::new();
        loop {
            if self.eat(".") {
                let name = self.take_while(is_name);
                if name.is_empty() {
                    return Err(self.expected("a member name after `.`"));
                }
                steps.push(Step::Key(name.to_owned()));
            } else if self.eat("[") {
                let start = self.pos;
                let digits = self.take_while(|c| c.is_ascii_digit());
                if digits.is_empty() {
                    return Err(self.expected("an array index (digits) after `[`"));
                }
                let index = digits.parse().map_err(|_| {
                    let digits = digits.to_owned();
                    self.error_at(start, PatternErrorKind::IndexTooLarge { digits })
                })?;
                if !self.eat("]") {
                    return Err(self.expected("`]` closing the array index"));
                }
                steps.push(Step::Index(index));
            } else if steps.is_empty() {
                return Err(self.expected("`.` or `[` after `$`"));
            } else {
                return Ok(Selector { steps });
            }
        }
    }

    /// What follows a selector: an operator and a value, `IS ...`, `EXISTS` or `NOT EXISTS`.
    fn condition(&mut self) -> Result<Check, PatternError> {
        const WANT: &str =
            "an operator (`=`, `!=`, `<`, `>`, `<=`, `>=`), `IS`, `EXISTS` or `NOT EXISTS`";
        self.skip_ws();
        let ops = [
            ("!=", CmpOp::Ne),
            ("<=", CmpOp::Le),
            (">=", CmpOp::Ge),
            ("=", CmpOp::Eq),
            ("<", CmpOp::Lt),
            (">", CmpOp::Gt),
        ];
        if let Some(&(_, op)) = ops.iter().find(|(token, _)| self.rest().starts_with(token)) {
            self.pos += op.as_str().len();
            return self.value(op);
        }
        let start = self.pos;
        match self.take_while(is_bare) {
            "EXISTS" => Ok(Check::Exists),
            "IS" => {
                self.skip_ws();
                let start = self.pos;
                match self.take_while(is_bare) {
                    "TRUE" => Ok(Check::IsTrue),
                    "FALSE" => Ok(Check::IsFalse),
                    "NULL" => Ok(Check::IsNull),
                    _ => {
                        self.pos = start;
                        Err(self.expected("`TRUE`, `FALSE` or `NULL` after `IS`"))
                    }
                }
            }
            "NOT" => {
                self.skip_ws();
                let start = self.pos;
                if self.take_while(is_bare) == "EXISTS" {
                    Ok(Check::NotExists)
                } else {
                    self.pos = start;
                    Err(self.expected("`EXISTS` after `NOT`"))
                }
            }
            _ => {
                self.pos = start;
                Err(self.expected(WANT))
            }
        }
    }

    /// `value := quoted | %regex% | bare word (a number when it is JSON number syntax)`
    fn value(&mut self, op: CmpOp) -> Result<Check, PatternError> {
        self.skip_ws();
        let start = self.pos;
        let negated = op == CmpOp::Ne;
        let equality = matches!(op, CmpOp::Eq | CmpOp::Ne);
        let string_check = |p: &Self, glob| {
            if equality {
                Ok(Check::Str { negated, glob })
            } else {
                let op = op.as_str();
                Err(p.error_at(start, PatternErrorKind::OrderingNeedsNumber { op }))
            }
        };
        match self.peek() {
            Some('"') => {
                let glob = self.quoted()?;
                string_check(self, glob)
            }
            Some('%') => {
                let regex = self.regex()?;
                if equality {
                    Ok(Check::Regex { negated, regex })
                } else {
                    let op = op.as_str();
                    Err(self.error_at(start, PatternErrorKind::RegexNeedsEquality { op }))
                }
            }
            Some(c) if is_bare(c) => {
                let word = self.take_while(is_bare);
                if let Some(number) = Number::from_json_text(word) {
                    return Ok(Check::Num { op, number });
                }
                let mut glob = GlobBuilder::default();
                for c in word.chars() {
                    match c {
                        '*' => glob.star(),
                        c => glob.push(c),
                    }
                }
                string_check(self, glob.finish())
            }
            _ => Err(self.expected("a value: a quoted string, a bare word, a number or a %regex%")),
        }
    }

    /// A quoted string starting at the current `"`: `\"`, `\\` and `\*` are the only escapes.
    fn quoted(&mut self) -> Result<super::value::Glob, PatternError> {
        let open = self.pos;
        self.pos += 1;
        let mut glob = GlobBuilder::default();
        let mut chars = self.rest().char_indices();
        let base = self.pos;
        while let Some((at, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos = base + at + 1;
                    return Ok(glob.finish());
                }
                '*' => glob.star(),
                '\\' => match chars.next() {
                    Some((_, e @ ('"' | '\\' | '*'))) => glob.push(e),
                    Some((_, e)) => {
                        let sequence = format!("\\{e}");
                        return Err(
                            self.error_at(base + at, PatternErrorKind::BadEscape { sequence })
                        );
                    }
                    None => break,
                },
                c => glob.push(c),
            }
        }
        Err(self.error_at(open, PatternErrorKind::UnterminatedString))
    }

    /// A regex running from the current `%` to the next one.
    fn regex(&mut self) -> Result<PatternRegex, PatternError> {
        let open = self.pos;
        self.pos += 1;
        let Some(len) = self.rest().find('%') else {
            return Err(self.error_at(open, PatternErrorKind::UnterminatedRegex));
        };
        let source = self.rest().get(..len).unwrap_or_default();
        if source.is_empty() {
            return Err(self.error_at(open, PatternErrorKind::EmptyRegex));
        }
        let regex = PatternRegex::new(source).map_err(|e| {
            // The crate's message draws a caret diagram over several lines; its last line
            // says what is wrong, which is what a one-line error needs.
            let text = e.to_string();
            let last = text
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or_default();
            let reason = last.trim().trim_start_matches("error: ").to_owned();
            self.error_at(open, PatternErrorKind::InvalidRegex { reason })
        })?;
        self.pos += len + 1;
        Ok(regex)
    }
}

/// Which operator joins the members of a chain.
#[derive(Clone, Copy)]
enum Joint {
    Or,
    And,
}

/// One member stands for itself; otherwise the members are joined, lifting the members of a
/// like member (a parenthesised `a || b` inside `... || c`), since both operators associate.
fn flatten(mut members: Vec<Expr>, joint: Joint) -> Expr {
    if members.len() == 1 {
        if let Some(only) = members.pop() {
            return only;
        }
    }
    let mut flat = Vec::with_capacity(members.len());
    for member in members {
        match (joint, member) {
            (Joint::Or, Expr::Or(inner)) | (Joint::And, Expr::And(inner)) => flat.extend(inner),
            (_, member) => flat.push(member),
        }
    }
    match joint {
        Joint::Or => Expr::Or(flat),
        Joint::And => Expr::And(flat),
    }
}

#[cfg(test)]
mod tests;
