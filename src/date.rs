//! Calendar days in UTC, as CloudTrail's day folders name them.
//!
//! The calendar itself (real dates, leap years, the next day, today's date) is the `time`
//! crate's; what is kept here is CloudTrail's: years 1–9999 (the four digits a `YYYY` folder
//! holds, year 0 included in neither), CloudTrail's launch day, and the `YYYY-MM-DD` text alerts
//! and the CLI print.

use std::fmt;

use time::{Month, OffsetDateTime};

/// A real day of the proleptic Gregorian calendar, years 1 to 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

/// The day CloudTrail launched (2013-11-01); no genuine delivery is older.
pub const CLOUDTRAIL_LAUNCH: Date = Date(time::macros::date!(2013 - 11 - 01));

const FIRST: Date = Date(time::macros::date!(0001 - 01 - 01));
const LAST: Date = Date(time::macros::date!(9999 - 12 - 31));

impl Date {
    /// The date `year-month-day`, or `None` unless that is a real Gregorian date in years 1–9999.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
        let date = time::Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()?;
        let date = Date(date);
        (FIRST..=LAST).contains(&date).then_some(date)
    }

    /// Today's date in UTC according to the system clock.
    pub fn today_utc() -> Date {
        Date::of(OffsetDateTime::now_utc())
    }

    /// The UTC day of `at`. A time outside years 1–9999 is clamped, so a broken clock shows up
    /// as every delivery falling outside the date window rather than as a panic.
    pub fn of(at: OffsetDateTime) -> Date {
        let utc = at.checked_to_offset(time::UtcOffset::UTC).unwrap_or(at);
        Date(utc.date()).clamp(FIRST, LAST)
    }

    /// The following day; 9999-12-31, the last representable date, is its own successor.
    pub fn next_day(self) -> Date {
        self.0.next_day().map(Date).unwrap_or(self).min(LAST)
    }

    /// The UTC instant `hour:minute:second` of this day; `None` unless that is a time of day.
    pub fn at_utc(self, hour: u8, minute: u8, second: u8) -> Option<OffsetDateTime> {
        let clock = time::Time::from_hms(hour, minute, second).ok()?;
        Some(time::PrimitiveDateTime::new(self.0, clock).assume_utc())
    }

    /// The year, 1–9999.
    pub fn year(&self) -> i32 {
        self.0.year()
    }

    /// The month, 1–12.
    pub fn month(&self) -> u32 {
        u32::from(u8::from(self.0.month()))
    }

    /// The day of the month, 1–31.
    pub fn day(&self) -> u32 {
        u32::from(self.0.day())
    }
}

impl fmt::Display for Date {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

impl serde::Serialize for Date {
    /// As its `YYYY-MM-DD` string, the form alerts and the CLI print.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> Date {
        Date::new(year, month, day).unwrap()
    }

    #[test]
    fn new_accepts_only_real_dates() {
        let cases = [
            ("leap day in a leap year", (2024, 2, 29), true),
            ("leap day in a common year", (2025, 2, 29), false),
            ("leap day in a century year", (1900, 2, 29), false),
            ("leap day in a 400th year", (2000, 2, 29), true),
            ("31st of a 30-day month", (2025, 4, 31), false),
            ("31st of a 31-day month", (2025, 3, 31), true),
            ("day zero", (2025, 3, 0), false),
            ("month zero", (2025, 0, 1), false),
            ("month thirteen", (2025, 13, 1), false),
            ("day past u8", (2025, 1, 257), false),
            ("month past u8", (2025, 257, 1), false),
            ("first representable day", (1, 1, 1), true),
            ("year zero", (0, 12, 31), false),
            ("last representable day", (9999, 12, 31), true),
            ("five-digit year", (10_000, 1, 1), false),
            ("negative year", (-5, 1, 1), false),
        ];
        for (name, (year, month, day), valid) in cases {
            assert_eq!(
                Date::new(year, month, day).is_some(),
                valid,
                "case `{name}`"
            );
        }
    }

    #[test]
    fn next_day_rolls_over_months_and_years() {
        let cases = [
            ("inside a month", date(2025, 3, 6), date(2025, 3, 7)),
            ("end of a 30-day month", date(2025, 4, 30), date(2025, 5, 1)),
            (
                "end of February, leap year",
                date(2024, 2, 28),
                date(2024, 2, 29),
            ),
            ("leap day", date(2024, 2, 29), date(2024, 3, 1)),
            (
                "end of February, common year",
                date(2025, 2, 28),
                date(2025, 3, 1),
            ),
            ("end of year", date(2025, 12, 31), date(2026, 1, 1)),
            ("last representable day", LAST, LAST),
        ];
        for (name, day, expected) in cases {
            assert_eq!(day.next_day(), expected, "case `{name}`");
        }
    }

    #[test]
    fn ordering_is_chronological() {
        let cases = [
            ("earlier year", date(2024, 12, 31), date(2025, 1, 1)),
            ("earlier month", date(2025, 2, 28), date(2025, 3, 1)),
            ("earlier day", date(2025, 3, 5), date(2025, 3, 6)),
        ];
        for (name, earlier, later) in cases {
            assert!(earlier < later, "case `{name}`");
        }
    }

    #[test]
    fn displays_and_serializes_as_iso_date() {
        let cases = [
            ("padded month and day", date(2025, 3, 6), "2025-03-06"),
            ("launch", CLOUDTRAIL_LAUNCH, "2013-11-01"),
            ("padded year", date(7, 1, 1), "0007-01-01"),
        ];
        for (name, day, text) in cases {
            assert_eq!(day.to_string(), text, "case `{name}`");
            assert_eq!(
                serde_json::to_string(&day).unwrap(),
                format!("\"{text}\""),
                "case `{name}`"
            );
        }
    }

    #[test]
    fn today_is_after_cloudtrail_launch() {
        assert!(Date::today_utc() > CLOUDTRAIL_LAUNCH);
    }
}
