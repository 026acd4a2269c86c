"""The state a clearing batch reads (``StateView``) and the changes it produces (``Effects``).

The driver reads a ``StateView`` in bulk before calling ``clear`` and applies the ``Effects``
atomically afterwards; the core never touches storage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from opencbec.clearing.checks import Failure
from opencbec.clearing.risk_port import RiskHistory, RiskRecord
from opencbec.domain.ceb_records import TaxHeadRd, TaxListRd
from opencbec.domain.codes import Status
from opencbec.domain.documents import Document, DocumentKind, Envelope

DocKey = tuple[DocumentKind, str]


@dataclass(slots=True)
class Incoming:
    """A document as it arrives, with where it came from."""

    document: Document
    envelope: Envelope
    message_id: int
    received_at: datetime
    #: The document's own checks (``checks.own_checks``) when they were run ahead, in the process
    #: that decoded it, as a 1-tuple; None when the core is to run them.
    checked: tuple[Failure | None] | None = None


@dataclass(slots=True)
class StoredDoc:
    """One version of a document with its clearing state."""

    doc_id: int
    document: Document
    status: str
    info: str
    received_at: datetime
    seq: int
    message_id: int
    sender: str
    current: bool = True
    pre_no: str | None = None
    invt_no: str | None = None
    decided_at: datetime | None = None
    dutiable_value: Decimal | None = None
    line_values: dict[int, Decimal] = field(default_factory=dict)
    #: The document's kind, business key and guid (read very often, so computed once).
    kind: DocumentKind = field(init=False)
    key: str = field(init=False)
    guid: str = field(init=False)

    def __post_init__(self) -> None:
        document = self.document  # never replaced: a new version is a new StoredDoc
        self.kind = document.kind
        self.key = document.key
        self.guid = document.head.guid


@dataclass(slots=True)
class TaxNote:
    """A CEB816 electronic tax note."""

    head: TaxHeadRd
    lines: list[TaxListRd]
    #: The enterprise that receives the note (the sender of the list).
    receiver: str = ""


@dataclass(slots=True)
class LedgerEntry:
    """One movement on a buyer's annual ledger (positive: a purchase; negative: a reversal)."""

    buyer_id: str
    year: int
    amount: Decimal
    invt_no: str
    reason: str
    at: datetime


@dataclass(slots=True)
class QuantityEntry:
    """One movement of a buyer's annual quantity of a restricted tariff line."""

    buyer_id: str
    year: int
    tariff_line: str
    qty: Decimal
    invt_no: str
    at: datetime


@dataclass(slots=True)
class StatusEvent:
    """A status change of a document, in order."""

    doc_id: int
    status: str
    info: str
    at: datetime


@dataclass(slots=True)
class Receipt:
    """One receipt entry to send: the receipt message type, the receiver and the record."""

    message_type: str
    receiver: str
    record: object


@dataclass(slots=True)
class StateView:
    """What a batch needs from the past, read in bulk before ``clear``."""

    #: Current version per business key, for every key the batch touches (and partners).
    current: dict[DocKey, StoredDoc] = field(default_factory=dict)
    #: Every stored version's (kind, guid, key), for every key the batch's documents have: a
    #: document that arrives with all three again is a replay (read with the current versions, by
    #: key; no look-up by guid is needed, since a replay has its original's key).
    versions: set[tuple[DocumentKind, str, str]] = field(default_factory=set)
    #: Lists by customs list number (for cancels and returns).
    lists_by_invt_no: dict[str, StoredDoc] = field(default_factory=dict)
    #: Lists by their waybill key (``logisticsCode/logisticsNo``).
    lists_by_waybill: dict[str, StoredDoc] = field(default_factory=dict)
    #: Lists waiting for partners whose deadline has passed (to refuse).
    due_lists: list[StoredDoc] = field(default_factory=list)
    #: Buyer's used amount per calendar year.
    ledger_used: dict[tuple[str, int], Decimal] = field(default_factory=dict)
    #: Buyer's used quantity per year and restricted tariff line.
    quantity_used: dict[tuple[str, int, str], Decimal] = field(default_factory=dict)
    #: Quantities already returned per list and line.
    returned_qty: dict[str, dict[int, Decimal]] = field(default_factory=dict)
    #: The tax note in force per list.
    tax_notes: dict[str, TaxNote] = field(default_factory=dict)
    #: Counters (document ids, arrival sequence, number serials) as they stand.
    counters: dict[str, int] = field(default_factory=dict)
    #: Party history and today's selection counts, for risk targeting (when configured).
    risk: RiskHistory = field(default_factory=RiskHistory)


@dataclass(slots=True)
class Effects:
    """Everything a batch changes; applied atomically by the driver."""

    new_docs: list[StoredDoc] = field(default_factory=list)
    changed_docs: dict[int, StoredDoc] = field(default_factory=dict)
    events: list[StatusEvent] = field(default_factory=list)
    ledger: list[LedgerEntry] = field(default_factory=list)
    quantities: list[QuantityEntry] = field(default_factory=list)
    tax_notes: list[TaxNote] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    #: Quantities returned in this batch: (invtNo, gnum, qty).
    returned: list[tuple[str, int, Decimal]] = field(default_factory=list)
    #: (kind, guid) of idempotent replays seen in this batch.
    replays: list[tuple[DocumentKind, str]] = field(default_factory=list)
    #: Risk assessments of accepted lists, with their selection (when risk targeting is configured).
    risk_records: list[RiskRecord] = field(default_factory=list)

    def outcome_counts(self) -> dict[str, int]:
        """Final statuses reached in this batch, by ``kind:status``."""
        counts: dict[str, int] = {}
        for doc in self.touched():
            name = f"{doc.kind.value}:{doc.status}"
            counts[name] = counts.get(name, 0) + 1
        return counts

    def touched(self) -> Iterable[StoredDoc]:
        """New and changed documents."""
        seen: set[int] = set()
        for doc in [*self.new_docs, *self.changed_docs.values()]:
            if doc.doc_id not in seen:
                seen.add(doc.doc_id)
                yield doc


def status_of(doc: StoredDoc | None) -> str | None:
    """The status of a stored document, or None."""
    return doc.status if doc else None


LOCKING_LIST_STATUSES = frozenset(
    {
        Status.MANUAL_REVIEW,
        Status.INSPECTION,
        Status.RELEASED,
        Status.CONCLUDED,
        Status.DETAINED_CLEARANCE,
        Status.DETAINED_SMUGGLING,
        Status.DETAINED_LEGAL,
        Status.DETAINED_OTHER,
        Status.RETURNED_ABROAD,
    }
)
