#!/usr/bin/env bash
# Runs a command with no Java and no Maven on the PATH (a machine without them), to show it needs neither:
#   scripts/ci/without-java.sh npm run test:unit
set -euo pipefail
BIN="$(mktemp -d)"
trap 'rm -rf "$BIN"' EXIT
IFS=: read -ra DIRS <<<"$PATH"
for dir in "${DIRS[@]}"; do
  [[ -d "$dir" ]] || continue
  for tool in "$dir"/*; do
    name="$(basename "$tool")"
    case "$name" in java | javac | jshell | keytool | mvn | mvnDebug | jar) continue ;; esac
    [[ -x "$tool" && ! -e "$BIN/$name" ]] && ln -s "$tool" "$BIN/$name"
  done
done
JAVA_HOME= PATH="$BIN" "$@"
