//! Fills a bucket for measuring `trailwatch verify` (scripts/bench-verify.sh): `<logs>` logs of
//! about `<MB>` MB decompressed each (ordinary synthetic records, gzip'd), listed by one signed
//! digest, and the key file that verifies it.
//!
//!     AWS_ENDPOINT_URL=http://127.0.0.1:PORT cargo run --release --example bench_verify_fill -- \
//!         <bucket> <logs> <MB> <key-file-out>
//!
//! It creates the bucket. MB here is 10^6 bytes. Prints the decompressed total in bytes on
//! stdout.

use std::process::ExitCode;

use anyhow::Context as _;
use aws_sdk_s3::config::Credentials;
use trailwatch_synth::digest::{key_file, DigestFile, Listed, SigningKey};
use trailwatch_synth::{delivery_text, digest_key, gzip, log_key};

const USAGE: &str = "usage: bench_verify_fill <bucket> <logs> <MB> <key-file-out>";
const ACCOUNT: &str = "111111111111";
const REGION: &str = "us-east-1";
const DAY: (i32, u32, u32) = (2025, 6, 2);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bucket, logs, mb, keys] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let (Ok(logs), Ok(mb)) = (logs.parse::<usize>(), mb.parse::<f64>()) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    match runtime.block_on(fill(bucket, logs, (mb * 1e6) as usize, keys)) {
        Ok(total) => {
            println!("{total}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench_verify_fill: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn fill(bucket: &str, logs: usize, bytes: usize, keys: &str) -> anyhow::Result<u64> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").context("AWS_ENDPOINT_URL is required")?;
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(trailwatch::aws::http_client())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new(REGION))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "bench"))
        .load()
        .await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket().bucket(bucket).send().await?;
    let signer = SigningKey::generate("fp-bench-verify");
    std::fs::write(keys, key_file(&[&signer])).with_context(|| format!("writing {keys}"))?;

    let mut listed = Vec::with_capacity(logs);
    let mut total = 0u64;
    for i in 0..logs {
        let minute = (i % 60) as u32;
        let key = log_key(
            None,
            None,
            ACCOUNT,
            REGION,
            DAY,
            (9, minute),
            &format!("Bench{i:011}"),
        );
        let text = delivery_text(i as u64 + 1, ACCOUNT, REGION, bytes);
        total += text.len() as u64;
        listed.push(Listed::of(bucket, &key, text.as_bytes()));
        s3.put_object()
            .bucket(bucket)
            .key(&key)
            .body(gzip(text.as_bytes(), 1).into())
            .send()
            .await
            .with_context(|| format!("writing {key}"))?;
    }
    let key = digest_key(None, None, ACCOUNT, REGION, DAY, (10, 10, 5), "bench");
    let signed = DigestFile {
        bucket: bucket.to_owned(),
        key: key.clone(),
        start_time: "2025-06-02T09:10:05Z".to_owned(),
        end_time: "2025-06-02T10:10:05Z".to_owned(),
        previous: None,
        logs: listed,
    }
    .sign(&signer);
    let mut put = s3
        .put_object()
        .bucket(bucket)
        .key(&key)
        .body(signed.gzip.into());
    for (name, value) in &signed.metadata {
        put = put.metadata(name, value);
    }
    put.send().await.with_context(|| format!("writing {key}"))?;
    Ok(total)
}
