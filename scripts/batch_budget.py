"""What a batch run cannot do without, each part timed alone in one process (docs/performance.md,
"The cost floor of a batch run").

    .venv/bin/python scripts/batch_budget.py --db CLEARED.db [--traffic DIR] [--json OUT.json]

``CLEARED.db`` is a SQLite file that ``cbec clear`` filled from ``DIR`` (by default the benchmark's
cached 100,000-parcel traffic, ``out/bench/traffic-100000-20240618``). Parts, each over the whole
traffic, CPU seconds (user + system of this process) and wall seconds:

1. **parse floor**: ``cbec bench``'s own (read, ``lxml.etree.fromstring``, every element's text);
2. **safe parse and XSD validation**: the refusals a message must pass (size, DTD, depth and
   element limits, then the CEB schema), nothing else;
3. **the decoding worker's work**: ``decode_workers.decode_chunk`` in chunks of 16 files, as the
   worker runs it (read, safe parse, XSD, the domain records, their stored text, their own checks,
   the bytes compressed), without the process hop;
4. **the writes alone**: every row of ``CLEARED.db``'s tables written again into a fresh file made
   by ``make_engine`` (the schema, its indexes and the clearing connection's settings), the tables'
   rows in slices of about 20,000 documents' worth per transaction and 5,000 rows per
   ``executemany``, as a run writes them. A lower bound: no reads, no updates of changed rows, no
   Python that computes the rows.

It ends with the budget issue #6's ratio target leaves: a run at 70 % of the floor may take the
floor's time / 0.7 of wall clock, so on 2 cores at most twice that of CPU, against what parts 3
and 4 need alone.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from opencbec.bench.floor import parse_floor
from opencbec.messages.errors import MessageRejected
from opencbec.messages.export_layout import is_export_message
from opencbec.messages.safe_xml import XmlLimits, parse_xml
from opencbec.messages.schema import export_schema, import_schema, validate
from opencbec.service.batch_clear import input_files
from opencbec.service.decode_workers import decode_chunk
from opencbec.store.engine import clearing_cache_mb, make_engine

DEFAULT_TRAFFIC = Path("out/bench/traffic-100000-20240618")
CHUNK_FILES = 16
COMMIT_DOCUMENTS = 20_000
EXECUTEMANY_ROWS = 5_000
#: Tables a clearing run writes, in the order of ``store.sql_apply`` (``message`` first: a batch
#: stores its messages before its documents).
TABLES = ("message", "document", "status_event", "ledger_entry", "quantity_entry", "returned_line")
TABLES += ("tax_note", "party_code", "outbox")


def _timed(part: Callable[[], Any]) -> tuple[float, float, Any]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = part()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def _validate_all(files: list[Path]) -> int:
    limits = XmlLimits()
    schemas = {False: import_schema(require_signature=False), True: export_schema()}
    valid = 0
    for path in files:
        root = parse_xml(path.read_bytes(), limits)
        schema = schemas[is_export_message(str(root.tag).rpartition("}")[2])]
        try:
            validate(root, schema)
        except MessageRejected:  # a refusal costs about the same; counted, not raised
            continue
        valid += 1
    return valid


def _decode_all(files: list[Path]) -> int:
    limits = XmlLimits()
    decoded = 0
    for i in range(0, len(files), CHUNK_FILES):
        decoded += len(decode_chunk(files[i : i + CHUNK_FILES], False, limits))
    return decoded


def _slices(rows: list[tuple[Any, ...]], groups: int) -> Iterator[list[tuple[Any, ...]]]:
    size = math.ceil(len(rows) / groups) if rows else 0
    for g in range(groups):
        yield rows[g * size : (g + 1) * size] if size else []


def _rewrite(cleared: Path, scratch: Path) -> tuple[float, float, dict[str, int]]:
    """Write every row of ``cleared``'s clearing tables into a fresh file; CPU and wall seconds."""
    source = sqlite3.connect(cleared)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    columns: dict[str, list[str]] = {}
    for table in TABLES:
        columns[table] = [r[1] for r in source.execute(f"PRAGMA table_info({table})")]
        rows[table] = source.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
    source.close()
    target = scratch / "rewrite.db"
    make_engine(str(target)).dispose()  # the schema, 64 KiB pages, WAL
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(f"PRAGMA cache_size=-{clearing_cache_mb() * 1024}")
    for table in TABLES:  # rows made by migrations (none expected in these tables) go first
        conn.execute(f"DELETE FROM {table}")
    groups = max(1, math.ceil(len(rows["document"]) / COMMIT_DOCUMENTS))
    sliced = {table: list(_slices(rows[table], groups)) for table in TABLES}
    statements = {
        table: f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        for table, names in columns.items()
    }

    def write() -> None:
        for g in range(groups):
            conn.execute("BEGIN")
            for table in TABLES:
                part = sliced[table][g]
                for i in range(0, len(part), EXECUTEMANY_ROWS):
                    conn.executemany(statements[table], part[i : i + EXECUTEMANY_ROWS])
            conn.execute("COMMIT")

    cpu, wall, _ = _timed(write)
    conn.close()
    return cpu, wall, {table: len(rows[table]) for table in TABLES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="a SQLite file cleared from --traffic")
    parser.add_argument("--traffic", type=Path, default=DEFAULT_TRAFFIC)
    parser.add_argument("--parcels", type=int, help="parcels in --traffic (default: from its cache name)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    files = list(input_files([args.traffic]))
    named = re.match(r"traffic-(\d+)-", args.traffic.name)  # the bench's cache: traffic-PARCELS-SEED
    parcels = args.parcels or (int(named.group(1)) if named else None)
    parse_floor(files)  # the page cache warm for every part, as the bench's floor passes are
    figures: dict[str, Any] = {"files": len(files), "parcels": parcels}
    floor = _timed(lambda: parse_floor(files))
    figures["parse_floor"] = {"cpu_s": floor[0], "wall_s": floor[1]}
    validated = _timed(lambda: _validate_all(files))
    figures["safe_parse_and_xsd"] = {"cpu_s": validated[0], "wall_s": validated[1], "valid": validated[2]}
    decoded = _timed(lambda: _decode_all(files))
    figures["decoding_worker_work"] = {"cpu_s": decoded[0], "wall_s": decoded[1], "files": decoded[2]}
    with tempfile.TemporaryDirectory(prefix="opencbec-budget-") as scratch:
        cpu, wall, counts = _rewrite(args.db, Path(scratch))
    figures["writes_alone"] = {"cpu_s": cpu, "wall_s": wall, "rows": counts}
    wall_budget = floor[1] / 0.7
    figures["budget_at_70_percent"] = {
        "wall_s": wall_budget,
        "cpu_s_on_2_cores": 2 * wall_budget,
        "decoding_and_writes_cpu_s": decoded[0] + cpu,
    }
    for name, value in figures.items():
        if parcels and isinstance(value, dict) and "cpu_s" in value:
            value["parcels_per_cpu_s"] = round(parcels / value["cpu_s"], 1)
        print(f"{name}: {value}")  # noqa: T201
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
