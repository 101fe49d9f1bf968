//! The Lambda function assembled: what a container builds once at cold start from its
//! configuration ([`Function::cold_start`]) and what each invocation runs on it
//! ([`Function::invoke`]). The `bootstrap` binary is this behind the Lambda runtime; the
//! end-to-end tests build the same value with a deployed role's credentials.

use std::sync::Arc;

use aws_config::SdkConfig;
use serde_json::Value;
use time::OffsetDateTime;

use crate::accounts::{AccountNames, NamesError};
use crate::aws::{self, CloudTrailKeys, KeySource, OrganizationsError, S3Source, SnsSink};
use crate::config::{FileLocation, LambdaConfig, NamesSource};
use crate::digest::keys::KeyFileError;
use crate::handler::{handle, InvocationError, Ports};
use crate::integrity::{Deadline, FileKeys};
use crate::metrics::{self, Tally};
use crate::pipeline::Pipeline;
use crate::ports::SourceError;
use crate::rules::{effective_rules, effective_suppressions, RuleError};
use crate::sigma::{self, SigmaError};

/// Why a container cannot start: it stops before its first event, with this logged.
#[derive(Debug, thiserror::Error)]
pub enum ColdStartError {
    /// A file the configuration names (rules, public keys) could not be read.
    #[error("reading {what} {origin}")]
    Read {
        /// Which file it is.
        what: &'static str,
        /// Its path or `s3://` URI.
        origin: String,
        /// What failed.
        #[source]
        source: SourceError,
    },
    /// The rules do not compile.
    #[error("invalid rules")]
    Rules(#[from] RuleError),
    /// The Sigma rules cannot be read or do not load: the file, the line where known, the
    /// reason.
    #[error(transparent)]
    Sigma(#[from] SigmaError),
    /// The account names file does not parse or names an account wrongly.
    #[error("invalid account names")]
    AccountNames(#[from] NamesError),
    /// AWS Organizations did not list the accounts (refused outside the management account
    /// and its delegated administrators, throttled past the retries) or named one wrongly.
    #[error("reading the account names from AWS Organizations")]
    Organizations(#[from] OrganizationsError),
    /// The public-key file is not what `aws cloudtrail list-public-keys` prints.
    #[error("invalid public keys in {origin}")]
    PublicKeys {
        /// Its path or `s3://` URI.
        origin: String,
        /// What is wrong.
        #[source]
        source: KeyFileError,
    },
}

/// Everything the invocations of one container share.
pub struct Function {
    pipeline: Pipeline,
    source: S3Source,
    keys: KeySource,
    sink: SnsSink,
}

impl Function {
    /// Builds the clients from `sdk`, reads the files `config` names and compiles the rules,
    /// the Sigma rules among them.
    pub async fn cold_start(
        config: &LambdaConfig,
        sdk: &SdkConfig,
    ) -> Result<Function, ColdStartError> {
        let s3 = aws::s3_client(sdk);
        let owner = config.expected_bucket_owner.as_deref();
        let custom = match &config.rules {
            None => None,
            Some(location) => Some((
                location.origin(),
                read(&s3, "the rules file", location, owner).await?,
            )),
        };
        let keys = match &config.public_keys {
            Some(location) => {
                let text = read(&s3, "the public keys", location, owner).await?;
                let keys = FileKeys::parse(&text).map_err(|source| ColdStartError::PublicKeys {
                    origin: location.origin(),
                    source,
                })?;
                tracing::info!(file = %location.origin(), keys = keys.len(), "Public keys read.");
                KeySource::File(keys)
            }
            None => KeySource::CloudTrail(Box::new(CloudTrailKeys::new(
                aws_sdk_cloudtrail::Config::new(sdk),
            ))),
        };
        let sigma = match &config.sigma_rules {
            Some(location) => sigma::load(&aws::read_sigma_location(&s3, location, owner).await?)?,
            None => sigma::Loaded::default(),
        };
        if let Some(line) = sigma.skipped_line() {
            tracing::info!("{line}");
        }
        let mut settings = config.settings.clone();
        match &config.account_names {
            None => {}
            Some(NamesSource::File(location)) => {
                let text = read(&s3, "the account names", location, owner).await?;
                let names = AccountNames::parse(&location.origin(), &text)?;
                tracing::info!(file = %location.origin(), accounts = names.len(), "Account names read.");
                settings.account_names = Arc::new(names);
            }
            Some(NamesSource::Organizations) => {
                let names = aws::organization_names(&aws::organizations_client(sdk)).await?;
                tracing::info!(
                    accounts = names.len(),
                    "Account names read from AWS Organizations."
                );
                settings.account_names = Arc::new(names);
            }
        }
        let custom_text = custom.as_ref().map(|(o, t)| (o.as_str(), t.as_str()));
        let rules = effective_rules(custom_text)?;
        let suppressions = effective_suppressions(custom_text)?;
        let pipeline = Pipeline::new(settings, &rules)?
            .with_sigma(&sigma.rules)?
            .with_suppressions(&suppressions)?;
        tracing::info!(
            topic = %config.topic_arn,
            rules = rules.iter().filter(|r| r.enabled).count(),
            custom_rules = custom.as_ref().map(|(origin, _)| origin.as_str()),
            sigma_rules = sigma.rules.len(),
            suppressions = suppressions.len(),
            sigma_location = config.sigma_rules.as_ref().map(|l| l.origin()),
            public_keys = config.public_keys.as_ref().map(|l| l.origin()),
            "trailwatch is ready."
        );
        let source = S3Source::new(s3, config.settings.limits.max_compressed_bytes)
            .with_expected_bucket_owner(config.expected_bucket_owner.clone())
            .with_bucket_owner_id(config.bucket_owner_id.clone());
        let sink = SnsSink::new(aws_sdk_sns::Client::new(sdk), &config.topic_arn)
            .with_bucket_region(sdk.region().map(|r| r.to_string()));
        Ok(Function {
            pipeline,
            source,
            keys,
            sink,
        })
    }

    /// Handles one invocation's `payload`, which must be done by `deadline`, and writes what it
    /// measured as metrics, whatever its outcome.
    pub async fn invoke(
        &self,
        payload: &Value,
        deadline: Deadline,
    ) -> Result<Value, InvocationError> {
        let ports = Ports {
            source: &self.source,
            keys: &self.keys,
            sink: &self.sink,
        };
        let mut tally = Tally::new(self.pipeline.settings().expected_accounts.as_ref());
        let answer = handle(&self.pipeline, &ports, payload, deadline, &mut tally).await;
        metrics::emit(&tally.documents(OffsetDateTime::now_utc()));
        answer
    }
}

async fn read(
    s3: &aws_sdk_s3::Client,
    what: &'static str,
    location: &FileLocation,
    expected_bucket_owner: Option<&str>,
) -> Result<String, ColdStartError> {
    aws::read_location(s3, location, expected_bucket_owner)
        .await
        .map_err(|source| ColdStartError::Read {
            what,
            origin: location.origin(),
            source,
        })
}
