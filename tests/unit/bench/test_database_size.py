"""The benchmark reports a SQLite run's database size on disk (file and write-ahead log)."""

from __future__ import annotations

from pathlib import Path

from opencbec.bench.run import database_size


def test_the_file_and_its_log_are_counted_per_parcel(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    db.write_bytes(b"x" * 3000)
    assert database_size(str(db), 2, "batch") == {"batch_db_mb": 0.0, "batch_db_kb_per_parcel": 1.5}
    (tmp_path / "x.db-wal").write_bytes(b"x" * 1000)
    assert database_size(str(db), 2, "batch") == {"batch_db_mb": 0.0, "batch_db_kb_per_parcel": 2.0}


def test_a_postgresql_run_has_no_file_size() -> None:
    assert database_size("postgresql+psycopg://u@h/db", 100, "batch_postgres") == {}
