"""Writing CEB messages: requests from aggregates, receipts from records.

``encode_message(message_type, items, base_transfer, guid=...)`` is generic over the
records. ``items`` are, per message type:

* CEB311/411/511/621/623/625 (requests): the aggregates ``Order``, ``Payment``,
  ``Waybill``, ``Inventory``, ``Cancel``, ``Refund``; ``base_transfer`` is required and is
  written after the documents, as the XSD wants;
* CEB312/412/512/622/624/626 (receipts): ``OrderReturn``, ``PaymentReturn``,
  ``LogisticsReturn``, ``InventoryReturn``, ``InvtCancelReturn``, ``InvtRefundReturn``;
* CEB816 (tax notes): :class:`TaxNote` aggregates (head ``TaxHeadRd`` + ``TaxListRd`` lines);
* CEB900: one ``MessageReturn`` (prefer :func:`opencbec.messages.ceb900.encode_ceb900`).

Elements follow the dataclass field order (the XSD order); ``None`` fields and empty
optional strings are skipped. Decimals are written without exponent and without trailing
zeros. Characters XML 1.0 cannot carry are replaced by U+FFFD so the output is always
well-formed. Output is UTF-8 with an XML declaration, prefix ``ceb``, root attributes
``guid`` (uppercase UUID, generated unless given) and ``version="1.0"``.

``placeholder_signature=True`` appends :data:`~opencbec.messages.signature.UNSIGNED_SIGNATURE_XML`
to a request: **not a signature; only accepted with ``--signatures skip``**.

``encode_ceb900``, ``encode_dxp`` and ``unsigned_signature_placeholder`` live in their own
modules and are re-exported here.

Output is not validated at run time (speed) unless ``validate=True`` or the environment
variable ``OPENCBEC_VALIDATE_OUTPUT=1``; the tests validate every message type.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from opencbec.domain.ceb_records import BaseTransfer, TaxHeadRd, TaxListRd
from opencbec.messages.ceb900 import encode_ceb900
from opencbec.messages.dxp import encode_dxp
from opencbec.messages.layout import BASE_TRANSFER, LAYOUTS, Layout
from opencbec.messages.record_xml import writer
from opencbec.messages.schema import CEB_NS, describe_errors, import_schema
from opencbec.messages.signature import UNSIGNED_SIGNATURE_XML, unsigned_signature_placeholder
from opencbec.messages.text import XML_DECLARATION, escape_attr, new_guid

__all__ = [
    "InvalidOutputError",
    "TaxNote",
    "check_output",
    "encode_ceb900",
    "encode_dxp",
    "encode_message",
    "unsigned_signature_placeholder",
]

VALIDATE_OUTPUT = os.environ.get("OPENCBEC_VALIDATE_OUTPUT", "") == "1"


@dataclass(slots=True)
class TaxNote:
    """One CEB816 electronic tax note: ``Tax{TaxHeadRd, TaxListRd[1..99]}``."""

    head: TaxHeadRd
    lines: list[TaxListRd] = field(default_factory=list)


class InvalidOutputError(ValueError):
    """An encoded message failed the XSD (only raised when output validation is on)."""


def _document(out: list[str], layout: Layout, item: Any) -> None:
    if layout.wrapper is None:
        record = item.head if layout.aggregate is not None else item
        writer(layout.head)(out, record)
        return
    out.append(f"<ceb:{layout.wrapper}>")
    writer(layout.head)(out, item.head)
    if layout.line is not None:
        if not item.lines:
            raise ValueError(f"{layout.wrapper} needs at least one {layout.line.tag}")
        for line in item.lines:
            writer(layout.line)(out, line)
    out.append(f"</ceb:{layout.wrapper}>")


def _check_items(layout: Layout, items: Sequence[Any]) -> None:
    if not items:
        raise ValueError(f"{layout.message_type} needs at least one document")
    if layout.max_documents is not None and len(items) > layout.max_documents:
        raise ValueError(
            f"{layout.message_type} carries at most {layout.max_documents} documents, got {len(items)}"
        )
    if layout.aggregate is not None and isinstance(layout.aggregate, type):
        expected: type[Any] = layout.aggregate
    elif layout.wrapper is not None:
        expected = TaxNote
    else:
        expected = layout.head.cls
    for item in items:
        if not isinstance(item, expected):
            raise TypeError(
                f"{layout.message_type} items must be {expected.__name__}, got {type(item).__name__}"
            )


def encode_message(
    message_type: str,
    items: Sequence[Any],
    base_transfer: BaseTransfer | None = None,
    *,
    guid: str | None = None,
    placeholder_signature: bool = False,
    validate: bool | None = None,
) -> bytes:
    """Encode ``items`` as one ``message_type`` message (see the module doc for items)."""
    layout = LAYOUTS.get(message_type)
    if layout is None:
        raise ValueError(f"cannot encode message type {message_type!r}")
    _check_items(layout, items)
    if layout.request and base_transfer is None:
        raise ValueError(f"{message_type} needs a BaseTransfer")
    if not layout.request and (base_transfer is not None or placeholder_signature):
        raise ValueError(f"{message_type} carries neither BaseTransfer nor Signature")
    out = [
        XML_DECLARATION,
        f'<ceb:{message_type} guid="{escape_attr(guid or new_guid())}" version="1.0" xmlns:ceb="{CEB_NS}">',
    ]
    for item in items:
        _document(out, layout, item)
    if base_transfer is not None:
        writer(BASE_TRANSFER)(out, base_transfer)
    if placeholder_signature:
        out.append(UNSIGNED_SIGNATURE_XML)
    out.append(f"</ceb:{message_type}>")
    data = "".join(out).encode("utf-8")
    if VALIDATE_OUTPUT if validate is None else validate:
        check_output(data, require_signature=placeholder_signature or not layout.request)
    return data


def check_output(data: bytes, *, require_signature: bool = True) -> None:
    """Validate an encoded message against ``ceb-import.xsd``; raise :class:`InvalidOutputError`."""
    schema = import_schema(require_signature)
    root = etree.fromstring(data)
    if not schema.validate(root):
        raise InvalidOutputError(describe_errors(schema.error_log))
