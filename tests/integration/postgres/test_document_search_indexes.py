"""The officers' search without a number reads documents newest first through the time index
(``ix_document_received``, migration 0013), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from alembic import command
from sqlalchemy import Engine, inspect, text

from opencbec import bootstrap
from opencbec.api.document_search import DocumentSearch, search
from opencbec.store.engine import make_engine
from opencbec.store.migrations import alembic_config, upgrade
from tests.parcels import buyer_id, make_parcel
from tests.sql_plans import statements
from tests.units import clear_message

SEARCH_INDEXES = {"ix_document_received"}


def indexes(engine: Engine) -> set[str]:
    return {str(i["name"]) for i in inspect(engine).get_indexes("document")}


def test_0013_builds_the_search_indexes_and_drops_them(db_url: str) -> None:
    app = bootstrap.build(db_url, inspection_rate=Decimal(0))
    clear_message(app, *make_parcel(buyer=buyer_id(7)).documents())
    clear_message(app, *make_parcel(buyer=buyer_id(8)).documents())
    engine = make_engine(db_url)
    assert indexes(engine) >= SEARCH_INDEXES
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0012")
    assert not SEARCH_INDEXES & indexes(engine)
    upgrade(engine)
    assert indexes(engine) >= SEARCH_INDEXES
    rows, more = search(engine, DocumentSearch(buyer_id=buyer_id(7)), 1, 50)
    assert sorted(r.kind for r in rows) == ["inventory", "order"] and not more
    rows, more = search(engine, DocumentSearch(), 1, 5)
    assert len(rows) == 5 and more
    assert [(r.received_at, r.id) for r in rows] == sorted(
        ((r.received_at, r.id) for r in rows), reverse=True
    )
    engine.dispose()
    app.store.engine.dispose()


def test_postgresql_searches_without_a_number_use_the_indexes(pg_url: str) -> None:
    app = bootstrap.build(pg_url, inspection_rate=Decimal(0))
    clear_message(app, *make_parcel(buyer=buyer_id(7)).documents())
    engine = app.store.engine
    with engine.begin() as conn:  # 200,000 other documents over 200,000 seconds, 50,000 buyers
        conn.execute(
            text(
                "INSERT INTO document (id, kind, key, guid, guid_hash, seq, message_id, sender, is_current,"
                " status, info, received_at, buyer_id, data)"
                " SELECT 1000 + i, (ARRAY['order', 'payment', 'waybill', 'inventory'])[i % 4 + 1],"
                " 'K/' || i, 'G' || i, i, i, 1, 'S', true, CASE WHEN i % 97 = 0 THEN '500' ELSE '120' END,"
                " '', timestamp '2024-06-01' + i * interval '1 second',"
                " CASE WHEN i % 4 IN (0, 3) THEN 'B' || i % 50000 END, '{}'"
                " FROM generate_series(1, 200000) i"
            )
        )
        conn.execute(text("ANALYZE"))
    middle = datetime(2024, 6, 2, 3, 46, 40)  # the 100,000th second
    searches = [
        DocumentSearch(),
        DocumentSearch(since=middle),
        DocumentSearch(until=middle),
        DocumentSearch(kind="order"),
        DocumentSearch(status="500"),
        DocumentSearch(kind="inventory", status="500"),
    ]
    for query in searches:
        with statements(engine) as seen:
            rows, _ = search(engine, query, 1, 50)
        assert rows, query
        (sql, params) = seen[-1]
        with engine.connect() as conn:
            explained = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}", params))
        assert "Seq Scan on document" not in explained, (query, explained)
        if query.status and query.kind == "inventory":  # the lists' own index, by status
            assert "ix_document_list_status" in explained, (query, explained)
        else:  # newest first along the time index, no sort
            assert "Index Scan Backward using ix_document_received" in explained, (query, explained)
            assert "Sort" not in explained, (query, explained)
    rows, _ = search(engine, DocumentSearch(buyer_id="B123"), 1, 50)
    assert {r.id for r in rows} == {1000 + i for i in range(123, 200001, 50000) if i % 4 in (0, 3)}
    engine.dispose()
