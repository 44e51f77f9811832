"""Contract termination with a reason, the printed agreement, and the ledger override with
its mandatory reason."""
from __future__ import annotations

from datetime import date

from tests.ui.conftest import type_text, wait_tasks
from familydoc_desktop.store import contracts, ledger, residents
from familydoc_desktop.ui import printing
from familydoc_desktop.ui.screens.ledger import OverrideDialog
from familydoc_desktop.ui.screens.terminate_dialog import TerminateDialog


def signed_resident(ctx, *, hypertension: bool = True) -> tuple[str, str]:
    with ctx.session() as s:
        r = residents.create_resident(s, org_id=ctx.org_id, name="王秀英",
                                      id_number="11010519491231002X", phone="13800001234")
        if hypertension:
            residents.add_diagnosis(s, r.id, "hypertension", date(2020, 1, 1))
        contracts.seed_package_catalogue(s, ctx.org_id)
        c = contracts.sign_contract(s, resident_id=r.id, start=date.today(), years=2,
                                    consent_by="resident")
        return r.id, c.id


def test_termination_needs_a_reason(ctx, qtbot):
    rid, cid = signed_resident(ctx)
    dialog = TerminateDialog(ctx, cid)
    qtbot.addWidget(dialog)
    dialog.accept()
    assert "解约原因" in dialog.error.text()
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("other"))
    dialog.accept()
    assert "说明" in dialog.error.text()  # "other" needs a note
    type_text(qtbot, dialog.note_edit, "全家外出务工")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.error.text()
    with ctx.session() as s:
        c = s.get(contracts.Contract, cid)
        assert (c.status, c.termination_reason) == ("terminated", "other")


def test_agreement_prints_to_pdf_with_chinese_text(ctx, tmp_path):
    _rid, cid = signed_resident(ctx, hypertension=False)
    html = printing.agreement_html(ctx, cid)
    assert "家庭医生签约服务协议书" in html and "王秀英" in html and "基础性服务包" in html
    pdf = printing.agreement_to_pdf(ctx, cid, tmp_path / "agreement.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5000
    assert b"FontFile" in data  # the CJK font is embedded, not left to the reader


def test_override_needs_a_reason_and_keeps_the_author(window, qtbot):
    ctx = window.ctx
    rid, _cid = signed_resident(ctx)
    screen = window.show_screen("ledger")
    wait_tasks(qtbot, ctx)
    (row,) = screen.model.rows
    assert row.colour == "green"
    dialog = OverrideDialog(ctx, row, screen)
    qtbot.addWidget(dialog)
    dialog.colour_combo.setCurrentIndex(dialog.colour_combo.findData("red"))
    dialog.save()
    assert "原因" in dialog.error.text()
    type_text(qtbot, dialog.reason_edit, "独居，近期跌倒")
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    wait_tasks(qtbot, ctx)
    (row,) = screen.model.rows
    assert row.colour == "red" and row.override
    with ctx.session() as s:
        last = ledger.history(s, rid)[-1]
        assert last.author == ctx.actor and last.override_reason == "独居，近期跌倒"


def test_ledger_pages_as_it_scrolls_and_filters_by_colour_and_village(window, qtbot):
    from datetime import date as day

    from familydoc_desktop.store.bulk import load_demo

    ctx = window.ctx
    load_demo(ctx.db, residents=900, seed=8, today=day.today(), n_clinics=2)
    screen = window.show_screen("ledger")
    screen.model.PAGE = 50
    screen.reload()
    wait_tasks(qtbot, ctx)
    with ctx.session() as s:
        counts = ledger.ledger_counts(s)
        everything = ledger.ledger_rows(s)
    assert screen.model.total == sum(counts.values()) > 100
    assert screen.model.rowCount() == 50 and screen.model.canFetchMore()
    screen.model.fetchMore()
    assert [r.resident_id for r in screen.model.rows] == [r.resident_id for r in everything[:100]]
    while screen.model.canFetchMore():
        screen.model.fetchMore()
    assert screen.model.rowCount() == len(everything)

    assert screen.village_combo.isVisible() is False or screen.village_combo.count() == 3
    village = screen.village_combo.itemData(1)
    screen.village_combo.setCurrentIndex(1)
    screen.colour_combo.setCurrentIndex(screen.colour_combo.findData("yellow"))
    wait_tasks(qtbot, ctx)
    with ctx.session() as s:
        expected = ledger.ledger_counts(s, village_code=village)["yellow"]
        in_village = {r.resident_id for r in ledger.ledger_rows(s, village_code=village)}
    assert screen.model.total == expected > 0
    while screen.model.canFetchMore():
        screen.model.fetchMore()
    assert screen.model.rowCount() == expected
    assert all(r.colour == "yellow" and r.resident_id in in_village for r in screen.model.rows)
