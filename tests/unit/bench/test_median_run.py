"""The benchmark's batch row is the median of its runs, the table shows every run, and the processor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from opencbec.bench.run import cpu_model, markdown, median_run


def _run(seconds: float, rss: float) -> dict[str, Any]:
    return {
        "batch_seconds": seconds,
        "batch_parcels_per_s": round(1000 / seconds, 1),
        "batch_messages_per_s": round(4000 / seconds, 1),
        "batch_peak_rss_mb": rss,
        "batch_ratio_to_parse_floor": round(10 / seconds, 3),
        "batch_summary": f"run of {seconds} s",
    }


def test_the_median_run_is_reported_whole_with_every_run_kept_in_order() -> None:
    runs = [_run(37.4, 290.0), _run(33.1, 291.5), _run(34.4, 289.0)]
    chosen = median_run(runs, "batch")
    assert chosen["batch_seconds"] == 34.4
    # every figure of the row comes from that one run, not mixed from several
    assert chosen["batch_parcels_per_s"] == round(1000 / 34.4, 1)
    assert chosen["batch_peak_rss_mb"] == 289.0
    assert chosen["batch_summary"] == "run of 34.4 s"
    assert chosen["batch_runs"] == [
        {"seconds": 37.4, "peak_rss_mb": 290.0, "summary": "run of 37.4 s", "cpu_s": {}},
        {"seconds": 33.1, "peak_rss_mb": 291.5, "summary": "run of 33.1 s", "cpu_s": {}},
        {"seconds": 34.4, "peak_rss_mb": 289.0, "summary": "run of 34.4 s", "cpu_s": {}},
    ]


def test_of_an_even_number_of_runs_the_slower_middle_one_is_reported() -> None:
    assert median_run([_run(30.0, 1), _run(40.0, 1)], "batch")["batch_seconds"] == 40.0
    assert median_run([_run(35.0, 1)], "batch")["batch_seconds"] == 35.0


def test_no_runs_is_an_error() -> None:
    with pytest.raises(ValueError, match="no runs"):
        median_run([], "batch")


def test_the_table_row_names_every_run_only_when_there_were_several() -> None:
    base = {
        "date": "2026-11-30",
        "parcels": 1000,
        "messages": 4000,
        "documents": 4000,
        "cpus": 2,
        "machine": "Linux x86_64",
        "python": "3.11.7",
        "parse_floor_parcels_per_s": 20000.0,
        "parse_floor_messages_per_s": 80000.0,
        "batch_workers": 2,
    }
    several = markdown(
        {**base, **median_run([_run(37.4, 290.0), _run(33.1, 291.5), _run(34.4, 289.0)], "batch")}
    )
    row = next(line for line in several.splitlines() if line.startswith("| batch"))
    assert "the median of 3 runs (37.4, 33.1, 34.4 s)" in row
    assert "29.1 parcels/s" in row
    one = markdown({**base, **median_run([_run(34.4, 289.0)], "batch")})
    assert "median" not in one
    assert "2 CPUs, Linux x86_64" in one  # a table from before the processor was recorded
    named = markdown(
        {**base, "cpu_model": "AMD EPYC at 2,596 MHz", **median_run([_run(34.4, 289.0)], "batch")}
    )
    assert "2 CPUs (AMD EPYC at 2,596 MHz), Linux x86_64, Python 3.11.7." in named


def test_the_processor_is_read_from_cpuinfo(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2596.128\n\n"
        "processor\t: 1\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2400.000\n"
    )
    assert cpu_model(cpuinfo) == "AMD EPYC at 2,596 MHz"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Some CPU\n")
    assert cpu_model(cpuinfo) == "Some CPU"
    cpuinfo.write_text("model name\t: Some CPU\ncpu MHz\t\t: unknown\n")
    assert cpu_model(cpuinfo) == "Some CPU"
