//! What a deployment expects of its bucket and how much it is willing to read: one value built
//! once (from CLI flags locally, from the environment in Lambda) and passed down.
//!
//! The Lambda function's `TRAILWATCH_*` variables are read here and nowhere else
//! ([`LambdaConfig::from_env`]); everything below takes the parsed values.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::accounts::AccountNames;
use crate::key::{is_account_id, is_org_id, is_region};

pub use location::{FileLocation, NamesSource, SigmaLocation};

/// How old the newest digest of an account and region may be before the heartbeat reports it
/// late (INTEGRITY §5): CloudTrail writes one an hour, and the next hour's may take a while.
pub const DEFAULT_MAX_DIGEST_AGE_S: u64 = 7200;

/// Logs of one digest hashed at once (INTEGRITY §8).
pub const DEFAULT_VERIFY_CONCURRENCY: usize = 8;

/// The most logs of one digest hashed at once that a setting may ask for; each holds its
/// compressed bytes in memory while it is read.
pub const MAX_VERIFY_CONCURRENCY: usize = 64;

/// Largest record copied into an alert. SNS takes 256 KiB per message and per batch; an alert
/// travels in JSON and again in an e-mail rendering, so a record must leave room for both.
pub const DEFAULT_MAX_ALERT_RECORD_BYTES: usize = 64 << 10;

/// Bounds that keep a hostile delivery from costing unbounded memory or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most compressed bytes read from the source.
    pub max_compressed_bytes: u64,
    /// Most decompressed bytes (a gzip bomb stops here).
    pub max_decompressed_bytes: u64,
    /// Largest single record, in bytes of JSON text.
    pub max_record_bytes: usize,
}

impl Default for Limits {
    /// CloudTrail delivers files every five minutes, rarely above a few tens of MB compressed;
    /// a single event is at most a few hundred KB. The defaults leave ample room above that.
    fn default() -> Self {
        Limits {
            max_compressed_bytes: 512 << 20,
            max_decompressed_bytes: 8 << 30,
            max_record_bytes: 8 << 20,
        }
    }
}

/// The checks and bounds applied to every delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The size limits every delivery is read under.
    pub limits: Limits,
    /// A detection's record larger than this is truncated in the alert.
    pub max_alert_record_bytes: usize,
    /// Accounts allowed to deliver; `None` accepts any well-formed account.
    pub expected_accounts: Option<BTreeSet<String>>,
    /// The organization id organization-trail deliveries must carry; `None` accepts any.
    pub expected_org: Option<String>,
    /// Regions deliveries may come from; `None` accepts any well-formed region.
    pub regions: Option<BTreeSet<String>>,
    /// Buckets whose objects may be read; `None` reads whichever bucket an event names.
    pub buckets: Option<BTreeSet<String>>,
    /// The heartbeat's default allowed age of the newest digest, in seconds.
    pub max_digest_age_s: u64,
    /// Logs of one digest read and hashed at once.
    pub verify_concurrency: usize,
    /// Names of accounts, which alerts carry beside the ids (shared: a container holds one).
    pub account_names: Arc<AccountNames>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            limits: Limits::default(),
            max_alert_record_bytes: DEFAULT_MAX_ALERT_RECORD_BYTES,
            expected_accounts: None,
            expected_org: None,
            regions: None,
            buckets: None,
            max_digest_age_s: DEFAULT_MAX_DIGEST_AGE_S,
            verify_concurrency: DEFAULT_VERIFY_CONCURRENCY,
            account_names: Arc::default(),
        }
    }
}

/// A setting that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    /// The flag or variable at fault.
    pub setting: String,
    /// What is wrong with its value.
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

/// A comma-separated list of S3 bucket names.
pub fn parse_buckets(setting: &str, text: &str) -> Result<BTreeSet<String>, ConfigError> {
    parse_list(setting, text, is_bucket_name, "is not an S3 bucket name")
}

/// 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter
/// or digit (S3's naming rules for general purpose buckets).
pub fn is_bucket_name(name: &str) -> bool {
    let edge = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&name.len())
        && edge(name.as_bytes().first())
        && edge(name.as_bytes().last())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
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

/// The environment variables the Lambda function reads; the deployment template sets these names.
pub mod env {
    /// ARN of the SNS topic alerts are published to (required).
    pub const TOPIC_ARN: &str = "TRAILWATCH_TOPIC_ARN";
    /// Comma-separated 12-digit account ids allowed to deliver.
    pub const EXPECTED_ACCOUNTS: &str = "TRAILWATCH_EXPECTED_ACCOUNTS";
    /// The organization id organization-trail deliveries must carry.
    pub const EXPECTED_ORG_ID: &str = "TRAILWATCH_EXPECTED_ORG_ID";
    /// Comma-separated regions deliveries may come from.
    pub const REGIONS: &str = "TRAILWATCH_REGIONS";
    /// Comma-separated buckets the function reads from; events naming others are refused.
    pub const BUCKETS: &str = "TRAILWATCH_BUCKETS";
    /// Canonical user id of the bucket owner (else looked up with GetBucketAcl).
    pub const BUCKET_OWNER_ID: &str = "TRAILWATCH_BUCKET_OWNER_ID";
    /// 12-digit account id sent as `ExpectedBucketOwner` on every S3 request.
    pub const EXPECTED_BUCKET_OWNER: &str = "TRAILWATCH_EXPECTED_BUCKET_OWNER";
    /// Path or `s3://bucket/key` of a custom rules TOML file.
    pub const RULES: &str = "TRAILWATCH_RULES";
    /// Sigma rules: a file or folder path, `s3://bucket/key` or `s3://bucket/prefix/`.
    pub const SIGMA_RULES: &str = "TRAILWATCH_SIGMA_RULES";
    /// Most compressed bytes read from one object.
    pub const MAX_COMPRESSED_BYTES: &str = "TRAILWATCH_MAX_COMPRESSED_BYTES";
    /// Most decompressed bytes read from one object.
    pub const MAX_DECOMPRESSED_BYTES: &str = "TRAILWATCH_MAX_DECOMPRESSED_BYTES";
    /// Largest single record, in bytes of JSON.
    pub const MAX_RECORD_BYTES: &str = "TRAILWATCH_MAX_RECORD_BYTES";
    /// Largest record copied into an alert before it is truncated.
    pub const MAX_ALERT_RECORD_BYTES: &str = "TRAILWATCH_MAX_ALERT_RECORD_BYTES";
    /// Path or `s3://bucket/key` of CloudTrail's public keys as `aws cloudtrail
    /// list-public-keys` prints them; unset: ask CloudTrail.
    pub const PUBLIC_KEYS: &str = "TRAILWATCH_PUBLIC_KEYS";
    /// The heartbeat's allowed age of the newest digest, in seconds.
    pub const MAX_DIGEST_AGE_S: &str = "TRAILWATCH_MAX_DIGEST_AGE_S";
    /// Logs of one digest hashed at once.
    pub const VERIFY_CONCURRENCY: &str = "TRAILWATCH_VERIFY_CONCURRENCY";
    /// Path or `s3://bucket/key` of the account names alerts carry (TOML or JSON), or the word
    /// `organizations`: AWS Organizations' ListAccounts.
    pub const ACCOUNT_NAMES: &str = "TRAILWATCH_ACCOUNT_NAMES";

    /// Every variable, in the order the documentation lists them.
    pub const ALL: [&str; 17] = [
        TOPIC_ARN,
        EXPECTED_ACCOUNTS,
        EXPECTED_ORG_ID,
        REGIONS,
        BUCKETS,
        BUCKET_OWNER_ID,
        EXPECTED_BUCKET_OWNER,
        RULES,
        SIGMA_RULES,
        MAX_COMPRESSED_BYTES,
        MAX_DECOMPRESSED_BYTES,
        MAX_RECORD_BYTES,
        MAX_ALERT_RECORD_BYTES,
        PUBLIC_KEYS,
        MAX_DIGEST_AGE_S,
        VERIFY_CONCURRENCY,
        ACCOUNT_NAMES,
    ];
}

/// Everything the Lambda function takes from its environment, validated once at cold start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaConfig {
    /// The checks and bounds, from the account, organization, region, bucket and size-limit
    /// variables.
    pub settings: Settings,
    /// Where alerts are published.
    pub topic_arn: String,
    /// The bucket owner's canonical user id; `None`: ask S3 (GetBucketAcl) once per bucket.
    pub bucket_owner_id: Option<String>,
    /// Account that must own the bucket for any S3 request to proceed (`ExpectedBucketOwner`).
    pub expected_bucket_owner: Option<String>,
    /// A custom rules file to merge with the built-in pack.
    pub rules: Option<FileLocation>,
    /// Sigma rules run beside the others.
    pub sigma_rules: Option<SigmaLocation>,
    /// CloudTrail's public keys from a file instead of ListPublicKeys.
    pub public_keys: Option<FileLocation>,
    /// Where the account names come from; the names themselves go into `settings` once read.
    pub account_names: Option<NamesSource>,
}

impl Settings {
    /// These settings with the size limits (`TRAILWATCH_MAX_*`) and the integrity checks' tuning
    /// (`TRAILWATCH_MAX_DIGEST_AGE_S`, `TRAILWATCH_VERIFY_CONCURRENCY`) a deployment sets, read
    /// through `lookup`; unset ones keep their value. The CLI reads them too, so a local replay
    /// bounds a hostile file exactly as the function would.
    pub fn with_tuning_from(
        self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let get = blank_as_unset(lookup);
        Ok(Settings {
            limits: Limits {
                max_compressed_bytes: byte_count(
                    env::MAX_COMPRESSED_BYTES,
                    get(env::MAX_COMPRESSED_BYTES),
                )?
                .unwrap_or(self.limits.max_compressed_bytes),
                max_decompressed_bytes: byte_count(
                    env::MAX_DECOMPRESSED_BYTES,
                    get(env::MAX_DECOMPRESSED_BYTES),
                )?
                .unwrap_or(self.limits.max_decompressed_bytes),
                max_record_bytes: byte_size(env::MAX_RECORD_BYTES, get(env::MAX_RECORD_BYTES))?
                    .unwrap_or(self.limits.max_record_bytes),
            },
            max_alert_record_bytes: byte_size(
                env::MAX_ALERT_RECORD_BYTES,
                get(env::MAX_ALERT_RECORD_BYTES),
            )?
            .unwrap_or(self.max_alert_record_bytes),
            max_digest_age_s: positive(
                env::MAX_DIGEST_AGE_S,
                get(env::MAX_DIGEST_AGE_S),
                "seconds",
            )?
            .unwrap_or(self.max_digest_age_s),
            verify_concurrency: concurrency(get(env::VERIFY_CONCURRENCY))?
                .unwrap_or(self.verify_concurrency),
            ..self
        })
    }

    /// [`Settings::with_tuning_from`] the process environment.
    pub fn with_env_tuning(self) -> Result<Settings, ConfigError> {
        self.with_tuning_from(process_env)
    }
}

/// A variable of the process environment.
pub fn process_env(name: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(value) => Some(value),
        Err(std::env::VarError::NotPresent) => None,
        // Kept (lossily) rather than ignored, so that validation names the variable.
        Err(std::env::VarError::NotUnicode(raw)) => Some(raw.to_string_lossy().into_owned()),
    }
}

/// A variable set to an empty or blank value counts as unset, as deployment templates write
/// optional parameters that way.
fn blank_as_unset(lookup: impl Fn(&str) -> Option<String>) -> impl Fn(&str) -> Option<String> {
    move |name| {
        lookup(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

impl LambdaConfig {
    /// Reads the process environment (see [`env`](mod@env)).
    pub fn from_env() -> Result<LambdaConfig, ConfigError> {
        LambdaConfig::from_lookup(process_env)
    }

    /// Reads the variables through `lookup` (the environment, or a table in tests); blank
    /// values count as unset.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<LambdaConfig, ConfigError> {
        let get = blank_as_unset(lookup);
        let topic_arn = get(env::TOPIC_ARN).ok_or_else(|| {
            ConfigError::new(env::TOPIC_ARN, "is required (the SNS topic alerts go to)")
        })?;
        check_topic_arn(&topic_arn)?;
        let settings = Settings {
            expected_accounts: expected_accounts(&get)?,
            expected_org: get(env::EXPECTED_ORG_ID)
                .map(|v| parse_org_id(env::EXPECTED_ORG_ID, &v))
                .transpose()?,
            regions: get(env::REGIONS)
                .map(|v| parse_regions(env::REGIONS, &v))
                .transpose()?,
            buckets: get(env::BUCKETS)
                .map(|v| parse_buckets(env::BUCKETS, &v))
                .transpose()?,
            ..Settings::default()
        }
        .with_tuning_from(&get)?;
        let bucket_owner_id = get(env::BUCKET_OWNER_ID)
            .map(|v| parse_canonical_id(env::BUCKET_OWNER_ID, v))
            .transpose()?;
        let expected_bucket_owner = get(env::EXPECTED_BUCKET_OWNER)
            .map(|v| {
                if is_account_id(&v) {
                    Ok(v)
                } else {
                    Err(ConfigError::new(
                        env::EXPECTED_BUCKET_OWNER,
                        format!("`{v}` is not a 12-digit account id"),
                    ))
                }
            })
            .transpose()?;
        let rules = file_location(&get, env::RULES)?;
        let sigma_rules = get(env::SIGMA_RULES)
            .map(|v| SigmaLocation::parse(env::SIGMA_RULES, &v))
            .transpose()?;
        let public_keys = file_location(&get, env::PUBLIC_KEYS)?;
        let account_names = names_source(&get)?;
        Ok(LambdaConfig {
            settings,
            topic_arn,
            bucket_owner_id,
            expected_bucket_owner,
            rules,
            sigma_rules,
            public_keys,
            account_names,
        })
    }
}

/// `TRAILWATCH_EXPECTED_ACCOUNTS` as the function reads it, for the CLI's `verify` when
/// `--expected-accounts` is not given.
pub fn env_expected_accounts() -> Result<Option<BTreeSet<String>>, ConfigError> {
    expected_accounts(blank_as_unset(process_env))
}

/// `TRAILWATCH_PUBLIC_KEYS` as the function reads it, for the CLI's `verify` and `replay s3://`
/// when `--public-keys` is not given.
pub fn env_public_keys() -> Result<Option<FileLocation>, ConfigError> {
    file_location(blank_as_unset(process_env), env::PUBLIC_KEYS)
}

/// `TRAILWATCH_ACCOUNT_NAMES` as the function reads it, for the CLI, which names accounts the
/// same way.
pub fn env_account_names() -> Result<Option<NamesSource>, ConfigError> {
    names_source(blank_as_unset(process_env))
}

fn names_source(get: impl Fn(&str) -> Option<String>) -> Result<Option<NamesSource>, ConfigError> {
    get(env::ACCOUNT_NAMES)
        .map(|v| NamesSource::parse(env::ACCOUNT_NAMES, &v))
        .transpose()
}

fn expected_accounts(
    get: impl Fn(&str) -> Option<String>,
) -> Result<Option<BTreeSet<String>>, ConfigError> {
    get(env::EXPECTED_ACCOUNTS)
        .map(|v| parse_accounts(env::EXPECTED_ACCOUNTS, &v))
        .transpose()
}

/// The file the variable `name` names, if it is set.
fn file_location(
    get: impl Fn(&str) -> Option<String>,
    name: &str,
) -> Result<Option<FileLocation>, ConfigError> {
    get(name).map(|v| FileLocation::parse(name, &v)).transpose()
}

/// `arn:<partition>:sns:<region>:<account>:<topic>`: caught here rather than at the first
/// publish, after a whole object has been read.
fn check_topic_arn(arn: &str) -> Result<(), ConfigError> {
    let parts: Vec<&str> = arn.split(':').collect();
    let well_formed = matches!(
        parts.as_slice(),
        ["arn", partition, "sns", region, account, topic]
            if !partition.is_empty() && is_region(region) && is_account_id(account) && !topic.is_empty()
    );
    if well_formed {
        Ok(())
    } else {
        Err(ConfigError::new(
            env::TOPIC_ARN,
            format!("`{arn}` is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)"),
        ))
    }
}

/// A canonical user id: 64 hexadecimal digits, as GetBucketAcl reports the owner.
fn parse_canonical_id(setting: &str, id: String) -> Result<String, ConfigError> {
    if id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(id.to_ascii_lowercase())
    } else {
        Err(ConfigError::new(
            setting,
            format!("`{id}` is not a canonical user id (64 hexadecimal digits)"),
        ))
    }
}

/// A positive number of bytes, when set.
fn byte_count(setting: &str, text: Option<String>) -> Result<Option<u64>, ConfigError> {
    positive(setting, text, "bytes")
}

/// A positive whole number of `unit`, when set.
fn positive(setting: &str, text: Option<String>, unit: &str) -> Result<Option<u64>, ConfigError> {
    let Some(text) = text else { return Ok(None) };
    match text.parse::<u64>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(ConfigError::new(
            setting,
            format!("`{text}` is not a positive whole number of {unit}"),
        )),
    }
}

/// 1 to [`MAX_VERIFY_CONCURRENCY`], when set.
fn concurrency(text: Option<String>) -> Result<Option<usize>, ConfigError> {
    let Some(text) = text else { return Ok(None) };
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_VERIFY_CONCURRENCY).contains(&n) => Ok(Some(n)),
        _ => Err(ConfigError::new(
            env::VERIFY_CONCURRENCY,
            format!("`{text}` is not a whole number from 1 to {MAX_VERIFY_CONCURRENCY}"),
        )),
    }
}

fn byte_size(setting: &str, text: Option<String>) -> Result<Option<usize>, ConfigError> {
    byte_count(setting, text)?
        .map(|n| {
            usize::try_from(n).map_err(|_| {
                ConfigError::new(
                    setting,
                    format!("{n} bytes is more than this machine can address"),
                )
            })
        })
        .transpose()
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

mod location;
#[cfg(test)]
mod tests;
