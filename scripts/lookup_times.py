"""How long the look-ups by number take on a store (the figures in docs/performance.md and operations.md).

    .venv/bin/python scripts/lookup_times.py DB [NUMBER ...] [--repeat N]

Opens DB (a SQLite path or a database URL; opening runs any pending migration, and the time it
takes is printed), then times the officers' history of each NUMBER (``cbec status``) and the rows
of the parcel view (``GET /v1/officer/parcels/{number}``), ``--repeat`` times each: the fastest and
the median. Without NUMBERs it takes the order number, waybill number and list number of the list
in the middle of the document table. Then it times the first page of the officers' document search
(``GET /v1/officer/documents``) with no filter, by that list's buyer (alone and since the list was
received), by kind, by status 500 with and without ``kind=inventory``, and since and until that list
was received. Run it on a copy: the migration changes the file.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func, select

from opencbec.api.document_search import DocumentSearch, search
from opencbec.service.inspection import parcel_rows
from opencbec.store import schema as t
from opencbec.store.engine import make_engine
from opencbec.store.sql import SqlStore


def middle_list(engine: Engine) -> Any:
    """The import list in the middle of the table (with a list number)."""
    c = t.document.c
    lists = select(c.key, c.link_key, c.invt_no, c.buyer_id, c.received_at).where(
        c.kind == "inventory", c.invt_no.is_not(None)
    )
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(lists.subquery())).scalar_one()
        return conn.execute(lists.order_by(c.id).offset(count // 2).limit(1)).one()


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
    middle = middle_list(engine)
    own = [middle.key.partition("/")[2], middle.link_key.partition("/")[2], middle.invt_no]
    numbers = args.numbers or own
    for number in numbers:
        looks: list[tuple[str, Callable[[], Any]]] = [
            ("history", lambda n=number: store.history(n)),
            ("parcel view rows", lambda n=number: parcel_rows(engine, n)),
        ]
        for name, look_up in looks:
            result, times = timed(look_up, args.repeat)
            rows = len(result) if name == "history" else len(result[0]) + len(result[1])
            fastest, median = min(times) * 1000, statistics.median(times) * 1000
            print(f"{name} of {number}: {rows} rows; fastest {fastest:.1f} ms, median {median:.1f} ms")  # noqa: T201
    searches = {
        "no filter (the first page)": DocumentSearch(),
        f"buyerId={middle.buyer_id}": DocumentSearch(buyer_id=middle.buyer_id),
        f"buyerId={middle.buyer_id}&since={middle.received_at.isoformat()}": DocumentSearch(
            buyer_id=middle.buyer_id, since=middle.received_at
        ),
        "kind=order": DocumentSearch(kind="order"),
        "status=500": DocumentSearch(status="500"),
        "status=500&kind=inventory": DocumentSearch(status="500", kind="inventory"),
        f"since={middle.received_at.isoformat()}": DocumentSearch(since=middle.received_at),
        f"until={middle.received_at.isoformat()}": DocumentSearch(until=middle.received_at),
    }
    for label, query in searches.items():
        (rows, _), times = timed(lambda q=query: search(engine, q, 1, 50), args.repeat)
        fastest, median = min(times) * 1000, statistics.median(times) * 1000
        print(f"search {label}: {len(rows)} rows; fastest {fastest:.1f} ms, median {median:.1f} ms")  # noqa: T201
    engine.dispose()


if __name__ == "__main__":
    main()
