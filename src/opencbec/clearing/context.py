"""The working context of one clearing batch: state being updated and effects being collected."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.numbering import DOCUMENT_IDS, Numbering
from opencbec.clearing.ports import RulebookLike
from opencbec.clearing.receipts import receipt_record
from opencbec.clearing.state import (
    DocKey,
    Effects,
    Incoming,
    LedgerEntry,
    Receipt,
    StateView,
    StatusEvent,
    StoredDoc,
)
from opencbec.domain.codes import Reason
from opencbec.domain.documents import RECEIPT_TYPE, DocumentKind
from opencbec.domain.money import ZERO


class Work:
    """Mutable view of the state during one ``clear`` call, recording every change."""

    def __init__(
        self,
        state: StateView,
        rulebook: RulebookLike,
        config: ClearingConfig,
        watermark: datetime,
    ) -> None:
        self.state = state
        self.rulebook = rulebook
        self.config = config
        self.watermark = watermark
        self.numbers = Numbering(state.counters)
        self.effects = Effects()
        self._new_ids: set[int] = set()

    # -- documents --------------------------------------------------------------------
    def new_doc(self, inc: Incoming) -> StoredDoc:
        """Register a newly arrived document version (not yet current)."""
        doc = StoredDoc(
            doc_id=self.numbers.next(DOCUMENT_IDS),
            document=inc.document,
            status="",
            info="",
            received_at=inc.received_at,
            seq=self.numbers.next("seq"),
            message_id=inc.message_id,
            sender=inc.envelope.sender,
            current=False,
        )
        self.effects.new_docs.append(doc)
        self._new_ids.add(doc.doc_id)
        self.state.versions.add((doc.kind, doc.guid, doc.key))
        return doc

    def make_current(self, doc: StoredDoc) -> None:
        """Make ``doc`` the current version of its key, retiring the previous one."""
        key: DocKey = (doc.kind, doc.key)
        old = self.state.current.get(key)
        if old is not None and old is not doc:
            old.current = False
            self.changed(old)
        doc.current = True
        self.state.current[key] = doc
        if doc.kind is DocumentKind.INVENTORY:
            self.state.lists_by_waybill[doc.document.waybill_key] = doc  # type: ignore[union-attr]

    def changed(self, doc: StoredDoc) -> None:
        """Note that a stored document changed."""
        if doc.doc_id not in self._new_ids:
            self.effects.changed_docs[doc.doc_id] = doc

    def set_status(
        self,
        doc: StoredDoc,
        status: str,
        reason: Reason | None,
        detail: str = "",
        *,
        at: datetime | None = None,
        receipt: bool = True,
    ) -> None:
        """Record a status change with its reason and queue the receipt."""
        when = at or doc.received_at
        info = reason.info(detail) if reason else detail
        doc.status = status
        doc.info = info
        self.changed(doc)
        self.effects.events.append(StatusEvent(doc.doc_id, status, info, when))
        if receipt:
            self.effects.receipts.append(
                Receipt(RECEIPT_TYPE[doc.kind], doc.sender, receipt_record(doc, status, info, when))
            )

    def resend_status(self, doc: StoredDoc, inc: Incoming) -> None:
        """Answer a replay with the document's current status (no change)."""
        self.effects.replays.append((doc.kind, inc.document.head.guid))
        self.effects.events.append(
            StatusEvent(doc.doc_id, doc.status, f"replay of guid {inc.document.head.guid}", inc.received_at)
        )
        record = receipt_record(doc, doc.status or "2", doc.info or doc.status, inc.received_at)
        self.effects.receipts.append(Receipt(RECEIPT_TYPE[doc.kind], inc.envelope.sender, record))

    # -- ledger -----------------------------------------------------------------------
    def used(self, buyer_id: str, year: int) -> Decimal:
        """Amount the buyer has used in ``year``."""
        return self.state.ledger_used.get((buyer_id, year), ZERO)

    def book(self, entry: LedgerEntry) -> None:
        """Append a ledger movement."""
        key = (entry.buyer_id, entry.year)
        self.state.ledger_used[key] = self.used(*key) + entry.amount
        self.effects.ledger.append(entry)
