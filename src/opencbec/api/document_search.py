"""The officers' document search (``GET /v1/officer/documents``): every filter given, newest first.

The look-ups by number go through the key indexes (``store.numbers``). Without a number the search
walks ``ix_document_received`` from the newest document (or from ``until``) and stops at the page's
end; lists by status use their own index (``ix_document_list_status``). A buyer has no index of its
own (its random keys cost clearing too much, docs/performance.md): a search by buyer reads the table.
docs/operations.md gives the times, ``scripts/lookup_times.py`` measures them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Row, Select, String, or_, select, type_coerce

from opencbec.domain.documents import DocumentKind
from opencbec.store import schema as t
from opencbec.store.numbers import EBP, IMPORT_KINDS, LOGISTICS, key_starts, keys_for

LISTS = DocumentKind.INVENTORY.value


@dataclass(frozen=True, slots=True)
class DocumentSearch:
    """The filters of a search (times naive, Beijing time)."""

    order_no: str | None = None
    invt_no: str | None = None
    logistics_no: str | None = None
    buyer_id: str | None = None
    kind: str | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    current_only: bool = True

    def filters(self) -> dict[str, Any]:
        """The filters given, by their API names (for the audit log)."""
        named: dict[str, Any] = {
            "orderNo": self.order_no,
            "invtNo": self.invt_no,
            "logisticsNo": self.logistics_no,
            "kind": self.kind,
            "buyerId": self.buyer_id,
            "status": self.status,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {name: value for name, value in named.items() if value}

    def statement(self, engine: Engine) -> Select[Any]:
        """The rows' statement (every column but the document's content), newest first."""
        c = t.document.c
        stmt = select(*[col for col in t.document.c if col.name != "data"])
        if self.order_no:
            keys = keys_for(engine, self.order_no, EBP, whole=True)
            stmt = stmt.where(c.kind.in_(IMPORT_KINDS) & c.key.in_(keys))
        if self.invt_no:
            prefix = key_starts(c.key, f"{self.invt_no}/", engine.dialect.name)
            stmt = stmt.where(
                or_(
                    c.invt_no == self.invt_no,
                    c.kind.in_(IMPORT_KINDS) & (c.key == self.invt_no),
                    (c.kind == DocumentKind.REFUND.value) & prefix,
                )
            )
        if self.logistics_no:
            waybills = keys_for(engine, self.logistics_no, LOGISTICS)
            stmt = stmt.where(
                or_(
                    c.link_key.in_(waybills),  # lists only carry a link
                    c.kind.in_(IMPORT_KINDS) & c.key.in_(waybills),
                )
            )
        if self.kind:
            stmt = stmt.where(self._kind_term(engine))
        if self.buyer_id:
            stmt = stmt.where(c.buyer_id == self.buyer_id)
        if self.status:
            stmt = stmt.where(c.status == self.status)
        if self.since:
            stmt = stmt.where(c.received_at >= self.since)
        if self.until:
            stmt = stmt.where(c.received_at < self.until)
        if self.current_only:
            stmt = stmt.where(c.is_current.is_(True))
        newest: ColumnElement[Any] = c.received_at
        if self.buyer_id and engine.dialect.name == "sqlite" and not self._numbered():
            # no index of buyers: the time index would be walked to its start for a buyer's few
            # documents, slower than reading the table and sorting them
            newest = _unindexed(c.received_at)
        return stmt.order_by(newest.desc(), c.id.desc())

    def _numbered(self) -> bool:
        return bool(self.order_no or self.invt_no or self.logistics_no)

    def _kind_term(self, engine: Engine) -> ColumnElement[bool]:
        """The kind filter: a literal, so that lists by status use their partial index
        (``schema.kind_is``); on SQLite, when nothing else narrows the search, a term no index
        serves. SQLite has no statistics of its own: given an index on the kind it would read every
        document of the kind and sort them, where the time index stops at the page's end (a kind
        with fewer documents than a page reads the index to its start). PostgreSQL weighs both.
        """
        assert self.kind is not None
        if self._numbered() or engine.dialect.name != "sqlite" or (self.status and self.kind == LISTS):
            return t.kind_is(self.kind)
        return _unindexed(t.document.c.kind) == self.kind


def _unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``column`` as SQLite text concatenated with ``''``: the same value and order (SQLite keeps
    times as fixed-width text), in an expression no index serves, so the planner cannot pick an
    index of ``column`` for a filter or an order where another serves better."""
    return type_coerce(column, String).concat("")


def search(engine: Engine, query: DocumentSearch, page: int, page_size: int) -> tuple[list[Row[Any]], bool]:
    """Page ``page`` (from 1) of ``page_size`` rows, and whether more follow."""
    stmt = query.statement(engine).limit(page_size + 1).offset((page - 1) * page_size)
    with engine.connect() as conn:
        rows = list(conn.execute(stmt).all())
    return rows[:page_size], len(rows) > page_size
