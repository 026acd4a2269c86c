"""``scripts/batch_budget.py`` times what a batch run cannot do without (docs/performance.md)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from opencbec.bench.traffic import cached_traffic

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "batch_budget.py"


def test_the_script_times_every_part_on_the_whole_traffic_and_rewrites_every_row(tmp_path: Path) -> None:
    traffic = cached_traffic(40, tmp_path)
    assert traffic.directory.name == "traffic-40-20240618"
    db = tmp_path / "cleared.db"
    clear = [sys.executable, "-m", "opencbec", "clear", "--signatures", "skip", "--workers", "1"]
    subprocess.run(
        [*clear, "--db", str(db), str(traffic.directory)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    with sqlite3.connect(db) as conn:
        stored = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("document", "outbox")}
    figures_file = tmp_path / "budget.json"
    budget_cmd = [sys.executable, str(SCRIPT), "--db", str(db), "--traffic", str(traffic.directory)]
    out = subprocess.run(
        [*budget_cmd, "--json", str(figures_file)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    figures = json.loads(figures_file.read_text())
    assert figures["parcels"] == 40  # from the cache's name
    assert figures["files"] == traffic.messages
    assert figures["safe_parse_and_xsd"]["valid"] == traffic.messages  # the simulator's files are valid
    assert figures["decoding_worker_work"]["files"] == traffic.messages
    rows = figures["writes_alone"]["rows"]
    assert rows["document"] == stored["document"] > 0
    assert rows["outbox"] == stored["outbox"] > 0
    budget = figures["budget_at_70_percent"]
    assert budget["wall_s"] == figures["parse_floor"]["wall_s"] / 0.7
    assert budget["cpu_s_on_2_cores"] == 2 * budget["wall_s"]
    parts = figures["decoding_worker_work"]["cpu_s"] + figures["writes_alone"]["cpu_s"]
    assert budget["decoding_and_writes_cpu_s"] == parts
    assert "writes_alone: " in out
