"""Set-based inserts (executemany through Core) and the demo-township loader.

Core statements bypass the ORM change capture: `bulk_insert` writes no outbox entry (right
for a local demo, and for rows that came from the server); `insert_with_outbox` writes the
entries and HLC stamps itself, exactly as the capture would, for new local records that sync.
"""
from __future__ import annotations

from datetime import date
from typing import Callable, Iterable

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from familydoc_desktop import rulesets
from familydoc_desktop.demo import DEFAULT_TOWNSHIP_CODE, demo_orgs, generate_township
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.models import (
    SYNCED_TABLES, OutboxEntry, Resident, Synced, SyncState, metadata, utcnow,
)
from familydoc_desktop.store.engine import CACHE_KIB
from familydoc_desktop.store import changes, orgs, settings
from familydoc_desktop.store.search_keys import resident_keys

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 2_000  # residents
DEMO_CACHE_KIB = -256_000
NORMAL_CACHE_KIB = CACHE_KIB  # back to what every connection has (engine.PRAGMAS)


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
    table = metadata.tables[table_name]
    if not _executemany_raw(conn, table, rows):
        conn.execute(insert(table), rows)
    return len(rows)


def _executemany_raw(conn: Connection, table: Table, rows: list[dict]) -> bool:
    """The same INSERT straight through the driver, with the columns' own bind processors
    applied here: SQLAlchemy's per-row parameter handling costs more than SQLite itself.
    Only when every row names every column (no column default to fill in); False otherwise,
    and the caller takes the ordinary path."""
    keys = rows[0].keys()
    columns = [c for c in table.columns if c.key in keys]
    auto = table.autoincrement_column
    if len(columns) != len(keys) or any(c.key not in keys and c is not auto
                                        for c in table.columns) \
            or any(r.keys() != keys for r in rows):
        return False
    dialect = conn.dialect
    names = [c.key for c in columns]
    procs = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    if any(procs):
        columns_values = []
        for name, proc in zip(names, procs):
            values = [r[name] for r in rows]
            columns_values.append([proc(v) for v in values] if proc else values)
        params = list(zip(*columns_values))
    else:
        params = [tuple(r[n] for n in names) for r in rows]
    quote = dialect.identifier_preparer.quote
    conn.exec_driver_sql(
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' * len(names))})", params)
    return True


def insert_with_outbox(session: Session, capture: "changes.ChangeCapture", table_name: str,
                       rows: list[dict]) -> int:
    """Set-based insert of new local records that must sync: each row gets an HLC from the
    device clock and an outbox entry written in the same transaction, exactly as the ORM
    capture would write it (op insert, every field but local and derived ones)."""
    if not rows:
        return 0
    now = utcnow()
    template = _template(table_name)
    full, entries = [], []
    for r in rows:
        row = {**template, **r}
        row.setdefault("id", None)
        if row["id"] is None or row.get("created_at") is None:
            raise ValueError("insert_with_outbox needs id and created_at on every row")
        row["updated_at"] = row.get("updated_at") or row["created_at"]
        row["hlc"] = capture.tick()
        entries.append({**changes.outbox_entry(table_name, row["id"], "insert", row,
                                                base_seq=None, hlc=row["hlc"]),
                        "created_at": now})
        full.append(row)
    bulk_insert(session, table_name, full)
    bulk_insert(session, OutboxEntry.__tablename__, entries)
    state = session.get(SyncState, changes.HLC_KEY) or SyncState(key=changes.HLC_KEY)
    state.value = str(capture.clock.last)
    session.add(state)
    return len(full)


def update_with_outbox(session: Session, capture: "changes.ChangeCapture", table_name: str,
                       updates: list[tuple[Synced, dict]]) -> int:
    """Set-based UPDATE of loaded synced rows, `updates` = [(row, {field: new value})], with
    what the ORM capture would write for each (changes.ChangeCapture.before_flush): a new HLC
    and updated_at on the row, derived search keys recomputed, and an outbox entry (op
    update, the changed fields only, base_seq = the row's server_seq). One executemany per
    set of changed columns. The ORM objects are left as loaded: use them no further."""
    updates = [(obj, changed) for obj, changed in updates if changed]
    if not updates:
        return 0
    table = metadata.tables[table_name]
    now = utcnow()
    groups: dict[tuple, list[dict]] = {}
    entries = []
    for obj, changed in updates:
        if "deleted" in changed:
            raise ValueError("update_with_outbox does not delete: use changes.soft_delete")
        values = dict(changed)
        if table_name == "resident" and values.keys() & {"name", "id_number", "phone"}:
            merged = {k: values.get(k, getattr(obj, k)) for k in ("name", "id_number", "phone")}
            keys = resident_keys(merged["name"], merged["id_number"], merged["phone"])
            values.update((k, v) for k, v in keys.items() if getattr(obj, k) != v)
        values["hlc"] = capture.tick()
        values["updated_at"] = now
        entries.append({**changes.outbox_entry(table_name, obj.id, "update", changed,
                                                base_seq=obj.server_seq, hlc=values["hlc"],
                                                base_hlc=obj.hlc),
                        "created_at": now})
        groups.setdefault(tuple(sorted(values)), []).append({**values, "_id": obj.id})
    conn = session.connection()
    for columns, rows in groups.items():
        stmt = update(table).where(table.c.id == bindparam("_id")).values(
            {c: bindparam(c) for c in columns})
        conn.execute(stmt, rows)
    bulk_insert(session, OutboxEntry.__tablename__, entries)
    state = session.get(SyncState, changes.HLC_KEY) or SyncState(key=changes.HLC_KEY)
    state.value = str(capture.clock.last)
    session.add(state)
    return len(updates)


def default_clinic_count(residents: int) -> int:
    """About one village clinic per 3,000 residents, between 1 and 30."""
    return max(1, min(30, residents // 3000))


def load_demo(db, *, residents: int, seed: int, today: date | None = None,  # noqa: ANN001
              progress: Progress | None = None, n_clinics: int | None = None,
              township_code: str = DEFAULT_TOWNSHIP_CODE) -> dict[str, int]:
    """Create a demo township (orgs, home clinic = first clinic) and its records.

    All or nothing: organisations, settings and every generated row are written in one
    transaction, so a failure, Ctrl+C or power cut part-way leaves the database exactly as
    it was (no half township that then refuses a second try). Refuses a database that
    already holds residents: demo rows on top of real data could not be told apart.
    Returns rows written per table. `progress(done, total)` counts residents."""
    today = today or date.today()
    orgs_list = demo_orgs(seed, township_code, n_clinics or default_clinic_count(residents))
    counts: dict[str, int] = {}
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
        s.flush()
        batches = generate_township(
            residents=residents, seed=seed, clinic_ids=[c["id"] for c in clinics],
            today=today, village_codes=[c["code"] for c in clinics],
            village_names=[c["name"].removesuffix("卫生室") for c in clinics],
            ledger_ruleset=ledger, fees=fees, fee_preset=fee_name)
        conn = s.connection()
        # A big page cache for this one connection: index inserts stop waiting on the disk.
        conn.exec_driver_sql(f"PRAGMA cache_size={DEMO_CACHE_KIB}")
        try:
            done = reported = 0
            for table, rows in batches:
                counts[table] = counts.get(table, 0) + bulk_insert(conn, table, rows)
                if table == "resident":
                    done += len(rows)
                    if progress and done - reported >= PROGRESS_EVERY:
                        progress(done, residents)
                        reported = done
        finally:
            conn.exec_driver_sql(f"PRAGMA cache_size={NORMAL_CACHE_KIB}")
    if progress:
        progress(residents, residents)
    return counts
