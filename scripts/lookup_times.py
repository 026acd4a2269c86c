"""How long the look-ups by number take on a store (the figures in docs/performance.md and operations.md).

    .venv/bin/python scripts/lookup_times.py DB [NUMBER ...] [--repeat N]

Opens DB (a SQLite path or a database URL; opening runs any pending migration, and the time it
takes is printed), then times the officers' history of each NUMBER (``cbec status``) and the rows
of the parcel view (``GET /v1/officer/parcels/{number}``), ``--repeat`` times each: the fastest and
the median. Without NUMBERs it takes the order number, waybill number and list number of the list
in the middle of the document table. Run it on a copy: the migration changes the file.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func, select

from opencbec.service.inspection import parcel_rows
from opencbec.store import schema as t
from opencbec.store.engine import make_engine
from opencbec.store.sql import SqlStore


def middle_list_numbers(engine: Engine) -> list[str]:
    """The order, waybill and list numbers of the import list in the middle of the table."""
    c = t.document.c
    lists = select(c.key, c.link_key, c.invt_no).where(c.kind == "inventory", c.invt_no.is_not(None))
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(lists.subquery())).scalar_one()
        row = conn.execute(lists.order_by(c.id).offset(count // 2).limit(1)).one()
    return [row.key.partition("/")[2], row.link_key.partition("/")[2], row.invt_no]


def timed(look_up: Callable[[], Any], repeat: int) -> tuple[Any, list[float]]:
    """``look_up``'s result and its times in seconds."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = look_up()
        times.append(time.perf_counter() - start)
    return result, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("numbers", nargs="*")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    start = time.perf_counter()
    engine = make_engine(args.db)
    print(f"open (with any migration): {time.perf_counter() - start:.2f} s")  # noqa: T201
    store = SqlStore(engine)
    for number in args.numbers or middle_list_numbers(engine):
        looks: list[tuple[str, Callable[[], Any]]] = [
            ("history", lambda n=number: store.history(n)),
            ("parcel view rows", lambda n=number: parcel_rows(engine, n)),
        ]
        for name, look_up in looks:
            result, times = timed(look_up, args.repeat)
            rows = len(result) if name == "history" else len(result[0]) + len(result[1])
            fastest, median = min(times) * 1000, statistics.median(times) * 1000
            print(f"{name} of {number}: {rows} rows; fastest {fastest:.1f} ms, median {median:.1f} ms")  # noqa: T201
    engine.dispose()


if __name__ == "__main__":
    main()
