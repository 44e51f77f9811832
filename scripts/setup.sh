#!/usr/bin/env bash
# Sets up a fresh Debian machine (Python 3.11) for FamilyDoc: Qt's system libraries and a CJK
# font from apt, then a virtual environment in .venv with the app, server and test tools.
# Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/apt.sh

APT_PACKAGES=(libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3 libglib2.0-0 fonts-wqy-microhei)
# Callers add their own: the test command adds nsis (the installer script is compiled in a test).
read -r -a extra <<< "${EXTRA_APT_PACKAGES:-}"
APT_PACKAGES+=("${extra[@]}")
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> apt-get install ${missing[*]}"
    apt_get update -qq
    apt_get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "!! missing system packages (install them as root): ${missing[*]}" >&2
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> pip install -e .[gui,server,test]"
.venv/bin/python -m pip install -q -e ".[gui,server,test]"

# Qt Linguist translations: .ts sources -> .qm (committed too, rebuilt here when lrelease exists).
LRELEASE=$(.venv/bin/python - <<'PY'
import pathlib
try:
    import PySide6
except ImportError:
    raise SystemExit
p = pathlib.Path(PySide6.__file__).parent / "lrelease"
print(p if p.exists() else "")
PY
)
if [ -n "$LRELEASE" ]; then
  for ts in resources/translations/*.ts; do
    [ -e "$ts" ] || continue
    "$LRELEASE" -silent "$ts" -qm "${ts%.ts}.qm" || echo "!! lrelease failed for $ts" >&2
  done
fi
echo "==> setup done"
