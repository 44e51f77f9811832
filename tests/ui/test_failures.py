"""One failure path: Chinese wording for every kind of failure, tracebacks in the log file
only, and no personal data or tokens in that file."""
from __future__ import annotations

import errno
import logging
import sys
import threading

import pytest
from sqlalchemy.exc import OperationalError

from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.store import logfile
from familydoc_desktop.ui.taskman import Task, failure_text

from .conftest import wait_tasks

NAME, IDNO, PHONE, TOKEN = "王建国", "11010519491231002X", "13800001111", "abcDEF1234567890xyz"


@pytest.fixture
def log_file(tmp_path):
    path = logfile.setup(tmp_path)
    yield path
    logfile.teardown(path)


@pytest.mark.parametrize("exc, expected", [
    (DomainError("x", "身份证号校验位不对"), "身份证号校验位不对"),
    (IsADirectoryError(21, "Is a directory", "/tmp/a"), "所选路径是一个文件夹，请选择一个文件名。"),
    (PermissionError(13, "Permission denied", "/x"), "没有权限使用这个文件或文件夹，请换一个位置。"),
    (FileNotFoundError(2, "No such file", "/no/x.xlsx"), "文件或所在文件夹不存在，请选择已有的文件夹。"),
    (OSError(errno.ENOSPC, "No space left on device"), "磁盘已满，请清理空间或换一个磁盘。"),
    (OperationalError("UPDATE x", {}, Exception("database is locked")),
     "本机数据库未能完成这一步，数据没有丢失。请重试；若反复出现，请先备份再联系技术支持。"),
    (KeyError("boom"), "出现意外错误，已记入日志（logs/familydoc.log）。已保存的数据是安全的。"),
])
def test_failure_text_is_chinese_and_never_raw(app, exc, expected):
    text = failure_text(exc)
    assert text == expected
    assert "Errno" not in text and "Traceback" not in text


def test_task_failure_goes_to_the_log_with_traceback_and_without_personal_data(
        ctx, qtbot, log_file):
    shown = []

    def work(_p):
        raise RuntimeError(f"bad row {NAME} {IDNO} {PHONE} Bearer {TOKEN}")

    Task(ctx.tasks, work, failure=lambda e: shown.append(failure_text(e))).run()
    wait_tasks(qtbot, ctx)
    assert shown == ["出现意外错误，已记入日志（logs/familydoc.log）。已保存的数据是安全的。"]
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError" in text and "<id>" in text
    for secret in (NAME, IDNO, PHONE, TOKEN):
        assert secret not in text


def test_excepthooks_log_and_show_a_short_message(app, log_file, no_modal_boxes, monkeypatch):
    from familydoc_desktop.ui.app import install_excepthooks

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    install_excepthooks(log_file)
    try:
        raise ValueError(f"{NAME} {PHONE}")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    worker = threading.Thread(target=lambda: 1 / 0, name="worker")
    worker.start()
    worker.join()
    assert no_modal_boxes == [("critical", "家医签约助手",
                               "出现意外错误，已记入日志（logs/familydoc.log）。已保存的数据是安全的。")]
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "uncaught exception" in text and "ZeroDivisionError" in text and "ValueError" in text
    assert NAME not in text and PHONE not in text


def test_the_cli_writes_the_same_log(tmp_path):
    from familydoc_desktop.cli.main import main

    assert main(["--data-dir", str(tmp_path), "init"]) == 0
    path = tmp_path / "logs" / "familydoc.log"
    try:
        assert path.exists()
    finally:
        logfile.teardown(path)
