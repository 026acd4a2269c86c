"""Schema migrations (Alembic), shipped inside the package.

The scripts live next to this file (``env.py``, ``versions/``); no ``alembic.ini`` is needed.
:func:`upgrade` brings a database to the latest revision and is what
:func:`opencbec.store.sql.make_engine` runs on every open, so a brand-new database is created by
the migrations and an existing one is upgraded. Databases made by ``create_all`` before
migrations existed are adopted: the initial revision creates only the tables that are missing.

Concurrent openers are serialised while they migrate (a PostgreSQL advisory lock; SQLite's
writer lock, taken with ``BEGIN IMMEDIATE``), so several workers may start at once.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, create_engine, text
from sqlalchemy.engine import Connection

SCRIPTS = Path(__file__).resolve().parent
#: Key of the PostgreSQL advisory lock held while migrating (distinct from the clearing lock).
MIGRATION_LOCK = 0x0CBEC0DB


def target_metadata() -> MetaData:
    """Every table of the package in one MetaData: store, positive list, enterprises, API, audit."""
    from opencbec.store import (
        api_repo,
        audit_repo,
        enterprise_repo,
        export_repo,
        positive_list_repo,
        risk_repo,
        schema,
    )

    combined = MetaData()
    sources = (
        schema.metadata,
        positive_list_repo.metadata,
        enterprise_repo.metadata,
        api_repo.metadata,
        audit_repo.metadata,
        export_repo.metadata,
        risk_repo.metadata,
    )
    for source in sources:
        for table in source.tables.values():
            table.to_metadata(combined)
    return combined


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration on the shipped scripts, optionally bound to ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def head() -> str:
    """The latest revision shipped."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for a new or a pre-migration database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the latest); a no-op when it is there."""
    if revision in ("head", head()) and current_revision(engine) == head():
        return
    with engine.begin() as conn:
        _lock(conn)
        command.upgrade(alembic_config(conn), revision)


def upgrade_database(db: str) -> tuple[str | None, str]:
    """``cbec db upgrade``: bring ``db`` (SQLite path or URL) to the latest revision.

    Returns the revision before (None: new, or made before migrations) and after.
    """
    from opencbec.store.sql import database_url, make_engine

    probe = create_engine(database_url(db))
    try:
        before = current_revision(probe)
    finally:
        probe.dispose()
    make_engine(db).dispose()  # opening migrates
    return before, head()


def _lock(conn: Connection) -> None:
    """Serialise migrators until the end of the transaction (then the revision is re-read)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
