"""Rows of the online path: a queued submission's ``api_inbox`` row, a refused message's row and CEB900."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from opencbec.messages.encode import encode_ceb900
from opencbec.messages.errors import MessageRejected
from opencbec.store.repository import MessageRow, OutboxRow


def guid_of(xml: bytes) -> str:
    """The ``guid`` attribute of a message we encoded."""
    start = xml.index(b'guid="') + 6
    return xml[start : xml.index(b'"', start)].decode()


def ceb900_row(enterprise: str, raw: bytes, exc: MessageRejected) -> OutboxRow:
    """The CEB900 refusing ``raw``, addressed to ``enterprise``."""
    xml = encode_ceb900(exc.info, exc.code, raw, exc.message_type, exc.cop_msg_id)
    return OutboxRow("CEB900Message", enterprise, guid_of(xml), xml)


def refused_row(
    pid: int, exc: MessageRejected, sender: str, source: str, at: datetime, raw: bytes
) -> MessageRow:
    """The ``message`` row of a refused message."""
    info = exc.return_info()
    return MessageRow(
        pid, exc.guid, exc.message_type, sender, exc.cop_msg_id, source, at, "rejected", info, 0, raw
    )


def inbox_row(enterprise: str, status: str, at: datetime, raw: bytes, **values: Any) -> dict[str, Any]:
    """An ``api_inbox`` row."""
    return {"enterprise": enterprise, "status": status, "received_at": at, "raw": raw, "info": "", **values}
