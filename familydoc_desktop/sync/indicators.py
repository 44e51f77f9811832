"""The township's indicator report computed by the sync server (GET /api/v1/reports/indicators),
for `familydoc report --from-server` and the township screens: a county or township account
reads its clinics' figures without any resident's personal data on its PC.

`fetch(client, ...)` asks with an open client; `server_report(db, ...)` uses this PC's login.
Both return the same `domain.report.Report` the PC's own report is, so tables, sheets and
exports are shared."""
from __future__ import annotations

import json
from datetime import date

from familydoc_desktop.domain.report import Report
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import session
from familydoc_desktop.sync.http import AuthExpired, Client, SyncError

PATH = "/reports/indicators"
# The server's grouping words; the PC's `village` is the server's `clinic` (the clinic that
# holds the residents' records: docs/design.md).
SERVER_BY = {"village": "clinic", "clinic": "clinic", "team": "team", "doctor": "doctor"}
BAD_ANSWER = "服务器返回的统计报表无法识别，请确认服务器已升级到最新版本"


def fetch(client: Client, *, on: date | None = None, start: date | None = None,
          end: date | None = None, by: str | None = None, org: str | None = None) -> Report:
    """The server's report for the account's scope (or `org`, a township or clinic code in
    it). Raises SyncError (Chinese) for a refusal (403 out of scope, 422 bad period) or an
    answer that is not a report."""
    params: dict[str, str] = {}
    for name, value in (("on", on), ("from", start), ("to", end)):
        if value is not None:
            params[name] = value.isoformat()
    if by is not None:
        params["by"] = SERVER_BY.get(by, by)
    if org:
        params["org"] = org
    body = client.get(PATH, params)
    try:
        return Report.from_json(json.loads(body))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise SyncError(BAD_ANSWER) from None


def server_report(db: Database, **query) -> Report:  # noqa: ANN003
    """`fetch` with this PC's login; a token the server no longer takes is forgotten (the
    next command asks to log in again). Raises SyncError with the Chinese reason
    (session.NotLoggedIn without a login, as sync/reports.py)."""
    info = session.current(db)
    if info.device_changed:
        raise session.NotLoggedIn(session.DEVICE_CHANGED)
    client = session.make_client(db)
    if client is None:
        raise session.NotLoggedIn(session.NOT_LOGGED_IN)
    try:
        return fetch(client, **query)
    except AuthExpired:
        session.forget_rejected_token(db)
        raise
    finally:
        client.close()
