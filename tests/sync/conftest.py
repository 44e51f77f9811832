"""Fixtures for the sync client tests: an in-memory keyring and a live server."""
from __future__ import annotations

import keyring
import pytest

from tests.sync.sync_live import LiveServer, MemoryKeyring, light_argon2

from sync_server.core import security


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


@pytest.fixture
def live_server(tmp_path, memory_keyring):
    original = security._hasher
    light_argon2()
    server = LiveServer(tmp_path / "server.db")
    server.setup_world()
    server.start()
    yield server
    server.stop()
    security._hasher = original
