#!/usr/bin/env bash
# The one test command (README, CI): installs what a fresh machine lacks, then runs the format
# check, clippy, the arm64 Lambda artifact (scripts/build-lambda.sh, as `sam build` builds it),
# every Rust test of the workspace (unit, property, CLI, end-to-end against moto, one of them on
# that artifact under qemu-aarch64, and the synthetic-data crate's) and the infra template
# checks. Needs rustup's cargo and python3 (and apt-get, as root or with sudo, for qemu);
# everything else it installs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

for component in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
done
scripts/e2e-setup.sh

cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
# The artifact a deployment ships, built as `sam build` builds it (arm64 release, cargo-lambda);
# an end-to-end test runs it under qemu-aarch64. TRAILWATCH_ARM64_TARGET_DIR, when set, is the
# target directory of that cross build (default: cargo's, shared with the builds above).
arm64_env=()
if [[ -n "${TRAILWATCH_ARM64_TARGET_DIR:-}" ]]; then
    arm64_env=("CARGO_TARGET_DIR=$TRAILWATCH_ARM64_TARGET_DIR")
fi
TRAILWATCH_ARM64_BOOTSTRAP="$(env "${arm64_env[@]}" scripts/build-lambda.sh)"
export TRAILWATCH_ARM64_BOOTSTRAP
# Benches are measured by scripts/bench.sh, not here; clippy above already compiles them.
cargo test --workspace --lib --bins --tests --examples
infra/check.sh
