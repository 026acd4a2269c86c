"""``ClearingStore`` on SQLAlchemy Core: SQLite by default, PostgreSQL by URL.

``make_engine`` and ``database_url`` live in :mod:`opencbec.store.engine` (re-exported here).

Every batch is read with a handful of bulk queries and written in one transaction, with
``executemany`` inserts and updates: no per-document round trips.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, bindparam, func, select, text, update
from sqlalchemy.engine import Connection

from opencbec.clearing.state import Effects, Incoming, StateView, StoredDoc, TaxNote
from opencbec.domain.ceb_records import TaxHeadRd, TaxListRd
from opencbec.domain.codes import Status
from opencbec.domain.documents import DocumentKind, Inventory, Order, Payment, Waybill
from opencbec.domain.money import ZERO, from_fen
from opencbec.store import bulk, risk_repo
from opencbec.store import schema as t
from opencbec.store.engine import clearing_cache_mb, database_url, make_engine
from opencbec.store.pg_stats import PlannerStats
from opencbec.store.repository import (
    ClearingStore,
    ClearingUnit,
    MessageRow,
    OutboxRow,
)
from opencbec.store.rows import (
    MESSAGE_COLUMNS,
    link_key,
    message_row,
    message_values,
    partner_keys,
    stored_doc,
)
from opencbec.store.serialize import record_from_json
from opencbec.store.sql_apply import write_effects
from opencbec.store.sql_outbox import SqlOutbox
from opencbec.store.sql_queries import SqlQueries

#: Values per ``IN`` list, as in ``bulk.select_in``.
_CHUNK = bulk.IN_CHUNK
#: Every column of ``document``, in table order.
DOCUMENT_COLUMNS = tuple(c.name for c in t.document.c)
#: Key of the PostgreSQL advisory lock that serialises clearing batches.
CLEARING_LOCK = 0x0CBEC


def _due(watermark: datetime, partner_wait: timedelta) -> tuple[ColumnElement[bool], ...]:
    """Conditions of a waiting list (current, declaring) whose deadline has passed."""
    return (
        t.kind_is(DocumentKind.INVENTORY.value),  # a literal, for ix_document_list_status
        t.document.c.status == Status.DECLARING.value,
        t.document.c.is_current.is_(True),
        t.document.c.app_time < watermark - partner_wait,
    )


#: The ``tax_note`` columns a state read takes.
TAX_NOTE_COLUMNS = ("id", "invt_no", "status", "receiver", "head", "lines")


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class SqlClearingUnit(ClearingUnit):
    """The reads and writes of one clearing batch, on one connection in one transaction."""

    def __init__(self, store: SqlStore, conn: Connection) -> None:
        self.store = store
        self.conn = conn

    def counters(self) -> dict[str, int]:
        return self.store.counters_on(self.conn)

    def watermark(self) -> datetime | None:
        return self.store.watermark_on(self.conn)

    def insert_messages(self, messages: Sequence[MessageRow]) -> list[int]:
        return self.store.insert_messages(self.conn, messages)

    def load_state(
        self,
        batch: Sequence[Incoming],
        watermark: datetime,
        partner_wait: timedelta,
        counters: dict[str, int],
        *,
        risk_history: bool = True,
    ) -> StateView:
        return self.store.load_state(
            self.conn, batch, watermark, partner_wait, counters, risk_history=risk_history
        )

    def load_expired(
        self, watermark: datetime, partner_wait: timedelta, counters: dict[str, int], after: int, limit: int
    ) -> StateView:
        return self.store.load_expired(self.conn, watermark, partner_wait, counters, after, limit)

    def apply(
        self,
        effects: Effects,
        outbox: Sequence[OutboxRow],
        counters: dict[str, int],
        watermark: datetime | None,
    ) -> None:
        held = self.held_outbox
        self.store.apply(self.conn, effects, outbox if held is None else (), counters, watermark)
        if held is not None:
            held.extend(outbox)


def _every_version(
    conn: Connection, kind: str, keys: list[str], versions: set[tuple[DocumentKind, str, str]]
) -> Iterator[Any]:
    """The current rows of ``kind`` with one of ``keys``, noting every version's (kind, guid, key)
    in ``versions`` on the way (earlier versions are few: a key has more than one only when its
    document was changed or declared again)."""
    document_kind = DocumentKind(kind)
    for row in bulk.select_in(conn, t.document, DOCUMENT_COLUMNS, "key", keys, (("kind", kind),)):
        versions.add((document_kind, row.guid, row.key))
        if row.is_current:
            yield row


class SqlStore(SqlQueries, SqlOutbox, ClearingStore):
    """The clearing store on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.planner_stats = PlannerStats()

    # -- reading -------------------------------------------------------------------
    @contextmanager
    def clearing(self) -> Iterator[SqlClearingUnit]:
        """One clearing batch in one transaction, holding the clearing lock until commit.

        Batches are serialised across processes: PostgreSQL takes a transaction-level advisory
        lock, SQLite takes its single writer lock at the start of the transaction. So the state a
        batch reads cannot change before it writes (e.g. a buyer's ledger under parallel workers).
        """
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CLEARING_LOCK})
            else:
                self._save_meta(conn, "clearing_lock", "held")
                # a clearing batch touches pages all over the document indexes (random guids):
                # a larger page cache on the connections that clear than SQLite's 2 MB
                conn.exec_driver_sql(f"PRAGMA cache_size=-{clearing_cache_mb() * 1024}")
            yield SqlClearingUnit(self, conn)
        self.planner_stats.refresh(self.engine)  # after the commit

    def counters(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return self.counters_on(conn)

    @staticmethod
    def counters_on(conn: Connection) -> dict[str, int]:
        """Counters as seen on ``conn``."""
        return {row.name: row.value for row in conn.execute(select(t.counter))}

    def watermark(self) -> datetime | None:
        with self.engine.connect() as conn:
            return self.watermark_on(conn)

    @staticmethod
    def watermark_on(conn: Connection) -> datetime | None:
        """The event-time clock as seen on ``conn``."""
        value = conn.execute(select(t.meta.c.value).where(t.meta.c.key == "watermark")).scalar()
        return datetime.fromisoformat(value) if value else None

    def load_state(
        self,
        conn: Connection,
        batch: Sequence[Incoming],
        watermark: datetime,
        partner_wait: timedelta,
        counters: dict[str, int],
        *,
        risk_history: bool = True,
    ) -> StateView:
        """Read, in bulk and on ``conn``, everything ``clear`` needs for ``batch``."""
        state = StateView(counters=counters)
        keys: set[tuple[str, str]] = set()
        link_keys: set[str] = set()
        invt_nos: set[str] = set()
        for inc in batch:
            d = inc.document
            keys.add((d.kind.value, d.key))
            if isinstance(d, Order | Payment):
                keys.add((DocumentKind.INVENTORY.value, d.key))
            elif isinstance(d, Waybill):
                link_keys.add(d.key)
            elif isinstance(d, Inventory):
                keys.update(partner_keys(d.key, d.waybill_key))
            else:
                invt_nos.add(d.head.invt_no)
        due = select(t.document).where(*_due(watermark, partner_wait))
        state = self._load_state(conn, batch, due, state, keys, link_keys, invt_nos)
        if risk_history:
            risk_repo.load_history(conn, state, (inc.document for inc in batch))
        return state

    def load_expired(
        self,
        conn: Connection,
        watermark: datetime,
        partner_wait: timedelta,
        counters: dict[str, int],
        after: int,
        limit: int,
    ) -> StateView:
        """The first ``limit`` waiting lists past their deadline with an id above ``after``, with
        their partners and their buyers' ledgers (see ``ClearingUnit.load_expired``)."""
        due = select(t.document).where(*_due(watermark, partner_wait), t.document.c.id > after).limit(limit)
        state = StateView(counters=counters)
        return self._load_state(conn, (), due, state, set(), set(), set())

    def _load_state(
        self,
        conn: Connection,
        batch: Sequence[Incoming],
        due_query: Select[Any],
        state: StateView,
        keys: set[tuple[str, str]],
        link_keys: set[str],
        invt_nos: set[str],
    ) -> StateView:
        docs = self._load_current(conn, keys, link_keys, invt_nos, state.versions)
        # the same order on every backend
        due = [stored_doc(row) for row in conn.execute(due_query.order_by(t.document.c.id))]
        for doc in due:
            docs.setdefault(doc.doc_id, doc)
        # partners of every list loaded (waiting lists reached through a partner key)
        more: set[tuple[str, str]] = set()
        for doc in docs.values():
            link = link_key(doc)
            if link is not None:
                more.update(partner_keys(doc.key, link))
        more -= {(d.kind.value, d.key) for d in docs.values()}
        for doc in self._load_current(conn, more, set(), set()).values():
            docs.setdefault(doc.doc_id, doc)
        state.due_lists = [docs[d.doc_id] for d in due]
        for doc in docs.values():
            state.current[(doc.kind, doc.key)] = doc
            link = link_key(doc)
            if link is not None:
                state.lists_by_waybill[link] = doc
            if doc.invt_no:
                state.lists_by_invt_no[doc.invt_no] = doc
        lists = [d for d in docs.values() if d.kind is DocumentKind.INVENTORY]
        buyers = {d.document.head.buyer_id_number for d in lists}  # type: ignore[union-attr]
        buyers.update(
            inc.document.head.buyer_id_number for inc in batch if isinstance(inc.document, Inventory)
        )
        self._load_ledgers(conn, lists, buyers, state)
        return state

    def _load_current(
        self,
        conn: Connection,
        keys: set[tuple[str, str]],
        link_keys: set[str],
        invt_nos: set[str],
        versions: set[tuple[DocumentKind, str, str]] | None = None,
    ) -> dict[int, StoredDoc]:
        """The current versions of ``keys`` (kind, key), of the waybill links ``link_keys`` and of
        the list numbers ``invt_nos``; with ``versions``, every version of ``keys`` is read and its
        (kind, guid, key) added there (``StateView.versions``, for replays)."""
        out: dict[int, StoredDoc] = {}
        by_kind: dict[str, list[str]] = {}
        for kind, key in keys:
            by_kind.setdefault(kind, []).append(key)
        current = ("is_current", True)
        if versions is None:
            found = [
                bulk.select_in(conn, t.document, DOCUMENT_COLUMNS, "key", klist, (("kind", kind), current))
                for kind, klist in by_kind.items()
            ]
        else:
            found = [_every_version(conn, kind, klist, versions) for kind, klist in by_kind.items()]
        found.append(bulk.select_in(conn, t.document, DOCUMENT_COLUMNS, "link_key", link_keys, (current,)))
        found.append(bulk.select_in(conn, t.document, DOCUMENT_COLUMNS, "invt_no", invt_nos, (current,)))
        for rows in found:
            for row in rows:
                if row.id not in out:
                    out[row.id] = stored_doc(row)
        return out

    def _load_ledgers(
        self, conn: Connection, lists: list[StoredDoc], buyer_ids: set[str], state: StateView
    ) -> None:
        # plain bulk reads (bulk.select_in), summed here: a buyer has a few entries a year
        fen: dict[tuple[str, int], int] = {}
        ledger = ("buyer_id", "year", "amount_fen")
        for buyer, year, amount in bulk.select_in(conn, t.ledger_entry, ledger, "buyer_id", buyer_ids):
            fen[(buyer, year)] = fen.get((buyer, year), 0) + amount
        for buyer_year, total in fen.items():
            state.ledger_used[buyer_year] = from_fen(total)
        quantity = ("buyer_id", "year", "tariff_line", "qty")
        for q_buyer, q_year, line, qty in bulk.select_in(
            conn, t.quantity_entry, quantity, "buyer_id", buyer_ids
        ):
            line_key = (q_buyer, q_year, line)
            state.quantity_used[line_key] = state.quantity_used.get(line_key, ZERO) + Decimal(qty)
        invt_nos = {d.invt_no for d in lists if d.invt_no}
        returned = ("invt_no", "gnum", "qty")
        for r_invt, gnum, qty in bulk.select_in(conn, t.returned_line, returned, "invt_no", invt_nos):
            per = state.returned_qty.setdefault(r_invt, {})
            per[gnum] = per.get(gnum, ZERO) + Decimal(qty)
        latest: dict[str, Any] = {}  # the latest row of each list's note wins
        notes = bulk.select_in(conn, t.tax_note, TAX_NOTE_COLUMNS, "invt_no", invt_nos)
        for row in sorted(notes, key=attrgetter("id")):
            latest[row.invt_no] = row
        for invt_no, row in latest.items():
            if row.status != "3":
                state.tax_notes[invt_no] = TaxNote(
                    head=record_from_json(TaxHeadRd, row.head),
                    lines=[record_from_json(TaxListRd, json.dumps(x)) for x in json.loads(row.lines)],
                    receiver=row.receiver,
                )

    # -- writing -------------------------------------------------------------------
    def insert_messages(self, conn: Connection, messages: Sequence[MessageRow]) -> list[int]:
        """Store received messages; returns their database ids, in order."""
        ids: list[int] = []
        if not messages:
            return ids
        if conn.dialect.name == "sqlite":
            # the batch holds SQLite's write lock: the next ids are those SQLite would choose
            # (max + 1, no AUTOINCREMENT), so the rows go in one bulk insert with them
            first = (conn.execute(select(func.max(t.message.c.id))).scalar() or 0) + 1
            ids = list(range(first, first + len(messages)))
            values = [(i, *message_values(m)) for i, m in zip(ids, messages, strict=True)]
            bulk.insert(conn, t.message, ("id", *MESSAGE_COLUMNS), values)
        else:
            for chunk in _chunks(list(messages)):
                rows = [message_row(m) for m in chunk]
                result = conn.execute(
                    t.message.insert().returning(t.message.c.id, sort_by_parameter_order=True), rows
                )
                ids.extend(r[0] for r in result)
        for m, new_id in zip(messages, ids, strict=True):
            m.id = new_id
        return ids

    def apply(
        self,
        conn: Connection,
        effects: Effects,
        outbox: Sequence[OutboxRow],
        counters: dict[str, int],
        watermark: datetime | None,
    ) -> None:
        """Persist a batch's effects and receipts on ``conn`` (inside the batch transaction)."""
        write_effects(conn, effects, outbox)
        self.planner_stats.note(len(effects.new_docs))
        self._save_counters(conn, counters)
        if watermark is not None:
            self._save_meta(conn, "watermark", watermark.isoformat())

    def _save_counters(self, conn: Connection, counters: dict[str, int]) -> None:
        if not counters:
            return
        existing = {
            row.name
            for row in conn.execute(select(t.counter.c.name).where(t.counter.c.name.in_(list(counters))))
        }
        new = [{"name": k, "value": v} for k, v in counters.items() if k not in existing]
        old = [{"b_name": k, "b_value": v} for k, v in counters.items() if k in existing]
        if new:
            conn.execute(t.counter.insert(), new)
        if old:
            conn.execute(
                update(t.counter)
                .where(t.counter.c.name == bindparam("b_name"))
                .values(value=bindparam("b_value")),
                old,
            )

    def _save_meta(self, conn: Connection, key: str, value: str) -> None:
        done = conn.execute(update(t.meta).where(t.meta.c.key == key).values(value=value)).rowcount
        if not done:
            conn.execute(t.meta.insert().values(key=key, value=value))


__all__ = ["CLEARING_LOCK", "SqlClearingUnit", "SqlStore", "database_url", "make_engine"]
