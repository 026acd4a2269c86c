"""Documents to and from compact JSON for storage (exact decimals as strings)."""

from __future__ import annotations

import json
from dataclasses import fields
from decimal import Decimal
from functools import cache
from typing import Any

from opencbec.domain import ceb_records as rec
from opencbec.domain.documents import (
    Cancel,
    Document,
    DocumentKind,
    Inventory,
    Order,
    Payment,
    Refund,
    Waybill,
)

_HEADS: dict[DocumentKind, tuple[type[Any], type[Any] | None, type[Any]]] = {
    DocumentKind.ORDER: (Order, rec.OrderList, rec.OrderHead),
    DocumentKind.PAYMENT: (Payment, None, rec.PaymentHead),
    DocumentKind.WAYBILL: (Waybill, None, rec.LogisticsHead),
    DocumentKind.INVENTORY: (Inventory, rec.InventoryList, rec.InventoryHead),
    DocumentKind.CANCEL: (Cancel, None, rec.InvtCancel),
    DocumentKind.REFUND: (Refund, rec.InvtRefundList, rec.InvtRefundHead),
}


@cache
def _converters(cls: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(cls):
        kind = str(f.type)
        out[f.name] = Decimal if "Decimal" in kind else int if kind.startswith("int") else str
    return out


_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _record(obj: Any) -> dict[str, Any]:
    cls = type(obj)
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(obj))
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(obj, name)
        if value is None:
            continue
        out[name] = str(value) if isinstance(value, Decimal) else value
    return out


def _restore(cls: type[Any], data: dict[str, Any]) -> Any:
    conv = _converters(cls)  # type: ignore[arg-type]
    return cls(**{k: conv[k](v) for k, v in data.items()})


#: Storage JSON computed ahead (by a decoding worker), by ``id`` of the very document object.
_PREPARED: dict[int, tuple[Document, str]] = {}


def remember_json(doc: Document, text: str) -> None:
    """Note that ``text`` is ``document_to_json(doc)``, so storing ``doc`` need not serialise it again.

    Documents are never changed after decoding; the entry holds ``doc`` so its ``id`` is not
    reused, and is used once. :func:`forget_json` drops what was not used.
    """
    _PREPARED[id(doc)] = (doc, text)


def forget_json() -> None:
    """Drop every remembered serialisation."""
    _PREPARED.clear()


def document_to_json(doc: Document) -> str:
    """Serialise a document (head and lines)."""
    if _PREPARED:
        hit = _PREPARED.pop(id(doc), None)
        if hit is not None and hit[0] is doc:
            return hit[1]
    payload: dict[str, Any] = {"head": _record(doc.head)}
    lines = getattr(doc, "lines", None)
    if lines is not None:
        payload["lines"] = [_record(line) for line in lines]
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def document_from_json(kind: DocumentKind, text: str) -> Document:
    """Rebuild a document of ``kind`` from ``document_to_json`` output."""
    payload = json.loads(text)
    agg, line_cls, head_cls = _HEADS[kind]
    head = _restore(head_cls, payload["head"])
    if line_cls is None:
        return agg(head=head)  # type: ignore[no-any-return]
    lines = [_restore(line_cls, item) for item in payload.get("lines", [])]
    return agg(head=head, lines=lines)  # type: ignore[no-any-return]


def record_to_json(obj: Any) -> str:
    """Serialise any CEB record dataclass."""
    return json.dumps(_record(obj), ensure_ascii=False, separators=(",", ":"))


def record_from_json(cls: type[Any], text: str) -> Any:
    """Rebuild a record dataclass of ``cls``."""
    return _restore(cls, json.loads(text))
