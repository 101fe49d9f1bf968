//! The trailwatch Lambda function (`bootstrap`, as `cargo lambda build` names it).
//!
//! Cold start reads and validates the `TRAILWATCH_*` configuration, loads the rules (a custom
//! file from a path or S3 included) and the public-key file when one is named, and builds the
//! S3, CloudTrail and SNS clients and the pipeline once; any problem there stops the function
//! before its first event, with the reason logged. Each invocation is then
//! [`trailwatch::handler::handle`] on those, with the invocation's deadline. The SDK takes its
//! settings from the standard environment, `AWS_ENDPOINT_URL` included.

use std::time::{Instant, SystemTime};

use anyhow::Context as _;
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::Value;
use trailwatch::aws::{self, CloudTrailKeys, KeySource, S3Source, SnsSink};
use trailwatch::config::LambdaConfig;
use trailwatch::handler::{handle, InvocationError, Ports};
use trailwatch::integrity::{Deadline, FileKeys};
use trailwatch::pipeline::Pipeline;
use trailwatch::rules::effective_rules;

/// What every invocation of this container shares.
struct Function {
    pipeline: Pipeline,
    source: S3Source,
    keys: KeySource,
    sink: SnsSink,
}

impl Function {
    async fn cold_start() -> anyhow::Result<Function> {
        let config = LambdaConfig::from_env().context("invalid configuration")?;
        let sdk = aws::sdk_config().await;
        // An endpoint override means an emulator or an S3-compatible store, which address
        // buckets by path rather than by host name.
        let path_style = sdk.endpoint_url().is_some();
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(path_style)
                .build(),
        );
        let sns = aws_sdk_sns::Client::new(&sdk);

        let owner = config.expected_bucket_owner.as_deref();
        let custom = match &config.rules {
            None => None,
            Some(location) => {
                let text = aws::read_location(&s3, location, owner)
                    .await
                    .with_context(|| format!("reading the rules file {}", location.origin()))?;
                Some((location.origin(), text))
            }
        };
        let keys = match &config.public_keys {
            Some(location) => {
                let text = aws::read_location(&s3, location, owner)
                    .await
                    .with_context(|| format!("reading the public keys {}", location.origin()))?;
                let keys = FileKeys::parse(&text)
                    .with_context(|| format!("invalid public keys in {}", location.origin()))?;
                tracing::info!(file = %location.origin(), keys = keys.len(), "Public keys read.");
                KeySource::File(keys)
            }
            None => KeySource::CloudTrail(Box::new(CloudTrailKeys::new(
                aws_sdk_cloudtrail::Config::new(&sdk),
            ))),
        };
        let rules = effective_rules(custom.as_ref().map(|(o, t)| (o.as_str(), t.as_str())))
            .context("invalid rules")?;
        let pipeline = Pipeline::new(config.settings.clone(), &rules).context("invalid rules")?;
        tracing::info!(
            topic = %config.topic_arn,
            rules = rules.iter().filter(|r| r.enabled).count(),
            custom_rules = custom.as_ref().map(|(origin, _)| origin.as_str()),
            "trailwatch is ready."
        );

        let source = S3Source::new(s3, config.settings.limits.max_compressed_bytes)
            .with_expected_bucket_owner(config.expected_bucket_owner.clone())
            .with_bucket_owner_id(config.bucket_owner_id.clone());
        let sink = SnsSink::new(sns, config.topic_arn);
        Ok(Function {
            pipeline,
            source,
            keys,
            sink,
        })
    }

    async fn invoke(&self, event: LambdaEvent<Value>) -> Result<Value, InvocationError> {
        // The runtime gives the deadline as wall-clock time; the checks measure it monotonically.
        let left = event
            .context
            .deadline()
            .duration_since(SystemTime::now())
            .unwrap_or_default();
        let ports = Ports {
            source: &self.source,
            keys: &self.keys,
            sink: &self.sink,
        };
        handle(
            &self.pipeline,
            &ports,
            &event.payload,
            Deadline::at(Instant::now() + left),
        )
        .await
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let function = match Function::cold_start().await {
        Ok(function) => function,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "trailwatch cannot start.");
            return Err(e.into());
        }
    };
    let function = &function;
    lambda_runtime::run(service_fn(move |event| function.invoke(event))).await
}
