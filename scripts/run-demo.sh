#!/usr/bin/env bash
# Sets everything up and starts FamilyDoc on a demo township: a local demo database in
# ./demo-data and a sync server on SQLite (./demo-data/server.db) on 127.0.0.1:8765 that the
# app can log in to as demo / demo12345. With no display (a headless server) the window is
# served over VNC on port 5900 instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
DATA=${FAMILYDOC_DEMO_DIR:-$PWD/demo-data}
RESIDENTS=${FAMILYDOC_DEMO_RESIDENTS:-3000}
mkdir -p "$DATA"
BIN=.venv/bin
SERVER_URL="sqlite:///$DATA/server.db"
if [ ! -f "$DATA/server.db" ]; then
  echo "==> demo sync server database"
  $BIN/familydoc-server --database-url "$SERVER_URL" init
  $BIN/familydoc-server --database-url "$SERVER_URL" org add --code 220102000000 --name 示范县 --level county
  $BIN/familydoc-server --database-url "$SERVER_URL" org add --code 220102001000 --name 示范镇卫生院 --level township --parent 220102000000
  $BIN/familydoc-server --database-url "$SERVER_URL" demo --township 220102001000 --residents "$RESIDENTS" --seed 1
  echo demo12345 | $BIN/familydoc-server --database-url "$SERVER_URL" user add --username demo --org 220102001000 --role township_staff --password-stdin
fi
if [ ! -f "$DATA/familydoc.db" ]; then
  echo "==> demo desktop database ($RESIDENTS residents)"
  $BIN/familydoc --data-dir "$DATA" demo --residents "$RESIDENTS" --seed 1
fi
$BIN/familydoc-server --database-url "$SERVER_URL" serve --host 127.0.0.1 --port 8765 > "$DATA/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
echo "==> sync server on http://127.0.0.1:8765 (log: $DATA/server.log; account demo / demo12345)"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "$(uname)" = Linux ]; then
  export QT_QPA_PLATFORM="vnc:size=1366x768:port=5900"
  echo "==> no display: the app is served over VNC on port 5900 (connect a VNC viewer; Ctrl+C stops)"
fi
$BIN/familydoc --data-dir "$DATA" 
