#!/usr/bin/env bash
# Sets everything up and starts FamilyDoc on a demo township: a sync server on SQLite
# (./demo-data/server.db) on 127.0.0.1:8765 holding a generated township, and a PC in
# ./demo-data that logged in to it as demo / demo12345 (the township's staff) and pulled the
# township from it, as a real PC does. Server and PC therefore belong together: logging in
# again asks nothing, and every edit made in the app syncs. With no display (a headless
# server) the window is served over VNC on port 5900 instead.
#
# Settings (environment): FAMILYDOC_DEMO_DIR (./demo-data), FAMILYDOC_DEMO_RESIDENTS (3000),
# FAMILYDOC_DEMO_PORT (8765). FAMILYDOC_DEMO_NO_APP=1 prepares the data and stops without
# starting the app; FAMILYDOC_SKIP_SETUP=1 skips scripts/setup.sh (both for tests).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${FAMILYDOC_SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh
DATA=${FAMILYDOC_DEMO_DIR:-$PWD/demo-data}
RESIDENTS=${FAMILYDOC_DEMO_RESIDENTS:-3000}
PORT=${FAMILYDOC_DEMO_PORT:-8765}
URL="http://127.0.0.1:$PORT"
mkdir -p "$DATA"
BIN=${FAMILYDOC_BIN:-$PWD/.venv/bin}
SERVER_URL="sqlite:///$DATA/server.db"
if [ ! -f "$DATA/server.db" ]; then
  echo "==> demo sync server database ($RESIDENTS residents)"
  "$BIN/familydoc-server" --database-url "$SERVER_URL" init
  "$BIN/familydoc-server" --database-url "$SERVER_URL" org add --code 220102000000 --name 示范县 --level county
  "$BIN/familydoc-server" --database-url "$SERVER_URL" org add --code 220102001000 --name 示范镇卫生院 --level township --parent 220102000000
  "$BIN/familydoc-server" --database-url "$SERVER_URL" demo --township 220102001000 --residents "$RESIDENTS" --seed 1
  echo demo12345 | "$BIN/familydoc-server" --database-url "$SERVER_URL" user add --username demo --org 220102001000 --role township_staff --password-stdin
fi
"$BIN/familydoc-server" --database-url "$SERVER_URL" serve --host 127.0.0.1 --port "$PORT" > "$DATA/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  if "$BIN/python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
      "$URL/api/v1/health" 2>/dev/null; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "同步服务器未能启动，见 $DATA/server.log" >&2; tail -n 20 "$DATA/server.log" >&2; exit 1
  fi
  sleep 0.5
done
echo "==> sync server on $URL (log: $DATA/server.log; account demo / demo12345)"
if [ ! -f "$DATA/familydoc.db" ]; then
  # A new PC: log in on an empty database (nothing to ask) and pull the township.
  echo "==> demo PC: log in as demo and pull the township from the server"
  echo demo12345 | "$BIN/familydoc" --data-dir "$DATA" login --server "$URL" --username demo --password-stdin
  "$BIN/familydoc" --data-dir "$DATA" sync
fi
[ "${FAMILYDOC_DEMO_NO_APP:-}" = 1 ] && exit 0
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "$(uname)" = Linux ]; then
  export QT_QPA_PLATFORM="vnc:size=1366x768:port=5900"
  echo "==> no display: the app is served over VNC on port 5900 (connect a VNC viewer; Ctrl+C stops)"
fi
"$BIN/familydoc" --data-dir "$DATA"
