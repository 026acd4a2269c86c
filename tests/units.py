"""Clearing documents through the service's one batch path, in a clearing unit of their own."""

from __future__ import annotations

from datetime import datetime

from opencbec.bootstrap import App
from opencbec.clearing.state import Effects, Incoming
from opencbec.domain import ceb_records as rec
from opencbec.domain.documents import Document, Envelope
from opencbec.service.core import clear_in_unit
from opencbec.store.repository import MessageRow, OutboxRow
from tests.parcels import guid

SENDER = "330766K00Q"


def clear_message(app: App, *documents: Document, sender: str = SENDER) -> tuple[Effects, list[OutboxRow]]:
    """One message from ``sender`` with ``documents``, cleared in a clearing unit of its own
    (committed) at its latest ``appTime``; its effects and the receipt messages written."""
    at = max(datetime.strptime(d.head.app_time, "%Y%m%d%H%M%S") for d in documents)
    env = Envelope(
        message_type="CEB311Message",
        guid=guid(),
        base_transfer=rec.BaseTransfer(cop_code=sender, cop_name="x", dxp_mode="DXP", dxp_id="DXP1"),
    )
    row = MessageRow(
        -1, env.guid, env.message_type, sender, None, "test", at, "accepted", "", len(documents), b"<x/>"
    )
    with app.store.clearing() as unit:
        return clear_in_unit(
            unit, [Incoming(d, env, -1, at) for d in documents], [row], [], at, app.rulebook, app.config
        )
