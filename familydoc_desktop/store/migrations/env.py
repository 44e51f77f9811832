"""Alembic environment for the device database. Run from `store.database.migrate`, which
passes an open connection; batch mode because SQLite cannot ALTER most things."""
from alembic import context

import familydoc_desktop.domain.models  # noqa: F401  (registers every table)
from familydoc_desktop.domain.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` command line: build one from the configured URL
    from familydoc_desktop.store.engine import make_engine

    # (SQLCipher-encrypted with this PC's key from the credential store, like the app's)
    connection = make_engine(context.config.get_main_option("sqlalchemy.url")
                             .removeprefix("sqlite:///")).connect()

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
