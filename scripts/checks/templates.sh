#!/usr/bin/env bash
# npm run check:templates: packages every deployment variant offline and runs on each CloudFormation
# template cfn-lint with AWS's serverless rules (cfn-lint-serverless, `append_rules` in .cfnlintrc),
# checkov, and parliament on every role's policies (scripts/checks/iam_policies.py).
# Findings kept on purpose are listed with their reasons in .cfnlintrc, .checkov.yaml and
# .parliament.yaml. Installs the checkers first (scripts/checks/install.sh).
set -euo pipefail
PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$PROJECT_DIR"
"$PROJECT_DIR/scripts/checks/install.sh"
VENV="$PROJECT_DIR/.local/venv"
OUT="$PROJECT_DIR/.local/templates"
export SLS_TELEMETRY_DISABLED=1
# checkov would fetch its guideline links from the internet; it needs nothing from there to check.
export BC_SKIP_MAPPING=TRUE

EXISTING=(--param=cluster=existing
  --param=clusterArn=arn:aws:kafka:eu-west-1:123456789012:cluster/stocks/0b5d7a2e-1c3f-4e6a-9d8b-2f4e6a8c0d1e-2
  --param=subnetIds=subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788
  --param=securityGroupIds=sg-0123456789abcdef0)
declare -A VARIANTS=(
  [prod-existing]="--stage prod ${EXISTING[*]}"
  [prod-existing-partial]="--stage prod ${EXISTING[*]} --param=reportBatchItemFailures=true --param=errorHandling=false"
  [dev-serverless]="--stage dev --param=cluster=serverless"
  [dev-serverless-sqs-on-demand]="--stage dev --param=cluster=serverless --param=onFailureDestination=sqs --param=errorHandling=false"
  [dev-serverless-sqs]="--stage dev --param=cluster=serverless --param=onFailureDestination=sqs"
  [prod-provisioned]="--stage prod --param=cluster=provisioned --param=alarmEmail=ops@example.com"
)

status=0
# The tests check every IAM statement against this copy of AWS's reference; it must match the pinned one.
"$VENV/bin/python" scripts/checks/iam_reference.py
if ! git diff --quiet -- test/support/iam-reference.json; then
  echo "[checks] test/support/iam-reference.json changed with the pinned parliament: commit it" >&2
  status=1
fi
for variant in "${!VARIANTS[@]}"; do
  rm -rf "${OUT:?}/$variant"
  # shellcheck disable=SC2086
  npx --no-install serverless package --package "$OUT/$variant" ${VARIANTS[$variant]} >/dev/null
  template="$OUT/$variant/cloudformation-template-update-stack.json"
  echo "[checks] $variant: cfn-lint" >&2
  "$VENV/bin/cfn-lint" --config-file .cfnlintrc -- "$template" || status=1
  echo "[checks] $variant: checkov" >&2
  "$VENV/bin/checkov" --config-file .checkov.yaml -f "$template" || status=1
  echo "[checks] $variant: parliament (IAM policies)" >&2
  "$VENV/bin/python" scripts/checks/iam_policies.py "$template" "$OUT/$variant/iam" || status=1
done
exit "$status"
