"""The same seed writes the same bytes; another seed writes other traffic."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from opencbec.sim import TrafficMix, simulate


def _snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_the_same_seed_writes_byte_identical_output(tmp_path: Path) -> None:
    first = simulate(300, date(2024, 11, 10), 3, 42, tmp_path / "a")
    second = simulate(300, date(2024, 11, 10), 3, 42, tmp_path / "b")
    assert first.summary == second.summary
    assert _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")


def test_another_seed_writes_other_traffic(tmp_path: Path) -> None:
    simulate(100, date(2024, 11, 10), 2, 1, tmp_path / "a")
    simulate(100, date(2024, 11, 10), 2, 2, tmp_path / "b")
    a, b = _snapshot(tmp_path / "a"), _snapshot(tmp_path / "b")
    assert a["ground-truth.jsonl"] != b["ground-truth.jsonl"]


def test_a_non_empty_output_directory_is_refused(tmp_path: Path) -> None:
    simulate(10, date(2024, 3, 1), 1, 1, tmp_path)
    with pytest.raises(FileExistsError):
        simulate(10, date(2024, 3, 1), 1, 1, tmp_path)


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="days"):
        simulate(10, date(2024, 3, 1), 0, 1, tmp_path)
    with pytest.raises(ValueError, match="partner_wait_hours"):
        simulate(10, date(2024, 3, 1), 1, 1, tmp_path, partner_wait_hours=2)
    with pytest.raises(LookupError):
        simulate(10, date(2015, 3, 1), 1, 1, tmp_path)  # before the CBEC regime


def test_traffic_before_2019_uses_the_old_limits_and_clean_mix_has_no_refusals(
    tmp_path: Path,
) -> None:
    report = simulate(400, date(2018, 11, 9), 4, 3, tmp_path, mix=TrafficMix.clean())
    lists = report.summary["lists"]["byStatus"]
    assert set(lists) <= {"500", "800"}
    assert report.summary["payments"]["byStatus"] == {"120": 400}


def test_zero_parcels_write_an_empty_truth(tmp_path: Path) -> None:
    report = simulate(0, date(2024, 3, 1), 2, 1, tmp_path)
    assert report.parcels == 0 and report.message_files == 0
    assert report.ground_truth.read_text(encoding="utf-8") == ""
