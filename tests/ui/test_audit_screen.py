"""The audit screen (issue 15): a view and a reveal of a resident in the app show up with the
signed-in account and the resident's name; a township PC reads its clinics' entries from the
server (a clinic's PC pushed them), and not another township's."""
from __future__ import annotations

import keyring
import pytest

from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store import audit, settings
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import session
from familydoc_desktop.ui.screens.resident_form import ResidentForm
from tests.sync.sync_live import PASSWORD, LiveServer, MemoryKeyring, light_argon2
from tests.ui.conftest import type_text, wait_tasks


def _rows(screen) -> list[tuple[str, ...]]:  # noqa: ANN001
    t = screen.table
    return [tuple(t.item(r, c).text() for c in range(t.columnCount()))
            for r in range(t.rowCount())]


def test_views_and_reveals_are_listed_with_account_and_resident(window, qtbot):
    ctx = window.ctx
    org = ctx.org_id
    with ctx.session() as s:
        settings.set_setting(s, "username", "li.doctor")
        r = Resident(org_id=org, name="欧阳明月", sex="female",
                     id_number="11010519491231002X")
        s.add(r)
        other = Resident(org_id=org, name="司马长风", sex="male")
        s.add(other)
    ctx.reset_identity()
    form = ResidentForm(ctx, r.id, window)
    qtbot.addWidget(form)
    form.reveal()
    form.close()
    screen = window.show_screen("audit")
    wait_tasks(qtbot, ctx)
    rows = _rows(screen)
    assert {(a, act, who) for _, a, act, who, _ in rows} >= {
        ("li.doctor", "查看", "欧阳明月"), ("li.doctor", "显示完整证件号/电话", "欧阳明月")}
    assert screen.status.text() == f"共 {len(rows)} 条（新的在前）"
    # One resident only, by ID number: the other's entries (none here) and nobody else's.
    with ctx.session() as s:
        audit.log(s, "li.doctor", "print", "resident", other.id)
    type_text(qtbot, screen.resident_edit, "11010519491231002X")
    screen.load()
    wait_tasks(qtbot, ctx)
    assert {row[3] for row in _rows(screen)} == {"欧阳明月"}
    screen.resident_edit.setText("999")
    screen.load()
    wait_tasks(qtbot, ctx)
    assert "找不到该居民" in screen.status.text()


def test_a_printed_agreement_is_listed_under_the_resident(window, qtbot, tmp_path):
    from datetime import date

    from familydoc_desktop.store import contracts
    from familydoc_desktop.ui import printing

    ctx = window.ctx
    org = ctx.org_id
    with ctx.session() as s:
        r = Resident(org_id=org, name="慕容秋", sex="female", id_number="11010519491231002X")
        s.add(r)
        s.flush()
        contracts.seed_package_catalogue(s, org)
        c = contracts.sign_contract(s, resident_id=r.id, start=date.today(), years=1,
                                    consent_by="resident")
    printing.agreement_to_pdf(ctx, c.id, tmp_path / "agreement.pdf")
    screen = window.show_screen("audit")
    wait_tasks(qtbot, ctx)
    type_text(qtbot, screen.resident_edit, "11010519491231002X")
    screen.load()
    wait_tasks(qtbot, ctx)
    assert ("打印", "慕容秋", "签约协议书") in {(act, who, d) for _, _, act, who, d in _rows(screen)}


@pytest.fixture
def server(tmp_path):
    from sync_server.core import security
    previous_ring, original_hasher = keyring.get_keyring(), security._hasher
    keyring.set_keyring(MemoryKeyring())
    light_argon2()
    live = LiveServer(tmp_path / "server.db")
    live.setup_world()
    live.start()
    yield live
    live.stop()
    security._hasher = original_hasher
    keyring.set_keyring(previous_ring)


def test_township_reads_its_clinics_audit_from_the_server(window, qtbot, server, tmp_path):
    clinic_dir = tmp_path / "clinic"
    clinic_dir.mkdir()
    clinic = Database(clinic_dir / "familydoc.db")
    try:
        session.login(clinic, server.url, "doc_a1", PASSWORD)
        with clinic.session() as s:
            r = Resident(org_id=server.clinic(), name="上官燕", sex="female")
            s.add(r)
            s.flush()
            audit.log(s, "doc_a1", "reveal", "resident", r.id, org_id=server.clinic())
        session.make_engine(clinic).run()
    finally:
        clinic.close()

    ctx = window.ctx
    session.login(ctx.db, server.url, "town", PASSWORD)
    session.make_engine(ctx.db).run()  # the township PC has the clinic's residents too
    ctx.reset_identity()
    screen = window.show_screen("audit")
    wait_tasks(qtbot, ctx)
    screen.source_combo.setCurrentIndex(screen.source_combo.findData("server"))
    screen.load()
    wait_tasks(qtbot, ctx)
    rows = _rows(screen)
    assert rows, screen.status.text()
    assert ("doc_a1", "显示完整证件号/电话", "上官燕") in {(a, act, who) for _, a, act, who, _ in rows}
    assert all(a != "town" or act != "显示完整证件号/电话" for _, a, act, _, _ in rows)
