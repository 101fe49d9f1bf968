//! The deployment's expectations of where a delivery comes from: the accounts, the organization
//! and the regions [`Settings`] allows, checked against a parsed key before anything is read.
//! Pure: a key and the settings in, the broken expectation out.

use crate::alert::DeliveryProblem;
use crate::config::Settings;
use crate::key::LogKey;

/// The first expectation of `settings` that `key` breaks, as the delivery alert it raises and
/// its reason.
pub fn check(settings: &Settings, key: &LogKey) -> Result<(), (DeliveryProblem, String)> {
    let account = key.account_id.as_deref().unwrap_or_default();
    if let Some(expected) = &settings.expected_accounts {
        if !expected.contains(account) {
            return Err((
                DeliveryProblem::UnexpectedAccount,
                format!("account {account} is not on the list of expected accounts"),
            ));
        }
    }
    if let (Some(expected), Some(org)) = (&settings.expected_org, &key.org_id) {
        if org != expected {
            return Err((
                DeliveryProblem::UnexpectedOrg,
                format!("organization {org} is not the expected organization {expected}"),
            ));
        }
    }
    if let (Some(regions), Some(region)) = (&settings.regions, &key.region) {
        if !regions.contains(region) {
            return Err((
                DeliveryProblem::InvalidKey,
                format!("region {region} is not among the configured regions"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::date::Date;

    fn key(text: &str) -> LogKey {
        LogKey::parse(text, Date::new(2025, 3, 7).unwrap()).unwrap()
    }

    fn set(items: &[&str]) -> Option<BTreeSet<String>> {
        Some(items.iter().map(|s| s.to_string()).collect())
    }

    const PLAIN: &str = "AWSLogs/111111111111/CloudTrail/eu-west-1/2025/03/06/111111111111_CloudTrail_eu-west-1_20250306T0905Z_abcdefghijklmnop.json.gz";
    const ORG: &str = "AWSLogs/o-exampleorg1/111111111111/CloudTrail/eu-west-1/2025/03/06/111111111111_CloudTrail_eu-west-1_20250306T0905Z_abcdefghijklmnop.json.gz";
    const OTHER_ORG: &str = "AWSLogs/o-otherorg123/111111111111/CloudTrail/eu-west-1/2025/03/06/111111111111_CloudTrail_eu-west-1_20250306T0905Z_abcdefghijklmnop.json.gz";

    #[test]
    fn each_expectation_is_checked_in_order() {
        let settings = |accounts, org: Option<&str>, regions| Settings {
            expected_accounts: accounts,
            expected_org: org.map(String::from),
            regions,
            ..Settings::default()
        };
        let cases = [
            ("no expectations", settings(None, None, None), PLAIN, None),
            (
                "listed account",
                settings(set(&["111111111111"]), None, None),
                PLAIN,
                None,
            ),
            (
                "unlisted account",
                settings(set(&["222222222222"]), None, None),
                PLAIN,
                Some(DeliveryProblem::UnexpectedAccount),
            ),
            (
                "the expected organization",
                settings(None, Some("o-exampleorg1"), None),
                ORG,
                None,
            ),
            (
                "another organization",
                settings(None, Some("o-exampleorg1"), None),
                OTHER_ORG,
                Some(DeliveryProblem::UnexpectedOrg),
            ),
            (
                "an expected organization does not require an organization trail",
                settings(None, Some("o-exampleorg1"), None),
                PLAIN,
                None,
            ),
            (
                "configured region",
                settings(None, None, set(&["eu-west-1", "us-east-1"])),
                PLAIN,
                None,
            ),
            (
                "region outside TRAILWATCH_REGIONS",
                settings(None, None, set(&["us-east-1"])),
                PLAIN,
                Some(DeliveryProblem::InvalidKey),
            ),
            (
                "the account is checked before the region",
                settings(set(&["222222222222"]), None, set(&["us-east-1"])),
                PLAIN,
                Some(DeliveryProblem::UnexpectedAccount),
            ),
        ];
        for (name, settings, text, want) in cases {
            let got = check(&settings, &key(text));
            assert_eq!(got.as_ref().err().map(|(p, _)| *p), want, "case {name}");
        }
    }

    #[test]
    fn reasons_name_what_was_found_and_expected() {
        let settings = Settings {
            expected_org: Some("o-exampleorg1".into()),
            regions: set(&["us-east-1"]),
            ..Settings::default()
        };
        let (_, reason) = check(&settings, &key(OTHER_ORG)).unwrap_err();
        assert_eq!(
            reason,
            "organization o-otherorg123 is not the expected organization o-exampleorg1"
        );
        let settings = Settings {
            regions: set(&["us-east-1"]),
            ..Settings::default()
        };
        let (_, reason) = check(&settings, &key(PLAIN)).unwrap_err();
        assert_eq!(
            reason,
            "region eu-west-1 is not among the configured regions"
        );
    }
}
