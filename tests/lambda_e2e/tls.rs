//! TLS, which every call to AWS goes through and which the tests on plain-HTTP moto never
//! reach: moto serves HTTPS with a certificate from a CA made for the test, and the real
//! binaries (`trailwatch`, the x86 `bootstrap` and the arm64 artifact under qemu) read S3
//! through it when `SSL_CERT_FILE` names that CA, and refuse the same server when it does not.
//! This is the HTTPS client of `trailwatch::aws::http_client` (rustls on `ring`) end to end:
//! the handshake, the certificate chain and host name checks, and the record protection.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_s3::config::Credentials;
use aws_sdk_s3::types::ObjectCannedAcl;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider, TlsContext, TrustStore};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
};

use crate::bootstrap::{stopped_at_cold_start, Artifact};
use crate::moto::Moto;
use crate::world::{delivery, fixture_prod_key, BUCKET, PRODUCTION};

const RULES_KEY: &str = "config/rules.toml";

/// A rules file whose only fault is in its pattern: a cold start that reports it has read the
/// file, over TLS, to its last byte.
const BROKEN_RULES: &str = "[[rules]]\nid = \"tls.check\"\ntitle = \"t\"\nseverity = \"high\"\npattern = '{ $.eventName = }'\n";

/// A CA of the test's own and a certificate it issued for `localhost`, as PEM files.
struct Pki {
    dir: tempfile::TempDir,
}

/// A self-signed CA named `name`.
fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

impl Pki {
    fn new() -> Pki {
        let ca = ca("trailwatch test CA");
        let server_key = KeyPair::generate().unwrap();
        let server = CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .signed_by(&server_key, &ca)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
        std::fs::write(dir.path().join("server.pem"), server.pem()).unwrap();
        std::fs::write(dir.path().join("server.key"), server_key.serialize_pem()).unwrap();
        Pki { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// moto on HTTPS, with a bucket holding Production's delivery (a CloudWatch.5 hit) and a
/// broken rules file, written by an S3 client that trusts the test's CA and nothing else.
async fn tls_world(pki: &Pki) -> Moto {
    let moto = Moto::start_tls(&pki.path("server.pem"), &pki.path("server.key"));
    let ca = std::fs::read(pki.path("ca.pem")).unwrap();
    let trust = TlsContext::builder()
        .with_trust_store(TrustStore::empty().with_pem_certificate(ca))
        .build()
        .unwrap();
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .tls_context(trust)
        .build_https();
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .endpoint_url(&moto.endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tls"))
        .load()
        .await;
    let s3 = crate::stack::s3_on(&sdk);
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
    let objects = [
        (
            fixture_prod_key(),
            delivery(PRODUCTION, "us-east-1", &["CloudWatch.5"]),
        ),
        (RULES_KEY.to_owned(), BROKEN_RULES.as_bytes().to_vec()),
    ];
    for (key, body) in objects {
        s3.put_object()
            .bucket(BUCKET)
            .key(key)
            .acl(ObjectCannedAcl::BucketOwnerFullControl)
            .body(body.into())
            .send()
            .await
            .unwrap();
    }
    moto
}

/// What a binary needs to reach `moto`, trusting the certificates in `trusted` only.
fn aws_env(moto: &Moto, trusted: &Path) -> Vec<(String, String)> {
    [
        ("PATH", std::env::var("PATH").unwrap_or_default().as_str()),
        ("AWS_ENDPOINT_URL", moto.endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
        ("SSL_CERT_FILE", &trusted.display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// A PEM file of one CA that issued nothing moto presents: trusting it, no server is trusted.
fn stranger_ca(dir: &Path) -> PathBuf {
    let path = dir.join("stranger.pem");
    std::fs::write(&path, ca("a CA that issued nothing here").pem()).unwrap();
    path
}

#[tokio::test]
async fn the_cli_reads_s3_over_tls_and_refuses_a_server_it_does_not_trust() {
    let pki = Pki::new();
    let moto = tls_world(&pki).await;
    let replay = |trusted: &Path| {
        Command::new(env!("CARGO_BIN_EXE_trailwatch"))
            .args(["replay", &format!("s3://{BUCKET}/AWSLogs/")])
            .env_clear()
            .envs(aws_env(&moto, trusted))
            .stdin(Stdio::null())
            .output()
            .expect("running trailwatch")
    };

    let out = replay(&pki.path("ca.pem"));
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let rules: Vec<String> = stdout
        .lines()
        .map(|line| {
            let alert: serde_json::Value = serde_json::from_str(line).unwrap();
            alert["rule_id"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    assert_eq!(rules, ["CloudWatch.5"], "{stdout}\n{stderr}");

    let refused = replay(&stranger_ca(pki.dir.path()));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(refused.stdout.is_empty());
    assert!(stderr.contains("UnknownIssuer"), "{stderr}");
}

/// The `bootstrap` of `artifact` at cold start reads its rules from S3 over TLS: with the CA
/// trusted it gets the file and refuses its pattern; with a stranger CA it cannot connect.
fn bootstrap_reads_its_rules_over_tls(artifact: &Artifact, moto: &Moto, pki: &Pki) {
    let cold_start = |trusted: &Path| {
        let mut env = aws_env(moto, trusted);
        let rules = format!("s3://{BUCKET}/{RULES_KEY}");
        env.extend(
            [
                ("AWS_LAMBDA_FUNCTION_NAME", "_"),
                ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024"),
                ("AWS_LAMBDA_FUNCTION_VERSION", "1"),
                (
                    "TRAILWATCH_TOPIC_ARN",
                    "arn:aws:sns:us-east-1:123456789012:alerts",
                ),
                ("TRAILWATCH_RULES", rules.as_str()),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
        // qemu runs the arm64 handshake slowly; a minute is far beyond it.
        stopped_at_cold_start(artifact, &env, pki.dir.path(), Duration::from_secs(60))
    };

    let read = cold_start(&pki.path("ca.pem"));
    assert!(
        read.contains("tls.check") && read.contains("pattern"),
        "the rules were not read: {read}"
    );
    assert!(!read.contains("UnknownIssuer"), "{read}");
    let refused = cold_start(&stranger_ca(pki.dir.path()));
    assert!(refused.contains("UnknownIssuer"), "{refused}");
    assert!(!refused.contains("tls.check"), "{refused}");
}

#[tokio::test]
async fn bootstrap_reads_s3_over_tls() {
    let pki = Pki::new();
    let moto = tls_world(&pki).await;
    bootstrap_reads_its_rules_over_tls(&Artifact::Native, &moto, &pki);
}

/// ring's arm64 code (the handshake's ECDSA and key exchange, AES-GCM) in the artifact that
/// ships, under qemu.
#[tokio::test]
async fn arm64_artifact_reads_s3_over_tls_under_qemu() {
    let pki = Pki::new();
    let moto = tls_world(&pki).await;
    bootstrap_reads_its_rules_over_tls(&Artifact::arm64(), &moto, &pki);
}
