"""This PC's sync health, sent to the server at the end of every sync round (POST
/sync/report) so the township sees which PCs are behind, whose edits were refused and where
clocks are wrong. Counts, versions, times and Chinese messages only: never personal data.

Sending is best effort: a server that cannot take it (down, older, refusing) never fails the
sync; the next round sends a fresh report anyway.
"""
from __future__ import annotations

import json
import time
from collections import Counter

from familydoc_desktop import SCHEMA_VERSION, __version__
from familydoc_desktop.domain.models import SYNCED_MODELS
from familydoc_desktop.store import changes
from familydoc_desktop.store import set_aside as store_set_aside
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import apply, conflicts, outbox
from familydoc_desktop.sync.http import Client, SyncError
from familydoc_desktop.sync.protocol import MAX_REPORT_REASONS, SyncHealthReport

LAST_ERROR_KEY = "last_sync_error"  # JSON {"message", "at"}: the last round that failed
LAST_DIGEST_KEY = "last_digest_check"  # JSON {"at", "ok"}: the last digest comparison
SEND_TIMEOUT = (5.0, 15.0)  # (connect, read) seconds: a report never holds a sync up long


def _now_ms() -> int:
    return int(time.time() * 1000)


def note_error(db: Database, message: str) -> None:
    """Remember the error a round stopped on (its Chinese message), for the next report."""
    try:
        apply.set_state(db, LAST_ERROR_KEY, json.dumps(
            {"message": message[:500], "at": _now_ms()}, ensure_ascii=False))
    except Exception:  # noqa: BLE001 — remembering an error must not hide the error
        pass


def note_digest(db: Database, ok: bool) -> None:
    apply.set_state(db, LAST_DIGEST_KEY, json.dumps({"at": _now_ms(), "ok": ok}))


def _state(db: Database, key: str) -> dict:
    raw = apply.get_state(db, key)
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def build(db: Database, *, sync_ok: bool, clock_offset_ms: int | None) -> SyncHealthReport:
    with db.session(capture=False) as s:
        pending = outbox.pending_count(s)
        refused = outbox.refused_changes(s)
        set_aside = store_set_aside.count_set_aside(s)
        conn = s.connection()
        records = {m.__tablename__: int(conn.exec_driver_sql(
            f'SELECT count(*) FROM "{m.__tablename__}"').scalar_one()) for m in SYNCED_MODELS}
    reasons = Counter(str(r.get("reason") or "")[:200] for r in refused)
    error, digest = _state(db, LAST_ERROR_KEY), _state(db, LAST_DIGEST_KEY)
    return SyncHealthReport(
        device_id=db.device_id, app_version=__version__, schema_version=SCHEMA_VERSION,
        sync_ok=sync_ok, pending=pending, refused=len(refused),
        refused_reasons=[{"reason": reason, "count": n}
                         for reason, n in reasons.most_common(MAX_REPORT_REASONS)],
        set_aside=set_aside, open_conflicts=conflicts.open_count(db),
        clock_offset_ms=clock_offset_ms, client_time_ms=changes.wall_ms(),
        digest_checked_at=digest.get("at"), digest_ok=digest.get("ok"), records=records,
        last_error=(error.get("message") or None), last_error_at=error.get("at"))


def send(db: Database, client: Client, *, sync_ok: bool) -> bool:
    """Build and send the report; False (and nothing raised) if it could not go."""
    timeout = client.timeout
    try:
        body = build(db, sync_ok=sync_ok, clock_offset_ms=client.clock_offset_ms)
        client.timeout = SEND_TIMEOUT
        client.post("/sync/report", body.model_dump(mode="json"))
        return True
    except (SyncError, ValueError, OSError):
        return False
    except Exception:  # noqa: BLE001 — a report is never worth a failed sync
        return False
    finally:
        client.timeout = timeout
