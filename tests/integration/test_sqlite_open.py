"""Opening a new SQLite file while another connection writes it: the switch to WAL waits instead of
failing with "database is locked" (SQLite does not apply its busy timeout to that switch)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from opencbec.store.engine import make_engine, switch_to_wal


def _writer_holding_the_lock(path: Path) -> sqlite3.Connection:
    """A connection in the middle of a write transaction on the new file (not in WAL mode)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("CREATE TABLE early (x)")
    return conn


def test_sqlite_itself_refuses_the_switch_at_once(tmp_path: Path) -> None:
    # what the retry is for: the busy timeout is set, yet the answer comes without waiting
    writer = _writer_holding_the_lock(tmp_path / "new.db")
    other = sqlite3.connect(tmp_path / "new.db", isolation_level=None)
    other.execute("PRAGMA busy_timeout=5000")
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        other.execute("PRAGMA journal_mode=WAL")
    assert time.monotonic() - started < 1
    writer.execute("COMMIT")
    other.close()
    writer.close()


def test_opening_waits_for_the_other_writer_and_switches_to_wal(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    writer = _writer_holding_the_lock(path)
    opened: dict[str, Any] = {}

    def open_it() -> None:
        try:
            engine = make_engine(str(path))
            with engine.connect() as conn:
                opened["mode"] = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            engine.dispose()
        except Exception as exc:
            opened["error"] = exc

    thread = threading.Thread(target=open_it)
    thread.start()
    time.sleep(0.5)  # the opener is trying meanwhile
    assert thread.is_alive()
    writer.execute("COMMIT")
    writer.close()
    thread.join(timeout=60)
    assert opened == {"mode": "wal"}
    with sqlite3.connect(path) as conn:  # the other writer's table is there too
        assert conn.execute("SELECT count(*) FROM early").fetchone() == (0,)


def test_the_switch_gives_up_after_its_time(tmp_path: Path) -> None:
    writer = _writer_holding_the_lock(tmp_path / "new.db")
    other = sqlite3.connect(tmp_path / "new.db", isolation_level=None)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        switch_to_wal(other.cursor(), seconds=0.3)
    assert 0.2 < time.monotonic() - started < 5
    writer.execute("COMMIT")
    other.close()
    writer.close()
