"""The receipt feed's long-poll watch: one read per interval for any number of readers, only while read."""

from __future__ import annotations

import asyncio
import threading

import pytest

from opencbec.api.receipt_watch import OutboxWatch


class Outbox:
    """The highest id of a pretend outbox, counting how often it is read (from worker threads)."""

    def __init__(self) -> None:
        self.highest = 0
        self.reads = 0
        self.fail_next = 0
        self._lock = threading.Lock()

    def read(self) -> int:
        with self._lock:
            self.reads += 1
            if self.fail_next:
                self.fail_next -= 1
                raise OSError("database is locked")
            return self.highest


def test_many_waiting_readers_cost_one_read_per_interval() -> None:
    outbox = Outbox()
    watch = OutboxWatch(outbox.read, interval=0.02)

    async def scenario() -> list[bool]:
        return await asyncio.gather(*(watch.wait_past(0, 0.3) for _ in range(200)))

    assert asyncio.run(scenario()) == [False] * 200  # nothing arrived: every reader timed out
    assert 5 <= outbox.reads <= 30  # about 0.3 s / 0.02 s, not 200 readers x 15 reads


def test_readers_wake_when_the_outbox_grows_and_only_past_what_they_saw() -> None:
    outbox = Outbox()
    outbox.highest = 7
    watch = OutboxWatch(outbox.read, interval=0.01)

    async def scenario() -> tuple[bool, bool, float]:
        loop = asyncio.get_running_loop()
        # ids up to 7 exist: a reader that saw 5 is answered at once, one that saw 7 waits
        assert await watch.wait_past(5, 5.0)
        started = loop.time()
        waiting = asyncio.gather(watch.wait_past(7, 5.0), watch.wait_past(7, 5.0))
        await asyncio.sleep(0.1)
        outbox.highest = 8
        first, second = await waiting
        return first, second, loop.time() - started

    first, second, took = asyncio.run(scenario())
    assert first and second
    assert 0.1 <= took < 2.0  # woken by the new receipt, not by the end of the wait


def test_nothing_is_read_while_nobody_waits() -> None:
    outbox = Outbox()
    watch = OutboxWatch(outbox.read, interval=0.01)

    async def scenario() -> int:
        await watch.wait_past(0, 0.05)
        await asyncio.sleep(0.05)  # the follower notices that nobody waits and stops
        after_wait = outbox.reads
        await asyncio.sleep(0.2)
        return outbox.reads - after_wait

    assert asyncio.run(scenario()) == 0


def test_a_failed_read_is_logged_and_the_readers_keep_waiting(caplog: pytest.LogCaptureFixture) -> None:
    outbox = Outbox()
    outbox.fail_next = 3
    watch = OutboxWatch(outbox.read, interval=0.01)

    async def scenario() -> bool:
        waiting = asyncio.ensure_future(watch.wait_past(0, 5.0))
        await asyncio.sleep(0.1)  # the three failures are behind us
        outbox.highest = 1
        return await waiting

    assert asyncio.run(scenario())
    assert outbox.fail_next == 0
    failures = [r for r in caplog.records if "highest id failed" in r.getMessage()]
    assert len(failures) == 3
