"""Admission control: submissions wait while the clearing worker is too far behind.

The server acknowledges a submission as soon as it is stored as queued; the worker clears queued
submissions as fast as it can. When submissions arrive faster than the worker clears them for
long, the queue grows without bound, and with it the time from a parcel's last document to its
release receipt (the acknowledgement stays fast, the release does not). A serious system pushes
back instead: while the backlog (accepted, not yet cleared) is above ``limit`` submissions, a new
submission waits before it is read, so the senders slow to the pace of the clearing; if the
backlog is still above the limit after ``max_wait`` seconds, the submission is refused with 503
and ``Retry-After`` (nothing of it stored: the sender sends it again).

One :class:`AdmissionGate` per server process reads the backlog (one or two small queries) at most
every ``interval`` seconds, and only while submissions arrive; the submissions that find the
reading older than that wait for the new one (well under a millisecond). A failed read lets
submissions in (logged): the gate protects latency, never availability. ``observe`` is told of each
submission held back (``waited``, then let in; ``refused``): the ``opencbec_admission`` counter.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from fastapi import HTTPException, status
from starlette.concurrency import run_in_threadpool

log = logging.getLogger("opencbec.api")

#: ``Retry-After`` of a submission refused because the backlog stayed over the limit.
RETRY_AFTER_S = 1


class AdmissionGate:
    """Lets a submission in at once while the backlog is at most ``limit`` (0: always)."""

    def __init__(
        self,
        read_backlog: Callable[[], int],
        limit: int,
        max_wait: float,
        interval: float = 0.05,
        observe: Callable[[str], None] | None = None,
    ) -> None:
        self._read_backlog = read_backlog
        self._observe = observe or (lambda _outcome: None)
        self.limit = limit
        self.max_wait = max_wait
        self.interval = interval
        self.backlog = 0
        self._read_at = float("-inf")
        self._reading: asyncio.Task[None] | None = None

    async def admit(self) -> None:
        """Return when the submission may be read; ``HTTPException`` 503 when the wait runs out."""
        if self.limit <= 0:
            return
        loop = asyncio.get_running_loop()
        await self._fresh(loop)
        if self.backlog <= self.limit:
            return
        deadline = loop.time() + self.max_wait
        while self.backlog > self.limit:
            if loop.time() >= deadline:
                self._observe("refused")
                log.warning(
                    "submission refused: clearing backlog over the limit",
                    extra={"event": "admission_refused", "backlog": self.backlog, "limit": self.limit},
                )
                raise HTTPException(
                    status.HTTP_503_SERVICE_UNAVAILABLE,
                    detail=(
                        f"{self.backlog} accepted submissions wait to be cleared (limit {self.limit}); "
                        f"send this one again in {RETRY_AFTER_S} s"
                    ),
                    headers={"Retry-After": str(RETRY_AFTER_S)},
                )
            await asyncio.sleep(min(self.interval, max(deadline - loop.time(), 0.0)))
            await self._fresh(loop)
        self._observe("waited")

    async def _fresh(self, loop: asyncio.AbstractEventLoop) -> None:
        """Make ``backlog`` at most ``interval`` old: read it (one read at a time for all callers)."""
        if self._reading is None and loop.time() - self._read_at >= self.interval:
            self._read_at = loop.time()
            self._reading = loop.create_task(self._read())
        if self._reading is not None:
            await asyncio.shield(self._reading)

    async def _read(self) -> None:
        try:
            self.backlog = await run_in_threadpool(self._read_backlog)
        except Exception:
            log.exception("reading the clearing backlog failed; submissions are let in")
            self.backlog = 0
        finally:
            self._reading = None
