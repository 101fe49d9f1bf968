//! `stock-gunzip FILE`: inflates every gzip member of FILE with stock flate2 into a reused
//! 256 KiB buffer, as trailwatch's decoder window is filled, and prints the decompressed size.

use std::io::{BufReader, Read};
use std::process::ExitCode;

use flate2::bufread::MultiGzDecoder;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: stock-gunzip FILE");
        return ExitCode::from(2);
    };
    let file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("stock-gunzip: {}: {e}", path.to_string_lossy());
            return ExitCode::FAILURE;
        }
    };
    let mut gz = MultiGzDecoder::new(BufReader::with_capacity(256 << 10, file));
    let mut buf = vec![0u8; 256 << 10];
    let mut total = 0u64;
    loop {
        match gz.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => total += n as u64,
            Err(e) => {
                eprintln!("stock-gunzip: {}: {e}", path.to_string_lossy());
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{total}");
    ExitCode::SUCCESS
}
