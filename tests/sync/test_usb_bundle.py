"""USB transfer (issue 15): a PC that logged in once, then has no line, carries its changes to
the township on a stick and brings back what it has not pulled. Twice round, nothing doubled,
each file imported twice; a tampered, misdirected or foreign file is refused in Chinese and
changes nothing."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import func, select

from familydoc_desktop.cli.main import main as client_main
from familydoc_desktop.domain import bundle as fmt
from familydoc_desktop.domain.models import FollowupVisit, Resident
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import outbox, session, usb
from sync_server.cli import main as server_main
from sync_server.core.db import make_engine
from tests.server.server_helpers import assert_all_kept
from tests.sync.sync_live import PASSWORD


def pc(tmp_path, name: str, server, user: str) -> Database:
    folder = tmp_path / name
    folder.mkdir()
    db = Database(folder / "familydoc.db")
    session.login(db, server.url, user, PASSWORD)  # the one time it had a line
    return db


def server_rows(server, table: str = "resident") -> int:
    engine = create_engine(server.database_url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM record WHERE table_name = :t"),
                         {"t": table}).scalar_one()
    engine.dispose()
    return n


def srv(server, capsys, *argv: str) -> tuple[int, dict | str]:
    code = server_main(["--database-url", server.database_url, *argv, "--json"])
    out = capsys.readouterr()
    return code, json.loads(out.out) if code == 0 else out.err


def count(db: Database, model) -> int:  # noqa: ANN001
    with db.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def add_residents(db: Database, org: str, names: list[str]) -> None:
    with db.session() as s:
        for n in names:
            s.add(Resident(org_id=org, name=n, sex="female"))


def test_usb_round_trip_twice_nothing_doubled(live_server, tmp_path, capsys):
    clinic = live_server.clinic()
    village = pc(tmp_path, "village", live_server, "doc_a1")
    online = pc(tmp_path, "online", live_server, "doc_a2")  # a colleague who has a line
    try:
        for round_no in (1, 2):
            add_residents(village, clinic, [f"村{round_no}-{i}" for i in range(30)])
            with village.session() as s:
                rid = s.exec(select(Resident.id).where(Resident.name == f"村{round_no}-0")).one()
                s.add(FollowupVisit(org_id=clinic, resident_id=rid, kind="hypertension",
                                    visit_date=date(2026, 5, round_no), method="home",
                                    sbp=130, dbp=80))
            add_residents(online, clinic, [f"镇{round_no}-{i}" for i in range(5)])
            session.make_engine(online, reconcile=False).run()

            up = tmp_path / f"up{round_no}.fdbundle"
            assert client_main(["--data-dir", str(village.path.parent), "--json", "bundle",
                                "export", "--output", str(up)]) == 0
            sent = json.loads(capsys.readouterr().out)
            assert sent["mutations"] == 31
            assert "村" not in up.read_text(encoding="ascii")  # sealed: no name in the clear

            code, first = srv(live_server, capsys, "bundle", "import", str(up))
            assert code == 0, first
            assert (first["applied"], first["duplicates"]) == (31, 0)
            before = server_rows(live_server)
            code, again = srv(live_server, capsys, "bundle", "import", str(up))
            assert code == 0 and (again["applied"], again["duplicates"]) == (0, 31)
            assert server_rows(live_server) == before == 35 * round_no

            down = tmp_path / f"down{round_no}.fdbundle"
            code, info = srv(live_server, capsys, "bundle", "export", "--device",
                             village.device_id, "--output", str(down))
            assert code == 0, info
            got = usb.import_bundle(village, down)
            assert got["acknowledged"] == 31 and got["pending"] == 0
            assert count(village, Resident) == 35 * round_no  # the colleague's arrived
            again = usb.import_bundle(village, down)  # the same file twice
            assert again["rows"] == 0 and again["acknowledged"] == 0
            assert count(village, Resident) == 35 * round_no
            assert count(village, FollowupVisit) == round_no
        with village.session() as s:
            assert outbox.pending_count(s) == 0
            assert s.exec(select(func.count()).select_from(Resident)
                          .where(Resident.server_seq.is_(None))).one() == 0
        assert server_rows(live_server, "followup_visit") == 2
        # Imported records keep the indicator tally's array like pushed ones (migration 0012).
        engine = make_engine(live_server.database_url)
        try:
            assert assert_all_kept(engine) == 35 * 2 + 2
        finally:
            engine.dispose()
        # The server saw the USB device like any other: its last-seen time moved.
        code, devices = srv(live_server, capsys, "device", "list")
        assert any(d["id"] == village.device_id and d["last_seen"] for d in devices)
    finally:
        village.close()
        online.close()


def _tamper(path, tmp_path, name: str):  # noqa: ANN001, ANN202
    env = json.loads(path.read_text())
    raw = bytearray(fmt.unb64(env["ciphertext"]))
    raw[len(raw) // 2] ^= 0x01
    env["ciphertext"] = fmt.b64(bytes(raw))
    bad = tmp_path / name
    bad.write_text(json.dumps(env))
    return bad


def test_tampered_misdirected_and_foreign_bundles_are_refused(live_server, tmp_path, capsys):
    clinic = live_server.clinic()
    a = pc(tmp_path, "a", live_server, "doc_a1")
    b = pc(tmp_path, "b", live_server, "doc_a2")
    stranger = Database(tmp_path / "stranger.db")  # never logged in: no keys
    try:
        add_residents(a, clinic, ["甲", "乙"])
        up = tmp_path / "up.fdbundle"
        usb.export_bundle(a, up)
        bad = _tamper(up, tmp_path, "bad-up.fdbundle")
        code, err = srv(live_server, capsys, "bundle", "import", str(bad))
        assert code == 1 and "已被改动或损坏" in err
        assert server_rows(live_server) == 0  # nothing applied
        # A bundle for the PC imported on the server, and the server's on the wrong PC.
        down_b = tmp_path / "down-b.fdbundle"
        assert srv(live_server, capsys, "bundle", "export", "--device", b.device_id,
                   "--output", str(down_b))[0] == 0
        code, err = srv(live_server, capsys, "bundle", "import", str(down_b))
        assert code == 1 and "应在卫生室电脑上导入" in err
        with pytest.raises(fmt.BundleError, match="不是发给本机的"):
            usb.import_bundle(a, down_b)
        with pytest.raises(fmt.BundleError, match="已被改动或损坏"):
            usb.import_bundle(b, _tamper(down_b, tmp_path, "bad-down.fdbundle"))
        with pytest.raises(fmt.BundleError, match="应在服务器上导入"):
            usb.import_bundle(a, up)
        not_bundle = tmp_path / "roster.xlsx"
        not_bundle.write_bytes(b"PK\x03\x04 not a bundle")
        with pytest.raises(fmt.BundleError, match="不是家医签约助手的U盘同步文件"):
            usb.import_bundle(a, not_bundle)
        with pytest.raises(fmt.BundleError, match="请先在有网络时登录"):
            usb.export_bundle(stranger, tmp_path / "x.fdbundle")
        # A bundle from another server (its own keys) is refused like a tampered one.
        other_server = fmt.KeyPair.generate()
        keys = json.loads(usb.apply.get_state(b, usb.KEYS))
        forged = fmt.seal({"since": 0, "pages": [], "last_mutation_id": 99},
                          direction=fmt.TO_DEVICE, device_id=b.device_id, created_ms=1,
                          recipient_box_public=fmt.KeyPair(keys["sign"], keys["box"]).public()[1],
                          sender_sign_private=other_server.sign)
        (tmp_path / "forged.fdbundle").write_bytes(forged)
        with pytest.raises(fmt.BundleError, match="已被改动或损坏"):
            usb.import_bundle(b, tmp_path / "forged.fdbundle")
        # The same from the CLI: Chinese message, exit 1.
        capsys.readouterr()
        assert client_main(["--data-dir", str(b.path.parent), "bundle", "import",
                            str(tmp_path / "forged.fdbundle")]) == 1
        assert "已被改动或损坏" in capsys.readouterr().err
        with a.session() as s:
            assert outbox.pending_count(s) == 2  # still waiting for the real answer
    finally:
        a.close()
        b.close()
        stranger.close()


def test_export_for_a_clinic_picks_its_one_usb_pc(live_server, tmp_path, capsys):
    a = pc(tmp_path, "a", live_server, "doc_a1")
    try:
        out = tmp_path / "for-clinic.fdbundle"
        code, info = srv(live_server, capsys, "bundle", "export", "--org", "431001100201",
                         "--output", str(out))
        assert code == 0 and info["device_id"] == a.device_id
        assert usb.import_bundle(a, out)["pending"] == 0
        b = pc(tmp_path, "b", live_server, "doc_a2")  # a second USB PC in the clinic
        b.close()
        code, err = srv(live_server, capsys, "bundle", "export", "--org", "431001100201",
                        "--output", str(out))
        assert code == 1 and "请用 --device 指定" in err
        code, err = srv(live_server, capsys, "bundle", "export", "--output", str(out))
        assert code == 1 and "二选一" in err
    finally:
        a.close()


def test_usb_pc_is_in_the_sync_report_like_any_other(live_server, tmp_path, capsys):
    """The bundle carries the PC's sync-health report: after the import the township's sync
    report lists the USB PC as synced (not "7天内没有同步"), marked U盘, with its counts."""
    clinic = live_server.clinic()
    village = pc(tmp_path, "village", live_server, "doc_a1")
    try:
        def device() -> dict:
            code, rep = srv(live_server, capsys, "report", "sync", "--org", "431001100201")
            assert code == 0, rep
            [c] = rep["clinics"]
            return c, next(d for d in c["devices"] if d["device_id"] == village.device_id)

        clinic_row, before = device()
        assert before["last_sync_at"] is None and "not_synced" in clinic_row["flags"]
        add_residents(village, clinic, ["村甲", "村乙"])
        up = tmp_path / "up.fdbundle"
        usb.export_bundle(village, up)
        code, done = srv(live_server, capsys, "bundle", "import", str(up))
        assert code == 0, done
        clinic_row, after = device()
        assert after["channel"] == "usb" and after["last_sync_at"] is not None
        assert after["pending"] == 0 and after["records"]["resident"] == 2
        assert after["clock_offset_seconds"] is None
        assert "not_synced" not in after["flags"] and "not_synced" not in clinic_row["flags"]
        code = server_main(["--database-url", live_server.database_url, "report", "sync",
                            "--org", "431001100201"])
        assert code == 0 and "（U盘）" in capsys.readouterr().out
    finally:
        village.close()


def test_conflict_decided_offline_travels_in_the_usb_file(live_server, tmp_path, capsys):
    """A conflict the USB PC decides with no line goes up in its file, the server applies the
    decision (once, even if the file is imported twice), and the return file settles it on
    the PC: nothing left queued, every PC ends with the kept value."""
    from familydoc_desktop.domain.models import SyncConflict
    from familydoc_desktop.sync import conflicts

    clinic = live_server.clinic()
    village = pc(tmp_path, "village", live_server, "doc_a1")
    online = pc(tmp_path, "online", live_server, "doc_a2")
    try:
        def net(db: Database) -> None:
            session.make_engine(db, reconcile=False).run()

        add_residents(village, clinic, ["张三"])
        net(village)  # it still had a line here
        net(online)
        with village.session() as s:
            rid = s.exec(select(Resident.id)).one()
        with online.session() as s:  # the name is a field a person reviews
            s.get(Resident, rid).name = "张叁"
        with village.session() as s:
            s.get(Resident, rid).name = "章三"
        net(online)
        net(village)  # the village's edit meets the other: a conflict, then the line goes
        [c] = conflicts.list_conflicts(village)
        assert conflicts.resolve(village, c.id, "local") == "queued"  # no client: offline

        up = tmp_path / "up.fdbundle"
        assert usb.export_bundle(village, up)["resolutions"] == 1
        code, first = srv(live_server, capsys, "bundle", "import", str(up))
        assert code == 0 and first["resolutions"] == 1, first
        code, again = srv(live_server, capsys, "bundle", "import", str(up))
        assert code == 0 and again["resolutions"] == 0  # already decided: passed over

        down = tmp_path / "down.fdbundle"
        code, info = srv(live_server, capsys, "bundle", "export", "--device",
                         village.device_id, "--output", str(down))
        assert code == 0, info
        got = usb.import_bundle(village, down)
        assert got["resolutions_settled"] == 1
        assert conflicts.pending_resolutions(village) == {}
        net(online)
        for db in (village, online):
            with db.session() as s:
                assert s.get(Resident, rid).name == "章三"
                assert s.get(SyncConflict, c.id).status == "resolved"
    finally:
        village.close()
        online.close()


def test_a_bundle_with_malformed_resolutions_is_refused(live_server, tmp_path, capsys,
                                                        monkeypatch):
    village = pc(tmp_path, "village", live_server, "doc_a1")
    try:
        monkeypatch.setattr(usb.conflicts, "pending_resolutions",
                            lambda db: {"x" * 80: "local", "c1": "both"})
        up = tmp_path / "up.fdbundle"
        usb.export_bundle(village, up)
        code, err = srv(live_server, capsys, "bundle", "import", str(up))
        assert code != 0 and err, err
    finally:
        village.close()


def test_usb_pc_resyncs_with_a_restored_server(live_server, tmp_path, capsys):
    """The server is restored from a backup older than the USB PC's last file: sequence
    numbers get reused, so the PC must not trust its cursor. Its next return file says which
    epoch the server is in; the PC requeues what the server lost and asks, in Chinese, for a
    file from the start; the round after that converges with nothing lost or doubled."""
    clinic = live_server.clinic()
    village = pc(tmp_path, "village", live_server, "doc_a1")
    online = pc(tmp_path, "online", live_server, "doc_a2")

    def usb_round(since: str | None = None) -> dict:
        up = tmp_path / "up.fdbundle"
        usb.export_bundle(village, up)
        code, info = srv(live_server, capsys, "bundle", "import", str(up))
        assert code == 0, info
        down = tmp_path / "down.fdbundle"
        extra = ["--since", since] if since is not None else []
        code, info = srv(live_server, capsys, "bundle", "export", "--device",
                         village.device_id, "--output", str(down), *extra)
        assert code == 0, info
        return usb.import_bundle(village, down)

    def names(db: Database) -> set[str]:
        with db.session() as s:
            return set(s.exec(select(Resident.name)))

    try:
        add_residents(village, clinic, ["村一"])
        usb_round()
        backup = tmp_path / "before.db"
        assert server_main(["--database-url", live_server.database_url, "backup", "--output",
                            str(backup)]) == 0
        capsys.readouterr()
        add_residents(village, clinic, ["村二"])  # reaches the server after the backup only
        usb_round()
        live_server.stop()
        assert server_main(["--database-url", live_server.database_url, "restore",
                            str(backup)]) == 0
        live_server.start()
        capsys.readouterr()
        # Meanwhile a colleague with a line adds records: the reused sequence numbers.
        add_residents(online, clinic, ["镇一", "镇二", "镇三"])
        session.make_engine(online, reconcile=False).run()
        assert server_rows(live_server) == 4  # 村二 was lost with the restore

        with pytest.raises(fmt.BundleError, match="已从备份恢复") as refused:
            usb_round()
        assert "--since 0" in str(refused.value) and "缺少的 1 条" in str(refused.value)
        with pytest.raises(fmt.BundleError) as again:  # the same old file once more
            usb.import_bundle(village, tmp_path / "down.fdbundle")
        assert str(again.value) == str(refused.value)
        with village.session() as s:
            assert outbox.pending_count(s) >= 1  # 村二 goes up again
        got = usb_round(since="0")
        assert got["pending"] == 0
        assert names(village) == {"村一", "村二", "镇一", "镇二", "镇三"}
        assert server_rows(live_server) == 5  # nothing doubled
        session.make_engine(online, reconcile=False).run()
        assert names(online) == names(village)
        assert usb_round()["rows"] == 0  # in step again: an ordinary round
    finally:
        village.close()
        online.close()
