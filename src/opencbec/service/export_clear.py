"""The export side of a clearing batch, and the monthly summary, on the SQL store.

:func:`clear_export_in_unit` runs inside the same clearing unit (same transaction, same lock)
as the import batch of ``cbec clear``: it loads the export state, runs the pure export core and
writes its effects; the receipt messages it returns go to the shared outbox.
:func:`summarize_month` is ``cbec export summarize`` / ``POST /v1/export/summaries``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, and_, select
from sqlalchemy.engine import Connection

from opencbec.clearing.numbering import Numbering
from opencbec.export.documents import ExportKind, ExportList
from opencbec.export.flow import clear_export
from opencbec.export.rules import ExportConfig
from opencbec.export.state import ExportEffects, XDoc, XIncoming, XReceipt
from opencbec.export.summary import ClosedList, month_window, overdue
from opencbec.export.summary_apply import SummaryOutcome, summarize
from opencbec.messages.export_encode import encode_export
from opencbec.store import export_repo as repo
from opencbec.store.numbers import LOGISTICS, keys_for
from opencbec.store.repository import ClearingUnit, OutboxRow
from opencbec.store.sql_apply import insert_outbox

MAX_ENTRIES = 100


def _conn(unit: ClearingUnit) -> Connection:
    conn = getattr(unit, "conn", None)
    if not isinstance(conn, Connection):
        raise TypeError("export clearing needs the SQL clearing unit")
    return conn


def clear_export_in_unit(
    unit: ClearingUnit, batch: Sequence[XIncoming], watermark: datetime, config: ExportConfig | None = None
) -> tuple[ExportEffects, list[OutboxRow]]:
    """Clear ``batch`` in the unit's transaction; returns the effects and the receipt messages."""
    conn = _conn(unit)
    state = repo.load_state(conn, batch)
    effects = clear_export(batch, state, config or ExportConfig(), watermark)
    repo.apply(conn, effects)
    return effects, outbox_rows(effects.receipts)


def outbox_rows(receipts: Iterable[XReceipt]) -> list[OutboxRow]:
    """Group receipt entries by type and receiver into messages of at most 100 entries."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for r in receipts:
        groups.setdefault((r.message_type, r.receiver), []).append(r.record)
    rows: list[OutboxRow] = []
    for (message_type, receiver), records in groups.items():
        for i in range(0, len(records), MAX_ENTRIES):
            xml = encode_export(message_type, records[i : i + MAX_ENTRIES])
            start = xml.index(b'guid="') + 6
            guid = xml[start : xml.index(b'"', start)].decode()
            rows.append(OutboxRow(message_type, receiver or "UNKNOWN", guid, xml))
    return rows


@dataclass(slots=True)
class MonthSummary:
    """What ``cbec export summarize`` did for one consignor."""

    ebc_code: str
    outcome: SummaryOutcome


def _closed_lists(conn: Connection, start: datetime, end: datetime, enterprise: str | None) -> list[XDoc]:
    t = repo.export_document.c
    where = [t.kind == ExportKind.LIST.value, t.closed_at >= start, t.closed_at < end, t.sum_no.is_(None)]
    if enterprise:
        where.append(t.ebc_code == enterprise)
    docs = [repo.to_xdoc(row) for row in conn.execute(select(repo.export_document).where(and_(*where)))]
    return [
        doc
        for doc in docs
        if isinstance(doc.document, ExportList) and doc.document.head.statistics_flag == "B"
    ]


def summarize_month(
    engine: Engine,
    month: str,
    enterprise: str | None = None,
    *,
    summary_flag: str = "1",
    item_name_flag: str = "0",
    at: datetime | None = None,
) -> list[MonthSummary]:
    """Summarise the lists closed in ``month`` (per consignor), store the declarations and CEB792s."""
    start, end = month_window(month)
    at = at or datetime.now()
    done: list[MonthSummary] = []
    with engine.begin() as conn:
        counters = {r.name: r.value for r in conn.execute(select(repo.export_counter))}
        numbers = Numbering(counters)
        by_ebc: dict[str, list[XDoc]] = {}
        for doc in _closed_lists(conn, start, end, enterprise):
            assert isinstance(doc.document, ExportList)
            by_ebc.setdefault(doc.document.head.ebc_code, []).append(doc)
        receipts: list[XReceipt] = []
        for ebc, lists in sorted(by_ebc.items()):
            customs = lists[0].document.head.customs_code  # type: ignore[union-attr]
            outcome = summarize(lists, summary_flag, item_name_flag, numbers, customs, at)
            for lst in lists:
                conn.execute(
                    repo.export_document.update()
                    .where(repo.export_document.c.id == lst.doc_id)
                    .values(sum_no=outcome.sum_no)
                )
            receivers = {lst.invt_no: lst.sender for lst in lists}
            for note in outcome.results:
                receiver = receivers.get(note.lines[0].invt_no, "") if note.lines else ""
                receipts.append(XReceipt("CEB792Message", receiver, note))
            repo.save_declarations(
                conn,
                list(
                    zip(
                        outcome.decl_seq_nos,
                        [outcome.sum_no] * len(outcome.declarations),
                        outcome.declarations,
                        strict=True,
                    )
                ),
                at,
            )
            done.append(MonthSummary(ebc, outcome))
        repo.save_counters(conn, numbers.changed)
        insert_outbox(conn, outbox_rows(receipts))
    return done


def overdue_lists(engine: Engine, as_of: date, due_day: int = 15) -> list[ClosedList]:
    """Lists closed last month, not yet summarised, after the due day."""
    start, _ = month_window(f"{as_of.year:04d}-{as_of.month:02d}")
    with engine.connect() as conn:
        docs = _closed_lists(conn, datetime(1900, 1, 1), start, None)
    closed = [ClosedList(doc.invt_no or "", doc.document, doc.closed_at) for doc in docs if doc.closed_at]  # type: ignore[arg-type]
    return overdue(closed, as_of, due_day)


def export_list_view(engine: Engine, number: str) -> dict[str, Any] | None:
    """An export list by invtNo, copNo key or waybill number, with its state."""
    t = repo.export_document.c
    with engine.connect() as conn:
        # two terms each served by its index; the kind is checked here, not in the statement, where
        # it would lead SQLite to read every export list by the kind instead
        rows = conn.execute(
            select(repo.export_document)
            .where((t.invt_no == number) | t.waybill_key.in_(keys_for(conn, number, LOGISTICS)))
            .order_by(t.id)
        ).all()
    row = next((r for r in rows if r.kind == ExportKind.LIST.value), None)
    if row is None:
        return None
    return {
        "invtNo": row.invt_no,
        "preNo": row.pre_no,
        "key": row.key,
        "status": row.status,
        "info": row.info,
        "releasedAt": row.released_at,
        "closedAt": row.closed_at,
        "billNo": row.bill_no,
        "sumNo": row.sum_no,
    }
