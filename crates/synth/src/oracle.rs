//! A reference evaluation of the built-in pack, written straight from the patterns in RULES.md,
//! for the generator's tests: they check that each record fires exactly what it claims. The
//! event names come from [`CIS_EVENT_NAMES`], the table the product's pack tests also use.
//!
//! Kept apart from the real engine (`rules/`) on purpose: a generator checked by the code it
//! feeds could hide the same misreading in both.

use serde_json::Value;

use super::cis::CIS_EVENT_NAMES;
use super::controls::CONTROLS;

/// The member at `path`, if every step is an object holding the next name.
fn at<'a>(record: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(record, |v, name| v.as_object()?.get(*name))
}

/// A string member; any other type (or absence) makes string comparisons false.
fn text<'a>(record: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(record, path)?.as_str()
}

fn is(record: &Value, path: &[&str], want: &str) -> bool {
    text(record, path) == Some(want)
}

/// `!=` in the pattern language: false when the member is absent or not a string.
fn is_not(record: &Value, path: &[&str], want: &str) -> bool {
    matches!(text(record, path), Some(v) if v != want)
}

fn name_in(record: &Value, names: &[&str]) -> bool {
    text(record, &["eventName"]).is_some_and(|n| names.contains(&n))
}

/// Whether the record names an event that `control` lists in [`CIS_EVENT_NAMES`], from the
/// source the control requires.
fn listed(r: &Value, control: &str) -> bool {
    CIS_EVENT_NAMES
        .iter()
        .find(|e| e.control == control)
        .is_some_and(|e| e.source.is_none_or(|s| is(r, &["eventSource"], s)) && name_in(r, e.names))
}

/// Whether `record` fires the built-in control `control`.
fn fires(r: &Value, control: &str) -> bool {
    match control {
        "CloudWatch.1" => {
            is(r, &["userIdentity", "type"], "Root")
                && at(r, &["userIdentity", "invokedBy"]).is_none()
                && is_not(r, &["eventType"], "AwsServiceEvent")
        }
        "CloudWatch.2" => text(r, &["errorCode"])
            .is_some_and(|e| e.ends_with("UnauthorizedOperation") || e.starts_with("AccessDenied")),
        "CloudWatch.3" => {
            is(r, &["eventName"], "ConsoleLogin")
                && is_not(r, &["additionalEventData", "MFAUsed"], "Yes")
                && is(r, &["userIdentity", "type"], "IAMUser")
                && is(r, &["responseElements", "ConsoleLogin"], "Success")
        }
        "CloudWatch.6" => {
            is(r, &["eventName"], "ConsoleLogin")
                && is(r, &["errorMessage"], "Failed authentication")
        }
        other => listed(r, other),
    }
}

/// What an Insights event raises: `insight.<type>` for the start of an insight of a type the
/// generator writes, nothing for its end. The pipeline's reading of CloudTrail's own finding,
/// not a rule of the pack, which Insights events never meet.
fn insight(r: &Value) -> Option<&'static str> {
    if !is(r, &["insightDetails", "state"], "Start") {
        return None;
    }
    match text(r, &["insightDetails", "insightType"])? {
        "ApiCallRateInsight" => Some("insight.ApiCallRateInsight"),
        "ApiErrorRateInsight" => Some("insight.ApiErrorRateInsight"),
        _ => None,
    }
}

/// The ids of what `record` raises: for an Insights event its insight alert, else the
/// built-in controls it fires, in pack order.
pub(crate) fn fired(r: &Value) -> Vec<&'static str> {
    if is(r, &["eventType"], "AwsCloudTrailInsight") {
        return insight(r).into_iter().collect();
    }
    CONTROLS
        .iter()
        .copied()
        .filter(|control| fires(r, control))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reference_semantics() {
        let cases = [
            (
                "root api call",
                json!({"userIdentity": {"type": "Root"}, "eventType": "AwsApiCall"}),
                vec!["CloudWatch.1"],
            ),
            (
                "root without eventType",
                json!({"userIdentity": {"type": "Root"}}),
                vec![],
            ),
            (
                "root invoked by",
                json!({"userIdentity": {"type": "Root", "invokedBy": "x"}, "eventType": "AwsApiCall"}),
                vec![],
            ),
            (
                "root service event",
                json!({"userIdentity": {"type": "Root"}, "eventType": "AwsServiceEvent"}),
                vec![],
            ),
            (
                "unauthorized",
                json!({"errorCode": "Client.UnauthorizedOperation"}),
                vec!["CloudWatch.2"],
            ),
            (
                "access denied exception",
                json!({"errorCode": "AccessDeniedException"}),
                vec!["CloudWatch.2"],
            ),
            (
                "dry run",
                json!({"errorCode": "Client.DryRunOperation"}),
                vec![],
            ),
            (
                "mfa member missing",
                json!({"eventName": "ConsoleLogin", "userIdentity": {"type": "IAMUser"}, "responseElements": {"ConsoleLogin": "Success"}}),
                vec![],
            ),
            (
                "mfa no",
                json!({"eventName": "ConsoleLogin", "additionalEventData": {"MFAUsed": "No"}, "userIdentity": {"type": "IAMUser"}, "responseElements": {"ConsoleLogin": "Success"}}),
                vec!["CloudWatch.3"],
            ),
            (
                "kms from elsewhere",
                json!({"eventSource": "x", "eventName": "DisableKey"}),
                vec![],
            ),
            (
                "organizations create policy",
                json!({"eventSource": "organizations.amazonaws.com", "eventName": "CreatePolicy"}),
                vec!["CloudWatch.4", "CIS.4.15"],
            ),
            (
                "insight start",
                json!({"eventType": "AwsCloudTrailInsight", "insightDetails": {"state": "Start", "insightType": "ApiErrorRateInsight"}}),
                vec!["insight.ApiErrorRateInsight"],
            ),
            (
                "insight end, with a caller the rules would flag",
                json!({"eventType": "AwsCloudTrailInsight", "userIdentity": {"type": "Root"}, "insightDetails": {"state": "End", "insightType": "ApiCallRateInsight"}}),
                vec![],
            ),
        ];
        for (name, record, want) in cases {
            assert_eq!(fired(&record), want, "{name}");
        }
    }
}
