//! Decompression alone against decompress + parse + the built-in rules, and the same with 57
//! Sigma rules loaded beside them, on generated CloudTrail-shaped deliveries of ~10 MB and
//! ~100 MB (uncompressed). The ratios are what the design promises (the Sigma rules ≤ 1.2× the
//! path without them), so all run in the same process and the ratios are printed at the end.
//!
//! "Decompression alone" here is trailwatch's own decompression stage (flate2 on zlib-rs, built
//! as trailwatch builds it), so the printed share is the part of the path that is inflating.
//! The yardstick of #13, stock flate2 on its default backend, cannot share this process (one
//! build has one flate2 backend); `scripts/bench.sh` measures it as a whole process beside
//! `trailwatch scan`. With `TRAILWATCH_BENCH_SIGMA` naming a folder of Sigma
//! rules (SigmaHQ's `rules/cloud/aws/cloudtrail`, say), the ratios are also printed with those
//! rules in place of the pack.

#[path = "support/timing.rs"]
mod timing;

use std::io::Read;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use flate2::bufread::MultiGzDecoder;
use timing::median_secs;
use trailwatch::config::Limits;
use trailwatch::decode::{Format, RecordReader};
use trailwatch::record::FieldPlan;
use trailwatch::rules::{builtin_rules, RuleSet};
use trailwatch::sigma::{self, SigmaSet, SigmaSource};

struct Delivery {
    name: &'static str,
    raw_len: usize,
    gz: Vec<u8>,
}

fn deliveries() -> Vec<Delivery> {
    [("10MB", 10usize << 20), ("100MB", 100 << 20)]
        .into_iter()
        .map(|(name, size)| {
            let text = trailwatch_synth::delivery_text(7, "111111111111", "us-east-1", size);
            Delivery {
                name,
                raw_len: text.len(),
                gz: trailwatch_synth::gzip(text.as_bytes(), 1),
            }
        })
        .collect()
}

/// The limit: inflate everything into a reused buffer, as the decoder's window does.
fn decompress_only(gz: &[u8]) -> u64 {
    let mut d = MultiGzDecoder::new(std::io::BufReader::with_capacity(256 << 10, gz));
    let mut buf = vec![0u8; 256 << 10];
    let mut total = 0u64;
    loop {
        match d.read(&mut buf) {
            Ok(0) => return total,
            Ok(n) => total += n as u64,
            Err(e) => panic!("benchmark data is valid gzip: {e}"),
        }
    }
}

/// The compiled rules of one run: the built-in pack, and Sigma rules or none.
struct Rules {
    plan: FieldPlan,
    pack: RuleSet,
    sigma: SigmaSet,
}

/// The product's path: decode, locate fields, run the rules on every record.
fn full_path(gz: &[u8], rules: &Rules) -> u64 {
    let mut reader =
        RecordReader::new(gz, Format::Gzip, &rules.plan, Limits::default()).expect("gzip");
    let mut hits = 0u64;
    while let Some(rec) = reader.next_record().expect("valid delivery") {
        rules.pack.for_each_match(&rec, |_| hits += 1);
        rules.sigma.for_each_match(&rec, |_| hits += 1);
    }
    hits
}

/// The built-in pack, with the Sigma rules of `sources`.
fn compile(sources: &[SigmaSource]) -> Rules {
    let mut plan = FieldPlan::new();
    let pack = RuleSet::compile(&builtin_rules(), &mut plan).expect("built-in rules compile");
    let loaded = sigma::load(sources).expect("the Sigma rules load");
    let sigma = SigmaSet::compile(&loaded.rules, &mut plan);
    Rules { plan, pack, sigma }
}

/// The 57 Sigma rules of `trailwatch_synth::sigma_pack`.
fn sigma_pack() -> Vec<SigmaSource> {
    vec![SigmaSource {
        origin: "sigma_pack".into(),
        text: trailwatch_synth::sigma_pack(),
    }]
}

fn bench(c: &mut Criterion, data: &[Delivery]) {
    let (rules, with_sigma) = (compile(&[]), compile(&sigma_pack()));
    for d in data {
        let mut group = c.benchmark_group(d.name);
        group.throughput(Throughput::Bytes(d.raw_len as u64));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(if d.raw_len > 50 << 20 {
            20
        } else {
            5
        }));
        group.bench_function("decompress_only", |b| b.iter(|| decompress_only(&d.gz)));
        group.bench_function("decompress_parse_rules", |b| {
            b.iter(|| full_path(&d.gz, &rules))
        });
        group.bench_function("decompress_parse_rules_sigma57", |b| {
            b.iter(|| full_path(&d.gz, &with_sigma))
        });
        group.finish();
    }
}

fn main() {
    let data = deliveries();
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c, &data);
    c.final_summary();
    let mut variants = vec![("57 Sigma rules".to_owned(), compile(&sigma_pack()))];
    if let Some(folder) = std::env::var_os("TRAILWATCH_BENCH_SIGMA") {
        let sources =
            sigma::read_path(folder.as_ref()).expect("TRAILWATCH_BENCH_SIGMA is readable");
        let rules = compile(&sources);
        let count = rules.sigma.rules().count();
        variants.push((
            format!("{count} Sigma rules of {}", folder.to_string_lossy()),
            rules,
        ));
    }
    let rules = compile(&[]);
    for d in &data {
        let limit = median_secs(7, || {
            decompress_only(&d.gz);
        });
        let full = median_secs(7, || {
            full_path(&d.gz, &rules);
        });
        let mb = d.raw_len as f64 / 1e6;
        println!(
            "ratio {}: decompress-only {:.0} MB/s, full path {:.0} MB/s, full/decompress = {:.2}x, decompression {:.0}% of the path (median of 7)",
            d.name,
            mb / limit,
            mb / full,
            full / limit,
            100.0 * limit / full
        );
        for (name, with_sigma) in &variants {
            let sigma = median_secs(7, || {
                full_path(&d.gz, with_sigma);
            });
            println!(
                "ratio {}: with {name} {:.0} MB/s, sigma/full = {:.2}x, sigma/decompress = {:.2}x (median of 7)",
                d.name,
                mb / sigma,
                sigma / full,
                sigma / limit
            );
        }
    }
}
