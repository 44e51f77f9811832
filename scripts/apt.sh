#!/usr/bin/env bash
# Sourced by setup.sh and postgres.sh: apt-get that waits for a dpkg or apt lock another process
# holds (unattended-upgrades, another install) instead of failing. apt's own lock timeout covers
# the dpkg frontend lock; the retry loop covers the lists lock of `apt-get update` (up to 15 min).
apt_get() {
  local waited=0 out
  while true; do
    if out=$(DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 "$@" 2>&1); then
      [ -n "$out" ] && printf '%s\n' "$out" | grep -v '^$' >&2 || true
      return 0
    fi
    if printf '%s' "$out" | grep -qiE 'could not get lock|unable to lock|is another process using it'; then
      ((waited == 0)) && echo "==> waiting for another package manager to release its lock" >&2
      if ((waited >= 900)); then printf '%s\n' "$out" >&2; return 1; fi
      sleep 5; waited=$((waited + 5)); continue
    fi
    printf '%s\n' "$out" >&2
    return 1
  done
}
