"""Documents are found by guid through the index of its hash (``document.guid_hash``, migration 0011),
on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, select, text

from opencbec import bootstrap
from opencbec.store import schema as t
from opencbec.store.engine import make_engine
from opencbec.store.keys import guid_hash, guid_in, guid_is
from opencbec.store.migrations import alembic_config, upgrade
from tests.parcels import make_parcel
from tests.units import clear_message


def test_the_hash_is_fixed_and_signed_64_bit() -> None:
    # the stored hashes depend on it: a change needs every row's hash computed again (a migration)
    assert guid_hash("ECEDC407-451F-4605-B9E1-EAA9AACC9CC9") == 1839390644410200565
    assert guid_hash("a") == 4681665781835383343
    hashes = {guid_hash(f"G{i}") for i in range(10_000)}
    assert len(hashes) == 10_000
    assert all(-(2**63) <= h < 2**63 for h in hashes) and min(hashes) < 0 < max(hashes)


def test_cleared_documents_are_found_by_guid(db_url: str) -> None:
    app = bootstrap.build(db_url, inspection_rate=Decimal(0))
    parcel = make_parcel()
    documents = [parcel.order, parcel.payment, parcel.waybill, parcel.inventory]
    clear_message(app, *documents)
    d = t.document.c
    with app.store.engine.connect() as conn:
        rows = conn.execute(select(d.guid, d.guid_hash)).all()
        assert sorted(rows) == sorted((doc.head.guid, guid_hash(doc.head.guid)) for doc in documents)
        found = conn.execute(select(d.kind).where(guid_is(parcel.waybill.head.guid))).scalars().all()
        assert found == ["waybill"]
        both = [parcel.order.head.guid, parcel.inventory.head.guid, "NOT-A-GUID"]
        assert sorted(conn.execute(select(d.kind).where(guid_in(both))).scalars()) == ["inventory", "order"]
    # the officers' history of a guid
    history = app.store.history(parcel.payment.head.guid)
    assert {h.kind for h in history} == {"payment"} and history


def test_sqlite_looks_guids_up_through_the_hash_index(tmp_path: Path) -> None:
    engine = make_engine(str(tmp_path / "x.db"))
    query = select(t.document.c.id).where(guid_is("ABC"))
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    assert "ix_document_guid_hash" in plan, plan
    engine.dispose()


def test_0011_hashes_the_stored_documents_and_back(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0010")
    indexes = {i["name"] for i in inspect(engine).get_indexes("document")}
    assert "ix_document_guid" in indexes and "ix_document_guid_hash" not in indexes
    assert "guid_hash" not in {c["name"] for c in inspect(engine).get_columns("document")}
    columns = "id, kind, key, guid, seq, message_id, sender, is_current, status, info, received_at, data"
    with engine.begin() as conn:  # documents stored before the hash (more than one chunk of the upgrade)
        conn.execute(
            text(
                f"INSERT INTO document ({columns}) VALUES "
                "(:id, 'order', :key, :guid, :id, 1, 'S', :cur, '120', '', '2024-06-18 00:00:00', '{}')"
            ),
            [{"id": i, "key": f"E/{i}", "guid": f"G-{i}", "cur": True} for i in range(1, 10_003)],
        )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(t.document.c.guid, t.document.c.guid_hash)).all()
        assert len(rows) == 10_002
        assert all(h == guid_hash(g) for g, h in rows)
        assert conn.execute(select(t.document.c.id).where(guid_is("G-10002"))).scalar() == 10_002
    indexes = {i["name"] for i in inspect(engine).get_indexes("document")}
    assert "ix_document_guid_hash" in indexes and "ix_document_guid" not in indexes
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0010")
    assert "ix_document_guid" in {i["name"] for i in inspect(engine).get_indexes("document")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM document")).scalar() == 10_002
    engine.dispose()
