"""Where a batch ``cbec clear`` spends its time, stage by stage (the breakdown in docs/performance.md).

    .venv/bin/python scripts/clear_stages.py DIR [--workers N]
        [--batch-size N] [--batch-weight N] [--commit-size N]

Clears the messages under DIR into a fresh SQLite file with wall-clock timers around the stages
of the clearing process: waiting for the next decoded message (with ``--workers 1`` this is the
reading and decoding itself), storing the messages, loading the state, the clearing core,
encoding the receipts and writing the effects, settling the lists whose wait ran out (their own
reads, core and writes, so partly counted in the stages above too) and committing (all of these
within ``flush``), and each bulk statement of the store by table with its rows (``sql ...``,
within the stages above).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

TIMES: defaultdict[str, float] = defaultdict(float)
#: Rows written or read per bulk statement (``_time_bulk_statements``).
ROWS: defaultdict[str, int] = defaultdict(int)


def _timed(owner: Any, name: str, label: str) -> None:
    inner: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            TIMES[label] += time.perf_counter() - started

    setattr(owner, name, timed)


def _instrument() -> None:
    from opencbec.service import batch_clear, core
    from opencbec.store import sql

    _timed(sql.SqlStore, "insert_messages", "store messages")
    _timed(sql.SqlStore, "load_state", "load state")
    _timed(core, "clear", "clearing core")
    _timed(core, "receipt_messages", "encode receipts")
    _timed(sql.SqlStore, "apply", "write effects")
    _timed(core, "_settle_expired", "settle expired lists (their reads, core and writes)")
    from sqlalchemy.engine.base import RootTransaction

    _timed(RootTransaction, "commit", "commit")
    _timed(batch_clear.BatchClearer, "_flush", "flush (all of a batch, commit included)")
    from opencbec import gc_tuning
    from opencbec.service import commit_groups

    _timed(commit_groups.CommitBehind, "settle", "wait for the commit behind")
    _timed(batch_clear.BatchClearer, "_deliver_pending", "deliver receipts (outbox to files)")
    _timed(gc_tuning.PacedCollection, "cleared", "paced garbage collection")
    _time_bulk_statements()
    decoded = batch_clear.BatchClearer._decoded

    def waited(self: Any, paths: Any) -> Any:
        inner = decoded(self, paths)

        def items() -> Iterator[Any]:
            while True:
                started = time.perf_counter()
                try:
                    item = next(inner)
                except StopIteration:
                    return
                finally:
                    TIMES["next decoded message"] += time.perf_counter() - started
                yield item

        class Items:
            def __init__(self) -> None:
                self.it = items()

            def __iter__(self) -> Iterator[Any]:
                return self.it

            def close(self) -> None:
                inner.close()

        return Items()

    batch_clear.BatchClearer._decoded = waited  # type: ignore[method-assign]


def _time_bulk_statements() -> None:
    """Time each bulk statement of the store by statement and table (``bulk.insert``, ``bulk.update``,
    ``bulk.select_in`` with the rows it gives), and count the rows."""
    from opencbec.store import bulk

    def timed(name: str, label: Callable[..., str]) -> None:
        inner: Callable[..., Any] = getattr(bulk, name)

        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            result = inner(*args, **kwargs)
            if name == "select_in":  # a generator: its time is spent as it is read
                result = list(result)
            key = label(*args, **kwargs)
            TIMES[key] += time.perf_counter() - started
            ROWS[key] += len(result) if name == "select_in" else len(args[-1])
            return iter(result) if name == "select_in" else result

        setattr(bulk, name, run)

    timed("insert", lambda conn, table, *rest: f"sql insert {table.name}")
    timed("update", lambda conn, table, *rest: f"sql update {table.name}")
    timed(
        "select_in",
        lambda conn, table, columns, in_column, values, where=(): (
            f"sql select {table.name} by {in_column}" + "".join(f", {w[0]}" for w in where)
        ),
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directory", type=Path)
    parser.add_argument("--workers", type=int, default=1)
    from opencbec import bootstrap
    from opencbec.service.batch_clear import BATCH_DOCUMENTS, BATCH_WEIGHT
    from opencbec.service.commit_groups import COMMIT_DOCUMENTS

    parser.add_argument("--batch-size", type=int, default=BATCH_DOCUMENTS)
    parser.add_argument("--batch-weight", type=int, default=BATCH_WEIGHT)
    parser.add_argument("--commit-size", type=int, default=COMMIT_DOCUMENTS)
    args = parser.parse_args()
    _instrument()

    with tempfile.TemporaryDirectory() as scratch:
        app = bootstrap.build(str(Path(scratch) / "stages.db"))
        clearer = bootstrap.batch_clearer(
            app,
            None,
            batch_documents=args.batch_size,
            batch_weight=args.batch_weight,
            commit_documents=args.commit_size,
            verify_signatures=False,
            workers=args.workers,
        )
        started = time.perf_counter()
        summary = clearer.run([args.directory])
        total = time.perf_counter() - started
    print(summary.line())  # noqa: T201
    sizes = f"batch={args.batch_size}/{args.batch_weight} commit={args.commit_size}"
    print(f"workers={args.workers} {sizes}: {total:.2f} s in all")  # noqa: T201
    for label, seconds in TIMES.items():
        rows = f" {ROWS[label]:10,d} rows" if label in ROWS else ""
        print(f"  {label:45s} {seconds:7.2f} s{rows}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
