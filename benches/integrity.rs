//! Verifying one digest hour: 12 logs of ~2 MB each (a busy region's hour, one log every five
//! minutes) against decompressing them alone, in the same process. Hashing a log (first
//! member through SHA-256) must cost at most 1.2× decompressing it; the whole check of the
//! digest (read, signature, chain, every log) is reported beside it, with logs/s and MB/s.

#[path = "support/timing.rs"]
mod timing;

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::time::Duration;

use criterion::{Criterion, Throughput};
use flate2::bufread::GzDecoder;
use timing::median_secs;
use trailwatch::acl::ObjectAcl;
use trailwatch::config::Settings;
use trailwatch::date::Date;
use trailwatch::digest::keys::PublicKey;
use trailwatch::digest::member::{read_first_member, MemberLimits};
use trailwatch::integrity::{verify_digest, Deadline, FileKeys};
use trailwatch::key::LogKey;
use trailwatch::ports::{Metadata, ObjectRef, ObjectSource, Opened, SourceError, SourceErrorKind};
use trailwatch_synth::digest::{DigestFile, Link, Listed, SigningKey};

const BUCKET: &str = "bench-trail-bucket";
const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
const DAY: (i32, u32, u32) = (2025, 6, 2);
const LOGS: u32 = 12;
const LOG_BYTES: usize = 2 << 20;

/// Objects in memory with their metadata: the bench's stand-in for S3.
#[derive(Default)]
struct Bucket {
    objects: BTreeMap<String, (Vec<u8>, Metadata)>,
}

impl ObjectSource for Bucket {
    type Body = Cursor<Vec<u8>>;

    async fn open(&self, object: &ObjectRef) -> Result<Opened<Self::Body>, SourceError> {
        let (bytes, metadata) = self.find(object)?;
        Ok(Opened {
            body: Cursor::new(bytes.clone()),
            metadata: Some(metadata.clone()),
        })
    }

    async fn head(&self, object: &ObjectRef) -> Result<Option<Metadata>, SourceError> {
        Ok(Some(self.find(object)?.1.clone()))
    }

    async fn acl(&self, _: &ObjectRef) -> Result<Option<(ObjectAcl, String)>, SourceError> {
        Ok(None)
    }

    async fn list(&self, _: &str, _: &str) -> Result<Vec<ObjectRef>, SourceError> {
        Ok(Vec::new())
    }

    async fn folders(&self, _: &str, _: &str) -> Result<Vec<String>, SourceError> {
        Ok(Vec::new())
    }
}

impl Bucket {
    fn find(&self, object: &ObjectRef) -> Result<&(Vec<u8>, Metadata), SourceError> {
        self.objects
            .get(&object.key)
            .ok_or_else(|| SourceError::new(SourceErrorKind::NotFound, object.key.clone()))
    }
}

struct Hour {
    bucket: Bucket,
    keys: FileKeys,
    digest: String,
    logs: Vec<Vec<u8>>,
    raw_bytes: u64,
}

fn hour() -> Hour {
    let key = SigningKey::generate("bench-key");
    let mut bucket = Bucket::default();
    let mut listed = Vec::new();
    let mut logs = Vec::new();
    let mut raw_bytes = 0;
    for i in 0..LOGS {
        let text = trailwatch_synth::delivery_text(u64::from(i), ACCOUNT, REGION, LOG_BYTES);
        let log_key = trailwatch_synth::log_key(
            None,
            None,
            ACCOUNT,
            REGION,
            DAY,
            (3, i * 5),
            "BenchBenchBench0",
        );
        let gz = trailwatch_synth::gzip(text.as_bytes(), 1);
        raw_bytes += text.len() as u64;
        listed.push(Listed::of(BUCKET, &log_key, text.as_bytes()));
        bucket
            .objects
            .insert(log_key, (gz.clone(), Metadata::new()));
        logs.push(gz);
    }
    let previous_key =
        trailwatch_synth::digest_key(None, None, ACCOUNT, REGION, DAY, (3, 0, 0), "t");
    let digest_key = trailwatch_synth::digest_key(None, None, ACCOUNT, REGION, DAY, (4, 0, 0), "t");
    let previous = DigestFile {
        bucket: BUCKET.into(),
        key: previous_key.clone(),
        start_time: "2025-06-02T02:00:00Z".into(),
        end_time: "2025-06-02T03:00:00Z".into(),
        previous: None,
        logs: Vec::new(),
    }
    .sign(&key);
    let digest = DigestFile {
        bucket: BUCKET.into(),
        key: digest_key.clone(),
        start_time: "2025-06-02T03:00:00Z".into(),
        end_time: "2025-06-02T04:00:00Z".into(),
        previous: Some(Link {
            bucket: BUCKET.into(),
            key: previous_key.clone(),
            signature: previous.signature.clone(),
        }),
        logs: listed,
    }
    .sign(&key);
    bucket
        .objects
        .insert(previous_key, (previous.gzip, previous.metadata));
    bucket
        .objects
        .insert(digest_key.clone(), (digest.gzip, digest.metadata));
    let public = PublicKey::from_der(key.fingerprint(), &key.public_key_der()).expect("a key");
    Hour {
        bucket,
        keys: FileKeys::from_keys([public]),
        digest: digest_key,
        logs,
        raw_bytes,
    }
}

/// The limit: inflate each log's first member into a reused buffer.
fn decompress_only(logs: &[Vec<u8>]) -> u64 {
    let mut buf = vec![0u8; 64 << 10];
    let mut total = 0;
    for gz in logs {
        let mut d = GzDecoder::new(&gz[..]);
        loop {
            match d.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => total += n as u64,
                Err(e) => panic!("benchmark data is valid gzip: {e}"),
            }
        }
    }
    total
}

/// What step 9 does to each log: its first member through SHA-256.
fn hash_logs(logs: &[Vec<u8>]) -> u64 {
    let limits = MemberLimits {
        compressed: u64::MAX,
        decompressed: u64::MAX,
    };
    logs.iter()
        .map(|gz| {
            read_first_member(&gz[..], limits, |_| {})
                .expect("valid gzip")
                .bytes
        })
        .sum()
}

fn verify_hour(hour: &Hour, runtime: &tokio::runtime::Runtime) -> usize {
    let key =
        LogKey::parse(&hour.digest, Date::new(2025, 6, 3).expect("a date")).expect("a digest key");
    let object = ObjectRef {
        bucket: BUCKET.into(),
        key: hour.digest.clone(),
        ..ObjectRef::default()
    };
    let alerts = runtime
        .block_on(verify_digest(
            &Settings::default(),
            &hour.bucket,
            &hour.keys,
            &object,
            &key,
            Deadline::NONE,
        ))
        .expect("the hour verifies")
        .expect("the bucket keeps metadata");
    assert!(alerts.is_empty(), "a clean hour raises nothing: {alerts:?}");
    alerts.len()
}

fn main() {
    let hour = hour();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("digest_hour");
    group.throughput(Throughput::Bytes(hour.raw_bytes));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("decompress_only", |b| {
        b.iter(|| decompress_only(&hour.logs))
    });
    group.bench_function("hash_logs", |b| b.iter(|| hash_logs(&hour.logs)));
    group.bench_function("verify_digest", |b| b.iter(|| verify_hour(&hour, &runtime)));
    group.finish();
    c.final_summary();

    let limit = median_secs(9, || {
        decompress_only(&hour.logs);
    });
    let hashed = median_secs(9, || {
        hash_logs(&hour.logs);
    });
    let verified = median_secs(9, || {
        verify_hour(&hour, &runtime);
    });
    let mb = hour.raw_bytes as f64 / 1e6;
    println!(
        "ratio digest hour ({LOGS} logs, {mb:.0} MB decompressed): decompress-only {:.0} MB/s, hash {:.0} MB/s (hash/decompress = {:.2}x), verify_digest {:.0} MB/s = {:.0} logs/s (verify/decompress = {:.2}x) (median of 9)",
        mb / limit,
        mb / hashed,
        hashed / limit,
        mb / verified,
        f64::from(LOGS) / verified,
        verified / limit,
    );
}
