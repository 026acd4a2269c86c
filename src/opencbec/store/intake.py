"""The intake journal of the online path on SQLite: accepted submissions, group-committed.

On SQLite a database has one writer lock, and the online clearing worker holds it for the whole
of a clearing batch. A submission committed to ``api_inbox`` before its 202 answer would wait for
that batch (and SQLite's busy handler polls with growing sleeps, so the wait is longer still).
So on SQLite the accepted submission is committed to a second database file next to the main one
(``<db>-intake``, its own WAL and its own writer lock), and acknowledged once that commit is
durable (``synchronous=FULL``). Nothing that clears ever takes this file's lock for longer than a
few inserts or deletes.

* **Group commit.** Request threads hand their rows to one writer thread per process
  (:meth:`IntakeJournal.append` blocks until its row is committed); the writer commits every row
  waiting at that moment in one transaction, so one fsync covers many submissions. A group of
  appends only (the usual case) is one multi-row ``INSERT`` in its own implicit transaction: one
  call into SQLite, so the writer thread gives up and takes back the interpreter lock once per
  group instead of once per statement, and holds the file's writer lock (shared with the other
  HTTP processes) for less time. Its rows get consecutive ids in the group's order (an
  ``AUTOINCREMENT`` row gets one more than the largest id the table has ever had), so the last
  row's id gives every row's.
* **Ids.** The journal hands out the submission ids (``messageId``, ``api_inbox.id``):
  ``AUTOINCREMENT`` ids grow in commit order and are never reused. When the journal is created
  (or opened) its sequence is raised to the largest ``api_inbox`` id, so ids never collide with
  submissions made before the journal existed. A refused submission reserves its id here too
  (:meth:`IntakeJournal.reserve`), so every submission id comes from one sequence.
* **Answers on the event loop.** An HTTP process's event loop appends with
  :meth:`IntakeJournal.append_soon`: the writer settles every such append of a group with one
  ``call_soon_threadsafe`` per loop (one wake-up of the loop per group, not one per row, and no
  thread-safe future per row), running each append's ``then`` on the loop before its future is set.
* **Filing at once.** After each group commit the writer answers the group's requests, then offers
  the group to ``file_now`` (:class:`~opencbec.service.online.OnlineClearer` files it into
  ``api_inbox`` if the main database's writer lock is free *at once*, never waiting). Rows filed so
  are deleted from the journal with the next group. An acknowledged submission is in the journal or
  in ``api_inbox`` at every moment (:meth:`IntakeJournal.get`; ``GET /v1/messages/{id}`` looks in
  both), so filing after the answer leaves no window in which it is unknown.
* **Filing.** The clearing worker moves journal rows into ``api_inbox`` (as ``queued``, same id)
  inside its clearing transaction, skipping ids already there, and deletes them from the journal
  after that transaction commits (:meth:`IntakeJournal.forget`). A crash between the two leaves
  rows that the next batch skips and deletes: nothing accepted is lost or filed twice.

Every process serving the same database shares the journal file; the main database's clearing
lock serialises filing across processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

log = logging.getLogger("opencbec.online")

#: A writer thread with nothing to do for this long ends (the next request starts a new one).
IDLE_SECONDS = 1.0
BUSY_TIMEOUT_S = 30.0
COLUMNS = (
    "enterprise",
    "received_at",
    "message_type",
    "guid",
    "cop_msg_id",
    "documents",
    "refs",
    "raw",
    "decoded",
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS intake (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    enterprise TEXT NOT NULL,
    received_at TEXT NOT NULL,
    message_type TEXT,
    guid TEXT,
    cop_msg_id TEXT,
    documents INTEGER NOT NULL,
    refs TEXT NOT NULL,
    raw BLOB NOT NULL,
    decoded TEXT
)
"""
_VALUES = f"({', '.join('?' * len(COLUMNS))})"
_INSERT_INTO = f"INSERT INTO intake ({', '.join(COLUMNS)}) VALUES "
_INSERT = _INSERT_INTO + _VALUES
#: The most rows one multi-row ``INSERT`` carries (9 parameters a row, far below SQLite's limit).
GROUP_INSERT_ROWS = 500
_INSERT_AT = f"INSERT INTO intake (id, {', '.join(COLUMNS)}) VALUES (?, {', '.join('?' * len(COLUMNS))})"
#: The row that reserves an id (inserted and deleted in one transaction: never seen).
_PLACEHOLDER = ("", "", None, None, None, 0, "[]", b"", None)


def journal_path(engine: Engine) -> Path | None:
    """The journal file of a SQLite database file (``<db>-intake``); None for other databases."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if str(url.database).startswith("file:"):
        return None
    db = Path(str(url.database))
    return db.with_name(db.name + "-intake")


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the journal (autocommit mode: transactions are explicit), WAL, full sync."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def nowait_engine(engine: Engine) -> Engine:
    """An engine on the same SQLite file whose writes fail at once if another writer holds the lock."""
    fast = create_engine(engine.url, connect_args={"timeout": 0}, pool_size=1, max_overflow=0)

    @event.listens_for(fast, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA synchronous=FULL")

    return fast


@dataclass(frozen=True, slots=True)
class JournalRow:
    """A submission in the journal, as it will be filed in ``api_inbox``."""

    id: int
    enterprise: str
    received_at: datetime
    message_type: str | None
    guid: str | None
    cop_msg_id: str | None
    documents: int
    refs: str
    raw: bytes
    #: The message as decoded when accepted (``message_json.message_to_json``), if it has that form.
    decoded: str | None = None


def _stored(values: dict[str, Any]) -> tuple[Any, ...]:
    """The ``COLUMNS`` values of an accepted submission as stored (``decoded`` optional)."""
    return tuple(values[c].isoformat() if c == "received_at" else values.get(c) for c in COLUMNS)


def _row(row_id: int, values: Sequence[Any]) -> JournalRow:
    """A journal row from its id and ``COLUMNS`` values as stored."""
    enterprise, at, message_type, guid, cop_msg_id, documents, refs, raw, decoded = values
    received = datetime.fromisoformat(at)
    documents = int(documents)
    return JournalRow(
        row_id, enterprise, received, message_type, guid, cop_msg_id, documents, refs, bytes(raw), decoded
    )


@dataclass(frozen=True, slots=True)
class _LoopWaiter:
    """An append made on an event loop: its future there, and what to run on the loop once durable."""

    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[int]
    then: Callable[[int], object] | None


@dataclass(slots=True)
class _Op:
    kind: str  # append | reserve | forget
    payload: Any
    done: Future[int] | None  # None: answered on an event loop (``waiter``)
    waiter: _LoopWaiter | None = None


class IntakeJournal:
    """The journal file at ``path``; ``floor`` is the largest submission id already in use."""

    def __init__(
        self, path: Path, floor: int = 0, file_now: Callable[[list[JournalRow]], bool] | None = None
    ) -> None:
        self.path = path
        self._file_now = file_now
        self._filed: list[int] = []
        self._ops: list[_Op] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._readers = threading.local()  # one reading connection per thread, closed with it
        conn = connect(path)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(_SCHEMA)
            if "decoded" not in {r[1] for r in conn.execute("PRAGMA table_info(intake)")}:
                conn.execute("ALTER TABLE intake ADD COLUMN decoded TEXT")  # a journal from before 2026-11-29
            seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'intake'").fetchone()
            behind = floor > 0 and (seq is None or int(seq[0]) < floor)
            if behind and conn.execute("SELECT 1 FROM intake WHERE id >= ?", (floor,)).fetchone() is None:
                conn.execute(_INSERT_AT, (floor, *_PLACEHOLDER))
                conn.execute("DELETE FROM intake WHERE id = ?", (floor,))
            conn.execute("COMMIT")
        finally:
            conn.close()

    # -- writes (through the writer thread) ----------------------------------------------------
    def append(self, values: dict[str, Any]) -> int:
        """Commit one accepted submission (``COLUMNS`` of ``values``, ``decoded`` optional); returns its
        id once durable."""
        return self.append_later(values).result()

    def append_later(self, values: dict[str, Any]) -> Future[int]:
        """:meth:`append` without waiting: the future gets the id once the row is durable (or the error)."""
        return self._submit("append", _stored(values))

    def append_soon(
        self, values: dict[str, Any], then: Callable[[int], object] | None = None
    ) -> asyncio.Future[int]:
        """:meth:`append_later` for the running event loop (call it there): its future gets the id once
        the row is durable (or the error). ``then(id)`` runs on the loop first, even if the future was
        cancelled meanwhile (the row is written in any case)."""
        loop = asyncio.get_running_loop()
        waiter = _LoopWaiter(loop, loop.create_future(), then)
        self._enqueue(_Op("append", _stored(values), None, waiter))
        return waiter.future

    def reserve(self) -> int:
        """A new submission id with no journal row (for a refused submission)."""
        return self._submit("reserve", None).result()

    def forget(self, ids: Sequence[int]) -> None:
        """Delete filed rows (after the transaction that filed them has committed)."""
        if ids:
            self._submit("forget", list(ids)).result()

    def _submit(self, kind: str, payload: Any) -> Future[int]:
        done: Future[int] = Future()
        self._enqueue(_Op(kind, payload, done))
        return done

    def _enqueue(self, op: _Op) -> None:
        with self._cond:
            self._ops.append(op)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="opencbec-intake", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        conn = connect(self.path)
        try:
            while True:
                with self._cond:
                    if not self._ops:
                        self._cond.wait(IDLE_SECONDS)
                    if not self._ops and not self._filed:
                        self._thread = None
                        return
                    ops, self._ops = self._ops, []
                self._commit(conn, ops)
        finally:
            conn.close()

    def _commit(self, conn: sqlite3.Connection, ops: list[_Op]) -> None:
        filed, self._filed = self._filed, []
        try:
            if not filed and len(ops) <= GROUP_INSERT_ROWS and all(op.kind == "append" for op in ops):
                results = self._append_group(conn, ops)
            else:
                results = self._transaction(conn, ops, filed)
        except BaseException as exc:
            _answer(ops, [exc] * len(ops))
            self._filed.extend(filed)
            if not isinstance(exc, Exception):
                raise
            return
        _answer(ops, results)  # durable: answer now, file after
        if self._file_now is None:
            return
        appended = [
            _row(result, op.payload) for op, result in zip(ops, results, strict=True) if op.kind == "append"
        ]
        if appended and self._file_now(appended):
            self._filed.extend(r.id for r in appended)

    @staticmethod
    def _append_group(conn: sqlite3.Connection, ops: list[_Op]) -> list[int]:
        """Insert the rows of ``ops`` (appends only) in one statement; their ids, in order."""
        sql = _INSERT_INTO + ", ".join([_VALUES] * len(ops))
        last = int(conn.execute(sql, [value for op in ops for value in op.payload]).lastrowid or 0)
        return list(range(last - len(ops) + 1, last + 1))

    @staticmethod
    def _transaction(conn: sqlite3.Connection, ops: list[_Op], filed: list[int]) -> list[int]:
        """Apply ``ops`` and delete the ``filed`` rows in one explicit transaction; each op's result."""
        results: list[int] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("DELETE FROM intake WHERE id = ?", [(i,) for i in filed])
            for op in ops:
                if op.kind == "append":
                    results.append(int(conn.execute(_INSERT, op.payload).lastrowid or 0))
                elif op.kind == "reserve":
                    cur = conn.execute(_INSERT, _PLACEHOLDER)
                    new_id = int(cur.lastrowid or 0)
                    conn.execute("DELETE FROM intake WHERE id = ?", (new_id,))
                    results.append(new_id)
                else:
                    conn.executemany("DELETE FROM intake WHERE id = ?", [(i,) for i in op.payload])
                    results.append(len(op.payload))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return results

    # -- reads ---------------------------------------------------------------------------------
    def _select(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """Read through this thread's own connection, kept open: the backlog and the worker's polls
        read many times a second, and opening a connection costs some sixty times the read. Each
        read is its own read transaction (autocommit mode), so it sees every commit before it."""
        conn: sqlite3.Connection | None = getattr(self._readers, "conn", None)
        if conn is None:
            conn = self._readers.conn = connect(self.path)
        return conn.execute(sql, params).fetchall()

    def pending(self, limit: int) -> list[JournalRow]:
        """The oldest ``limit`` rows not yet forgotten, in id order."""
        rows = self._select(f"SELECT id, {', '.join(COLUMNS)} FROM intake ORDER BY id LIMIT ?", (limit,))
        return [_row(int(r[0]), r[1:]) for r in rows]

    def get(self, row_id: int) -> JournalRow | None:
        """The row ``row_id`` if it is still in the journal (not yet forgotten)."""
        rows = self._select(f"SELECT id, {', '.join(COLUMNS)} FROM intake WHERE id = ?", (row_id,))
        return _row(int(rows[0][0]), rows[0][1:]) if rows else None

    def ids(self) -> list[int]:
        """The ids of every row not yet forgotten (some may be filed already)."""
        return [int(r[0]) for r in self._select("SELECT id FROM intake ORDER BY id")]

    def count(self) -> int:
        """How many rows wait to be filed."""
        return int(self._select("SELECT count(*) FROM intake")[0][0])


def _answer(ops: list[_Op], results: Sequence[int | BaseException]) -> None:
    """Set each op's result (an id or count) or error: thread-safe futures at once, the appends of
    each event loop in one call on that loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_LoopWaiter, int | BaseException]]] = {}
    for op, result in zip(ops, results, strict=True):
        if op.done is not None:
            if isinstance(result, BaseException):
                op.done.set_exception(result)
            else:
                op.done.set_result(result)
        elif op.waiter is not None:
            by_loop.setdefault(op.waiter.loop, []).append((op.waiter, result))
    for loop, settled in by_loop.items():
        # A closed loop (shutting down) has nobody waiting; the rows are durable all the same.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_settle, settled)


def _settle(settled: list[tuple[_LoopWaiter, int | BaseException]]) -> None:
    """On the event loop: run each durable append's ``then`` and set its future (unless cancelled)."""
    for waiter, result in settled:
        if not isinstance(result, BaseException) and waiter.then is not None:
            try:
                waiter.then(result)
            except Exception:
                log.exception("after a durable intake append")
        if waiter.future.done():
            continue
        if isinstance(result, BaseException):
            waiter.future.set_exception(result)
        else:
            waiter.future.set_result(result)
