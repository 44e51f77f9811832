"""A REAL sync server for client tests: uvicorn in a background thread on 127.0.0.1 with a
free port over a temporary SQLite file, a county > township > two clinics world with an
account each, and an in-memory keyring. Shared by tests/sync and tests/e2e/test_sync_*."""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from argon2 import PasswordHasher
from keyring.backend import KeyringBackend

from tests.keyring_backend import DB_SERVICE, DatabaseKeyFile

from sync_server.app import create_app
from sync_server.core import security
from sync_server.core.config import Settings
from sync_server.core.db import make_engine, migrate, write_tx
from sync_server.services import accounts

PASSWORD = "secret-pass-1"
ORGS = (  # code, name, level, parent code
    ("431000000000", "测试县", "county", None),
    ("431001100000", "城关镇", "township", "431000000000"),
    ("431001100201", "东村卫生室", "clinic", "431001100000"),
    ("431001100202", "西村卫生室", "clinic", "431001100000"),
)
USERS = (  # username, org code, role
    ("doc_a1", "431001100201", "village_doctor"),
    ("doc_a2", "431001100201", "village_doctor"),
    ("doc_a3", "431001100201", "village_doctor"),
    ("doc_b", "431001100202", "village_doctor"),
    ("town", "431001100000", "township_staff"),
)


class MemoryKeyring(KeyringBackend):
    """A dict-backed keyring: tests never touch a real credential store."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    # The database key stays in the test session's credential store (tests/keyring_backend):
    # a database made before this keyring was swapped in must still open.
    def get_password(self, service: str, username: str) -> str | None:
        if service == DB_SERVICE:
            return DatabaseKeyFile.get(username)
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if service == DB_SERVICE:
            return DatabaseKeyFile.set(username, password)
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


def light_argon2() -> None:
    # Real argon2id with light parameters: tests log in many times.
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    db_path: Path
    port: int = field(default_factory=free_port)
    orgs: dict[str, str] = field(default_factory=dict)  # code -> id
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def setup_world(self) -> None:
        engine = make_engine(self.database_url)
        migrate(engine)
        with write_tx(engine) as conn:
            for code, name, level, parent in ORGS:
                self.orgs[code] = accounts.add_org(conn, code, name, level, parent).id
            for username, org, role in USERS:
                accounts.add_user(conn, username, org, role, PASSWORD)
        engine.dispose()

    def start(self) -> None:
        app = create_app(Settings(database_url=self.database_url))
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("sync server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            engine = getattr(self._server.config.app.state, "engine", None)
            if engine is not None:
                engine.dispose()
            self._server = None

    def restart(self) -> None:
        """A new app instance over the same database file (a server restart)."""
        self.stop()
        self.start()

    def clinic(self, code: str = "431001100201") -> str:
        return self.orgs[code]
