"""The online clearing driver behind ``cbec serve``: queued submissions cleared in micro-batches.

A submission that passes decoding, access control and the signature policy is stored durably as
*queued* before the 202 answer. On PostgreSQL it is inserted into ``api_inbox`` (row locks: an
insert never waits for a clearing batch). On a SQLite file it is committed to the intake journal
(:mod:`opencbec.store.intake`: a second database file with its own writer lock, group commit), so
acceptance never waits for the main database's writer lock that a clearing batch holds; each
clearing batch first files the journal's rows into ``api_inbox`` (same ids) inside its own
transaction. Until filed (normally within one batch window) such a submission is in the journal
only: :meth:`OnlineClearer.pending` and :meth:`OnlineClearer.has_queued` count it.

A worker thread per process wakes on a submission (or polls, to see other processes'
submissions), waits the batch window so that submissions arriving together are cleared together,
and clears up to ``max_messages`` queued messages in one
:meth:`~opencbec.store.sql.SqlStore.clearing` unit: the queued rows are claimed inside that
transaction, which holds the clearing lock, so several processes may run workers on one database.
The decoded form of a submission accepted by this process is kept in memory until it is cleared,
so the worker does not decode it a second time. A submission of another process, or one left
from before a restart, is rebuilt from the decoded form stored with it (``api_inbox.decoded``,
``message_json.message_to_json``), or, without one (exports, rows from before it existed), decoded
from its stored bytes, with the same result (the schema validation it passed when accepted is not
repeated). The clearing
itself is :func:`clear_in_unit`, the same steps as ``cbec clear``; export requests
(CEB303 ... CEB701, CEB213/215) are decoded with ``accept_export`` and cleared as its ``export_batch``
(see :mod:`opencbec.service.online_export`).

Received time: ``clock="wall"`` uses the arrival time (China Standard Time, the time zone of
``appTime``, naive like every time in the store); ``clock="event"`` uses the largest ``appTime``
seen so far, exactly as ``cbec clear`` does, so a replay of recorded traffic gives the same
outcome through the API as through ``cbec clear``. A refused message gets its CEB900 at once,
also written to the outbox inside a clearing unit, so every receipt enters the outbox in one
serial order (the order of the receipt feed).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.ports import RulebookLike
from opencbec.clearing.state import Effects
from opencbec.domain.documents import DecodedMessage
from opencbec.messages.decode import decode_message
from opencbec.messages.dxp import CHINA_TZ
from opencbec.messages.errors import MessageRejected
from opencbec.messages.safe_xml import XmlLimits
from opencbec.messages.schema import export_schema, import_schema
from opencbec.service.core import clear_in_unit
from opencbec.service.online_export import Batch, all_documents
from opencbec.service.online_rows import (
    CLEARED_COLUMNS,
    ceb900_row,
    file_rows,
    inbox_row,
    queued_row,
    refused_row,
)
from opencbec.store import bulk
from opencbec.store.api_repo import ensure_api_tables, inbox, index_receipts, max_outbox_id
from opencbec.store.intake import IntakeJournal, JournalRow, journal_path, nowait_engine
from opencbec.store.message_json import message_from_json
from opencbec.store.repository import MessageRow, OutboxRow
from opencbec.store.serialize import forget_json
from opencbec.store.sql import SqlStore

log = logging.getLogger("opencbec.online")
EPOCH = datetime(2000, 1, 1)
#: At most this many journal rows are filed into ``api_inbox`` per clearing batch.
FILE_LIMIT = 5000
#: Decoded submissions kept for the worker at most (beyond: decoded again from their bytes).
DECODED_CACHE = 50_000
Clock = Literal["wall", "event"]


def ceb_now() -> datetime:
    """Now in China Standard Time (the time zone of ``appTime``), naive."""
    return datetime.now(CHINA_TZ).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class Queued:
    """An accepted submission: its id (``messageId``) and arrival time."""

    message_id: int
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused submission: its id, the outbox id of its CEB900 and the CEB900 itself."""

    message_id: int
    receipt_id: int
    xml: bytes


class ClearingObserver(Protocol):
    """Where the online driver reports what it does (Prometheus metrics in the API)."""

    def observe_batch(self, seconds: float, documents: int) -> None: ...
    def count_message(self, message_type: str, outcome: str) -> None: ...
    def set_queue_depth(self, n: int, queue: str = "inbound") -> None: ...


class _NoObserver:
    def observe_batch(self, seconds: float, documents: int) -> None: ...
    def count_message(self, message_type: str, outcome: str) -> None: ...
    def set_queue_depth(self, n: int, queue: str = "inbound") -> None: ...


class OnlineClearer:
    """Queues submissions and clears them in batches through :func:`clear_in_unit`."""

    def __init__(
        self,
        store: SqlStore,
        rulebook: RulebookLike,
        config: ClearingConfig,
        *,
        clock: Clock = "wall",
        max_messages: int = 100,
        limits: XmlLimits | None = None,
        observer: ClearingObserver | None = None,
        file_at_once: bool = False,  # file each journal group into api_inbox after its acks
        keep_decoded: bool = True,  # False where no worker runs: nothing would take them back
    ) -> None:
        self.keep_decoded = keep_decoded
        self.observer: ClearingObserver = observer or _NoObserver()
        self.store = store
        self.rulebook = rulebook
        self.config = config
        self.clock = clock
        self.max_messages = max_messages
        self.limits = limits or XmlLimits()
        ensure_api_tables(store.engine)
        path = journal_path(store.engine)
        self.journal: IntakeJournal | None = None
        if path is not None:
            self._nowait = nowait_engine(store.engine)
            self.journal = IntakeJournal(path, self._largest_id(), self._file_now if file_at_once else None)
        self._decoded: dict[int, DecodedMessage] = {}
        self._decoded_lock = threading.Lock()
        # Build the (cached) schemas now: lxml cannot build them from several threads at once.
        import_schema(True), import_schema(False), export_schema()

    def _largest_id(self) -> int:
        with self.store.engine.connect() as conn:
            return int(conn.execute(select(func.max(inbox.c.id))).scalar() or 0)

    def _remember(self, message_id: int, decoded: DecodedMessage) -> None:
        if not self.keep_decoded:
            return
        with self._decoded_lock:
            self._decoded[message_id] = decoded
            if len(self._decoded) > DECODED_CACHE:
                del self._decoded[next(iter(self._decoded))]

    def _recall(self, message_id: int) -> DecodedMessage | None:
        with self._decoded_lock:
            return self._decoded.pop(message_id, None)

    # -- intake (request threads) -------------------------------------------------------------
    def enqueue(self, enterprise: str, decoded: DecodedMessage, raw: bytes) -> Queued:
        """Store an accepted submission as queued (committed before returning)."""
        later = self.enqueue_later(enterprise, decoded, raw)
        if later is not None:
            return later.result()
        received = ceb_now()
        values = queued_row(enterprise, decoded, raw, received)
        with self.store.engine.begin() as conn:
            new_id = conn.execute(insert(inbox).returning(inbox.c.id), values).scalar_one()
        return self._queued(int(new_id), decoded, received)

    def enqueue_later(self, enterprise: str, decoded: DecodedMessage, raw: bytes) -> Future[Queued] | None:
        """With the intake journal: the submission handed to its writer, without waiting; the future is
        done once it is durable (group commit). None without a journal (then :meth:`enqueue`)."""
        if self.journal is None:
            return None
        received = ceb_now()
        done: Future[Queued] = Future()
        done.set_running_or_notify_cancel()  # cannot be cancelled: the row is written in any case

        def durable(appended: Future[int]) -> None:  # in the journal's writer thread
            try:
                done.set_result(self._queued(appended.result(), decoded, received))
            except BaseException as exc:
                done.set_exception(exc)

        self.journal.append_later(queued_row(enterprise, decoded, raw, received)).add_done_callback(durable)
        return done

    async def enqueue_soon(self, enterprise: str, decoded: DecodedMessage, raw: bytes) -> Queued:
        """:meth:`enqueue_later` awaited on the event loop (needs the journal): the journal's writer
        answers a whole group with one call on the loop instead of a thread-safe future per row."""
        assert self.journal is not None
        received = ceb_now()
        row = queued_row(enterprise, decoded, raw, received)
        new_id = await self.journal.append_soon(row, lambda i: self._queued(i, decoded, received))
        return Queued(new_id, received)

    def _queued(self, new_id: int, decoded: DecodedMessage, received: datetime) -> Queued:
        self._remember(new_id, decoded)
        self.observer.count_message(decoded.envelope.message_type, "accepted")
        return Queued(new_id, received)

    def refuse(self, enterprise: str, raw: bytes, exc: MessageRejected) -> Refusal:
        """Record a refused submission and its CEB900 (addressed to ``enterprise``)."""
        received = ceb_now()
        ceb900 = ceb900_row(enterprise, raw, exc)
        row = refused_row(0, exc, enterprise, f"api:{enterprise}", received, raw)
        reserved = {"id": self.journal.reserve()} if self.journal is not None else {}
        with self.store.clearing() as unit:
            unit.insert_messages([row])
            unit.apply(Effects(), [ceb900], {}, None)
            receipt_id = max_outbox_id(unit.conn)
            values = inbox_row(
                enterprise,
                "rejected",
                received,
                b"",  # the raw bytes are in ``message.raw``
                message_type=exc.message_type,
                guid=exc.guid,
                cop_msg_id=exc.cop_msg_id,
                documents=0,
                refs="[]",
                message_id=row.id,
                receipt_floor=receipt_id - 1,
                receipt_id=receipt_id,
                info=exc.return_info(),
                cleared_at=received,
                **reserved,
            )
            new_id = unit.conn.execute(insert(inbox).returning(inbox.c.id), values).scalar_one()
            index_receipts(unit.conn)
        self.observer.count_message(exc.message_type or "unknown", f"refused:{exc.code}")
        return Refusal(int(new_id), receipt_id, ceb900.xml)

    # -- clearing (the worker) ------------------------------------------------------------------
    def has_queued(self) -> bool:
        """True when some submission waits (cheap reads, no lock)."""
        if self.journal is not None and self.journal.count():
            return True
        with self.store.engine.connect() as conn:
            return (
                conn.execute(select(inbox.c.id).where(inbox.c.status == "queued").limit(1)).first()
                is not None
            )

    def pending(self) -> int:
        """How many accepted submissions are not cleared yet (journal and ``api_inbox``)."""
        ids = self.journal.ids() if self.journal is not None else []
        with self.store.engine.connect() as conn:
            queued = conn.execute(select(func.count()).where(inbox.c.status == "queued")).scalar()
            filed = {i for chunk in range(0, len(ids), 500) for i in conn.execute(
                select(inbox.c.id).where(inbox.c.id.in_(ids[chunk : chunk + 500]))).scalars()}  # fmt: skip
        return int(queued or 0) + len(set(ids) - filed)

    def _file_now(self, rows: list[JournalRow]) -> bool:
        """File a just-committed journal group if the main database is free at once (no waiting)."""
        try:
            with self._nowait.begin() as conn:
                file_rows(conn, rows)
        except OperationalError:  # locked (a clearing batch runs): the worker files them
            return False
        return True

    def _file(self, conn: Connection) -> list[int]:
        """Move journal rows into ``api_inbox`` as queued (inside the clearing transaction)."""
        if self.journal is None:
            return []
        rows = self.journal.pending(FILE_LIMIT)
        return file_rows(conn, rows) if rows else []

    def clear_once(self, *, tick: bool = False) -> int:
        """Clear up to ``max_messages`` queued submissions in one batch; returns how many.

        With ``tick`` the batch runs even when nothing is queued (waiting lists time out).
        """
        started = time.perf_counter()
        filed: list[int] = []
        try:
            return self._clear(started, filed, tick)
        finally:
            forget_json()  # documents' JSON kept from ``decoded`` and not stored
            if filed and self.journal is not None:
                self.journal.forget(filed)  # after the commit that filed them (or a rollback: kept)

    def _clear(self, started: float, filed: list[int], tick: bool) -> int:
        with self.store.clearing() as unit:
            conn = unit.conn
            ids = self._file(conn)
            rows = conn.execute(
                select(inbox).where(inbox.c.status == "queued").order_by(inbox.c.id).limit(self.max_messages)
            ).all()
            if not rows and not tick:
                filed.extend(ids)  # nothing queued: every journal row read was filed before (safe)
                return 0
            floor = max_outbox_id(conn)
            batch, messages, rejections, watermark = self._prepare(rows, unit.watermark())
            rest = (messages, rejections, watermark, self.rulebook, self.config, batch.export)
            effects, written = clear_in_unit(unit, batch.documents, *rest)
            now = ceb_now()
            done = [  # CLEARED_COLUMNS, then the id; the bytes are kept in ``message.raw`` from now on
                (status, message_id, info, floor, now, b"", None, inbox_id)
                for inbox_id, status, message_id, info in map(self._done, messages)
            ]
            bulk.update(conn, inbox, CLEARED_COLUMNS, ("id",), done)
            index_receipts(conn)
            waiting = conn.execute(
                select(func.count()).select_from(inbox).where(inbox.c.status == "queued")
            ).scalar()
        filed.extend(ids)
        self.observer.observe_batch(time.perf_counter() - started, len(batch))
        self.observer.set_queue_depth(int(waiting or 0))
        log.info(
            "cleared batch",
            extra={
                "event": "clear_batch",
                "messages": len(rows),
                "documents": len(batch),
                "receipts": len(written),
                "replays": len(effects.replays),
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return len(rows)

    def drain(self) -> int:
        """Clear until nothing is queued; returns how many submissions were cleared."""
        total = 0
        while n := self.clear_once():
            total += n
        return total

    def _prepare(
        self, rows: Sequence[Any], stored: datetime | None
    ) -> tuple[Batch, list[MessageRow], list[OutboxRow], datetime]:
        event = self.clock == "event"
        watermark = (stored or EPOCH) if event else max(ceb_now(), stored or EPOCH)
        batch = Batch()
        messages: list[MessageRow] = []
        rejections: list[OutboxRow] = []
        for row in rows:
            source = f"api:{row.enterprise}:{row.id}"
            try:
                decoded = self._recall(row.id) or self._stored(row)
            except MessageRejected as exc:  # accepted once, so only if the decoder changed
                rejections.append(ceb900_row(row.enterprise, row.raw, exc))
                messages.append(refused_row(row.id, exc, row.enterprise, source, row.received_at, row.raw))
                continue
            env = decoded.envelope
            at, moved = batch.add(decoded, row.id, row.received_at, watermark if event else None)
            watermark, n = moved or watermark, len(all_documents(decoded))
            messages.append(MessageRow(row.id, env.guid, env.message_type, env.sender, env.cop_msg_id, source,
                                       at, "accepted", "", n, row.raw))  # fmt: skip
        return batch, messages, rejections, watermark

    def _stored(self, row: Any) -> DecodedMessage:
        """A queued submission's message: from its decoded form if kept, else from its bytes."""
        if row.decoded is not None:
            return message_from_json(row.decoded, for_storage=True)
        return decode_message(row.raw, limits=self.limits, accept_export=True, validated=True)

    @staticmethod
    def _done(message: MessageRow) -> tuple[int, str, int, str]:
        """The ``api_inbox`` id of a cleared submission, its status, ``message`` row and info."""
        status = "rejected" if message.outcome == "rejected" else "cleared"
        inbox_id = int(message.source.rsplit(":", 1)[1])
        return inbox_id, status, message.id, message.info
