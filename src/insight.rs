//! CloudTrail Insights records (the deliveries under `CloudTrail-Insight/`): which of them raise
//! an alert, under which rule id, and the details the alert carries.
//!
//! An Insights record is CloudTrail's own finding that an API's call or error rate left its
//! baseline, reported twice: when the unusual activity starts and when it ends. The start is
//! the news, so it alone raises an alert; the end raises nothing. Every record must still say
//! what it is (its state, its type, its averages as numbers): one that does not is unreadable,
//! like any other record the pipeline has to step over, never passed over in silence.

use std::borrow::Cow;

use serde_json::Number;

use crate::alert::InsightDetails;
use crate::record::{FieldPlan, JsonRef, Record, SlotId};
use crate::rules::Severity;

/// What an Insights alert weighs: a statistical anomaly, not an action known to be bad. It is
/// worth a look the same day (credential misuse, enumeration and brute force show up as rates),
/// yet is often a deployment or a batch job, so it ranks with the delivery problems.
pub const SEVERITY: Severity = Severity::Medium;

/// Longest `insightType` taken into a rule id; AWS's own are about 20 characters. The writer
/// of the file controls it, and a rule id is an SNS attribute that filter policies match.
const MAX_TYPE_LEN: usize = 64;

/// Why an Insights record is unreadable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InsightError {
    /// A member every Insights record has is absent or not a string.
    #[error("the insight record has no `{0}` string")]
    MissingText(&'static str),
    /// `insightDetails.state` is neither `Start` nor `End`.
    #[error("the insight record's `insightDetails.state` is {0:?}, neither Start nor End")]
    UnknownState(String),
    /// `insightDetails.insightType` cannot be part of a rule id.
    #[error(
        "the insight record's `insightDetails.insightType` {0:?} is not 1 to {MAX_TYPE_LEN} ASCII letters, digits, `.`, `_` or `-`"
    )]
    BadType(String),
    /// An average or the duration is absent (where required) or not a JSON number in range.
    #[error("the insight record's `{0}` is not a number")]
    NotNumber(&'static str),
}

/// One Insights record that raises an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightAlert {
    /// `insight.<insightType>`.
    pub rule_id: String,
    /// The alert's title, by the insight's type.
    pub title: &'static str,
    /// The alert's `insight` field.
    pub details: InsightDetails,
}

/// The members an Insights alert reads, registered in the pipeline's one [`FieldPlan`].
#[derive(Debug, Clone)]
pub struct InsightSlots {
    state: SlotId,
    insight_type: SlotId,
    event_source: SlotId,
    event_name: SlotId,
    baseline_average: SlotId,
    insight_average: SlotId,
    insight_duration: SlotId,
}

const STATE: &str = "insightDetails.state";
const TYPE: &str = "insightDetails.insightType";
const BASELINE: &str = "insightDetails.insightContext.statistics.baseline.average";
const AVERAGE: &str = "insightDetails.insightContext.statistics.insight.average";
const DURATION: &str = "insightDetails.insightContext.statistics.insightDuration";

impl InsightSlots {
    /// Registers the members in `plan`.
    pub fn register(plan: &mut FieldPlan) -> Self {
        let mut slot = |path: &str| plan.member_slot(path.split('.'));
        InsightSlots {
            state: slot(STATE),
            insight_type: slot(TYPE),
            event_source: slot("insightDetails.eventSource"),
            event_name: slot("insightDetails.eventName"),
            baseline_average: slot(BASELINE),
            insight_average: slot(AVERAGE),
            insight_duration: slot(DURATION),
        }
    }

    /// The alert `rec` raises: one for the start of an insight, none for its end.
    pub fn alert(&self, rec: &Record<'_>) -> Result<Option<InsightAlert>, InsightError> {
        let text = |slot, name| rec.get_str(slot).ok_or(InsightError::MissingText(name));
        let state = text(self.state, STATE)?;
        let start = match state.as_ref() {
            "Start" => true,
            "End" => false,
            other => return Err(InsightError::UnknownState(shortened(other))),
        };
        let insight_type = text(self.insight_type, TYPE)?;
        let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if insight_type.is_empty()
            || insight_type.len() > MAX_TYPE_LEN
            || !insight_type.chars().all(valid)
        {
            return Err(InsightError::BadType(shortened(&insight_type)));
        }
        let number = |slot, name| match rec.get(slot) {
            Some(JsonRef::Number(raw)) => raw
                .parse::<Number>()
                .map(Some)
                .map_err(|_| InsightError::NotNumber(name)),
            None => Ok(None),
            Some(_) => Err(InsightError::NotNumber(name)),
        };
        let required = |slot, name| number(slot, name)?.ok_or(InsightError::NotNumber(name));
        // Checked on an end event too: a record that does not say what it is is unreadable,
        // whatever its state.
        let baseline_average = required(self.baseline_average, BASELINE)?;
        let insight_average = required(self.insight_average, AVERAGE)?;
        let insight_duration = number(self.insight_duration, DURATION)?;
        if !start {
            return Ok(None);
        }
        let title = match insight_type.as_ref() {
            "ApiCallRateInsight" => "CloudTrail Insights: unusual API call rate",
            "ApiErrorRateInsight" => "CloudTrail Insights: unusual API error rate",
            _ => "CloudTrail Insights: unusual API activity",
        };
        let owned = |slot| rec.get_str(slot).map(Cow::into_owned);
        Ok(Some(InsightAlert {
            rule_id: format!("insight.{insight_type}"),
            title,
            details: InsightDetails {
                insight_type: insight_type.into_owned(),
                event_source: owned(self.event_source),
                event_name: owned(self.event_name),
                state: state.into_owned(),
                baseline_average,
                insight_average,
                insight_duration,
            },
        }))
    }
}

/// At most the first 64 characters of a value the record's writer chose, for a reason that
/// quotes it.
fn shortened(value: &str) -> String {
    value.chars().take(MAX_TYPE_LEN).collect()
}

#[cfg(test)]
mod tests;
