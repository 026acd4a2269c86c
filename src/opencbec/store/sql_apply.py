"""Writing a clearing batch's effects and receipts: bulk inserts and updates on the batch connection."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Connection

from opencbec.clearing.state import Effects
from opencbec.store import bulk, numbers, risk_repo
from opencbec.store import schema as t
from opencbec.store.codec import ZSTD, compress
from opencbec.store.repository import OutboxRow
from opencbec.store.rows import DOC_COLUMNS, MUTABLE, doc_update_values, doc_values, tax_values

EVENT_COLUMNS = ("document_id", "status", "info", "at")
LEDGER_COLUMNS = ("buyer_id", "year", "amount_fen", "invt_no", "reason", "at")
QUANTITY_COLUMNS = ("buyer_id", "year", "tariff_line", "qty", "invt_no", "at")
RETURNED_COLUMNS = ("invt_no", "gnum", "qty")
TAX_COLUMNS = ("tax_no", "invt_no", "status", "receiver", "head", "lines")
OUTBOX_COLUMNS = ("message_type", "receiver", "guid", "xml", "xml_codec", "delivered")


def write_effects(conn: Connection, effects: Effects, outbox: Sequence[OutboxRow]) -> None:
    """Persist a batch's effects and ``outbox`` on ``conn`` (inside the batch transaction).

    Receipt messages are stored compressed (:func:`insert_outbox`): a run's receipts were over a
    third of the database's bytes, and of its writes, as XML (docs/performance.md)."""
    bulk.insert(conn, t.document, DOC_COLUMNS, [doc_values(d) for d in effects.new_docs])
    bulk.update(
        conn, t.document, MUTABLE, ("id",), [doc_update_values(d) for d in effects.changed_docs.values()]
    )
    bulk.insert(
        conn, t.status_event, EVENT_COLUMNS, [(e.doc_id, e.status, e.info, e.at) for e in effects.events]
    )
    bulk.insert(
        conn,
        t.ledger_entry,
        LEDGER_COLUMNS,
        [(e.buyer_id, e.year, int(e.amount * 100), e.invt_no, e.reason, e.at) for e in effects.ledger],
    )
    bulk.insert(
        conn,
        t.quantity_entry,
        QUANTITY_COLUMNS,
        [(q.buyer_id, q.year, q.tariff_line, str(q.qty), q.invt_no, q.at) for q in effects.quantities],
    )
    bulk.insert(conn, t.returned_line, RETURNED_COLUMNS, [(i, g, str(q)) for i, g, q in effects.returned])
    bulk.insert(conn, t.tax_note, TAX_COLUMNS, [tax_values(n) for n in effects.tax_notes])
    numbers.record(conn, numbers.import_codes(effects.new_docs))
    risk_repo.apply(conn, effects.risk_records)
    insert_outbox(conn, outbox)


def insert_outbox(conn: Connection, outbox: Sequence[OutboxRow]) -> None:
    """Store receipt messages to deliver, compressed (``outbox.xml_codec``; a row's ``packed``
    bytes as they are)."""
    bulk.insert(
        conn,
        t.outbox,
        OUTBOX_COLUMNS,
        [(o.message_type, o.receiver, o.guid, _packed(o), ZSTD, False) for o in outbox],
    )


def _packed(row: OutboxRow) -> bytes:
    return compress(row.xml) if row.packed is None else row.packed
