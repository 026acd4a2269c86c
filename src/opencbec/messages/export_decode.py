"""Reading the export request messages (CEB303..CEB701, CEB213/215) and the export receipts.

:func:`decode_export_root` is called by :func:`opencbec.messages.decode.decode_message` (with
``accept_export=True``) once the root is parsed, the envelope unwrapped and the type known to be
an export request. :func:`read_export_receipt` reads the receipts customs sends (CEB304..CEB792);
OpenCBEC writes these, it reads them only for round trips, tools and the official samples.

Deviations of the official samples from ``ceb-export.xsd``, handled deliberately:

* **repeated BaseTransfer** (CEB303/403/505/507/509/603/605/607): the samples carry the same
  ``BaseTransfer`` twice, which the XSD (``maxOccurs=1``) refuses. A repetition that is
  *identical* (same canonical XML) is dropped before validation and the message is accepted,
  with the quirk named in :attr:`ExportDecoded.quirks` (the receipts say so); repetitions that
  differ are refused with 0002, since the transmitting enterprise would be ambiguous.
* **CEB214 root** ``ceb:CEB214`` (not ``CEB214Message``) and an extra ``appSenderId`` in
  ``RefundReturn``: the receipt reader accepts the short root and skips unknown elements.
* **CEB792** ``SummaryResultList`` with ``gnum`` where the XSD has ``gseqno`` (and no
  ``gseqno``): the reader takes the element as what it is named, ``gnum`` (the list line), and
  reports ``gseqno`` 0 ("not given"). What OpenCBEC writes always carries both and validates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from opencbec.domain.documents import Envelope
from opencbec.export.documents import ExportDecoded, ExportDocument
from opencbec.messages.errors import OTHER_ERROR, SCHEMA_ERROR, SIGNATURE_INVALID, MessageRejected
from opencbec.messages.export_layout import EXPORT_BASE_TRANSFER, EXPORT_RECEIPTS, EXPORT_REQUESTS
from opencbec.messages.layout import Layout
from opencbec.messages.record_xml import read_record
from opencbec.messages.safe_xml import DEFAULT_LIMITS, XmlLimits, parse_xml
from opencbec.messages.schema import CEB_NS, DS_NS, export_schema, validate
from opencbec.messages.signature import is_placeholder

_SIGNATURE = f"{{{DS_NS}}}Signature"
_P = f"{{{CEB_NS}}}"
DUPLICATE_BASE_TRANSFER = "repeated identical BaseTransfer accepted as one (重复的BaseTransfer已按一个处理)"


def decode_export_root(
    root: etree._Element,
    require_signature: bool,
    outer: tuple[str | None, str | None] | None,
    from_json: bool,
    validated: bool = False,
) -> ExportDecoded:
    """Validate and map a parsed export request (see the module doc for tolerated quirks)."""
    name = str(root.tag).removeprefix(_P)
    layout = EXPORT_REQUESTS[name]
    guid = root.get("guid")
    cop_msg_id = outer[0] if outer else None

    def reject(code: str, info: str) -> MessageRejected:
        return MessageRejected(code, info, name, guid, cop_msg_id)

    if outer is not None and outer[1] != name:
        raise reject(OTHER_ERROR, f"dxp:MsgType {outer[1]!r} does not match the business message {name}")
    count = len(root.findall(layout.document_qname))
    if layout.max_documents is not None and count > layout.max_documents:
        raise reject(OTHER_ERROR, f"{count} documents, at most {layout.max_documents} per message")
    quirks = _collapse_base_transfers(root, reject)
    if not validated:  # (this program validated the bytes when it accepted them)
        schema, line = export_schema(), not from_json
        validate(root, schema, message_type=name, guid=guid, cop_msg_id=cop_msg_id, with_line=line)
    documents: list[ExportDocument] = []
    base_transfer = None
    signature = None
    for child in root:
        if child.tag == layout.document_qname:
            documents.append(_document(layout, child))
        elif child.tag == EXPORT_BASE_TRANSFER.qname:
            base_transfer = read_record(EXPORT_BASE_TRANSFER, child)
        elif child.tag == _SIGNATURE:
            signature = child
    placeholder = signature is not None and is_placeholder(signature)
    if placeholder and require_signature:
        raise reject(SIGNATURE_INVALID, "ds:Signature is the OpenCBEC unsigned placeholder (数字签名无效)")
    envelope = Envelope(
        message_type=name,
        guid=guid or "",
        base_transfer=base_transfer,
        cop_msg_id=cop_msg_id,
        signed=signature is not None and not placeholder,
    )
    return ExportDecoded(envelope=envelope, documents=[], export_documents=documents, quirks=quirks)


def _collapse_base_transfers(root: etree._Element, reject: Any) -> list[str]:
    transfers = root.findall(EXPORT_BASE_TRANSFER.qname)
    if len(transfers) < 2:
        return []
    first = etree.tostring(transfers[0], method="c14n")
    if any(etree.tostring(t, method="c14n") != first for t in transfers[1:]):
        raise reject(
            SCHEMA_ERROR, f"{len(transfers)} different ceb:BaseTransfer elements; the XSD allows one"
        )
    for extra in transfers[1:]:
        root.remove(extra)
    return [DUPLICATE_BASE_TRANSFER]


def _document(layout: Layout, element: etree._Element) -> Any:
    assert layout.aggregate is not None
    if layout.wrapper is None:
        return layout.aggregate(read_record(layout.head, element))
    head: Any = None
    lines: list[Any] = []
    for child in element:
        if child.tag == layout.head.qname:
            head = read_record(layout.head, child)
        elif layout.line is not None and child.tag == layout.line.qname:
            lines.append(read_record(layout.line, child))
    return layout.aggregate(head, lines)


@dataclass(slots=True)
class ExportReceiptMessage:
    """A receipt message read back: its type, root guid, entries and tolerated quirks.

    ``entries`` are records (``InventoryReturn`` ...) or, for CEB792, ``(head, lines)`` pairs.
    """

    message_type: str
    guid: str
    entries: list[Any] = field(default_factory=list)
    quirks: list[str] = field(default_factory=list)


def read_export_receipt(data: bytes, limits: XmlLimits | None = None) -> ExportReceiptMessage:
    """Read an export receipt (tolerant of the official samples' quirks, see the module doc)."""
    root = parse_xml(data, limits or DEFAULT_LIMITS)
    name = str(root.tag).removeprefix(_P)
    quirks: list[str] = []
    if name == "CEB214":
        quirks.append("root ceb:CEB214 read as ceb:CEB214Message")
        name = "CEB214Message"
    layout = EXPORT_RECEIPTS.get(name)
    if layout is None:
        raise MessageRejected(OTHER_ERROR, f"not an export receipt: {name!r}", name, root.get("guid"))
    message = ExportReceiptMessage(name, root.get("guid") or "", quirks=quirks)
    for child in root:
        if child.tag != layout.document_qname:
            continue
        if layout.wrapper is None:
            message.entries.append(read_record(layout.head, child))
            known = set(layout.head.decode)
            extra = {
                str(c.tag).removeprefix(_P) for c in child if isinstance(c.tag, str) and c.tag not in known
            }
            quirks.extend(
                f"unknown element {e} skipped"
                for e in sorted(extra)
                if f"unknown element {e} skipped" not in quirks
            )
            continue
        head: Any = None
        lines: list[Any] = []
        assert layout.line is not None
        for part in child:
            if part.tag == layout.head.qname:
                head = read_record(layout.head, part)
            elif part.tag == layout.line.qname:
                if part.find(f"{_P}gseqno") is None:
                    note = "SummaryResultList without gseqno: gseqno read as 0 (not given)"
                    if note not in quirks:
                        quirks.append(note)
                lines.append(read_record(layout.line, part, {"gseqno": 0}))
        message.entries.append((head, lines))
    return message
