#!/usr/bin/env bash
# Whole-process performance of `trailwatch verify` (release build) against moto: one signed
# digest listing LOGS logs of about MB MB decompressed each (default 200 x 1), checked with
# TRAILWATCH_VERIFY_CONCURRENCY=1 and =8. Prints wall time, logs/s and decompressed MB/s per
# run (best of RUNS, default 3) and peak RSS (/usr/bin/time -v). moto comes from .venv/moto
# (scripts/e2e-setup.sh moto); the bucket is filled by examples/bench_verify_fill.rs.
# Usage: scripts/bench-verify.sh [LOGS [MB [RUNS]]]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
logs="${1:-200}" mb="${2:-1}" runs="${3:-3}"
target="${CARGO_TARGET_DIR:-$root/target}"
if [[ ! -x /usr/bin/time ]]; then
    apt-get update -qq && apt-get install -y -qq time
fi
[[ -x .venv/moto/bin/moto_server ]] || scripts/e2e-setup.sh moto
cargo build --release --quiet --bin trailwatch --example bench_verify_fill

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
.venv/moto/bin/moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null; wait "$moto_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null && break
    sleep 0.2
done

export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
fill_start=$(date +%s.%N)
total="$("$target/release/examples/bench_verify_fill" bench-verify "$logs" "$mb" "$work/keys.json")"
echo "filled: $logs logs, $total bytes decompressed, in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N)-$fill_start}") s"

for concurrency in 1 8; do
    best=""
    for _ in $(seq 1 "$runs"); do
        TRAILWATCH_VERIFY_CONCURRENCY=$concurrency /usr/bin/time -v \
            "$target/release/trailwatch" verify --public-keys "$work/keys.json" s3://bench-verify \
            >"$work/alerts.jsonl" 2>"$work/time.txt"
        s=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); print (n==3 ? p[1]*3600+p[2]*60+p[3] : p[1]*60+p[2])}' "$work/time.txt")
        if [[ -z "$best" ]] || awk "BEGIN{exit !($s < $best)}"; then best=$s; fi
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    done
    # The one digest starts its chain: one chain-restarted alert, and no other.
    alerts=$(wc -l <"$work/alerts.jsonl")
    other=$(grep -vc '"integrity.chain-restarted"' "$work/alerts.jsonl" || true)
    echo "verify, concurrency $concurrency: best of $runs $best s wall," \
        "$(awk "BEGIN{printf \"%.0f\", $logs/$best}") logs/s," \
        "$(awk "BEGIN{printf \"%.1f\", $total/1e6/$best}") MB/s decompressed," \
        "peak RSS $rss KiB, $alerts alert(s) ($other other than the chain start)"
done
