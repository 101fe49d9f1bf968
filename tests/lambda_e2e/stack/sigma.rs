//! Sigma rules from S3 (`SigmaRulesS3Uri`) on the stack world. A folder: at cold start the
//! function role lists it and reads its rule files, an in-scope rule's detection reaches the
//! teams with its id, title, severity and tags, the rule outside scope is counted in the log, a
//! broken file stops the start naming itself and its line, and the role reads nothing of the
//! bucket outside the folder. One file: the role reads that object and lists nothing.

use std::future::Future;
use std::sync::{Arc, Mutex};

use aws_sdk_s3::primitives::ByteStream;
use serde_json::json;
use tracing::instrument::WithSubscriber;

use super::*;
use crate::world::delivery;

pub(super) const RULES_BUCKET: &str = "example-config-bucket";
pub(super) const FOLDER: &str = "trailwatch/sigma/";
pub(super) const RULE_ID: &str = "5f1c3a8e-2b7d-4e9a-9c61-0d4b7e2f8a13";

/// Fires on the StopLogging record of a `CloudWatch.5` delivery.
pub(super) const STOP_LOGGING: &str = r#"title: A CloudTrail trail stopped logging
id: 5f1c3a8e-2b7d-4e9a-9c61-0d4b7e2f8a13
status: experimental
description: Someone stopped a trail, which hides what happens next.
level: critical
tags:
  - attack.defense-evasion
  - attack.t1562.008
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    eventSource: cloudtrail.amazonaws.com
    eventName: StopLogging
    requestParameters.name|contains: ':trail/'
  condition: selection
"#;

/// A rule of another product: skipped unchecked, counted.
pub(super) const OUTSIDE_SCOPE: &str = r#"title: Windows event log cleared
id: 0c2f9e4b-7a1d-4c3e-8b5f-6d9a2e1f4c70
logsource:
  product: windows
  service: security
detection:
  selection:
    EventID: 1102
  condition: selection
"#;

/// Line 10 names a modifier Sigma does not have.
const BROKEN: &str = r#"title: Broken
id: 7d3e1a5c-9b2f-4e8a-a1c4-3f6b8d0e2a95
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    eventSource: cloudtrail.amazonaws.com
  filter:
    eventName|frobnicate: StopLogging
  condition: selection and not filter
"#;

/// What the tracing events emitted while `work` ran say, as the function would log them.
async fn logged<F: Future>(work: F) -> (F::Output, String) {
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let output = work.with_subscriber(subscriber).await;
    let text = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    (output, text)
}

pub(super) async fn put(world: &StackWorld, key: &str, text: &str) {
    world
        .s3
        .put_object()
        .bucket(RULES_BUCKET)
        .key(key)
        .body(ByteStream::from(text.as_bytes().to_vec()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("putting {key}: {e:?}"));
}

#[tokio::test]
async fn sigma_rules_are_read_from_their_folder_with_the_role_and_nothing_else_of_the_bucket() {
    let uri = format!("s3://{RULES_BUCKET}/{FOLDER}");
    let world = StackWorld::create(&[("SigmaRulesS3Uri", &uri)]).await;
    put(
        &world,
        &format!("{FOLDER}aws/stop_logging.yml"),
        STOP_LOGGING,
    )
    .await;
    put(&world, &format!("{FOLDER}windows.yaml"), OUTSIDE_SCOPE).await;
    put(&world, &format!("{FOLDER}README.md"), "Not a rule file.\n").await;
    put(&world, "trailwatch/other.yml", STOP_LOGGING).await;

    let key = member_key(TEAM_MEMBER, "eu-west-1", "SigmaFromS3Fold1");
    world
        .deliver(&key, delivery(TEAM_MEMBER, "eu-west-1", &["CloudWatch.5"]))
        .await;
    let event = world.invocations().await.pop().unwrap();
    let (function, log) = logged(world.cold_start()).await;
    let function = function.unwrap_or_else(|e| panic!("cold start: {e}\n{log}"));
    assert!(
        log.contains("sigma: skipped 1 rules outside product aws / service cloudtrail"),
        "the rule outside scope is counted in one line: {log}"
    );
    let ready = log
        .lines()
        .find(|l| l.contains("trailwatch is ready."))
        .unwrap_or_else(|| panic!("no ready line: {log}"));
    assert!(
        ready.contains("sigma_rules=1") && ready.contains(&uri),
        "the ready line counts the Sigma rules and names their folder: {ready}"
    );

    let answer = invoke(&function, &event).await;
    assert_eq!(
        answer.as_ref().ok().map(|a| &a["detections"]),
        Some(&json!(2)),
        "the built-in rule and the Sigma rule fire: {answer:?}"
    );
    let rule_id = format!("sigma.{RULE_ID}");
    for team in ["AccountTeamSubscription", "OnCallSubscription"] {
        let delivered = world.team(team).await;
        assert_eq!(
            rule_ids(&delivered),
            ["CloudWatch.5", rule_id.as_str()],
            "{team}"
        );
        let sigma = delivered.iter().find(|d| d.rule_id() == rule_id).unwrap();
        let alert = &sigma.alert;
        assert_eq!(
            (&alert["kind"], &alert["title"], &alert["severity"]),
            (
                &json!("detection"),
                &json!("A CloudTrail trail stopped logging"),
                &json!("critical")
            ),
            "{team}: {alert}"
        );
        assert_eq!(
            alert["tags"],
            json!(["attack.defense-evasion", "attack.t1562.008"]),
            "{team}: the rule's tags, in order"
        );
        assert_eq!(
            (&alert["event_name"], &alert["account_id"]),
            (&json!("StopLogging"), &json!(TEAM_MEMBER)),
            "{team}"
        );
        assert_eq!(
            sigma.attributes.get("rule_id"),
            Some(&rule_id),
            "{team}: subscriptions filter on it"
        );
        assert_eq!(
            sigma.attributes.get("severity").map(String::as_str),
            Some("critical"),
            "{team}"
        );
    }

    // ReadSigmaRules and ListSigmaRules: the folder, nothing beside it.
    let s3 = s3_on(&world.function);
    assert_refused(
        s3.get_object()
            .bucket(RULES_BUCKET)
            .key("trailwatch/other.yml")
            .send()
            .await,
        "the function role reads a rule file outside the folder",
    );
    for prefix in ["trailwatch/", "trailwatch/sigma/aws/", ""] {
        assert_refused(
            s3.list_objects_v2()
                .bucket(RULES_BUCKET)
                .prefix(prefix)
                .send()
                .await,
            &format!("the function role lists {prefix:?} of the rules bucket"),
        );
    }

    // A broken file stops the start, naming itself and its line.
    let broken = format!("{FOLDER}aws/zz_broken.yml");
    put(&world, &broken, BROKEN).await;
    let err = match world.cold_start().await {
        Ok(_) => panic!("a broken rule file must stop the start"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.starts_with(&format!("sigma: s3://{RULES_BUCKET}/{broken}:10: ")),
        "{err}"
    );
}

/// `SigmaRulesS3Uri` naming one file: the role reads that object and lists nothing.
#[tokio::test]
async fn one_sigma_rule_file_is_the_one_object_the_role_reads() {
    let key = format!("{FOLDER}stop_logging.yml");
    let uri = format!("s3://{RULES_BUCKET}/{key}");
    let world = StackWorld::create(&[("SigmaRulesS3Uri", &uri)]).await;
    put(&world, &key, STOP_LOGGING).await;
    put(&world, &format!("{FOLDER}windows.yaml"), OUTSIDE_SCOPE).await;
    let (function, log) = logged(world.cold_start()).await;
    function.unwrap_or_else(|e| panic!("cold start: {e}\n{log}"));
    assert!(
        log.contains("sigma_rules=1") && !log.contains("sigma: skipped"),
        "the one file, not its neighbour: {log}"
    );
    let s3 = s3_on(&world.function);
    assert_refused(
        s3.get_object()
            .bucket(RULES_BUCKET)
            .key(format!("{FOLDER}windows.yaml"))
            .send()
            .await,
        "the function role reads another object of the folder",
    );
    assert_refused(
        s3.list_objects_v2()
            .bucket(RULES_BUCKET)
            .prefix(FOLDER)
            .send()
            .await,
        "the function role lists the folder of its one rule file",
    );
}
