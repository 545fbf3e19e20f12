#!/usr/bin/env bash
# Installs the real Flink JSON format classes (flink-json and what it needs at run time, from Maven Central)
# for FlinkFormatOracle.java, the differential oracle of lib/flink/ (test/integration/flink-format.test.ts).
# Idempotent: a complete install is kept and re-used; a partial one is replaced. Needs Java 17 + Maven.
#
#   scripts/flink-format/install.sh             install (if needed)
#   scripts/flink-format/install.sh classpath   install if needed, then print the oracle's classpath
#   scripts/flink-format/install.sh lib         print where the jars are installed
#
# Settings (environment): FLINK_FORMAT_VERSION (2.2.1, the original job's Flink), FLINK_FORMAT_HOME.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"

FLINK_FORMAT_VERSION="${FLINK_FORMAT_VERSION:-2.2.1}"
FLINK_FORMAT_HOME="${FLINK_FORMAT_HOME:-$PROJECT_DIR/.local/flink-format}"
LIB_DIR="$FLINK_FORMAT_HOME/lib"
# Written last: its presence (for this version) is what makes an install complete.
MARKER="$LIB_DIR/.installed-$FLINK_FORMAT_VERSION"

log() { echo "[flink-format] $*" >&2; }

require_tools() {
  command -v java >/dev/null || { log "java not found: install a JDK 17 (e.g. apt-get install openjdk-17-jdk-headless)"; exit 1; }
  command -v mvn >/dev/null || { log "mvn not found: install Maven (e.g. apt-get install maven)"; exit 1; }
}

classpath() { echo "$LIB_DIR/*"; }

# One value through the oracle: proves the classpath holds every class the format loads on its main paths.
smoke_test() {
  local lib="$1" value expected got
  value="$(printf '%s' '{"event_time":"2024-01-02 03:04:05.120","ticker":"AAPL","price":1E1}' | base64 -w0)"
  expected="WRITTEN $(printf '%s' '{"ticker":"AAPL"}' | base64 -w0) $(printf '%s' '{"event_time":"2024-01-02 03:04:05.12","ticker":"AAPL","price":10.0}' | base64 -w0)"
  got="$(printf '%s\n%s\n' "$value" "$(printf '%s' '{"price":"x"}' | base64 -w0)" \
    | java -cp "$lib/*" "$SCRIPT_DIR/FlinkFormatOracle.java")"
  if [[ "$got" != "$expected"$'\n'"FAILED org.apache.flink.formats.json.JsonParseException: Fail to deserialize at field: price." ]]; then
    log "the oracle's smoke test failed; it printed:"
    echo "$got" >&2
    return 1
  fi
}

install() {
  if [[ -f "$MARKER" ]]; then
    log "Flink $FLINK_FORMAT_VERSION JSON format already installed in $LIB_DIR"
    return
  fi
  require_tools
  log "installing the Flink $FLINK_FORMAT_VERSION JSON format from Maven Central into $LIB_DIR"
  mkdir -p "$FLINK_FORMAT_HOME"
  local staging="$FLINK_FORMAT_HOME/lib.partial"
  rm -rf "$staging"
  # Maven 3.8 prints colour codes even in batch mode; strip them from what reaches the log.
  mvn -B -q -f "$SCRIPT_DIR/pom.xml" -Dflink.version="$FLINK_FORMAT_VERSION" \
    -Dflink.build.dir="$FLINK_FORMAT_HOME/build" -Dflink.libs.dir="$staging" \
    dependency:copy-dependencies 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
  smoke_test "$staging"
  rm -rf "$LIB_DIR" "$FLINK_FORMAT_HOME/build"
  mv "$staging" "$LIB_DIR"
  touch "$MARKER"
  log "installed $(find "$LIB_DIR" -name '*.jar' | wc -l) jars ($(du -sh "$LIB_DIR" | cut -f1))"
}

case "${1:-install}" in
  install) install ;;
  classpath) install && classpath ;;
  lib) echo "$LIB_DIR" ;;
  *) echo "usage: $0 [install|classpath|lib]" >&2; exit 2 ;;
esac
