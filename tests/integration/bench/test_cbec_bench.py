"""``cbec bench`` runs end to end on a small traffic and writes the contracted JSON fields."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
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
            "--target-rate",
            "150",
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
    # the floor is the fastest of three passes over the traffic, and the JSON keeps every pass
    assert len(figures["parse_floor_passes"]) == 3
    assert figures["parse_floor_seconds"] == min(figures["parse_floor_passes"])
    assert figures["batch_parcels_per_s"] > 0
    assert figures["batch_peak_rss_mb"] > 10
    assert figures["online_messages_per_s"] > 0
    # the paced run offers 80 % of what the closed-loop run got through, and does not exceed it
    assert figures["online_paced_rate"] == round(figures["online_messages_per_s"] * 0.8)
    assert 0 < figures["online_paced_messages_per_s"] <= figures["online_paced_rate"] * 1.05
    assert "over 64 connections" in table.read_text()
    # then issue #6's target rate, paced whatever the closed loop got (here 150/s for the small traffic)
    assert figures["online_target_rate"] == 150
    assert 0 < figures["online_target_messages_per_s"] <= 150 * 1.05
    assert figures["online_target_p99_ack_ms"] > 0
    assert "offered at the target's 150 messages/s over 64 connections" in table.read_text()
    # the closed loop over 32 connections, and over the earlier tables' 16 for comparison
    assert figures["online_connections"] == 32
    assert figures["online_compare_connections"] == 16
    assert figures["online_compare_messages_per_s"] > 0
    assert "as fast as 32 connections are answered" in table.read_text()
    assert "as fast as 16 connections are answered" in table.read_text()
    workers = figures["batch_workers"]
    processes = "1 process" if workers == 1 else f"{workers} processes"
    assert f"| batch `cbec clear --workers {workers}`, SQLite, {processes} |" in table.read_text()
    # the SQLite file a run left (its size on disk: the messages, documents and receipts kept)
    assert figures["batch_db_mb"] > 0.5
    assert figures["batch_db_kb_per_parcel"] == pytest.approx(figures["batch_db_mb"] * 1000 / 300, rel=0.01)
    assert f"database {figures['batch_db_mb']:,} MB ({figures['batch_db_kb_per_parcel']} KB a parcel)" in (
        table.read_text()
    )
    # the clearing process's CPU (start-up alone is more than 0.3 s), sampled from /proc, in the row
    own = figures["batch_cpu_s"]["command"]
    assert own["user"] + own["system"] > 0.3
    assert f"CPU: clearing process {own['user'] + own['system']:.1f} s" in table.read_text()


def test_bench_repeats_the_batch_row_and_reports_the_median_run(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    table = tmp_path / "perf.md"
    args = ["bench", "--parcels", "200", "--batch-runs", "3", "--no-single-process"]
    args += ["--work", str(tmp_path / "w"), "--json", str(out), "--markdown", str(table)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())
    runs = figures["batch_runs"]
    assert len(runs) == 3
    assert all(run["seconds"] > 0 and run["peak_rss_mb"] > 10 for run in runs)
    # the row's figures are those of the median run, which cleared the whole traffic into a fresh file
    assert figures["batch_seconds"] == sorted(run["seconds"] for run in runs)[1]
    assert figures["batch_parcels_per_s"] == pytest.approx(200 / figures["batch_seconds"], rel=0.01)
    assert figures["batch_summary"].startswith(f"{figures['messages']} messages (0 refused")
    assert f"{figures['documents']} documents" in figures["batch_summary"]
    # each run cleared into a fresh file: the same outcome every time, not a replay of the one before
    outcomes = {run["summary"].split("; ")[1] for run in runs}
    assert outcomes == {figures["batch_summary"].split("; ")[1]}
    assert "batch_1p_seconds" not in figures
    assert "the median of 3 runs" in table.read_text()
    # the cost floor: every file decoded alone, every row of the last run written again alone
    assert figures["cost_floor_xsd_valid"] == figures["messages"]
    assert figures["cost_floor_rows"]["document"] == figures["documents"] - _replays(figures["batch_summary"])
    decoding, writes = figures["cost_floor_decoding_cpu_s"], figures["cost_floor_writes_cpu_s"]
    assert decoding > 0 and writes >= 0  # 200 parcels' writes may take under 5 ms
    assert (
        f"| cost floor (1 process): the decoding worker's work and the batch run's writes, each alone | "
        f"{decoding + writes:.1f} s of CPU |" in table.read_text()
    )
    assert f"70% of the parse floor allows {figures['cost_floor_budget_cpu_s']} s of CPU" in table.read_text()


def _replays(summary: str) -> int:
    """The replays a run's summary line counts (``..., N replays; ...``): stored once, not again."""
    return int(summary.split(" replays;")[0].rpartition(" ")[2])


def test_the_commands_defaults_are_the_benchmarks_connection_counts() -> None:
    from opencbec.bench.run import CLOSED_LOOP_CONNECTIONS, EARLIER_CONNECTIONS
    from opencbec.cli import bench_command

    parameters = inspect.signature(bench_command).parameters
    assert parameters["online_connections"].default == CLOSED_LOOP_CONNECTIONS
    assert parameters["compare_connections"].default == EARLIER_CONNECTIONS
