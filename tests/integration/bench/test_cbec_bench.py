"""``cbec bench`` runs end to end on a small traffic and writes the contracted JSON fields."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from opencbec.cli import app

CONTRACT = (
    "parse_floor_parcels_per_s",
    "batch_parcels_per_s",
    "batch_peak_rss_mb",
    "online_messages_per_s",
    "online_p99_ack_ms",
    "online_p99_release_ms",
)


def test_bench_writes_every_contracted_figure_and_the_markdown_table(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    table = tmp_path / "perf.md"
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "--parcels",
            "300",
            "--online-seconds",
            "4",
            "--work",
            str(tmp_path / "w"),
            "--json",
            str(out),
            "--markdown",
            str(table),
        ],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())
    for name in CONTRACT:
        assert name in figures, name
    assert figures["parse_floor_parcels_per_s"] > 0
    assert figures["batch_parcels_per_s"] > 0
    assert figures["batch_peak_rss_mb"] > 10
    assert figures["online_messages_per_s"] > 0
    # the paced run offers 80 % of what the closed-loop run got through, and does not exceed it
    assert figures["online_paced_rate"] == round(figures["online_messages_per_s"] * 0.8)
    assert 0 < figures["online_paced_messages_per_s"] <= figures["online_paced_rate"] * 1.05
    assert "offered at" in table.read_text()
    workers = figures["batch_workers"]
    processes = "1 process" if workers == 1 else f"{workers} processes"
    assert f"| batch `cbec clear --workers {workers}`, SQLite, {processes} |" in table.read_text()
