#!/usr/bin/env bash
# Sets everything up, then runs the whole test suite: layer contracts (import-linter), then
# pytest (domain, store, sync, server on SQLite and PostgreSQL, headless UI, end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRA_APT_PACKAGES="nsis" bash scripts/setup.sh
bash scripts/postgres.sh || echo "!! PostgreSQL not available: its server tests will be skipped" >&2
export QT_QPA_PLATFORM=offscreen
echo "==> import contracts"
.venv/bin/lint-imports
echo "==> pytest"
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
