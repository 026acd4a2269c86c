"""The intake journal's group commit: rows appended together get the ids of their own rows."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path

from opencbec.store.intake import IntakeJournal, connect


def _values(n: int) -> dict[str, object]:
    return {
        "enterprise": f"E{n:04d}",
        "received_at": datetime(2024, 6, 18, 10, 0, n % 60),
        "message_type": "CEB311Message",
        "guid": f"guid-{n:04d}",
        "cop_msg_id": f"cop-{n:04d}",
        "documents": 1,
        "refs": "[]",
        "raw": f"<raw {n}/>".encode(),
        "decoded": f'{{"n": {n}}}',
    }


def _appended_while_locked(journal: IntakeJournal, path: Path, count: int) -> list[Future[int]]:
    """Append ``count`` rows while another connection holds the journal's writer lock, so that all
    but the first wait and are then committed together."""
    blocker = connect(path)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        futures = [journal.append_later(_values(0))]
        threading.Event().wait(0.2)  # the writer thread is now waiting for the lock with row 0
        futures += [journal.append_later(_values(n)) for n in range(1, count)]
    finally:
        blocker.execute("COMMIT")
        blocker.close()
    return futures


def test_rows_committed_together_get_the_ids_of_their_own_rows(tmp_path: Path) -> None:
    path = tmp_path / "db-intake"
    journal = IntakeJournal(path)
    futures = _appended_while_locked(journal, path, 40)
    ids = [f.result(timeout=30) for f in futures]
    assert len(set(ids)) == 40
    assert ids[1:] == list(range(ids[1], ids[1] + 39))  # one group: consecutive, in the order appended
    for n, row_id in enumerate(ids):
        row = journal.get(row_id)
        assert row is not None
        assert (row.guid, row.enterprise, row.raw, row.decoded) == (
            f"guid-{n:04d}",
            f"E{n:04d}",
            f"<raw {n}/>".encode(),
            f'{{"n": {n}}}',
        )
    assert journal.count() == 40


def test_a_reserved_id_between_appends_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "db-intake"
    journal = IntakeJournal(path)
    first = journal.append(_values(0))
    reserved = journal.reserve()
    after = [journal.append(_values(n)) for n in (1, 2)]
    assert first < reserved < after[0] < after[1]
    assert journal.get(reserved) is None
    assert [r.guid for r in journal.pending(10)] == ["guid-0000", "guid-0001", "guid-0002"]


def test_a_group_that_fails_fails_every_row_of_it_and_stores_none(tmp_path: Path) -> None:
    path = tmp_path / "db-intake"
    journal = IntakeJournal(path)
    good = _values(1)
    bad = {**_values(2), "enterprise": None}  # NOT NULL: the whole statement is refused
    blocker = connect(path)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        waiting = journal.append_later(_values(0))
        threading.Event().wait(0.2)
        together = [journal.append_later(good), journal.append_later(bad)]
    finally:
        blocker.execute("COMMIT")
        blocker.close()
    assert waiting.result(timeout=30) > 0
    for future in together:
        assert isinstance(future.exception(timeout=30), sqlite3.IntegrityError)
    assert [r.guid for r in journal.pending(10)] == ["guid-0000"]


def test_appends_on_an_event_loop_are_answered_there_with_their_own_ids(tmp_path: Path) -> None:
    path = tmp_path / "db-intake"
    journal = IntakeJournal(path)
    then_ran: list[tuple[int, bool]] = []  # (id, on the loop's thread)

    async def main() -> list[int]:
        loop_thread = threading.get_ident()

        def then(row_id: int) -> None:
            then_ran.append((row_id, threading.get_ident() == loop_thread))

        blocker = connect(path)
        blocker.execute("BEGIN IMMEDIATE")  # the appends wait together, then commit as one group
        futures = [journal.append_soon(_values(n), then) for n in range(30)]
        await asyncio.sleep(0.2)
        assert not any(f.done() for f in futures)  # not durable yet: not answered
        blocker.execute("COMMIT")
        blocker.close()
        return list(await asyncio.gather(*futures))

    ids = asyncio.run(main())
    assert ids == list(range(ids[0], ids[0] + 30))
    assert then_ran == [(row_id, True) for row_id in ids]
    assert [r.guid for r in journal.pending(50)] == [f"guid-{n:04d}" for n in range(30)]


def test_a_cancelled_wait_on_the_loop_still_runs_then_and_keeps_the_row(tmp_path: Path) -> None:
    path = tmp_path / "db-intake"
    journal = IntakeJournal(path)
    then_ran: list[int] = []

    async def main() -> None:
        blocker = connect(path)
        blocker.execute("BEGIN IMMEDIATE")
        waiting = journal.append_soon(_values(7), then_ran.append)
        await asyncio.sleep(0.1)
        waiting.cancel()  # the caller went away
        blocker.execute("COMMIT")
        blocker.close()
        for _ in range(300):  # until the writer has answered on the loop
            if then_ran:
                break
            await asyncio.sleep(0.01)

    asyncio.run(main())
    assert len(then_ran) == 1
    row = journal.get(then_ran[0])
    assert row is not None and row.guid == "guid-0007"


def test_a_failed_group_fails_its_appends_on_the_loop_and_runs_none_of_their_thens(tmp_path: Path) -> None:
    path = tmp_path / "db-intake"
    journal = IntakeJournal(path)
    then_ran: list[int] = []

    async def main() -> list[BaseException | int]:
        blocker = connect(path)
        blocker.execute("BEGIN IMMEDIATE")
        first = journal.append_soon(_values(0), then_ran.append)
        await asyncio.sleep(0.2)  # the writer now waits for the lock with the first row alone
        good = journal.append_soon(_values(1), then_ran.append)
        bad = journal.append_soon({**_values(2), "enterprise": None}, then_ran.append)  # NOT NULL
        blocker.execute("COMMIT")
        blocker.close()
        return list(await asyncio.gather(first, good, bad, return_exceptions=True))

    results = asyncio.run(main())
    assert isinstance(results[0], int)
    assert all(isinstance(r, sqlite3.IntegrityError) for r in results[1:])  # the group fails together
    assert then_ran == [results[0]]
    assert [r.guid for r in journal.pending(10)] == ["guid-0000"]
