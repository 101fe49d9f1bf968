#!/usr/bin/env bash
# Installs what the end-to-end tests need into project-local virtualenvs, when missing:
#   .venv/moto          moto[server] (the AWS emulator the e2e tests start on loopback)
#   .venv/cargo-lambda  cargo-lambda (its Runtime API emulator runs the real `bootstrap`)
#   .venv/cfn-lint ...  infra/check.sh's pinned virtualenvs: the stack world transforms
#                       infra/template.yaml with cfn-lint's aws-sam-translator and cloud-radar
# moto[server] brings every extra moto's CloudFormation, IAM and STS emulation needs (cfn-lint,
# docker, openapi-spec-validator, ...), so no other extra is pinned.
# Needs only python3 (with venv) and network access to PyPI. Safe to run again: an install
# whose pinned version is already there is skipped.
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

install_pinned "$venvs/moto" "moto[server]==$MOTO_VERSION" moto "$MOTO_VERSION"
install_pinned "$venvs/cargo-lambda" "cargo-lambda==$CARGO_LAMBDA_VERSION" cargo-lambda "$CARGO_LAMBDA_VERSION"

"$root/infra/check.sh" --install-only

for tool in "$venvs/moto/bin/moto_server" "$venvs/cargo-lambda/bin/cargo-lambda" "$venvs/cfn-lint/bin/python"; do
    if [[ ! -x "$tool" ]]; then
        echo "e2e-setup: $tool is missing after the install" >&2
        exit 1
    fi
done
echo "e2e-setup: ready"
