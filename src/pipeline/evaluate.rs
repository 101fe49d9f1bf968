//! What one record raises: the detections of the filter-pattern and Sigma rules for a log's
//! record, the Insights alert for an Insights record; each held back when a live suppression
//! covers it.

use crate::alert::{Alert, EventSummary, Origin, RuleRef};
use crate::date::Date;
use crate::insight::{self, InsightError};
use crate::record::Record;

use super::Pipeline;

/// What each record of a file is evaluated by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Evaluate {
    /// The filter-pattern and Sigma rules: a log's records are API events.
    Rules,
    /// The insight reader: an Insights record is CloudTrail's statistics about API events, not
    /// one itself (no caller, no request; its event name sits under `insightDetails`), so the
    /// rules, written for API events, have nothing to say about it.
    Insights,
}

impl Pipeline {
    /// The alerts `rec` raises as `evaluate` reads it, but those a suppression live on `today`
    /// covers, which are added to `suppressed`. An Insights record that does not say what it is
    /// is an error, counted by the caller among the file's unreadable records.
    pub(super) fn evaluate(
        &self,
        evaluate: Evaluate,
        rec: &Record<'_>,
        origin: Origin<'_>,
        today: Date,
        suppressed: &mut u64,
    ) -> Result<Vec<Alert>, InsightError> {
        match evaluate {
            Evaluate::Rules => Ok(self.detections(rec, origin, today, suppressed)),
            Evaluate::Insights => self.insight(rec, origin, today, suppressed),
        }
    }

    /// The detections of every rule matching `rec`, but those a suppression live on `today`
    /// covers ([`Pipeline::suppressed`]).
    fn detections(
        &self,
        rec: &Record<'_>,
        origin: Origin<'_>,
        today: Date,
        suppressed: &mut u64,
    ) -> Vec<Alert> {
        let mut alerts = Vec::new();
        let mut raise = |rule: RuleRef<'_>| {
            let alert = || self.detection(rule, rec, origin);
            if !self.suppressed(rule.id, rec, today, suppressed, alert) {
                alerts.push(alert());
            }
        };
        self.rules.for_each_match(rec, |rule| {
            let def = rule.def();
            raise(RuleRef {
                id: &def.id,
                title: &def.title,
                severity: def.severity,
                tags: &[],
            });
        });
        self.sigma.for_each_match(rec, |rule| {
            raise(RuleRef {
                id: &rule.rule_id,
                title: &rule.title,
                severity: rule.severity,
                tags: &rule.tags,
            });
        });
        alerts
    }

    /// Whether a suppression live on `today` covers the detection of `rule_id` on `rec`; if so
    /// it is added to `suppressed` and logged at debug level with the id of the alert it
    /// would have been (built by `alert` only then: a suppressed flood costs no copies).
    fn suppressed(
        &self,
        rule_id: &str,
        rec: &Record<'_>,
        today: Date,
        suppressed: &mut u64,
        alert: impl FnOnce() -> Alert,
    ) -> bool {
        let Some(by) = self.suppressions.covering(rule_id, rec, today) else {
            return false;
        };
        *suppressed += 1;
        if tracing::enabled!(tracing::Level::DEBUG) {
            let alert = alert();
            tracing::debug!(
                alert_id = %alert.alert_id,
                rule_id,
                key = alert.key.as_deref(),
                suppression = %by.at,
                reason = %by.reason,
                "Detection suppressed."
            );
        }
        true
    }

    fn detection(&self, rule: RuleRef<'_>, rec: &Record<'_>, origin: Origin<'_>) -> Alert {
        self.detection_of(rule, self.slots.summary(rec), rec, origin)
    }

    fn detection_of(
        &self,
        rule: RuleRef<'_>,
        event: EventSummary,
        rec: &Record<'_>,
        origin: Origin<'_>,
    ) -> Alert {
        Alert::detection(
            rule,
            origin,
            event,
            rec.text(),
            self.settings.max_alert_record_bytes,
        )
    }

    /// The detection an Insights record raises (none for the end of an insight, or when a
    /// suppression live on `today` covers it). Its event is the insight's: the API it is
    /// about, and no caller or address, which an insight has not.
    fn insight(
        &self,
        rec: &Record<'_>,
        origin: Origin<'_>,
        today: Date,
        suppressed: &mut u64,
    ) -> Result<Vec<Alert>, InsightError> {
        let Some(found) = self.insights.alert(rec)? else {
            return Ok(Vec::new());
        };
        let event = EventSummary {
            event_name: found.details.event_name.clone(),
            event_source: found.details.event_source.clone(),
            principal: None,
            source_ip: None,
            ..self.slots.summary(rec)
        };
        let rule = RuleRef {
            id: &found.rule_id,
            title: found.title,
            severity: insight::SEVERITY,
            tags: &[],
        };
        let alert = || {
            self.detection_of(rule, event.clone(), rec, origin)
                .with_insight(found.details.clone())
        };
        if self.suppressed(rule.id, rec, today, suppressed, alert) {
            return Ok(Vec::new());
        }
        Ok(vec![alert()])
    }
}
