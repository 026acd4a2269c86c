"""The ``dxp:DxpMsg`` terminal-node envelope (ceb-terminal.xsd).

``DxpMsg{TransInfo{CopMsgId, SenderId, ReceiverIds/ReceiverId, CreatTime, MsgType},
Data (Base64 of the business message), AddInfo?, ds:Signature?}``.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from lxml import etree

from opencbec.messages.errors import FORMAT_ERROR, MessageRejected
from opencbec.messages.schema import DXP_NS, terminal_schema, validate
from opencbec.messages.text import escape_text

DXP_MSG = f"{{{DXP_NS}}}DxpMsg"
_COP_MSG_ID = f"{{{DXP_NS}}}TransInfo/{{{DXP_NS}}}CopMsgId"
_MSG_TYPE = f"{{{DXP_NS}}}TransInfo/{{{DXP_NS}}}MsgType"
_DATA = f"{{{DXP_NS}}}Data"
CHINA_TZ = timezone(timedelta(hours=8))


@dataclass(frozen=True, slots=True)
class Unwrapped:
    """What a DxpMsg carried."""

    inner: bytes
    cop_msg_id: str | None
    msg_type: str | None


def unwrap_dxp(root: etree._Element) -> Unwrapped:
    """Check a parsed DxpMsg against ceb-terminal.xsd and decode its Base64 ``Data``.

    Bad Base64 is a format error (0001); any other envelope defect is a schema error (0002).
    """
    cop_msg_id = root.findtext(_COP_MSG_ID)
    msg_type = root.findtext(_MSG_TYPE)
    data = root.find(_DATA)
    inner = b""
    if data is not None:
        text = "".join((data.text or "").split())
        try:
            inner = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise MessageRejected(
                FORMAT_ERROR,
                "dxp:Data is not valid Base64 (Data不是合法的Base64编码)",
                msg_type,
                None,
                cop_msg_id,
            ) from None
    validate(root, terminal_schema(), message_type=msg_type, cop_msg_id=cop_msg_id)
    return Unwrapped(inner, cop_msg_id, msg_type)


def encode_dxp(
    inner: bytes,
    msg_type: str,
    sender_id: str,
    receiver_id: str,
    cop_msg_id: str,
    *,
    creat_time: datetime | None = None,
) -> bytes:
    """Wrap a business message in a ``dxp:DxpMsg`` (``Data`` = Base64 of ``inner``).

    ``creat_time`` defaults to now in China time (UTC+8), written as ``yyyy-mm-ddThh:mm:ss``.
    """
    created = (creat_time or datetime.now(CHINA_TZ)).strftime("%Y-%m-%dT%H:%M:%S")
    payload = base64.b64encode(inner).decode("ascii")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<dxp:DxpMsg ver="1.0" xmlns:dxp="{DXP_NS}">'
        "<dxp:TransInfo>"
        f"<dxp:CopMsgId>{escape_text(cop_msg_id)}</dxp:CopMsgId>"
        f"<dxp:SenderId>{escape_text(sender_id)}</dxp:SenderId>"
        "<dxp:ReceiverIds>"
        f"<dxp:ReceiverId>{escape_text(receiver_id)}</dxp:ReceiverId>"
        "</dxp:ReceiverIds>"
        f"<dxp:CreatTime>{created}</dxp:CreatTime>"
        f"<dxp:MsgType>{escape_text(msg_type)}</dxp:MsgType>"
        "</dxp:TransInfo>"
        f"<dxp:Data>{payload}</dxp:Data>"
        "</dxp:DxpMsg>"
    ).encode()
