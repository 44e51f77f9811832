#!/usr/bin/env bash
# Frozen smoke test: runs the built bundle as IT staff and a doctor would, in a scratch data
# folder, and fails on the first thing that does not work.
#   bash build_scripts/smoke.sh [dist/FamilyDoc]
# Checks: both programs answer --version; `demo` builds a small township; a CLI search finds
# residents in it; `selfcheck` opens the main window offscreen (Chinese font, Qt's and the
# app's translations, shipped rule sets, database) and saves a screenshot; the window closes
# with exit code 0; the server is not in the bundle. Prints how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."
# The database key lives in the OS credential store. A headless Linux has none: run under a
# private D-Bus session with gnome-keyring's Secret Service (apt-get install gnome-keyring),
# the same store a Linux desktop uses, so the frozen keyring backend is what gets tested.
if [ "$(uname -s)" = Linux ] && [ -z "${FAMILYDOC_SMOKE_INNER:-}" ]; then
  command -v gnome-keyring-daemon >/dev/null && command -v dbus-run-session >/dev/null \
    || { echo "SMOKE FAILED: needs gnome-keyring and dbus (apt-get install gnome-keyring dbus-daemon)" >&2; exit 1; }
  export FAMILYDOC_SMOKE_INNER=1
  exec dbus-run-session -- bash -c \
    'printf smoke | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec bash "$0" "$@"' \
    "$0" "$@"
fi
BUNDLE=${1:-dist/FamilyDoc}
EXT=""; [ -f "$BUNDLE/FamilyDoc.exe" ] && EXT=".exe"
APP="$BUNDLE/FamilyDoc$EXT"
CLI="$BUNDLE/familydoc-cli$EXT"
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
export HOME="$SCRATCH/home" XDG_CONFIG_HOME="$SCRATCH/config"  # no QSettings of the builder's
mkdir -p "$HOME"
started=$(date +%s)
fail() { echo "SMOKE FAILED: $*" >&2; exit 1; }
step() { echo "==> smoke: $*"; }

step "--version"
"$CLI" --version | grep -q "^familydoc " || fail "familydoc-cli --version"
"$APP" --version | grep -q "^familydoc " || fail "FamilyDoc --version"

step "demo township (300 residents)"
timeout 300 "$CLI" --data-dir "$SCRATCH/data" --json demo --residents 300 --today 2026-06-30 \
  > "$SCRATCH/demo.json" || fail "demo"
grep -q '"resident": 300' "$SCRATCH/demo.json" || fail "demo printed no counts: $(cat "$SCRATCH/demo.json")"

step "CLI search"
found=$(timeout 60 "$CLI" --data-dir "$SCRATCH/data" --json search "" --limit 5)
echo "$found" | grep -q '"name"' || fail "search found nobody: $found"
echo "$found" | grep -qP '[\x{4e00}-\x{9fff}]' || fail "search gave no Chinese names: $found"

step "GUI offscreen: fonts, translations, resources, window, screenshot"
shot="${SMOKE_SCREENSHOT:-dist/smoke-screenshot.png}"
timeout 120 "$CLI" --data-dir "$SCRATCH/data" selfcheck --screenshot "$shot" \
  || fail "selfcheck (see above)"
[ -s "$shot" ] || fail "no screenshot"

step "the server stays out of the desktop bundle"
if find "$BUNDLE" -path '*sync_server*' -o -name 'uvicorn*' | grep -q .; then
  fail "sync_server or uvicorn found in $BUNDLE"
fi
echo "==> smoke passed in $(( $(date +%s) - started )) s (screenshot: $shot)"
