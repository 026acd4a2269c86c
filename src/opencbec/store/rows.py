"""Row mappings between the clearing core's objects and the tables."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from opencbec.clearing.state import StoredDoc, TaxNote
from opencbec.domain.documents import DocumentKind, Inventory, parse_app_time
from opencbec.store.keys import guid_hash
from opencbec.store.record_arrays import document_data, document_from_data
from opencbec.store.repository import MessageRow
from opencbec.store.serialize import (
    dumps,
    loads,
    record_dict,
    record_to_json,
)


def link_key(doc: StoredDoc) -> str | None:
    """The waybill key of a list (``logisticsCode/logisticsNo``); None for other documents."""
    d = doc.document
    if isinstance(d, Inventory):
        return d.waybill_key
    return None


def app_time(doc: StoredDoc) -> datetime | None:
    """The document's ``appTime`` as a datetime, if valid."""
    return parse_app_time(doc.document.head.app_time)


MUTABLE = (
    "status",
    "info",
    "is_current",
    "pre_no",
    "invt_no",
    "decided_at",
    "dutiable_value",
    "line_values",
)


#: The columns of a ``document`` row, in the order of :func:`doc_values`.
DOC_COLUMNS = (
    "id",
    "kind",
    "key",
    "guid",
    "guid_hash",
    "seq",
    "message_id",
    "sender",
    "received_at",
    "app_time",
    "link_key",
    "buyer_id",
    "data",
    *MUTABLE,
)


def _doc_fields(d: StoredDoc) -> tuple[Any, ...]:
    """The values of the ``MUTABLE`` columns."""
    return (
        d.status,
        d.info,
        d.current,
        d.pre_no,
        d.invt_no,
        d.decided_at,
        str(d.dutiable_value) if d.dutiable_value is not None else None,
        json.dumps({str(k): str(v) for k, v in d.line_values.items()}) if d.line_values else None,
    )


def doc_values(d: StoredDoc) -> tuple[Any, ...]:
    """A ``document`` row (``DOC_COLUMNS``)."""
    doc = d.document
    head = doc.head
    kind = d.kind
    text = document_data(doc)
    link = doc.waybill_key if isinstance(doc, Inventory) else None
    return (
        d.doc_id,
        kind.value,
        d.key,
        d.guid,
        guid_hash(d.guid),
        d.seq,
        d.message_id,
        d.sender,
        d.received_at,
        app_time(d),
        link,
        getattr(head, "buyer_id_number", None),
        text,
        *_doc_fields(d),
    )


def doc_row(d: StoredDoc) -> dict[str, Any]:
    """A ``document`` row as a mapping."""
    return dict(zip(DOC_COLUMNS, doc_values(d), strict=True))


def doc_update_values(d: StoredDoc) -> tuple[Any, ...]:
    """The ``MUTABLE`` columns of a changed document, then its id."""
    return (*_doc_fields(d), d.doc_id)


def doc_update(d: StoredDoc) -> dict[str, Any]:
    """The ``MUTABLE`` columns of a changed document (``b_`` names) and its id (``b_id``)."""
    return {"b_id": d.doc_id, **{"b_" + k: v for k, v in zip(MUTABLE, _doc_fields(d), strict=True)}}


#: The columns of a ``message`` row, but its id (``message_values``).
MESSAGE_COLUMNS = (
    "guid",
    "message_type",
    "sender",
    "cop_msg_id",
    "source",
    "received_at",
    "outcome",
    "info",
    "documents",
    "raw",
    "raw_codec",
)


def message_values(m: MessageRow) -> tuple[Any, ...]:
    """A ``message`` row (``MESSAGE_COLUMNS``)."""
    return (
        m.guid,
        m.message_type,
        m.sender,
        m.cop_msg_id,
        m.source,
        m.received_at,
        m.outcome,
        m.info,
        m.documents,
        m.raw,
        m.codec,
    )


def message_row(m: MessageRow) -> dict[str, Any]:
    """A ``message`` row as a mapping."""
    return dict(zip(MESSAGE_COLUMNS, message_values(m), strict=True))


def tax_values(n: TaxNote) -> tuple[str, str, str, str, str, str]:
    """A ``tax_note`` row: tax_no, invt_no, status, receiver, head, lines."""
    return (
        n.head.tax_no,
        n.head.invt_no,
        n.head.status,
        n.receiver,
        record_to_json(n.head),
        _lines_json(n),
    )


def _lines_json(n: TaxNote) -> str:
    try:  # the JSON of each line's JSON, read back, in one array (its values are JSON-native)
        return dumps([record_dict(x) for x in n.lines])
    except TypeError:
        return dumps([json.loads(record_to_json(x)) for x in n.lines])


def tax_row(n: TaxNote) -> dict[str, Any]:
    """A ``tax_note`` row as a mapping."""
    names = ("tax_no", "invt_no", "status", "receiver", "head", "lines")
    return dict(zip(names, tax_values(n), strict=True))


def stored_doc(row: Any) -> StoredDoc:
    """A ``StoredDoc`` from a ``document`` row."""
    kind = DocumentKind(row.kind)
    return StoredDoc(
        doc_id=row.id,
        document=document_from_data(kind, row.data),
        status=row.status,
        info=row.info,
        received_at=row.received_at,
        seq=row.seq,
        message_id=row.message_id,
        sender=row.sender,
        current=row.is_current,
        pre_no=row.pre_no,
        invt_no=row.invt_no,
        decided_at=row.decided_at,
        dutiable_value=Decimal(row.dutiable_value) if row.dutiable_value else None,
        line_values=_line_values(row.line_values),
    )


def _line_values(text: str | None) -> dict[int, Decimal]:
    return {int(k): Decimal(v) for k, v in loads(text).items()} if text else {}


def partner_keys(list_key: str, waybill_key: str) -> Iterable[tuple[str, str]]:
    """The keys of a list's partners and of the list itself."""
    yield DocumentKind.ORDER.value, list_key
    yield DocumentKind.PAYMENT.value, list_key
    yield DocumentKind.INVENTORY.value, list_key
    yield DocumentKind.WAYBILL.value, waybill_key
