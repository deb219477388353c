#!/usr/bin/env bash
# Installs Azurite (the Azure Storage emulator, npm package azurite) and starts its blob service on
# 127.0.0.1:${AZURITE_BLOB_PORT:-10000}. Idempotent: a service already answering there is kept, an
# install already present is reused. The Azure Blob storage tests use the service on that port and
# start one of their own from the same install when none answers. --skipApiVersionCheck: the Azure
# SDK asks for newer service versions than a given Azurite release knows.
set -euo pipefail

AZURITE_HOME="${AZURITE_HOME:-$HOME/.cache/gantry/azurite}"
PORT="${AZURITE_BLOB_PORT:-10000}"
BIN="$AZURITE_HOME/node_modules/.bin/azurite-blob"

answering() {
  # Any HTTP answer (Azurite replies 400 to a bare GET) means the service is up.
  curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/" 2>/dev/null
}

if [ ! -x "$BIN" ]; then
  command -v npm >/dev/null 2>&1 || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  }
  mkdir -p "$AZURITE_HOME"
  npm install --prefix "$AZURITE_HOME" --no-audit --no-fund --loglevel=error azurite >/dev/null
fi

if answering; then
  echo "[azurite] blob service already on 127.0.0.1:$PORT"
  exit 0
fi

DATA="$AZURITE_HOME/data"
mkdir -p "$DATA"
nohup "$BIN" --blobHost 127.0.0.1 --blobPort "$PORT" --location "$DATA" --silent --skipApiVersionCheck \
  >"$AZURITE_HOME/azurite.log" 2>&1 &
echo $! >"$AZURITE_HOME/azurite.pid"
for _ in $(seq 1 30); do
  if answering; then
    echo "[azurite] blob service on 127.0.0.1:$PORT (pid $(cat "$AZURITE_HOME/azurite.pid"))"
    exit 0
  fi
  sleep 1
done
echo "[azurite] the blob service did not answer on 127.0.0.1:$PORT; see $AZURITE_HOME/azurite.log" >&2
exit 1
