//! The `trailwatch` command-line tool: the same pipeline as the Lambda function, over local
//! files, with no AWS at all. Stdout carries JSON lines only; logs go to stderr.
//!
//! `scan` and `replay` honour the function's size limits (`TRAILWATCH_MAX_*`), so a hostile
//! file is bounded locally exactly as in Lambda.
//!
//! Exit status: 0 on success (alerts are results, not failures), 1 on an operational error
//! (unreadable file, bad rules file), 2 on a usage error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use serde_json::json;
use trailwatch::config::{parse_accounts, parse_org_id, Settings};
use trailwatch::date::Date;
use trailwatch::error::chain;
use trailwatch::key::{url_decode, LogKey};
use trailwatch::local::{FolderSource, StdoutSink};
use trailwatch::pipeline::{Pipeline, Stats};
use trailwatch::ports::ObjectRef;
use trailwatch::rules::{effective_rules, RuleDef};

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
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Run the whole pipeline (but the ACL check) over a folder laid out like the bucket.
    Replay {
        /// A custom rules file (TOML) added to the built-in pack.
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Comma-separated account ids allowed to deliver.
        #[arg(long, value_name = "A,B")]
        expected_accounts: Option<String>,
        /// The organization id organization-trail deliveries must carry.
        #[arg(long, value_name = "O")]
        expected_org: Option<String>,
        /// Write totals as JSON to FILE.
        #[arg(long, value_name = "FILE")]
        stats: Option<PathBuf>,
        /// The bucket root: keys are paths relative to it.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// List the effective rules (built-in pack plus custom file) as JSON lines.
    Rules {
        /// A custom rules file (TOML) added to the built-in pack.
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
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
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{}", chain(e.as_ref()));
            ExitCode::from(1)
        }
    }
}

fn run(command: Command) -> Result<()> {
    match command {
        Command::Key { url_encoded, keys } => print_keys(&keys, url_encoded),
        Command::Rules { rules } => {
            for def in load_rules(rules.as_deref())? {
                emit(&serde_json::to_string(&def)?)?;
            }
            Ok(())
        }
        Command::Scan { rules, paths } => {
            let pipeline = Pipeline::new(
                Settings::default().with_env_limits()?,
                &load_rules(rules.as_deref())?,
            )?;
            block_on(scan(&pipeline, &paths))?
        }
        Command::Replay {
            rules,
            expected_accounts,
            expected_org,
            stats,
            dir,
        } => {
            let settings = Settings {
                expected_accounts: expected_accounts
                    .map(|a| parse_accounts("--expected-accounts", &a))
                    .transpose()?,
                expected_org: expected_org
                    .map(|o| parse_org_id("--expected-org", &o))
                    .transpose()?,
                ..Settings::default()
            }
            .with_env_limits()?;
            let pipeline = Pipeline::new(settings, &load_rules(rules.as_deref())?)?;
            let totals = block_on(replay(&pipeline, &dir))??;
            if let Some(path) = stats {
                std::fs::write(&path, serde_json::to_string(&totals)? + "\n")
                    .with_context(|| format!("writing stats to {}", path.display()))?;
            }
            Ok(())
        }
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

fn load_rules(path: Option<&Path>) -> Result<Vec<RuleDef>> {
    let custom = match path {
        Some(p) => Some((
            p.display().to_string(),
            std::fs::read_to_string(p)
                .with_context(|| format!("reading rules file {}", p.display()))?,
        )),
        None => None,
    };
    Ok(effective_rules(
        custom.as_ref().map(|(o, t)| (o.as_str(), t.as_str())),
    )?)
}

fn block_on<F: std::future::Future>(work: F) -> Result<F::Output> {
    // Everything is local and sequential: a current-thread runtime is all the ports need.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .context("starting the async runtime")?;
    Ok(runtime.block_on(work))
}

async fn scan(pipeline: &Pipeline, paths: &[PathBuf]) -> Result<()> {
    let source = FolderSource::new("");
    let mut failed = 0;
    for path in paths {
        let object = ObjectRef {
            key: path.display().to_string(),
            ..ObjectRef::default()
        };
        match pipeline.scan_object(&source, &StdoutSink, &object).await {
            Ok(report) => {
                tracing::info!(path = %path.display(), records = report.records, detections = report.detections, "scanned")
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

async fn replay(pipeline: &Pipeline, dir: &Path) -> Result<Stats> {
    let source = FolderSource::new(dir);
    let bucket = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| dir.display().to_string());
    let objects = source
        .list(&bucket)
        .with_context(|| format!("listing {}", dir.display()))?;
    let mut stats = Stats::default();
    for object in &objects {
        let report = pipeline
            .process_object(&source, &StdoutSink, object)
            .await
            .with_context(|| format!("processing {}", object.key))?;
        stats.add(&report);
    }
    tracing::info!(
        objects = stats.objects,
        records = stats.records,
        detections = stats.detections,
        delivery_alerts = stats.delivery_alerts,
        "replay finished"
    );
    Ok(stats)
}
