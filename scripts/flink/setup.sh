#!/usr/bin/env bash
# Installs a local PyFlink (the engine of the original job) for golden-corpus runs and benchmarks:
#   .local/flink/venv                      a Python virtualenv with apache-flink and kafka-python
#   .local/flink/flink-sql-connector-kafka-<CONNECTOR>.jar   the Kafka SQL connector from Maven Central
# Idempotent: re-running checks what is there and installs only what is missing.
# Needs Python 3.9-3.12 with venv, Java 11/17 and Maven (or curl).
#
#   scripts/flink/setup.sh          install (if needed)
#   scripts/flink/setup.sh env      print shell assignments FLINK_VENV, FLINK_PYTHON, FLINK_CONNECTOR_JAR
set -euo pipefail

# ---- pinned versions (the one place they live) ----
FLINK_VERSION="2.2.1"                 # PyPI apache-flink
CONNECTOR_VERSION="5.0.0-2.2"         # org.apache.flink:flink-sql-connector-kafka, built for Flink 2.2
KAFKA_PYTHON_VERSION="2.3.3"          # PyPI kafka-python, for the original producer.py logic

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
FLINK_DIR="$PROJECT_DIR/.local/flink"
VENV="$FLINK_DIR/venv"
PYTHON="${PYTHON:-python3}"
JAR="$FLINK_DIR/flink-sql-connector-kafka-$CONNECTOR_VERSION.jar"
JAR_URL="https://repo1.maven.org/maven2/org/apache/flink/flink-sql-connector-kafka/$CONNECTOR_VERSION/flink-sql-connector-kafka-$CONNECTOR_VERSION.jar"

log() { echo "[flink-setup] $*" >&2; }

if [[ "${1:-}" == env ]]; then
  echo "FLINK_VERSION=$FLINK_VERSION"
  echo "CONNECTOR_VERSION=$CONNECTOR_VERSION"
  echo "FLINK_VENV=$VENV"
  echo "FLINK_PYTHON=$VENV/bin/python"
  echo "FLINK_CONNECTOR_JAR=$JAR"
  exit 0
fi

mkdir -p "$FLINK_DIR"

# ---- virtualenv with apache-flink + kafka-python ----
installed_flink() { "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("apache-flink"))' 2>/dev/null || true; }
installed_kp() { "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("kafka-python"))' 2>/dev/null || true; }

if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
fi
if [[ "$(installed_flink)" != "$FLINK_VERSION" || "$(installed_kp)" != "$KAFKA_PYTHON_VERSION" ]]; then
  log "installing apache-flink==$FLINK_VERSION kafka-python==$KAFKA_PYTHON_VERSION (a few minutes the first time)"
  "$VENV/bin/pip" install -q "apache-flink==$FLINK_VERSION" "kafka-python==$KAFKA_PYTHON_VERSION"
else
  log "apache-flink $FLINK_VERSION and kafka-python $KAFKA_PYTHON_VERSION already in $VENV"
fi

# ---- Kafka SQL connector jar ----
if [[ -s "$JAR" ]]; then
  log "connector already at $JAR"
else
  log "downloading flink-sql-connector-kafka $CONNECTOR_VERSION"
  if command -v mvn >/dev/null && mvn -B -q dependency:copy \
      -Dartifact="org.apache.flink:flink-sql-connector-kafka:$CONNECTOR_VERSION:jar" \
      -DoutputDirectory="$FLINK_DIR" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2 && [[ -s "$JAR" ]]; then
    :
  else
    log "mvn dependency:copy failed; trying curl"
    curl -fsSL -o "$JAR.partial" "$JAR_URL"
    mv "$JAR.partial" "$JAR"
  fi
fi

log "ready: $VENV (apache-flink $(installed_flink)), $JAR"
