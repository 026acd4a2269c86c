"""How records and messages map to XML, derived mechanically from the dataclasses.

A record's XML children are its dataclass fields in order, named in camelCase
(``actural_paid`` <-> ``acturalPaid``); converters follow the field annotation (``Decimal``,
``int`` or ``str``). The tables are computed once at import time so that decoding and
encoding never inspect types or run regular expressions per element.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from opencbec.domain import ceb_records as r
from opencbec.domain.documents import Cancel, Inventory, Order, Payment, Refund, Waybill
from opencbec.messages.schema import CEB_NS

Converter = Callable[[str], Any]
_CONVERTERS: dict[str, Converter] = {"str": str, "Decimal": Decimal, "int": int}


def camel(snake: str) -> str:
    """``actural_paid`` -> ``acturalPaid``.

    >>> camel("value_added_tax"), camel("qty1"), camel("gnum")
    ('valueAddedTax', 'qty1', 'gnum')
    """
    first, *rest = snake.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One child element of a record."""

    attr: str  # dataclass field name
    name: str  # XSD element name (camelCase)
    kind: str  # "str", "Decimal" or "int"
    optional: bool
    convert: Converter


@dataclass(frozen=True, slots=True)
class RecordSpec:
    """A record class and its XML element."""

    cls: type[Any]
    tag: str  # XSD element name, e.g. "OrderHead"
    fields: tuple[FieldSpec, ...]
    by_tag: dict[str, FieldSpec]  # "{ns}orderNo" -> field
    # Decoding table: "{ns}orderNo" -> (attribute, converter or None for str, value if empty)
    decode: dict[str, tuple[str, Converter | None, str | None]]
    qname: str  # namespaced tag


def record_spec(cls: type[Any], tag: str | None = None) -> RecordSpec:
    """Build the mapping table of a ``ceb_records`` dataclass."""
    specs: list[FieldSpec] = []
    for f in dataclasses.fields(cls):
        annotation = str(f.type)
        optional = annotation.endswith("| None")
        kind = annotation.removesuffix("| None").strip()
        specs.append(FieldSpec(f.name, camel(f.name), kind, optional, _CONVERTERS[kind]))
    by_tag = {f"{{{CEB_NS}}}{s.name}": s for s in specs}
    decode = {
        qname: (s.attr, None if s.kind == "str" else s.convert, None if s.optional else "")
        for qname, s in by_tag.items()
    }
    name = tag or cls.__name__
    return RecordSpec(cls, name, tuple(specs), by_tag, decode, f"{{{CEB_NS}}}{name}")


@dataclass(frozen=True, slots=True)
class Layout:
    """The shape of one message type.

    ``wrapper`` is the per-document element (``Order``) or ``None`` when the head record is
    the document itself (``InvtCancel``, the receipts). ``aggregate`` builds the domain
    object from ``(head, lines)``; ``None`` means items are plain records.
    """

    message_type: str
    wrapper: str | None
    head: RecordSpec
    line: RecordSpec | None
    aggregate: Callable[..., Any] | None
    request: bool  # requests carry BaseTransfer (and possibly ds:Signature)
    max_documents: int | None = 100
    document_qname: str = ""  # the element counted as one document (derived)

    def __post_init__(self) -> None:
        qname = f"{{{CEB_NS}}}{self.wrapper}" if self.wrapper else self.head.qname
        object.__setattr__(self, "document_qname", qname)


def _spec(cls: type[Any]) -> RecordSpec:
    return record_spec(cls)


BASE_TRANSFER = _spec(r.BaseTransfer)

REQUESTS: dict[str, Layout] = {
    lay.message_type: lay
    for lay in (
        Layout("CEB311Message", "Order", _spec(r.OrderHead), _spec(r.OrderList), Order, True),
        Layout("CEB411Message", "Payment", _spec(r.PaymentHead), None, Payment, True),
        Layout("CEB511Message", "Logistics", _spec(r.LogisticsHead), None, Waybill, True),
        Layout(
            "CEB621Message",
            "Inventory",
            _spec(r.InventoryHead),
            _spec(r.InventoryList),
            Inventory,
            True,
        ),
        Layout("CEB623Message", None, _spec(r.InvtCancel), None, Cancel, True),
        Layout(
            "CEB625Message",
            "InvtRefund",
            _spec(r.InvtRefundHead),
            _spec(r.InvtRefundList),
            Refund,
            True,
        ),
    )
}

RECEIPTS: dict[str, Layout] = {
    lay.message_type: lay
    for lay in (
        Layout("CEB312Message", None, _spec(r.OrderReturn), None, None, False),
        Layout("CEB412Message", None, _spec(r.PaymentReturn), None, None, False),
        Layout("CEB512Message", None, _spec(r.LogisticsReturn), None, None, False),
        Layout("CEB622Message", None, _spec(r.InventoryReturn), None, None, False),
        Layout("CEB624Message", None, _spec(r.InvtCancelReturn), None, None, False),
        Layout("CEB626Message", None, _spec(r.InvtRefundReturn), None, None, False),
        Layout("CEB816Message", "Tax", _spec(r.TaxHeadRd), _spec(r.TaxListRd), None, False, None),
        Layout("CEB900Message", None, _spec(r.MessageReturn), None, None, False, 1),
    )
}

LAYOUTS: dict[str, Layout] = {**REQUESTS, **RECEIPTS}

#: Children of a request root after the documents, in XSD order.
REQUEST_TRAILER = ("BaseTransfer", "BaseSubscribe", "ExtendMessage", "Signature")


def child_order(message_type: str) -> dict[str, dict[str, int]]:
    """Rank of each child name per parent element name (used to order JSON members)."""
    lay = LAYOUTS[message_type]
    ranks: dict[str, dict[str, int]] = {}
    top = [lay.wrapper or lay.head.tag]
    if lay.request:
        top += list(REQUEST_TRAILER)
    ranks[message_type] = {name: i for i, name in enumerate(top)}
    if lay.wrapper:
        inner = [lay.head.tag] + ([lay.line.tag] if lay.line else [])
        ranks[lay.wrapper] = {name: i for i, name in enumerate(inner)}
    for spec in (lay.head, lay.line, BASE_TRANSFER):
        if spec is not None:
            ranks[spec.tag] = {f.name: i for i, f in enumerate(spec.fields)}
    return ranks
