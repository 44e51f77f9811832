#!/usr/bin/env bash
# Qt Linguist workflow: extract tr() strings from the UI into the .ts (existing translations
# are kept), then compile the .qm the app loads. Run after changing UI strings; translate new
# entries in Qt Linguist (pyside6-linguist) or by editing the .ts, then run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
BIN=$("$PY" -c 'import pathlib, PySide6; print(pathlib.Path(PySide6.__file__).parent)')
mapfile -t SOURCES < <(find familydoc_desktop/ui -name '*.py' | sort)
if [ "${1:-}" != "--release-only" ]; then
  "$BIN/lupdate" -no-obsolete -locations none "${SOURCES[@]}" -ts resources/translations/familydoc_zh_CN.ts
fi
for ts in resources/translations/*.ts; do
  "$BIN/lrelease" "$ts" -qm "${ts%.ts}.qm"
done
