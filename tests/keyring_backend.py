"""The test run's credential store (PYTHON_KEYRING_BACKEND, set in tests/conftest.py, so
subprocesses of a test use it too). Never the developer's real keyring:

- the database key (service FamilyDoc-database) lives in a JSON file in the folder named by
  $FAMILYDOC_TEST_KEYRING_DIR, made once per test session outside every data directory: it
  plays the PC's credential store, shared by the test process and the CLI it starts;
- everything else (sync tokens) goes to the backend named by $FAMILYDOC_TEST_TOKEN_BACKEND,
  keyring's null backend by default (accepts and forgets, as before this module existed).
  Tests that need a token store swap in their own (tests/sync/sync_live.MemoryKeyring,
  which hands the database key back here)."""
from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.core import load_keyring
from keyring.errors import PasswordDeleteError

DB_SERVICE = "FamilyDoc-database"


def _file() -> Path:
    folder = os.environ.get("FAMILYDOC_TEST_KEYRING_DIR")
    if not folder:
        raise RuntimeError("FAMILYDOC_TEST_KEYRING_DIR is not set (tests/conftest.py sets it)")
    return Path(folder) / "database-keys.json"


def _read() -> dict[str, str]:
    try:
        return json.loads(_file().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


class DatabaseKeyFile:
    """The database-key half, usable from any keyring backend of the tests."""

    @staticmethod
    def get(username: str) -> str | None:
        return _read().get(username)

    @staticmethod
    def set(username: str, password: str) -> None:
        data = _read()
        data[username] = password
        tmp = _file().with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, _file())

    @staticmethod
    def delete(username: str) -> None:
        data = _read()
        if data.pop(username, None) is None:
            raise PasswordDeleteError("not found")
        _file().write_text(json.dumps(data), encoding="utf-8")


class TestKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        name = os.environ.get("FAMILYDOC_TEST_TOKEN_BACKEND", "keyring.backends.null.Keyring")
        self.tokens = load_keyring(name)

    def get_password(self, service: str, username: str) -> str | None:
        if service == DB_SERVICE:
            return DatabaseKeyFile.get(username)
        return self.tokens.get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        if service == DB_SERVICE:
            return DatabaseKeyFile.set(username, password)
        return self.tokens.set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        if service == DB_SERVICE:
            return DatabaseKeyFile.delete(username)
        return self.tokens.delete_password(service, username)
