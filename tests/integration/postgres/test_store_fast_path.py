"""The store's bulk writes (DBAPI executemany, COPY on PostgreSQL) store exactly what SQLAlchemy would.

Each test writes the same rows through SQLAlchemy Core (the reference) into one database and through
the fast path into another, on SQLite and on PostgreSQL, and reads every row back through
SQLAlchemy: the same values of the same types.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Table, bindparam, select, update
from sqlalchemy.engine import Connection

from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.state import Effects
from opencbec.rules import shipped_rulebook
from opencbec.service.batch_clear import BatchClearer
from opencbec.store import bulk, risk_repo
from opencbec.store import schema as t
from opencbec.store.codec import ZSTD, compress
from opencbec.store.repository import MessageRow, OutboxRow
from opencbec.store.rows import MUTABLE, doc_row, doc_update, message_row, tax_row
from opencbec.store.sql import SqlStore, make_engine
from tests.integration.postgres import server as pg
from tests.integration.test_cbec_clear import write_parcel
from tests.parcels import buyer_id, make_parcel

CONFIG = ClearingConfig(inspection_rate=Decimal(0))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def two_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two new empty databases of the same backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ref.db'}", f"sqlite:///{tmp_path / 'fast.db'}"
        return
    server: pg.TempServer = request.getfixturevalue("pg_server")
    names = [server.create_database(), server.create_database()]
    yield server.url(names[0]), server.url(names[1])
    for name in names:
        server.drop_database(name)


def rows_of(engine: Engine, table: Table, skip: Sequence[str] = ()) -> list[list[tuple[Any, type]]]:
    """Every row of ``table`` as read through SQLAlchemy: (value, type) per column, by primary key."""
    names = [c.name for c in table.c if c.name not in skip]
    with engine.connect() as conn:
        rows = conn.execute(select(*(table.c[n] for n in names)).order_by(*table.primary_key.columns))
        return [[(v, type(v)) for v in row] for row in rows]


def test_bulk_rows_read_back_as_sqlalchemy_rows(two_urls: tuple[str, str]) -> None:
    ref, fast = make_engine(two_urls[0]), make_engine(two_urls[1])
    at = datetime(2024, 6, 18, 9, 30, 15, 123456)
    docs = [
        {
            "id": i, "kind": "inventory", "key": f"E/{i}", "guid": f"G{i}", "seq": i, "message_id": 7,
            "sender": "S", "received_at": at + timedelta(seconds=i), "app_time": None if i % 2 else at,
            "link_key": None, "buyer_id": "b", "data": '{"head":{"x":"关税 \\"q\\" \\n"}}',
            "status": "120", "info": "", "is_current": bool(i % 2), "pre_no": None, "invt_no": None,
            "decided_at": datetime(999, 1, 2, 3, 4, 5) if i == 2 else None,
            "dutiable_value": "12.50", "line_values": None,
        }
        for i in range(1, 5)
    ]  # fmt: skip
    tables: dict[Table, list[dict[str, Any]]] = {
        t.document: docs,
        t.status_event: [{"document_id": 1, "status": "100", "info": "信息\t", "at": at}],
        t.ledger_entry: [
            {"buyer_id": "b", "year": 2024, "amount_fen": -5, "invt_no": "1", "reason": "r", "at": at}
        ],
        t.quantity_entry: [
            {"buyer_id": "b", "year": 2024, "tariff_line": "1", "qty": "2.5", "invt_no": "1", "at": at}
        ],
        t.returned_line: [{"invt_no": "1", "gnum": 2, "qty": "1"}],
        t.tax_note: [
            {"tax_no": "T", "invt_no": "1", "status": "1", "receiver": "R", "head": "{}", "lines": "[]"}
        ],
        t.outbox: [
            {"message_type": "M", "receiver": "R", "guid": "G", "xml": b"\x00<x/>\xff", "delivered": False}
        ],
    }
    changes = [{"b_id": 2, **{"b_" + k: v for k, v in docs[0].items() if k in MUTABLE}}]
    changes[0]["b_decided_at"] = at.replace(tzinfo=UTC)
    with ref.begin() as conn:
        for table, rows in tables.items():
            conn.execute(table.insert(), rows)
        _reference_update(conn, changes)
    with fast.begin() as conn:
        for table, rows in tables.items():
            columns = tuple(rows[0])
            bulk.insert(conn, table, columns, [tuple(r[c] for c in columns) for r in rows])
        bulk.update(
            conn,
            t.document,
            MUTABLE,
            ("id",),
            [(*(c["b_" + k] for k in MUTABLE), c["b_id"]) for c in changes],
        )
    for table in tables:
        assert rows_of(fast, table) == rows_of(ref, table), table.name
    ref.dispose()
    fast.dispose()


def _reference_update(conn: Connection, changes: list[dict[str, Any]]) -> None:
    stmt = update(t.document).where(t.document.c.id == bindparam("b_id"))
    conn.execute(stmt.values({k: bindparam("b_" + k) for k in MUTABLE}), changes)


def test_select_in_reads_rows_as_sqlalchemy_does(two_urls: tuple[str, str]) -> None:
    engine = make_engine(two_urls[0])
    at = datetime(2024, 6, 18, 9, 30, 15, 123456)
    n = bulk.IN_CHUNK * 2 + 7  # three chunks
    rows = [
        {
            "id": i, "kind": "inventory" if i % 3 else "order", "key": f"E/{i}", "guid": f"G{i}", "seq": i,
            "message_id": 7, "sender": "S", "received_at": at + timedelta(seconds=i),
            "app_time": None if i % 2 else at, "link_key": None, "buyer_id": "b", "data": "{}",
            "status": "120", "info": "", "is_current": bool(i % 5), "pre_no": None,
            "invt_no": None, "decided_at": None, "dutiable_value": None, "line_values": None,
        }
        for i in range(1, n + 1)
    ]  # fmt: skip
    wanted = {f"E/{i}" for i in range(1, n + 1, 2)} | {"E/none"}
    with engine.begin() as conn:
        conn.execute(t.document.insert(), rows)
        c = t.document.c
        reference = conn.execute(
            select(t.document)
            .where(c.key.in_(sorted(wanted)), c.kind == "inventory", c.is_current.is_(True))
            .order_by(c.id)
        ).all()
        fast = bulk.select_in(
            conn, t.document, tuple(c.name for c in t.document.c), "key", wanted,
            (("kind", "inventory"), ("is_current", True)),
        )  # fmt: skip
        fast_rows = sorted(fast, key=lambda r: r.id)
        guids = {r.guid for r in bulk.select_in(conn, t.document, ("guid",), "guid", {"G1", "G2", "X"})}
    assert len(wanted) > bulk.IN_CHUNK and len(reference) > 100
    assert [[(v, type(v)) for v in r] for r in fast_rows] == [[(v, type(v)) for v in r] for r in reference]
    assert [r.received_at for r in fast_rows] == [r.received_at for r in reference]
    assert guids == {"G1", "G2"}
    engine.dispose()


class ReferenceStore(SqlStore):
    """The store as it wrote before the bulk path: SQLAlchemy ``executemany`` of mappings."""

    def insert_messages(self, conn: Connection, messages: Sequence[MessageRow]) -> list[int]:
        ids: list[int] = []
        for m in messages:
            result = conn.execute(t.message.insert().returning(t.message.c.id), message_row(m))
            m.id = result.scalar_one()
            ids.append(m.id)
        return ids

    def apply(
        self,
        conn: Connection,
        effects: Effects,
        outbox: Sequence[OutboxRow],
        counters: dict[str, int],
        watermark: datetime | None,
    ) -> None:
        inserts: list[tuple[Table, list[dict[str, Any]]]] = [
            (t.document, [doc_row(d) for d in effects.new_docs]),
            (t.status_event, [
                {"document_id": e.doc_id, "status": e.status, "info": e.info, "at": e.at}
                for e in effects.events
            ]),
            (t.ledger_entry, [
                {"buyer_id": e.buyer_id, "year": e.year, "amount_fen": int(e.amount * 100),
                 "invt_no": e.invt_no, "reason": e.reason, "at": e.at}
                for e in effects.ledger
            ]),
            (t.quantity_entry, [
                {"buyer_id": q.buyer_id, "year": q.year, "tariff_line": q.tariff_line, "qty": str(q.qty),
                 "invt_no": q.invt_no, "at": q.at}
                for q in effects.quantities
            ]),
            (t.returned_line, [{"invt_no": i, "gnum": g, "qty": str(q)} for i, g, q in effects.returned]),
            (t.tax_note, [tax_row(n) for n in effects.tax_notes]),
            (t.outbox, [
                {"message_type": o.message_type, "receiver": o.receiver, "guid": o.guid,
                 "xml": compress(o.xml), "xml_codec": ZSTD, "delivered": False}
                for o in outbox
            ]),
        ]  # fmt: skip
        for table, rows in inserts:
            if rows:
                conn.execute(table.insert(), rows)
        if effects.changed_docs:
            _reference_update(conn, [doc_update(d) for d in effects.changed_docs.values()])
        _reference_codes(conn, [doc_row(d) for d in effects.new_docs])
        risk_repo.apply(conn, effects.risk_records)
        self._save_counters(conn, counters)
        if watermark is not None:
            self._save_meta(conn, "watermark", watermark.isoformat())


def _reference_codes(conn: Connection, docs: list[dict[str, Any]]) -> None:
    """The platform and carrier codes of new documents' keys, each added once."""
    wanted = set()
    for doc in docs:
        role = {"order": "ebp", "payment": "ebp", "inventory": "ebp", "waybill": "logistics"}.get(doc["kind"])
        if role:
            wanted.add((role, doc["key"].split("/")[0]))
        if doc["link_key"]:
            wanted.add(("logistics", doc["link_key"].split("/")[0]))
    known = {(r.role, r.code) for r in conn.execute(select(t.party_code))}
    for role, code in sorted(wanted - known):
        conn.execute(t.party_code.insert().values(role=role, code=code))


def test_a_cleared_run_stores_what_the_sqlalchemy_path_stored(
    two_urls: tuple[str, str], tmp_path: Path
) -> None:
    inbox = tmp_path / "in"
    for n in range(6):
        parcel = make_parcel(buyer=buyer_id(n % 2), prices=[Decimal("2600")] if n == 5 else None)
        write_parcel(inbox, f"p{n}", parcel)
    stores = [ReferenceStore(make_engine(two_urls[0])), SqlStore(make_engine(two_urls[1]))]
    for store in stores:
        BatchClearer(store, shipped_rulebook(), CONFIG, tmp_path / "out", batch_documents=5).run([inbox])
    ref, fast = (s.engine for s in stores)
    assert rows_of(fast, t.document)
    for table in (*t.metadata.sorted_tables, *risk_repo.metadata.sorted_tables):
        skip = ("guid", "xml") if table is t.outbox else ()  # receipts carry new random guids
        assert rows_of(fast, table, skip) == rows_of(ref, table, skip), table.name
    for engine in (ref, fast):
        engine.dispose()
