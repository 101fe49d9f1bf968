//! A Sigma `re` value: the regex, with a literal that every match contains looked for first.
//!
//! A regex that is a sequence with literal parts (SigmaHQ's `.+:assumed-role/aws:.+`) can only
//! match a text containing its longest literal part. The `regex` crate's own prefilters do not
//! shortcut such a pattern when it starts with `.+`: it runs its automaton over every text. Most
//! texts lack the literal, and `memchr`'s substring search refuses them in a fraction of that.

use memchr::memmem::Finder;
use regex::Regex;
use regex_syntax::hir::{Hir, HirKind, Literal};

/// A compiled regex and, when it has one, the literal every match contains.
#[derive(Debug, Clone)]
pub(in crate::sigma) struct Search {
    regex: Regex,
    /// Boxed: a searcher is large, and most values are no regex.
    required: Option<Box<Finder<'static>>>,
}

impl Search {
    /// The regex `pattern` with the `re` modifier's flags (`i`, `m`, `s`). Its syntax tree is
    /// read by the same parser with the same flags, for the literal; when that parse fails
    /// where the regex compiled, nothing is looked for first.
    pub(super) fn new(
        pattern: &str,
        case_insensitive: bool,
        multi_line: bool,
        dot_matches_new_line: bool,
    ) -> Result<Search, regex::Error> {
        let regex = regex::RegexBuilder::new(pattern)
            .case_insensitive(case_insensitive)
            .multi_line(multi_line)
            .dot_matches_new_line(dot_matches_new_line)
            .build()?;
        let required = regex_syntax::ParserBuilder::new()
            .case_insensitive(case_insensitive)
            .multi_line(multi_line)
            .dot_matches_new_line(dot_matches_new_line)
            .build()
            .parse(pattern)
            .ok()
            .as_ref()
            .and_then(required_literal)
            .map(|literal| Box::new(Finder::new(&literal).into_owned()));
        Ok(Search { regex, required })
    }

    /// Whether the regex matches somewhere in `text`.
    pub(super) fn is_match(&self, text: &str) -> bool {
        if let Some(literal) = &self.required {
            if literal.find(text.as_bytes()).is_none() {
                return false;
            }
        }
        self.regex.is_match(text)
    }
}

/// The longest literal every match of `hir` contains: `hir` itself when it is a literal, else
/// the longest literal part of a top-level sequence. Case-insensitive letters are classes, not
/// literals, so a folded regex gives at most a run of its caseless characters.
pub(super) fn required_literal(hir: &Hir) -> Option<Vec<u8>> {
    let literal = |h: &Hir| match h.kind() {
        HirKind::Literal(Literal(bytes)) => Some(bytes.to_vec()),
        _ => None,
    };
    let found = match hir.kind() {
        HirKind::Concat(parts) => parts.iter().filter_map(literal).max_by_key(Vec::len),
        _ => literal(hir),
    };
    found.filter(|bytes| !bytes.is_empty())
}
