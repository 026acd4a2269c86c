"""The relational schema (SQLAlchemy Core), the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    literal,
    text,
)

metadata = MetaData()

#: Every message as received (raw bytes kept), accepted or not.
message = Table(
    "message",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("guid", String(64)),
    Column("message_type", String(32)),
    Column("sender", String(32)),
    Column("cop_msg_id", String(255)),
    Column("source", Text),
    Column("received_at", DateTime),
    Column("outcome", String(16), nullable=False),
    Column("info", Text),
    Column("documents", Integer, nullable=False),
    Column("raw", LargeBinary, nullable=False),
    # how ``raw`` is stored: NULL as received, 'zstd' compressed (``cbec clear``; migration 0008)
    Column("raw_codec", String(8)),
)


def _present(name: str, column: str) -> Index:
    """An index of the rows whose ``column`` has a value (migration 0007)."""
    where = text(f"{column} IS NOT NULL")
    return Index(name, column, sqlite_where=where, postgresql_where=where)


#: The rows of ``ix_document_list_status``: import lists (``DocumentKind.INVENTORY``).
_LISTS = text("kind = 'inventory'")


#: Every version of every document with its current clearing state.
document = Table(
    "document",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),
    Column("key", String(200), nullable=False),
    Column("guid", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("sender", String(32), nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("status", String(8), nullable=False),
    Column("info", Text, nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("app_time", DateTime),
    Column("link_key", String(200)),
    Column("buyer_id", String(64)),
    Column("pre_no", String(18)),
    Column("invt_no", String(20)),
    Column("decided_at", DateTime),
    Column("dutiable_value", String(32)),
    Column("line_values", Text),
    Column("data", Text, nullable=False),
    # a 64-bit hash of ``guid`` (``keys.guid_hash``), indexed in its place (migration 0011)
    Column("guid_hash", BigInteger),
    Index("ix_document_kind_key", "kind", "key"),
    Index("ix_document_guid_hash", "guid_hash"),
    # partial: three documents in four have no list number, waybill link or pre-entry number
    _present("ix_document_invt_no", "invt_no"),
    _present("ix_document_link_key", "link_key"),
    # partial: import lists only, a quarter of the rows (migration 0009); see ``kind_is``
    Index("ix_document_list_status", "status", "app_time", sqlite_where=_LISTS, postgresql_where=_LISTS),
    _present("ix_document_order_no", "pre_no"),
    # the officers' search: newest first, by time window (migration 0013)
    Index("ix_document_received", "received_at", "id"),
)


def kind_is(kind: str) -> ColumnElement[bool]:
    """``document.kind = 'kind'`` with the kind written into the statement, not bound.

    A partial index (``ix_document_list_status``: lists only) serves a query only when the
    planner knows the query's kind. PostgreSQL does not for a bound ``kind = $1`` once a prepared
    statement gets a generic plan (psycopg prepares a statement run five times); SQLite re-plans
    for the bound value, but a literal serves both. The kind is rendered by SQLAlchemy's literal
    processor for strings (quoted), never pasted in as text.
    """
    return document.c.kind == literal(kind, String(16), literal_execute=True)


#: The enterprise codes that begin stored keys (``store.numbers``, migration 0012): ``ebp`` for the
#: platform of ``ebpCode/orderNo`` keys, ``logistics`` for the carrier of ``logisticsCode/logisticsNo``
#: keys, so that a look-up by order or waybill number probes the key indexes once per code.
party_code = Table(
    "party_code",
    metadata,
    Column("role", String(16), primary_key=True),
    Column("code", String(200), primary_key=True),
)


#: Append-only history of status changes.
status_event = Table(
    "status_event",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("document_id", BigInteger, nullable=False, index=True),
    Column("status", String(8), nullable=False),
    Column("info", Text, nullable=False),
    Column("at", DateTime, nullable=False),
)

#: Append-only per-buyer ledger of dutiable value, in fen.
ledger_entry = Table(
    "ledger_entry",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("buyer_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("invt_no", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", DateTime, nullable=False),
    Index("ix_ledger_buyer_year", "buyer_id", "year"),
)

#: Append-only per-buyer quantities of tariff lines with a per-person annual quantity.
quantity_entry = Table(
    "quantity_entry",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("buyer_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("tariff_line", String(8), nullable=False),
    Column("qty", String(32), nullable=False),
    Column("invt_no", String(20), nullable=False),
    Column("at", DateTime, nullable=False),
    Index("ix_quantity_buyer_year", "buyer_id", "year"),
)

#: Returned quantities per list line (CEB625).
returned_line = Table(
    "returned_line",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("invt_no", String(20), nullable=False, index=True),
    Column("gnum", Integer, nullable=False),
    Column("qty", String(32), nullable=False),
)

#: Tax notes, one row per state of a note (1 generated, 3 voided); the latest row wins.
tax_note = Table(
    "tax_note",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("tax_no", String(50), nullable=False),
    Column("invt_no", String(20), nullable=False, index=True),
    Column("status", String(1), nullable=False),
    Column("receiver", String(32), nullable=False),
    Column("head", Text, nullable=False),
    Column("lines", Text, nullable=False),
)

#: Receipt messages to deliver; written files are marked delivered.
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("message_type", String(32), nullable=False),
    Column("receiver", String(32), nullable=False),
    Column("guid", String(64), nullable=False),
    Column("xml", LargeBinary, nullable=False),
    Column("delivered", Boolean, nullable=False, default=False),
    # how ``xml`` is stored: NULL as encoded, 'zstd' compressed (``store.codec``; migration 0010)
    Column("xml_codec", String(8)),
    Index("ix_outbox_pending", "delivered"),
    Index("ix_outbox_receiver", "receiver", "id"),
)

counter = Table(
    "counter",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
