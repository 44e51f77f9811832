#!/usr/bin/env bash
# Build the desktop app: translations, the one-folder PyInstaller build (windowed), the
# console debug build beside it, and (when makensis is installed) the Windows installer.
# PyInstaller cannot cross-build: run this on Windows (Git Bash) for a Windows program; on
# Linux it produces a Linux build, and makensis still checks the installer script.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
"$PY" -m pip install -q "pyinstaller>=6.0"
bash build_scripts/translations.sh --release-only
rm -rf build/pyinstaller dist/FamilyDoc dist/FamilyDoc-debug
"$PY" -m PyInstaller --noconfirm --workpath build/pyinstaller --distpath dist \
  build_scripts/familydoc.spec
FAMILYDOC_DEBUG=1 "$PY" -m PyInstaller --noconfirm --workpath build/pyinstaller-debug \
  --distpath dist build_scripts/familydoc.spec
du -sh dist/FamilyDoc dist/FamilyDoc-debug
VERSION=$("$PY" -c 'import familydoc_desktop; print(familydoc_desktop.__version__)')
if command -v makensis >/dev/null; then
  makensis -DVERSION="$VERSION" -DSRCDIR="$(pwd)/dist/FamilyDoc" \
    -DOUTFILE="$(pwd)/dist/FamilyDoc-$VERSION-setup.exe" build_scripts/familydoc.nsi
else
  echo "makensis not found (apt-get install nsis): installer not built"
fi
