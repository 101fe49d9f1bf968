#!/usr/bin/env bash
# Validates the deployable stack in infra/: cfn-lint (no errors, no warnings), `sam validate
# --lint`, checkov (no failed check; suppressions live inline in the template with a reason)
# and the template tests. Needs nothing but python3: each tool gets its own virtualenv under
# <repo>/.venv/, built from a fully pinned requirements file and rebuilt when that file changes.
# Everything runs offline once the virtualenvs exist.
#
# Usage: infra/check.sh        Last line: "infra: N passed, M failed"; exit status 1 on any failure.
#        infra/check.sh --install-only   Only builds the virtualenvs (scripts/e2e-setup.sh: the
#                                        end-to-end stack world renders the template with cfn-lint's).
set -euo pipefail

infra_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(dirname "$infra_dir")"
venv_root="$repo_dir/.venv"
template="$infra_dir/template.yaml"

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PYTHONDONTWRITEBYTECODE=1
export SAM_CLI_TELEMETRY=0
# sam resolves partitions from a Region; no call leaves the machine for it.
export AWS_REGION="${AWS_REGION:-eu-west-1}" AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-eu-west-1}"

work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT

passed=0
failed=0

# ensure_venv NAME: .venv/NAME holds exactly infra/requirements-NAME.txt (and this Python).
ensure_venv() {
  local name="$1"
  local requirements="$infra_dir/requirements-$name.txt"
  local dir="$venv_root/$name"
  local stamp="$dir/.trailwatch-requirements"
  local want
  want="$(python3 -c 'import sys; print(sys.version)' | head -n 1) $(sha256sum "$requirements" | cut -d' ' -f1)"
  if [[ -x "$dir/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  echo "infra: installing $name into $dir (pinned, once)" >&2
  rm -rf "$dir"
  mkdir -p "$venv_root"
  python3 -m venv "$dir"
  # --no-deps: the file lists the whole environment, so nothing unpinned can slip in;
  # pip check then proves that list is complete and consistent.
  "$dir/bin/pip" install --quiet --no-deps --requirement "$requirements"
  "$dir/bin/pip" check >/dev/null
  echo "$want" >"$stamp"
}

# check NAME COMMAND...: one pass or fail, output shown only on failure.
check() {
  local name="$1"
  shift
  local log="$work_dir/log"
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "infra: ok      $name"
  else
    failed=$((failed + 1))
    echo "infra: FAILED  $name"
    sed 's/^/    /' "$log"
  fi
}

# Installing is not a check: a broken install stops here with pip's own message. The three
# install side by side; much of the time is spent waiting on downloads.
install_pids=()
for name in cfn-lint sam checkov; do
  ensure_venv "$name" &
  install_pids+=("$!")
done
for pid in "${install_pids[@]}"; do
  wait "$pid" || { echo "infra: installing the tools failed" >&2; exit 1; }
done

if [[ "${1:-}" == "--install-only" ]]; then
  exit 0
fi

cd "$infra_dir"

check "cfn-lint template.yaml" "$venv_root/cfn-lint/bin/cfn-lint" -- "$template"
check "sam validate --lint" "$venv_root/sam/bin/sam" validate --lint --template-file "$template" --region "$AWS_REGION"

# checkov judges conditional resources by the parameter defaults, so it also scans variants
# whose defaults switch the optional resources on (see tests/checkov_variants.py).
variants=()
if "$venv_root/cfn-lint/bin/python" tests/checkov_variants.py "$template" "$work_dir/variants" >"$work_dir/variants.list" 2>"$work_dir/variants.err"; then
  mapfile -t variants <"$work_dir/variants.list"
else
  failed=$((failed + 1))
  echo "infra: FAILED  checkov variants"
  sed 's/^/    /' "$work_dir/variants.err"
fi
for scanned in "$template" "${variants[@]}"; do
  check "checkov $(basename "$scanned")" \
    "$venv_root/checkov/bin/checkov" --file "$scanned" --framework cloudformation \
    --skip-download --quiet --compact
done

# Template tests: every pytest case counts on its own.
junit="$work_dir/junit.xml"
(cd tests && "$venv_root/cfn-lint/bin/python" -m pytest -q -p no:cacheprovider --junitxml="$junit") \
  >"$work_dir/pytest.log" 2>&1 || true
if counts="$(python3 - "$junit" <<'PY'
import sys
import xml.etree.ElementTree as ElementTree

root = ElementTree.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
total = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) + int(s.get("skipped", 0)) for s in suites)
print(total - bad, bad)
PY
)"; then
  read -r tests_passed tests_failed <<<"$counts"
else
  tests_passed=0
  tests_failed=1
fi
if [[ "$tests_passed" -eq 0 && "$tests_failed" -eq 0 ]]; then
  tests_failed=1  # no test ran: that is a failure, not a pass
fi
passed=$((passed + tests_passed))
failed=$((failed + tests_failed))
if [[ "$tests_failed" -eq 0 ]]; then
  echo "infra: ok      template tests ($tests_passed)"
else
  echo "infra: FAILED  template tests ($tests_failed of $((tests_passed + tests_failed)))"
  sed 's/^/    /' "$work_dir/pytest.log"
fi

echo "infra: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
