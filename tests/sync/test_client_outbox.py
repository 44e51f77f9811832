"""Outbox reading in mutation order, acknowledgement, and mutation ids that never go back."""
from __future__ import annotations

import json

import pytest

from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import outbox


@pytest.fixture
def db(tmp_path):
    d = Database(tmp_path / "c.db")
    yield d
    d.close()


def _add(db, n: int, start: int = 0) -> list[str]:  # noqa: ANN001
    ids = []
    with db.session() as s:
        for i in range(start, start + n):
            r = Resident(org_id="org", name=f"居民{i}", sex="male")
            s.add(r)
            ids.append(r.id)
    return ids


def test_batches_in_order_and_acknowledge(db):
    _add(db, 7)
    with db.session() as s:
        first = outbox.read_batch(s, limit=3)
        assert [e.mutation_id for e in first] == [1, 2, 3]
        assert [e.mutation_id for e in outbox.read_batch(s, after=3, limit=3)] == [4, 5, 6]
        wire = outbox.wire_batch(first)
        assert wire[0]["op"] == "insert" and wire[0]["changes"]["name"] == "居民0"
        assert outbox.to_mutation(first[0]).changes == wire[0]["changes"]
        assert outbox.acknowledge(s, 3) == 3
    with db.session() as s:
        assert outbox.pending_count(s) == 4
        assert [e.mutation_id for e in outbox.read_batch(s)] == [4, 5, 6, 7]
        assert outbox.acknowledge(s, 2) == 0  # older acknowledgements change nothing


def test_mutation_ids_keep_rising_after_everything_is_acknowledged(db):
    _add(db, 3)
    with db.session() as s:
        outbox.acknowledge(s, 3)
    with db.session() as s:
        assert outbox.pending_count(s) == 0
    _add(db, 2, start=3)
    with db.session() as s:
        # The server has seen mutation 3 from this device: new ids must be above it.
        assert [e.mutation_id for e in outbox.read_batch(s)] == [4, 5]


def test_pending_fields_merge_later_edits(db):
    (rid,) = _add(db, 1)
    with db.session() as s:
        r = s.get(Resident, rid)
        r.phone = "13900000000"
    with db.session() as s:
        r = s.get(Resident, rid)
        r.phone = "13911111111"
        r.note = "新备注"
    with db.session() as s:
        fields = outbox.pending_fields(s)[("resident", rid)]
    assert fields["phone"] == "13911111111" and fields["note"] == "新备注"
    assert fields["name"] == "居民0"
    with db.session() as s:
        outbox.acknowledge(s, 3)
        assert outbox.pending_fields(s) == {}
        kept = s.connection().exec_driver_sql("SELECT changes FROM sync_outbox").all()
    # Acknowledged entries are kept for a server restored from a backup (outbox.RETAIN_*).
    assert len(kept) == 3 and json.loads(kept[0][0])
    saved = outbox.RETAIN_MAX
    outbox.RETAIN_MAX = 0
    try:
        with db.session() as s:
            db_edit = s.get(Resident, rid)
            db_edit.note = "再改"
        with db.session() as s:
            outbox.acknowledge(s, 4)
            kept = s.connection().exec_driver_sql("SELECT changes FROM sync_outbox").all()
    finally:
        outbox.RETAIN_MAX = saved
    assert len(kept) == 1 and json.loads(kept[0][0])  # only the high-water row remains
