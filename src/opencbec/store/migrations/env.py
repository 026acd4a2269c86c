"""Alembic environment: runs the shipped revisions on the connection handed in by ``upgrade``.

Use :func:`opencbec.store.migrations.upgrade` (``cbec db upgrade --db URL``); no ``alembic.ini``.
For a new revision: write ``versions/NNNN_what.py`` by hand (``down_revision`` = the previous
one) and run the tests: ``tests/integration/postgres/test_migrations.py`` compares the migrated
schema with the code's tables on SQLite and PostgreSQL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from opencbec.store.migrations import target_metadata


def run_migrations() -> None:
    """Run the migrations online, on the given connection or on ``sqlalchemy.url``."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            run_migrations()
        engine.dispose()
        return
    context.configure(
        connection=connection,
        target_metadata=target_metadata(),
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE by copy on SQLite
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


# Alembic executes this file; pytest's --doctest-modules merely imports it (no proxy installed).
if hasattr(context, "config"):
    run_migrations()
