"""Read queries of the enterprise API (every one filtered to what the caller may see)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from opencbec.api.models import DocumentState, DocumentView, HistoryLine, ReceiptRef, Submission
from opencbec.api.parties import may_read
from opencbec.domain.documents import DocumentKind
from opencbec.store import schema as t
from opencbec.store.api_repo import inbox, max_outbox_id, receipt_ref
from opencbec.store.codec import plain
from opencbec.store.intake import IntakeJournal, JournalRow
from opencbec.store.keys import guid_in
from opencbec.store.numbers import EBP, LOGISTICS, key_starts, keys_for
from opencbec.store.record_arrays import document_from_data

_CHUNK = 500


def _state(row: Any) -> DocumentState:
    return DocumentState(
        kind=row.kind,
        key=row.key,
        guid=row.guid,
        status=row.status,
        info=row.info,
        current=row.is_current,
        pre_no=row.pre_no,
        invt_no=row.invt_no,
    )


def _ref(row: Any, with_xml: bool = False) -> ReceiptRef:
    xml = plain(row.xml, row.xml_codec).decode("utf-8") if with_xml else None
    return ReceiptRef(id=row.id, message_type=row.message_type, guid=row.guid, xml=xml)


def _inbox_row(conn: Connection, message_id: int, caller: str) -> Any:
    return conn.execute(select(inbox).where(inbox.c.id == message_id, inbox.c.enterprise == caller)).first()


def _journaled(row: JournalRow) -> Submission:
    """A submission accepted into the intake journal and not filed yet: queued."""
    return Submission(
        message_id=row.id,
        status="queued",
        message_type=row.message_type,
        guid=row.guid,
        cop_msg_id=row.cop_msg_id,
        documents=row.documents,
        received_at=row.received_at,
        cleared_at=None,
        info="",
        document_states=[],
        receipts=[],
    )


def submission(
    engine: Engine, message_id: int, caller: str, journal: IntakeJournal | None = None
) -> Submission | None:
    """A submission of ``caller`` with its documents and receipts, or None.

    On SQLite an acknowledged submission may still be in the intake ``journal`` (a clearing batch
    held the database): it is answered as queued. A journal row is forgotten only after the
    transaction filing it into ``api_inbox`` committed, so api_inbox, then the journal, then
    api_inbox again never misses an acknowledged submission.
    """
    d, o = t.document.c, t.outbox.c
    with engine.connect() as conn:
        row = _inbox_row(conn, message_id, caller)
    if row is None and journal is not None:
        queued = journal.get(message_id)
        if queued is not None:
            return _journaled(queued) if queued.enterprise == caller else None
        with engine.connect() as conn:
            row = _inbox_row(conn, message_id, caller)
    if row is None:
        return None
    with engine.connect() as conn:
        guids: list[str] = json.loads(row.refs)
        docs = conn.execute(select(t.document).where(guid_in(guids)).order_by(d.id)).all() if guids else []
        receipt_ids: list[int] = []
        if row.status == "rejected" and row.receipt_id is not None:
            receipt_ids = [row.receipt_id]
        elif row.status == "cleared":
            refs = sorted(set(guids) | {doc.invt_no for doc in docs if doc.invt_no})
            receipt_ids = sorted(
                {
                    int(r)
                    for chunk in _chunks(refs)
                    for r in conn.execute(
                        select(receipt_ref.c.outbox_id).where(
                            receipt_ref.c.ref.in_(chunk),
                            receipt_ref.c.receiver == caller,
                            receipt_ref.c.outbox_id > (row.receipt_floor or 0),
                        )
                    ).scalars()
                }
            )
        receipts = [
            _ref(r)
            for chunk in _chunks(receipt_ids)
            for r in conn.execute(select(o.id, o.message_type, o.guid).where(o.id.in_(chunk)).order_by(o.id))
        ]
    return Submission(
        message_id=row.id,
        status=row.status,
        message_type=row.message_type,
        guid=row.guid,
        cop_msg_id=row.cop_msg_id,
        documents=row.documents,
        received_at=row.received_at,
        cleared_at=row.cleared_at,
        info=row.info,
        document_states=[_state(x) for x in docs],
        receipts=receipts,
    )


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def feed_and_highest(
    engine: Engine, caller: str, since: int, limit: int, with_xml: bool
) -> tuple[list[ReceiptRef], int]:
    """Receipt messages addressed to ``caller`` after cursor ``since``, in outbox order, and the
    outbox's highest id (anyone's receipts) read just before them.

    A receipt for ``caller`` that the page does not hold has an id above that highest id (ids grow
    in commit order), so a reader that waits for the outbox to grow past it misses nothing.
    """
    o = t.outbox.c
    columns = [o.id, o.message_type, o.guid, *([o.xml, o.xml_codec] if with_xml else [])]
    with engine.connect() as conn:
        highest = max_outbox_id(conn)
        rows = conn.execute(
            select(*columns).where(o.receiver == caller, o.id > since).order_by(o.id).limit(limit)
        ).all()
    return [_ref(r, with_xml) for r in rows], highest


def highest_receipt_id(engine: Engine) -> int:
    """The outbox's highest id (0 when empty)."""
    with engine.connect() as conn:
        return max_outbox_id(conn)


def receipt_xml(engine: Engine, receipt_id: int, caller: str) -> bytes | None:
    """One receipt message addressed to ``caller``, or None."""
    o = t.outbox.c
    with engine.connect() as conn:
        row = conn.execute(select(o.xml, o.xml_codec).where(o.id == receipt_id, o.receiver == caller)).first()
    return plain(row.xml, row.xml_codec) if row is not None else None


def _lookup(conn: Connection, field: str, value: str) -> ColumnElement[bool]:
    """Each term is served by an index of its own (``store.numbers``): a list number or waybill link
    is carried by lists only, so their terms need no kind."""
    d = t.document.c
    kinds = (DocumentKind.ORDER.value, DocumentKind.PAYMENT.value, DocumentKind.INVENTORY.value)
    if field == "orderNo":
        return d.kind.in_(kinds) & d.key.in_(keys_for(conn, value, EBP))
    if field == "invtNo":
        return or_(
            d.invt_no == value,
            (d.kind == DocumentKind.CANCEL.value) & (d.key == value),
            (d.kind == DocumentKind.REFUND.value) & key_starts(d.key, value + "/", conn.dialect.name),
        )
    keys = keys_for(conn, value, LOGISTICS)
    return or_((d.kind == DocumentKind.WAYBILL.value) & d.key.in_(keys), d.link_key.in_(keys))


def documents(engine: Engine, field: str, value: str, caller: str) -> list[DocumentView]:
    """Documents known by ``field`` (orderNo, invtNo, logisticsNo) = ``value`` that ``caller`` may read."""
    d, e = t.document.c, t.status_event.c
    with engine.connect() as conn:
        found = _lookup(conn, field, value)
        rows = conn.execute(select(t.document).where(found).order_by(d.id)).all()
        keys = {(r.kind, r.key) for r in rows}
        if rows and len(keys) > 0:
            # every version of the keys found (an invtNo is set on the accepted version only)
            rows = conn.execute(
                select(t.document)
                .where(or_(*[(d.kind == k) & (d.key == key) for k, key in sorted(keys)]))
                .order_by(d.id)
            ).all()
        visible = [
            r for r in rows if may_read(document_from_data(DocumentKind(r.kind), r.data), r.sender, caller)
        ]
        by_key: dict[tuple[str, str], list[Any]] = {}
        for r in visible:
            by_key.setdefault((r.kind, r.key), []).append(r)
        ids = [r.id for r in visible]
        events = [
            ev
            for chunk in _chunks(ids)
            for ev in conn.execute(select(t.status_event).where(e.document_id.in_(chunk)).order_by(e.id))
        ]
    history: dict[int, list[tuple[int, HistoryLine]]] = {}
    for ev in events:
        line = HistoryLine(status=ev.status, info=ev.info, at=ev.at)
        history.setdefault(ev.document_id, []).append((ev.id, line))
    views: list[DocumentView] = []
    for (kind, key), versions in by_key.items():
        current = next((v for v in versions if v.is_current), versions[-1])
        views.append(
            DocumentView(
                kind=kind,
                key=key,
                status=current.status,
                info=current.info,
                pre_no=current.pre_no,
                invt_no=current.invt_no,
                versions=[_state(v) for v in versions],
                history=[
                    h for _, h in sorted((x for v in versions for x in history.get(v.id, [])), key=_first)
                ],
            )
        )
    return views


def _lines(
    versions: list[Any], history: dict[int, list[tuple[int, HistoryLine]]]
) -> list[tuple[int, HistoryLine]]:
    return [x for v in versions for x in history.get(v.id, [])]


def _first(item: tuple[int, HistoryLine]) -> int:
    return item[0]


def clearing_backlog(engine: Engine, journal: IntakeJournal | None) -> int:
    """About how many accepted submissions wait to be cleared: queued in ``api_inbox`` plus the
    intake journal's rows (a row filed and not yet forgotten counts twice, for a moment)."""
    with engine.connect() as conn:
        queued = int(conn.execute(select(func.count()).where(inbox.c.status == "queued")).scalar() or 0)
    return queued + (journal.count() if journal is not None else 0)
