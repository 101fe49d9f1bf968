//! The stack world: infra/template.yaml itself, transformed by the real SAM translator
//! (`infra/tests/render.py`), created on moto's CloudFormation (`stack_world.py` creates it
//! and applies what moto does not model), and the function run with the credentials of the
//! stack's own function role, obtained through STS AssumeRole, while moto enforces IAM
//! (`moto_aws.py`: moto with its authorisation corrected where it departs from AWS).
//!
//! So a permission the code needs and the role lacks fails a test here, as it would fail in
//! the account; a permission the role has and should not have fails one of the
//! least-privilege tests (`permissions`).
//!
//! The stack's account is moto's default, `123456789012`, in us-east-1; the member accounts
//! `111111111111` and `222222222222` (the account team's) deliver; the vendor is
//! `555555555555`. moto cannot act as CloudTrail's service principal, so deliveries are
//! written by `operator`, an administrator of the stack's account, the way CloudTrail writes
//! them (PutObject with `x-amz-acl: bucket-owner-full-control`).

mod batch;
mod binary;
mod integrity;
mod names;
mod options;
mod permissions;
mod scenarios;
mod sigma;

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::{Credentials, ProvideCredentials};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use serde_json::Value;
use trailwatch::config::LambdaConfig;
use trailwatch::function::{ColdStartError, Function};
use trailwatch::handler::InvocationError;
use trailwatch_synth::log_key;

use crate::moto::{moto_python, Moto};
use crate::world::{parse_message, Delivered, DAY};

pub const BUCKET: &str = "example-ct-logs";
/// A member account whose alerts only the security team and on-call see.
pub const MEMBER: &str = "111111111111";
/// The member account of `AccountTeamAccountIds`.
pub const TEAM_MEMBER: &str = "222222222222";
pub const VENDOR: &str = "555555555555";
pub const EXTERNAL_ID: &str = "vendor-issued-7f3a";

/// The parameters every stack world is deployed with: two member accounts, all three example
/// subscriptions, the vendor role; `extra` adds or overrides.
pub fn parameters(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let members = format!("{MEMBER},{TEAM_MEMBER}");
    let base = [
        ("BucketName", BUCKET),
        ("MemberAccountIds", members.as_str()),
        ("SecurityTeamEmail", "security@example.com"),
        ("AccountTeamEmail", "dev-team@example.com"),
        ("AccountTeamAccountIds", TEAM_MEMBER),
        ("OnCallEmail", "on-call@example.com"),
        ("VendorAccountId", VENDOR),
        ("VendorExternalId", EXTERNAL_ID),
    ];
    let mut all: BTreeMap<String, String> = base
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (k, v) in extra {
        all.insert(k.to_string(), v.to_string());
    }
    all.into_iter().collect()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `cfn-lint` virtualenv (aws-sam-translator, cloud-radar), or a failure saying how to get it.
fn sam_python() -> PathBuf {
    let path = repo().join(".venv/cfn-lint/bin/python");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/e2e-setup.sh (or infra/check.sh) to build the virtualenv with \
         aws-sam-translator and cloud-radar that renders the stack",
        path.display()
    );
    path
}

/// Runs `command` with `stdin`, returning its stdout; fails the test with its stderr.
fn run(mut command: Command, what: &str, stdin: &[u8]) -> Vec<u8> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {what}: {e}"));
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Parameter sets already rendered, and `render.py`'s answer for each.
type Renders = Mutex<HashMap<Vec<(String, String)>, Vec<u8>>>;

/// `render.py`'s answer for these parameters, rendered once per test binary.
fn rendered(parameters: &[(String, String)]) -> Vec<u8> {
    static CACHE: OnceLock<Renders> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().unwrap().get(parameters) {
        return hit.clone();
    }
    let mut command = Command::new(sam_python());
    command
        .arg(repo().join("infra/tests/render.py"))
        .args(["--region", "us-east-1"])
        .args(parameters.iter().map(|(k, v)| format!("{k}={v}")));
    let out = run(command, "infra/tests/render.py", b"");
    cache
        .lock()
        .unwrap()
        .insert(parameters.to_vec(), out.clone());
    out
}

/// SDK configuration for the world's endpoint with these credentials.
pub async fn sdk_as(endpoint: &str, credentials: Credentials) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(trailwatch::aws::http_client())
        .timeout_config(trailwatch::aws::timeouts())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials)
        .load()
        .await
}

/// An S3 client on `sdk`, addressing buckets by path as the function does behind an endpoint.
pub fn s3_on(sdk: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    )
}

/// How a call the stack's policies must refuse was answered: its error code, read from the
/// answer's body when the SDK cannot (moto answers SQS's JSON protocol and SNS's query protocol
/// with IAM's XML error, which those SDKs do not decode); a failure naming `what` if it
/// succeeded or failed otherwise than with 403.
pub fn refusal<T, E: ProvideErrorMetadata + std::fmt::Debug>(
    result: Result<T, SdkError<E, HttpResponse>>,
    what: &str,
) -> String {
    let err = match result {
        Ok(_) => panic!("{what} succeeded; the stack's policies should refuse it"),
        Err(e) => e,
    };
    let Some(raw) = err.raw_response() else {
        panic!("{what} failed without an answer: {err:?}");
    };
    let status = raw.status().as_u16();
    let body = raw
        .body()
        .bytes()
        .map(String::from_utf8_lossy)
        .unwrap_or_default()
        .to_string();
    let code = err.code().map(String::from).or_else(|| {
        let start = body.find("<Code>")? + "<Code>".len();
        Some(body[start..].split('<').next()?.to_string())
    });
    assert_eq!(
        status, 403,
        "{what}: not refused but {status} {code:?}: {body}"
    );
    code.unwrap_or_else(|| format!("HTTP {status}"))
}

/// Asserts that `result` is AWS's answer to a call no policy allows (S3 and SQS answer
/// `AccessDenied`, SNS `AuthorizationError`, which moto also answers `AccessDenied`).
pub fn assert_refused<T, E: ProvideErrorMetadata + std::fmt::Debug>(
    result: Result<T, SdkError<E, HttpResponse>>,
    what: &str,
) {
    let code = refusal(result, what);
    assert!(
        ["AccessDenied", "AuthorizationError"].contains(&code.as_str()),
        "{what}: refused with {code}, not for lack of permission"
    );
}

/// Assumes `role_arn` through STS with `sdk`'s credentials; `None` and the error's text if STS
/// refuses.
pub async fn assume(
    sdk: &SdkConfig,
    role_arn: &str,
    session: &str,
    external_id: Option<&str>,
) -> Result<Credentials, String> {
    let mut builder = AssumeRoleProvider::builder(role_arn).session_name(session);
    if let Some(id) = external_id {
        builder = builder.external_id(id);
    }
    let provider = builder.configure(sdk).build().await;
    provider
        .provide_credentials()
        .await
        .map_err(|e| format!("{e:?}"))
}

/// A stack created from the template, its identities and the function wired to its role.
pub struct StackWorld {
    moto: Moto,
    /// What `stack_world.py` printed: names, rendered resources, teams, environment, keys.
    pub world: Value,
    /// The stack account's administrator: writes deliveries, reads the teams' queues.
    pub operator: SdkConfig,
    /// The function role's session, as Lambda would hand it to the function.
    pub function: SdkConfig,
    /// The backfill role's session, as S3 Batch Operations would use it (`BackfillBucketName`).
    pub backfill: Option<SdkConfig>,
    pub s3: aws_sdk_s3::Client,
    pub sqs: aws_sdk_sqs::Client,
    /// The function's configuration, read from its environment as moto's Lambda holds it.
    pub config: LambdaConfig,
}

impl StackWorld {
    /// Creates the stack for [`parameters`]`(extra)`, assumes the function role, then turns
    /// moto's IAM enforcement on.
    pub async fn create(extra: &[(&str, &str)]) -> StackWorld {
        StackWorld::create_on(Moto::start_stack_world(), parameters(extra)).await
    }

    /// [`StackWorld::create`] with `TrailKmsKeyArn` set to a key created first (its ARN is
    /// known only once moto made it). Returns that key's ARN and another key's, which the
    /// stack was not told about.
    pub async fn create_with_trail_key(extra: &[(&str, &str)]) -> (StackWorld, String, String) {
        let moto = Moto::start_stack_world();
        let create_key = || {
            let mut command = Command::new(moto_python());
            command
                .arg(repo().join("tests/lambda_e2e/stack_world.py"))
                .args([moto.endpoint.as_str(), "--create-key"]);
            let out = run(command, "stack_world.py --create-key", b"");
            String::from_utf8(out).unwrap().trim().to_string()
        };
        let (key, other) = (create_key(), create_key());
        let mut extra = extra.to_vec();
        extra.push(("TrailKmsKeyArn", &key));
        let world = StackWorld::create_on(moto, parameters(&extra)).await;
        (world, key, other)
    }

    async fn create_on(moto: Moto, parameters: Vec<(String, String)>) -> StackWorld {
        let rendered = rendered(&parameters);
        let mut command = Command::new(moto_python());
        command
            .arg(repo().join("tests/lambda_e2e/stack_world.py"))
            .arg(&moto.endpoint)
            .args(parameters.iter().map(|(k, v)| format!("{k}={v}")));
        let world: Value =
            serde_json::from_slice(&run(command, "tests/lambda_e2e/stack_world.py", &rendered))
                .unwrap();

        // Lambda assumes the role as its service principal, which moto cannot authenticate:
        // the session is taken before enforcement starts.
        let anyone = sdk_as(
            &moto.endpoint,
            Credentials::new("testing", "testing", None, None, "setup"),
        )
        .await;
        let role = world["function_role_arn"].as_str().unwrap();
        let session = assume(&anyone, role, "trailwatch-function", None)
            .await
            .unwrap();
        let function = sdk_as(&moto.endpoint, session).await;
        // Likewise the role S3 Batch Operations assumes for a backfill, if the stack has one.
        let mut backfill = None;
        if let Some(role) = world["names"]["BackfillRole.Arn"].as_str() {
            let session = assume(&anyone, role, "s3-batch-operations", None)
                .await
                .unwrap();
            backfill = Some(sdk_as(&moto.endpoint, session).await);
        }
        let operator = sdk_as(&moto.endpoint, keys(&world["operator"], "operator")).await;
        enforce_iam(&moto.endpoint);

        let environment: HashMap<String, String> =
            serde_json::from_value(world["environment"].clone()).unwrap();
        let config = LambdaConfig::from_lookup(|name| environment.get(name).cloned())
            .expect("the stack's function environment is a valid configuration");
        StackWorld {
            s3: s3_on(&operator),
            sqs: aws_sdk_sqs::Client::new(&operator),
            moto,
            world,
            operator,
            function,
            backfill,
            config,
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.moto.endpoint
    }

    /// What CloudFormation (moto) created for `logical` (`Logical` or `Logical.Attribute`).
    pub fn name(&self, logical: &str) -> &str {
        self.world["names"][logical]
            .as_str()
            .unwrap_or_else(|| panic!("the stack created no {logical}"))
    }

    /// The rendered properties of `logical`, names substituted.
    pub fn resource(&self, logical: &str) -> &Value {
        &self.world["resources"][logical]
    }

    /// The statements of the role `logical`'s inline policy `name` as IAM enforces them (put
    /// again by `stack_world.py`, `AWS::NoValue` items dropped), by `Sid`.
    pub fn role_statements(&self, logical: &str, name: &str) -> BTreeMap<String, Value> {
        let statements = self.world["role_policies"][logical][name]["Statement"]
            .as_array()
            .unwrap_or_else(|| panic!("the stack's {logical} has no inline policy {name}"));
        statements
            .iter()
            .map(|s| (s["Sid"].as_str().unwrap_or_default().to_string(), s.clone()))
            .collect()
    }

    /// Writes a signed digest as CloudTrail does: the gzip'd JSON with its `signature` and
    /// `signature-algorithm` user metadata, `bucket-owner-full-control`; returns the version id.
    pub async fn deliver_digest(
        &self,
        key: &str,
        signed: &trailwatch_synth::digest::Signed,
    ) -> String {
        self.put_delivery(key, signed.gzip.clone(), None, &signed.metadata)
            .await
    }

    /// Writes a delivery as CloudTrail does; returns the new version's id.
    pub async fn deliver(&self, key: &str, body: Vec<u8>) -> String {
        self.deliver_encrypted(key, body, None).await
    }

    /// [`StackWorld::deliver`] as an SSE-KMS trail does with `kms_key` (an ARN), if given.
    pub async fn deliver_encrypted(
        &self,
        key: &str,
        body: Vec<u8>,
        kms_key: Option<&str>,
    ) -> String {
        self.put_delivery(key, body, kms_key, &BTreeMap::new())
            .await
    }

    /// PutObject as CloudTrail writes: `bucket-owner-full-control`, SSE-KMS with `kms_key` if
    /// given, user `metadata`; returns the new version's id.
    async fn put_delivery(
        &self,
        key: &str,
        body: Vec<u8>,
        kms_key: Option<&str>,
        metadata: &BTreeMap<String, String>,
    ) -> String {
        let mut put = self
            .s3
            .put_object()
            .bucket(BUCKET)
            .key(key)
            .acl(aws_sdk_s3::types::ObjectCannedAcl::BucketOwnerFullControl)
            .body(body.into());
        if let Some(arn) = kms_key {
            put = put
                .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
                .ssekms_key_id(arn);
        }
        for (name, value) in metadata {
            put = put.metadata(name, value);
        }
        let out = put
            .send()
            .await
            .unwrap_or_else(|e| panic!("delivering {key}: {e:?}"));
        out.version_id()
            .expect("the stack's bucket is versioned: a delivery gets a version id")
            .to_string()
    }

    /// The cold start `bootstrap` runs, with the role's session instead of Lambda's.
    pub async fn cold_start(&self) -> Result<Function, ColdStartError> {
        Function::cold_start(&self.config, &self.function).await
    }

    /// Runs the handler in-process on `event` as the deployed function would: its
    /// environment, its role's session.
    pub async fn run(&self, event: &Value) -> Result<Value, InvocationError> {
        let function = self
            .cold_start()
            .await
            .expect("the stack's configuration starts the function");
        invoke(&function, event).await
    }

    /// The asynchronous invocations S3 asked of Lambda since the last call (`moto_aws.py`
    /// hands them over instead of running the function), each checked to name the stack's
    /// function; their payloads.
    pub async fn invocations(&self) -> Vec<Value> {
        let url = self.world["invocations_queue_url"].as_str().unwrap();
        let function = self.name("Function.Arn").to_string();
        self.drain_raw(url)
            .await
            .into_iter()
            .map(|body| {
                let mut invocation: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(invocation["FunctionArn"], function.as_str());
                invocation["Payload"].take()
            })
            .collect()
    }

    /// What the team of the example subscription `logical` received since the last call.
    pub async fn team(&self, logical: &str) -> Vec<Delivered> {
        let url = self.world["teams"][logical]["queue_url"]
            .as_str()
            .unwrap_or_else(|| panic!("no team queue for {logical}"));
        let mut delivered = Vec::new();
        for message in self.drain(url).await {
            delivered.push(parse_message(&message));
        }
        delivered
    }

    async fn drain_raw(&self, url: &str) -> Vec<String> {
        self.drain(url)
            .await
            .iter()
            .map(|m| m.body().unwrap().to_string())
            .collect()
    }

    /// Every message now visible in the queue at `url`, deleted, as the operator.
    pub async fn drain(&self, url: &str) -> Vec<aws_sdk_sqs::types::Message> {
        let mut all = Vec::new();
        loop {
            let out = self
                .sqs
                .receive_message()
                .queue_url(url)
                .max_number_of_messages(10)
                .message_attribute_names("All")
                .send()
                .await
                .unwrap();
            if out.messages().is_empty() {
                return all;
            }
            for message in out.messages() {
                self.sqs
                    .delete_message()
                    .queue_url(url)
                    .receipt_handle(message.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
                all.push(message.clone());
            }
        }
    }
}

fn keys(value: &Value, who: &'static str) -> Credentials {
    Credentials::new(
        value["access_key_id"].as_str().unwrap(),
        value["secret_access_key"].as_str().unwrap(),
        None,
        None,
        who,
    )
}

/// Turns moto's IAM enforcement on from the next request (`/moto-api/reset-auth` with 0).
fn enforce_iam(endpoint: &str) {
    let address = endpoint.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST /moto-api/reset-auth HTTP/1.1\r\nHost: {address}\r\nContent-Type: text/plain\r\n\
         Content-Length: 1\r\nConnection: close\r\n\r\n0"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "reset-auth: {answer}");
}

/// One invocation of `function` on `event`, with two minutes to go.
pub async fn invoke(function: &Function, event: &Value) -> Result<Value, InvocationError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    function
        .invoke(event, trailwatch::integrity::Deadline::at(deadline))
        .await
}

/// A member's key at 09:05 of the scenario's day (`suffix`: 16 letters or digits).
pub fn member_key(account: &str, region: &str, suffix: &str) -> String {
    log_key(None, None, account, region, DAY, (9, 5), suffix)
}

/// The rule ids of `delivered`, sorted.
pub fn rule_ids(delivered: &[Delivered]) -> Vec<String> {
    let mut ids: Vec<String> = delivered.iter().map(|d| d.rule_id().to_string()).collect();
    ids.sort();
    ids
}
