"""Opening the database: a SQLite file by default, PostgreSQL (psycopg 3) by URL."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from opencbec.store.migrations import upgrade
from opencbec.store.postgres import close_pool_on_collect, engine_options, is_postgres, normalise_url

#: SQLite pool: one connection per request thread (AnyIO's 40) and the server's own threads, so
#: connections are reused, not reopened (each new one runs the PRAGMAs below).
SQLITE_POOL_SIZE = 48
#: How long a SQLite connection waits for another's lock (``PRAGMA busy_timeout``), in seconds.
SQLITE_BUSY_SECONDS = 30
SQLITE_MAX_OVERFLOW = 16
#: Page size of a new SQLite file (an existing file keeps its own). Clearing writes a message's raw
#: XML, its documents' JSON and their receipts, large rows written in bulk; 64 KiB pages (SQLite's
#: default is 4 KiB) make a batch's commit write fewer, larger WAL frames (docs/performance.md).
SQLITE_PAGE_SIZE = 65536
#: Page cache of a SQLite connection while it clears a batch, in MB (SQLite's default is 2 MB): a
#: batch reads and inserts keys all over the document indexes, whose pages a larger cache keeps. At
#: 1,000,000 parcels 256 MB took the clearing process's system time from 145 s to 50 s and the run
#: from 604 s to 487 s; at 100,000 it made no difference. Either way it adds some 200 MB to the
#: process's memory (docs/performance.md, eighteenth session).
SQLITE_CLEARING_CACHE_MB = 256
CACHE_ENV = "OPENCBEC_SQLITE_CACHE_MB"


def remove_sqlite_file(path: Path | str) -> None:
    """Delete the SQLite file ``path`` with its write-ahead log and shared-memory file, if present."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def clearing_cache_mb(environ: Mapping[str, str] = os.environ) -> int:
    """The clearing page cache in MB: ``OPENCBEC_SQLITE_CACHE_MB`` (a positive integer) or the default."""
    value = environ.get(CACHE_ENV, "").strip()
    if not value:
        return SQLITE_CLEARING_CACHE_MB
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{CACHE_ENV} must be a positive whole number of megabytes, like 256; got {value!r}")
    return int(value)


def database_url(db: str) -> str:
    """A SQLAlchemy URL from a ``--db`` value: a URL as is, otherwise a SQLite file path."""
    if "://" in db:
        return normalise_url(db)
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def switch_to_wal(cur: Any, seconds: float = SQLITE_BUSY_SECONDS) -> None:
    """``PRAGMA journal_mode=WAL`` on the cursor's connection, tried again for up to ``seconds``.

    Switching a file that is not in WAL mode yet (a new one) needs it unlocked, and SQLite answers
    "database is locked" at once, without the busy timeout's wait, while another connection holds
    its write lock: another process opening the same new file and migrating it. Seen in CI with four
    clearing processes opening one new file (tests/integration/test_sqlite_open.py makes it happen).
    """
    deadline = time.monotonic() + seconds
    pause = 0.005
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            left = deadline - time.monotonic()
            if "locked" not in str(exc) or left <= 0:
                raise
        time.sleep(min(pause, left))
        pause = min(pause * 2, 0.2)


def make_engine(db: str) -> Engine:
    """Open the database at the latest schema revision (migrations run if needed).

    SQLite gets 64 KiB pages when the file is new, WAL, full sync, a busy timeout and a pool as
    large as the server's request threads; PostgreSQL (psycopg 3) a checked pool.
    """
    url = database_url(db)
    options: dict[str, Any] = {}
    if is_postgres(url):
        options = engine_options()
    elif url.startswith("sqlite:///") and ":memory:" not in url:
        options = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_MAX_OVERFLOW}
    engine = create_engine(url, **options)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            # first: switching a new file to WAL takes a lock that another process opening the
            # same file at that moment may hold, and only waits for it with the timeout set
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
            cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")  # before WAL: only a new file takes it
            switch_to_wal(cur)
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

    close_pool_on_collect(engine)
    upgrade(engine)
    return engine
