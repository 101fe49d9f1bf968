//! The scenario of the CloudTrail sharing guide, on a fresh moto server: the log archive's
//! bucket `example-ct-logs`, Production and Dev delivering into it, one SNS topic, the security
//! team's queue (everything) and the Dev team's queue (a filter policy on `account_id`).
//!
//! The emulator reports every writer as the bucket owner, so the bucket owner is configured as
//! a separate canonical id (the log archive's): a delivery written with a FULL_CONTROL grant to
//! it is what `bucket-owner-full-control` produces across accounts, one written with the
//! writer's private ACL is the violation.

use std::collections::BTreeMap;
use std::path::PathBuf;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::config::Credentials;
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::Value;
use trailwatch::aws::{S3Source, SnsSink};
use trailwatch::config::{parse_accounts, Settings};
use trailwatch::handler::{handle, InvocationError};
use trailwatch::pipeline::Pipeline;
use trailwatch::rules::effective_rules;
use trailwatch_synth::{cis_hit, delivery_of, gzip, log_key, Synth};

use crate::moto::Moto;

pub const BUCKET: &str = "example-ct-logs";
pub const PRODUCTION: &str = "123456789012";
pub const DEV: &str = "999988887777";
pub const STRANGER: &str = "444455556666";
/// The log archive account's canonical id, which every delivery must grant FULL_CONTROL.
pub const BUCKET_OWNER: &str = "0a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223242526272829";
pub const DAY: (i32, u32, u32) = (2025, 3, 14);

/// A Production key at 09:05 in us-east-1 (`suffix`: 16 letters or digits).
pub fn prod_key(suffix: &str) -> String {
    log_key(None, None, PRODUCTION, "us-east-1", DAY, (9, 5), suffix)
}

/// A Dev key at 09:10 in eu-west-1.
pub fn dev_key(suffix: &str) -> String {
    log_key(None, None, DEV, "eu-west-1", DAY, (9, 10), suffix)
}

/// A key in the folder of an account nobody expects, at 09:15 in us-east-1.
pub fn stranger_key() -> String {
    log_key(
        None,
        None,
        STRANGER,
        "us-east-1",
        DAY,
        (9, 15),
        "StrangerStranger",
    )
}

/// The keys the fixtures in `events/` name.
pub fn fixture_prod_key() -> String {
    prod_key("Pr0dAbCdEfGh1234")
}

pub fn fixture_dev_key() -> String {
    dev_key("DevXyZ0987654321")
}

/// A fixture from `events/`.
pub fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("events")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// A gzip'd delivery for `account` in `region`: a few ordinary records that fire nothing, and
/// one hit per control.
pub fn delivery(account: &str, region: &str, controls: &[&str]) -> Vec<u8> {
    let mut synth = Synth::with_error_rate(7, 0);
    let mut records: Vec<Value> = (0..5).map(|_| synth.record(account, region, DAY)).collect();
    for (i, control) in controls.iter().enumerate() {
        let time = format!("2025-03-14T09:0{i}:30Z");
        records.push(cis_hit(control, account, region, &time).unwrap());
    }
    gzip(delivery_of(&records).as_bytes(), 1)
}

/// How a delivery was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acl {
    /// With FULL_CONTROL for the bucket owner.
    BucketOwnerFullControl,
    /// With the writer's own private ACL.
    Private,
}

/// One message read from a team's queue.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// The alert JSON.
    pub alert: Value,
    /// The SNS subject (only the non-raw subscription sees it).
    pub subject: Option<String>,
    /// The SNS message attributes, by name.
    pub attributes: BTreeMap<String, String>,
}

impl Delivered {
    pub fn rule_id(&self) -> &str {
        self.alert["rule_id"].as_str().unwrap()
    }
}

/// The scenario's resources and clients.
pub struct World {
    pub moto: Moto,
    pub sdk: SdkConfig,
    pub s3: aws_sdk_s3::Client,
    pub sns: aws_sdk_sns::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub topic_arn: String,
    /// The security team's queue (everything, SNS envelope).
    pub security: String,
    /// The Dev team's queue (Dev's alerts only, raw delivery).
    pub dev: String,
}

/// SDK configuration for a moto endpoint: dummy credentials, us-east-1, and the function's own
/// timeouts and (default) retry policy.
pub async fn sdk_for(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(trailwatch::aws::http_client())
        .timeout_config(trailwatch::aws::timeouts())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "e2e"))
        .load()
        .await
}

impl World {
    pub async fn new() -> World {
        let moto = Moto::start();
        let sdk = sdk_for(&moto.endpoint).await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(true)
                .build(),
        );
        let sns = aws_sdk_sns::Client::new(&sdk);
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        s3.create_bucket().bucket(BUCKET).send().await.unwrap();
        let topic_arn = sns
            .create_topic()
            .name("trailwatch-alerts")
            .send()
            .await
            .unwrap()
            .topic_arn()
            .unwrap()
            .to_string();
        let mut world = World {
            moto,
            sdk,
            s3,
            sns,
            sqs,
            topic_arn,
            security: String::new(),
            dev: String::new(),
        };
        world.security = world.subscribe_queue("security-all", false, None).await;
        let dev_only = format!(r#"{{"account_id": ["{DEV}"]}}"#);
        world.dev = world
            .subscribe_queue("dev-team", true, Some(&dev_only))
            .await;
        world
    }

    /// Creates the queue `name` with `attributes` and returns its URL.
    pub async fn create_queue(
        &self,
        name: &str,
        attributes: &[(QueueAttributeName, &str)],
    ) -> String {
        let mut create = self.sqs.create_queue().queue_name(name);
        for (attribute, value) in attributes {
            create = create.attributes(attribute.clone(), *value);
        }
        create
            .send()
            .await
            .unwrap()
            .queue_url()
            .unwrap()
            .to_string()
    }

    /// The ARN of the queue at `url`.
    pub async fn queue_arn(&self, url: &str) -> String {
        self.sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap()
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
            .unwrap()
    }

    async fn subscribe_queue(&self, name: &str, raw: bool, filter: Option<&str>) -> String {
        let url = self.create_queue(name, &[]).await;
        let arn = self.queue_arn(&url).await;
        let mut subscribe = self
            .sns
            .subscribe()
            .topic_arn(&self.topic_arn)
            .protocol("sqs")
            .endpoint(arn)
            .attributes("RawMessageDelivery", raw.to_string());
        if let Some(policy) = filter {
            subscribe = subscribe.attributes("FilterPolicy", policy);
        }
        subscribe.send().await.unwrap();
        url
    }

    /// Writes a delivery into the bucket.
    pub async fn put(&self, key: &str, body: Vec<u8>, acl: Acl) {
        put_object(self.s3.clone(), key.to_string(), body, acl).await;
    }

    /// The settings of the scenario: Production and Dev expected.
    pub fn settings() -> Settings {
        Settings {
            expected_accounts: Some(parse_accounts("e2e", &format!("{PRODUCTION},{DEV}")).unwrap()),
            ..Settings::default()
        }
    }

    /// Production's delivery fires CloudWatch.5 (StopLogging); Dev's fires CloudWatch.4 and
    /// CloudWatch.1. The fixtures in `events/` name both.
    pub async fn deliver_prod_and_dev(&self) {
        self.put(
            &fixture_prod_key(),
            delivery(PRODUCTION, "us-east-1", &["CloudWatch.5"]),
            Acl::BucketOwnerFullControl,
        )
        .await;
        self.put(
            &fixture_dev_key(),
            delivery(DEV, "eu-west-1", &["CloudWatch.4", "CloudWatch.1"]),
            Acl::BucketOwnerFullControl,
        )
        .await;
    }

    /// Runs the handler in-process on `event`, as one invocation.
    pub async fn invoke(&self, event: &Value) -> Result<Value, InvocationError> {
        self.invoke_through(&self.sdk, event).await
    }

    /// [`World::invoke`] with the function's clients built from `sdk` (e.g. through a proxy).
    pub async fn invoke_through(
        &self,
        sdk: &SdkConfig,
        event: &Value,
    ) -> Result<Value, InvocationError> {
        let pipeline = Pipeline::new(World::settings(), &effective_rules(None).unwrap()).unwrap();
        let sink = SnsSink::new(aws_sdk_sns::Client::new(sdk), &self.topic_arn);
        let source = source_from(sdk);
        let keys = trailwatch::integrity::FileKeys::empty();
        let ports = trailwatch::handler::Ports {
            source: &source,
            keys: &keys,
            sink: &sink,
        };
        handle(
            &pipeline,
            &ports,
            event,
            trailwatch::integrity::Deadline::NONE,
            &mut trailwatch::metrics::Tally::new(None),
        )
        .await
    }

    /// Every message now in `queue` (moto delivers during the publish call), parsed.
    pub async fn drain(&self, queue: &str) -> Vec<Delivered> {
        let mut delivered = Vec::new();
        loop {
            let out = self
                .sqs
                .receive_message()
                .queue_url(queue)
                .max_number_of_messages(10)
                .message_attribute_names("All")
                .wait_time_seconds(0)
                .send()
                .await
                .unwrap();
            let messages = out.messages();
            if messages.is_empty() {
                return delivered;
            }
            for message in messages {
                delivered.push(parse_message(message));
                self.sqs
                    .delete_message()
                    .queue_url(queue)
                    .receipt_handle(message.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
    }
}

/// Writes a delivery into the bucket with `s3` (owned, so the write can run on its own task).
pub async fn put_object(s3: aws_sdk_s3::Client, key: String, body: Vec<u8>, acl: Acl) {
    let put = s3.put_object().bucket(BUCKET).key(key).body(body.into());
    let put = match acl {
        Acl::BucketOwnerFullControl => put.grant_full_control(format!("id={BUCKET_OWNER}")),
        Acl::Private => put.acl(aws_sdk_s3::types::ObjectCannedAcl::Private),
    };
    put.send().await.unwrap();
}

/// The S3 source cold start builds, on `sdk`.
fn source_from(sdk: &SdkConfig) -> S3Source {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    );
    S3Source::new(s3, Settings::default().limits.max_compressed_bytes)
        .with_bucket_owner_id(Some(BUCKET_OWNER.to_string()))
}

/// A queue message: an SNS envelope (subject and attributes inside) or, with raw delivery, the
/// alert itself with the attributes as SQS message attributes.
pub fn parse_message(message: &aws_sdk_sqs::types::Message) -> Delivered {
    let body: Value = serde_json::from_str(message.body().unwrap()).unwrap();
    if body.get("Type").and_then(Value::as_str) == Some("Notification") {
        let attributes = body["MessageAttributes"]
            .as_object()
            .map(|a| {
                a.iter()
                    .map(|(name, v)| {
                        assert_eq!(v["Type"], "String", "attribute {name}");
                        (name.clone(), v["Value"].as_str().unwrap().to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
        Delivered {
            alert: serde_json::from_str(body["Message"].as_str().unwrap()).unwrap(),
            subject: body["Subject"].as_str().map(String::from),
            attributes,
        }
    } else {
        let attributes = message
            .message_attributes()
            .map(|a| {
                a.iter()
                    .map(|(name, v)| (name.clone(), v.string_value().unwrap().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        Delivered {
            alert: body,
            subject: None,
            attributes,
        }
    }
}
