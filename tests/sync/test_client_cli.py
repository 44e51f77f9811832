"""`familydoc login | sync | sync-status | conflicts | logout` end to end (in-process)."""
from __future__ import annotations

import io
import json

from familydoc_desktop.cli.main import build_parser, main
from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store.database import open_database
from tests.sync.sync_live import PASSWORD


def run(capsys, *argv):  # noqa: ANN001, ANN002, ANN201
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_parser_accepts_json_after_the_command():
    p = build_parser()
    args = p.parse_args(["conflicts", "resolve", "abc12345", "--keep", "local", "--json"])
    assert args.func.__name__ == "cmd_resolve" and args.keep == "local" and args.json
    assert build_parser().parse_args(["conflicts", "--json"]).func.__name__ == "cmd_conflicts"
    assert build_parser().parse_args(["sync", "--json"]).json


def test_sync_before_login_says_so_in_chinese(tmp_path, capsys, memory_keyring):
    code, out, err = run(capsys, "--data-dir", str(tmp_path), "sync")
    assert code == 1 and "尚未登录" in err and out == ""


def test_login_sync_status_and_dead_network(tmp_path, capsys, monkeypatch, live_server):
    d = str(tmp_path / "data")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, out, err = run(capsys, "--data-dir", d, "login", "--server", live_server.url,
                         "--username", "doc_a1", "--password-stdin", "--json")
    assert code == 0, err
    assert json.loads(out)["role"] == "village_doctor"

    db = open_database(d)
    with db.session() as s:
        for i in range(3):
            s.add(Resident(org_id=live_server.clinic(), name=f"居民{i}", sex="male"))
    db.close()

    code, out, _ = run(capsys, "--data-dir", d, "sync-status", "--json")
    status = json.loads(out)
    assert (status["pending"], status["last_sync_at"], status["logged_in"]) == (3, None, True)

    code, out, err = run(capsys, "--data-dir", d, "sync", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["pushed"] == 3 and report["pending"] == 0 and report["conflicts"] == 0
    assert {"pulled", "seconds", "clock_offset_seconds", "clamped"} <= set(report)
    assert err == ""  # no progress bar when stderr is not a terminal

    code, out, _ = run(capsys, "--data-dir", d, "sync-status", "--json")
    status = json.loads(out)
    assert status["pending"] == 0 and status["last_sync_at"]
    code, out, _ = run(capsys, "--data-dir", d, "conflicts", "--json")
    assert json.loads(out) == []
    code, out, _ = run(capsys, "--data-dir", d, "conflicts", "resolve", "0123456789",
                       "--keep", "local")
    assert code == 1
    code, out, _ = run(capsys, "--data-dir", d, "logout")
    assert code == 0 and "已退出登录" in out
    code, out, _ = run(capsys, "--data-dir", d, "sync-status", "--json")
    assert json.loads(out)["logged_in"] is False


def test_dead_network_cli_message(tmp_path, capsys, monkeypatch, live_server):
    d = str(tmp_path / "data")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert run(capsys, "--data-dir", d, "login", "--server", live_server.url,
               "--username", "doc_a2", "--password-stdin")[0] == 0
    db = open_database(d)
    with db.session() as s:
        s.add(Resident(org_id=live_server.clinic(), name="断网", sex="male"))
    db.close()
    live_server.stop()
    code, out, err = run(capsys, "--data-dir", d, "sync")
    assert code == 1
    assert "无法连接同步服务器，数据已保存在本机，网络恢复后会自动同步" in err
    code, out, _ = run(capsys, "--data-dir", d, "sync-status", "--json")
    assert json.loads(out)["pending"] == 1
    live_server.start()
    code, out, _ = run(capsys, "--data-dir", d, "sync", "--json")
    assert code == 0 and json.loads(out)["pushed"] == 1
