//! Calendar arithmetic for synthetic records: one UTC second within a day, printed the ways
//! CloudTrail prints times (ISO-8601 `Z` in eventTime, "Mar 14, 2025, 9:03:27 AM" in IAM and STS
//! responses, epoch milliseconds in EC2 launch times).

/// A calendar day as (year, month 1–12, day 1–31).
pub type Day = (i32, u32, u32);

const SECONDS_PER_DAY: u32 = 86_400;
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// One second of one day, UTC. Arithmetic saturates at the day's edges: records of a delivery
/// stay on the day the caller named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub(crate) day: Day,
    secs: u32,
}

impl Stamp {
    pub(crate) fn new(day: Day, seconds_of_day: u32) -> Stamp {
        Stamp {
            day,
            secs: seconds_of_day.min(SECONDS_PER_DAY - 1),
        }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ`, the only form CloudTrail's eventTime takes.
    pub(crate) fn parse(text: &str) -> Option<Stamp> {
        let b = text.as_bytes();
        let shape_ok = b.len() == 20
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && b[19] == b'Z';
        if !shape_ok {
            return None;
        }
        let num = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = text.get(range)?;
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let valid = (1..=12).contains(&month)
            && (1..=days_in_month(year as i32, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60;
        valid.then(|| {
            Stamp::new(
                (year as i32, month, day),
                hour * 3600 + minute * 60 + second,
            )
        })
    }

    pub(crate) fn hms(self) -> (u32, u32, u32) {
        (self.secs / 3600, self.secs / 60 % 60, self.secs % 60)
    }

    pub(crate) fn earlier(self, secs: u32) -> Stamp {
        Stamp::new(self.day, self.secs.saturating_sub(secs))
    }

    pub(crate) fn later(self, secs: u32) -> Stamp {
        Stamp::new(self.day, self.secs.saturating_add(secs))
    }

    /// `2025-03-14T09:03:27Z`.
    pub(crate) fn iso(self) -> String {
        let (y, mo, d) = self.day;
        let (h, mi, s) = self.hms();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }

    /// `20250314`, as in log file names.
    pub(crate) fn compact_date(self) -> String {
        compact_date(self.day)
    }

    /// `Mar 14, 2025, 9:03:27 AM`, the form of STS credential expirations and IAM create dates.
    pub(crate) fn iam_style(self) -> String {
        let (y, mo, d) = self.day;
        let (h, mi, s) = self.hms();
        let month = MONTHS.get((mo as usize).wrapping_sub(1)).unwrap_or(&"Jan");
        let (h12, half) = match h {
            0 => (12, "AM"),
            1..=11 => (h, "AM"),
            12 => (12, "PM"),
            _ => (h - 12, "PM"),
        };
        format!("{month} {d}, {y}, {h12}:{mi:02}:{s:02} {half}")
    }

    /// Milliseconds since the Unix epoch.
    pub(crate) fn epoch_millis(self) -> i64 {
        let (y, mo, d) = self.day;
        (days_from_civil(y, mo, d) * i64::from(SECONDS_PER_DAY) + i64::from(self.secs)) * 1000
    }
}

/// `20250314`.
pub(crate) fn compact_date(day: Day) -> String {
    let (y, mo, d) = day;
    format!("{y:04}{mo:02}{d:02}")
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
}
