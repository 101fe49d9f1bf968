//! The syntax tree of a filter pattern, as [`parse_pattern`](super::parse_pattern) builds it.
//!
//! The tree is typed so that only meaningful tests can be written down: ordering operators hold
//! numbers only, regexes take `=`/`!=` only. Printing a tree ([`std::fmt::Display`]) gives a
//! pattern that parses back to the same tree.

use std::fmt;

use super::value::{Glob, Number, PatternRegex};
use crate::record::Step;

/// A whole pattern: the expression between the braces.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// The boolean expression the pattern stands for.
    pub expr: Expr,
}

/// A boolean expression over tests of selected values.
///
/// The parser flattens chains, so an `Or` never holds an `Or` directly and an `And` never
/// holds an `And`; each holds at least two members.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// True when any member is true.
    Or(Vec<Expr>),
    /// True when every member is true.
    And(Vec<Expr>),
    /// One test of one selected value.
    Test(Test),
}

/// `selector` followed by what is asked of the value it selects.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// Where the value is in the record.
    pub selector: Selector,
    /// What must hold of it.
    pub check: Check,
}

/// A path from the record object to a value: `$.a.b`, `$.resources[0].ARN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    /// The member names and array indices, in order; never empty.
    pub steps: Vec<Step>,
}

/// What a test asks of the selected value.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// `= "text"` (or `!=` when `negated`) against a JSON string, with `*` wildcards.
    Str {
        /// Whether the operator is `!=`.
        negated: bool,
        /// The string value, with its wildcards.
        glob: Glob,
    },
    /// `= %regex%` (or `!=` when `negated`): whether the regex finds a match in a JSON string.
    Regex {
        /// Whether the operator is `!=`.
        negated: bool,
        /// The compiled regex.
        regex: PatternRegex,
    },
    /// Any comparison operator against a JSON number.
    Num {
        /// The comparison operator.
        op: CmpOp,
        /// The number the record's value is compared with.
        number: Number,
    },
    /// `IS TRUE`: the JSON boolean `true`.
    IsTrue,
    /// `IS FALSE`: the JSON boolean `false`.
    IsFalse,
    /// `IS NULL`: a present JSON `null`.
    IsNull,
    /// `EXISTS`: any present value, `null` included.
    Exists,
    /// `NOT EXISTS`: the selector resolves to nothing.
    NotExists,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`: the record's value equals the pattern's.
    Eq,
    /// `!=`: the record's value differs from the pattern's.
    Ne,
    /// `<`: the record's value is less than the pattern's.
    Lt,
    /// `>`: the record's value is greater than the pattern's.
    Gt,
    /// `<=`: the record's value is at most the pattern's.
    Le,
    /// `>=`: the record's value is at least the pattern's.
    Ge,
}

impl CmpOp {
    /// The operator as written in a pattern.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Gt => ">",
            CmpOp::Le => "<=",
            CmpOp::Ge => ">=",
        }
    }

    /// Whether `record <op> value` holds, given how the record's value orders against the
    /// pattern's value.
    pub fn holds(self, record_vs_value: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            CmpOp::Eq => record_vs_value == Equal,
            CmpOp::Ne => record_vs_value != Equal,
            CmpOp::Lt => record_vs_value == Less,
            CmpOp::Gt => record_vs_value == Greater,
            CmpOp::Le => record_vs_value != Greater,
            CmpOp::Ge => record_vs_value != Less,
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{ {} }}", self.expr)
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Or(members) => join(f, members, " || "),
            Expr::And(members) => join(f, members, " && "),
            Expr::Test(test) => write!(f, "{test}"),
        }
    }
}

/// Writes `members` separated by `sep`, parenthesising any member that would otherwise
/// bind differently: an `Or` inside an `And` (the parser never nests like with like).
fn join(f: &mut fmt::Formatter<'_>, members: &[Expr], sep: &str) -> fmt::Result {
    for (i, member) in members.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        match member {
            Expr::Test(_) => write!(f, "{member}")?,
            _ => write!(f, "({member})")?,
        }
    }
    Ok(())
}

impl fmt::Display for Test {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.selector)?;
        let eq = |negated: bool| if negated { "!=" } else { "=" };
        match &self.check {
            Check::Str { negated, glob } => write!(f, "{} {glob}", eq(*negated)),
            Check::Regex { negated, regex } => write!(f, "{} {regex}", eq(*negated)),
            Check::Num { op, number } => write!(f, "{} {number}", op.as_str()),
            Check::IsTrue => f.write_str("IS TRUE"),
            Check::IsFalse => f.write_str("IS FALSE"),
            Check::IsNull => f.write_str("IS NULL"),
            Check::Exists => f.write_str("EXISTS"),
            Check::NotExists => f.write_str("NOT EXISTS"),
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for step in &self.steps {
            match step {
                Step::Key(name) => write!(f, ".{name}")?,
                Step::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}
