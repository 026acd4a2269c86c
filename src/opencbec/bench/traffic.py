"""Simulated traffic for the benchmark, generated once per size and seed and cached on disk."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from opencbec.service.batch_clear import input_files


@dataclass(frozen=True, slots=True)
class Traffic:
    """A directory of message files and what they hold."""

    directory: Path
    parcels: int
    messages: int
    documents: int
    files: tuple[Path, ...]


def cached_traffic(parcels: int, cache: Path, seed: int = 20240618) -> Traffic:
    """Traffic of ``parcels`` parcels (order, payment, waybill, list) over 3 days around 618."""
    directory = cache / f"traffic-{parcels}-{seed}"
    summary_file = directory / "ground-truth-summary.json"
    if not summary_file.exists():
        from opencbec.sim import simulate

        if directory.exists():
            import shutil

            shutil.rmtree(directory)
        simulate(parcels=parcels, start=date(2024, 6, 16), days=3, seed=seed, out=directory)
    summary = json.loads(summary_file.read_text())
    files = tuple(input_files([directory]))
    return Traffic(directory, parcels, len(files), int(summary["documents"]), files)
