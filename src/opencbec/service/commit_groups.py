"""Clearing batches committed in groups, each group's commit running behind the next batch.

A batch of ``cbec clear`` inserts documents whose guids and business keys are random, so on a large
database nearly every insert lands on an index page of its own, and a commit writes every page its
transaction touched whatever the number of keys on it. Committing several clearing batches together
shares those pages: clearing 100,000 more parcels onto a 1,000,000-parcel database took 81 s with
20,000 documents per transaction against 94-110 s with each 5,000-document batch committed
(docs/performance.md). The clearing batches themselves stay small, so memory does not change.

Each batch of a group reads the state on the group's connection, so it sees the batches before it
exactly as if they had been committed. Receipts are delivered only after their group is committed,
and an error rolls back the group not yet committed: nothing of it was acknowledged, and a rerun of
the same files clears it (what was committed is recognised as replays).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack

from opencbec.store.repository import ClearingStore, ClearingUnit

#: A group's transaction is committed once it holds at least this many documents.
COMMIT_DOCUMENTS = 20_000


class CommitBehind:
    """Commits a transaction on a thread of its own while the driver gathers the next batch.

    The commit (SQLite's WAL writes and fsync, PostgreSQL's round trip) does not need the
    interpreter, so it overlaps with taking the next decoded messages. ``settle`` waits for it and
    raises its error, if any; the driver calls it before it touches the store again, so no batch
    ever reads a state that is not committed, and a failed commit stops the run before anything
    else is written.
    """

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="opencbec-commit")
        self._pending: Future[None] | None = None

    def hand_over(self, transaction: ExitStack) -> None:
        """Commit ``transaction`` (the ``ExitStack`` holding an open clearing unit) behind."""
        self.settle()
        self._pending = self._thread.submit(transaction.close)

    def settle(self) -> None:
        """Wait for the commit handed over last; raise its error."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Settle the last commit and end the thread."""
        try:
            self.settle()
        finally:
            self._thread.shutdown()


class CommitGroups:
    """The transactions of a batch run: batches share one until it holds ``documents`` documents."""

    def __init__(
        self,
        store: ClearingStore,
        documents: int,
        before_open: Callable[[], None],
        *,
        before_commit: Callable[[ExitStack, ClearingUnit], None] | None = None,
        on_abandon: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.documents = documents
        #: Called before a new transaction opens, once the previous one is committed (delivers receipts).
        self.before_open = before_open
        #: Called with a full group's transaction and unit as it is handed over to be committed
        #: (``receipt_encoder.OutboxBehind.before_commit`` registers its last writes there) ...
        self.before_commit = before_commit
        #: ... and when the open group is rolled back.
        self.on_abandon = on_abandon
        self._commits = CommitBehind()
        self._open: ExitStack | None = None
        self._unit: ClearingUnit | None = None
        self._held = 0

    def unit(self) -> ClearingUnit:
        """The open transaction's clearing unit, opening one (after the last commit) if none is open."""
        if self._unit is None:
            self._commits.settle()
            self.before_open()
            transaction = ExitStack()
            self._unit = transaction.enter_context(self.store.clearing())
            self._open, self._held = transaction, 0
        return self._unit

    def cleared(self, documents: int, *, last: bool = False) -> None:
        """A batch of ``documents`` was cleared in the open transaction; commit it (behind) when the
        group is full or this was the ``last`` batch."""
        self._held += documents
        if self._open is not None and (last or self._held >= self.documents):
            transaction, unit = self._open, self._unit
            self._open, self._unit = None, None
            if self.before_commit is not None and unit is not None:
                self.before_commit(transaction, unit)
            self._commits.hand_over(transaction)

    def abandon(self, error: BaseException) -> None:
        """Roll back the open transaction because of ``error`` (raised by the caller afterwards)."""
        transaction, self._open, self._unit = self._open, None, None
        if self.on_abandon is not None:
            self.on_abandon()
        if transaction is None:
            return
        try:
            transaction.__exit__(type(error), error, error.__traceback__)
        except BaseException as again:  # the unit re-raises the error it rolled back for
            if again is not error:
                raise

    def close(self) -> None:
        """Wait for the last commit and end the commit thread."""
        self._commits.close()
