"""The cyclic garbage collector's thresholds for the clearing processes.

Clearing allocates millions of short-lived objects (decoded documents, receipt records, rows) next
to a large long-lived state (the rule book, the batch's documents, caches). With Python's default
thresholds (700, 10, 10) a ``cbec clear`` of 10,000 parcels spent about a fifth of its time in the
collector, mostly in full collections of that long-lived state (14 of them, some 0.2 s each).
Almost all of the short-lived objects are freed by reference counting the moment they are dropped,
so the collector has little to find: collecting every 50,000 net allocations instead of every 700
brings it to about 3 % of the run, with the same peak memory (measured in docs/performance.md).

Every entry point of a clearing or serving process calls :func:`tune_garbage_collector`: the
``cbec`` command, the decoding workers of ``cbec clear --workers N`` and the HTTP processes of
``cbec serve --workers N``. ``OPENCBEC_GC_THRESHOLDS`` overrides the thresholds (``700,10,10`` is
Python's default).

A batch run (``cbec clear``) goes further with :class:`PacedCollection`: it freezes what was built
before the run (the rule book, the schema, the modules: ``gc.freeze``), raises the automatic
threshold so that the collector no longer runs by allocation count inside the clearing loop, and
runs a full collection itself every ``OPENCBEC_GC_COLLECT_DOCUMENTS`` documents cleared (between two
batches, when little is alive). Reference cycles made while clearing (SQLAlchemy makes a few with
each ``IN`` query) are freed at the next such point, so memory stays flat however long the run; the
collector's time in a 100,000-parcel run fell from about 2.8 s to about 0.75 s (docs/performance.md).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping
from types import TracebackType

#: (generation 0, generation 1, generation 2) thresholds, see :func:`gc.set_threshold`.
GC_THRESHOLDS = (50_000, 20, 10)
ENV = "OPENCBEC_GC_THRESHOLDS"
#: Documents cleared between two full collections of a batch run (0: no paced collection). The 20
#: full collections of a 100,000-parcel run at 20,000 found 13,081 objects in all; at 100,000 the
#: collector takes 0.15 s of the run instead of 0.5 s, and the peak RSS of the 1,000,000-parcel run
#: did not grow (docs/performance.md, eleventh session).
COLLECT_DOCUMENTS = 100_000
COLLECT_ENV = "OPENCBEC_GC_COLLECT_DOCUMENTS"
#: The automatic generation-0 threshold during a paced batch run, at least: a safety net only (the
#: clearing loop's net allocations between two batches stay well below it).
PACED_GEN0 = 200_000


def thresholds(environ: Mapping[str, str] = os.environ) -> tuple[int, int, int]:
    """The thresholds to use: ``OPENCBEC_GC_THRESHOLDS`` (three positive integers) or the default."""
    value = environ.get(ENV, "").strip()
    if not value:
        return GC_THRESHOLDS
    parts = [p.strip() for p in value.split(",")]
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 3 or min(numbers) < 1:
        raise ValueError(f"{ENV} must be three positive integers like 50000,20,10; got {value!r}")
    return numbers[0], numbers[1], numbers[2]


def tune_garbage_collector(environ: Mapping[str, str] = os.environ) -> tuple[int, int, int]:
    """Set this process's collector thresholds (see the module docstring); returns them."""
    chosen = thresholds(environ)
    gc.set_threshold(*chosen)
    return chosen


def collect_documents(environ: Mapping[str, str] = os.environ) -> int:
    """Documents between two paced full collections: ``OPENCBEC_GC_COLLECT_DOCUMENTS`` or the default."""
    value = environ.get(COLLECT_ENV, "").strip()
    if not value:
        return COLLECT_DOCUMENTS
    if not value.isdigit():
        raise ValueError(f"{COLLECT_ENV} must be a whole number of documents (0 turns it off); got {value!r}")
    return int(value)


class PacedCollection:
    """Full collections at the batch driver's pace instead of by allocation count (module docstring).

    :meth:`start` it (or enter it as a context manager) before a run and call :meth:`cleared` after
    each batch. :meth:`start` collects, freezes the objects alive (``gc.freeze``) and raises the
    automatic generation-0 threshold to at least ``PACED_GEN0``; :meth:`cleared` runs
    ``gc.collect()`` once ``every`` documents have been cleared since the last one; :meth:`stop`
    (or the exit) unfreezes and restores the thresholds, once however often it is called.
    ``every=0`` does nothing at all.
    """

    def __init__(self, every: int = COLLECT_DOCUMENTS) -> None:
        if every < 0:
            raise ValueError(f"documents between collections must be 0 or more, not {every}")
        self.every = every
        self.collections = 0
        self._since = 0
        self._saved: tuple[int, int, int] | None = None

    def start(self) -> None:
        """Collect, freeze what is alive and raise the automatic threshold (nothing if ``every`` is 0)."""
        if self.every and self._saved is None:
            gc.collect()
            gc.freeze()
            self._saved = gen0, gen1, gen2 = gc.get_threshold()
            gc.set_threshold(max(gen0, PACED_GEN0), gen1, gen2)

    def cleared(self, documents: int) -> None:
        """Note ``documents`` more cleared; collect when ``every`` have been since the last time."""
        if not self.every:
            return
        self._since += documents
        if self._since >= self.every:
            gc.collect()
            self.collections += 1
            self._since = 0

    def stop(self) -> None:
        """Unfreeze and restore the thresholds :meth:`start` found (once; later calls do nothing)."""
        if self._saved is not None:
            gc.unfreeze()
            gc.set_threshold(*self._saved)
            self._saved = None

    def __enter__(self) -> PacedCollection:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
