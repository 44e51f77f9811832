"""The access log can be read (`familydoc audit`, filters by resident and day), the CLI's
resident view is written to it with the logged-in account, and the log is append-only in the
database itself (issue 15)."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from familydoc_desktop.store import engine as dbengine
from familydoc_desktop.cli.main import main
from familydoc_desktop.domain.models import AuditLog
from familydoc_desktop.store import audit, contracts, residents, settings, sickbeds, visits

TODAY = date(2026, 6, 1)
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def rid(cli_db):
    with cli_db.session() as s:
        r = residents.create_resident(s, org_id=cli_db.clinic_id, name="王秀英", sex="female",
                                      id_number=ID_NUMBER, phone="13912345678", today=TODAY)
        residents.add_diagnosis(s, r.id, "hypertension", date(2020, 1, 1), today=TODAY)
        contracts.sign_contract(s, resident_id=r.id, start=date(2026, 1, 1), years=1,
                                consent_by="resident", today=TODAY)
        visits.record_followup(s, resident_id=r.id, kind="hypertension",
                               visit_date=date(2026, 5, 2), method="clinic", sbp=130, dbp=80,
                               today=TODAY)
        bed = sickbeds.admit(s, resident_id=r.id, admitted_on=date(2026, 5, 1),
                             bed_type="rehabilitation", diagnosis="脑卒中恢复期", today=TODAY)
        sickbeds.record_round(s, bed.id, round_date=date(2026, 5, 8), findings="好转",
                              today=TODAY)
        return r.id


def cli(cli_db, capsys, *argv):
    code = main(["--data-dir", str(cli_db.path.parent), "--json", *argv])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 else out.err)


def test_resident_show_prints_the_whole_record_masked_and_is_audited(cli_db, rid, capsys):
    with cli_db.session() as s:
        settings.set_setting(s, "username", "li.doctor")
    code, data = cli(cli_db, capsys, "resident", "show", ID_NUMBER)
    assert code == 0
    person = data["resident"]
    assert person["id"] == rid and person["name"] == "王秀英"
    assert person["id_number"] != ID_NUMBER and person["id_number"].endswith("002X")
    assert "13912345678" not in json.dumps(data) and "id_rev" not in person
    assert [d["condition"] for d in data["diagnoses"]] == ["hypertension"]
    assert len(data["contracts"]) == 1 and data["contracts"][0]["status"] == "active"
    assert [v["visit_date"] for v in data["visits"]] == ["2026-05-02"]
    assert len(data["sickbeds"]) == 1 and len(data["sickbeds"][0]["rounds"]) == 1
    assert data["ledger"] and data["ledger"][-1]["colour"] == "red"  # open sickbed
    code, log = cli(cli_db, capsys, "audit", "--resident", rid)
    assert code == 0
    assert [(e["actor"], e["action"], e["record_id"]) for e in log if e["action"] == "view"] \
        == [("li.doctor", "view", rid)]

    code, data = cli(cli_db, capsys, "resident", "show", rid, "--unmask")
    assert data["resident"]["id_number"] == ID_NUMBER
    code, log = cli(cli_db, capsys, "audit", "--resident", ID_NUMBER)
    assert log[0]["action"] == "view_unmasked"  # newest first
    assert ID_NUMBER not in json.dumps(log)  # the log names the record, not the person


def test_unknown_resident_and_bad_range_are_chinese_errors(cli_db, capsys):
    code, err = cli(cli_db, capsys, "resident", "show", "nobody")
    assert code == 1 and "找不到居民：nobody" in err
    code, err = cli(cli_db, capsys, "audit", "--from", "2026-06-02", "--to", "2026-06-01")
    assert code == 1 and "--from 不能晚于 --to" in err and "Traceback" not in err


def test_audit_filters_by_resident_and_local_days(cli_db):
    with cli_db.session() as s:
        # Entries are written in UTC; --from/--to are this PC's local days. (An entry's time
        # cannot be changed once written, so the old one is written old.)
        a = AuditLog(org_id=cli_db.clinic_id, actor="u1", action="print", table_name="contract",
                     record_id="r-a", created_at=datetime.now(timezone.utc) - timedelta(days=3))
        s.add(a)
        b = audit.log(s, "u2", "export", "resident", "r-b")
    with cli_db.session() as s:
        today = datetime.now().date()
        assert [e.id for e in audit.query(s, record_id="r-b")] == [b.id]
        assert [e.id for e in audit.query(s, start=today, end=today)
                if e.id in (a.id, b.id)] == [b.id]
        three_ago = (datetime.now(timezone.utc) - timedelta(days=3)).astimezone().date()
        assert [e.id for e in audit.query(s, start=three_ago, end=three_ago)] == [a.id]
        assert [e.id for e in audit.query(s, start=today - timedelta(days=10))][:2] == [b.id, a.id]


def test_log_is_append_only_in_the_database(cli_db):
    with cli_db.session() as s:
        entry = audit.log(s, "u1", "export", "resident", "r-1", "导出居民1人")
    with pytest.raises(IntegrityError, match="append-only"), cli_db.session() as s:
        s.execute(text("UPDATE audit_log SET detail = '无' WHERE id = :i"), {"i": entry.id})
    with pytest.raises(IntegrityError, match="append-only"), cli_db.session() as s:
        s.execute(text("DELETE FROM audit_log"))
    # Not only through our code: any other tool (given the key) is refused too.
    con = dbengine.connect(cli_db.path)
    try:
        with pytest.raises(dbengine.IntegrityError, match="append-only"):
            con.execute("DELETE FROM audit_log WHERE id = ?", (entry.id,))
    finally:
        con.close()
    # Sync bookkeeping stays writable: the server's ack sets server_seq.
    with cli_db.session(capture=False) as s:
        s.execute(text("UPDATE audit_log SET server_seq = 7 WHERE id = :i"), {"i": entry.id})
    with cli_db.session() as s:
        rows = audit.entries_for(s, "r-1")
        assert [(r.detail, r.server_seq) for r in rows] == [("导出居民1人", 7)]


def test_cli_search_unmask_and_export_log_the_logged_in_account(cli_db, rid, capsys, tmp_path):
    with cli_db.session() as s:
        settings.set_setting(s, "username", "zhang.doctor")
    code, rows = cli(cli_db, capsys, "search", "王", "--unmask")
    assert code == 0 and rows[0]["id_number"] == ID_NUMBER
    out = tmp_path / "list.csv"
    code, _ = cli(cli_db, capsys, "export", "residents", "--output", str(out))
    assert code == 0
    code, log = cli(cli_db, capsys, "audit", "--resident", rid)
    who = {(e["action"], e["actor"]) for e in log}
    assert ("view_unmasked", "zhang.doctor") in who and ("export_item", "zhang.doctor") in who
    assert all(e["actor"] != "cli" for e in log)
