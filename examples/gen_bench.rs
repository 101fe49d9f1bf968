//! Writes a benchmark delivery: ordinary synthetic records (about 5% failing) of about the
//! requested size uncompressed, gzip'd as CloudTrail delivers them.
//!
//!     cargo run --release --example gen_bench -- <uncompressed-MB> <out.json.gz> [seed]
//!
//! MB here is 10^6 bytes. Sizes and the record count go to stderr.

use std::process::ExitCode;

use anyhow::Context;
use serde::de::IgnoredAny;
use serde::Deserialize;

const USAGE: &str = "usage: gen_bench <uncompressed-MB> <out.json.gz> [seed]";

/// Only the record count is needed, so records are skipped rather than built.
#[derive(Deserialize)]
struct Delivery {
    #[serde(rename = "Records")]
    records: Vec<IgnoredAny>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match args.as_slice() {
        [mb, out] => mb.parse::<f64>().ok().map(|mb| (mb, out, 1)),
        [mb, out, seed] => match (mb.parse::<f64>(), seed.parse::<u64>()) {
            (Ok(mb), Ok(seed)) => Some((mb, out, seed)),
            _ => None,
        },
        _ => None,
    };
    let Some((mb, out, seed)) = parsed.filter(|(mb, _, _)| mb.is_finite() && *mb > 0.0) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match run(mb, out, seed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gen_bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(mb: f64, out: &str, seed: u64) -> anyhow::Result<()> {
    let target = (mb * 1_000_000.0) as usize;
    let text = trailwatch_synth::delivery_text(seed, "111111111111", "us-east-1", target);
    let delivery: Delivery =
        serde_json::from_str(&text).context("generated text is not a delivery")?;
    let packed = trailwatch_synth::gzip(text.as_bytes(), 1);
    std::fs::write(out, &packed).with_context(|| format!("writing {out}"))?;
    eprintln!(
        "{out}: {} records, {} bytes uncompressed, {} bytes gzip ({:.1}x)",
        delivery.records.len(),
        text.len(),
        packed.len(),
        text.len() as f64 / packed.len().max(1) as f64
    );
    Ok(())
}
