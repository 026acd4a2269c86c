"""The background threads of a server process: the online clearing worker and webhook delivery."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from opencbec.service.online import OnlineClearer
from opencbec.service.webhooks import WebhookDispatcher

log = logging.getLogger("opencbec.background")
#: Idle processes look for other processes' submissions at least this often.
MIN_POLL_SECONDS = 0.1
ERROR_PAUSE_SECONDS = 1.0


class Loop:
    """A daemon thread running ``step`` when woken (or every ``poll`` seconds) until stopped."""

    def __init__(
        self, name: str, step: Callable[[bool], None], poll: float, on_stop: Callable[[], None] | None = None
    ) -> None:
        self.name = name
        self._on_stop = on_stop
        self._step = step
        self._poll = poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def wake(self) -> None:
        """Run the step soon."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to stop after its current step and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._on_stop is not None:
            self._on_stop()

    def _run(self) -> None:
        while not self._stop.is_set():
            woken = self._wake.wait(self._poll)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self._step(woken)
            except Exception:
                log.exception(
                    "background step failed", extra={"event": "background_error", "loop": self.name}
                )
                self._stop.wait(ERROR_PAUSE_SECONDS)


def clearing_loop(
    clearer: OnlineClearer,
    window_ms: int,
    tick_seconds: float | None,
    on_cleared: Callable[[], None] = lambda: None,
    poll_seconds: float | None = None,
) -> Loop:
    """The worker: gathers submissions for the window, then clears until the queue is empty.

    Batches start at most once per window, so that under load they grow instead of paying a
    batch's fixed cost (transaction, commit, state queries) for a handful of documents.

    Idle, it looks for other processes' submissions every ``poll_seconds`` (default: the window,
    at least :data:`MIN_POLL_SECONDS`). With ``tick_seconds`` (wall clock) it also clears an empty
    batch that often, so lists waiting for their partners time out without traffic.
    """
    window = window_ms / 1000
    last = time.monotonic()
    started = 0.0  # when the last batch started

    def step(woken: bool) -> None:
        nonlocal last, started
        if woken:
            time.sleep(window)  # let the submissions arriving together form one batch
        cleared = False
        while clearer.has_queued():
            if (wait := started + window - time.monotonic()) > 0:
                time.sleep(wait)  # at most one batch per window: each batch has a fixed cost
            started = time.monotonic()
            if clearer.clear_once() == 0:
                break  # another process claimed them (or the database changed under us): no busy loop
            cleared = True
        if not cleared and tick_seconds is not None and time.monotonic() - last >= tick_seconds:
            clearer.clear_once(tick=True)
            cleared = True
        if cleared:
            last = time.monotonic()
            on_cleared()

    poll = poll_seconds if poll_seconds is not None else max(window, MIN_POLL_SECONDS)
    return Loop("opencbec-clearing", step, poll)


def webhook_loop(dispatcher: WebhookDispatcher, poll_ms: int) -> Loop:
    """Webhook delivery: a pass when woken (new receipts) and every ``poll_ms``."""

    def step(_woken: bool) -> None:
        dispatcher.deliver_due()

    return Loop("opencbec-webhooks", step, poll_ms / 1000, on_stop=dispatcher.close)
