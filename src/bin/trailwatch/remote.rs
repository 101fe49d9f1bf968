//! The CLI's commands over a real or emulated bucket, `replay s3://BUCKET[/PREFIX]` and
//! `verify` (INTEGRITY §7): the function's own S3 adapter (path-style when `AWS_ENDPOINT_URL`
//! is set, as emulators need) and public keys from a key file or CloudTrail; also the account
//! names from AWS Organizations. Built without the `lambda` feature (no AWS SDK), all are usage
//! errors.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use trailwatch::config::{is_bucket_name, ConfigError};

/// A usage error: the command line asks for something that cannot work (exit status 2).
#[derive(Debug)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

impl From<ConfigError> for Usage {
    fn from(e: ConfigError) -> Usage {
        Usage(e.to_string())
    }
}

/// `s3://BUCKET[/PREFIX]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketUrl {
    /// The bucket.
    pub bucket: String,
    /// The prefix, without slashes at either end; empty for the whole bucket.
    pub prefix: String,
}

impl BucketUrl {
    /// The URL in `text`; `None` when `text` is not an `s3://` URL at all (a folder).
    pub fn parse(text: &str) -> Result<Option<BucketUrl>, Usage> {
        let Some(rest) = text.strip_prefix("s3://") else {
            return Ok(None);
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if !is_bucket_name(bucket) {
            return Err(Usage(format!(
                "`{text}`: `{bucket}` is not a bucket name S3 accepts (3 to 63 of a-z, 0-9, `.` and `-`, starting and ending with a letter or digit)"
            )));
        }
        Ok(Some(BucketUrl {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
        }))
    }

    /// The listing prefix: `PREFIX/`, or empty.
    #[cfg_attr(not(feature = "lambda"), allow(dead_code))]
    pub fn under(&self) -> String {
        if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        }
    }
}

/// `trailwatch verify`'s arguments as given.
pub struct VerifyArgs {
    pub public_keys: Option<PathBuf>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub expected_accounts: Option<String>,
    pub sink: trailwatch::local::StdoutSink,
    pub url: String,
}

#[cfg(not(feature = "lambda"))]
const NO_AWS: &str = "this trailwatch was built without AWS support (the `lambda` feature)";

/// Replays every object under the URL through `pipeline`, ACLs and digests included, on
/// `runtime`, whose connections every request then shares.
#[cfg(feature = "lambda")]
pub fn replay(
    runtime: &tokio::runtime::Runtime,
    pipeline: &trailwatch::pipeline::Pipeline,
    url: &BucketUrl,
    public_keys: Option<&Path>,
    show: &super::Show<'_>,
) -> Result<trailwatch::pipeline::Stats> {
    let (source, keys) = runtime.block_on(connect(pipeline.settings(), public_keys))?;
    super::replay(
        runtime,
        pipeline,
        &source,
        &keys,
        &url.bucket,
        &url.under(),
        show,
    )
}

#[cfg(not(feature = "lambda"))]
pub fn replay(
    _runtime: &tokio::runtime::Runtime,
    _pipeline: &trailwatch::pipeline::Pipeline,
    _url: &BucketUrl,
    _public_keys: Option<&Path>,
    _show: &super::Show<'_>,
) -> Result<trailwatch::pipeline::Stats> {
    Err(Usage(NO_AWS.to_owned()).into())
}

/// Runs `trailwatch verify`.
pub fn verify(args: VerifyArgs) -> Result<()> {
    let url = BucketUrl::parse(&args.url)?
        .ok_or_else(|| Usage(format!("`{}` is not an s3://BUCKET[/PREFIX] URL", args.url)))?;
    let time = |flag: &str, text: &Option<String>| {
        text.as_deref()
            .map(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                    .map_err(|e| Usage(format!("{flag} `{t}` is not an RFC 3339 time: {e}")))
            })
            .transpose()
    };
    let start = time("--start", &args.start)?;
    let end = time("--end", &args.end)?.unwrap_or_else(time::OffsetDateTime::now_utc);
    if start.is_some_and(|start| start > end) {
        return Err(Usage("--start is after --end".to_owned()).into());
    }
    let settings =
        super::with_account_names(trailwatch::config::Settings::default().with_env_tuning()?)?;
    let accounts = match &args.expected_accounts {
        Some(text) => Some(
            trailwatch::config::parse_accounts("--expected-accounts", text).map_err(Usage::from)?,
        ),
        None => trailwatch::config::env_expected_accounts().map_err(Usage::from)?,
    };
    let request = trailwatch::integrity::BucketRequest {
        bucket: url.bucket,
        prefix: url.prefix,
        start,
        end,
        expected_accounts: accounts,
    };
    super::block_on(run_verify(settings, request, args.public_keys, args.sink))?
}

#[cfg(feature = "lambda")]
async fn run_verify(
    settings: trailwatch::config::Settings,
    request: trailwatch::integrity::BucketRequest,
    public_keys: Option<PathBuf>,
    sink: trailwatch::local::StdoutSink,
) -> Result<()> {
    let (source, keys) = connect(&settings, public_keys.as_deref()).await?;
    let (report, failures) =
        trailwatch::integrity::verify_bucket(&settings, &source, &keys, &sink, &request)
            .await
            .with_context(|| format!("verifying s3://{}/{}", request.bucket, request.prefix))?;
    for failure in &failures {
        tracing::error!("{}", trailwatch::error::chain(failure));
    }
    tracing::info!(
        objects = report.objects,
        digests = report.digests,
        alerts = report.alerts,
        failed = report.failed,
        "verify finished"
    );
    anyhow::ensure!(
        failures.is_empty(),
        "{} of {} digests could not be checked",
        failures.len(),
        report.digests
    );
    Ok(())
}

#[cfg(not(feature = "lambda"))]
async fn run_verify(
    _settings: trailwatch::config::Settings,
    _request: trailwatch::integrity::BucketRequest,
    _public_keys: Option<PathBuf>,
    _sink: trailwatch::local::StdoutSink,
) -> Result<()> {
    Err(Usage(NO_AWS.to_owned()).into())
}

/// The text of `location`: a local file, or an S3 object read with the standard AWS
/// configuration.
pub fn read_location(location: &trailwatch::config::FileLocation) -> Result<String> {
    use trailwatch::config::FileLocation;
    match location {
        FileLocation::Path(path) => {
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
        }
        FileLocation::S3 { .. } => read_object(location),
    }
}

#[cfg(feature = "lambda")]
fn read_object(location: &trailwatch::config::FileLocation) -> Result<String> {
    super::block_on(async {
        let s3 = trailwatch::aws::s3_client(&trailwatch::aws::sdk_config().await);
        trailwatch::aws::read_location(&s3, location, None)
            .await
            .with_context(|| format!("reading {}", location.origin()))
    })?
}

#[cfg(not(feature = "lambda"))]
fn read_object(_location: &trailwatch::config::FileLocation) -> Result<String> {
    Err(Usage(NO_AWS.to_owned()).into())
}

/// The account names AWS Organizations lists (`TRAILWATCH_ACCOUNT_NAMES=organizations`), with
/// the standard AWS configuration, through the function's own adapter.
#[cfg(feature = "lambda")]
pub fn organization_names() -> Result<trailwatch::accounts::AccountNames> {
    super::block_on(async {
        let sdk = trailwatch::aws::sdk_config().await;
        trailwatch::aws::organization_names(&trailwatch::aws::organizations_client(&sdk))
            .await
            .context("reading the account names from AWS Organizations")
    })?
}

#[cfg(not(feature = "lambda"))]
pub fn organization_names() -> Result<trailwatch::accounts::AccountNames> {
    Err(Usage(format!("TRAILWATCH_ACCOUNT_NAMES=organizations: {NO_AWS}")).into())
}

/// The S3 source and the public keys: `public_keys` (a path), else `TRAILWATCH_PUBLIC_KEYS`
/// (a path or `s3://`), else CloudTrail. A key file that does not parse is a usage error.
#[cfg(feature = "lambda")]
async fn connect(
    settings: &trailwatch::config::Settings,
    public_keys: Option<&Path>,
) -> Result<(trailwatch::aws::S3Source, trailwatch::aws::KeySource)> {
    use trailwatch::aws::{self, CloudTrailKeys, KeySource, S3Source};
    use trailwatch::config::{env_public_keys, FileLocation};
    use trailwatch::integrity::FileKeys;

    let sdk = aws::sdk_config().await;
    let s3 = aws::s3_client(&sdk);
    let location = match public_keys {
        Some(path) => Some(FileLocation::Path(path.to_path_buf())),
        None => env_public_keys().map_err(Usage::from)?,
    };
    let keys = match location {
        Some(location) => {
            let text = aws::read_location(&s3, &location, None)
                .await
                .map_err(|e| {
                    Usage(format!(
                        "reading the public keys: {}",
                        trailwatch::error::chain(&e)
                    ))
                })?;
            let keys = FileKeys::parse(&text)
                .map_err(|e| Usage(format!("the public keys in {}: {e}", location.origin())))?;
            KeySource::File(keys)
        }
        None => KeySource::CloudTrail(Box::new(CloudTrailKeys::new(
            aws_sdk_cloudtrail::Config::new(&sdk),
        ))),
    };
    let source = S3Source::new(s3, settings.limits.max_compressed_bytes);
    Ok((source, keys))
}
