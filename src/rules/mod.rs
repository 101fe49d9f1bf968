//! Rule engine (in progress).

mod ast;
mod parse;
mod value;

pub use ast::{Check, CmpOp, Expr, Pattern, Selector, Test};
pub use parse::{parse_pattern, PatternError, PatternErrorKind};
pub use value::{Glob, Number, PatternRegex};
