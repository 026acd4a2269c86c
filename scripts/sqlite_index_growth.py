"""What an index of random keys costs SQLite's inserts as a table grows (docs/performance.md).

    .venv/bin/python scripts/sqlite_index_growth.py [--rows 4000000] [--variants guid,none,hash]

Inserts ``--rows`` synthetic document rows (id, kind, a business key, a random UUID guid, 1,200
bytes of content) into a fresh SQLite file with the store's settings (64 KiB pages, WAL,
``synchronous=FULL``, a 64 MB page cache), in transactions of 20,000 rows, and prints the seconds
each million took. The table always has the (kind, key) index; the keys are ``platform/serial``
with 50 platforms, each counting up, so that index is written in 50 places. The variants:

- ``guid``: also an index of the guid, as the store has (``ix_document_guid``);
- ``none``: no other index;
- ``hash``: instead, an index of a 64-bit BLAKE2b hash of the guid, in a column of its own.

The hashes are computed before the timers start. This measures SQLite alone, not a clearing run.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

from opencbec.store.engine import remove_sqlite_file

KINDS = ("order", "payment", "waybill", "inventory")
PLATFORMS = 50
TRANSACTION = 20_000
CONTENT = "x" * 1200


def guid_hash(guid: str) -> int:
    """A signed 64-bit hash of ``guid``."""
    return int.from_bytes(hashlib.blake2b(guid.encode(), digest_size=8).digest(), "big", signed=True)


def run(variant: str, rows: int, directory: Path) -> list[float]:
    """Seconds per million rows inserted (the last entry may cover fewer rows)."""
    path = directory / f"{variant}.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA page_size=65536")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA cache_size=-65536")
    conn.execute(
        "CREATE TABLE document (id BIGINT NOT NULL, kind VARCHAR(16) NOT NULL, key VARCHAR(200) NOT NULL,"
        " guid VARCHAR(64) NOT NULL, guid_hash BIGINT, data TEXT NOT NULL, PRIMARY KEY (id))"
    )
    conn.execute("CREATE INDEX ix_kind_key ON document (kind, key)")
    if variant == "guid":
        conn.execute("CREATE INDEX ix_guid ON document (guid)")
    elif variant == "hash":
        conn.execute("CREATE INDEX ix_guid_hash ON document (guid_hash)")
    rng = random.Random(1)
    serial = [0] * PLATFORMS
    per_million: list[float] = []
    spent = 0.0
    for start in range(0, rows, TRANSACTION):
        batch = []
        for i in range(start, min(start + TRANSACTION, rows)):
            platform = rng.randrange(PLATFORMS)
            serial[platform] += 1
            guid = str(uuid.UUID(int=rng.getrandbits(128)))
            key = f"P{platform:04d}/JJ{serial[platform]:012d}"
            hashed = guid_hash(guid) if variant == "hash" else None
            batch.append((i, KINDS[i % 4], key, guid, hashed, CONTENT))
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO document VALUES (?, ?, ?, ?, ?, ?)", batch)
        conn.execute("COMMIT")
        spent += time.perf_counter() - started
        done = start + len(batch)
        if done % 1_000_000 == 0 or done == rows:
            per_million.append(spent)
            spent = 0.0
    conn.close()
    remove_sqlite_file(path)
    return per_million


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--rows", type=int, default=4_000_000)
    parser.add_argument("--variants", default="guid,none,hash")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="index-growth-") as tmp:
        for variant in args.variants.split(","):
            seconds = run(variant, args.rows, Path(tmp))
            steps = ", ".join(f"{s:.1f}" for s in seconds)
            print(f"{variant}: {sum(seconds):.1f} s in all; per million rows: {steps} s", flush=True)  # noqa: T201


if __name__ == "__main__":
    main()
