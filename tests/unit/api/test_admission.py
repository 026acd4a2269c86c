"""Admission control: submissions wait while the clearing backlog is over the limit, then 503."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest
from fastapi import HTTPException

from opencbec.api.admission import RETRY_AFTER_S, AdmissionGate


class Backlog:
    """A pretend clearing backlog, counting how often it is read (from worker threads)."""

    def __init__(self, value: int) -> None:
        self.value = value
        self.reads = 0
        self.fail = False
        self._lock = threading.Lock()

    def read(self) -> int:
        with self._lock:
            self.reads += 1
            if self.fail:
                raise OSError("database is locked")
            return self.value


def test_under_the_limit_a_submission_is_let_in_at_once() -> None:
    backlog = Backlog(10)
    held: list[str] = []
    gate = AdmissionGate(backlog.read, limit=10, max_wait=5, observe=held.append)
    started = time.monotonic()
    asyncio.run(gate.admit())
    assert time.monotonic() - started < 1
    assert backlog.reads == 1 and gate.backlog == 10
    assert held == []  # not held back: not counted


def test_a_limit_of_zero_turns_the_gate_off() -> None:
    backlog = Backlog(10**6)
    asyncio.run(AdmissionGate(backlog.read, limit=0, max_wait=5).admit())
    assert backlog.reads == 0


def test_over_the_limit_a_submission_waits_until_the_backlog_falls() -> None:
    backlog = Backlog(50)
    held: list[str] = []
    gate = AdmissionGate(backlog.read, limit=10, max_wait=5, interval=0.01, observe=held.append)

    async def scenario() -> float:
        admitted = asyncio.create_task(gate.admit())
        await asyncio.sleep(0.2)
        assert not admitted.done()  # still waiting: the backlog is over the limit
        backlog.value = 8  # the worker cleared a batch
        started = time.monotonic()
        await admitted
        return time.monotonic() - started

    assert asyncio.run(scenario()) < 0.5
    assert backlog.reads >= 5  # read again while waiting
    assert held == ["waited"]


def test_a_backlog_that_stays_over_the_limit_is_refused_with_503_and_retry_after() -> None:
    backlog = Backlog(700)
    held: list[str] = []
    gate = AdmissionGate(backlog.read, limit=600, max_wait=0.2, interval=0.02, observe=held.append)
    started = time.monotonic()
    with pytest.raises(HTTPException) as refused:
        asyncio.run(gate.admit())
    assert 0.2 <= time.monotonic() - started < 2
    assert refused.value.status_code == 503
    assert refused.value.headers == {"Retry-After": str(RETRY_AFTER_S)}
    assert "700 accepted submissions wait to be cleared (limit 600)" in str(refused.value.detail)
    assert held == ["refused"]


def test_many_waiting_submissions_cost_one_read_per_interval() -> None:
    backlog = Backlog(100)
    gate = AdmissionGate(backlog.read, limit=10, max_wait=0.3, interval=0.02)

    async def scenario() -> list[BaseException | None]:
        return await asyncio.gather(*(gate.admit() for _ in range(200)), return_exceptions=True)

    results = asyncio.run(scenario())
    assert all(isinstance(r, HTTPException) and r.status_code == 503 for r in results)
    assert 5 <= backlog.reads <= 30  # about 0.3 s / 0.02 s, not 200 submissions x 15 reads


def test_a_failed_read_lets_submissions_in_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    backlog = Backlog(10**6)
    backlog.fail = True
    gate = AdmissionGate(backlog.read, limit=10, max_wait=5)
    with caplog.at_level(logging.ERROR, logger="opencbec.api"):
        asyncio.run(gate.admit())
    assert backlog.reads == 1
    assert "reading the clearing backlog failed" in caplog.text
