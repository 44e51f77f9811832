"""Reports the sync server works out for township and county staff, fetched for the PC:
the sync report (GET /api/v1/reports/sync). Shared by `familydoc sync-report` and the app's
各村同步情况 screen; failures are SyncErrors worded in Chinese."""
from __future__ import annotations

import json

from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import session
from familydoc_desktop.sync.http import AuthExpired, Client, SyncError

STALE_DAYS = 7
MAX_STALE_DAYS = 366
BAD_ANSWER = "同步服务器的回答无法识别，请稍后再试或联系信息科"


def fetch_sync_report(db: Database, *, stale_days: int = STALE_DAYS, org: str | None = None,
                      client: Client | None = None) -> dict:
    """The server's sync report for the signed-in account's scope, as its JSON dict
    ({"clinics": [{"code", "name", "flags", "open_conflicts", "devices": [...]}]}).
    A 401 forgets the stored token (the app then shows "not signed in")."""
    if not 1 <= stale_days <= MAX_STALE_DAYS:
        raise SyncError(f"未同步天数应在 1 到 {MAX_STALE_DAYS} 之间")
    info = session.current(db)
    if info.device_changed:
        raise session.NotLoggedIn(session.DEVICE_CHANGED)
    own = client is None
    client = client or session.make_client(db)
    if client is None:
        raise session.NotLoggedIn(session.NOT_LOGGED_IN)
    params: dict = {"stale_days": stale_days}
    if org:
        params["org"] = org
    try:
        body = client.get("/reports/sync", params)
    except AuthExpired:
        session.forget_rejected_token(db)
        raise
    finally:
        if own:
            client.close()
    try:
        data = json.loads(body)
    except ValueError:
        raise SyncError(BAD_ANSWER) from None
    if not isinstance(data, dict) or not isinstance(data.get("clinics"), list):
        raise SyncError(BAD_ANSWER)
    return data
