#!/usr/bin/env bash
# Installs the template checkers into .local/venv, pinned, from PyPI: cfn-lint with AWS's serverless
# rules, checkov, and the IAM policy linter parliament. (policy_sentry comes with checkov, which pins it
# below 0.14 through cloudsplaining, so it cannot be pinned to a newer one here.)
set -euo pipefail
PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$PROJECT_DIR/.local/venv"
CFN_LINT_VERSION="${CFN_LINT_VERSION:-1.58.0}"
CHECKOV_VERSION="${CHECKOV_VERSION:-3.3.30}"
PARLIAMENT_VERSION="${PARLIAMENT_VERSION:-1.6.4}"
CFN_LINT_SERVERLESS_VERSION="${CFN_LINT_SERVERLESS_VERSION:-0.3.6}"
PINNED=("cfn-lint==$CFN_LINT_VERSION" "checkov==$CHECKOV_VERSION" "parliament==$PARLIAMENT_VERSION"
  "cfn-lint-serverless==$CFN_LINT_SERVERLESS_VERSION")

installed() { "$VENV/bin/pip" show "$1" 2>/dev/null | sed -n 's/^Version: //p'; }
all_installed() {
  local pin
  for pin in "${PINNED[@]}"; do
    [[ "$(installed "${pin%%==*}")" == "${pin##*==}" ]] || return 1
  done
}
if [[ -x "$VENV/bin/pip" ]] && all_installed; then
  echo "[checks] checkers already installed: ${PINNED[*]}" >&2
  exit 0
fi
command -v python3 >/dev/null || { echo "[checks] python3 not found" >&2; exit 1; }
echo "[checks] installing ${PINNED[*]} into $VENV" >&2
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "${PINNED[@]}"
