#!/usr/bin/env bash
# Whole-process performance of `trailwatch scan` on generated ~10 MB and ~100 MB deliveries:
# throughput and peak RSS (/usr/bin/time -v), against the naive Python peer on the same files,
# then the in-process criterion benchmark (decompression alone vs the full path, with ratios).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ ! -x /usr/bin/time ]]; then
    apt-get update -qq && apt-get install -y -qq time
fi
cargo build --release --quiet --bin trailwatch --example gen_bench
data="$root/target/bench-data"
mkdir -p "$data"
declare -A rss secs
for mb in 10 100; do
    file="$data/delivery-${mb}MB.json.gz"
    [[ -s "$file" ]] || target/release/examples/gen_bench "$mb" "$file"
    best=""
    for _ in 1 2 3; do
        /usr/bin/time -v target/release/trailwatch scan "$file" >/dev/null 2>"$data/time.txt"
        s=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); print (n==3 ? p[1]*3600+p[2]*60+p[3] : p[1]*60+p[2])}' "$data/time.txt")
        if [[ -z "$best" ]] || awk "BEGIN{exit !($s < $best)}"; then best=$s; fi
        rss[$mb]=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$data/time.txt")
    done
    secs[$mb]=$best
    echo "trailwatch scan ${mb} MB: best of 3 ${best} s wall, peak RSS ${rss[$mb]} KiB"
done
raw100=$(python3 -c "import gzip,sys; print(len(gzip.open(sys.argv[1]).read()))" "$data/delivery-100MB.json.gz")
tw=$(awk "BEGIN{printf \"%.0f\", $raw100/1e6/${secs[100]}}")
peer=$(python3 scripts/python_peer.py "$data/delivery-100MB.json.gz" | python3 -c "import json,sys; print(round(json.load(sys.stdin)['mb_per_s']))")
echo "100 MB: trailwatch ${tw} MB/s (whole process), Python peer ${peer} MB/s: $(awk "BEGIN{printf \"%.1f\", $tw/$peer}")x"
echo "peak RSS 100 MB vs 10 MB: ${rss[100]} KiB vs ${rss[10]} KiB (difference $(( (rss[100]-rss[10]) )) KiB)"
cargo bench --bench pipeline -- --noplot
