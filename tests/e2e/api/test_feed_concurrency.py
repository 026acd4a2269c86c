"""The receipt feed never skips or repeats, with concurrent submissions to two server processes' apps."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from opencbec.store import schema as t
from opencbec.store.api_repo import inbox
from tests.e2e.api.conftest import Api
from tests.e2e.api.messages import AGENT, SENDER_OF, message, parcel


def _drained(api: Api, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not api.ctx.clearer.pending():  # api_inbox and the intake journal
            return
        time.sleep(0.05)
    raise AssertionError("queue not drained")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite file or a PostgreSQL database (the clearing lock differs: writer lock / advisory lock)."""
    if request.param == "sqlite":
        return str(tmp_path / "feed.db")
    url: str = request.getfixturevalue("pg_url")
    return url


def test_the_feed_never_skips_or_repeats_under_concurrent_submissions(
    db: str, make_api: Callable[..., Api]
) -> None:  # db first: it is dropped only after both apps have stopped
    first, second = make_api(db=db), make_api(db=db)  # two apps (two workers) on one database
    jobs: list[tuple[Api, str, bytes]] = []
    for n in range(25):
        p = parcel()
        for doc in p.documents():
            jobs.append((first if n % 2 else second, SENDER_OF[doc.kind.value], message(doc)))
        if n % 5 == 0:
            jobs.append((second, AGENT, b"<broken"))  # a CEB900 in the same ordered feed
    seen: list[int] = []
    failed: list[str] = []  # a failing feed request, reported by the test rather than lost in the thread
    stop = threading.Event()

    def read_feed() -> None:
        cursor = 0
        while True:
            done = stop.is_set()
            response = first.get(AGENT, "/v1/receipts", since=cursor, limit=3, xml=False)
            if response.status_code != 200:
                failed.append(f"{response.status_code} {response.text[:200]}")
                return
            page = response.json()
            seen.extend(r["id"] for r in page["receipts"])
            cursor = page["next"]
            if done and not page["receipts"]:
                return

    reader = threading.Thread(target=read_feed)
    reader.start()
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda job: job[0].submit(job[1], job[2]).status_code, jobs))
    assert sorted(set(codes)) == [202, 400]
    _drained(first)
    time.sleep(0.2)
    stop.set()
    reader.join(60)
    assert failed == []
    with first.ctx.engine.connect() as conn:
        expected = (
            conn.execute(select(t.outbox.c.id).where(t.outbox.c.receiver == AGENT).order_by(t.outbox.c.id))
            .scalars()
            .all()
        )
        statuses = dict(conn.execute(select(inbox.c.status, func.count()).group_by(inbox.c.status)).all())
        stored = conn.execute(select(func.count()).select_from(t.message)).scalar()
    assert seen == expected  # every receipt once, in increasing order
    assert seen == sorted(set(seen))
    assert statuses == {"cleared": 100, "rejected": 5}
    assert stored == 105  # each submission cleared exactly once, by one of the two workers
