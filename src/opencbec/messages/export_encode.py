"""Writing export messages: receipts (CEB304..CEB792) from records, requests from aggregates.

``encode_export(message_type, items, base_transfer=None)``:

* requests (CEB303/403/505/507/509/603/605/607/701/213/215): the export aggregates of
  :mod:`opencbec.export.documents`; ``base_transfer`` (an export ``BaseTransfer``) is required;
* receipts: the receipt records (``InventoryReturn`` ...); CEB792: :class:`SummaryResult`
  (head ``SummaryResultHead`` + ``SummaryResultList`` lines, may be empty).

Elements follow the dataclass (XSD) order; ``None`` and empty optional strings are skipped;
decimals without exponent or trailing zeros. ``validate=True`` (or
``OPENCBEC_VALIDATE_OUTPUT=1``) checks the result against ``ceb-export.xsd``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from opencbec.domain import ceb_export_records as x
from opencbec.messages.export_layout import EXPORT_BASE_TRANSFER, EXPORT_LAYOUTS
from opencbec.messages.layout import Layout
from opencbec.messages.record_xml import writer
from opencbec.messages.schema import CEB_NS, describe_errors, export_schema
from opencbec.messages.signature import UNSIGNED_SIGNATURE_XML
from opencbec.messages.text import XML_DECLARATION, escape_attr
from opencbec.messages.text import new_guid as _new_guid

VALIDATE_OUTPUT = os.environ.get("OPENCBEC_VALIDATE_OUTPUT", "") == "1"


@dataclass(slots=True)
class SummaryResult:
    """One CEB792 summary result: a generated declaration and the list lines in it."""

    head: x.SummaryResultHead
    lines: list[x.SummaryResultList] = field(default_factory=list)


class InvalidExportOutputError(ValueError):
    """An encoded export message failed the XSD."""


def _document(out: list[str], layout: Layout, item: Any) -> None:
    if layout.wrapper is None:
        writer(layout.head)(out, item.head if layout.aggregate is not None else item)
        return
    out.append(f"<ceb:{layout.wrapper}>")
    writer(layout.head)(out, item.head)
    if layout.line is not None:
        if not item.lines and layout.request and layout.message_type not in _EMPTY_BODY_OK:
            raise ValueError(f"{layout.wrapper} needs at least one {layout.line.tag}")
        for line in item.lines:
            writer(layout.line)(out, line)
    out.append(f"</ceb:{layout.wrapper}>")


#: Messages whose line element has minOccurs=0 (arrival, summary application).
_EMPTY_BODY_OK = frozenset({"CEB507Message", "CEB701Message"})


def encode_export(
    message_type: str,
    items: Sequence[Any],
    base_transfer: x.BaseTransfer | None = None,
    *,
    guid: str | None = None,
    placeholder_signature: bool = False,
    validate: bool | None = None,
) -> bytes:
    """Encode ``items`` as one export ``message_type`` message (see the module doc)."""
    layout = EXPORT_LAYOUTS.get(message_type)
    if layout is None:
        raise ValueError(f"cannot encode export message type {message_type!r}")
    if not items:
        raise ValueError(f"{message_type} needs at least one document")
    if layout.max_documents is not None and len(items) > layout.max_documents:
        raise ValueError(f"{message_type} carries at most {layout.max_documents} documents")
    if layout.request and base_transfer is None:
        raise ValueError(f"{message_type} needs a BaseTransfer")
    if not layout.request and (base_transfer is not None or placeholder_signature):
        raise ValueError(f"{message_type} carries neither BaseTransfer nor Signature")
    out = [
        XML_DECLARATION,
        f'<ceb:{message_type} guid="{escape_attr(guid or _new_guid())}" version="1.0" xmlns:ceb="{CEB_NS}">',
    ]
    for item in items:
        _document(out, layout, item)
    if base_transfer is not None:
        writer(EXPORT_BASE_TRANSFER)(out, base_transfer)
    if placeholder_signature:
        out.append(UNSIGNED_SIGNATURE_XML)
    out.append(f"</ceb:{message_type}>")
    data = "".join(out).encode("utf-8")
    if VALIDATE_OUTPUT if validate is None else validate:
        check_export_output(data)
    return data


def check_export_output(data: bytes) -> None:
    """Validate an encoded message against ``ceb-export.xsd``; raise :class:`InvalidExportOutputError`."""
    schema = export_schema()
    root = etree.fromstring(data)
    if not schema.validate(root):
        raise InvalidExportOutputError(describe_errors(schema.error_log))
