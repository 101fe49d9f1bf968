//! Replays the fuzz seeds and every minimised fuzz crash through the same checks the fuzz
//! targets run, so stable `cargo test` guards what fuzzing found without running a fuzzer;
//! [`grammar`] drives the filter-pattern check with generated patterns too.

#[path = "../fuzz/checks.rs"]
mod checks;
#[path = "fuzz_corpus/grammar.rs"]
mod grammar;

use std::path::Path;

/// Runs `check` on every file of `fuzz/corpus/<target>/` (which must hold seeds) and of
/// `fuzz/regressions/<target>/` (if any), naming the file that fails.
fn replay(target: &str, check: fn(&[u8])) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let seeds = inputs(&fuzz.join("corpus").join(target));
    assert!(!seeds.is_empty(), "no seeds for {target}");
    let regressions = inputs(&fuzz.join("regressions").join(target));
    for path in seeds.iter().chain(&regressions) {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(
            outcome.is_ok(),
            "{target}: {} fails its check",
            path.display()
        );
    }
}

/// The files directly in `dir`, sorted; none when it does not exist.
fn inputs(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn key_parser_corpus() {
    replay("key_parser", checks::key_parser);
}

#[test]
fn filter_pattern_corpus() {
    replay("filter_pattern", checks::filter_pattern);
}

#[test]
fn decoder_corpus() {
    replay("decoder", checks::decoder);
}

#[test]
fn trigger_envelope_corpus() {
    replay("trigger_envelope", checks::trigger_envelope);
}

#[test]
fn digest_file_corpus() {
    replay("digest_file", checks::digest_file);
}

#[test]
fn sigma_loader_corpus() {
    replay("sigma_loader", checks::sigma_loader);
}
