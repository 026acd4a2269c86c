"""The cost floor of a batch run: the parts no clearing logic can remove, each timed alone in one
process over the whole traffic (``cbec bench``'s cost floor row; docs/performance.md).

- **safe parse and XSD validation**: the refusals a message must pass (size, DTD, depth and element
  limits, then the CEB schema), nothing else;
- **the decoding worker's work**: ``decode_workers.decode_chunk`` in the pool's chunks of files, as the
  worker runs it (read, safe parse, XSD, the domain records, their stored text, their own checks,
  the bytes compressed), without the process hop;
- **the writes alone**: every row of a cleared SQLite file's tables written again into a fresh file
  made by ``make_engine`` (the schema, its indexes, the clearing connection's page cache), about
  a commit group's documents' worth per transaction and a batch's rows per ``executemany``, as a run writes
  them. A lower bound: no reads, no updates of changed rows, no Python computing the rows.

Issue #6's ratio target lets a run take the parse floor's time / 0.7 of wall clock, so at most
that many CPU seconds per core; the decoding work and the writes alone are set against it.
"""

from __future__ import annotations

import math
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from opencbec.messages.errors import MessageRejected
from opencbec.messages.export_layout import is_export_message
from opencbec.messages.safe_xml import XmlLimits, parse_xml
from opencbec.messages.schema import export_schema, import_schema, validate
from opencbec.service.batch_clear import BATCH_DOCUMENTS
from opencbec.service.commit_groups import COMMIT_DOCUMENTS
from opencbec.service.decode_pool import CHUNK_FILES
from opencbec.service.decode_workers import decode_chunk
from opencbec.store.engine import clearing_cache_mb, make_engine

#: The share of the parse floor issue #6 asks batch clearing to reach.
TARGET_SHARE = 0.7
#: The tables a clearing run writes, in the order a batch writes them (``message`` first).
TABLES: tuple[str, ...] = ("message", "document", "status_event", "ledger_entry", "quantity_entry")
TABLES += ("returned_line", "tax_note", "party_code", "outbox")


def timed(part: Callable[[], Any]) -> tuple[float, float, Any]:
    """CPU seconds (user + system of this process), wall seconds and the result of ``part()``."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = part()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def validate_all(files: Sequence[Path]) -> int:
    """Safe-parse and validate every file against its CEB schema; how many were valid."""
    limits = XmlLimits()
    schemas = {False: import_schema(require_signature=False), True: export_schema()}
    valid = 0
    for path in files:
        root = parse_xml(path.read_bytes(), limits)
        try:
            validate(root, schemas[is_export_message(str(root.tag).rpartition("}")[2])])
        except MessageRejected:  # a refusal costs about the same; counted, not raised
            continue
        valid += 1
    return valid


def decode_all(files: Sequence[Path]) -> int:
    """The decoding worker's work on every file, in its chunks; how many files were decoded."""
    limits = XmlLimits()
    paths = list(files)
    chunks = (paths[i : i + CHUNK_FILES] for i in range(0, len(paths), CHUNK_FILES))
    return sum(len(decode_chunk(chunk, False, limits)) for chunk in chunks)


def rewrite(cleared: Path, scratch: Path) -> tuple[float, float, dict[str, int]]:
    """Write every row of ``cleared``'s clearing tables into a fresh file under ``scratch``: CPU
    and wall seconds of the writes, and the rows per table."""
    source = sqlite3.connect(cleared)
    try:
        columns = {t: [r[1] for r in source.execute(f"PRAGMA table_info({t})")] for t in TABLES}
        rows = {t: source.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in TABLES}
    finally:
        source.close()
    target = scratch / "rewrite.db"
    make_engine(str(target)).dispose()  # the schema, 64 KiB pages, WAL
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(f"PRAGMA cache_size=-{clearing_cache_mb() * 1024}")
        for table in TABLES:  # a migration's own rows (none in these tables today) go first
            conn.execute(f"DELETE FROM {table}")
        groups = max(1, math.ceil(len(rows["document"]) / COMMIT_DOCUMENTS))
        sizes = {table: math.ceil(len(found) / groups) for table, found in rows.items()}
        statements = {
            t: f"INSERT INTO {t} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            for t, names in columns.items()
        }

        def write() -> None:
            for g in range(groups):
                conn.execute("BEGIN")
                for table, size in sizes.items():
                    part = rows[table][g * size : (g + 1) * size]
                    for i in range(0, len(part), BATCH_DOCUMENTS):
                        conn.executemany(statements[table], part[i : i + BATCH_DOCUMENTS])
                conn.execute("COMMIT")

        cpu, wall, _ = timed(write)
    finally:
        conn.close()
    return cpu, wall, {table: len(found) for table, found in rows.items()}


def cost_floor(files: Sequence[Path], cleared: Path, floor_s: float, cpus: int) -> dict[str, Any]:
    """The parts timed alone (``cost_floor_*``), and the CPU that ``TARGET_SHARE`` of a parse
    floor of ``floor_s`` seconds allows on ``cpus`` cores."""
    validation = timed(lambda: validate_all(files))
    decoding = timed(lambda: decode_all(files))
    with tempfile.TemporaryDirectory(prefix="opencbec-cost-floor-") as scratch:
        writes = rewrite(cleared, Path(scratch))
    budget = floor_s / TARGET_SHARE * cpus
    return {
        "cost_floor_xsd_cpu_s": round(validation[0], 2),
        "cost_floor_xsd_valid": validation[2],
        "cost_floor_decoding_cpu_s": round(decoding[0], 2),
        "cost_floor_writes_cpu_s": round(writes[0], 2),
        "cost_floor_writes_wall_s": round(writes[1], 2),
        "cost_floor_rows": writes[2],
        "cost_floor_cpus": cpus,
        "cost_floor_budget_cpu_s": round(budget, 2),
        "cost_floor_ratio_to_budget": round((decoding[0] + writes[0]) / budget, 2) if budget else None,
    }
