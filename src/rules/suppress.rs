//! Suppressions: reviewed, expiring exceptions to detections, written in the rules file.
//!
//! ```toml
//! [[suppress]]
//! rule = "CloudWatch.2"                 # a rule id, or a glob: `*` is any run ("sigma.*")
//! pattern = '{ $.userIdentity.arn = "arn:aws:sts::111111111111:assumed-role/Scanner/*" }'
//! reason = "the weekly permission scan" # required, not blank
//! expires = 2027-03-31                  # required, a TOML date; live through that UTC day
//! ```
//!
//! A detection is suppressed when a live suppression's rule glob matches its rule id and its
//! filter pattern matches the record. Every field is required: a suppression without a pattern
//! would mute a whole rule, which is what `enabled = false` says openly, and one without an
//! expiry would outlive the reason it was written for. Liveness is decided on the day of each
//! match, not only at load, because a Lambda container can outlive the expiry date. Delivery
//! and integrity alerts have no record to match and are never suppressed.

use crate::date::Date;
use crate::record::{FieldPlan, Record};
use crate::text::{Case, Token, Wildcard};

use super::eval::Matcher;
use super::{FilePos, RuleError};

/// One `[[suppress]]` entry as written, checked against the schema.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SuppressionDef {
    /// The rule id or glob (`*` for any run) of the detections it covers.
    pub rule: String,
    /// The filter pattern the record must match.
    pub pattern: String,
    /// Why the detections are expected and harmless.
    pub reason: String,
    /// The last UTC day it suppresses.
    pub expires: Date,
    /// Where it is written: the rules file, line and column of its `rule`.
    #[serde(serialize_with = "as_text")]
    pub at: FilePos,
}

fn as_text<S: serde::Serializer>(at: &FilePos, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(at)
}

impl SuppressionDef {
    /// Whether it still suppresses on `today`.
    pub fn is_live(&self, today: Date) -> bool {
        today <= self.expires
    }
}

/// Whether `glob` may stand in a suppression's `rule`: rule-id characters and `*`.
pub(super) fn is_rule_glob(glob: &str) -> bool {
    !glob.is_empty()
        && glob
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '*'))
}

/// One suppression, compiled.
#[derive(Debug, Clone)]
struct Suppression {
    def: SuppressionDef,
    rule: Wildcard,
    pattern: Matcher,
}

/// Every suppression of the rules file, compiled once; evaluated only on records a rule
/// matched, so they cost nothing on the records no rule flags.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    entries: Vec<Suppression>,
}

impl Suppressions {
    /// Compiles `defs`, registering their selectors in `plan`.
    pub fn compile(defs: &[SuppressionDef], plan: &mut FieldPlan) -> Result<Self, RuleError> {
        let entries = defs
            .iter()
            .map(|def| {
                let pattern = Matcher::compile(&def.pattern, plan).map_err(|source| {
                    RuleError::SuppressionPattern {
                        at: def.at.clone(),
                        source,
                    }
                })?;
                let tokens = def.rule.chars().map(|c| match c {
                    '*' => Token::Run,
                    c => Token::Char(c),
                });
                Ok(Suppression {
                    rule: Wildcard::new(tokens, Case::Exact),
                    def: def.clone(),
                    pattern,
                })
            })
            .collect::<Result<_, RuleError>>()?;
        Ok(Suppressions { entries })
    }

    /// The suppressions, in file order.
    pub fn defs(&self) -> impl Iterator<Item = &SuppressionDef> {
        self.entries.iter().map(|s| &s.def)
    }

    /// The first suppression live on `today` that covers a detection of `rule_id` on `record`.
    pub fn covering(
        &self,
        rule_id: &str,
        record: &Record<'_>,
        today: Date,
    ) -> Option<&SuppressionDef> {
        self.entries
            .iter()
            .find(|s| s.def.is_live(today) && s.rule.matches(rule_id) && s.pattern.matches(record))
            .map(|s| &s.def)
    }
}

#[cfg(test)]
mod tests;
