//! Property tests: keys built from random valid components parse back to exactly those
//! components, and arbitrary text never makes the parser panic.

use super::*;
use proptest::prelude::*;

fn today() -> Date {
    Date::new(2025, 3, 6).unwrap()
}

/// The components a valid CloudTrail key is built from.
#[derive(Debug, Clone)]
struct Parts {
    prefix: Option<Vec<String>>,
    org_id: Option<String>,
    account_id: String,
    trail: Trail,
    region: String,
    date: Date,
    time: (u32, u32, u32),
    suffix: String,
    trail_name: String,
    home_region: String,
}

impl Parts {
    fn key(&self) -> String {
        let mut key = String::new();
        if let Some(prefix) = &self.prefix {
            key.push_str(&prefix.join("/"));
            key.push('/');
        }
        key.push_str("AWSLogs/");
        if let Some(org_id) = &self.org_id {
            key.push_str(org_id);
            key.push('/');
        }
        let (account, region, marker) = (&self.account_id, &self.region, self.trail.name());
        let (year, month, day) = (self.date.year(), self.date.month(), self.date.day());
        let (hour, minute, second) = self.time;
        let date = format!("{year:04}{month:02}{day:02}");
        let file = match self.trail {
            Trail::Digest => format!(
                "{account}_{marker}_{region}_{}_{}_{date}T{hour:02}{minute:02}{second:02}Z.json.gz",
                self.trail_name, self.home_region
            ),
            Trail::Log | Trail::Insight => format!(
                "{account}_{marker}_{region}_{date}T{hour:02}{minute:02}Z_{}.json.gz",
                self.suffix
            ),
        };
        key.push_str(&format!(
            "{account}/{marker}/{region}/{year:04}/{month:02}/{day:02}/{file}"
        ));
        key
    }

    fn expected(&self) -> LogKey {
        LogKey {
            kind: self.trail.kind(),
            prefix: self.prefix.as_ref().map(|prefix| prefix.join("/")),
            org_id: self.org_id.clone(),
            account_id: Some(self.account_id.clone()),
            region: Some(self.region.clone()),
            date: Some(self.date),
            digest: (self.trail == Trail::Digest).then(|| {
                let (hour, minute, second) = self.time;
                DigestName {
                    trail: self.trail_name.clone(),
                    home_region: self.home_region.clone(),
                    time: self
                        .date
                        .at_utc(hour as u8, minute as u8, second as u8)
                        .unwrap(),
                    backfill: false,
                }
            }),
        }
    }
}

fn region() -> impl Strategy<Value = String> {
    "[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]{1,12}-[0-9]{1,3}"
}

fn prefix_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9 ._=é日-]{1,12}".prop_filter("not a dot segment", |s| s != "." && s != ".."),
        // The layout is anchored on the rightmost `AWSLogs`, so any of these may sit in a prefix.
        Just("AWSLogs".to_owned()),
        Just("awslogs".to_owned()),
        Just("CloudTrail".to_owned()),
        "[0-9]{12}",
    ]
}

fn date() -> impl Strategy<Value = Date> {
    // Every day from CloudTrail's launch to tomorrow.
    let launch = crate::date::CLOUDTRAIL_LAUNCH;
    let tomorrow = today().next_day();
    (2013..=2025i32, 1..=12u32, 1..=31u32)
        .prop_filter_map("a real date in the window", move |(y, m, d)| {
            Date::new(y, m, d).filter(|date| (launch..=tomorrow).contains(date))
        })
}

fn parts() -> impl Strategy<Value = Parts> {
    (
        proptest::option::of(proptest::collection::vec(prefix_segment(), 1..4)),
        proptest::option::of("o-[a-z0-9]{10,32}"),
        "[0-9]{12}",
        proptest::sample::select(Trail::ALL.to_vec()),
        region(),
        date(),
        (0..24u32, 0..60u32, 0..60u32),
        "[A-Za-z0-9]{16}",
        "[A-Za-z0-9._-]{1,24}",
        region(),
    )
        .prop_map(
            |(
                prefix,
                org_id,
                account_id,
                trail,
                region,
                date,
                time,
                suffix,
                trail_name,
                home_region,
            )| Parts {
                prefix,
                org_id,
                account_id,
                trail,
                region,
                date,
                time,
                suffix,
                trail_name,
                home_region,
            },
        )
}

/// Segments that make the parser walk deep into the layout, to exercise every branch.
fn layout_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("AWSLogs".to_owned()),
        Just("awslogs".to_owned()),
        Just("CloudTrail".to_owned()),
        Just("CloudTrail-Digest".to_owned()),
        Just("cloudtrail-insight".to_owned()),
        Just("o-aa1bb2cc3d".to_owned()),
        Just("111122223333".to_owned()),
        Just("us-east-1".to_owned()),
        Just("2025".to_owned()),
        Just("03".to_owned()),
        Just(String::new()),
        Just("..".to_owned()),
        "[0-9]{1,13}",
        "[A-Za-z0-9_.é-]{0,40}",
        "111122223333_CloudTrail(-Digest|-Insight)?_us-east-1_[A-Za-z0-9_.-]{0,12}_?2025030[5-8]T[0-9]{4,6}Z(_[A-Za-z0-9é]{15,17})?\\.json(\\.gz)?",
    ]
}

proptest! {
    #[test]
    fn valid_keys_parse_back_to_their_parts(parts in parts()) {
        let key = parts.key();
        prop_assert_eq!(LogKey::parse(&key, today()), Ok(parts.expected()), "key `{}`", key);
    }

    #[test]
    fn any_text_parses_or_fails_with_a_message(text in any::<String>()) {
        check_outcome(&text)?;
    }

    #[test]
    fn layout_like_keys_parse_or_fail_with_a_message(
        segments in proptest::collection::vec(layout_segment(), 1..12),
    ) {
        check_outcome(&segments.join("/"))?;
    }
}

/// A parse either succeeds with a consistent result or fails with a non-empty message.
fn check_outcome(key: &str) -> Result<(), TestCaseError> {
    match LogKey::parse(key, today()) {
        Ok(parsed) => {
            let is_file = parsed.kind != Kind::Other;
            prop_assert_eq!(parsed.region.is_some(), is_file);
            prop_assert_eq!(parsed.date.is_some(), is_file);
            if is_file {
                prop_assert!(parsed.account_id.is_some());
            }
        }
        Err(error) => prop_assert!(!error.message().is_empty()),
    }
    Ok(())
}
