"""Server test fixtures: every test runs on SQLite (a temporary file) and on PostgreSQL (a
fresh `familydoc_test_<random>` database for the session, emptied before each test)."""
from __future__ import annotations

import secrets
import warnings

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

from sync_server import models
from sync_server.core import security
from sync_server.core.config import Settings
from sync_server.core.db import make_engine, migrate, write_tx
from sync_server.services import accounts

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
from fastapi.testclient import TestClient  # noqa: E402

from sync_server.app import create_app  # noqa: E402
from tests.server.server_helpers import PASSWORD, World  # noqa: E402

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(autouse=True, scope="session")
def _light_argon2():
    """Real argon2id, lighter parameters: tests log in hundreds of times."""
    original = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    security._hasher = original


@pytest.fixture(scope="session")
def _pg_database():
    name = f"familydoc_test_{secrets.token_hex(4)}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001 — any failure to reach the server means: skip
        yield None
        return
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def server_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.db'}"
    url = request.getfixturevalue("_pg_database")
    if url is None:
        pytest.skip("PostgreSQL not reachable")
    engine = make_engine(url)
    with engine.begin() as conn:  # a clean slate for every test
        names = ", ".join(t.name for t in reversed(models.metadata.sorted_tables)
                          if t.name != "counter")
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(text("UPDATE counter SET value = 0"))
    engine.dispose()
    return url


@pytest.fixture
def world(server_url) -> World:
    app = create_app(Settings(database_url=server_url, max_body_bytes=1024 * 1024))
    engine = app.state.engine
    w = World(client=TestClient(app), engine=engine)
    with write_tx(engine) as conn:
        for name, code, level, parent in [
            ("county", "420000000000", "county", None),
            ("township", "420100000000", "township", "420000000000"),
            ("clinic_a", "420101000001", "clinic", "420100000000"),
            ("clinic_b", "420101000002", "clinic", "420100000000"),
            ("township2", "420200000000", "township", "420000000000"),
            ("clinic_c", "420201000001", "clinic", "420200000000"),
        ]:
            w.orgs[name] = accounts.add_org(conn, code, name, level, parent).id
        for user, org, role in [
            ("doc_a", "420101000001", "village_doctor"),
            ("doc_a2", "420101000001", "village_doctor"),
            ("doc_b", "420101000002", "village_doctor"),
            ("doc_c", "420201000001", "village_doctor"),
            ("town", "420100000000", "township_staff"),
            ("county", "420000000000", "county_admin"),
            ("it", "420000000000", "it_admin"),
        ]:
            accounts.add_user(conn, user, org, role, PASSWORD)
    yield w
    w.client.close()
    engine.dispose()


