"""The SQLite file ``make_engine`` opens: 64 KiB pages when new, an existing file's own page size kept;
the page cache of a clearing connection (``OPENCBEC_SQLITE_CACHE_MB``)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from opencbec.store.engine import (
    CACHE_ENV,
    SQLITE_CLEARING_CACHE_MB,
    SQLITE_PAGE_SIZE,
    clearing_cache_mb,
    make_engine,
)
from opencbec.store.sql import SqlStore


def _pragma(path: Path, name: str) -> object:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]


def test_a_new_file_gets_large_pages_and_wal(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    engine = make_engine(str(db))
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM document")).scalar() == 0
    engine.dispose()
    assert SQLITE_PAGE_SIZE == 65536
    assert _pragma(db, "page_size") == SQLITE_PAGE_SIZE
    assert _pragma(db, "journal_mode") == "wal"


def test_an_existing_file_keeps_its_page_size_and_its_data(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:  # a file made before the page size was set: SQLite's 4 KiB
        conn.execute("PRAGMA page_size=4096")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE kept (v TEXT)")
        conn.execute("INSERT INTO kept VALUES ('still here')")
    engine = make_engine(str(db))  # migrates it to the current schema
    with engine.begin() as conn:
        assert conn.execute(text("SELECT v FROM kept")).scalar() == "still here"
        assert conn.execute(text("SELECT count(*) FROM document")).scalar() == 0
    engine.dispose()
    assert _pragma(db, "page_size") == 4096
    assert _pragma(db, "integrity_check") == "ok"


def test_the_clearing_page_cache_is_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SqlStore(make_engine(str(tmp_path / "cache.db")))
    with store.clearing() as unit:
        assert unit.conn.exec_driver_sql("PRAGMA cache_size").scalar() == -SQLITE_CLEARING_CACHE_MB * 1024
    monkeypatch.setenv(CACHE_ENV, "300")
    with store.clearing() as unit:
        assert unit.conn.exec_driver_sql("PRAGMA cache_size").scalar() == -300 * 1024
    store.engine.dispose()


@pytest.mark.parametrize("value", ["0", "-5", "2.5", "lots"])
def test_a_bad_cache_setting_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(
        ValueError, match=f"{CACHE_ENV} must be a positive whole number.*{re.escape(repr(value))}"
    ):
        clearing_cache_mb({CACHE_ENV: value})
    assert clearing_cache_mb({}) == SQLITE_CLEARING_CACHE_MB
    assert clearing_cache_mb({CACHE_ENV: " 512 "}) == 512
