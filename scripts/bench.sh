#!/usr/bin/env bash
# Every performance figure in one run, on generated ~10 MB and ~100 MB deliveries:
#   1. CPU of `trailwatch scan` (whole process, alert output included) against stock flate2
#      (default backend) inflating the same file and nothing else (benches/stock-gunzip);
#   2. its CPU throughput against the naive Python peer (scripts/python_peer.py) on ~10 MB;
#   3. its peak RSS on both sizes;
#   4. with TRAILWATCH_BENCH_SIGMA=<folder of Sigma rules>, `scan --sigma` against `scan`;
#   5. the cold start of the release `bootstrap` (scripts/cold_start.py);
#   6. the size of the arm64 Lambda artifact, built as `sam build` builds it;
#   7. the in-process criterion benchmark (`cargo bench --bench pipeline`): the share of
#      trailwatch's own decompression stage, and the Sigma rules' cost.
# CPU times are user+sys from the kernel (wait4), medians over interleaved runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ ! -x /usr/bin/time ]]; then # GNU time, for peak RSS
    apt-get update -qq && apt-get install -y -qq time
fi

target_dir="$(cargo metadata --no-deps --format-version 1 \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
cargo build --release --quiet --bin trailwatch --bin bootstrap --example gen_bench
cargo build --release --quiet --manifest-path benches/stock-gunzip/Cargo.toml \
    --target-dir "$target_dir/stock-gunzip"
tw="$target_dir/release/trailwatch"
stock="$target_dir/stock-gunzip/release/stock-gunzip"
data="$target_dir/bench-data"
mkdir -p "$data"
for mb in 10 100; do
    file="$data/delivery-${mb}MB.json.gz"
    [[ -s "$file" ]] || "$target_dir/release/examples/gen_bench" "$mb" "$file"
done
f10="$data/delivery-10MB.json.gz"
f100="$data/delivery-100MB.json.gz"

figure() { # figure NAME FIELD < JSON lines: FIELD of the line whose name is NAME
    python3 -c 'import json, sys
for line in sys.stdin:
    row = json.loads(line)
    if row["name"] == sys.argv[1]:
        print(row[sys.argv[2]])' "$1" "$2"
}
ratio() { awk "BEGIN{printf \"%.2f\", $1/$2}"; }

echo "== CPU and memory (median of 9 interleaved runs; user+sys)"
runs="$(python3 scripts/bench_cpu.py 9 \
    "stock10=$stock $f10" "scan10=$tw scan $f10" \
    "stock100=$stock $f100" "scan100=$tw scan $f100")"
for mb in 10 100; do
    file="$data/delivery-${mb}MB.json.gz"
    raw=$("$stock" "$file")
    s_cpu=$(figure "stock$mb" cpu_s <<<"$runs")
    t_cpu=$(figure "scan$mb" cpu_s <<<"$runs")
    echo "${mb} MB ($raw bytes): stock flate2 $s_cpu s ($(awk "BEGIN{printf \"%.0f\", $raw/1e6/$s_cpu}") MB/s)," \
        "trailwatch scan $t_cpu s ($(awk "BEGIN{printf \"%.0f\", $raw/1e6/$t_cpu}") MB/s):" \
        "scan/stock = $(ratio "$t_cpu" "$s_cpu")x; peak RSS of scan $(figure "scan$mb" max_rss_kib <<<"$runs") KiB"
done

echo "== Python peer, ~10 MB (its own timing: open to last record; best of 3)"
raw10=$("$stock" "$f10")
peer=0
for _ in 1 2 3; do
    p=$(python3 scripts/python_peer.py "$f10" | python3 -c "import json,sys; print(json.load(sys.stdin)['mb_per_s'])")
    peer=$(awk "BEGIN{print ($p > $peer ? $p : $peer)}")
done
t10=$(awk "BEGIN{printf \"%.0f\", $raw10/1e6/$(figure scan10 cpu_s <<<"$runs")}")
echo "Python peer $peer MB/s, trailwatch scan $t10 MB/s (whole process CPU): $(ratio "$t10" "$peer")x"

if [[ -n "${TRAILWATCH_BENCH_SIGMA:-}" ]]; then
    echo "== Sigma rules of $TRAILWATCH_BENCH_SIGMA, whole process (alert output included)"
    sigma="$(python3 scripts/bench_cpu.py 5 "scan=$tw scan $f100" \
        "sigma=$tw scan --sigma $TRAILWATCH_BENCH_SIGMA $f100")"
    echo "100 MB: scan $(figure scan cpu_s <<<"$sigma") s, scan --sigma $(figure sigma cpu_s <<<"$sigma") s:" \
        "$(ratio "$(figure sigma cpu_s <<<"$sigma")" "$(figure scan cpu_s <<<"$sigma")")x"
fi

echo "== Cold start (release bootstrap, spawn to first poll of the Runtime API)"
python3 scripts/cold_start.py "$target_dir/release/bootstrap" 30

echo "== arm64 Lambda artifact (cargo lambda build --release --arm64, as sam build runs it)"
arm64="$(scripts/build-lambda.sh 2>/dev/null)"
symbols="$(python3 -c 'import struct, sys
elf = open(sys.argv[1], "rb").read()
shoff, = struct.unpack_from("<Q", elf, 0x28)
entsize, count = struct.unpack_from("<HH", elf, 0x3A)
types = [struct.unpack_from("<I", elf, shoff + i * entsize + 4)[0] for i in range(count)]
print("with a symbol table" if 2 in types else "stripped (no symbol table)")' "$arm64")"
echo "$arm64: $(stat -c %s "$arm64") bytes, $symbols"

echo "== In process (criterion)"
cargo bench --bench pipeline -- --noplot
