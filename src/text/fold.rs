//! Unicode simple case folding, exactly as the `regex` crate's `(?i)` applies it: two characters
//! are equal under folding when they fall in one of regex-syntax's simple case-folding classes
//! (`k`, `K` and the Kelvin sign; `ß` and `ẞ`; never `ß` and `ss`, which is full folding).
//!
//! Each class is represented by its smallest character, so folding is a map from characters to
//! characters and folded texts compare with `==`. For ASCII that representative is the
//! upper-case letter (upper-case ASCII sorts before lower-case and everything else), which is the
//! fast path; other characters ask regex-syntax for their class.

use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};

/// The representative of `c`'s simple case-folding class.
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    let mut class = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
    class.case_fold_simple();
    class.ranges().first().map_or(c, |r| r.start())
}

/// `text` with every character folded.
pub fn fold(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The class's smallest member, computed the slow way for every character.
    fn slow(c: char) -> char {
        let mut class = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
        class.case_fold_simple();
        class.ranges()[0].start()
    }

    #[test]
    fn ascii_fast_path_agrees_with_the_classes() {
        for b in 0u8..=127 {
            let c = char::from(b);
            assert_eq!(fold_char(c), slow(c), "{c:?}");
        }
    }

    #[test]
    fn named_cases() {
        let same = |a: &str, b: &str| fold(a) == fold(b);
        assert!(same("é", "É"));
        assert!(same("k", "K") && same("k", "\u{212A}"), "Kelvin sign");
        assert!(same("ß", "ẞ"));
        assert!(!same("ß", "ss"), "full folding is not applied");
        assert!(same("ſ", "s"), "long s folds to s simply");
        assert!(!same("a", "b"));
    }

    #[test]
    fn agrees_with_regex_case_insensitivity() {
        // Whatever regex's (?i) takes as equal, folding does too, over a spread of characters.
        let sample = "aAkKsSzZ\u{212A}\u{17F}ßẞéÉİıiIΣσςΩω\u{2126}ǅǄǆµΜμ";
        for a in sample.chars() {
            for b in sample.chars() {
                let re =
                    regex::Regex::new(&format!("(?i)^{}$", regex::escape(&a.to_string()))).unwrap();
                assert_eq!(
                    re.is_match(&b.to_string()),
                    fold_char(a) == fold_char(b),
                    "{a:?} vs {b:?}"
                );
            }
        }
    }
}
