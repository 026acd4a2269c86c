"""The storage port of the clearing service. Adapters: ``SqlStore`` (SQLite, PostgreSQL)."""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from opencbec.clearing.state import Effects, Incoming, StateView


@dataclass(slots=True)
class MessageRow:
    """A received message to persist (raw bytes included)."""

    id: int
    guid: str | None
    message_type: str | None
    sender: str | None
    cop_msg_id: str | None
    source: str
    received_at: datetime | None
    outcome: str
    info: str
    documents: int
    raw: bytes
    #: How ``raw`` is stored: ``None`` as received, ``"zstd"`` compressed (``codec.ZSTD``).
    codec: str | None = None


@dataclass(slots=True)
class OutboxRow:
    """A receipt message waiting to be delivered."""

    message_type: str
    receiver: str
    guid: str
    xml: bytes
    id: int | None = None
    #: ``xml`` already compressed for storage (``store.codec.ZSTD``), when it was encoded and
    #: compressed elsewhere (``service.receipt_encoder``); ``xml`` is then empty.
    packed: bytes | None = None


@dataclass(slots=True)
class HistoryEntry:
    """One line of a document's history."""

    kind: str
    key: str
    guid: str
    status: str
    info: str
    at: datetime
    pre_no: str | None
    invt_no: str | None


@dataclass(slots=True)
class LedgerLine:
    """One movement of a buyer's annual ledger."""

    at: datetime
    invt_no: str
    amount_fen: int
    reason: str


class ClearingUnit(abc.ABC):
    """Reads and writes of one clearing batch, atomically."""

    #: When set to a list, ``apply`` adds the outbox rows it is given there instead of writing them
    #: (``receipt_encoder.OutboxBehind`` writes them, in that order, just before the commit).
    held_outbox: list[OutboxRow] | None = None

    @abc.abstractmethod
    def counters(self) -> dict[str, int]:
        """Current values of all counters."""

    @abc.abstractmethod
    def watermark(self) -> datetime | None:
        """The latest received time processed so far."""

    @abc.abstractmethod
    def insert_messages(self, messages: Sequence[MessageRow]) -> list[int]:
        """Store received messages (raw bytes included); sets and returns their ids."""

    @abc.abstractmethod
    def load_state(
        self,
        batch: Sequence[Incoming],
        watermark: datetime,
        partner_wait: timedelta,
        counters: dict[str, int],
        *,
        risk_history: bool = True,
    ) -> StateView:
        """Read, in bulk, everything ``clear`` needs for ``batch`` (the parties' risk history only
        with ``risk_history``: the random draw does not use it)."""

    @abc.abstractmethod
    def load_expired(
        self, watermark: datetime, partner_wait: timedelta, counters: dict[str, int], after: int, limit: int
    ) -> StateView:
        """A state holding, as ``due_lists``, at most ``limit`` lists still waiting for partners
        whose deadline has passed by ``watermark`` and whose id is above ``after`` (in id order),
        with their partners and their buyers' ledgers: what ``clear`` needs to settle them with
        no arriving documents."""

    @abc.abstractmethod
    def apply(
        self,
        effects: Effects,
        outbox: Sequence[OutboxRow],
        counters: dict[str, int],
        watermark: datetime | None,
    ) -> None:
        """Persist a batch's effects and receipts (committed when the unit closes); the receipts are
        added to ``held_outbox`` instead when it is set."""


class ClearingStore(abc.ABC):
    """Everything the clearing drivers need from storage."""

    @abc.abstractmethod
    def counters(self) -> dict[str, int]:
        """Current values of all counters."""

    @abc.abstractmethod
    def watermark(self) -> datetime | None:
        """The latest received time processed so far (event-time clock of batch runs)."""

    @abc.abstractmethod
    def clearing(self) -> AbstractContextManager[ClearingUnit]:
        """A clearing batch's transaction (serialised with every other clearing batch)."""

    @abc.abstractmethod
    def pending_outbox(self) -> list[OutboxRow]:
        """Receipt messages stored but not yet delivered."""

    @abc.abstractmethod
    def mark_delivered(self, ids: Sequence[int]) -> None:
        """Mark outbox rows delivered."""

    @abc.abstractmethod
    def deliver_pending(self, write: Callable[[list[OutboxRow]], list[int]], limit: int = 5000) -> int:
        """Hand pending receipts to ``write`` and mark what it wrote, atomically; returns the count."""

    @abc.abstractmethod
    def history(self, number: str) -> list[HistoryEntry]:
        """Status history of the documents known by ``number`` (orderNo, invtNo, preNo, ...)."""

    @abc.abstractmethod
    def ledger(self, buyer_id: str, year: int) -> list[LedgerLine]:
        """A buyer's ledger movements in a year."""

    @abc.abstractmethod
    def status_counts(self, after_document: int | None = None) -> dict[str, int]:
        """Current documents by ``kind:status``; only those with an id above ``after_document``
        when it is given (the documents a run added: a range of the primary key, not the store)."""
