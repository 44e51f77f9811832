#!/usr/bin/env bash
# One build command from a clean checkout:  bash build_scripts/build.sh
# Creates its own build environment (build/venv, or $BUILD_VENV), installs the app and
# PyInstaller pinned by build_scripts/constraints.txt, builds translations and the icon, the
# one-folder bundle dist/FamilyDoc (FamilyDoc windowed + familydoc-cli console over one shared
# _internal), runs the frozen smoke test (build_scripts/smoke.sh; SKIP_SMOKE=1 skips it), and
# compiles the NSIS installer when makensis is installed (Debian: apt-get install nsis;
# Windows: NSIS 3 from https://nsis.sourceforge.io). docs/build.md has the whole procedure.
# PyInstaller cannot cross-build: on Windows (Git Bash) this gives the Windows program; on
# Linux a Linux build, and makensis still checks the installer script.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
# Debian build hosts: makensis (the installer), a Secret Service for the smoke test (the
# database key lives in the OS credential store) and a C compiler (the spec links a smaller
# ICU data library, build_scripts/trim_icu.py), installed when we may.
if [ "$(uname -s)" = Linux ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  . scripts/apt.sh
  need=()
  for pkg in nsis gnome-keyring dbus-daemon gcc; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
  done
  if ((${#need[@]})); then
    echo "==> apt-get install ${need[*]}"
    apt_get update -qq && apt_get install -y -qq --no-install-recommends "${need[@]}"
  fi
fi
BASE_PY=${PYTHON:-$(command -v python3 || command -v python)}
VENV=${BUILD_VENV:-build/venv}
if [ ! -x "$VENV/bin/python" ] && [ ! -x "$VENV/Scripts/python.exe" ]; then
  echo "==> creating $VENV with $BASE_PY"
  "$BASE_PY" -m venv "$VENV"
fi
PY="$VENV/bin/python"; [ -x "$PY" ] || PY="$VENV/Scripts/python.exe"
echo "==> installing pinned build requirements"
"$PY" -m pip install -q --upgrade pip
"$PY" -m pip install -q -c build_scripts/constraints.txt ".[gui]" pyinstaller
PYTHON="$PY" bash build_scripts/translations.sh --release-only
QT_QPA_PLATFORM=offscreen "$PY" build_scripts/make_icon.py build/familydoc.ico
rm -rf build/pyinstaller dist/FamilyDoc
FAMILYDOC_ICON="$(pwd)/build/familydoc.ico" "$PY" -m PyInstaller --noconfirm \
  --workpath build/pyinstaller --distpath dist build_scripts/familydoc.spec
du -sh dist/FamilyDoc
if [ "${SKIP_SMOKE:-0}" != 1 ]; then bash build_scripts/smoke.sh dist/FamilyDoc; fi
VERSION=$("$PY" -c 'import familydoc_desktop; print(familydoc_desktop.__version__)')
if command -v makensis >/dev/null; then
  makensis -V2 -DVERSION="$VERSION" -DSRCDIR="$(pwd)/dist/FamilyDoc" \
    -DICON="$(pwd)/build/familydoc.ico" \
    -DOUTFILE="$(pwd)/dist/FamilyDoc-$VERSION-setup.exe" build_scripts/familydoc.nsi
  ls -l "dist/FamilyDoc-$VERSION-setup.exe"
else
  echo "makensis not found (Debian: apt-get install nsis; Windows: install NSIS 3): installer not built"
fi
echo "==> build finished in $(( $(date +%s) - started )) s"
