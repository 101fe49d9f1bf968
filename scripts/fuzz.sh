#!/usr/bin/env bash
# Runs each fuzz target in turn for SECONDS (default 300) on nightly and prints what it did:
# executions, executions per second and final coverage. Crashes land in fuzz/artifacts/<target>/;
# minimise one with `cargo +nightly fuzz tmin <target> <file>` and keep it in
# fuzz/regressions/<target>/, where `cargo test --test fuzz_corpus` replays it. Not part of CI.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-300}"
if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null; then
    cargo install cargo-fuzz --locked
fi
# Inputs a target reads at most: a key, a pattern plus one record, a delivery, a trigger payload,
# a Sigma rule file.
declare -A max_len=([key_parser]=1024 [filter_pattern]=8192 [decoder]=65536 [trigger_envelope]=16384 [sigma_loader]=16384)
targets=(key_parser filter_pattern decoder trigger_envelope sigma_loader)
# Debug assertions on, so arithmetic overflow is a crash too.
cargo +nightly fuzz build -O -a
failed=()
for target in "${targets[@]}"; do
    log="fuzz/artifacts/$target.log"
    mkdir -p "fuzz/artifacts/$target"
    echo "== $target: ${seconds} s"
    if ! cargo +nightly fuzz run -O -a "$target" -- -max_total_time="$seconds" \
        -max_len="${max_len[$target]}" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
        failed+=("$target")
        grep -E '^(==[0-9]+==ERROR|thread .* panicked|SUMMARY|Test unit written)' "$log" || true
    fi
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
    grep -E '^#[0-9]+' "$log" | tail -n 1 || true
done
if ((${#failed[@]})); then
    echo "failed: ${failed[*]} (logs in fuzz/artifacts/)"
    exit 1
fi
