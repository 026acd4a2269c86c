"""The queries on import lists by status use the lists' partial index (migration 0009).

``ix_document_list_status`` holds import lists only (``WHERE kind = 'inventory'``), so a query
must let the planner know that it asks for lists: the queries name the kind as a literal
(``schema.kind_is``). The statements checked are the ones the code runs, caught as they are sent
to the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from opencbec.service.inspection import inspection_queue
from opencbec.store import schema as t
from opencbec.store.sql import SqlStore, make_engine
from tests.sql_plans import plan, statements

INDEX = "ix_document_list_status"


def document_queries(engine: Engine, run: Callable[[], object]) -> list[str]:
    with statements(engine) as seen:
        run()
    found = [plan(engine, sql, params) for sql, params in seen if "FROM document" in sql]
    assert found, "no query on the document table was run"
    return found


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    yield engine
    engine.dispose()


def test_the_index_holds_lists_only(engine: Engine) -> None:
    with engine.connect() as conn:
        (sql,) = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = ?", (INDEX,)).one()
        names = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list(document)")}
    assert "WHERE kind = 'inventory'" in sql
    assert "ix_document_waiting" not in names


def test_the_lists_past_their_deadline_are_found_through_the_index(engine: Engine) -> None:
    store = SqlStore(engine)

    def expired() -> None:
        with engine.begin() as conn:
            store.load_expired(conn, datetime(2024, 6, 18), timedelta(hours=24), {}, 0, 100)

    (due,) = [p for p in document_queries(engine, expired) if "app_time" in p]
    assert f"USING INDEX {INDEX} (status=? AND app_time<?)" in due


def test_the_inspection_queue_is_read_through_the_index(engine: Engine) -> None:
    (queue,) = document_queries(engine, lambda: inspection_queue(engine, "500"))
    assert f"USING INDEX {INDEX} (status=?)" in queue


def test_on_postgresql_the_queries_name_the_kind_and_use_the_index(pg_url: str) -> None:
    engine = make_engine(pg_url)
    store = SqlStore(engine)

    def both() -> None:
        with engine.begin() as conn:
            store.load_expired(conn, datetime(2024, 6, 18), timedelta(hours=24), {}, 0, 100)
        inspection_queue(engine, "500")

    with statements(engine) as seen:
        both()
    queries = [(sql, params) for sql, params in seen if "FROM document" in sql and "status" in sql]
    assert len(queries) == 2
    for sql, params in queries:
        assert "document.kind = 'inventory'" in sql
        with engine.connect() as conn:
            conn.exec_driver_sql("SET enable_seqscan = off")  # the tables are empty
            text = " | ".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}", params))
        assert INDEX in text, text
    engine.dispose()


def test_on_postgresql_a_generic_plan_uses_the_index_only_with_the_kind_written_in(pg_url: str) -> None:
    """Why ``kind_is``: a prepared statement run often gets a generic plan, which cannot know that a
    bound ``kind`` is ``'inventory'``, so it cannot use the partial index. (SQLite re-plans a
    statement when a bound value decides whether a partial index applies.)"""
    engine = make_engine(pg_url)
    with engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        found = {}
        for name, kind in (("bound", "$1"), ("written", "'inventory'")):
            conn.exec_driver_sql(
                f"PREPARE {name}_q(text, text) AS SELECT id FROM document WHERE kind = {kind} AND status = $2"
            )
            rows = conn.exec_driver_sql(f"EXPLAIN EXECUTE {name}_q('inventory', '500')").all()
            found[name] = INDEX in " | ".join(r[0] for r in rows)
    assert found == {"bound": False, "written": True}
    engine.dispose()


def test_a_kind_written_into_the_statement_is_quoted(engine: Engine) -> None:
    """The officers' document search passes the caller's ``kind`` to ``kind_is``: a quote in it
    stays inside the literal."""
    hostile = "x' OR '1'='1"
    with engine.connect() as conn:
        conn.exec_driver_sql(
            "INSERT INTO document (id, kind, key, guid, seq, message_id, sender, is_current, status, info,"
            " received_at, data) VALUES (1, 'order', 'k', 'g', 1, 1, 's', 1, '120', '', '2024-06-18', '{}')"
        )
        found = conn.execute(select(func.count()).where(t.kind_is(hostile))).scalar()
        assert found == 0
        assert conn.execute(select(func.count()).where(t.kind_is("order"))).scalar() == 1
