//! The real `bootstrap` binary: cargo-lambda's Runtime API emulator (`cargo lambda watch
//! --only-lambda-apis`) hosts it, `cargo lambda invoke` sends it the fixtures, and moto is the
//! AWS behind `AWS_ENDPOINT_URL`. The emulator is told not to build the function itself: the
//! test starts a binary that is already built and points it at the emulator, so no nested cargo
//! build competes for the target directory.
//!
//! The scenario runs twice: on the x86 debug `bootstrap` cargo built for this test, and on the
//! artifact that ships, the arm64 release `bootstrap` that `scripts/build-lambda.sh` builds
//! exactly as `sam build` does, under `qemu-aarch64`. Its path comes from
//! `TRAILWATCH_ARM64_BOOTSTRAP` (scripts/test.sh sets it); without it that test fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use time::OffsetDateTime;

use crate::moto::{free_port, wait_for_port, Running};
use crate::proxy::FaultProxy;
use crate::world::*;
use trailwatch_synth::{delivery_of, gzip, insight_event, insight_key};

const RULES_KEY: &str = "config/trailwatch-rules.toml";
const NAMES_KEY: &str = "config/account-names.toml";

/// The variable naming the arm64 artifact (the path `scripts/build-lambda.sh` prints).
const ARM64_BOOTSTRAP: &str = "TRAILWATCH_ARM64_BOOTSTRAP";

/// Where Debian's libc6-arm64-cross puts the arm64 loader and glibc, for `qemu-aarch64 -L`.
const ARM64_SYSROOT: &str = "/usr/aarch64-linux-gnu";

/// Which `bootstrap` serves the invocations.
pub(crate) enum Artifact {
    /// The x86 debug build cargo made for this test.
    Native,
    /// What `sam build` ships, run by `qemu`: the arm64 binary and qemu-aarch64.
    Arm64 { binary: PathBuf, qemu: PathBuf },
}

impl Artifact {
    /// The arm64 artifact named by `TRAILWATCH_ARM64_BOOTSTRAP`; fails, saying how to get
    /// it, when the variable is unset, the file is no arm64 executable or qemu is missing.
    pub(crate) fn arm64() -> Artifact {
        let binary = std::env::var_os(ARM64_BOOTSTRAP)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                panic!(
                    "{ARM64_BOOTSTRAP} is unset: build the arm64 artifact with \
                     scripts/build-lambda.sh and set {ARM64_BOOTSTRAP} to the path it prints \
                     (scripts/test.sh does both)"
                )
            });
        let elf = std::fs::read(&binary).unwrap_or_else(|e| {
            panic!(
                "{ARM64_BOOTSTRAP}={}: {e}; run scripts/build-lambda.sh",
                binary.display()
            )
        });
        // ELF, and e_machine (little-endian, at byte 18) is EM_AARCH64 = 183.
        assert!(
            elf.starts_with(b"\x7fELF") && elf.len() > 20 && elf[18] == 183 && elf[19] == 0,
            "{ARM64_BOOTSTRAP}={} is not an arm64 executable; run scripts/build-lambda.sh",
            binary.display()
        );
        let qemu = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|dir| dir.join("qemu-aarch64"))
            .find(|path| path.is_file())
            .unwrap_or_else(|| {
                panic!("qemu-aarch64 is not on PATH: run scripts/e2e-setup.sh qemu to install it")
            });
        assert!(
            Path::new(ARM64_SYSROOT)
                .join("lib/ld-linux-aarch64.so.1")
                .is_file(),
            "no arm64 glibc in {ARM64_SYSROOT}: run scripts/e2e-setup.sh qemu to install it"
        );
        Artifact::Arm64 { binary, qemu }
    }

    fn command(&self) -> Command {
        match self {
            Artifact::Native => Command::new(env!("CARGO_BIN_EXE_bootstrap")),
            Artifact::Arm64 { binary, qemu } => {
                let mut command = Command::new(qemu);
                command.arg("-L").arg(ARM64_SYSROOT).arg(binary);
                command
            }
        }
    }
}

/// A custom rule loaded from S3 at cold start (it fires on Production's StopLogging too), a
/// suppression of Dev's CloudWatch.4 and an expired one that would suppress everything.
const CUSTOM_RULES: &str = r#"
[[rules]]
id = "team-sec.stop-logging"
title = "A trail was stopped"
severity = "critical"
pattern = '{ ($.eventSource = "cloudtrail.amazonaws.com") && ($.eventName = "StopLogging") }'

[[suppress]]
rule = "CloudWatch.4"
pattern = '{ $.recipientAccountId = "999988887777" }'
reason = "Dev rebuilds its IAM policies nightly"
expires = 9999-12-31

[[suppress]]
rule = "*"
pattern = '{ $.eventVersion EXISTS }'
reason = "a migration that ended"
expires = 2020-01-01
"#;

pub(crate) fn cargo_lambda() -> PathBuf {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/cargo-lambda/bin/cargo-lambda");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/e2e-setup.sh to install cargo-lambda for the end-to-end tests",
        path.display()
    );
    path
}

/// The environment of a deployed function, pointed at moto; `extra` adds or overrides.
pub(crate) fn function_env(
    world: &World,
    runtime_api: Option<&str>,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("PATH", std::env::var("PATH").unwrap_or_default().as_str()),
        ("AWS_ENDPOINT_URL", world.moto.endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_LAMBDA_FUNCTION_NAME", "_"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "1"),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
        ("TRAILWATCH_TOPIC_ARN", world.topic_arn.as_str()),
        ("TRAILWATCH_EXPECTED_ACCOUNTS", "123456789012,999988887777"),
        ("TRAILWATCH_BUCKETS", BUCKET),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    if let Some(api) = runtime_api {
        env.push(("AWS_LAMBDA_RUNTIME_API".into(), api.into()));
    }
    for (k, v) in extra {
        env.retain(|(name, _)| name != k);
        env.push((k.to_string(), v.to_string()));
    }
    env
}

pub(crate) fn bootstrap(artifact: &Artifact, env: &[(String, String)], log: &Path) -> Command {
    let mut command = artifact.command();
    command
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(log).unwrap())
        .stderr(std::fs::File::create(log.with_extension("err")).unwrap());
    command
}

/// What the process logged on stdout and stderr.
pub(crate) fn logs(log: &Path) -> String {
    let out = std::fs::read_to_string(log).unwrap_or_default();
    let err = std::fs::read_to_string(log.with_extension("err")).unwrap_or_default();
    format!("{out}{err}")
}

/// `cargo lambda invoke` of `payload` (a fixture path or inline JSON) on the emulator.
pub(crate) fn invoke(port: u16, payload: Payload<'_>) -> Output {
    let mut command = Command::new(cargo_lambda());
    command.args([
        "lambda",
        "invoke",
        "--invoke-address",
        "127.0.0.1",
        "--invoke-port",
        &port.to_string(),
        "--output-format",
        "json",
    ]);
    match payload {
        Payload::File(path) => command.arg("--data-file").arg(path),
        Payload::Json(text) => command.args(["--data-ascii", text]),
    };
    command
        .stdin(Stdio::null())
        .output()
        .expect("running cargo lambda invoke")
}

/// cargo-lambda's Runtime API emulator on a free port, logging into `dir`; the port.
pub(crate) fn runtime_api(dir: &Path) -> (Running, u16) {
    let port = free_port();
    let emulator = Command::new(cargo_lambda())
        .args([
            "lambda",
            "watch",
            "--only-lambda-apis",
            "--invoke-address",
            "127.0.0.1",
            "--invoke-port",
            &port.to_string(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(dir.join("watch.log")).unwrap())
        .stderr(std::fs::File::create(dir.join("watch.err")).unwrap())
        .spawn()
        .expect("starting cargo lambda watch");
    let mut emulator = Running::new("cargo lambda watch", emulator);
    wait_for_port(port, "cargo lambda watch", emulator.child());
    (emulator, port)
}

/// A `bootstrap` serving invocations behind the Runtime API emulator, configured by
/// [`function_env`] for `world` plus `extra`; both processes stop when it is dropped (the
/// function first).
pub(crate) struct Served {
    _function: Running,
    _deadline: Option<FaultProxy>,
    _emulator: Running,
    /// The emulator's invoke port.
    pub port: u16,
    /// The function's stdout log (stderr beside it, see [`logs`]).
    pub log: PathBuf,
}

impl Served {
    pub(crate) fn start(
        artifact: &Artifact,
        world: &World,
        extra: &[(&str, &str)],
        dir: &Path,
    ) -> Served {
        Served::spawn(artifact, world, extra, dir, false)
    }

    /// [`Served::start`] with the invocation deadline the function sees in the future, as
    /// Lambda gives it (see [`FaultProxy::start_runtime_api`]): what a function that measures
    /// its time left, like the digest checks, needs.
    pub(crate) fn start_with_deadline(
        artifact: &Artifact,
        world: &World,
        extra: &[(&str, &str)],
        dir: &Path,
    ) -> Served {
        Served::spawn(artifact, world, extra, dir, true)
    }

    fn spawn(
        artifact: &Artifact,
        world: &World,
        extra: &[(&str, &str)],
        dir: &Path,
        deadline: bool,
    ) -> Served {
        let (emulator, port) = runtime_api(dir);
        let emulated = format!("http://127.0.0.1:{port}");
        let proxy = deadline.then(|| FaultProxy::start_runtime_api(&emulated));
        let api = proxy.as_ref().map_or(emulated, |p| p.endpoint.clone());
        let env = function_env(world, Some(&format!("{api}/.rt")), extra);
        let log = dir.join("bootstrap.log");
        let function = bootstrap(artifact, &env, &log)
            .spawn()
            .expect("starting bootstrap");
        Served {
            _function: Running::new("bootstrap", function),
            _deadline: proxy,
            _emulator: emulator,
            port,
            log,
        }
    }

    /// Invokes the function with `payload`, which must succeed; its answer.
    pub(crate) fn invoke_ok(&self, payload: Payload<'_>) -> Value {
        let out = invoke(self.port, payload);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "invoke failed: {stdout}{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            logs(&self.log)
        );
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }
}

pub(crate) enum Payload<'a> {
    File(PathBuf),
    Json(&'a str),
}

#[tokio::test]
async fn bootstrap_serves_invocations_through_the_runtime_api() {
    serves_invocations(Artifact::Native).await;
}

/// The same scenario on the artifact `sam build` ships: the arm64 release build, under qemu.
#[tokio::test]
async fn arm64_artifact_serves_invocations_under_qemu() {
    serves_invocations(Artifact::arm64()).await;
}

/// Detections and delivery alerts of an SQS batch reach the subscribed queues, an unknown event
/// fails typed NonRetryable, and the function logs JSON.
async fn serves_invocations(artifact: Artifact) {
    let world = World::new().await;
    // Written by the accounts' own trails: the bucket owner is looked up with GetBucketAcl.
    let prod_delivery = delivery(PRODUCTION, "us-east-1", &["CloudWatch.5"]);
    let dev_delivery = delivery(DEV, "eu-west-1", &["CloudWatch.4", "CloudWatch.1"]);
    world
        .put(
            &fixture_prod_key(),
            prod_delivery.clone(),
            Acl::BucketOwnerFullControl,
        )
        .await;
    world
        .put(
            &fixture_dev_key(),
            dev_delivery.clone(),
            Acl::BucketOwnerFullControl,
        )
        .await;
    world
        .s3
        .put_object()
        .bucket(BUCKET)
        .key(RULES_KEY)
        .body(CUSTOM_RULES.as_bytes().to_vec().into())
        .send()
        .await
        .unwrap();

    world
        .s3
        .put_object()
        .bucket(BUCKET)
        .key(NAMES_KEY)
        .body(format!("{DEV} = \"Dev\"\n").into_bytes().into())
        .send()
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let rules = format!("s3://{BUCKET}/{RULES_KEY}");
    let names = format!("s3://{BUCKET}/{NAMES_KEY}");
    let served = Served::start(
        &artifact,
        &world,
        &[
            ("TRAILWATCH_RULES", &rules),
            ("TRAILWATCH_ACCOUNT_NAMES", &names),
        ],
        dir.path(),
    );
    let (port, log) = (served.port, served.log.clone());

    // An SQS batch: one raw S3 notification, one behind an SNS envelope.
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("events/sqs-s3.json");
    let first_invoked = OffsetDateTime::now_utc();
    let answer = served.invoke_ok(Payload::File(fixture));
    let first_answered = OffsetDateTime::now_utc();
    assert_eq!(
        answer,
        serde_json::json!({"batchItemFailures": []}),
        "{}",
        logs(&log)
    );

    let security = world.drain(&world.security).await;
    // Dev is named in the names object, Production is not.
    for d in &security {
        let subject = d.subject.as_deref().unwrap_or_default();
        if d.alert["account_id"] == DEV {
            assert_eq!(d.alert["account_name"], "Dev", "{}", d.alert);
            assert!(subject.contains("in Dev (999988887777): "), "{subject}");
        } else {
            assert_eq!(d.alert["account_name"], Value::Null, "{}", d.alert);
            assert!(subject.contains(&format!("in {PRODUCTION}: ")), "{subject}");
        }
    }
    let mut got: Vec<(String, String)> = security
        .iter()
        .map(|d| {
            (
                d.alert["account_id"].as_str().unwrap().to_string(),
                d.rule_id().to_string(),
            )
        })
        .collect();
    got.sort();
    let want: Vec<(String, String)> = [
        (PRODUCTION, "CloudWatch.5"),
        (PRODUCTION, "team-sec.stop-logging"),
        // Dev's CloudWatch.4 is suppressed; the expired entry suppresses nothing.
        (DEV, "CloudWatch.1"),
    ]
    .into_iter()
    .map(|(a, r)| (a.to_string(), r.to_string()))
    .collect::<std::collections::BTreeSet<_>>()
    .into_iter()
    .collect();
    assert_eq!(got, want, "{}", logs(&log));
    let first_detections = got.len() as u64;
    // The Dev team's subscription (filtered on account_id) hears of Dev's detections only,
    // named as the names object says, in the alert and its attributes.
    let dev_alerts = world.drain(&world.dev).await;
    assert!(!dev_alerts.is_empty());
    for d in &dev_alerts {
        assert_eq!(d.alert["account_name"], "Dev", "{}", d.alert);
        assert_eq!(
            d.attributes.get("account_name").map(String::as_str),
            Some("Dev")
        );
    }
    let dev: Vec<String> = dev_alerts
        .iter()
        .map(|d| d.rule_id().to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(dev, ["CloudWatch.1"], "{}", logs(&log));

    // Deliveries that are wrong give delivery alerts: a stranger's, and Dev's cut short (not
    // gzip); and Production's Insights file the start of its insight. In a plain S3
    // notification.
    let stranger_key = stranger_key();
    let corrupt_key = dev_key("CorruptGzipData1");
    let insight_key = insight_key(
        None,
        None,
        PRODUCTION,
        "us-east-1",
        DAY,
        (12, 15),
        "InsightInsight12",
    );
    let events = ["Start", "End"].map(|state| {
        insight_event(
            PRODUCTION,
            "us-east-1",
            "2025-03-14T11:58:00Z",
            state,
            "ApiErrorRateInsight",
        )
    });
    world
        .put(
            &insight_key,
            gzip(delivery_of(&events).as_bytes(), 1),
            Acl::BucketOwnerFullControl,
        )
        .await;
    world
        .put(
            &stranger_key,
            delivery(STRANGER, "us-east-1", &["CloudWatch.1"]),
            Acl::BucketOwnerFullControl,
        )
        .await;
    let mut corrupt = delivery(DEV, "eu-west-1", &[]);
    corrupt.truncate(corrupt.len() / 2);
    world
        .put(&corrupt_key, corrupt, Acl::BucketOwnerFullControl)
        .await;
    let records: Vec<Value> = [&stranger_key, &corrupt_key, &insight_key]
        .iter()
        .map(|key| {
            serde_json::json!({"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": BUCKET}, "object": {"key": key}}})
        })
        .collect();
    let event = serde_json::json!({ "Records": records }).to_string();
    let out = invoke(port, Payload::Json(&event));
    assert!(
        out.status.success(),
        "invoke failed: {}{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        logs(&log)
    );
    let delivered = world.drain(&world.security).await;
    let mut got: Vec<(String, String)> = delivered
        .iter()
        .map(|d| {
            (
                d.alert["key"].as_str().unwrap().to_string(),
                d.rule_id().to_string(),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![
        (
            stranger_key.clone(),
            "delivery.unexpected-account".to_string(),
        ),
        (corrupt_key.clone(), "delivery.corrupt".to_string()),
        (
            insight_key.clone(),
            "insight.ApiErrorRateInsight".to_string(),
        ),
    ];
    want.sort();
    assert_eq!(got, want, "{}", logs(&log));
    // The insight's alert is a detection (subscriptions on `kind` hear of it) that carries the
    // insight, and its record is the Start event.
    let insight = delivered
        .iter()
        .find(|d| d.rule_id() == "insight.ApiErrorRateInsight")
        .unwrap();
    assert_eq!(insight.attributes["kind"], "detection");
    assert_eq!(insight.attributes["rule_id"], "insight.ApiErrorRateInsight");
    assert_eq!(insight.attributes["event_name"], "RunInstances");
    assert_eq!(insight.alert["event_id"], events[0]["eventID"]);
    assert_eq!(insight.alert["record"], events[0]);
    assert_eq!(
        insight.alert["insight"],
        serde_json::json!({"type": "ApiErrorRateInsight", "event_source": "ec2.amazonaws.com",
            "event_name": "RunInstances", "state": "Start", "baseline_average": 0.35,
            "insight_average": 42.0, "insight_duration": null})
    );
    let second_delivery_alerts = delivered
        .iter()
        .filter(|d| d.alert["kind"] == "delivery")
        .count() as u64;
    let dev: Vec<String> = world
        .drain(&world.dev)
        .await
        .iter()
        .map(|d| d.rule_id().to_string())
        .collect();
    assert_eq!(dev, ["delivery.corrupt"], "{}", logs(&log));

    // An event that is no trigger: the error reaches the caller typed NonRetryable.
    let out = invoke(port, Payload::Json(r#"{"hello": "world"}"#));
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "an unknown event must fail: {shown}");
    assert!(
        shown.contains("NonRetryable") && shown.contains("not a trigger trailwatch accepts"),
        "{shown}"
    );

    // The function logs JSON (as Lambda asks with AWS_LAMBDA_LOG_FORMAT) and says what it did.
    let logged = logs(&log);
    assert!(logged.contains("trailwatch is ready"), "{logged}");
    let processed: Vec<&str> = logged
        .lines()
        .filter(|l| l.contains("Processed the object"))
        .collect();
    assert_eq!(processed.len(), 5, "one line per object: {logged}");
    let (mut suppressed, mut second_records) = (0, 0);
    for line in processed {
        let entry: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(entry["level"], "INFO", "{line}");
        suppressed += entry["fields"]["suppressed"]
            .as_u64()
            .unwrap_or_else(|| panic!("{line}"));
        if [&stranger_key, &corrupt_key, &insight_key]
            .contains(&&entry["fields"]["key"].as_str().unwrap().to_string())
        {
            second_records += entry["fields"]["records"].as_u64().unwrap();
        }
    }
    assert_eq!(suppressed, 1, "Dev's CloudWatch.4, counted: {logged}");
    assert!(
        logged.contains("A suppression has expired") && logged.contains("2020-01-01"),
        "the expired suppression is reported at cold start: {logged}"
    );
    let ended = OffsetDateTime::now_utc();

    // Its metrics: every invocation's, in the format, and equal to what the run itself counted.
    let stdout = std::fs::read_to_string(&log).unwrap();
    let millis = |at: OffsetDateTime| (at.unix_timestamp_nanos() / 1_000_000) as i64;
    let documents = crate::emf::documents(&stdout, millis(first_invoked)..=millis(ended));
    let invocations = by_invocation(&documents);
    assert_eq!(
        invocations.len(),
        3,
        "one totals document per invocation: {stdout}"
    );

    // The SQS batch: Production's and Dev's deliveries, read whole.
    let [first, second, third] = &invocations[..] else {
        unreachable!()
    };
    let totals = first[0];
    let deliveries = [&prod_delivery, &dev_delivery];
    assert_eq!(totals.count("Objects"), 2);
    assert_eq!(totals.count("Failures"), 0);
    assert_eq!(
        totals.count("Records"),
        deliveries.iter().map(|d| records_in(d)).sum::<u64>()
    );
    assert_eq!(
        totals.count("CompressedBytes"),
        deliveries.iter().map(|d| d.len() as u64).sum::<u64>()
    );
    assert_eq!(
        totals.count("DecompressedBytes"),
        deliveries
            .iter()
            .map(|d| gunzip(d).len() as u64)
            .sum::<u64>()
    );
    assert_eq!(totals.count("Detections"), first_detections);
    assert_eq!(totals.count("DeliveryAlerts"), 0);
    assert_eq!(totals.count("IntegrityAlerts"), 0);
    assert_eq!(
        totals.count("SuppressedDetections"),
        1,
        "Dev's CloudWatch.4"
    );
    assert_eq!(totals.samples("ProcessingDuration").len(), 2);
    // Both objects alerted; the fixture's eventTime is when S3 says they were created.
    let created = OffsetDateTime::parse(
        "2025-03-14T09:10:42.117Z",
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let latencies = totals.samples("AlertLatency");
    assert_eq!(latencies.len(), 2, "{:?}", totals.members);
    let ms = |at: OffsetDateTime| (at - created).as_seconds_f64() * 1000.0;
    for latency in latencies {
        assert!(
            ms(first_invoked) <= latency && latency <= ms(first_answered),
            "latency {latency} ms outside the invocation"
        );
    }
    let kinds: Vec<(&str, u64)> = first
        .iter()
        .filter_map(|d| Some((d.dimension("Kind")?, d.count("Objects"))))
        .collect();
    assert_eq!(kinds, [("log", 2)]);
    let accounts: Vec<(&str, u64, u64, u64)> = first
        .iter()
        .filter_map(|d| {
            Some((
                d.dimension("AccountId")?,
                d.count("Objects"),
                d.count("Detections"),
                d.count("SuppressedDetections"),
            ))
        })
        .collect();
    assert_eq!(accounts, [(PRODUCTION, 1, 2, 0), (DEV, 1, 1, 1)]);

    // The plain notification: two delivery alerts and the insight's detection, no creation
    // time, so no latency; the stranger is not an expected account and gets no document of
    // its own.
    let totals = second[0];
    assert_eq!(totals.count("Objects"), 3);
    assert_eq!(second_delivery_alerts, 2);
    assert_eq!(totals.count("DeliveryAlerts"), second_delivery_alerts);
    assert_eq!(totals.count("Records"), second_records);
    assert_eq!(totals.count("Detections"), 1, "the insight");
    assert!(totals.samples("AlertLatency").is_empty());
    let kinds: Vec<(&str, u64)> = second
        .iter()
        .filter_map(|d| Some((d.dimension("Kind")?, d.count("Objects"))))
        .collect();
    assert_eq!(kinds, [("insight", 1), ("log", 2)]);
    let accounts: Vec<(&str, u64, u64)> = second
        .iter()
        .filter_map(|d| {
            Some((
                d.dimension("AccountId")?,
                d.count("DeliveryAlerts"),
                d.count("Detections"),
            ))
        })
        .collect();
    assert_eq!(accounts, [(PRODUCTION, 0, 1), (DEV, 1, 0)]);

    // The event that is no trigger: its zeros, and nothing else.
    assert_eq!(third.len(), 1);
    for metric in [
        "Objects",
        "Failures",
        "Records",
        "Detections",
        "DeliveryAlerts",
    ] {
        assert_eq!(third[0].count(metric), 0, "{metric}");
    }
}

/// The documents grouped by invocation: each starts with its totals (no dimension).
fn by_invocation(documents: &[crate::emf::Document]) -> Vec<Vec<&crate::emf::Document>> {
    let mut invocations: Vec<Vec<&crate::emf::Document>> = Vec::new();
    for document in documents {
        if document.dimensions.is_empty() && document.members.contains_key("Objects") {
            invocations.push(Vec::new());
        }
        invocations
            .last_mut()
            .expect("the first document is an invocation's totals")
            .push(document);
    }
    invocations
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(bytes), &mut text).unwrap();
    text
}

/// How many records a delivery holds.
fn records_in(delivery: &[u8]) -> u64 {
    let document: Value = serde_json::from_slice(&gunzip(delivery)).unwrap();
    document["Records"].as_array().unwrap().len() as u64
}

/// Runs `bootstrap` without a Runtime API and returns its logs; it must stop by itself, with a
/// failure status, at cold start.
fn cold_start_failure(world: &World, extra: &[(&str, &str)], dir: &Path) -> String {
    // A blank variable counts as unset, so `("TRAILWATCH_TOPIC_ARN", "")` removes the topic.
    let env = function_env(world, None, extra);
    stopped_at_cold_start(&Artifact::Native, &env, dir, Duration::from_secs(30))
}

/// Runs the `bootstrap` of `artifact` with `env` (no Runtime API) and returns its logs, written
/// in `dir`; it must stop by itself within `within`, with a failure status.
pub(crate) fn stopped_at_cold_start(
    artifact: &Artifact,
    env: &[(String, String)],
    dir: &Path,
    within: Duration,
) -> String {
    let log = dir.join("bootstrap.log");
    let mut child = Running::new(
        "bootstrap",
        bootstrap(artifact, env, &log)
            .spawn()
            .expect("starting bootstrap"),
    );
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.child().try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < within,
            "bootstrap kept running: {}",
            logs(&log)
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        !status.success(),
        "bootstrap must not start: {}",
        logs(&log)
    );
    logs(&log)
}

#[tokio::test]
async fn bootstrap_refuses_to_start_on_bad_configuration() {
    let world = World::new().await;
    let dir = tempfile::tempdir().unwrap();
    let bad_rules = dir.path().join("rules.toml");
    std::fs::write(&bad_rules, "[[rules]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"high\"\npattern = '{ $.eventName = }'\n").unwrap();
    let bad_rules = bad_rules.display().to_string();
    let sigma = dir.path().join("sigma");
    std::fs::create_dir_all(sigma.join("aws")).unwrap();
    std::fs::write(
        sigma.join("aws/trails.yml"),
        "title: Stopped trails\ntitle: Stopped trails, again\n",
    )
    .unwrap();
    let bad_sigma = sigma.join("aws/trails.yml").display().to_string();
    let sigma = sigma.display().to_string();
    // An organization one of whose accounts has a name no alert may carry (moto, unlike AWS,
    // takes any name); the function reads it from Organizations and refuses it.
    let orgs = aws_sdk_organizations::Client::new(&world.sdk);
    orgs.create_organization().send().await.unwrap();
    let created = orgs
        .create_account()
        .account_name("n".repeat(51))
        .email("long-name@example.com")
        .send()
        .await
        .unwrap();
    let long_named = created
        .create_account_status()
        .and_then(|s| s.account_id())
        .unwrap()
        .to_string();
    type Vars<'a> = Vec<(&'a str, &'a str)>;
    let cases: [(&str, Vars, String); 7] = [
        (
            "no topic",
            vec![("TRAILWATCH_TOPIC_ARN", "")],
            "TRAILWATCH_TOPIC_ARN: is required".to_string(),
        ),
        (
            "bad account list",
            vec![("TRAILWATCH_EXPECTED_ACCOUNTS", "123,456")],
            "TRAILWATCH_EXPECTED_ACCOUNTS: `123` is not a 12-digit account id".to_string(),
        ),
        (
            "bad rules file",
            vec![("TRAILWATCH_RULES", bad_rules.as_str())],
            format!("{bad_rules}:5:"),
        ),
        (
            "rules object missing",
            vec![("TRAILWATCH_RULES", "s3://example-ct-logs/config/none.toml")],
            "reading the rules file s3://example-ct-logs/config/none.toml".to_string(),
        ),
        (
            "bad Sigma rule file in a folder",
            vec![("TRAILWATCH_SIGMA_RULES", sigma.as_str())],
            format!("sigma: {bad_sigma}:2: duplicate key `title`"),
        ),
        (
            "Sigma prefix without rule files",
            vec![("TRAILWATCH_SIGMA_RULES", "s3://example-ct-logs/sigma/")],
            "sigma: s3://example-ct-logs/sigma/: holds no .yml or .yaml file".to_string(),
        ),
        (
            "an account named too long in Organizations",
            vec![("TRAILWATCH_ACCOUNT_NAMES", "organizations")],
            format!(
                "reading the account names from AWS Organizations: AWS Organizations (ListAccounts): \
                 the name of account {long_named} is longer than 50 characters"
            ),
        ),
    ];
    for (name, extra, want) in cases {
        let case_dir = dir.path().join(name.replace(' ', "-"));
        std::fs::create_dir_all(&case_dir).unwrap();
        let logged = cold_start_failure(&world, &extra, &case_dir);
        assert!(
            logged.contains("trailwatch cannot start"),
            "case {name}: {logged}"
        );
        assert!(
            logged.contains(&want),
            "case {name}: wanted {want:?} in {logged}"
        );
    }
}
