"""CEB900 format-validation receipts (报文格式校验回执).

``returnStatus`` is the transport code (table 7-1, e.g. ``0002``) unless the caller passes
``return_status``; ``returnInfo`` is ``[Code:0002;Desc:数据包不能通过schema验证] <detail>``,
cut to the XSD's 5000 characters. ``oriBizMessage`` carries the refused original so that the
sender can see what was refused; the receipt is always well-formed and XSD-valid:

* **text form**: if the original is valid UTF-8, holds only characters XML 1.0 allows and
  is at most :data:`ORI_MAX_BYTES`, it is written verbatim as CDATA (a ``]]>`` inside is
  split across two CDATA sections, so the text read back is exactly the original, except
  that XML readers turn ``\\r\\n`` into ``\\n``);
* **truncated text form**: valid text over the limit keeps its first :data:`ORI_MAX_BYTES`
  (cut on a character boundary) followed by
  ``[OpenCBEC: truncated, original N bytes, sha256 <hex>]``;
* **Base64 form**: anything else (binary, invalid UTF-8, control characters) is written as
  ``[OpenCBEC: base64, original N bytes, sha256 <hex>] <Base64 of the first ORI_MAX_BYTES>``.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

from opencbec.messages.dxp import CHINA_TZ
from opencbec.messages.errors import DESCRIPTIONS, OTHER_ERROR
from opencbec.messages.schema import CEB_NS
from opencbec.messages.text import (
    XML_DECLARATION,
    escape_text,
    has_illegal_chars,
    new_guid,
    xml_legal,
)

RETURN_INFO_MAX = 5000
ORI_MAX_BYTES = 1024 * 1024
_ORI_MESSAGE_TYPE_MAX = 15
_ORI_COP_MSG_ID_MAX = 255
_TRUNCATED = "…"


def _cut(text: str, limit: int) -> str:
    text = xml_legal(text)
    return text if len(text) <= limit else text[: limit - len(_TRUNCATED)] + _TRUNCATED


def return_info(code: str, info: str) -> str:
    """``[Code:nnnn;Desc:...] detail``, at most 5000 characters.

    >>> return_info("0001", "not XML")
    '[Code:0001;Desc:报文格式错误] not XML'
    """
    desc = DESCRIPTIONS.get(code, DESCRIPTIONS[OTHER_ERROR])
    return _cut(f"[Code:{code};Desc:{desc}] {info}", RETURN_INFO_MAX)


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def ori_biz_message(original: bytes) -> str:
    """The XML content (CDATA or escaped text) of ``oriBizMessage`` for ``original``."""
    if not original:
        return ""
    head = original[:ORI_MAX_BYTES]
    marker = f"original {len(original)} bytes, sha256 {hashlib.sha256(original).hexdigest()}"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut through a multi-byte character at the limit is not an error in the original.
        if len(original) > ORI_MAX_BYTES and exc.start >= len(head) - 3:
            text = head[: exc.start].decode("utf-8", errors="strict")
        else:
            text = ""
            head = b""
    if head and not has_illegal_chars(text):
        if len(original) <= ORI_MAX_BYTES:
            return _cdata(text)
        return _cdata(text) + escape_text(f"\n[OpenCBEC: truncated, {marker}]")
    encoded = base64.b64encode(original[:ORI_MAX_BYTES]).decode("ascii")
    return escape_text(f"[OpenCBEC: base64, {marker}] {encoded}")


def encode_ceb900(
    info: str,
    code: str,
    original: bytes,
    ori_message_type: str | None,
    ori_cop_msg_id: str | None,
    *,
    return_status: str | None = None,
    guid: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """Encode a CEB900 receipt refusing ``original`` with ``code`` (0001/0002/0999/1001)."""
    moment = now or datetime.now(CHINA_TZ)
    return_time = moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"
    message_type = ori_message_type or "Unknown"
    if len(message_type) > _ORI_MESSAGE_TYPE_MAX or has_illegal_chars(message_type):
        message_type = "Unknown"
    status = _cut(return_status or code, 10) or OTHER_ERROR
    body = (
        f'<ceb:CEB900Message guid="{new_guid() if guid is None else escape_text(guid)}" '
        f'version="1.0" xmlns:ceb="{CEB_NS}">'
        "<ceb:MessageReturn>"
        f"<ceb:guid>{new_guid()}</ceb:guid>"
        f"<ceb:returnStatus>{escape_text(status)}</ceb:returnStatus>"
        f"<ceb:returnInfo>{escape_text(return_info(code, info))}</ceb:returnInfo>"
        f"<ceb:returnTime>{return_time}</ceb:returnTime>"
        f"<ceb:oriCopMsgId>{escape_text(_cut(ori_cop_msg_id or '', _ORI_COP_MSG_ID_MAX))}</ceb:oriCopMsgId>"
        f"<ceb:oriMessageType>{escape_text(message_type)}</ceb:oriMessageType>"
        f"<ceb:oriBizMessage>{ori_biz_message(original)}</ceb:oriBizMessage>"
        "</ceb:MessageReturn>"
        "</ceb:CEB900Message>"
    )
    return (XML_DECLARATION + body).encode()
