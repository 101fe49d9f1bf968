//! CloudTrail object keys: parsing a key into its components and checking it against the layout
//! CloudTrail writes (DESIGN §1 and §4, "Key").
//!
//! A key ends in one of three outcomes. A CloudTrail file (log, digest or Insights file) parses
//! into all its components. Another service's file, a folder placeholder or a key outside any
//! `AWSLogs` folder is kind `other` and is skipped without alarm. Everything else is a
//! [`KeyError`], which becomes a delivery alert. Near misses (a CloudTrail name in the wrong
//! letter case, a CloudTrail folder at the wrong depth, a file name of the wrong kind) are errors
//! rather than `other`: a writer that gets them wrong is broken or hiding logs from this check.
//!
//! Everything here is pure: the caller passes today's date for the "no later than tomorrow" rule.

mod component;
mod error;
mod file_name;
#[cfg(test)]
mod roundtrip;
#[cfg(test)]
mod tests;
mod url;

pub use component::{is_account_id, is_org_id, is_region};
pub use error::{KeyError, KeyErrorKind};
pub use url::url_decode;

use time::OffsetDateTime;

use crate::date::Date;
use component::date_folders;
use file_name::Folders;

/// The folder that anchors the layout; the rightmost one counts, so a prefix may contain it.
const ANCHOR: &str = "AWSLogs";

/// What an object is, judged from its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A CloudTrail log file, under `CloudTrail/`.
    Log,
    /// A digest file, under `CloudTrail-Digest/`.
    Digest,
    /// An Insights events file, under `CloudTrail-Insight/`.
    Insight,
    /// Not CloudTrail's: another service's file, a folder placeholder, or a key outside
    /// `AWSLogs`.
    Other,
}

impl Kind {
    /// The lowercase name used in JSON output: `log`, `digest`, `insight` or `other`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Log => "log",
            Kind::Digest => "digest",
            Kind::Insight => "insight",
            Kind::Other => "other",
        }
    }
}

/// A key that passed validation, with the components it names.
///
/// For CloudTrail files, `account_id`, `region` and `date` are always present (`prefix` and
/// `org_id` when the key has them). For `other` keys, `prefix`, `org_id` and `account_id` are
/// given when the key has them; `region` and `date` never are.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogKey {
    /// What the object is.
    pub kind: Kind,
    /// Everything before the `AWSLogs` folder, without the trailing `/`; `None` when empty.
    pub prefix: Option<String>,
    /// The organization id folder of an organization trail, e.g. `o-aa1bb2cc3d`.
    pub org_id: Option<String>,
    /// The 12-digit account folder.
    pub account_id: Option<String>,
    /// The region folder, e.g. `us-east-1`.
    pub region: Option<String>,
    /// The day named by the date folders.
    pub date: Option<Date>,
    /// For a digest, what its file name says beyond the folders; `None` for every other kind.
    #[serde(skip)]
    pub digest: Option<DigestName>,
}

/// What a digest file's name says beyond its folders (DESIGN §1, INTEGRITY §1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestName {
    /// The trail's name.
    pub trail: String,
    /// The trail's home region, where its public keys are listed.
    pub home_region: String,
    /// The file name's time (`yyyymmddThhmmssZ`), which is when the digest was written.
    pub time: OffsetDateTime,
    /// A backfill digest (`…Z_backfill.json.gz`), written later for logs that missed their
    /// hour's digest.
    pub backfill: bool,
}

impl LogKey {
    /// Parses and validates an object key (already URL-decoded; see [`url_decode`]).
    ///
    /// `today` is the current UTC date; date folders may name at most the day after it.
    pub fn parse(key: &str, today: Date) -> Result<LogKey, KeyError> {
        check_characters(key)?;
        let segments: Vec<&str> = key.split('/').collect();
        check_segments(&segments)?;

        // Only folders anchor the layout: an object merely named `AWSLogs` is just a file.
        let folders = segments
            .split_last()
            .map_or(&[][..], |(_, folders)| folders);
        let Some(anchor) = folders
            .iter()
            .rposition(|segment| segment.eq_ignore_ascii_case(ANCHOR))
        else {
            return Ok(LogKey::other(None));
        };
        let (before, from_anchor) = segments.split_at(anchor);
        let Some((&anchor_folder, below)) = from_anchor.split_first() else {
            return Ok(LogKey::other(None));
        };
        if anchor_folder != ANCHOR {
            return Err(near_miss(anchor_folder, ANCHOR));
        }
        let prefix = (!before.is_empty()).then(|| before.join("/"));
        // A key ending in `/` is a folder placeholder: its last segment is empty.
        let (below, placeholder) = match below.strip_suffix(&[""]) {
            Some(folders) => (folders, true),
            None => (below, false),
        };
        parse_below_anchor(below, placeholder, LogKey::other(prefix), today)
    }

    fn other(prefix: Option<String>) -> LogKey {
        LogKey {
            kind: Kind::Other,
            prefix,
            org_id: None,
            account_id: None,
            region: None,
            date: None,
            digest: None,
        }
    }
}

/// The three CloudTrail folder kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trail {
    Log,
    Digest,
    Insight,
}

impl Trail {
    const ALL: [Trail; 3] = [Trail::Log, Trail::Digest, Trail::Insight];

    /// The folder name, which is also the kind marker inside the file name.
    fn name(self) -> &'static str {
        match self {
            Trail::Log => "CloudTrail",
            Trail::Digest => "CloudTrail-Digest",
            Trail::Insight => "CloudTrail-Insight",
        }
    }

    fn kind(self) -> Kind {
        match self {
            Trail::Log => Kind::Log,
            Trail::Digest => Kind::Digest,
            Trail::Insight => Kind::Insight,
        }
    }

    fn with_article(self) -> &'static str {
        match self {
            Trail::Log => "a log",
            Trail::Digest => "a digest",
            Trail::Insight => "an insight",
        }
    }

    /// The kind `folder` names; a near miss in letter case is an error, any other name `None`.
    fn from_folder(folder: &str) -> Result<Option<Trail>, KeyError> {
        for trail in Trail::ALL {
            if folder == trail.name() {
                return Ok(Some(trail));
            }
            if folder.eq_ignore_ascii_case(trail.name()) {
                return Err(near_miss(folder, trail.name()));
            }
        }
        Ok(None)
    }
}

/// Walks the segments after `AWSLogs/`: `[o-orgid/]<account>/<service>/...`.
fn parse_below_anchor(
    below: &[&str],
    placeholder: bool,
    mut key: LogKey,
    today: Date,
) -> Result<LogKey, KeyError> {
    let Some((&first, rest)) = below.split_first() else {
        return Ok(key);
    };
    let (account, rest) = if first.starts_with("o-") {
        if !is_org_id(first) {
            return Err(KeyError::new(
                KeyErrorKind::BadOrgId,
                format!(
                    "organization folder `{first}` is not `o-` followed by 10 to 32 lowercase ASCII letters or digits"
                ),
            ));
        }
        key.org_id = Some(first.to_owned());
        let Some((&account, rest)) = rest.split_first() else {
            return Ok(key);
        };
        if !is_account_id(account) {
            return Err(KeyError::new(
                KeyErrorKind::BadAccount,
                format!(
                    "account folder `{account}` after organization folder `{first}` is not 12 ASCII digits"
                ),
            ));
        }
        (account, rest)
    } else if is_account_id(first) {
        (first, rest)
    } else {
        return Err(KeyError::new(
            KeyErrorKind::BadAccount,
            format!(
                "account folder `{first}` after `{ANCHOR}` is not 12 ASCII digits, nor an organization id (`o-` followed by 10 to 32 lowercase letters or digits)"
            ),
        ));
    };
    key.account_id = Some(account.to_owned());

    let Some((&service, inside)) = rest.split_first() else {
        return Ok(key);
    };
    if inside.is_empty() && !placeholder {
        // A file directly in the account folder, such as an S3 access-check object.
        return Ok(key);
    }
    if let Some(trail) = Trail::from_folder(service)? {
        return parse_trail_tree(trail, account, inside, placeholder, key, today);
    }
    // Another service's tree, left alone, except that a CloudTrail folder hidden inside it is
    // misplaced; only folders count, not the file at the bottom.
    let inner_folders = if placeholder {
        inside
    } else {
        inside.split_last().map_or(inside, |(_, folders)| folders)
    };
    for &folder in inner_folders {
        if let Some(trail) = Trail::from_folder(folder)? {
            return Err(KeyError::new(
                KeyErrorKind::WrongDepth,
                format!(
                    "`{}` folder inside `{account}/{service}` is at the wrong depth: CloudTrail folders belong directly inside the account folder",
                    trail.name()
                ),
            ));
        }
    }
    Ok(key)
}

/// Checks what lies inside a CloudTrail folder: exactly `<region>/<yyyy>/<mm>/<dd>/<file>`,
/// or, for a placeholder, a leading part of the folders.
fn parse_trail_tree(
    trail: Trail,
    account: &str,
    inside: &[&str],
    placeholder: bool,
    mut key: LogKey,
    today: Date,
) -> Result<LogKey, KeyError> {
    let wrong_depth = || {
        let trailing_slash = if placeholder { "/" } else { "" };
        KeyError::new(
            KeyErrorKind::WrongDepth,
            format!(
                "`{}` folder must hold exactly <region>/<yyyy>/<mm>/<dd>/<file>, not `{}{trailing_slash}`",
                trail.name(),
                inside.join("/")
            ),
        )
    };
    if placeholder {
        // A placeholder names a folder; one below the day folder could only hold misplaced files.
        if inside.len() > 4 {
            return Err(wrong_depth());
        }
        if let Some((&region, date_parts)) = inside.split_first() {
            check_region_folder(region)?;
            date_folders(date_parts, today)?;
        }
        return Ok(key);
    }
    let &[region, year, month, day, file] = inside else {
        return Err(wrong_depth());
    };
    check_region_folder(region)?;
    let date = date_folders(&[year, month, day], today)?;
    let folders = Folders {
        account,
        region,
        year,
        month,
        day,
        date,
    };
    key.digest = file_name::check(trail, file, &folders)?;
    key.kind = trail.kind();
    key.region = Some(region.to_owned());
    key.date = date;
    Ok(key)
}

fn check_region_folder(region: &str) -> Result<(), KeyError> {
    if is_region(region) {
        Ok(())
    } else {
        Err(KeyError::new(
            KeyErrorKind::BadRegion,
            format!("region folder `{region}` is not a valid AWS region name"),
        ))
    }
}

fn near_miss(found: &str, expected: &str) -> KeyError {
    KeyError::new(
        KeyErrorKind::NearMiss,
        format!("folder `{found}` differs from `{expected}` only in letter case"),
    )
}

/// Rejects the empty key, control characters, backslashes and a leading `/`.
/// S3's limit on a key's length, in bytes of UTF-8.
const MAX_KEY_BYTES: usize = 1024;

fn check_characters(key: &str) -> Result<(), KeyError> {
    if key.is_empty() {
        return Err(KeyError::new(
            KeyErrorKind::EmptyKey,
            "the key is empty".to_owned(),
        ));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(KeyError::new(
            KeyErrorKind::TooLong,
            format!(
                "the key is {} bytes long; S3 keys are at most {MAX_KEY_BYTES}",
                key.len()
            ),
        ));
    }
    for (offset, character) in key.char_indices() {
        // `is_control` is exactly U+0000–U+001F, U+007F and the C1 range U+0080–U+009F.
        if character.is_control() {
            return Err(KeyError::new(
                KeyErrorKind::ControlCharacter,
                format!(
                    "segment `{}` contains control character U+{:04X}",
                    escape_controls(segment_at(key, offset)),
                    u32::from(character)
                ),
            ));
        }
        if character == '\\' {
            return Err(KeyError::new(
                KeyErrorKind::Backslash,
                format!(
                    "segment `{}` contains a backslash, which some tools treat as a path separator",
                    // A control character after the backslash is not rejected yet.
                    escape_controls(segment_at(key, offset))
                ),
            ));
        }
    }
    if key.starts_with('/') {
        return Err(KeyError::new(
            KeyErrorKind::LeadingSlash,
            format!("key `{key}` starts with `/`"),
        ));
    }
    Ok(())
}

/// Rejects empty segments (except a placeholder's trailing one) and `.` or `..` segments.
fn check_segments(segments: &[&str]) -> Result<(), KeyError> {
    let last = segments.len().saturating_sub(1);
    for (index, &segment) in segments.iter().enumerate() {
        if segment.is_empty() && index != last {
            let before = segments.get(..index).unwrap_or_default().join("/");
            return Err(KeyError::new(
                KeyErrorKind::EmptySegment,
                format!("key has an empty segment (two slashes in a row) after `{before}`"),
            ));
        }
        if segment == "." || segment == ".." {
            return Err(KeyError::new(
                KeyErrorKind::DotSegment,
                format!(
                    "segment `{segment}` is a relative path step, which path-based tools resolve to another folder"
                ),
            ));
        }
    }
    Ok(())
}

/// The `/`-separated segment of `key` containing byte `offset` (a character boundary).
fn segment_at(key: &str, offset: usize) -> &str {
    let start = key
        .get(..offset)
        .and_then(|before| before.rfind('/'))
        .map_or(0, |slash| slash + 1);
    let end = key
        .get(offset..)
        .and_then(|after| after.find('/'))
        .map_or(key.len(), |slash| offset + slash);
    key.get(start..end).unwrap_or(key)
}

/// `text` with control characters written as `\u{..}`, so a message cannot smuggle them into
/// logs or alerts.
fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
