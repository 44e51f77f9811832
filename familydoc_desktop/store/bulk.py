"""Set-based inserts (executemany through Core) and the demo-township loader.

Core statements bypass the ORM change capture, so nothing written here goes to the outbox:
right for a local demo, and for rows that came from the server.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Callable, Iterable

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import Session

from familydoc_desktop import rulesets
from familydoc_desktop.demo import DEFAULT_TOWNSHIP_CODE, demo_orgs, generate_township
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.models import (
    SYNCED_TABLES, OutboxEntry, Resident, SyncState, metadata, utcnow,
)
from familydoc_desktop.domain.sync_policy import DERIVED_COLUMNS, LOCAL_COLUMNS
from familydoc_desktop.store import changes, orgs, settings
from familydoc_desktop.store.search_keys import resident_keys

Progress = Callable[[int, int], None]
ROWS_PER_TRANSACTION = 50_000


def _template(table_name: str) -> dict:
    model = SYNCED_TABLES.get(table_name)
    if model is None:
        return {}
    return {name: None if field.is_required() or field.default_factory else field.default
            for name, field in model.model_fields.items()}


def bulk_insert(target: Session | Connection, table_name: str, rows: Iterable[dict]) -> int:
    """INSERT every row with one executemany. Missing columns take the model default;
    residents get their search keys (initials, reversed ID and phone) computed here."""
    rows = list(rows)
    if not rows:
        return 0
    conn = target.connection() if isinstance(target, Session) else target
    template = _template(table_name)
    if template and not rows[0].keys() >= template.keys():  # generated rows are complete
        rows = [{**template, **r} for r in rows]
    if table_name == "resident":
        for r in rows:
            r.update(resident_keys(r.get("name"), r.get("id_number"), r.get("phone")))
    conn.execute(insert(metadata.tables[table_name]), rows)
    return len(rows)


def insert_with_outbox(session: Session, capture: "changes.ChangeCapture", table_name: str,
                       rows: list[dict]) -> int:
    """Set-based insert of new local records that must sync: each row gets an HLC from the
    device clock and an outbox entry written in the same transaction, exactly as the ORM
    capture would write it (op insert, every field but local and derived ones)."""
    if not rows:
        return 0
    now = utcnow()
    template = _template(table_name)
    skip = LOCAL_COLUMNS | DERIVED_COLUMNS.get(table_name, frozenset())
    full, entries = [], []
    for r in rows:
        row = {**template, **r}
        row.setdefault("id", None)
        if row["id"] is None or row.get("created_at") is None:
            raise ValueError("insert_with_outbox needs id and created_at on every row")
        row["updated_at"] = row.get("updated_at") or row["created_at"]
        row["hlc"] = capture.tick()
        wire = {k: changes.to_wire(v) for k, v in row.items() if k not in skip}
        entries.append({"table_name": table_name, "record_id": row["id"], "op": "insert",
                        "changes": json.dumps(wire, ensure_ascii=False, separators=(",", ":")),
                        "base_seq": None, "hlc": row["hlc"], "created_at": now})
        full.append(row)
    bulk_insert(session, table_name, full)
    session.connection().execute(insert(OutboxEntry.__table__), entries)
    state = session.get(SyncState, changes.HLC_KEY) or SyncState(key=changes.HLC_KEY)
    state.value = str(capture.clock.last)
    session.add(state)
    return len(full)


def default_clinic_count(residents: int) -> int:
    """About one village clinic per 3,000 residents, between 1 and 30."""
    return max(1, min(30, residents // 3000))


def load_demo(db, *, residents: int, seed: int, today: date | None = None,  # noqa: ANN001
              progress: Progress | None = None, n_clinics: int | None = None,
              township_code: str = DEFAULT_TOWNSHIP_CODE) -> dict[str, int]:
    """Create a demo township (orgs, home clinic = first clinic) and its records.

    Refuses a database that already holds residents: demo rows on top of real data could
    not be told apart. Returns rows written per table. `progress(done, total)` counts
    residents."""
    today = today or date.today()
    orgs_list = demo_orgs(seed, township_code, n_clinics or default_clinic_count(residents))
    with db.session(capture=False) as s:
        if s.execute(select(func.count()).select_from(Resident)).scalar():
            raise DomainError("demo_not_empty",
                              "数据库中已有居民档案，不能在其上生成演示数据（以免与真实数据混在一起）。"
                              "请使用新的数据目录（--data-dir）。")
        orgs.upsert_orgs(s, orgs_list)
        clinics = orgs_list[1:]
        orgs.set_home_clinic(s, clinics[0]["id"])
        ledger = rulesets.load_ruleset(settings.get_setting(s, "ledger_ruleset"))
        fee_name = settings.get_setting(s, "region_preset")
    fees = rulesets.load_ruleset(fee_name)
    counts: dict[str, int] = {}
    done = 0
    batches = generate_township(
        residents=residents, seed=seed, clinic_ids=[c["id"] for c in clinics], today=today,
        village_codes=[c["code"] for c in clinics],
        village_names=[c["name"].removesuffix("卫生室") for c in clinics],
        ledger_ruleset=ledger, fees=fees, fee_preset=fee_name)
    conn = db.engine.connect()
    try:
        # A big page cache for this one connection: index inserts stop waiting on the disk.
        conn.exec_driver_sql("PRAGMA cache_size=-256000")
        conn.commit()
        pending = 0
        trans = conn.begin()
        for table, rows in batches:
            counts[table] = counts.get(table, 0) + bulk_insert(conn, table, rows)
            pending += len(rows)
            if table == "resident":
                done += len(rows)
            if pending >= ROWS_PER_TRANSACTION:
                trans.commit()
                trans, pending = conn.begin(), 0
                if progress:
                    progress(done, residents)
        trans.commit()
    finally:
        conn.exec_driver_sql("PRAGMA cache_size=-32000")
        conn.close()
    if progress:
        progress(residents, residents)
    return counts
