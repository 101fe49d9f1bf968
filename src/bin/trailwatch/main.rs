//! The `trailwatch` command-line tool: the same pipeline as the Lambda function, over local
//! files with no AWS at all, or over a bucket (`replay s3://`, `verify`) through the same S3
//! adapter the function uses. Stdout carries JSON lines (or, with `--format text`, readable
//! lines and `replay`'s summary table); logs, and `replay`'s progress bar, go to stderr.
//!
//! `scan`, `replay` and `verify` honour the function's size limits (`TRAILWATCH_MAX_*`), so a
//! hostile file is bounded locally exactly as in Lambda, and its account names
//! (`TRAILWATCH_ACCOUNT_NAMES`), so alerts read the same.
//!
//! Exit status: 0 on success (alerts are results, not failures), 1 on an operational error
//! (unreadable file, bad rules file, S3 failing), 2 on a usage error.

mod ordered;
mod progress;
mod remote;

use std::num::NonZeroUsize;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use serde_json::json;
use trailwatch::accounts::AccountNames;
use trailwatch::alert::Alert;
use trailwatch::config::{env_account_names, parse_accounts, parse_org_id, NamesSource, Settings};
use trailwatch::date::Date;
use trailwatch::error::chain;
use trailwatch::integrity::{Deadline, FileKeys};
use trailwatch::key::{url_decode, LogKey};
use trailwatch::local::{FolderSource, StdoutSink};
use trailwatch::pipeline::{Pipeline, Stats};
use trailwatch::ports::{AlertSink, ObjectRef, ObjectSource, PublicKeys, SinkError};
use trailwatch::render::{Format, Summary};
use trailwatch::rules::{effective_rules, effective_suppressions, RuleDef, SuppressionDef};
use trailwatch::sigma::{self, SigmaSource};

use progress::Progress;
use remote::{BucketUrl, Usage};

#[derive(Parser)]
#[command(
    name = "trailwatch",
    version,
    about = "Validate CloudTrail deliveries and detect CIS events, locally."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse object keys: one JSON line per key with its kind and parts, or its error.
    Key {
        /// The keys are URL-encoded as S3 event notifications carry them: decode first.
        #[arg(long)]
        url_encoded: bool,
        #[arg(required = true, value_name = "KEY")]
        keys: Vec<String>,
    },
    /// Evaluate the rules on CloudTrail files (.json.gz or .json), without key checks.
    Scan {
        /// A custom rules file (TOML) added to the built-in pack.
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Sigma rules: a rule file, or a folder whose .yml/.yaml files are read (repeatable).
        #[arg(long, value_name = "PATH")]
        sigma: Vec<PathBuf>,
        /// How alerts are written: JSON lines, or one readable line each.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Run the whole pipeline over a folder laid out like the bucket (no ACL or digest checks:
    /// a folder has no metadata), or over s3://BUCKET[/PREFIX] (everything, as in Lambda).
    Replay {
        /// A custom rules file (TOML) added to the built-in pack.
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Sigma rules: a rule file, or a folder whose .yml/.yaml files are read (repeatable).
        #[arg(long, value_name = "PATH")]
        sigma: Vec<PathBuf>,
        /// Comma-separated account ids allowed to deliver.
        #[arg(long, value_name = "A,B")]
        expected_accounts: Option<String>,
        /// The organization id organization-trail deliveries must carry.
        #[arg(long, value_name = "O")]
        expected_org: Option<String>,
        /// Write totals as JSON to FILE.
        #[arg(long, value_name = "FILE")]
        stats: Option<PathBuf>,
        /// CloudTrail's public keys as `aws cloudtrail list-public-keys` prints them (s3://
        /// only); default: TRAILWATCH_PUBLIC_KEYS, else ask CloudTrail.
        #[arg(long, value_name = "FILE")]
        public_keys: Option<PathBuf>,
        /// How alerts are written: JSON lines, or one readable line each; the summary table
        /// follows them on stdout as text, or goes to stderr with JSON.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Objects processed at once (default: the number of cores); the output is the same
        /// for any N.
        #[arg(long, value_name = "N")]
        jobs: Option<NonZeroUsize>,
        /// The bucket root (keys are paths relative to it), or s3://BUCKET[/PREFIX].
        #[arg(value_name = "DIR")]
        dir: String,
    },
    /// Check CloudTrail's digests under s3://BUCKET[/PREFIX]: signatures, chains, every listed
    /// log; with expected accounts, also that each still delivers.
    Verify {
        /// CloudTrail's public keys as `aws cloudtrail list-public-keys` prints them; default:
        /// TRAILWATCH_PUBLIC_KEYS, else ask CloudTrail.
        #[arg(long, value_name = "FILE")]
        public_keys: Option<PathBuf>,
        /// Only digests whose file-name time is at or after TIME (RFC 3339).
        #[arg(long, value_name = "TIME")]
        start: Option<String>,
        /// Only digests whose file-name time is at or before TIME (RFC 3339); default now.
        #[arg(long, value_name = "TIME")]
        end: Option<String>,
        /// Comma-separated accounts that must still deliver (default
        /// TRAILWATCH_EXPECTED_ACCOUNTS); set, the heartbeat runs as of END.
        #[arg(long, value_name = "A,B")]
        expected_accounts: Option<String>,
        /// How alerts are written: JSON lines, or one readable line each.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// s3://BUCKET[/PREFIX]
        #[arg(value_name = "URL")]
        url: String,
    },
    /// List the effective rules (built-in pack plus custom file, then Sigma rules) as JSON lines.
    Rules {
        /// A custom rules file (TOML) added to the built-in pack.
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Sigma rules: a rule file, or a folder whose .yml/.yaml files are read (repeatable).
        #[arg(long, value_name = "PATH")]
        sigma: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let progress = Progress::hidden();
    tracing_subscriber::fmt()
        .with_writer(progress.clone())
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with status 0, usage errors with 2.
            // Nothing more to say if stderr itself is gone.
            e.print().ok();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli.command, &progress) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{}", chain(e.as_ref()));
            ExitCode::from(if e.is::<Usage>() { 2 } else { 1 })
        }
    }
}

fn run(command: Command, progress: &Progress) -> Result<()> {
    match command {
        Command::Key { url_encoded, keys } => print_keys(&keys, url_encoded),
        Command::Rules { rules, sigma } => {
            let file = load_rules(rules.as_deref())?;
            // Compiling checks the Sigma rules' ids against the others.
            let pipeline = pipeline(Settings::default(), &file, &sigma)?;
            for def in &file.rules {
                emit(&serde_json::to_string(def)?)?;
            }
            for rule in pipeline.sigma().rules() {
                emit(&serde_json::to_string(&rule.listing())?)?;
            }
            let today = Date::today_utc();
            for def in pipeline.suppressions().defs() {
                let state = if def.is_live(today) {
                    "live"
                } else {
                    "expired"
                };
                emit(&json!({ "suppression": def, "state": state }).to_string())?;
            }
            Ok(())
        }
        Command::Scan {
            rules,
            sigma,
            format,
            paths,
        } => {
            let pipeline = pipeline(
                with_account_names(Settings::default().with_env_tuning()?)?,
                &load_rules(rules.as_deref())?,
                &sigma,
            )?;
            block_on(scan(&pipeline, &paths, StdoutSink::new(format)))?
        }
        Command::Replay {
            rules,
            sigma,
            expected_accounts,
            expected_org,
            stats,
            public_keys,
            format,
            jobs,
            dir,
        } => {
            let settings = Settings {
                expected_accounts: expected_accounts
                    .map(|a| parse_accounts("--expected-accounts", &a))
                    .transpose()
                    .map_err(Usage::from)?,
                expected_org: expected_org
                    .map(|o| parse_org_id("--expected-org", &o))
                    .transpose()
                    .map_err(Usage::from)?,
                ..Settings::default()
            }
            .with_env_tuning()?;
            let settings = with_account_names(settings)?;
            let pipeline = pipeline(settings, &load_rules(rules.as_deref())?, &sigma)?;
            let show = Show {
                format,
                // A machine that cannot say how many cores it has still has one.
                jobs: jobs.unwrap_or_else(|| {
                    std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)
                }),
                progress,
            };
            let runtime = runtime()?;
            let totals = match BucketUrl::parse(&dir)? {
                Some(url) => {
                    remote::replay(&runtime, &pipeline, &url, public_keys.as_deref(), &show)?
                }
                None => {
                    let source = FolderSource::new(&dir);
                    let root = Path::new(&dir);
                    let bucket = root
                        .canonicalize()
                        .ok()
                        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
                        .unwrap_or_else(|| dir.clone());
                    // A folder has no metadata: digests are never looked up against keys.
                    let no_keys = FileKeys::default();
                    replay(&runtime, &pipeline, &source, &no_keys, &bucket, "", &show)?
                }
            };
            if let Some(path) = stats {
                std::fs::write(&path, serde_json::to_string(&totals)? + "\n")
                    .with_context(|| format!("writing stats to {}", path.display()))?;
            }
            Ok(())
        }
        Command::Verify {
            public_keys,
            start,
            end,
            expected_accounts,
            format,
            url,
        } => remote::verify(remote::VerifyArgs {
            public_keys,
            start,
            end,
            expected_accounts,
            sink: StdoutSink::new(format),
            url,
        }),
    }
}

/// Writes one line to stdout; a closed pipe (`| head`) is an error, not a panic.
fn emit(line: &str) -> Result<()> {
    use std::io::Write;
    writeln!(std::io::stdout().lock(), "{line}").context("writing to stdout")
}

fn print_keys(keys: &[String], url_encoded: bool) -> Result<()> {
    let today = Date::today_utc();
    for key in keys {
        let parsed = if url_encoded {
            url_decode(key).and_then(|k| LogKey::parse(&k, today))
        } else {
            LogKey::parse(key, today)
        };
        let line = match parsed {
            Ok(k) => json!({
                "key": key, "kind": k.kind, "prefix": k.prefix, "org_id": k.org_id,
                "account_id": k.account_id, "region": k.region, "date": k.date,
            }),
            Err(e) => json!({"key": key, "error": {"code": e.code(), "message": e.message()}}),
        };
        emit(&line.to_string())?;
    }
    Ok(())
}

/// `settings` with the account names `TRAILWATCH_ACCOUNT_NAMES` names (a file, or AWS
/// Organizations), as the function reads them; a file that does not parse, or Organizations
/// refusing, is an operational error, like a bad rules file.
fn with_account_names(settings: Settings) -> Result<Settings> {
    let names = match env_account_names().map_err(Usage::from)? {
        None => return Ok(settings),
        Some(NamesSource::File(location)) => {
            let text = remote::read_location(&location)?;
            AccountNames::parse(&location.origin(), &text)?
        }
        Some(NamesSource::Organizations) => remote::organization_names()?,
    };
    Ok(Settings {
        account_names: Arc::new(names),
        ..settings
    })
}

/// What a rules file holds: the effective rules (the pack merged with it) and its suppressions.
struct RulesFile {
    rules: Vec<RuleDef>,
    suppressions: Vec<SuppressionDef>,
}

fn load_rules(path: Option<&Path>) -> Result<RulesFile> {
    let custom = match path {
        Some(p) => Some((
            p.display().to_string(),
            std::fs::read_to_string(p)
                .with_context(|| format!("reading rules file {}", p.display()))?,
        )),
        None => None,
    };
    let text = custom.as_ref().map(|(o, t)| (o.as_str(), t.as_str()));
    Ok(RulesFile {
        rules: effective_rules(text)?,
        suppressions: effective_suppressions(text)?,
    })
}

/// The pipeline for `settings`, the rules and suppressions of `file` and the Sigma rules under
/// `sigma_paths`; the count of Sigma rules outside scope goes to stderr, in one line, and each
/// expired suppression is logged there.
fn pipeline(settings: Settings, file: &RulesFile, sigma_paths: &[PathBuf]) -> Result<Pipeline> {
    let mut sources: Vec<SigmaSource> = Vec::new();
    for path in sigma_paths {
        sources.extend(sigma::read_path(path)?);
    }
    let loaded = sigma::load(&sources)?;
    if let Some(line) = loaded.skipped_line() {
        eprintln!("{line}");
    }
    Ok(Pipeline::new(settings, &file.rules)?
        .with_sigma(&loaded.rules)?
        .with_suppressions(&file.suppressions)?)
}

/// `replay`'s runtime. Its one worker drives the S3 client's I/O, timers and connections,
/// whichever thread polls the pipeline's futures: `replay --jobs` runs the pipeline
/// (synchronous decoding, CPU work) on threads of its own.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Runs `work` on the calling thread: all that the other commands need (local files, or S3
/// requests that overlap while waiting), without `replay`'s worker thread, whose stack and
/// runtime would add to `scan`'s peak memory.
fn block_on<F: std::future::Future>(work: F) -> Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(runtime.block_on(work))
}

async fn scan(pipeline: &Pipeline, paths: &[PathBuf], sink: StdoutSink) -> Result<()> {
    let source = FolderSource::new("");
    let mut failed = 0;
    for path in paths {
        let object = ObjectRef {
            key: path.display().to_string(),
            ..ObjectRef::default()
        };
        match pipeline.scan_object(&source, &sink, &object).await {
            Ok(report) => {
                tracing::info!(path = %path.display(), records = report.records, detections = report.detections, suppressed = report.suppressed, "scanned")
            }
            Err(e) => {
                failed += 1;
                tracing::error!("{e}");
            }
        }
    }
    anyhow::ensure!(
        failed == 0,
        "{failed} of {} files could not be scanned",
        paths.len()
    );
    Ok(())
}

/// How `replay` shows its work.
struct Show<'a> {
    format: Format,
    jobs: NonZeroUsize,
    progress: &'a Progress,
}

/// One object's alerts, kept until the objects before it are written.
#[derive(Default)]
struct Held(Mutex<Vec<Alert>>);

impl AlertSink for Held {
    async fn publish(&self, alerts: &[Alert]) -> Result<(), SinkError> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(alerts);
        Ok(())
    }
}

/// Runs the pipeline over every object of `bucket` under `prefix`, `show.jobs` objects at a
/// time on as many threads, writing each object's alerts in key order (the same output for any
/// number of jobs); then the summary table. Stops at the first object (in key order) that
/// fails, after writing the alerts it raised.
fn replay<S: ObjectSource + Sync, P: PublicKeys + Sync>(
    runtime: &tokio::runtime::Runtime,
    pipeline: &Pipeline,
    source: &S,
    keys: &P,
    bucket: &str,
    prefix: &str,
    show: &Show<'_>,
) -> Result<Stats> {
    let objects = runtime
        .block_on(source.list(bucket, prefix))
        .with_context(|| format!("listing {bucket}/{prefix}"))?;
    show.progress.start(objects.len());
    let sink = StdoutSink::new(show.format);
    let mut stats = Stats::default();
    let mut summary = Summary::default();
    let mut alerts_so_far = 0;
    let mut failure = None;
    ordered::run(
        show.jobs,
        &objects,
        |object| {
            let held = Held::default();
            let result = runtime.handle().block_on(pipeline.process_object(
                source,
                keys,
                &held,
                object,
                Deadline::NONE,
            ));
            let alerts = held.0.into_inner().unwrap_or_else(PoisonError::into_inner);
            (object, alerts, result)
        },
        |(_, alerts, _)| {
            alerts_so_far += alerts.len() as u64;
            show.progress.object_done(alerts_so_far);
        },
        |(object, alerts, result)| {
            // An object that failed still has its alerts written, as the function publishes them.
            let written = show
                .progress
                .suspend(|| sink.write(&alerts))
                .context("writing alerts");
            alerts.iter().for_each(|alert| summary.add(alert));
            let done =
                written.and_then(|()| result.with_context(|| format!("processing {}", object.key)));
            match done {
                Ok(report) => {
                    stats.add(&report);
                    ControlFlow::Continue(())
                }
                Err(e) => {
                    failure = Some(e);
                    ControlFlow::Break(())
                }
            }
        },
    );
    show.progress.finish();
    if let Some(e) = failure {
        return Err(e);
    }
    tracing::info!(
        objects = stats.objects,
        records = stats.records,
        detections = stats.detections,
        suppressed = stats.suppressed,
        delivery_alerts = stats.delivery_alerts,
        integrity_alerts = stats.integrity_alerts,
        "replay finished"
    );
    // Stdout carries JSON lines only, unless it carries text.
    let mut out: Box<dyn std::io::Write> = match show.format {
        Format::Text => Box::new(std::io::stdout().lock()),
        Format::Json => Box::new(std::io::stderr().lock()),
    };
    out.write_all(summary.table(&stats).as_bytes())
        .context("writing the summary")?;
    Ok(stats)
}
