"""The server's own Alembic history builds exactly the tables sync_server.models declares,
and running it again is harmless."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from sync_server import models
from sync_server.core.db import current_seq, make_engine, migrate


def test_migrations_match_the_models_and_are_idempotent(server_url):
    engine = make_engine(server_url)
    migrate(engine)
    migrate(engine)  # a second `init` / `serve` start changes nothing
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), models.metadata)
        assert diffs == []
        assert current_seq(conn) == 0
        assert conn.execute(select(models.counter.c.name)).scalars().all() == ["seq"]
    engine.dispose()
