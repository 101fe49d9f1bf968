//! Detection rules: the CloudWatch Logs JSON filter-pattern language, the built-in pack
//! (AWS Security Hub CloudWatch.1–14 and CIS 4.15) and custom rules from a TOML file.
//!
//! A rule's pattern is parsed once ([`parse_pattern`]) and compiled into a tree whose leaves read
//! record values through slots of a shared [`FieldPlan`](crate::record::FieldPlan): evaluation
//! never builds a tree of the record, never re-parses the pattern, and allocates nothing unless a
//! compared string holds a JSON escape.
//!
//! # The language
//!
//! ```text
//! { $.a.b = "x" && ($.c != 1 || $.d NOT EXISTS) || $.e = %^ab+% || $.f[0].g IS TRUE }
//! ```
//!
//! - Selectors are case-sensitive; `$.a.b` walks object members, `[n]` an array element. A
//!   selector that meets a missing member, a non-object, an out-of-range index or a non-array
//!   resolves to nothing.
//! - A comparison whose selector resolves to nothing is false, whatever the operator (`!=`
//!   included); absence is tested with `NOT EXISTS`. (So `$.additionalEventData.MFAUsed != "Yes"`
//!   does not fire for a console sign-in that carries no `MFAUsed` member at all.)
//! - Types do not mix. A string value (quoted or bare) is compared only with a JSON string; a
//!   number value only with a JSON number, numerically (`5 = 5.0`); against any other JSON type
//!   the comparison is false, for `!=` too.
//! - String comparison is case-sensitive; `*` in a string value matches any run of characters,
//!   newlines included, anywhere. The ordering operators `<` `>` `<=` `>=` take numbers only; with
//!   a string value the pattern is an error.
//! - A bare word (a run of characters other than white space and `( ) { } & | " = ! < > %`) is a
//!   string, unless it is a valid JSON number, then it is a number. In a bare word every `*` is a
//!   wildcard and a backslash is an ordinary character.
//! - `IS TRUE` / `IS FALSE` hold only for the JSON booleans; `IS NULL` only for a present JSON
//!   `null`. `EXISTS` holds for any present value, `null` included; `NOT EXISTS` is its negation.
//! - `%regex%` (with `=` or `!=`) applies to JSON strings only: `=` holds when the regex finds a
//!   match in the string, `!=` when it does not; against other types it is false. The syntax is
//!   the `regex` crate's; a regex runs from one `%` to the next, so it cannot hold `%`, and `%%`
//!   is an error, as is an invalid regex.
//! - `&&` binds tighter than `||`; both associate to the left; parentheses group.
//! - Keywords (`IS`, `TRUE`, `FALSE`, `NULL`, `EXISTS`, `NOT`) are upper-case only. White space
//!   (space, tab, CR, LF) may stand between any two tokens and around the braces, never inside a
//!   selector.
//! - A selector's member name is a run of characters other than white space, `.`, `[`, `]` and
//!   `( ) { } & | " = ! < > %`, so `$.additionalEventData.x-amz-id-2` works.
//! - Inside quotes, `\"` is a quote, `\\` a backslash and `\*` a literal star; any other
//!   backslash sequence is an error.
//! - Numbers compare exactly when both sides are 64-bit integers, otherwise as 64-bit floats.
//! - A pattern that does not parse is an error naming the column; it never silently matches
//!   nothing.

mod ast;
mod builtin;
mod eval;
mod file;
mod parse;
mod suppress;
mod value;

pub use ast::{Check, CmpOp, Expr, Pattern, Selector, Test};
pub use builtin::builtin_rules;
pub use eval::{Rule, RuleSet};
pub use parse::{parse_pattern, PatternError, PatternErrorKind};
pub use suppress::{SuppressionDef, Suppressions};
pub use value::{Glob, Number, PatternRegex};

use std::fmt;

/// How serious a detection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// `critical`, the most serious.
    Critical,
    /// `high`, below critical.
    High,
    /// `medium`, below high.
    Medium,
    /// `low`, below medium.
    Low,
    /// `info`, the least serious.
    Info,
}

impl Severity {
    /// Every severity, most serious first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The lower-case name used in rule files and alerts.
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// The severity named `name` (lower-case, as [`Severity::as_str`] writes it).
    pub fn from_name(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a rule's effective definition came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleSource {
    /// The built-in pack, unchanged.
    Builtin,
    /// A custom rules file (its path or URI), which added the rule or replaced a built-in one.
    Custom(String),
}

impl serde::Serialize for RuleSource {
    /// `"builtin"`, or the custom file's origin.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RuleSource::Builtin => serializer.serialize_str("builtin"),
            RuleSource::Custom(origin) => serializer.serialize_str(origin),
        }
    }
}

/// One rule as defined (before compilation).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RuleDef {
    /// Unique id: `[A-Za-z0-9._-]+`; built-in ids are the Security Hub control ids.
    pub id: String,
    /// One line saying what the rule detects; its alerts' title.
    pub title: String,
    /// The severity its alerts carry.
    pub severity: Severity,
    /// The filter pattern's text, as written.
    pub pattern: String,
    /// A longer explanation, when the definition gives one.
    pub description: Option<String>,
    /// Disabled rules are listed but not evaluated.
    pub enabled: bool,
    /// Where the definition came from: the built-in pack, or a custom file that added or
    /// changed it.
    pub source: RuleSource,
}

/// A position in a rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePos {
    /// The file's path or URI.
    pub origin: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for FilePos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.origin, self.line, self.column)
    }
}

/// Why a rule set could not be loaded or compiled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
    /// A rule's pattern does not parse; `at` is where the pattern's value starts in a rules
    /// file (none for a built-in rule), the source error holds the column inside the pattern.
    #[error("{}rule `{rule_id}`: pattern error at {source}", located(.at))]
    Pattern {
        /// The rule's id.
        rule_id: String,
        /// Where the pattern's value starts in the rules file; `None` for a built-in rule.
        at: Option<FilePos>,
        /// The parse error, with the column inside the pattern.
        source: PatternError,
    },
    /// The file is not valid TOML, or a value has the wrong shape for the rules schema.
    #[error("{origin}{}: {message}", .line_col.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
    Toml {
        /// The file's path or URI.
        origin: String,
        /// 1-based line and column (in characters) of the error, when the TOML parser gives one.
        line_col: Option<(usize, usize)>,
        /// The TOML parser's message.
        message: String,
    },
    /// A key the schema does not know, in a rule or at the top level.
    #[error("{at}: unknown key `{key}` (allowed: {allowed})")]
    UnknownKey {
        /// Where the key is written.
        at: FilePos,
        /// The key as written.
        key: String,
        /// The keys allowed there, comma-separated.
        allowed: &'static str,
    },
    /// A known key with a value of the wrong type.
    #[error("{at}: `{key}` must be {expected}")]
    WrongType {
        /// Where the value starts.
        at: FilePos,
        /// The key whose value has the wrong type.
        key: &'static str,
        /// The type it must have, as a phrase (`a string`, `a boolean`).
        expected: &'static str,
    },
    /// A `[[rules]]` table without an `id`.
    #[error("{at}: rule has no `id`")]
    MissingId {
        /// Where the rule's table starts.
        at: FilePos,
    },
    /// An id outside `[A-Za-z0-9._-]+`.
    #[error("{at}: rule id `{id}` may hold only ASCII letters, digits, `.`, `_` and `-`")]
    BadId {
        /// Where the id's value starts.
        at: FilePos,
        /// The id as written.
        id: String,
    },
    /// The same id twice in one file.
    #[error("{at}: rule id `{id}` already defined on line {first_line}")]
    DuplicateId {
        /// Where the second definition's id value starts.
        at: FilePos,
        /// The repeated id.
        id: String,
        /// 1-based line of the first definition's id.
        first_line: usize,
    },
    /// A new rule (not replacing a built-in one) lacks a required field.
    #[error(
        "{at}: new rule `{id}` needs `{field}` (only rules replacing a built-in id may omit it)"
    )]
    MissingField {
        /// Where the rule's id value starts.
        at: FilePos,
        /// The new rule's id.
        id: String,
        /// The key it lacks: `title`, `severity` or `pattern`.
        field: &'static str,
    },
    /// A `[[suppress]]` entry lacks one of its fields, all of which are required.
    #[error(
        "{at}: suppression needs `{field}` (rule, pattern, reason and expires are all required)"
    )]
    SuppressionMissing {
        /// Where the entry's table starts.
        at: FilePos,
        /// The key it lacks.
        field: &'static str,
    },
    /// A suppression's `rule` holds a character no rule id or glob has.
    #[error("{at}: suppression rule `{rule}` may hold only ASCII letters, digits, `.`, `_`, `-` and `*`")]
    BadSuppressionRule {
        /// Where the value starts.
        at: FilePos,
        /// The value as written.
        rule: String,
    },
    /// A suppression's pattern does not parse; the source error holds the column inside it.
    #[error("{at}: suppression pattern error at {source}")]
    SuppressionPattern {
        /// Where the pattern's value starts.
        at: FilePos,
        /// The parse error.
        source: PatternError,
    },
    /// A suppression whose reason is empty or blank: the reason is what reviewers approve.
    #[error("{at}: suppression `reason` must say why (it is empty)")]
    BlankReason {
        /// Where the reason's value starts.
        at: FilePos,
    },
    /// A severity other than critical, high, medium, low or info.
    #[error("{at}: unknown severity `{value}` (critical, high, medium, low or info)")]
    BadSeverity {
        /// Where the severity's value starts.
        at: FilePos,
        /// The severity as written.
        value: String,
    },
}

/// `"<file>:<line>:<column>: "` when the position is known.
fn located(at: &Option<FilePos>) -> String {
    at.as_ref().map(|at| format!("{at}: ")).unwrap_or_default()
}

/// The built-in pack merged with a custom TOML file's text, if any; `origin` (a path or URI)
/// names the file in errors and in [`RuleSource::Custom`]. Every custom pattern is validated,
/// disabled ones included.
pub fn effective_rules(custom: Option<(&str, &str)>) -> Result<Vec<RuleDef>, RuleError> {
    let mut rules = builtin_rules();
    if let Some((origin, text)) = custom {
        file::apply(origin, text, &mut rules)?;
    }
    Ok(rules)
}

/// The suppressions of a custom TOML file's text (none without a file); `origin` names the
/// file in errors and in each suppression's position.
pub fn effective_suppressions(
    custom: Option<(&str, &str)>,
) -> Result<Vec<SuppressionDef>, RuleError> {
    match custom {
        Some((origin, text)) => file::suppressions(origin, text),
        None => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod pack_tests;
