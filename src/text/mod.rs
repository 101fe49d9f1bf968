//! Matching texts the way rules specify: wildcard patterns ([`Wildcard`]), exact or under
//! Unicode simple case folding ([`fold`]). The filter-pattern rules use them case-sensitively with
//! `*` only (as do suppressions' rule globs); Sigma rules with `?` and folding too.

pub mod fold;
mod wildcard;

pub use wildcard::{Case, Token, Wildcard};
