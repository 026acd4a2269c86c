"""Reading the six import request messages (CEB311/411/511/621/623/625).

:func:`decode_message` accepts

* a bare business message (``ceb:CEB311Message`` ...) in XML,
* the same in the JSON form (see :mod:`opencbec.messages.json_form`), detected by the first
  non-space byte being ``{``,
* either of them Base64-encoded in the ``Data`` of a ``dxp:DxpMsg`` envelope; the envelope
  is checked against ceb-terminal.xsd, its ``TransInfo/CopMsgId`` becomes
  ``Envelope.cop_msg_id``, its ``MsgType`` must name the inner message, and the inner
  message is held to the same limits.

Checks, in order: size, hostile XML (:mod:`~opencbec.messages.safe_xml`), supported message
type, at most 100 documents, the XSD (relaxed signature unless ``require_signature``), then
mapping to the domain aggregates. ``Envelope.signed`` is true when the business message has
a ``ds:Signature`` that is not the OpenCBEC unsigned placeholder; with
``require_signature=True`` the placeholder is refused with 1001 (数字签名无效). Every
refusal is a :class:`~opencbec.messages.errors.MessageRejected`.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from opencbec.domain.documents import DecodedMessage, Document, Envelope
from opencbec.messages.dxp import DXP_MSG, unwrap_dxp
from opencbec.messages.errors import OTHER_ERROR, SIGNATURE_INVALID, MessageRejected
from opencbec.messages.export_decode import decode_export_root
from opencbec.messages.export_layout import is_export_message
from opencbec.messages.json_form import json_to_tree, looks_like_json
from opencbec.messages.layout import BASE_TRANSFER, REQUESTS, Layout
from opencbec.messages.record_xml import read_record
from opencbec.messages.safe_xml import DEFAULT_LIMITS, XmlLimits, parse_xml
from opencbec.messages.schema import CEB_NS, DS_NS, import_schema, short_name, validate
from opencbec.messages.signature import is_placeholder

_SIGNATURE = f"{{{DS_NS}}}Signature"
_CEB_PREFIX = f"{{{CEB_NS}}}"


def decode_message(
    data: bytes,
    *,
    require_signature: bool = False,
    limits: XmlLimits | None = None,
    accept_export: bool = False,
    validated: bool = False,
) -> DecodedMessage:
    """Decode one message into its envelope and documents, or raise ``MessageRejected``.

    With ``accept_export=True`` the export requests (CEB303..CEB701, CEB213/215) are read too and
    returned as :class:`~opencbec.export.documents.ExportDecoded` (see
    :mod:`opencbec.messages.export_decode`); without it they are refused as before.
    ``validated=True`` skips the schema validation, for bytes this program validated when it
    accepted them (the online worker decoding a stored submission); everything else is checked.
    """
    return _decode(data, require_signature, limits or DEFAULT_LIMITS, None, accept_export, validated)


def _decode(
    data: bytes,
    require_signature: bool,
    limits: XmlLimits,
    outer: tuple[str | None, str | None] | None,
    accept_export: bool = False,
    validated: bool = False,
) -> DecodedMessage:
    from_json = looks_like_json(data)
    cop_msg_id = outer[0] if outer else None
    try:
        root = json_to_tree(data, limits) if from_json else parse_xml(data, limits)
        if root.tag == DXP_MSG:
            if outer is not None:
                raise MessageRejected(OTHER_ERROR, "dxp:DxpMsg inside dxp:DxpMsg is not allowed")
            unwrapped = unwrap_dxp(root)
            return _decode(
                unwrapped.inner,
                require_signature,
                limits,
                (unwrapped.cop_msg_id, unwrapped.msg_type),
                accept_export,
                validated,
            )
        if accept_export and is_export_message(str(root.tag).removeprefix(_CEB_PREFIX)):
            return decode_export_root(root, require_signature, outer, from_json, validated)
        return _business(root, require_signature, outer, from_json, validated)
    except MessageRejected as exc:
        exc.cop_msg_id = exc.cop_msg_id or cop_msg_id
        raise


def _message_type(tag: str) -> str | None:
    name = tag.removeprefix(_CEB_PREFIX)
    if name.startswith("CEB") and name.endswith("Message") and len(name) <= 15:
        return name
    return None


def _business(
    root: etree._Element,
    require_signature: bool,
    outer: tuple[str | None, str | None] | None,
    from_json: bool,
    validated: bool = False,
) -> DecodedMessage:
    tag = root.tag if isinstance(root.tag, str) else ""
    message_type = _message_type(tag)
    guid = root.get("guid")
    cop_msg_id = outer[0] if outer else None

    def reject(code: str, info: str) -> MessageRejected:
        return MessageRejected(code, info, message_type, guid, cop_msg_id)

    layout = REQUESTS.get(tag.removeprefix(_CEB_PREFIX)) if tag.startswith(_CEB_PREFIX) else None
    if layout is None:
        raise reject(
            OTHER_ERROR,
            f"unsupported message type {short_name(tag)!r}; accepted: "
            f"{', '.join(REQUESTS)} (不支持的报文类型)",
        )
    if outer is not None and outer[1] != layout.message_type:
        raise reject(
            OTHER_ERROR,
            f"dxp:MsgType {outer[1]!r} does not match the business message "
            f"{layout.message_type} (报文类型与MsgType不一致)",
        )
    count = len(root.findall(layout.document_qname))
    if layout.max_documents is not None and count > layout.max_documents:
        raise reject(
            OTHER_ERROR,
            f"{count} ceb:{layout.wrapper or layout.head.tag} documents, at most "
            f"{layout.max_documents} per message (单个报文最多{layout.max_documents}票)",
        )
    if not validated:
        validate(
            root,
            import_schema(require_signature),
            message_type=message_type,
            guid=guid,
            cop_msg_id=cop_msg_id,
            with_line=not from_json,
        )
    documents: list[Document] = []
    base_transfer = None
    signature = None
    for child in root:
        if child.tag == layout.document_qname:
            documents.append(_document(layout, child))
        elif child.tag == BASE_TRANSFER.qname:
            base_transfer = read_record(BASE_TRANSFER, child)
        elif child.tag == _SIGNATURE:
            signature = child
    placeholder = signature is not None and is_placeholder(signature)
    if placeholder and require_signature:
        raise reject(
            SIGNATURE_INVALID,
            "ds:Signature is the OpenCBEC unsigned placeholder, not a signature (数字签名无效)",
        )
    envelope = Envelope(
        message_type=layout.message_type,
        guid=guid or "",
        base_transfer=base_transfer,
        cop_msg_id=cop_msg_id,
        signed=signature is not None and not placeholder,
    )
    return DecodedMessage(envelope=envelope, documents=documents)


def _document(layout: Layout, element: etree._Element) -> Any:
    assert layout.aggregate is not None
    if layout.wrapper is None:
        return layout.aggregate(read_record(layout.head, element))
    head: Any = None
    lines: list[Any] = []
    line = layout.line
    for child in element:
        if child.tag == layout.head.qname:
            head = read_record(layout.head, child)
        elif line is not None and child.tag == line.qname:
            lines.append(read_record(line, child))
    return layout.aggregate(head, lines) if line is not None else layout.aggregate(head)
