#!/usr/bin/env bash
# Installs, starts and stops a single-node Apache Kafka (KRaft) broker on 127.0.0.1 for local runs and tests.
#
#   scripts/kafka/kafka.sh install   resolve the broker's jars from Maven Central and build the IAM validator
#                                    (needs Java 17 + Maven)
#   scripts/kafka/kafka.sh start     install if needed, then start the broker and wait until it serves (idempotent)
#   scripts/kafka/kafka.sh stop      stop the broker and delete its data (KAFKA_KEEP_DATA=1 keeps it for a restart)
#   scripts/kafka/kafka.sh status    exit 0 when the broker is running
#   scripts/kafka/kafka.sh home      print where the broker's jars are installed
#   scripts/kafka/kafka.sh ca        print the path of the CA certificate (PEM) that the IAM listener's TLS uses
#   scripts/kafka/kafka.sh log       print the path of the broker's log
#
# Listeners: PLAINTEXT on 127.0.0.1:$KAFKA_PORT (9092), and SASL_SSL with OAUTHBEARER on $KAFKA_IAM_PORT
# (9098, the MSK IAM port), where MskIamTokenValidator checks MSK IAM tokens for region $KAFKA_IAM_REGION
# against the test identities in scripts/kafka/iam/credentials.properties. That listener's sessions last
# $KAFKA_IAM_REAUTH_MS (15 s), so clients re-authenticate often, as they must on MSK every 15 minutes.
# kafkajs re-authenticates in the last 10 s of a session, so a session must last longer than that: start
# refuses a KAFKA_IAM_REAUTH_MS under $MIN_IAM_REAUTH_MS (see check_settings).
#
# Settings (environment): KAFKA_VERSION, KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_IAM_PORT,
# KAFKA_IAM_REGION, KAFKA_IAM_REAUTH_MS, KAFKA_HOME, KAFKA_DATA_DIR, KAFKA_START_TIMEOUT_S.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"

KAFKA_VERSION="${KAFKA_VERSION:-3.9.2}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_IAM_PORT="${KAFKA_IAM_PORT:-9098}"
KAFKA_IAM_REGION="${KAFKA_IAM_REGION:-us-east-1}"
KAFKA_IAM_REAUTH_MS="${KAFKA_IAM_REAUTH_MS:-15000}"
KAFKA_HOME="${KAFKA_HOME:-$PROJECT_DIR/.local/kafka/$KAFKA_VERSION}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-${TMPDIR:-/tmp}/msk-lambda-stocks-kafka-$KAFKA_PORT}"
KAFKA_START_TIMEOUT_S="${KAFKA_START_TIMEOUT_S:-90}"

RUN_DIR="$KAFKA_DATA_DIR/run"
# kafkajs, the functions' client, re-authenticates a connection once less than its reauthenticationThreshold
# (10 s, node_modules/kafkajs/src/network/connection.js) of the session is left. A session of 10 s or less
# is due again the moment it starts: the client re-authenticates before its first request, the broker
# refuses that ("Request is not valid given the current SASL state") and every connection fails. From 11 s
# each session leaves a second to work in.
KAFKAJS_REAUTH_THRESHOLD_MS=10000
MIN_IAM_REAUTH_MS=11000
PID_FILE="$RUN_DIR/broker.pid"
LOG_FILE="$KAFKA_DATA_DIR/broker.log"
CONFIG_FILE="$RUN_DIR/server.properties"

log() { echo "[kafka] $*" >&2; }

is_port() { [[ "$1" =~ ^[0-9]+$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535)); }

# Each setting checked before anything starts, with what it must be.
check_settings() {
  local name
  for name in KAFKA_PORT KAFKA_CONTROLLER_PORT KAFKA_IAM_PORT; do
    if ! is_port "${!name}"; then
      log "$name must be a port number from 1 to 65535, got \"${!name}\""
      exit 2
    fi
  done
  if [[ "$KAFKA_PORT" == "$KAFKA_CONTROLLER_PORT" || "$KAFKA_PORT" == "$KAFKA_IAM_PORT" || "$KAFKA_CONTROLLER_PORT" == "$KAFKA_IAM_PORT" ]]; then
    log "KAFKA_PORT ($KAFKA_PORT), KAFKA_CONTROLLER_PORT ($KAFKA_CONTROLLER_PORT) and KAFKA_IAM_PORT ($KAFKA_IAM_PORT) must differ"
    exit 2
  fi
  if ! [[ "$KAFKA_IAM_REAUTH_MS" =~ ^[0-9]+$ ]] || ((10#$KAFKA_IAM_REAUTH_MS < MIN_IAM_REAUTH_MS)); then
    log "KAFKA_IAM_REAUTH_MS must be at least $MIN_IAM_REAUTH_MS ms, got \"$KAFKA_IAM_REAUTH_MS\": kafkajs re-authenticates in the last $((KAFKAJS_REAUTH_THRESHOLD_MS / 1000)) s of a session, so a shorter session fails every connection (docs/local-kafka.md)"
    exit 2
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

broker_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

classpath() { echo "$KAFKA_HOME/libs/*:$VALIDATOR_JAR"; }

kafka_java() { java -Dlog4j.configuration="file:$SCRIPT_DIR/log4j.properties" -cp "$(classpath)" "$@"; }

TLS_DIR="$KAFKA_HOME/tls"
# Protects only a throwaway self-signed key for 127.0.0.1; not a secret.
TLS_STORE_PASSWORD="local-kafka-tls"
VALIDATOR_JAR="$KAFKA_HOME/validator/msk-iam-validator.jar"

require_tools() {
  command -v java >/dev/null || { log "java not found: install a JDK 17 (e.g. apt-get install openjdk-17-jdk-headless)"; exit 1; }
  command -v mvn >/dev/null || { log "mvn not found: install Maven (e.g. apt-get install maven)"; exit 1; }
}

maven() {
  # Maven 3.8 prints colour codes even in batch mode; strip them from what reaches the log.
  mvn -B -q -f "$SCRIPT_DIR/pom.xml" -Dkafka.version="$KAFKA_VERSION" "$@" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
}

install() {
  install_broker
  build_validator
  make_certificate
}

build_validator() {
  if [[ -f "$VALIDATOR_JAR" && -z "$(find "$SCRIPT_DIR/src" -type f -newer "$VALIDATOR_JAR")" ]]; then
    return
  fi
  require_tools
  log "building the MSK IAM token validator"
  maven -Dkafka.build.dir="$KAFKA_HOME/build" package
  mkdir -p "$(dirname "$VALIDATOR_JAR")"
  mv "$KAFKA_HOME/build/msk-iam-validator.jar" "$VALIDATOR_JAR"
}

make_certificate() {
  [[ -f "$TLS_DIR/ca.pem" ]] && return
  log "making a self-signed TLS certificate for 127.0.0.1 in $TLS_DIR"
  mkdir -p "$TLS_DIR"
  rm -f "$TLS_DIR/broker.p12"
  keytool -genkeypair -alias broker -keyalg RSA -keysize 2048 -validity 3650 -dname "CN=localhost" \
    -ext "SAN=ip:127.0.0.1,dns:localhost" -ext "BC:c=ca:true" \
    -keystore "$TLS_DIR/broker.p12" -storetype PKCS12 -storepass "$TLS_STORE_PASSWORD" 2>/dev/null
  keytool -exportcert -rfc -alias broker -keystore "$TLS_DIR/broker.p12" -storepass "$TLS_STORE_PASSWORD" \
    -file "$TLS_DIR/ca.pem.partial" 2>/dev/null
  mv "$TLS_DIR/ca.pem.partial" "$TLS_DIR/ca.pem"
}

install_broker() {
  if [[ -f "$KAFKA_HOME/libs/kafka_2.13-$KAFKA_VERSION.jar" ]]; then
    log "Kafka $KAFKA_VERSION already installed in $KAFKA_HOME"
    return
  fi
  require_tools
  log "installing Kafka $KAFKA_VERSION from Maven Central into $KAFKA_HOME"
  mkdir -p "$KAFKA_HOME"
  local staging="$KAFKA_HOME/libs.partial"
  rm -rf "$staging"
  maven -Dkafka.libs.dir="$staging" dependency:copy-dependencies
  rm -rf "$KAFKA_HOME/libs"
  mv "$staging" "$KAFKA_HOME/libs"
  log "installed $(find "$KAFKA_HOME/libs" -name '*.jar' | wc -l) jars"
}

write_config() {
  mkdir -p "$RUN_DIR" "$KAFKA_DATA_DIR/logs"
  cat >"$CONFIG_FILE" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_SSL://127.0.0.1:$KAFKA_IAM_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://127.0.0.1:$KAFKA_IAM_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
# MSK IAM access control, as MSK serves it on port 9098: TLS, then SASL OAUTHBEARER with a SigV4 token.
listener.name.sasl_ssl.sasl.enabled.mechanisms=OAUTHBEARER
# The broker logs in too (unsecuredLoginStringClaim_sub), though it never uses this listener itself.
listener.name.sasl_ssl.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required region="$KAFKA_IAM_REGION" credentialsFile="$SCRIPT_DIR/iam/credentials.properties" unsecuredLoginStringClaim_sub="broker";
listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class=local.msk.iam.MskIamTokenValidator
listener.name.sasl_ssl.oauthbearer.connections.max.reauth.ms=$KAFKA_IAM_REAUTH_MS
listener.name.sasl_ssl.ssl.keystore.type=PKCS12
listener.name.sasl_ssl.ssl.keystore.location=$TLS_DIR/broker.p12
listener.name.sasl_ssl.ssl.keystore.password=$TLS_STORE_PASSWORD
listener.name.sasl_ssl.ssl.key.password=$TLS_STORE_PASSWORD
log.dirs=$KAFKA_DATA_DIR/logs
# Like the original MSK cluster: 2 partitions. Topics are created explicitly (MSK Serverless cannot auto-create).
num.partitions=2
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.ms=604800000
PROPS
}

start() {
  if pid="$(broker_pid)"; then
    log "broker already running (pid $pid) on 127.0.0.1:$KAFKA_PORT"
    return
  fi
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_IAM_PORT"; do
    if port_open "$port"; then
      log "port $port is taken by another process; stop it or set KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_IAM_PORT"
      exit 1
    fi
  done
  install
  write_config
  if [[ -f "$KAFKA_DATA_DIR/logs/meta.properties" ]]; then
    log "reusing the data kept in $KAFKA_DATA_DIR"
  else
    local cluster_id
    cluster_id="$(kafka_java kafka.tools.StorageTool random-uuid 2>>"$LOG_FILE")"
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG_FILE" >>"$LOG_FILE" 2>&1
  fi
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (data and log in $KAFKA_DATA_DIR)"
  LOG_START="$(stat -c %s "$LOG_FILE" 2>/dev/null || echo 0)"
  nohup java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$SCRIPT_DIR/log4j.properties" \
    -cp "$(classpath)" kafka.Kafka "$CONFIG_FILE" >>"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  wait_ready
}

wait_ready() {
  local deadline=$((SECONDS + KAFKA_START_TIMEOUT_S))
  # Only this run's lines count: a restart keeps the log of the run before.
  until tail -c "+$((LOG_START + 1))" "$LOG_FILE" 2>/dev/null | grep -q "Kafka Server started" && port_open "$KAFKA_PORT" && port_open "$KAFKA_IAM_PORT"; do
    if ! broker_pid >/dev/null; then
      log "broker exited during start; last lines of $LOG_FILE:"
      tail -n 30 "$LOG_FILE" >&2 || true
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      log "broker not ready after ${KAFKA_START_TIMEOUT_S}s; stopping it. Its log: $LOG_FILE"
      KAFKA_KEEP_DATA=1 stop
      exit 1
    fi
    sleep 0.3
  done
  log "broker ready on 127.0.0.1:$KAFKA_PORT (PLAINTEXT) and 127.0.0.1:$KAFKA_IAM_PORT (SASL_SSL, MSK IAM)"
}

stop() {
  local pid
  if ! pid="$(broker_pid)"; then
    log "broker not running"
    discard_data
    return
  fi
  log "stopping broker (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "broker did not stop in 30s; killing it"
    kill -KILL "$pid" || true
  fi
  discard_data
  log "stopped"
}

# KAFKA_KEEP_DATA=1 keeps the topics for the next start (a restart); otherwise stop leaves nothing behind.
discard_data() {
  if [[ "${KAFKA_KEEP_DATA:-0}" == 1 ]]; then
    log "kept the data in $KAFKA_DATA_DIR"
  else
    rm -rf "$KAFKA_DATA_DIR"
  fi
}

status() {
  if pid="$(broker_pid)" && port_open "$KAFKA_PORT"; then
    log "running (pid $pid) on 127.0.0.1:$KAFKA_PORT"
  else
    log "not running"
    return 1
  fi
}

case "${1:-}" in
  install) install ;;
  start) check_settings; start ;;
  stop) stop ;;
  status) status ;;
  home) echo "$KAFKA_HOME" ;;
  ca) echo "$TLS_DIR/ca.pem" ;;
  log) echo "$LOG_FILE" ;;
  *) echo "usage: $0 install|start|stop|status|home|ca|log" >&2; exit 2 ;;
esac
