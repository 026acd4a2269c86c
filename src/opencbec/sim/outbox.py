"""Sending documents as message files, the way the enterprises' systems batch them.

Documents wait in a time-ordered queue until their ``appTime``. The queue holds recipes, not
documents: a document is built only when it is sent, so memory holds one small plan per parcel
in flight. Time is cut into windows of a fixed length (a divisor of a day); within a window each
sender batches its documents per message type and transmits one message per batch of at most 100
documents (a full batch goes at once, the rest at the end of the window). Files are numbered in
send order under the date of their window::

    DIR/messages/2024-06-01/00000123_CEB311Message.xml

so sorted path order is send order, and every document in a file was created in the file's window:
the event time (largest ``appTime`` read so far) never runs more than one window ahead of a
document. A share of files is sent a second time, byte for byte, one to six windows later
(replays: the core must change nothing).
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from opencbec.domain.documents import Document
from opencbec.messages.encode import encode_message
from opencbec.sim.documents import new_guid
from opencbec.sim.parties import Enterprise

MAX_DOCUMENTS = 100


@dataclass(slots=True)
class Sent:
    """What went out: files and documents, and the replays among them."""

    files: int = 0
    documents: Counter[str] = field(default_factory=Counter)
    replayed_files: int = 0
    replayed_documents: int = 0

    @property
    def total_documents(self) -> int:
        """Documents in all files, replays included."""
        return sum(self.documents.values())


@dataclass(slots=True)
class _Batch:
    sender: Enterprise
    documents: list[Document] = field(default_factory=list)


class Outbox:
    """Queues documents by send time and writes them as message files."""

    def __init__(
        self,
        out: Path,
        origin: datetime,
        window: timedelta,
        rng: random.Random,
        replay_share: float,
    ) -> None:
        self._root = out / "messages"
        self._origin = origin
        self._window = window
        self._rng = rng
        self._replay_share = replay_share
        self._queue: list[tuple[datetime, int, str, Enterprise, Callable[[], Document]]] = []
        self._queued = 0
        self._current = 0
        self._batches: dict[tuple[str, str], _Batch] = {}
        self._replays: dict[int, list[tuple[str, bytes, int]]] = {}
        self._dirs: set[Path] = set()
        self.sent = Sent()

    def schedule(
        self, at: datetime, message_type: str, sender: Enterprise, build: Callable[[], Document]
    ) -> None:
        """Send the document ``build()`` makes (created at ``at``) in a ``message_type`` message."""
        self._queued += 1
        heapq.heappush(self._queue, (at, self._queued, message_type, sender, build))

    def send_until(self, now: datetime) -> None:
        """Send every queued document created before ``now``."""
        queue = self._queue
        while queue and queue[0][0] < now:
            at, _, message_type, sender, build = heapq.heappop(queue)
            window = (at - self._origin) // self._window
            if window != self._current:
                self._end_window(window)
            key = (message_type, sender.code)
            batch = self._batches.get(key)
            if batch is None:
                batch = self._batches[key] = _Batch(sender)
            batch.documents.append(build())
            if len(batch.documents) == MAX_DOCUMENTS:
                self._write(message_type, batch)
                del self._batches[key]

    def close(self) -> None:
        """Send everything still queued, then the remaining replays."""
        if self._queue:
            self.send_until(max(entry[0] for entry in self._queue) + timedelta(seconds=1))
        self._end_window(None)

    def _end_window(self, following: int | None) -> None:
        for (message_type, _), batch in sorted(self._batches.items()):
            self._write(message_type, batch)
        self._batches.clear()
        for due in sorted(self._replays):
            if following is not None and due >= following:
                break
            for message_type, data, count in self._replays.pop(due):
                self._store(max(due, self._current), message_type, data, count)
                self.sent.replayed_files += 1
                self.sent.replayed_documents += count
        if following is not None:
            self._current = following

    def _write(self, message_type: str, batch: _Batch) -> None:
        data = encode_message(
            message_type,
            batch.documents,
            batch.sender.transfer,
            guid=new_guid(self._rng),
            placeholder_signature=True,
        )
        count = len(batch.documents)
        self._store(self._current, message_type, data, count)
        if self._replay_share and self._rng.random() < self._replay_share:
            due = self._current + self._rng.randint(1, 6)
            self._replays.setdefault(due, []).append((message_type, data, count))

    def _store(self, window: int, message_type: str, data: bytes, count: int) -> None:
        self.sent.files += 1
        self.sent.documents[message_type] += count
        day = (self._origin + window * self._window).strftime("%Y-%m-%d")
        folder = self._root / day
        if folder not in self._dirs:
            folder.mkdir(parents=True, exist_ok=True)
            self._dirs.add(folder)
        (folder / f"{self.sent.files:08d}_{message_type}.xml").write_bytes(data)
