"""``scripts/batch_budget.py`` and ``bench.cost_floor``: what a batch run cannot do without, timed
alone (docs/performance.md)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from opencbec.bench.cost_floor import TABLES, cost_floor, rewrite
from opencbec.bench.traffic import Traffic, cached_traffic
from opencbec.service.batch_clear import input_files
from opencbec.store.engine import SQLITE_PAGE_SIZE

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "batch_budget.py"


def _cleared(tmp_path: Path, parcels: int) -> tuple[Traffic, Path]:
    """Simulated traffic of ``parcels`` parcels and the SQLite file ``cbec clear`` filled from it."""
    traffic = cached_traffic(parcels, tmp_path)
    db = tmp_path / "cleared.db"
    clear = [sys.executable, "-m", "opencbec", "clear", "--signatures", "skip", "--workers", "1"]
    subprocess.run(
        [*clear, "--db", str(db), str(traffic.directory)], check=True, capture_output=True, cwd=ROOT
    )
    return traffic, db


def test_the_cost_floor_decodes_every_file_and_rewrites_every_row_of_the_run(tmp_path: Path) -> None:
    traffic, db = _cleared(tmp_path, 40)
    with sqlite3.connect(db) as conn:
        stored = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    figures_file = tmp_path / "budget.json"
    budget_cmd = [sys.executable, str(SCRIPT), "--db", str(db), "--traffic", str(traffic.directory)]
    out = subprocess.run(
        [*budget_cmd, "--json", str(figures_file)], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    figures = json.loads(figures_file.read_text())
    assert json.loads(out) == figures
    assert figures["files"] == traffic.messages
    assert figures["cost_floor_xsd_valid"] == traffic.messages  # the simulator's files are all valid
    assert figures["cost_floor_rows"] == stored  # every row of every table the run wrote
    assert stored["document"] > 0 and stored["status_event"] > 0 and stored["outbox"] > 0
    assert figures["cost_floor_decoding_cpu_s"] > 0  # 40 parcels' writes may take under 5 ms
    cpus = os.cpu_count() or 1
    assert figures["cost_floor_cpus"] == cpus
    # 70 % of the floor: the floor's time / 0.7 of wall clock on every core
    expected = figures["parse_floor_seconds"] / 0.7 * cpus
    assert figures["cost_floor_budget_cpu_s"] == pytest.approx(expected, abs=0.02 * cpus)


def test_the_rewrite_writes_every_row_again_into_a_fresh_file_with_the_schema(tmp_path: Path) -> None:
    traffic, db = _cleared(tmp_path, 30)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    _cpu, _wall, counts = rewrite(db, scratch)
    budget = cost_floor(list(input_files([traffic.directory])), db, 7.0, 2)
    assert budget["cost_floor_budget_cpu_s"] == 20.0  # 7 s / 0.7 on 2 cores
    parts = budget["cost_floor_decoding_cpu_s"] + budget["cost_floor_writes_cpu_s"]
    assert budget["cost_floor_ratio_to_budget"] == pytest.approx(parts / 20.0, abs=0.006)  # rounded to 0.01
    with sqlite3.connect(db) as source, sqlite3.connect(scratch / "rewrite.db") as copy:
        for table in TABLES:
            rows = source.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            assert copy.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() == rows, table
            assert counts[table] == len(rows)
        # the fresh file has the schema's indexes, so the writes paid for them
        indexes = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"ix_document_kind_key", "ix_document_guid_hash", "ix_document_received"} <= indexes
        assert copy.execute("PRAGMA page_size").fetchone()[0] == SQLITE_PAGE_SIZE
