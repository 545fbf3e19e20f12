#!/usr/bin/env bash
# Installs the template checkers (cfn-lint, checkov) into .local/venv, pinned, from PyPI.
set -euo pipefail
PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$PROJECT_DIR/.local/venv"
CFN_LINT_VERSION="${CFN_LINT_VERSION:-1.58.0}"
CHECKOV_VERSION="${CHECKOV_VERSION:-3.3.30}"

installed() { "$VENV/bin/pip" show "$1" 2>/dev/null | sed -n 's/^Version: //p'; }
if [[ -x "$VENV/bin/cfn-lint" && -x "$VENV/bin/checkov" ]] &&
  [[ "$(installed cfn-lint)" == "$CFN_LINT_VERSION" && "$(installed checkov)" == "$CHECKOV_VERSION" ]]; then
  echo "[checks] cfn-lint $CFN_LINT_VERSION and checkov $CHECKOV_VERSION already installed" >&2
  exit 0
fi
command -v python3 >/dev/null || { echo "[checks] python3 not found" >&2; exit 1; }
echo "[checks] installing cfn-lint $CFN_LINT_VERSION and checkov $CHECKOV_VERSION into $VENV" >&2
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION" "checkov==$CHECKOV_VERSION"
