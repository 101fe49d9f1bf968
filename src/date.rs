//! Calendar days in UTC, just enough for CloudTrail's day folders.
//!
//! The key validator needs real-date checks, "tomorrow" and ordering against CloudTrail's
//! launch, nothing more; a full date-time crate would be dead weight for that.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A real day of the proleptic Gregorian calendar, years 1 to 9999 (the four-digit years a
/// `YYYY-MM-DD` string can carry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // Field order matters: the derived ordering compares year, then month, then day.
    year: i32,
    month: u32,
    day: u32,
}

/// The day CloudTrail launched (2013-11-01); no genuine delivery is older.
pub const CLOUDTRAIL_LAUNCH: Date = Date {
    year: 2013,
    month: 11,
    day: 1,
};

const FIRST: Date = Date {
    year: 1,
    month: 1,
    day: 1,
};

const LAST: Date = Date {
    year: 9999,
    month: 12,
    day: 31,
};

const SECONDS_PER_DAY: i64 = 86_400;

impl Date {
    /// The date `year-month-day`, or `None` unless that is a real Gregorian date in years 1–9999.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(FIRST.year..=LAST.year).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        (1..=days_in_month(year, month))
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    /// Today's date in UTC according to the system clock.
    ///
    /// A clock set outside years 1–9999 yields the nearest representable date, so a broken clock
    /// shows up as every delivery falling outside the date window rather than as a panic.
    pub fn today_utc() -> Date {
        let seconds = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
        };
        Date::from_days_since_epoch(seconds.div_euclid(SECONDS_PER_DAY))
    }

    /// The following day; 9999-12-31, the last representable date, is its own successor.
    pub fn next_day(self) -> Date {
        if self.day < days_in_month(self.year, self.month) {
            Date {
                day: self.day + 1,
                ..self
            }
        } else if self.month < 12 {
            Date {
                month: self.month + 1,
                day: 1,
                ..self
            }
        } else if self.year < LAST.year {
            Date {
                year: self.year + 1,
                month: 1,
                day: 1,
            }
        } else {
            self
        }
    }

    /// The year, 1–9999.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(&self) -> u32 {
        self.month
    }

    /// The day of the month, 1–31.
    pub fn day(&self) -> u32 {
        self.day
    }

    /// The civil date `days` after 1970-01-01 (negative: before), clamped to years 1–9999.
    ///
    /// Howard Hinnant's `civil_from_days`: shifting the year to start in March puts the leap day
    /// last, so every 400-year era has the same shape.
    fn from_days_since_epoch(days: i64) -> Date {
        const DAYS_PER_ERA: i64 = 146_097;
        let z = days.saturating_add(719_468);
        let era = z.div_euclid(DAYS_PER_ERA);
        let day_of_era = z.rem_euclid(DAYS_PER_ERA);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        };
        let year = era
            .saturating_mul(400)
            .saturating_add(year_of_era)
            .saturating_add(i64::from(month <= 2));
        if year < i64::from(FIRST.year) {
            return FIRST;
        }
        if year > i64::from(LAST.year) {
            return LAST;
        }
        // In range by construction: year was just clamped, month is 1–12 and day 1–31.
        match (
            i32::try_from(year),
            u32::try_from(month),
            u32::try_from(day),
        ) {
            (Ok(year), Ok(month), Ok(day)) => Date::new(year, month, day).unwrap_or(FIRST),
            _ => FIRST,
        }
    }
}

fn is_leap_year(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
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
    fn days_since_epoch_map_to_civil_dates() {
        // Reference values from `date -u -d @<days * 86400> +%F`.
        let cases = [
            ("the epoch", 0, date(1970, 1, 1)),
            ("the day before the epoch", -1, date(1969, 12, 31)),
            ("2000-03-01", 11_017, date(2000, 3, 1)),
            ("a leap day", 19_782, date(2024, 2, 29)),
            ("CloudTrail's launch", 16_010, CLOUDTRAIL_LAUNCH),
            ("a recent day", 20_153, date(2025, 3, 6)),
            ("far past clamps", i64::MIN, FIRST),
            ("far future clamps", i64::MAX, LAST),
        ];
        for (name, days, expected) in cases {
            assert_eq!(Date::from_days_since_epoch(days), expected, "case `{name}`");
        }
    }

    #[test]
    fn consecutive_days_since_epoch_are_consecutive_dates() {
        // Walks 1960–2040 one day at a time; catches any off-by-one at month or era boundaries.
        let mut expected = Date::from_days_since_epoch(-3653);
        assert_eq!(expected, date(1960, 1, 1));
        for days in -3652..=25_567 {
            expected = expected.next_day();
            assert_eq!(Date::from_days_since_epoch(days), expected, "day {days}");
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
