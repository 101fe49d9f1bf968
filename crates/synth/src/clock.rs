//! Times of synthetic records: one UTC second within a day, printed the ways CloudTrail prints
//! times (ISO-8601 `Z` in eventTime, "Mar 14, 2025, 9:03:27 AM" in IAM and STS responses, epoch
//! milliseconds in EC2 launch times).
//!
//! The calendar (which dates exist, month names, the 12-hour clock, the Unix epoch) is the
//! `time` crate's. What is ours is the rule that arithmetic stays within the day: the records of
//! a delivery never leave the day the caller named.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Date, Duration, Month, PrimitiveDateTime, Time};

/// A calendar day as (year, month 1–12, day 1–31).
pub type Day = (i32, u32, u32);

/// CloudTrail's eventTime: `2025-03-14T09:03:27Z`, the only form it takes.
const EVENT_TIME: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
/// STS credential expirations and IAM create dates: `Mar 14, 2025, 9:03:27 AM`.
const IAM_STYLE: &[BorrowedFormatItem<'_>] = format_description!(
    "[month repr:short] [day padding:none], [year], [hour repr:12 padding:none]:[minute]:[second] [period]"
);

/// One second of one day, UTC. Arithmetic saturates at the day's edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp(PrimitiveDateTime);

impl Stamp {
    /// That second of `day`; seconds past the day's end mean its last second.
    ///
    /// Panics if `day` is not a calendar date.
    pub(crate) fn new(day: Day, seconds_of_day: u32) -> Stamp {
        let (year, month, d) = day;
        let date = u8::try_from(month)
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .zip(u8::try_from(d).ok())
            .and_then(|(month, d)| Date::from_calendar_date(year, month, d).ok())
            .unwrap_or_else(|| panic!("{day:?} is not a calendar date"));
        let start = date.midnight();
        Stamp(start).later(seconds_of_day)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ`; `None` for any other form or a date that does not exist.
    pub(crate) fn parse(text: &str) -> Option<Stamp> {
        PrimitiveDateTime::parse(text, EVENT_TIME).ok().map(Stamp)
    }

    /// The calendar day.
    pub(crate) fn day(self) -> Day {
        let date = self.0.date();
        (
            date.year(),
            u32::from(u8::from(date.month())),
            u32::from(date.day()),
        )
    }

    pub(crate) fn hms(self) -> (u32, u32, u32) {
        let (h, m, s) = self.0.time().as_hms();
        (u32::from(h), u32::from(m), u32::from(s))
    }

    pub(crate) fn earlier(self, secs: u32) -> Stamp {
        let start = self.0.date().midnight();
        Stamp(
            self.0
                .saturating_sub(Duration::seconds(secs.into()))
                .max(start),
        )
    }

    pub(crate) fn later(self, secs: u32) -> Stamp {
        let end = self.0.date().with_time(Time::MIDNIGHT - Duration::SECOND);
        Stamp(
            self.0
                .saturating_add(Duration::seconds(secs.into()))
                .min(end),
        )
    }

    /// `2025-03-14T09:03:27Z`.
    pub(crate) fn iso(self) -> String {
        self.format(EVENT_TIME)
    }

    /// `20250314`, as in log file names.
    pub(crate) fn compact_date(self) -> String {
        compact_date(self.day())
    }

    /// `Mar 14, 2025, 9:03:27 AM`, the form of STS credential expirations and IAM create dates.
    pub(crate) fn iam_style(self) -> String {
        self.format(IAM_STYLE)
    }

    /// Milliseconds since the Unix epoch.
    pub(crate) fn epoch_millis(self) -> i64 {
        self.0.assume_utc().unix_timestamp() * 1000
    }

    fn format(self, description: &[BorrowedFormatItem<'_>]) -> String {
        self.0
            .format(description)
            .expect("a date and time fill every component of these descriptions")
    }
}

/// `20250314`: the digits of a key's date as given (keys may name impossible dates on purpose).
pub(crate) fn compact_date(day: Day) -> String {
    let (y, mo, d) = day;
    format!("{y:04}{mo:02}{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let cases = [
            (
                (2025, 3, 14),
                9 * 3600 + 3 * 60 + 27,
                "2025-03-14T09:03:27Z",
                "Mar 14, 2025, 9:03:27 AM",
            ),
            (
                (2025, 12, 1),
                0,
                "2025-12-01T00:00:00Z",
                "Dec 1, 2025, 12:00:00 AM",
            ),
            (
                (2024, 2, 29),
                13 * 3600 + 5,
                "2024-02-29T13:00:05Z",
                "Feb 29, 2024, 1:00:05 PM",
            ),
            (
                (2025, 6, 2),
                99_999,
                "2025-06-02T23:59:59Z",
                "Jun 2, 2025, 11:59:59 PM",
            ),
        ];
        for (day, secs, iso, iam) in cases {
            let s = Stamp::new(day, secs);
            assert_eq!(s.iso(), iso, "iso of {day:?} {secs}");
            assert_eq!(s.iam_style(), iam, "iam style of {day:?} {secs}");
        }
    }

    #[test]
    fn epoch_millis_matches_known_instants() {
        let cases = [
            ((1970, 1, 1), 0, 0),
            ((2000, 3, 1), 0, 951_868_800_000),
            ((2025, 3, 14), 3600, 1_741_914_000_000),
        ];
        for (day, secs, millis) in cases {
            assert_eq!(Stamp::new(day, secs).epoch_millis(), millis, "{day:?}");
        }
    }

    #[test]
    fn parse_round_trips_and_rejects() {
        let good = "2025-03-14T09:03:27Z";
        assert_eq!(Stamp::parse(good).map(Stamp::iso).as_deref(), Some(good));
        for bad in [
            "2025-03-14 09:03:27Z",
            "2025-02-30T09:03:27Z",
            "2025-03-14T24:00:00Z",
            "2025-03-14T09:03:27",
            "2025-0a-14T09:03:27Z",
            "+025-03-14T09:03:27Z",
            "",
        ] {
            assert_eq!(Stamp::parse(bad), None, "{bad:?} should not parse");
        }
    }

    #[test]
    fn arithmetic_stays_within_the_day() {
        let s = Stamp::new((2025, 3, 14), 10);
        assert_eq!(s.earlier(60).iso(), "2025-03-14T00:00:00Z");
        assert_eq!(s.later(200_000).iso(), "2025-03-14T23:59:59Z");
    }

    #[test]
    #[should_panic(expected = "not a calendar date")]
    fn an_impossible_day_is_refused() {
        let _ = Stamp::new((2025, 2, 30), 0);
    }
}
