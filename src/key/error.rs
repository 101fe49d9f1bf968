//! The typed error every rejected key carries: a stable code for machines and a sentence for
//! the security engineer reading the delivery alert.

/// Why a key was rejected. Each variant has a stable kebab-case [`code`](KeyErrorKind::code)
/// that alerts and the CLI print; new variants may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyErrorKind {
    /// The key is the empty string.
    EmptyKey,
    /// Longer than the 1,024 bytes S3 allows a key: no stored object has it, so the event that
    /// names it is forged or corrupt.
    TooLong,
    /// The key starts with `/`.
    LeadingSlash,
    /// Two slashes in a row: a segment other than a trailing placeholder one is empty.
    EmptySegment,
    /// A `.` or `..` segment, which path-based tooling would resolve elsewhere.
    DotSegment,
    /// A control character (U+0000–U+001F, U+007F–U+009F).
    ControlCharacter,
    /// A backslash, which Windows-style tooling would treat as a separator.
    Backslash,
    /// A folder that is `AWSLogs`, `CloudTrail`, `CloudTrail-Digest` or `CloudTrail-Insight`
    /// except for letter case.
    NearMiss,
    /// The folder where an account id belongs is not 12 ASCII digits.
    BadAccount,
    /// A folder starting with `o-` is not an organization id (`o-` and 10–32 of `[a-z0-9]`).
    BadOrgId,
    /// A CloudTrail folder is not directly inside the account folder, or does not hold exactly
    /// region/year/month/day/file.
    WrongDepth,
    /// A region folder, or a digest's home region, is not a syntactically valid AWS region.
    BadRegion,
    /// Date folders that are not zero-padded numbers naming a real date.
    BadDate,
    /// Date folders before CloudTrail's launch (2013-11-01) or after tomorrow.
    DateOutOfRange,
    /// A file name without the shape of its folder's kind: wrong extension, another kind's
    /// name, a bad suffix or trail name.
    BadFileName,
    /// The file name's account, region or date disagrees with its folders.
    FileNameMismatch,
    /// The time in the file name is not a real UTC time of the expected form.
    BadTime,
    /// An S3-event key with a malformed `%` escape, or that does not decode to UTF-8.
    BadUrlEncoding,
}

impl KeyErrorKind {
    /// The stable kebab-case code, e.g. `bad-account`.
    pub fn code(self) -> &'static str {
        match self {
            KeyErrorKind::EmptyKey => "empty-key",
            KeyErrorKind::TooLong => "too-long",
            KeyErrorKind::LeadingSlash => "leading-slash",
            KeyErrorKind::EmptySegment => "empty-segment",
            KeyErrorKind::DotSegment => "dot-segment",
            KeyErrorKind::ControlCharacter => "control-character",
            KeyErrorKind::Backslash => "backslash",
            KeyErrorKind::NearMiss => "near-miss",
            KeyErrorKind::BadAccount => "bad-account",
            KeyErrorKind::BadOrgId => "bad-org-id",
            KeyErrorKind::WrongDepth => "wrong-depth",
            KeyErrorKind::BadRegion => "bad-region",
            KeyErrorKind::BadDate => "bad-date",
            KeyErrorKind::DateOutOfRange => "date-out-of-range",
            KeyErrorKind::BadFileName => "bad-file-name",
            KeyErrorKind::FileNameMismatch => "file-name-mismatch",
            KeyErrorKind::BadTime => "bad-time",
            KeyErrorKind::BadUrlEncoding => "bad-url-encoding",
        }
    }
}

/// A rejected key: what kind of failure, and a sentence naming the offending segment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct KeyError {
    kind: KeyErrorKind,
    message: String,
}

impl KeyError {
    pub(super) fn new(kind: KeyErrorKind, message: String) -> KeyError {
        KeyError { kind, message }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> KeyErrorKind {
        self.kind
    }

    /// The stable kebab-case code of [`kind`](KeyError::kind).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The human-readable sentence, naming the offending segment.
    pub fn message(&self) -> &str {
        &self.message
    }
}
