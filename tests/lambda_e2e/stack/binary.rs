//! The `bootstrap` binary on the stack world - the arm64 one that `sam build` ships (under
//! qemu-aarch64), and the x86 debug build: the deployed function's environment as moto's Lambda
//! holds it, the function role's session as Lambda hands it over (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), behind cargo-lambda's Runtime API emulator.
//! Cold start reads the custom rules (`RulesS3Uri`) and the Sigma rules of a folder
//! (`SigmaRulesS3Uri`) from S3 with that role, then a versioned delivery's S3 event is served.

use aws_sdk_s3::config::ProvideCredentials;
use serde_json::Value;

use super::sigma::{put, FOLDER, OUTSIDE_SCOPE, RULES_BUCKET, RULE_ID, STOP_LOGGING};
use super::*;
use crate::bootstrap::{bootstrap, invoke, logs, runtime_api, Artifact, Payload};
use crate::moto::Running;
use crate::world::delivery;

const RULES: &str = r#"
[[rules]]
id = "acme.stop-logging"
title = "A trail was stopped"
severity = "critical"
pattern = '{ ($.eventSource = "cloudtrail.amazonaws.com") && ($.eventName = "StopLogging") }'
"#;

#[tokio::test]
async fn bootstrap_starts_and_serves_with_the_function_role() {
    serves_with_the_function_role(Artifact::arm64()).await;
}

#[tokio::test]
async fn native_bootstrap_starts_and_serves_with_the_function_role() {
    serves_with_the_function_role(Artifact::Native).await;
}

async fn serves_with_the_function_role(artifact: Artifact) {
    let rules_key = "trailwatch/rules.toml";
    let sigma = format!("s3://{RULES_BUCKET}/{FOLDER}");
    let world = StackWorld::create(&[
        ("RulesS3Uri", &format!("s3://{RULES_BUCKET}/{rules_key}")),
        ("SigmaRulesS3Uri", &sigma),
    ])
    .await;
    put(&world, rules_key, RULES).await;
    put(&world, &format!("{FOLDER}stop_logging.yml"), STOP_LOGGING).await;
    put(&world, &format!("{FOLDER}other/windows.yml"), OUTSIDE_SCOPE).await;
    let key = member_key(TEAM_MEMBER, "eu-west-1", "BootstrapBinary1");
    world
        .deliver(&key, delivery(TEAM_MEMBER, "eu-west-1", &["CloudWatch.5"]))
        .await;
    let event = world.invocations().await.pop().unwrap();

    let session = world
        .function
        .credentials_provider()
        .unwrap()
        .provide_credentials()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_emulator, port) = runtime_api(dir.path());
    let runtime = format!("http://127.0.0.1:{port}/.rt");
    let mut env: Vec<(String, String)> = [
        ("PATH", std::env::var("PATH").unwrap_or_default().as_str()),
        ("AWS_ENDPOINT_URL", world.endpoint()),
        ("AWS_ACCESS_KEY_ID", session.access_key_id()),
        ("AWS_SECRET_ACCESS_KEY", session.secret_access_key()),
        ("AWS_SESSION_TOKEN", session.session_token().unwrap()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_LAMBDA_FUNCTION_NAME", world.name("Function")),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
        ("AWS_LAMBDA_RUNTIME_API", runtime.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let deployed = world.world["environment"].as_object().unwrap();
    env.extend(
        deployed
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())),
    );
    let log = dir.path().join("bootstrap.log");
    let _function = Running::new(
        "bootstrap",
        bootstrap(&artifact, &env, &log)
            .spawn()
            .expect("starting bootstrap"),
    );

    let out = invoke(port, Payload::Json(&event.to_string()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "invoke failed: {stdout}{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        logs(&log)
    );
    let answer: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(answer["detections"], 3, "{answer}\n{}", logs(&log));
    assert_eq!(answer["delivery_alerts"], 0, "{answer}\n{}", logs(&log));
    assert_eq!(
        rule_ids(&world.team("AccountTeamSubscription").await),
        [
            "CloudWatch.5".to_string(),
            "acme.stop-logging".to_string(),
            format!("sigma.{RULE_ID}")
        ],
        "the built-in rule, the custom one and the Sigma one read from S3 at cold start\n{}",
        logs(&log)
    );
    // The function's JSON log counts the rule outside scope, then the Sigma rules it runs.
    let logged = logs(&log);
    let lines: Vec<Value> = logged
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let message = |line: &Value| {
        line["fields"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        lines.iter().any(
            |l| message(l) == "sigma: skipped 1 rules outside product aws / service cloudtrail"
        ),
        "{logged}"
    );
    let ready = lines
        .iter()
        .find(|l| message(l) == "trailwatch is ready.")
        .unwrap_or_else(|| panic!("no ready line: {logged}"));
    assert_eq!(
        (
            &ready["fields"]["sigma_rules"],
            &ready["fields"]["sigma_location"]
        ),
        (&serde_json::json!(1), &serde_json::json!(sigma)),
        "{ready}"
    );
}
