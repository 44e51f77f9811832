"""Alembic environment of the sync server (its own history, its own MetaData). Run from
core.db.migrate, which passes an open connection."""
from alembic import context

from sync_server.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` command line: build one from the configured URL
    from sync_server.core.db import make_engine

    connection = make_engine(context.config.get_main_option("sqlalchemy.url")).connect()

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
