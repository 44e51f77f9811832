"""The first start after the upgrade encrypts a plain database with a notice on screen, and
the app opens it with every resident."""
from __future__ import annotations

from sqlmodel import func, select

from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store import engine, keystore
from familydoc_desktop.store.database import Database


def plain_copy(made: Database, target) -> None:  # noqa: ANN001
    """`target`: an unencrypted copy of `made`, as an older version of the app left it."""
    con = engine.connect(made.path, keystore.load_key())
    con.execute("ATTACH DATABASE ? AS plain KEY ''", (str(target),))
    con.execute("SELECT sqlcipher_export('plain')")
    con.commit()
    con.close()


def test_plain_database_is_encrypted_at_start(app, tmp_path):
    from familydoc_desktop.ui.app import open_with_notice

    made = Database(tmp_path / "made.db")
    with made.session() as s:
        for i in range(50):
            s.add(Resident(org_id="o", name=f"居民{i}", sex="male"))
    made.close()
    plain = tmp_path / "data" / "familydoc.db"
    plain.parent.mkdir()
    plain_copy(made, plain)
    assert engine.is_plain(plain)
    db = open_with_notice(plain)
    try:
        assert not engine.is_plain(plain)
        with db.session() as s:
            assert s.exec(select(func.count()).select_from(Resident)).one() == 50
    finally:
        db.close()


def test_encryption_runs_off_the_gui_thread_with_its_steps_shown(app, tmp_path, monkeypatch):
    """While the plain database is encrypted the event loop keeps turning (a GUI timer keeps
    firing) and the progress dialog goes through the steps: backup, database, older backups."""
    import threading
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QProgressDialog

    from familydoc_desktop.ui.app import open_with_notice

    made = Database(tmp_path / "made.db")
    with made.session() as s:
        for i in range(20):
            s.add(Resident(org_id="o", name=f"居民{i}", sex="male"))
    made.close()
    plain = tmp_path / "data" / "familydoc.db"
    (plain.parent / "backups").mkdir(parents=True)
    for target in (plain, plain.parent / "backups" / "familydoc-20260101-000000.db"):
        plain_copy(made, target)

    threads, labels, ticks = set(), [], []
    real_copy = engine.encrypted_copy

    def slow_copy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        threads.add(threading.current_thread() is threading.main_thread())
        time.sleep(0.3)  # long enough for the GUI timer to fire several times meanwhile
        return real_copy(*args, **kwargs)

    monkeypatch.setattr(engine, "encrypted_copy", slow_copy)

    def look() -> None:
        ticks.append(1)
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QProgressDialog) and w.isVisible():
                text = w.labelText().split("\n")[-1]
                if not labels or labels[-1][0] != text:
                    labels.append((text, w.value(), w.maximum()))

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(20)
    try:
        db = open_with_notice(plain, poll_ms=10)
    finally:
        timer.stop()
    try:
        assert threads == {False}  # the copies ran on the worker thread only
        assert len(ticks) >= 10  # ~0.9 s of work, and the GUI timer went on firing
        wanted = [engine.STEP_BACKUP, engine.STEP_DATABASE,
                  engine.STEP_OLD_BACKUP.format(n=1, total=1)]
        shown = [(t, v, m) for t, v, m in labels if t in wanted]
        assert [t for t, _v, _m in shown] == wanted  # each step, in order
        assert [(v, m) for _t, v, m in shown] == [(0, 3), (1, 3), (2, 3)]
        assert db.encryption_backup is not None and db.encryption_backup.exists()
        assert not engine.is_plain(plain)
        assert not engine.is_plain(plain.parent / "backups" / "familydoc-20260101-000000.db")
        with db.session() as s:
            assert s.exec(select(func.count()).select_from(Resident)).one() == 20
        assert not any(isinstance(w, QProgressDialog) and w.isVisible()
                       for w in QApplication.topLevelWidgets())
    finally:
        db.close()


def test_encryption_failure_reaches_the_caller(app, tmp_path, monkeypatch):
    """A failure on the worker thread is raised where Database(path) would raise it, with the
    store's Chinese message, and the plain file is left as it was."""
    import pytest

    from familydoc_desktop.store.errors import StoreError
    from familydoc_desktop.ui.app import open_with_notice

    made = Database(tmp_path / "made.db")
    made.close()
    plain = tmp_path / "data" / "familydoc.db"
    plain.parent.mkdir()
    plain_copy(made, plain)

    def broken(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise StoreError("加密本地数据库时校验失败（familydoc.db），原文件未改动，请联系信息管理员")

    monkeypatch.setattr(engine, "encrypted_copy", broken)
    with pytest.raises(StoreError, match="校验失败"):
        open_with_notice(plain, poll_ms=10)
    assert engine.is_plain(plain)
