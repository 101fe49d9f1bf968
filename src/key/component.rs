//! Syntax of the single components a CloudTrail key is built from: account and organization
//! ids, regions, date folders and times of day.
//!
//! Everything here is ASCII-only on purpose: Rust's `char::is_numeric` and the regex crate's
//! `\d` accept other scripts' digits, which would let `١٢٣...` pass as an account id.

use super::{KeyError, KeyErrorKind};
use crate::date::{Date, CLOUDTRAIL_LAUNCH};

/// 12 ASCII digits.
pub fn is_account_id(segment: &str) -> bool {
    segment.len() == 12 && is_ascii_digits(segment)
}

/// `o-` followed by 10 to 32 lowercase ASCII letters or digits.
pub fn is_org_id(segment: &str) -> bool {
    segment.strip_prefix("o-").is_some_and(|id| {
        (10..=32).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// The whole of `segment` matches `[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+`, so regions
/// launched after this was written pass without a code change.
pub fn is_region(segment: &str) -> bool {
    let Some((area, rest)) = segment.split_once('-') else {
        return false;
    };
    let Some((middle, number)) = rest.rsplit_once('-') else {
        return false;
    };
    // `[a-z]+` cannot hold a `-`, so the middle is either a name or a partition and a name.
    let middle_ok = match middle.split_once('-') {
        None => is_lowercase_word(middle),
        Some((partition, name)) => {
            let partition_ok = partition == "gov"
                || partition
                    .strip_prefix("iso")
                    .is_some_and(|letter| letter.len() <= 1 && is_lowercase(letter));
            partition_ok && is_lowercase_word(name)
        }
    };
    area.len() == 2 && is_lowercase_word(area) && middle_ok && is_ascii_digits(number)
}

/// A real UTC time of day written `HHMM`, or `HHMMSS` when `with_seconds`.
pub(super) fn is_utc_time(text: &str, with_seconds: bool) -> bool {
    let expected_len = if with_seconds { 6 } else { 4 };
    if text.len() != expected_len || !is_ascii_digits(text) {
        return false;
    }
    // Leap seconds (`60`) are not accepted: CloudTrail has never written one.
    text.as_bytes()
        .chunks(2)
        .zip([24, 60, 60])
        .all(|(pair, limit)| pair.iter().fold(0, |n, b| n * 10 + u32::from(b - b'0')) < limit)
}

/// Checks the date folders below a region folder, in order `yyyy`, `mm`, `dd`, and returns the
/// date once all three are present.
///
/// A folder placeholder may stop after the year or month; those folders are still checked, and
/// must be able to hold a date between CloudTrail's launch and `today + 1 day` (deliveries are
/// stamped in UTC, which can run a day ahead of the caller's clock).
pub(super) fn date_folders(folders: &[&str], today: Date) -> Result<Option<Date>, KeyError> {
    let [year, rest @ ..] = folders else {
        return Ok(None);
    };
    let mut numbers = vec![parse_year(year)?];
    if let [month, rest @ ..] = rest {
        numbers.push(parse_month(month)?);
        if let [day, ..] = rest {
            numbers.push(parse_day(day)?);
        }
    }
    let shown = folders.join("/");
    let latest = today.next_day();
    let full_date = match *numbers.as_slice() {
        [year, month, day] => Some(
            i32::try_from(year)
                .ok()
                .and_then(|year| Date::new(year, month, day))
                .ok_or_else(|| {
                    KeyError::new(
                        KeyErrorKind::BadDate,
                        format!("date folders `{shown}` do not name a real date"),
                    )
                })?,
        ),
        _ => None,
    };
    // Comparing only as many leading fields as are present lets a year or year/month
    // placeholder be checked against the window with the same code as a full date.
    let bounds = |date: Date| [year_number(date), date.month(), date.day()];
    let (earliest, last) = (bounds(CLOUDTRAIL_LAUNCH), bounds(latest));
    if numbers.iter().lt(earliest.iter().take(numbers.len())) {
        return Err(KeyError::new(
            KeyErrorKind::DateOutOfRange,
            format!(
                "date folders `{shown}` fall before CloudTrail's launch on {CLOUDTRAIL_LAUNCH}"
            ),
        ));
    }
    if numbers.iter().gt(last.iter().take(numbers.len())) {
        return Err(KeyError::new(
            KeyErrorKind::DateOutOfRange,
            format!("date folders `{shown}` fall after tomorrow ({latest})"),
        ));
    }
    Ok(full_date)
}

fn year_number(date: Date) -> u32 {
    // Dates hold years 1–9999, so this never falls back.
    u32::try_from(date.year()).unwrap_or(0)
}

fn parse_year(folder: &str) -> Result<u32, KeyError> {
    ascii_number(folder, 4).ok_or_else(|| {
        KeyError::new(
            KeyErrorKind::BadDate,
            format!("year folder `{folder}` is not four ASCII digits"),
        )
    })
}

fn parse_month(folder: &str) -> Result<u32, KeyError> {
    ascii_number(folder, 2)
        .filter(|month| (1..=12).contains(month))
        .ok_or_else(|| {
            KeyError::new(
                KeyErrorKind::BadDate,
                format!("month folder `{folder}` is not a zero-padded month 01 to 12"),
            )
        })
}

fn parse_day(folder: &str) -> Result<u32, KeyError> {
    ascii_number(folder, 2)
        .filter(|day| (1..=31).contains(day))
        .ok_or_else(|| {
            KeyError::new(
                KeyErrorKind::BadDate,
                format!("day folder `{folder}` is not a zero-padded day 01 to 31"),
            )
        })
}

/// The value of `text` if it is exactly `len` ASCII digits (`len` at most 9, so no overflow).
fn ascii_number(text: &str, len: usize) -> Option<u32> {
    (text.len() == len && is_ascii_digits(text))
        .then(|| text.bytes().fold(0, |n, b| n * 10 + u32::from(b - b'0')))
}

fn is_ascii_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_lowercase(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_lowercase())
}

fn is_lowercase_word(text: &str) -> bool {
    !text.is_empty() && is_lowercase(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_twelve_ascii_digits() {
        let cases = [
            ("twelve digits", "111122223333", true),
            ("eleven digits", "11112222333", false),
            ("thirteen digits", "1111222233334", false),
            ("a letter", "11112222333a", false),
            ("Arabic-Indic digits", "١١١١٢٢٢٢٣٣٣٣", false),
            ("fullwidth digits", "１１１１２２２２３３３３", false),
            ("empty", "", false),
        ];
        for (name, segment, valid) in cases {
            assert_eq!(is_account_id(segment), valid, "case `{name}`");
        }
    }

    #[test]
    fn org_ids_are_o_dash_and_ten_to_thirty_two_lowercase_alphanumerics() {
        let cases = [
            ("ten characters", "o-aa1bb2cc3d", true),
            (
                "thirty-two characters",
                "o-abcdefghij0123456789abcdefghij01",
                true,
            ),
            ("nine characters", "o-1234abcde", false),
            (
                "thirty-three characters",
                "o-abcdefghij0123456789abcdefghij012",
                false,
            ),
            ("uppercase", "o-AA1BB2CC3D", false),
            ("uppercase O", "O-aa1bb2cc3d", false),
            ("punctuation", "o-aa1bb2cc3-", false),
            ("no prefix", "aa1bb2cc3d", false),
        ];
        for (name, segment, valid) in cases {
            assert_eq!(is_org_id(segment), valid, "case `{name}`");
        }
    }

    #[test]
    fn regions_match_the_aws_pattern() {
        let cases = [
            ("commercial", "us-east-1", true),
            ("two-digit number", "ap-southeast-10", true),
            ("GovCloud", "us-gov-west-1", true),
            ("ISO", "us-iso-east-1", true),
            ("ISO-B", "us-isob-east-1", true),
            ("EU ISO-E", "eu-isoe-west-1", true),
            ("made-up future region", "xx-newplace-9", true),
            ("uppercase", "US-EAST-1", false),
            ("three-letter area", "usa-east-1", false),
            ("no number", "us-east", false),
            ("no name", "us-1", false),
            ("unknown partition", "us-foo-east-1", false),
            ("ISO with two letters", "us-isobb-east-1", false),
            ("trailing dash", "us-east-1-", false),
            ("empty name", "us--1", false),
            ("Arabic-Indic digit", "us-east-١", false),
            ("letter in number", "us-east-1a", false),
            ("empty", "", false),
        ];
        for (name, segment, valid) in cases {
            assert_eq!(is_region(segment), valid, "case `{name}`");
        }
    }

    #[test]
    fn times_are_real_utc_times() {
        let cases = [
            ("midnight", "0000", false, true),
            ("last minute", "2359", false, true),
            ("hour 24", "2400", false, false),
            ("minute 60", "0260", false, false),
            ("too short", "023", false, false),
            ("seconds where none belong", "023000", false, false),
            ("with seconds", "235959", true, true),
            ("second 60", "235960", true, false),
            ("seconds missing", "2359", true, false),
            ("non-digit", "02a0", false, false),
            ("Arabic-Indic digit", "02٣", false, false),
        ];
        for (name, text, with_seconds, valid) in cases {
            assert_eq!(is_utc_time(text, with_seconds), valid, "case `{name}`");
        }
    }

    #[test]
    fn date_folders_name_real_dates_inside_the_window() {
        let today = Date::new(2025, 3, 6).unwrap();
        type Expected = Result<Option<Date>, &'static str>;
        let day = |y, m, d| Ok(Date::new(y, m, d));
        let cases: [(&str, &[&str], Expected); 21] = [
            ("a full date", &["2025", "03", "06"], day(2025, 3, 6)),
            (
                "leap day, leap year",
                &["2024", "02", "29"],
                day(2024, 2, 29),
            ),
            (
                "leap day, common year",
                &["2023", "02", "29"],
                Err("bad-date"),
            ),
            ("launch day", &["2013", "11", "01"], day(2013, 11, 1)),
            (
                "day before launch",
                &["2013", "10", "31"],
                Err("date-out-of-range"),
            ),
            ("tomorrow", &["2025", "03", "07"], day(2025, 3, 7)),
            (
                "after tomorrow",
                &["2025", "03", "08"],
                Err("date-out-of-range"),
            ),
            ("unpadded month", &["2025", "3", "06"], Err("bad-date")),
            ("unpadded day", &["2025", "03", "6"], Err("bad-date")),
            ("two-digit year", &["25", "03", "06"], Err("bad-date")),
            ("month 13", &["2025", "13", "06"], Err("bad-date")),
            ("day 00", &["2025", "03", "00"], Err("bad-date")),
            ("Arabic-Indic day", &["2025", "03", "٠٦"], Err("bad-date")),
            ("nothing yet", &[], Ok(None)),
            ("year placeholder", &["2025"], Ok(None)),
            ("launch month placeholder", &["2013", "11"], Ok(None)),
            (
                "year placeholder before launch",
                &["2012"],
                Err("date-out-of-range"),
            ),
            (
                "month placeholder before launch",
                &["2013", "10"],
                Err("date-out-of-range"),
            ),
            (
                "month placeholder after tomorrow",
                &["2025", "04"],
                Err("date-out-of-range"),
            ),
            ("bad month placeholder", &["2025", "3"], Err("bad-date")),
            ("month 13 placeholder", &["2025", "13"], Err("bad-date")),
        ];
        for (name, folders, expected) in cases {
            let got = date_folders(folders, today).map_err(|e| e.code());
            assert_eq!(got, expected, "case `{name}`");
        }
    }
}
