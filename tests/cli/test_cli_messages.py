"""The CLI answers in Chinese even when argparse itself rejects the command line, and a closed
pipe (`familydoc ... | head`) ends quietly instead of with a traceback."""
from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from familydoc_desktop.cli.main import main
from familydoc_desktop.zh_argparse import ChineseArgumentParser


@pytest.mark.parametrize(("argv", "expected"), [
    (["ledger", "--colour", "purple"], "无效的选项 'purple'"),
    (["import"], "缺少必需的参数：file"),
    (["frob"], "无效的选项 'frob'"),
    (["demo", "--residents", "abc"], "无效的整数：'abc'"),
    (["due", "--on", "2026-02-30"], "无效的日期"),
    (["search", "x", "--bogus"], "无法识别的参数：--bogus"),
    (["due", "--on", "9999-12-31"], "晚于2200年"),  # due dates would overflow
    (["due", "--horizon", "999999999"], "天数应在 0 到 3660 之间"),
    (["report", "--to", "9999-12-31"], "晚于2200年"),
])
def test_usage_errors_are_chinese_with_exit_2(argv, expected, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--data-dir", str(tmp_path), *argv])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "用法：" in err and "error:" not in err and "usage:" not in err


def test_help_is_chinese(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["search", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "用法：familydoc search" in out and "显示本帮助并退出" in out and "选项" in out
    assert "options:" not in out and "show this help" not in out


def test_other_parsers_keep_their_language(capsys):
    ChineseArgumentParser(prog="zh").parse_args([])
    plain = argparse.ArgumentParser(prog="plain")
    plain.add_argument("n", type=int)
    with pytest.raises(SystemExit):
        plain.parse_args(["x"])
    assert "invalid int value" in capsys.readouterr().err


def test_closed_pipe_is_not_a_traceback(tmp_path):
    run = [sys.executable, "-m", "familydoc_desktop.cli.main", "--data-dir", str(tmp_path)]
    subprocess.run([*run, "demo", "--residents", "300", "--seed", "1"], check=True,
                   capture_output=True)
    # Read one byte of a long listing, then close our end while familydoc is still writing.
    proc = subprocess.Popen([*run, "--json", "due", "--on", "2026-11-24"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.read(1) == b"["
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_damaged_database_is_a_chinese_message_not_a_traceback(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path / "good"), "demo", "--residents", "60",
                 "--seed", "1"]) == 0
    capsys.readouterr()
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "familydoc.db").write_bytes(b"not a database at all" * 100)
    cut = tmp_path / "cut"  # a power cut in the middle of a copy: header fine, pages gone
    cut.mkdir()
    data = (tmp_path / "good" / "familydoc.db").read_bytes()
    (cut / "familydoc.db").write_bytes(data[:len(data) // 3])
    for folder, command in ((junk, ["search", "王"]), (cut, ["search", "王"]),
                            (cut, ["due"]), (cut, ["backup"])):
        before = (folder / "familydoc.db").read_bytes()
        assert main(["--data-dir", str(folder), *command]) == 1
        err = capsys.readouterr().err
        assert "本地数据库文件已损坏" in err and "familydoc restore" in err, err
        assert "Traceback" not in err
        assert (folder / "familydoc.db").read_bytes() == before  # touched nothing


def test_data_dir_that_is_a_file(tmp_path, capsys):
    (tmp_path / "roster.csv").write_text("姓名\n", encoding="utf-8")
    assert main(["--data-dir", str(tmp_path / "roster.csv"), "init"]) == 1
    assert "是一个文件，不是文件夹" in capsys.readouterr().err


def test_read_only_commands_refuse_a_data_dir_without_a_database(tmp_path, capsys):
    typo = tmp_path / "familydco"  # a mistyped --data-dir
    for command in (["search", "王"], ["due"], ["ledger"], ["backup"], ["report"]):
        assert main(["--data-dir", str(typo), *command]) == 1
        assert "中没有家医签约助手的数据库" in capsys.readouterr().err
    assert not (typo / "familydoc.db").exists()  # no empty database made on the spot
