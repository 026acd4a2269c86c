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
"""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping

#: (generation 0, generation 1, generation 2) thresholds, see :func:`gc.set_threshold`.
GC_THRESHOLDS = (50_000, 20, 10)
ENV = "OPENCBEC_GC_THRESHOLDS"


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
