//! Decoding of object keys as S3 event notifications carry them.
//!
//! S3 form-encodes keys in events: a space arrives as `+` and a literal `+` as `%2B`, so the
//! `+` must be turned into a space before (never after) the `%XX` escapes are decoded.

use super::{KeyError, KeyErrorKind};

/// Decodes an S3-event key: `+` becomes a space, then each `%XX` escape becomes its byte,
/// exactly once (`%252F` decodes to `%2F`, not `/`).
///
/// A `%` not followed by two hex digits, or a result that is not UTF-8, is a
/// [`KeyErrorKind::BadUrlEncoding`] error.
pub fn url_decode(encoded: &str) -> Result<String, KeyError> {
    let mut decoded = Vec::with_capacity(encoded.len());
    let mut bytes = encoded.bytes().enumerate();
    while let Some((offset, byte)) = bytes.next() {
        match byte {
            b'+' => decoded.push(b' '),
            b'%' => {
                let high = bytes.next().and_then(|(_, b)| hex_value(b));
                let low = bytes.next().and_then(|(_, b)| hex_value(b));
                let (Some(high), Some(low)) = (high, low) else {
                    // `offset` is at an ASCII `%`, so the slice starts on a character boundary.
                    let escape: String = encoded
                        .get(offset..)
                        .unwrap_or_default()
                        .chars()
                        .take(3)
                        .collect();
                    return Err(KeyError::new(
                        KeyErrorKind::BadUrlEncoding,
                        format!(
                            "URL-encoded key has `{}` at byte {offset}, which is not `%` followed by two hex digits",
                            super::escape_controls(&escape)
                        ),
                    ));
                };
                decoded.push(high << 4 | low);
            }
            other => decoded.push(other),
        }
    }
    String::from_utf8(decoded).map_err(|error| {
        KeyError::new(
            KeyErrorKind::BadUrlEncoding,
            format!(
                "URL-encoded key does not decode to UTF-8 text (invalid byte at decoded offset {})",
                error.utf8_error().valid_up_to()
            ),
        )
    })
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_s3_event_keys() {
        let cases = [
            (
                "plain key",
                "AWSLogs/111122223333/x.json.gz",
                Ok("AWSLogs/111122223333/x.json.gz"),
            ),
            ("plus is a space", "my+logs/a+b", Ok("my logs/a b")),
            ("percent-20 is a space", "my%20logs", Ok("my logs")),
            ("percent-2B is a plus", "a%2Bb", Ok("a+b")),
            ("lowercase hex", "a%2bb%2f", Ok("a+b/")),
            ("decoded exactly once", "a%252Fb", Ok("a%2Fb")),
            ("multi-byte UTF-8", "caf%C3%A9", Ok("café")),
            ("raw non-ASCII passes through", "café+x", Ok("café x")),
            ("empty", "", Ok("")),
            ("bad hex digits", "a%zzb", Err("bad-url-encoding")),
            ("one bad hex digit", "a%2zb", Err("bad-url-encoding")),
            ("trailing percent", "a%", Err("bad-url-encoding")),
            (
                "percent and one digit at the end",
                "a%2",
                Err("bad-url-encoding"),
            ),
            (
                "percent before a multi-byte character",
                "a%é",
                Err("bad-url-encoding"),
            ),
            (
                "not UTF-8 after decoding",
                "a%C3%28",
                Err("bad-url-encoding"),
            ),
            ("lone continuation byte", "%80", Err("bad-url-encoding")),
        ];
        for (name, encoded, expected) in cases {
            let got = url_decode(encoded);
            assert_eq!(
                got.as_deref().map_err(|e| e.code()),
                expected,
                "case `{name}`"
            );
        }
    }

    #[test]
    fn errors_name_the_bad_escape() {
        let message = url_decode("logs/%zz/x").unwrap_err().to_string();
        assert!(message.contains("`%zz` at byte 5"), "{message}");
    }

    /// Encodes `text` the way S3 event notifications do: unreserved bytes as themselves, a space
    /// as `+` or `%20`, everything else (including `+` and `%`) as `%XX` in either case.
    fn encode(text: &str, plus_for_space: bool, lowercase_hex: bool) -> String {
        let mut encoded = String::new();
        for byte in text.bytes() {
            match byte {
                b' ' if plus_for_space => encoded.push('+'),
                b if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) => {
                    encoded.push(char::from(b))
                }
                b if lowercase_hex => encoded.push_str(&format!("%{b:02x}")),
                b => encoded.push_str(&format!("%{b:02X}")),
            }
        }
        encoded
    }

    /// Decoding never grows the text, only fails with the URL-encoding error, and leaves
    /// escape-free text alone except for `+`.
    fn check_decoding(text: &str) -> Result<(), TestCaseError> {
        match url_decode(text) {
            Ok(decoded) => {
                prop_assert!(decoded.len() <= text.len());
                if !text.contains('%') {
                    prop_assert_eq!(decoded, text.replace('+', " "));
                }
            }
            Err(error) => prop_assert_eq!(error.kind(), KeyErrorKind::BadUrlEncoding),
        }
        Ok(())
    }

    #[test]
    fn a_bad_escape_is_quoted_without_its_control_characters() {
        let error = url_decode("AWSLogs/%\n1").unwrap_err();
        assert_eq!(error.kind(), KeyErrorKind::BadUrlEncoding);
        assert!(
            error.message().contains("`%\\u{a}1`"),
            "{}",
            error.message()
        );
        assert!(!error.message().chars().any(char::is_control));
    }

    proptest! {
        #[test]
        fn any_text_decodes_or_fails_with_a_typed_error(text in any::<String>()) {
            check_decoding(&text)?;
        }

        #[test]
        fn escape_heavy_text_decodes_or_fails_with_a_typed_error(
            text in "[%+0-9a-fA-Fz/é]{0,40}",
        ) {
            check_decoding(&text)?;
        }

        #[test]
        fn encoded_text_decodes_back(
            text in any::<String>(),
            plus_for_space in any::<bool>(),
            lowercase_hex in any::<bool>(),
        ) {
            let encoded = encode(&text, plus_for_space, lowercase_hex);
            prop_assert_eq!(url_decode(&encoded), Ok(text));
        }
    }
}
