"""The resident list model: pages on demand, search and filters through the store, masked
numbers with a logged reveal."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import SIGNAL, Qt

from familydoc_desktop.domain.idcard import check_digit
from familydoc_desktop.store import audit, residents, search
from familydoc_desktop.ui.models.resident_table import ResidentTableModel


def add_people(ctx, n: int) -> None:
    with ctx.session() as s:
        for i in range(n):
            first17 = f"1101051950{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
            residents.create_resident(s, org_id=ctx.org_id, name=f"王{i:04d}",
                                      id_number=first17 + check_digit(first17),
                                      phone=f"138{i:08d}")


def test_pages_load_only_as_the_view_scrolls(ctx):
    add_people(ctx, 450)
    model = ResidentTableModel(ctx.session)
    model.set_query("")
    assert model.total == 450
    assert model.rowCount() == model.PAGE
    assert model.canFetchMore()
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 450 and not model.canFetchMore()
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert names == sorted(names)


def test_search_by_tail_and_masking(ctx):
    add_people(ctx, 30)
    model = ResidentTableModel(ctx.session)
    model.set_query("00000007")  # phone tail
    assert model.total == 1
    assert model.index(0, 4).data() == "138****0007"
    model.set_reveal(True)
    assert model.index(0, 4).data() == "13800000007"


def test_residents_screen_debounces_and_logs_reveal(window, qtbot):
    ctx = window.ctx
    add_people(ctx, 5)
    screen = window.show_screen("residents")
    calls = []
    original = screen.model.set_query
    screen.model.set_query = lambda *a: (calls.append(a), original(*a))
    for ch in "王0003":
        screen.search_edit.insert(ch)
    assert calls == []  # nothing until typing pauses
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=1000)
    assert screen.model.total == 1
    screen.reveal_check.setChecked(True)
    with ctx.session() as s:
        logged = [e for e in s.exec(audit.select(audit.AuditLog)) if e.action == "reveal_list"]
    assert len(logged) == 1


def test_filter_by_contract_status(ctx):
    add_people(ctx, 3)
    with ctx.session() as s:
        rid = search.search_residents(s, "王0001")[0].id
        from familydoc_desktop.store import contracts
        contracts.sign_contract(s, resident_id=rid, start=date.today(), years=1,
                                consent_by="resident")
    model = ResidentTableModel(ctx.session)
    model.set_query("", search.ResidentFilter(contract_status="active"))
    assert model.total == 1 and model.row_at(0).id == rid
    model.set_query("", search.ResidentFilter(contract_status=search.UNSIGNED))
    assert model.total == 2


def test_double_click_opens_a_record_once(window, qtbot, monkeypatch):
    add_people(window.ctx, 3)
    screen = window.show_screen("residents")
    screen._search_now()
    opened = []
    monkeypatch.setattr(screen, "open_resident", lambda rid: opened.append(rid))
    view = screen.view
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3, timeout=5000)
    view.setCurrentIndex(screen.model.index(1, 0))
    # A double-click emits doubleClicked and then activated: only activated may open.
    assert view.receivers(SIGNAL("doubleClicked(QModelIndex)")) == 0
    assert view.receivers(SIGNAL("activated(QModelIndex)")) == 1
    view.doubleClicked.emit(view.currentIndex())
    view.activated.emit(view.currentIndex())
    assert len(opened) == 1
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert len(opened) == 2 and opened[0] == opened[1]
