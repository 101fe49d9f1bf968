//! The arm64 `bootstrap` that `sam build` ships (under qemu-aarch64) on the stack world: the deployed function's environment as
//! moto's Lambda holds it, the function role's session as Lambda hands it over
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), behind cargo-lambda's
//! Runtime API emulator. Cold start reads the custom rules from S3 with that role
//! (`RulesS3Uri`), then a versioned delivery's S3 event is served.

use aws_sdk_s3::config::ProvideCredentials;
use serde_json::Value;

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
    let (bucket, rules_key) = ("example-config-bucket", "trailwatch/rules.toml");
    let uri = format!("s3://{bucket}/{rules_key}");
    let world = StackWorld::create(&[("RulesS3Uri", &uri)]).await;
    world
        .s3
        .put_object()
        .bucket(bucket)
        .key(rules_key)
        .body(RULES.as_bytes().to_vec().into())
        .send()
        .await
        .unwrap();
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
        bootstrap(&Artifact::arm64(), &env, &log)
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
    assert_eq!(answer["detections"], 2, "{answer}\n{}", logs(&log));
    assert_eq!(answer["delivery_alerts"], 0, "{answer}\n{}", logs(&log));
    assert_eq!(
        rule_ids(&world.team("AccountTeamSubscription").await),
        ["CloudWatch.5", "acme.stop-logging"],
        "the built-in rule and the custom one read from S3 at cold start\n{}",
        logs(&log)
    );
}
