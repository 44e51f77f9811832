"""Load the deterministic demo township straight into `record`, with set-based inserts.

Uses the same generator as the desktop (familydoc_desktop.demo.generate_township), so a
device that syncs with a demo server sees exactly the township a desktop demo would hold.
"""
from __future__ import annotations

import json
import time
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from familydoc_desktop.demo import demo_orgs, generate_township, village_codes_for
from familydoc_desktop.domain.codes import OrgLevel
from familydoc_desktop.domain.models.base import new_id
from familydoc_desktop.rulesets import load_ruleset
from sync_server import models
from sync_server.core.db import refresh_statistics, sequenced_tx, write_tx
from sync_server.services import accounts, records, tally_fields
from sync_server.services.columns import columns
from sync_server.services.errors import Invalid, NotFound
from sync_server.services.records import ALL_FIELDS

DEMO_DEVICE = "demo"
BATCH = 5000


def _iso(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def ensure_clinics(engine: Engine, township_code: str, n: int, seed: int) -> list[dict]:
    """Village clinics below an existing township (reused when already there)."""
    if not 1 <= n <= 99:
        raise Invalid("村卫生室数量应在 1 到 99 之间")
    o = models.org
    with write_tx(engine) as conn:
        town = accounts.org_by_code(conn, township_code)
        if town is None:
            raise NotFound(f"乡镇机构不存在：{township_code}，请先用 org add 添加")
        if town.level != OrgLevel.TOWNSHIP:
            raise Invalid(f"机构 {township_code} 不是乡镇级机构")
        names = {c["code"]: c["name"] for c in demo_orgs(seed, township_code, n)[1:]}
        clinics = []
        for code in village_codes_for(township_code, n):
            row = conn.execute(select(o).where(o.c.code == code)).first()
            if row is None:
                org_id = new_id()
                conn.execute(insert(o).values(id=org_id, code=code, name=names[code],
                                              level=OrgLevel.CLINIC, parent_id=town.id))
                clinics.append({"id": org_id, "code": code, "name": names[code]})
            elif row.parent_id != town.id:
                raise Invalid(f"机构代码 {code} 已属于其他乡镇")
            else:
                clinics.append({"id": row.id, "code": code, "name": row.name})
    return clinics


def load(engine: Engine, *, township_code: str, residents: int, seed: int, clinics: int = 10,
         today: date | None = None) -> dict:
    started = time.perf_counter()
    found = ensure_clinics(engine, township_code, clinics, seed)
    batches = generate_township(
        residents=residents, seed=seed, clinic_ids=[c["id"] for c in found],
        today=today or date.today(), village_codes=[c["code"] for c in found],
        village_names=[c["name"].removesuffix("卫生室") for c in found],
        ledger_ruleset=load_ruleset("ledger_default"))
    counts: dict[str, int] = {}
    try:
        with sequenced_tx(engine) as (conn, seq):
            insert_rows(conn, seq, batches, counts)
    except IntegrityError:
        raise Invalid("演示数据已经加载过（记录编号由种子决定），请换一个 --seed") from None
    refresh_statistics(engine)
    total = sum(counts.values())
    return {"township": township_code, "clinics": len(found), "residents": residents,
            "records": total, "tables": counts,
            "seconds": round(time.perf_counter() - started, 2)}


_COLUMNS = ("table_name", "id", "org_id", "seq", "hlc", "deleted", "data", "meta",
            "content_hash", "tally", "tally_shape")
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_iso).encode


def insert_rows(conn, seq, batches, counts: dict) -> None:  # noqa: ANN001
    """Generated rows ((table, [row dict...]) batches) into `record` as new records, each
    with every column a write sets (records._values): plain DB-API executemany, the
    set-based path, without per-row SQL construction."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO record ({', '.join(_COLUMNS)})"
           f" VALUES ({', '.join([mark] * len(_COLUMNS))})")
    pending: list[tuple] = []
    for table, rows in batches:
        drop = [name for name in rows[0] if name not in columns(table)] if rows else []
        for row in rows:
            s = seq.next()
            data = row.copy()  # the generator refers back to rows it yielded
            for name in drop:  # id, server_seq and derived search columns
                del data[name]
            hlc = row.get("hlc") or ""
            text = _dumps(data)
            stored = records.loads(text)  # the values as `data` holds them
            pending.append((table, row["id"], row["org_id"], s, hlc, bool(row.get("deleted")),
                            text, _dumps({ALL_FIELDS: [s, hlc, DEMO_DEVICE]}),
                            records.content_hash(table, row["id"], s, stored),
                            *tally_fields.of(table, row["id"], row["org_id"], stored)))
        counts[table] = counts.get(table, 0) + len(rows)
        if len(pending) >= BATCH:
            conn.exec_driver_sql(sql, pending)
            pending = []
    if pending:
        conn.exec_driver_sql(sql, pending)
