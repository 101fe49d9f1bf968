//! Errors as one line of text for logs, alert reasons and invocation results, and where in a
//! file an error is ([`line_col`]).
//!
//! An error that keeps its cause as `source()` displays only its own part; [`chain`] tells the
//! whole story, the way `anyhow`'s alternate form does, but for any borrowed error.

use std::error::Error;

/// `error` and every error below it, `: `-separated; a cause whose text the line already holds
/// (an error that also quotes its source) is not repeated.
pub fn chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut below = error.source();
    while let Some(cause) = below {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        below = cause.source();
    }
    text
}

/// 1-based line and column (in characters) of byte `offset` of `text`, as editors count them;
/// an offset past the end or inside a character counts from the whole text.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before.get(line_start..).unwrap_or_default().chars().count() + 1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("{what}")]
    struct Layer {
        what: &'static str,
        #[source]
        below: Option<Box<Layer>>,
    }

    fn layers(texts: &[&'static str]) -> Layer {
        let mut layer = None;
        for what in texts.iter().rev() {
            layer = Some(Layer {
                what,
                below: layer.map(Box::new),
            });
        }
        layer.unwrap()
    }

    #[test]
    fn every_cause_is_told_once() {
        let cases = [
            ("alone", vec!["GetObject s3://b/k"], "GetObject s3://b/k"),
            (
                "each cause after its error",
                vec![
                    "s3://b/k could not be read",
                    "GetObject s3://b/k: transient failure",
                    "timeout",
                ],
                "s3://b/k could not be read: GetObject s3://b/k: transient failure: timeout",
            ),
            (
                "a cause the message already quotes",
                vec!["config: timeout", "timeout"],
                "config: timeout",
            ),
        ];
        for (name, texts, want) in cases {
            assert_eq!(chain(&layers(&texts)), want, "case {name}");
        }
    }
}
