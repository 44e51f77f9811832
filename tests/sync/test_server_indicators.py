"""`familydoc report --from-server` (issue 10): a township or county PC reads the indicators
the sync server computes for its scope, without any resident's data on the PC; the same
table, JSON and export as the PC's own report."""
from __future__ import annotations

import json
from datetime import date

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain.models import Contract, Resident
from familydoc_desktop.store.database import Database
from familydoc_desktop.store.report import township_report
from familydoc_desktop.sync import indicators, session
from tests.sync.sync_live import PASSWORD

ON = date(2026, 6, 30)


def _pc(tmp_path, live_server, user: str) -> Database:
    (tmp_path / user).mkdir()
    db = Database(tmp_path / user / "familydoc.db")
    session.login(db, live_server.url, user, PASSWORD)
    return db


def _cli(capsys, *argv):  # noqa: ANN001, ANN002, ANN202
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_township_pc_reads_the_servers_report(tmp_path, live_server, capsys):
    east = _pc(tmp_path, live_server, "doc_a1")
    try:
        home = live_server.clinic()
        with east.session() as s:
            for n, name in enumerate(("王五", "李四", "赵六")):
                r = Resident(org_id=home, name=name, sex="male", birth_date=date(1940, 1, 1 + n),
                             village_code="431001100201")
                s.add(r)
                s.flush()
                if n < 2:
                    s.add(Contract(org_id=home, resident_id=r.id, start_date=date(2026, 1, 1),
                                   end_date=date(2026, 12, 31), term_years=1, status="active",
                                   consent_by="resident"))
        session.make_engine(east, reconcile=True).run()
        with east.session() as s:
            own = township_report(s, on=ON).to_json()
    finally:
        east.close()
    assert (own["rows"][0]["on_file"], own["rows"][0]["signed"]) == (3, 2)

    town = _pc(tmp_path, live_server, "town")  # logged in, never synced: no residents here
    try:
        report = indicators.server_report(town, on=ON, by="village")
        with town.session() as s:
            assert s.query(Resident).count() == 0
    finally:
        town.close()
    assert report.total.values == {k: v for k, v in own["rows"][0].items()
                                   if k not in ("key", "label")}
    assert [r.key for r in report.rows] == [None, "431001100201"]  # village = clinic

    data = str(tmp_path / "town")
    code, out, err = _cli(capsys, "--data-dir", data, "--json", "report", "--from-server",
                          "--on", "2026-06-30")
    assert code == 0, err
    assert json.loads(out) == own
    code, out, _ = _cli(capsys, "--data-dir", data, "report", "--from-server", "--on",
                        "2026-06-30", "--by", "village")
    assert code == 0 and out.startswith("家庭医生签约服务统计报表") and "东村" in out
    sheet = tmp_path / "town.xlsx"
    code, _, err = _cli(capsys, "--data-dir", data, "report", "--from-server", "--on",
                        "2026-06-30", "--output", str(sheet))
    assert code == 0 and sheet.exists(), err
    code, _, err = _cli(capsys, "--data-dir", data, "report", "--org", "431001100202")
    assert code == 1 and "--org 只能与 --from-server 一起使用" in err

    # A village doctor: their clinic only; another clinic is refused in Chinese.
    doc = str(tmp_path / "doc_a1")
    code, out, _ = _cli(capsys, "--data-dir", doc, "--json", "report", "--from-server",
                        "--on", "2026-06-30")
    assert code == 0 and json.loads(out)["rows"][0]["on_file"] == 3
    code, _, err = _cli(capsys, "--data-dir", doc, "report", "--from-server", "--org",
                        "431001100202")
    assert code == 1 and "无权访问该机构的数据" in err
    code, _, err = _cli(capsys, "--data-dir", data, "report", "--from-server", "--from",
                        "2026-07-01", "--to", "2026-06-01", "--on", "2026-06-30")
    assert code == 1 and "统计期的开始日期不能晚于结束日期" in err
