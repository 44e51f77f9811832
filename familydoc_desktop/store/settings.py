"""Device settings kept in the sync_state table under a "setting:" prefix: they belong to this
PC (home clinic, server address, rule sets) and never travel over sync."""
from __future__ import annotations

from sqlmodel import Session

from familydoc_desktop.domain.models import SyncState

PREFIX = "setting:"
KNOWN_KEYS = frozenset({"home_org_id", "server_url", "username", "region_preset",
                        "ledger_ruleset", "visits_ruleset", "ca_bundle", "language"})
DEFAULTS = {"region_preset": "fees_jilin", "ledger_ruleset": "ledger_default",
            "visits_ruleset": "visits_default", "language": "zh_CN"}


def _key(key: str) -> str:
    if not key or len(PREFIX + key) > 60:
        raise ValueError(f"设置项名称无效：{key!r}")
    return PREFIX + key


def get_setting(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(SyncState, _key(key))
    if row is not None:
        return row.value
    return default if default is not None else DEFAULTS.get(key)


def set_setting(session: Session, key: str, value: str | None) -> None:
    """Store a value; None removes the setting (back to its default)."""
    row = session.get(SyncState, _key(key))
    if value is None:
        if row is not None:
            session.delete(row)  # device-local row, not synced: a real delete is right
            session.flush()
        return
    if row is None:
        row = SyncState(key=_key(key))
    row.value = str(value)
    session.add(row)
    session.flush()
