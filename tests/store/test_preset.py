"""familydoc.ini: the server address (and CA bundle) IT staff pre-set at install time is read
when the app or a command opens the database, fills in only what this PC has not set, and a
broken file never stops the app."""
from __future__ import annotations

import json

from familydoc_desktop.cli.main import main
from familydoc_desktop.store.preset import apply_preset, preset_locations, read_preset
from familydoc_desktop.store.settings import get_setting, set_setting


def _ini(path, body: str, *, bom: bool = False):
    path.write_bytes(("\ufeff" if bom else "").encode() + body.encode("utf-8"))
    return path


def test_first_start_takes_the_preset(db, tmp_path):
    ini = _ini(tmp_path / "familydoc.ini", "[sync]\nserver_url = https://wsy.example.cn/\n"
               "ca_bundle = C:\\ProgramData\\FamilyDoc\\ca.pem\n", bom=True)
    applied = apply_preset(db, [tmp_path / "missing.ini", ini])
    assert applied == {"server_url": "https://wsy.example.cn",
                       "ca_bundle": "C:\\ProgramData\\FamilyDoc\\ca.pem"}
    with db.session() as s:
        assert get_setting(s, "server_url") == "https://wsy.example.cn"
        assert get_setting(s, "ca_bundle") == "C:\\ProgramData\\FamilyDoc\\ca.pem"


def test_a_doctors_own_setting_is_never_overwritten(db, tmp_path):
    with db.session() as s:
        set_setting(s, "server_url", "http://10.0.0.5:8765")
    ini = _ini(tmp_path / "familydoc.ini", "[sync]\nserver_url = https://wsy.example.cn\n")
    assert apply_preset(db, [ini]) == {}
    with db.session() as s:
        assert get_setting(s, "server_url") == "http://10.0.0.5:8765"


def test_first_file_found_wins(tmp_path):
    a = _ini(tmp_path / "a.ini", "[sync]\nserver_url = https://a.example.cn\n")
    b = _ini(tmp_path / "b.ini", "[sync]\nserver_url = https://b.example.cn\n")
    assert read_preset([a, b]) == ({"server_url": "https://a.example.cn"}, a)


def test_bad_values_and_broken_files_are_skipped(db, tmp_path, caplog):
    bad = _ini(tmp_path / "bad.ini", "[sync]\nserver_url = wsy.example.cn\n"
               "ca_bundle = C:\\ca\x00.pem\n")
    assert read_preset([bad]) == ({}, bad)
    broken = tmp_path / "broken.ini"
    broken.write_bytes(b"\xff\xfe[sync\n")
    assert read_preset([broken]) == ({}, None)
    no_section = _ini(tmp_path / "plain.ini", "server_url = https://x.example.cn\n")
    assert read_preset([no_section]) == ({}, None)  # a key outside [sync] is a parse error
    assert apply_preset(db, [bad, broken]) == {}
    with db.session() as s:
        assert get_setting(s, "server_url") is None
    assert "C:\\ca" not in caplog.text  # values are not logged, only the key name


def test_environment_variable_comes_first(tmp_path, monkeypatch):
    monkeypatch.setenv("FAMILYDOC_INI", str(tmp_path / "x.ini"))
    assert preset_locations()[0] == tmp_path / "x.ini"


def test_cli_reads_the_preset_at_first_start_and_login_uses_it(tmp_path, monkeypatch, capsys):
    ini = _ini(tmp_path / "familydoc.ini", "[sync]\nserver_url = http://127.0.0.1:9\n")
    monkeypatch.setenv("FAMILYDOC_INI", str(ini))
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "--json", "sync-status"]) == 0
    assert json.loads(capsys.readouterr().out)["server_url"] == "http://127.0.0.1:9"
    # `login` without --server goes to the preset address (nothing listens on port 9).
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("pw\n"))
    code = main(["--data-dir", str(data), "login", "--username", "doc", "--password-stdin"])
    assert code == 1
    assert "无法连接同步服务器" in capsys.readouterr().err  # it tried the preset address


def test_login_without_any_server_says_how(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FAMILYDOC_INI", str(tmp_path / "none.ini"))
    monkeypatch.setattr("familydoc_desktop.store.preset.preset_locations",
                        lambda: [tmp_path / "none.ini"])
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("pw\n"))
    code = main(["--data-dir", str(tmp_path / "d"), "login", "--username", "doc",
                 "--password-stdin"])
    assert code == 1
    assert "--server" in capsys.readouterr().err
