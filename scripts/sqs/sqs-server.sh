#!/usr/bin/env bash
# A real SQS-compatible server on 127.0.0.1 for the local stack: moto's server (PyPI), pinned.
#   scripts/sqs/sqs-server.sh install   install it into .local/sqs/venv
#   scripts/sqs/sqs-server.sh start     start it on 127.0.0.1:$SQS_PORT (9324), in the background
#   scripts/sqs/sqs-server.sh stop      stop it and delete its run folder (log, pid)
#   scripts/sqs/sqs-server.sh status    exit 0 when it answers
#   scripts/sqs/sqs-server.sh endpoint  print its URL
set -euo pipefail
cd "$(dirname "$0")/../.."

MOTO_VERSION="5.2.5"
SQS_PORT="${SQS_PORT:-9324}"
VENV=".local/sqs/venv"
RUN_DIR="${TMPDIR:-/tmp}/msk-lambda-stocks-sqs-$SQS_PORT"
ENDPOINT="http://127.0.0.1:$SQS_PORT"

log() { echo "[sqs] $*" >&2; }
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$SQS_PORT") 2>/dev/null; }

install() {
  if [[ -x "$VENV/bin/moto_server" ]] && "$VENV/bin/python" -c "import moto,sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    return
  fi
  log "installing moto[server]==$MOTO_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION"
}

start() {
  install
  if answers; then log "already running on $ENDPOINT"; return; fi
  mkdir -p "$RUN_DIR"
  nohup "$VENV/bin/moto_server" -H 127.0.0.1 -p "$SQS_PORT" >"$RUN_DIR/server.log" 2>&1 &
  echo $! >"$RUN_DIR/pid"
  for _ in $(seq 1 100); do
    if answers; then log "ready on $ENDPOINT"; return; fi
    sleep 0.2
  done
  log "did not start; see $RUN_DIR/server.log"
  exit 1
}

stop() {
  if [[ -f "$RUN_DIR/pid" ]]; then
    kill "$(cat "$RUN_DIR/pid")" 2>/dev/null || true
  fi
  rm -rf "$RUN_DIR"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) answers ;;
  endpoint) echo "$ENDPOINT" ;;
  *) echo "usage: $0 install|start|stop|status|endpoint" >&2; exit 2 ;;
esac
