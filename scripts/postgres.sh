#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for the server tests. On a fresh
# Debian root machine without one it installs Debian's package, starts the cluster and lets
# local TCP connections in without a password (a test machine only).
set -euo pipefail
ready() { .venv/bin/python - <<'PY'
import sys, psycopg
try:
    psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
except Exception:
    sys.exit(1)
PY
}
cd "$(dirname "$0")/.."
. scripts/apt.sh
ready && exit 0
[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || exit 1
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  echo "==> apt-get install postgresql"
  apt_get update -qq
  apt_get install -y -qq --no-install-recommends postgresql
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -1)
  sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/' "$hba"
fi
pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start 2>/dev/null || true
for _ in $(seq 20); do ready && exit 0; sleep 1; done
exit 1
