#!/usr/bin/env bash
# Installs what the end-to-end tests need, when missing:
#   moto          .venv/moto: moto[server] (the AWS emulator the e2e tests start on loopback)
#   cargo-lambda  .venv/cargo-lambda: cargo-lambda, with zig from the ziglang package (its
#                 Runtime API emulator hosts `bootstrap`; `cargo lambda build` cross-links the
#                 arm64 artifact, see scripts/build-lambda.sh)
#   qemu          qemu-aarch64 and the arm64 glibc under /usr/aarch64-linux-gnu (Debian's
#                 qemu-user and libc6-arm64-cross, through apt-get), which run the arm64
#                 artifact on an x86 machine
#   infra         infra/check.sh's pinned virtualenvs (.venv/cfn-lint, sam, checkov): the stack
#                 world transforms infra/template.yaml with cfn-lint's aws-sam-translator and
#                 cloud-radar
# moto[server] brings every extra moto's CloudFormation, IAM and STS emulation needs (cfn-lint,
# docker, openapi-spec-validator, ...), so no other extra is pinned.
# Usage: scripts/e2e-setup.sh [COMPONENT...]    (no argument: all four)
# Needs python3 (with venv) and network access to PyPI; qemu needs apt-get and root (or sudo).
# Safe to run again: an install whose pinned version is already there is skipped.
set -euo pipefail

MOTO_VERSION="5.2.1"
CARGO_LAMBDA_VERSION="1.9.2"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venvs="$root/.venv"

# install_pinned VENV PACKAGE_SPEC DIST_NAME VERSION: creates VENV and pip-installs the spec
# unless that distribution is already installed at that version.
install_pinned() {
    local venv="$1" spec="$2" dist="$3" version="$4"
    if [[ -x "$venv/bin/python" ]] \
        && [[ "$("$venv/bin/python" -c "import importlib.metadata as m; print(m.version('$dist'))" 2>/dev/null)" == "$version" ]]; then
        echo "e2e-setup: $dist $version already in ${venv#"$root"/}"
        return
    fi
    echo "e2e-setup: installing $spec into ${venv#"$root"/}"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$spec"
}

# install_qemu: qemu-aarch64 plus the loader and libraries an arm64 glibc binary needs, which
# `qemu-aarch64 -L /usr/aarch64-linux-gnu` finds there.
install_qemu() {
    if command -v qemu-aarch64 >/dev/null && [[ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ]]; then
        echo "e2e-setup: qemu-aarch64 and the arm64 glibc already installed"
        return
    fi
    local packages=(qemu-user libc6-arm64-cross) sudo=()
    if [[ "$(id -u)" -ne 0 ]]; then
        if ! command -v sudo >/dev/null; then
            echo "e2e-setup: installing ${packages[*]} needs root: run apt-get install ${packages[*]} as root" >&2
            exit 1
        fi
        sudo=(sudo)
    fi
    echo "e2e-setup: installing ${packages[*]} with apt-get"
    # Only the two packages (qemu-user-binfmt, recommended, would register binfmt handlers; the
    # tests call qemu-aarch64 themselves). The package lists are refreshed when the first try
    # fails, e.g. on a fresh image that has none.
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null \
        || { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; }
}

components=("$@")
[[ ${#components[@]} -gt 0 ]] || components=(moto cargo-lambda qemu infra)
tools=()
for component in "${components[@]}"; do
    case "$component" in
        moto)
            install_pinned "$venvs/moto" "moto[server]==$MOTO_VERSION" moto "$MOTO_VERSION"
            tools+=("$venvs/moto/bin/moto_server")
            ;;
        cargo-lambda)
            install_pinned "$venvs/cargo-lambda" "cargo-lambda==$CARGO_LAMBDA_VERSION" cargo-lambda "$CARGO_LAMBDA_VERSION"
            tools+=("$venvs/cargo-lambda/bin/cargo-lambda" "$venvs/cargo-lambda/bin/python-zig")
            ;;
        qemu)
            install_qemu
            tools+=("$(command -v qemu-aarch64 || echo qemu-aarch64)" /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1)
            ;;
        infra)
            "$root/infra/check.sh" --install-only
            tools+=("$venvs/cfn-lint/bin/python")
            ;;
        *)
            echo "e2e-setup: unknown component $component (moto, cargo-lambda, qemu, infra)" >&2
            exit 2
            ;;
    esac
done

for tool in "${tools[@]}"; do
    if [[ ! -x "$tool" ]]; then
        echo "e2e-setup: $tool is missing after the install" >&2
        exit 1
    fi
done
echo "e2e-setup: ready (${components[*]})"
