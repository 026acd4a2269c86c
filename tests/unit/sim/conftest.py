"""One simulated traffic set shared by the simulator tests, decoded once."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from opencbec.domain.documents import Document
from opencbec.messages.decode import decode_message
from opencbec.sim import SimulationReport, TrafficMix, simulate

START = date(2024, 6, 12)
DAYS = 6
PARCELS = 2500
MIX = TrafficMix(file_replay=0.02)


@dataclass(slots=True)
class MessageFile:
    """One written message file, decoded."""

    path: Path
    data: bytes
    message_type: str
    documents: list[Document]


@dataclass(slots=True)
class Traffic:
    """The simulated output, decoded."""

    report: SimulationReport
    files: list[MessageFile]
    truth: list[dict[str, Any]]
    summary: dict[str, Any] = field(default_factory=dict)

    def truth_by_order(self) -> dict[str, dict[str, Any]]:
        """Ground-truth lines by ``ebpCode/orderNo``."""
        return {f"{g['ebpCode']}/{g['orderNo']}": g for g in self.truth}


def app_time(value: str) -> datetime:
    """Parse a CEB ``appTime`` (yyyymmddhhmmss)."""
    return datetime.strptime(value, "%Y%m%d%H%M%S")


def read_traffic(report: SimulationReport) -> Traffic:
    """Decode every message file of a simulation, in sorted path order."""
    files = []
    for path in sorted((report.out / "messages").rglob("*.xml")):
        data = path.read_bytes()
        decoded = decode_message(data, require_signature=False)
        files.append(MessageFile(path, data, decoded.envelope.message_type, decoded.documents))
    lines = report.ground_truth.read_text(encoding="utf-8").splitlines()
    summary = json.loads((report.out / "ground-truth-summary.json").read_text(encoding="utf-8"))
    return Traffic(report, files, [json.loads(line) for line in lines], summary)


@pytest.fixture(scope="session")
def traffic(tmp_path_factory: pytest.TempPathFactory) -> Traffic:
    """2,500 parcels over six days around 618, default anomalies, 2 % of files replayed."""
    out = tmp_path_factory.mktemp("sim") / "traffic"
    return read_traffic(simulate(PARCELS, START, DAYS, 20240618, out, mix=MIX))
