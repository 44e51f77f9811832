#!/usr/bin/env bash
# One build command from a clean checkout:  bash build_scripts/build.sh
# Creates its own build environment (build/venv, or $BUILD_VENV), installs the app and
# PyInstaller pinned by build_scripts/constraints.txt, builds translations, the one-folder
# windowed bundle (dist/FamilyDoc) and the console bundle (dist/FamilyDoc-debug), runs the
# frozen smoke test when build_scripts/smoke.sh exists, and compiles the NSIS installer when
# makensis is installed (Debian: apt-get install nsis; Windows: https://nsis.sourceforge.io).
# PyInstaller cannot cross-build: on Windows (Git Bash) this gives the Windows program; on
# Linux a Linux build, and makensis still checks the installer script.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
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
rm -rf build/pyinstaller build/pyinstaller-debug dist/FamilyDoc dist/FamilyDoc-debug
"$PY" -m PyInstaller --noconfirm --workpath build/pyinstaller --distpath dist \
  build_scripts/familydoc.spec
FAMILYDOC_DEBUG=1 "$PY" -m PyInstaller --noconfirm --workpath build/pyinstaller-debug \
  --distpath dist build_scripts/familydoc.spec
du -sh dist/FamilyDoc dist/FamilyDoc-debug
if [ -f build_scripts/smoke.sh ]; then bash build_scripts/smoke.sh; fi
VERSION=$("$PY" -c 'import familydoc_desktop; print(familydoc_desktop.__version__)')
if command -v makensis >/dev/null; then
  makensis -DVERSION="$VERSION" -DSRCDIR="$(pwd)/dist/FamilyDoc" \
    -DOUTFILE="$(pwd)/dist/FamilyDoc-$VERSION-setup.exe" build_scripts/familydoc.nsi
else
  echo "makensis not found (Debian: apt-get install nsis; Windows: install NSIS 3): installer not built"
fi
echo "==> build finished in $(( $(date +%s) - started )) s"
