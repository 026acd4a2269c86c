"""Long polling of the receipt feed: a reader waits in the server for its next receipt.

Without it, an enterprise's software that wants its receipts promptly polls ``GET /v1/receipts``
many times a second, and every poll costs the server a whole request. With ``wait``, the request
itself waits until a receipt addressed to the caller exists, or the wait runs out.

One :class:`OutboxWatch` per server process reads the outbox's highest id every ``interval``
seconds while anybody waits (and not at all otherwise): one small query per interval whatever the
number of waiting readers, on SQLite and PostgreSQL alike, and it sees receipts written by any
process. Receipt ids grow in commit order (see :mod:`opencbec.api.receipts`), so "a receipt after
id M exists" is exactly "the highest id is above M".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool

log = logging.getLogger("opencbec.api")


class OutboxWatch:
    """The outbox's highest id, re-read every ``interval`` seconds while someone waits for it to grow."""

    def __init__(self, read_highest: Callable[[], int], interval: float = 0.02) -> None:
        self._read_highest = read_highest
        self.interval = interval
        self.highest = 0
        self._grown = asyncio.Event()
        self._waiting = 0
        self._task: asyncio.Task[None] | None = None

    async def wait_past(self, seen: int, timeout: float) -> bool:
        """Wait until an outbox id above ``seen`` exists or ``timeout`` seconds pass; True if it does."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._waiting += 1
        try:
            if self._task is None:
                self._task = loop.create_task(self._follow())
            while self.highest <= seen:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                try:
                    await asyncio.wait_for(self._grown.wait(), remaining)
                except TimeoutError:
                    return self.highest > seen
            return True
        finally:
            self._waiting -= 1

    async def _follow(self) -> None:
        """Re-read the highest id while readers wait; wake them all when it grows."""
        try:
            while self._waiting > 0:
                try:
                    highest = await run_in_threadpool(self._read_highest)
                except Exception:  # the database is briefly unavailable: readers wait on
                    log.exception("receipt feed: reading the outbox's highest id failed")
                    highest = self.highest
                if highest > self.highest:
                    self.highest = highest
                    grown, self._grown = self._grown, asyncio.Event()
                    grown.set()
                await asyncio.sleep(self.interval)
        finally:
            self._task = None
