"""Rows of the online path: a queued submission's ``api_inbox`` row, a refused message's row and CEB900."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from opencbec.domain.documents import DecodedMessage
from opencbec.messages.encode import encode_ceb900
from opencbec.messages.errors import MessageRejected
from opencbec.service.online_export import all_documents, document_guids
from opencbec.store import bulk
from opencbec.store.api_repo import inbox
from opencbec.store.intake import JournalRow
from opencbec.store.message_json import message_to_json
from opencbec.store.repository import MessageRow, OutboxRow
from opencbec.store.serialize import dumps


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


def queued_row(enterprise: str, decoded: DecodedMessage, raw: bytes, at: datetime) -> dict[str, Any]:
    """The ``api_inbox`` (or intake journal) row of an accepted submission, queued."""
    env = decoded.envelope
    return inbox_row(
        enterprise,
        "queued",
        at,
        raw,
        message_type=env.message_type,
        guid=env.guid,
        cop_msg_id=env.cop_msg_id,
        documents=len(all_documents(decoded)),
        refs=dumps(document_guids(decoded)),
        decoded=message_to_json(decoded),  # the worker need not parse the XML again
    )


#: ``api_inbox`` columns written when a journal row is filed, and when a submission is cleared.
FILED_COLUMNS = (
    "id",
    "enterprise",
    "status",
    "received_at",
    "raw",
    "info",
    "message_type",
    "guid",
    "cop_msg_id",
    "documents",
    "refs",
    "decoded",
)
CLEARED_COLUMNS = ("status", "message_id", "info", "receipt_floor", "cleared_at", "raw", "decoded")


def file_rows(conn: Connection, rows: list[JournalRow]) -> list[int]:
    """File journal ``rows`` into ``api_inbox`` as queued (those not filed yet); returns their ids."""
    ids = [r.id for r in rows]
    there = set(conn.execute(select(inbox.c.id).where(inbox.c.id.in_(ids))).scalars())
    fresh = [
        (
            r.id,
            r.enterprise,
            "queued",
            r.received_at,
            r.raw,
            "",
            r.message_type,
            r.guid,
            r.cop_msg_id,
            r.documents,
            r.refs,
            r.decoded,
        )
        for r in rows
        if r.id not in there
    ]
    bulk.insert(conn, inbox, FILED_COLUMNS, fresh)
    return ids
