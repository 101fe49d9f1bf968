//! Runs the `trailwatch` binary as a child process under `peak_rss.py`, which reaps it and
//! reports its peak resident memory, killing it past a deadline so a hang fails the test.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// Longest any one hostile file may take, even in an unoptimised build.
const DEADLINE: Duration = Duration::from_secs(240);

/// How one `trailwatch` process ended.
#[derive(Debug)]
pub struct Outcome {
    /// `None` when a signal ended it.
    pub exit_code: Option<i32>,
    pub stderr: String,
    /// The JSON lines it printed.
    pub alerts: Vec<Value>,
    /// `replay --stats`, when it wrote them.
    pub stats: Value,
    pub peak_rss_kib: u64,
    pub seconds: f64,
}

/// Replays a bucket holding the one object `key` with `body`, under the limits in `env`.
pub fn replay_one(key: &str, body: &[u8], env: &[(&str, &str)]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let bucket = dir.path().join("bucket");
    let path = bucket.join(key);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, body).unwrap();
    let stats = dir.path().join("stats.json");
    let mut outcome = run(
        &[
            OsStr::new("replay"),
            OsStr::new("--stats"),
            stats.as_os_str(),
            bucket.as_os_str(),
        ],
        env,
        dir.path(),
    );
    if let Ok(text) = std::fs::read_to_string(&stats) {
        outcome.stats = serde_json::from_str(&text).unwrap();
    }
    outcome
}

/// Runs `trailwatch args` with `env` added, writing its output under `scratch`.
pub fn run(args: &[&OsStr], env: &[(&str, &str)], scratch: &Path) -> Outcome {
    let stdout_path = scratch.join("stdout");
    let stderr_path = scratch.join("stderr");
    let report_path = scratch.join("report.json");
    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/peak_rss.py");
    let status = Command::new("python3")
        .arg(runner)
        .arg(&report_path)
        .arg(DEADLINE.as_secs().to_string())
        .arg(env!("CARGO_BIN_EXE_trailwatch"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .status()
        .expect("running python3 (the end-to-end setup needs it too)");
    let stderr = std::fs::read_to_string(&stderr_path).unwrap();
    assert!(status.success(), "the measuring runner failed: {stderr}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    assert_eq!(
        report["signal"],
        Value::Null,
        "killed by a signal: {stderr}"
    );
    let stdout = std::fs::read_to_string(&stdout_path).unwrap();
    Outcome {
        exit_code: report["exit_code"].as_i64().map(|c| c as i32),
        stderr,
        alerts: stdout
            .lines()
            .map(|line| serde_json::from_str(line).expect("stdout carries JSON lines only"))
            .collect(),
        stats: Value::Null,
        peak_rss_kib: report["peak_rss_kib"].as_u64().unwrap(),
        seconds: report["seconds"].as_f64().unwrap(),
    }
}
