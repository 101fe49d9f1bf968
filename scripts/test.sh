#!/usr/bin/env bash
# The one test command (README, CI): installs what a fresh machine lacks, then runs the format
# check, clippy, every Rust test of the workspace (unit, property, CLI, end-to-end against moto,
# and the synthetic-data crate's) and the infra template checks. Needs rustup's cargo and
# python3; everything else it installs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

for component in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
done
scripts/e2e-setup.sh

cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
# Benches are measured by scripts/bench.sh, not here; clippy above already compiles them.
cargo test --workspace --lib --bins --tests --examples
infra/check.sh
