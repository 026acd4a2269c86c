"""Import and export documents of a submission, as the online driver queues and clears them.

``decode_message(..., accept_export=True)`` returns an
:class:`~opencbec.export.documents.ExportDecoded` for the export requests (CEB303 ... CEB701,
CEB213/215): its ``documents`` (import) are empty and ``export_documents`` hold the documents.
These helpers let :class:`~opencbec.service.online.OnlineClearer` treat both alike and hand the
export documents to :func:`~opencbec.service.core.clear_in_unit` as its ``export_batch``, exactly
as ``cbec clear`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from opencbec.clearing.state import Incoming
from opencbec.domain.documents import DecodedMessage, Document, parse_app_time
from opencbec.export.documents import ExportDecoded, ExportDocument
from opencbec.export.state import XIncoming


def export_documents(decoded: DecodedMessage) -> list[ExportDocument]:
    """The export documents of ``decoded`` (none for an import message)."""
    return list(decoded.export_documents) if isinstance(decoded, ExportDecoded) else []


def all_documents(decoded: DecodedMessage) -> list[Document | ExportDocument]:
    """Every document of ``decoded``, import or export, in message order."""
    return [*decoded.documents, *export_documents(decoded)]


def document_guids(decoded: DecodedMessage) -> list[str]:
    """The guids of every document of ``decoded`` (what its receipts mention)."""
    return [d.head.guid for d in all_documents(decoded)]


@dataclass(slots=True)
class Batch:
    """The documents of one clearing batch: import ``documents`` and the ``export`` batch."""

    documents: list[Incoming] = field(default_factory=list)
    export: list[XIncoming] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.documents) + len(self.export)

    def add(
        self, decoded: DecodedMessage, message_id: int, received: datetime, watermark: datetime | None
    ) -> tuple[datetime, datetime | None]:
        """Add the documents of one message; returns the message's time and the new watermark.

        With the event clock (``watermark`` given) each document is received at the largest
        ``appTime`` seen so far, as in ``cbec clear``; with the wall clock at ``received``.
        """
        env = decoded.envelope
        for document in decoded.documents:
            if watermark is not None:
                watermark = max(watermark, parse_app_time(document.head.app_time) or watermark)
                received = watermark
            self.documents.append(Incoming(document, env, message_id, received))
        if isinstance(decoded, ExportDecoded):
            for xdoc in decoded.export_documents:
                if watermark is not None:
                    watermark = max(watermark, parse_app_time(xdoc.head.app_time) or watermark)
                    received = watermark
                self.export.append(XIncoming(xdoc, env, message_id, received, list(decoded.quirks)))
        return (watermark if watermark is not None else received), watermark
