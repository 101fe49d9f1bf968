#!/usr/bin/env bash
# Builds the Lambda artifact exactly as `sam build` does for infra/template.yaml (BuildMethod
# rust-cargolambda, BuildProperties Binary bootstrap, Architectures arm64, Runtime
# provided.al2023, CodeUri the workspace root): aws-lambda-builders' rust-cargolambda workflow
# runs, in the workspace root,
#
#     cargo lambda build --release --arm64 --bin bootstrap
#
# with CARGO_TARGET_DIR set to cargo's target directory when it is unset, and copies
# <target>/lambda/bootstrap/bootstrap into .aws-sam/build/Function/. This script runs the same
# command, so the binary the tests run is the binary a user deploys.
#
# Installs what is missing: the rustup target aarch64-unknown-linux-gnu and the pinned
# cargo-lambda (with zig, from the ziglang package) in .venv/cargo-lambda.
#
# Usage: scripts/build-lambda.sh
# Progress goes to stderr; stdout is one line, the absolute path of the built `bootstrap`, e.g.
#     TRAILWATCH_ARM64_BOOTSTRAP="$(scripts/build-lambda.sh)"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

target=aarch64-unknown-linux-gnu
if ! rustup target list --installed | grep -qx "$target"; then
    echo "build-lambda: adding the rustup target $target" >&2
    rustup target add "$target" >&2
fi
scripts/e2e-setup.sh cargo-lambda >&2

# `cargo lambda` is cargo running the first cargo-lambda on PATH; cargo-lambda finds zig with
# `python3 -m ziglang`, so that virtualenv's python3 must come first too.
export PATH="$root/.venv/cargo-lambda/bin:$PATH"

# Where cargo builds (CARGO_TARGET_DIR, a config's build.target-dir or <root>/target): what
# sam's workflow reads from `cargo metadata` too.
target_dir="$(cargo metadata --no-deps --format-version 1 \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
export CARGO_TARGET_DIR="$target_dir"

echo "build-lambda: cargo lambda build --release --arm64 --bin bootstrap (target dir $target_dir)" >&2
cargo lambda build --release --arm64 --bin bootstrap >&2

binary="$target_dir/lambda/bootstrap/bootstrap"
if [[ ! -x "$binary" ]]; then
    echo "build-lambda: $binary is missing after the build" >&2
    exit 1
fi
echo "build-lambda: built $binary ($(stat -c %s "$binary") bytes)" >&2
echo "$binary"
