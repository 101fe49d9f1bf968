//! What a deployment expects of its bucket and how much it is willing to read: one value built
//! once (from CLI flags locally, from the environment in Lambda) and passed down.

use std::collections::BTreeSet;

use crate::decode::Limits;
use crate::key::{is_account_id, is_org_id, is_region};

/// Largest record copied into an alert. SNS takes 256 KiB per message and per batch; an alert
/// travels in JSON and again in an e-mail rendering, so a record must leave room for both.
pub const DEFAULT_MAX_ALERT_RECORD_BYTES: usize = 64 << 10;

/// The checks and bounds applied to every delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub limits: Limits,
    /// A detection's record larger than this is truncated in the alert.
    pub max_alert_record_bytes: usize,
    /// Accounts allowed to deliver; `None` accepts any well-formed account.
    pub expected_accounts: Option<BTreeSet<String>>,
    /// The organization id organization-trail deliveries must carry; `None` accepts any.
    pub expected_org: Option<String>,
    /// Regions deliveries may come from; `None` accepts any well-formed region.
    pub regions: Option<BTreeSet<String>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            limits: Limits::default(),
            max_alert_record_bytes: DEFAULT_MAX_ALERT_RECORD_BYTES,
            expected_accounts: None,
            expected_org: None,
            regions: None,
        }
    }
}

/// A setting that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    /// The flag or variable at fault.
    pub setting: String,
    pub message: String,
}

impl ConfigError {
    /// An error for `setting` (flag or variable name).
    pub fn new(setting: &str, message: impl Into<String>) -> Self {
        ConfigError {
            setting: setting.to_string(),
            message: message.into(),
        }
    }
}

/// A comma-separated list of 12-digit account ids (white space around items ignored).
pub fn parse_accounts(setting: &str, text: &str) -> Result<BTreeSet<String>, ConfigError> {
    parse_list(setting, text, is_account_id, "is not a 12-digit account id")
}

/// A comma-separated list of region names.
pub fn parse_regions(setting: &str, text: &str) -> Result<BTreeSet<String>, ConfigError> {
    parse_list(setting, text, is_region, "is not a region name")
}

/// An organization id, `o-` and 10 to 32 lower-case letters or digits.
pub fn parse_org_id(setting: &str, text: &str) -> Result<String, ConfigError> {
    let id = text.trim();
    if is_org_id(id) {
        Ok(id.to_string())
    } else {
        Err(ConfigError::new(
            setting,
            format!(
                "`{id}` is not an organization id (o- and 10 to 32 lower-case letters or digits)"
            ),
        ))
    }
}

fn parse_list(
    setting: &str,
    text: &str,
    valid: fn(&str) -> bool,
    complaint: &str,
) -> Result<BTreeSet<String>, ConfigError> {
    let mut items = BTreeSet::new();
    for item in text.split(',').map(str::trim) {
        if !valid(item) {
            return Err(ConfigError::new(setting, format!("`{item}` {complaint}")));
        }
        items.insert(item.to_string());
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_and_reject_clearly() {
        let accounts =
            parse_accounts("--expected-accounts", " 111111111111, 222222222222").unwrap();
        assert_eq!(accounts.len(), 2, "two accounts, white space trimmed");
        let err = parse_accounts("--expected-accounts", "111111111111,12345").unwrap_err();
        assert_eq!(
            err.to_string(),
            "--expected-accounts: `12345` is not a 12-digit account id"
        );
        assert!(
            parse_accounts("X", "").is_err(),
            "an empty list is a mistake, not 'any account'"
        );
        assert!(parse_regions("R", "us-east-1,eu-west-3").is_ok());
        assert!(parse_regions("R", "us-east-1,Europe").is_err());
        assert_eq!(parse_org_id("O", "o-exampleorg1").unwrap(), "o-exampleorg1");
        assert!(parse_org_id("O", "o-short").is_err());
    }
}
