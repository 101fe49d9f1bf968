//! What each object of the sample bucket holds and raises, as `events/README.md` lists it: one
//! table for the generator's own tests (records, and the detections a reference evaluation of
//! the built-in pack finds) and for the product's CLI test (every alert a replay prints).

/// One object of the sample bucket and the alerts a replay of the bucket gives for it, with
/// `--expected-accounts 111111111111,222222222222,333333333333 --expected-org o-exampleorg1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleAlerts {
    /// A part of the object's key that no other key contains.
    pub key_part: &'static str,
    /// How many records the object holds; `None` when it does not decode.
    pub records: Option<usize>,
    /// Each rule id it raises and how many alerts of it: built-in controls and the starts of
    /// CloudTrail Insights (`insight.*`), which are detections, and the pipeline's checks of the
    /// delivery itself (ids starting with `delivery.`).
    pub alerts: &'static [(&'static str, usize)],
}

const fn object(
    key_part: &'static str,
    records: Option<usize>,
    alerts: &'static [(&'static str, usize)],
) -> SampleAlerts {
    SampleAlerts {
        key_part,
        records,
        alerts,
    }
}

/// Every object of the sample bucket, sorted by key: 27 alerts, 23 detections and 4 delivery
/// alerts.
pub const SAMPLE_ALERTS: [SampleAlerts; 14] = [
    object(
        "_CloudTrail-Digest_us-east-1_management-events_us-east-1_20250314T100012Z",
        Some(0),
        &[],
    ),
    object(
        "_CloudTrail-Insight_us-east-1_20250314T1215Z_",
        Some(2),
        &[("insight.ApiCallRateInsight", 1)],
    ),
    object(
        "111111111111_CloudTrail_eu-west-1_20250314T0920Z_",
        Some(29),
        &[("CloudWatch.2", 2), ("CloudWatch.10", 1), ("CloudWatch.13", 1)],
    ),
    object(
        "AWSLogs/111111111111/CloudTrail/us-east-1/2025/03/14/111111111111_CloudTrail_us-east-1_20250314T0905Z_",
        Some(29),
        &[("CloudWatch.1", 1), ("CloudWatch.3", 1), ("CloudWatch.4", 1)],
    ),
    object(
        "111111111111_CloudTrail_us-east-1_20250314T1410Z_",
        Some(23),
        &[("CloudWatch.2", 1), ("CloudWatch.5", 1), ("CloudWatch.7", 1)],
    ),
    object("_ConfigSnapshot_20250314T081245Z_", Some(0), &[]),
    object(
        "222222222222_CloudTrail_eu-west-1_20250314T1150Z_",
        Some(23),
        &[
            ("CloudWatch.2", 1),
            ("CloudWatch.9", 1),
            ("CloudWatch.12", 1),
            ("CloudWatch.14", 1),
        ],
    ),
    object(
        "222222222222_CloudTrail_eu-west-1_20250314T1255Z_",
        None,
        &[("delivery.corrupt", 1)],
    ),
    object(
        "222222222222_CloudTrail_us-east-1_20250314T1035Z_",
        Some(33),
        &[
            ("CloudWatch.2", 2),
            ("CloudWatch.6", 1),
            ("CloudWatch.8", 1),
            ("CloudWatch.11", 1),
        ],
    ),
    object(
        "222222222222_CloudTrail_us-east-1_20250315T0010Z_",
        Some(6),
        &[("delivery.invalid-key", 1)],
    ),
    object(
        "222222222222_CloudTrail_us-west-2_20250314T1320Z_",
        Some(12),
        &[("delivery.account-mismatch", 1)],
    ),
    object(
        "444444444444_CloudTrail_us-east-1_20250314T0230Z_",
        Some(8),
        &[("delivery.unexpected-account", 1)],
    ),
    object("o-exampleorg1/333333333333/", Some(18), &[("CIS.4.15", 1)]),
    object(
        "security/AWSLogs/111111111111/",
        Some(17),
        &[("CloudWatch.2", 2)],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_adds_up_to_the_documented_totals() {
        let count = |delivery: bool| -> usize {
            SAMPLE_ALERTS
                .iter()
                .flat_map(|o| o.alerts)
                .filter(|(id, _)| id.starts_with("delivery.") == delivery)
                .map(|(_, n)| n)
                .sum()
        };
        assert_eq!(
            (count(false), count(true)),
            (23, 4),
            "detections, delivery alerts"
        );
    }
}
