//! The file name at the bottom of a CloudTrail folder tree: its shape for the folder's kind,
//! and agreement with the account, region and date folders above it.

use time::OffsetDateTime;

use super::component::{is_region, is_utc_time};
use super::{DigestName, KeyError, KeyErrorKind, Trail};
use crate::date::Date;

/// The folders a file name must agree with, as written in the key.
pub(super) struct Folders<'a> {
    pub(super) account: &'a str,
    pub(super) region: &'a str,
    pub(super) year: &'a str,
    pub(super) month: &'a str,
    pub(super) day: &'a str,
    /// The day the three date folders name (checked before the file name).
    pub(super) date: Option<Date>,
}

const EXTENSION: &str = ".json.gz";
const SUFFIX_LEN: usize = 16;
/// What ends a backfill digest's stem, after its time.
const BACKFILL: &str = "_backfill";

/// Checks that `name` is a file name of `trail`'s kind that agrees with `folders`; for a digest,
/// returns what its name says beyond them.
pub(super) fn check(
    trail: Trail,
    name: &str,
    folders: &Folders<'_>,
) -> Result<Option<DigestName>, KeyError> {
    let folder = trail.name();
    let bad_name = |why: String| {
        KeyError::new(
            KeyErrorKind::BadFileName,
            format!("file name `{name}` in a `{folder}` folder {why}"),
        )
    };
    let not_of_form = || bad_name(format!("is not of the form `{}`", pattern(trail)));

    let stem = name
        .strip_suffix(EXTENSION)
        .ok_or_else(|| bad_name(format!("does not end in `{EXTENSION}`")))?;
    let mut fields = stem.splitn(4, '_');
    let (Some(account), Some(marker), Some(region), Some(tail)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(not_of_form());
    };
    if marker != folder {
        return Err(match Trail::ALL.into_iter().find(|t| t.name() == marker) {
            Some(other) => bad_name(format!(
                "is {} file name, not {} one",
                other.with_article(),
                trail.with_article()
            )),
            None => not_of_form(),
        });
    }
    let mismatch = |what: &str, found: &str, folder_value: String| {
        KeyError::new(
            KeyErrorKind::FileNameMismatch,
            format!("file name `{name}` names {what} `{found}` but sits in {what} folder `{folder_value}`"),
        )
    };
    if account != folders.account {
        return Err(mismatch("account", account, folders.account.to_owned()));
    }
    if region != folders.region {
        return Err(mismatch("region", region, folders.region.to_owned()));
    }

    let mut digest = None;
    let stamp = match trail {
        // Trail names may contain `_` but regions cannot, so a digest's name splits from the right.
        Trail::Digest => {
            let (tail, backfill) = match tail.strip_suffix(BACKFILL) {
                Some(tail) => (tail, true),
                None => (tail, false),
            };
            let mut fields = tail.rsplitn(3, '_');
            let (Some(stamp), Some(home_region), Some(trail_name)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(not_of_form());
            };
            if !is_trail_name(trail_name) {
                return Err(bad_name(format!(
                    "names trail `{trail_name}`, which is not one or more ASCII letters, digits, `.`, `_` or `-`"
                )));
            }
            if !is_region(home_region) {
                return Err(KeyError::new(
                    KeyErrorKind::BadRegion,
                    format!("home region `{home_region}` in file name `{name}` is not a valid AWS region name"),
                ));
            }
            digest = Some((trail_name, home_region, backfill));
            stamp
        }
        Trail::Log | Trail::Insight => {
            let Some((stamp, suffix)) = tail.split_once('_') else {
                return Err(not_of_form());
            };
            if suffix.len() != SUFFIX_LEN || !suffix.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(bad_name(format!(
                    "ends in `{suffix}`, not exactly {SUFFIX_LEN} ASCII letters or digits"
                )));
            }
            stamp
        }
    };

    let Some((date, time)) = stamp.split_once('T') else {
        return Err(not_of_form());
    };
    let date_agrees = date.len() == 8
        && date.get(..4) == Some(folders.year)
        && date.get(4..6) == Some(folders.month)
        && date.get(6..) == Some(folders.day);
    if !date_agrees {
        let folder_date = format!("{}/{}/{}", folders.year, folders.month, folders.day);
        return Err(mismatch("date", date, folder_date));
    }
    let with_seconds = trail == Trail::Digest;
    if !time
        .strip_suffix('Z')
        .is_some_and(|time| is_utc_time(time, with_seconds))
    {
        let form = if with_seconds { "HHMMSSZ" } else { "HHMMZ" };
        return Err(KeyError::new(
            KeyErrorKind::BadTime,
            format!(
                "time `{time}` in file name `{name}` is not a real UTC time of the form {form}"
            ),
        ));
    }
    Ok(digest.map(|(trail, home_region, backfill)| DigestName {
        trail: trail.to_owned(),
        home_region: home_region.to_owned(),
        time: stamp_time(folders.date, time),
        backfill,
    }))
}

/// The UTC instant of a digest's checked day and `hhmmssZ` (the file name's date equals the
/// folders'). Both were validated before, so the fallback (the Unix epoch) is never taken.
fn stamp_time(day: Option<Date>, clock: &str) -> OffsetDateTime {
    let two = |from: usize| clock.get(from..from + 2)?.parse::<u8>().ok();
    day.zip(two(0).zip(two(2)).zip(two(4)))
        .and_then(|(day, ((hour, minute), second))| day.at_utc(hour, minute, second))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The file-name shape of `trail`'s kind, for messages.
fn pattern(trail: Trail) -> String {
    let marker = trail.name();
    match trail {
        Trail::Digest => format!(
            "<account>_{marker}_<region>_<trail>_<home region>_<yyyymmdd>T<hhmmss>Z[{BACKFILL}]{EXTENSION}"
        ),
        Trail::Log | Trail::Insight => format!(
            "<account>_{marker}_<region>_<yyyymmdd>T<hhmm>Z_<{SUFFIX_LEN} letters or digits>{EXTENSION}"
        ),
    }
}

fn is_trail_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folders() -> Folders<'static> {
        Folders {
            account: "111122223333",
            region: "eu-west-1",
            year: "2025",
            month: "03",
            day: "06",
            date: Date::new(2025, 3, 6),
        }
    }

    #[test]
    fn file_names_match_their_kind_and_folders() {
        let cases: &[(&str, Trail, &str, Result<(), &str>)] = &[
            (
                "log",
                Trail::Log,
                "111122223333_CloudTrail_eu-west-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz",
                Ok(()),
            ),
            (
                "insight",
                Trail::Insight,
                "111122223333_CloudTrail-Insight_eu-west-1_20250306T2359Z_0123456789abcdef.json.gz",
                Ok(()),
            ),
            (
                "digest",
                Trail::Digest,
                "111122223333_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20250306T023015Z.json.gz",
                Ok(()),
            ),
            (
                "digest whose trail name has underscores",
                Trail::Digest,
                "111122223333_CloudTrail-Digest_eu-west-1_my_org_trail_us-gov-west-1_20250306T000000Z.json.gz",
                Ok(()),
            ),
            (
                "digest whose trail name is only underscores and dots",
                Trail::Digest,
                "111122223333_CloudTrail-Digest_eu-west-1_._us-east-1_20250306T000000Z.json.gz",
                Ok(()),
            ),
            (
                "`.json` file",
                Trail::Log,
                "111122223333_CloudTrail_eu-west-1_20250306T0230Z_QF6qcgyiaVnSueXa.json",
                Err("bad-file-name"),
            ),
            (
                "`.tmp` file",
                Trail::Log,
                "111122223333_CloudTrail_eu-west-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz.tmp",
                Err("bad-file-name"),
            ),
            (
                "uppercase extension",
                Trail::Log,
                "111122223333_CloudTrail_eu-west-1_20250306T0230Z_QF6qcgyiaVnSueXa.JSON.GZ",
                Err("bad-file-name"),
            ),
            (
                "digest name in a log folder",
                Trail::Log,
                "111122223333_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20250306T023015Z.json.gz",
                Err("bad-file-name"),
            ),
            (
                "log name in a digest folder",
                Trail::Digest,
                "111122223333_CloudTrail_eu-west-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz",
                Err("bad-file-name"),
            ),
            (
                "log name in an insight folder",
                Trail::Insight,
                "111122223333_CloudTrail_eu-west-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz",
                Err("bad-file-name"),
            ),
            (
                "unknown marker",
                Trail::Log,
                "111122223333_Config_eu-west-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz",
                Err("bad-file-name"),
            ),
            ("too few fields", Trail::Log, "111122223333_CloudTrail.json.gz", Err("bad-file-name")),
            (
                "suffix of 15 characters",
                Trail::Log,
                "111122223333_CloudTrail_eu-west-1_20250306T0230Z_QF6qcgyiaVnSueX.json.gz",
                Err("bad-file-name"),
            ),
            (
                "suffix of 17 characters",
                Trail::Log,
                "111122223333_CloudTrail_eu-west-1_20250306T0230Z_QF6qcgyiaVnSueXab.json.gz",
                Err("bad-file-name"),
            ),
            (
                "suffix with a non-ASCII letter",
                Trail::Log,
                "111122223333_CloudTrail_eu-west-1_20250306T0230Z_QF6qcgyiaVnSueé.json.gz",
                Err("bad-file-name"),
            ),
            (
                "suffix with an underscore",
                Trail::Insight,
                "111122223333_CloudTrail-Insight_eu-west-1_20250306T0230Z_QF6qcgyia_nSueXa.json.gz",
                Err("bad-file-name"),
            ),
            (
                "empty trail name",
                Trail::Digest,
                "111122223333_CloudTrail-Digest_eu-west-1__us-east-1_20250306T023015Z.json.gz",
                Err("bad-file-name"),
            ),
            (
                "trail name with a space",
                Trail::Digest,
                "111122223333_CloudTrail-Digest_eu-west-1_my trail_us-east-1_20250306T023015Z.json.gz",
                Err("bad-file-name"),
            ),
            (
                "digest without a home region",
                Trail::Digest,
                "111122223333_CloudTrail-Digest_eu-west-1_20250306T023015Z.json.gz",
                Err("bad-file-name"),
            ),
            (
                "digest with a bad home region",
                Trail::Digest,
                "111122223333_CloudTrail-Digest_eu-west-1_org-trail_US-EAST-1_20250306T023015Z.json.gz",
                Err("bad-region"),
            ),
            (
                "missing `T` in the stamp",
                Trail::Log,
                "111122223333_CloudTrail_eu-west-1_202503060230Z_QF6qcgyiaVnSueXa.json.gz",
                Err("bad-file-name"),
            ),
            (
                "another account",
                Trail::Log,
                "444455556666_CloudTrail_eu-west-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz",
                Err("file-name-mismatch"),
            ),
            (
                "another region",
                Trail::Log,
                "111122223333_CloudTrail_eu-west-2_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz",
                Err("file-name-mismatch"),
            ),
            (
                "another date",
                Trail::Log,
                "111122223333_CloudTrail_eu-west-1_20250305T0230Z_QF6qcgyiaVnSueXa.json.gz",
                Err("file-name-mismatch"),
            ),
            (
                "date with a non-ASCII character",
                Trail::Log,
                "111122223333_CloudTrail_eu-west-1_2025é306T0230Z_QF6qcgyiaVnSueXa.json.gz",
                Err("file-name-mismatch"),
            ),
            (
                "hour 24",
                Trail::Log,
                "111122223333_CloudTrail_eu-west-1_20250306T2400Z_QF6qcgyiaVnSueXa.json.gz",
                Err("bad-time"),
            ),
            (
                "minute 60",
                Trail::Log,
                "111122223333_CloudTrail_eu-west-1_20250306T0260Z_QF6qcgyiaVnSueXa.json.gz",
                Err("bad-time"),
            ),
            (
                "no `Z`",
                Trail::Insight,
                "111122223333_CloudTrail-Insight_eu-west-1_20250306T0230_QF6qcgyiaVnSueXa.json.gz",
                Err("bad-time"),
            ),
            (
                "log time with seconds",
                Trail::Log,
                "111122223333_CloudTrail_eu-west-1_20250306T023000Z_QF6qcgyiaVnSueXa.json.gz",
                Err("bad-time"),
            ),
            (
                "digest time without seconds",
                Trail::Digest,
                "111122223333_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20250306T0230Z.json.gz",
                Err("bad-time"),
            ),
            (
                "digest second 60",
                Trail::Digest,
                "111122223333_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20250306T023060Z.json.gz",
                Err("bad-time"),
            ),
        ];
        for (case, trail, name, expected) in cases {
            let got = check(*trail, name, &folders())
                .map(|_| ())
                .map_err(|e| e.code());
            assert_eq!(got, *expected, "case `{case}`");
        }
    }

    #[test]
    fn messages_name_the_offending_part() {
        let cases = [
            (
                "another account",
                "444455556666_CloudTrail_eu-west-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz",
                "names account `444455556666` but sits in account folder `111122223333`",
            ),
            (
                "digest in a log folder",
                "111122223333_CloudTrail-Digest_eu-west-1_t_us-east-1_20250306T023015Z.json.gz",
                "is a digest file name, not a log one",
            ),
            (
                "short suffix",
                "111122223333_CloudTrail_eu-west-1_20250306T0230Z_abc.json.gz",
                "ends in `abc`, not exactly 16 ASCII letters or digits",
            ),
        ];
        for (case, name, fragment) in cases {
            let message = check(Trail::Log, name, &folders()).unwrap_err().to_string();
            assert!(message.contains(fragment), "case `{case}`: {message}");
        }
    }
}
