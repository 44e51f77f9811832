"""One outbox builder: the ORM hook and the set-based paths give the same entry."""
import json
from datetime import date

from sqlmodel import select

from familydoc_desktop.domain.models import Diagnosis, OutboxEntry, utcnow
from familydoc_desktop.store import bulk, changes, residents


def _entries(db, record_id):
    with db.session() as s:
        return [dict(table=o.table_name, op=o.op, base_seq=o.base_seq,
                     changes=json.loads(o.changes), hlc=o.hlc)
                for o in s.exec(select(OutboxEntry).where(OutboxEntry.record_id == record_id)
                                .order_by(OutboxEntry.mutation_id))]


def test_orm_and_bulk_insert_and_update_give_the_same_entry(db):
    with db.session() as s:
        r = residents.create_resident(s, org_id=db.clinic_id, name="张三", sex="male",
                                      birth_date=date(1950, 1, 1))
        rid = r.id
    now = utcnow()
    fields = dict(org_id=db.clinic_id, resident_id=rid, condition="hypertension",
                  icd10="I10", start_date=date(2020, 1, 1), end_date=None, note=None,
                  created_at=now, updated_at=now, server_seq=7)
    with db.session() as s:
        s.add(Diagnosis(id="orm", **fields))
    with db.session() as s:
        bulk.insert_with_outbox(s, db.capture, "diagnosis", [{**fields, "id": "bulk"}])
    (orm_insert,), (bulk_insert,) = _entries(db, "orm"), _entries(db, "bulk")
    for e in (orm_insert, bulk_insert):
        assert e["op"] == "insert" and e["base_seq"] is None and e["hlc"]
        assert e["changes"].pop("id") in ("orm", "bulk")
        assert e["changes"].pop("hlc") == e.pop("hlc")
        assert "server_seq" not in e["changes"]  # a local column never travels
    assert orm_insert == bulk_insert
    with db.session() as s:
        d = s.get(Diagnosis, "orm")
        d.note, d.end_date = "已控制", date(2025, 1, 1)
        s.add(d)
    with db.session() as s:
        bulk.update_with_outbox(s, db.capture, "diagnosis", [(s.get(Diagnosis, "bulk"), {
            "note": "已控制", "end_date": date(2025, 1, 1)})])
    orm_update, bulk_update = _entries(db, "orm")[1], _entries(db, "bulk")[1]
    for e in (orm_update, bulk_update):
        e.pop("hlc")
    assert orm_update == bulk_update == dict(
        table="diagnosis", op="update", base_seq=7,
        changes={"note": "已控制", "end_date": "2025-01-01"})


def test_builder_drops_local_and_derived_columns():
    entry = changes.outbox_entry("resident", "r1", "update",
                                 {"name": "李四", "initials": "ls", "hlc": "x",
                                  "updated_at": "y", "server_seq": 3},
                                 base_seq=3, hlc="h")
    assert json.loads(entry["changes"]) == {"name": "李四"}
    assert (entry["op"], entry["base_seq"], entry["hlc"]) == ("update", 3, "h")
