"""An interrupted first sync resumes from its last committed page: what the cut line had
delivered of the page in flight is the most that is ever downloaded twice."""
from __future__ import annotations

import pytest
from sqlmodel import func, select

from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import apply, session
from familydoc_desktop.sync.engine import SyncEngine
from familydoc_desktop.sync.http import NETWORK_DOWN, NetworkDown
from tests.sync.sync_live import PASSWORD

PAGE = 10


class CutLine(SyncEngine):
    """Counts every row that came over the line; the `cut_at`-th page arrives whole, then
    the line drops before it can be used (the worst moment for a page in flight)."""

    def __init__(self, *args, cut_at: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cut_at, self.calls, self.received = cut_at, 0, []

    def _get_page(self, since, limit, table=None, skip_own=False):  # noqa: ANN001, ANN201
        page = super()._get_page(since, limit, table, skip_own)
        self.calls += 1
        self.received.extend(rid for tp in page.tables.values()
                             for rid in (row[0] for row in tp.as_rows().rows))
        if self.calls == self.cut_at:
            raise NetworkDown(NETWORK_DOWN)
        return page


@pytest.mark.parametrize("cut_at", [1, 4, 9])
def test_interrupted_first_sync_loses_at_most_one_page(tmp_path, live_server, cut_at):
    home = live_server.clinic()
    (tmp_path / "src").mkdir()
    src = Database(tmp_path / "src" / "familydoc.db")
    session.login(src, live_server.url, "doc_a2", PASSWORD)
    with src.session() as s:
        for i in range(95):
            s.add(Resident(org_id=home, name=f"居民{i}", sex="male"))
    session.make_engine(src, reconcile=False).run()
    src.close()

    (tmp_path / "pc").mkdir()
    db = Database(tmp_path / "pc" / "familydoc.db")
    session.login(db, live_server.url, "doc_a1", PASSWORD)
    token = session.make_engine(db).client.token

    def engine(cut: int | None) -> CutLine:
        return CutLine(db, live_server.url, username="doc_a1", token=token,
                       page_limit=PAGE, first_page_limit=PAGE, reconcile=False, cut_at=cut)

    first = engine(cut_at)
    with pytest.raises(NetworkDown):
        first.run()
    kept = int(apply.get_state(db, apply.CURSOR_KEY, "0"))
    with db.session() as s:
        held = s.exec(select(func.count()).select_from(Resident)).one()
    assert held == PAGE * (cut_at - 1)  # every page before the cut is committed
    second = engine(None)
    report = second.run()
    assert report.pending == 0 and int(apply.get_state(db, apply.CURSOR_KEY)) > kept
    twice = set(first.received) & set(second.received)
    assert len(twice) <= PAGE and len(first.received) == PAGE * cut_at
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Resident)).one() == 95
    check = session.make_engine(db, reconcile=True).run()
    assert check.verified and check.reconciled_tables == []
    db.close()
