"""Row mappings between the clearing core's objects and the tables."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from opencbec.clearing.state import StoredDoc, TaxNote
from opencbec.domain.documents import DocumentKind, Inventory, parse_app_time
from opencbec.store.repository import MessageRow
from opencbec.store.serialize import document_from_json, document_to_json, record_to_json


def link_key(doc: StoredDoc) -> str | None:
    """The waybill key of a list (``logisticsCode/logisticsNo``); None for other documents."""
    d = doc.document
    if isinstance(d, Inventory):
        return f"{d.head.logistics_code}/{d.head.logistics_no}"
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


def _doc_fields(d: StoredDoc) -> dict[str, Any]:
    return {
        "status": d.status,
        "info": d.info,
        "is_current": d.current,
        "pre_no": d.pre_no,
        "invt_no": d.invt_no,
        "decided_at": d.decided_at,
        "dutiable_value": str(d.dutiable_value) if d.dutiable_value is not None else None,
        "line_values": json.dumps({str(k): str(v) for k, v in d.line_values.items()})
        if d.line_values
        else None,
    }


def doc_row(d: StoredDoc) -> dict[str, Any]:
    head = d.document.head
    return {
        "id": d.doc_id,
        "kind": d.kind.value,
        "key": d.key,
        "guid": d.guid,
        "seq": d.seq,
        "message_id": d.message_id,
        "sender": d.sender,
        "received_at": d.received_at,
        "app_time": app_time(d),
        "link_key": link_key(d),
        "buyer_id": getattr(head, "buyer_id_number", None),
        "data": document_to_json(d.document),
        **_doc_fields(d),
    }


def doc_update(d: StoredDoc) -> dict[str, Any]:
    return {"b_id": d.doc_id, **{"b_" + k: v for k, v in _doc_fields(d).items()}}


def message_row(m: MessageRow) -> dict[str, Any]:
    return {
        "guid": m.guid,
        "message_type": m.message_type,
        "sender": m.sender,
        "cop_msg_id": m.cop_msg_id,
        "source": m.source,
        "received_at": m.received_at,
        "outcome": m.outcome,
        "info": m.info,
        "documents": m.documents,
        "raw": m.raw,
    }


def tax_row(n: TaxNote) -> dict[str, Any]:
    return {
        "tax_no": n.head.tax_no,
        "invt_no": n.head.invt_no,
        "status": n.head.status,
        "receiver": n.receiver,
        "head": record_to_json(n.head),
        "lines": json.dumps([json.loads(record_to_json(x)) for x in n.lines], ensure_ascii=False),
    }


def stored_doc(row: Any) -> StoredDoc:
    """A ``StoredDoc`` from a ``document`` row."""
    kind = DocumentKind(row.kind)
    return StoredDoc(
        doc_id=row.id,
        document=document_from_json(kind, row.data),
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
        line_values={int(k): Decimal(v) for k, v in json.loads(row.line_values or "{}").items()},
    )


def partner_keys(list_key: str, waybill_key: str) -> Iterable[tuple[str, str]]:
    """The keys of a list's partners and of the list itself."""
    yield DocumentKind.ORDER.value, list_key
    yield DocumentKind.PAYMENT.value, list_key
    yield DocumentKind.INVENTORY.value, list_key
    yield DocumentKind.WAYBILL.value, waybill_key
