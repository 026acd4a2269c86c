"""A batch of ``cbec clear`` closes at its weight: an import list counts for its three partners too.

Lists come hours after their orders, so a stretch of input can be mostly lists, and each list loads
its order, payment and waybill from the store. Bounding the batch by weight keeps the clearing
process's memory flat; where batches close must not change any outcome.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.state import Incoming
from opencbec.cli import app
from opencbec.domain.documents import Inventory
from opencbec.rules import shipped_rulebook
from opencbec.service import batch_clear
from opencbec.service.batch_clear import LIST_WEIGHT, BatchClearer
from opencbec.service.core import clear_in_unit
from opencbec.store.sql import SqlStore, make_engine
from tests.integration.test_cbec_clear import write
from tests.parcels import buyer_id, make_parcel

CONFIG = ClearingConfig(inspection_rate=Decimal(0))
PARCELS = 30
DOCUMENTS = "SELECT kind, key, status, info, is_current, pre_no, invt_no FROM document"
LISTS = "SELECT key, status, info FROM document WHERE kind = 'inventory'"


def lists_after_partners(inbox: Path) -> None:
    """Every order, payment and waybill first (one message each), then every list."""
    start = datetime(2024, 6, 1, 9)
    parcels = [
        make_parcel(prices=[Decimal("3000")], buyer=buyer_id(40 + n % 3), at=start + timedelta(minutes=n))
        for n in range(PARCELS)
    ]
    for n, parcel in enumerate(parcels):
        write(inbox / "a", f"{n:03d}_order.xml", parcel.order)
        write(inbox / "a", f"{n:03d}_payment.xml", parcel.payment)
        write(inbox / "a", f"{n:03d}_waybill.xml", parcel.waybill)
        write(inbox / "b", f"{n:03d}_list.xml", parcel.inventory)


Outcome = list[tuple[object, ...]]
Batches = list[tuple[int, int]]


def clear(
    tmp_path: Path, name: str, inbox: Path, weight: int | None, monkeypatch: pytest.MonkeyPatch
) -> tuple[Batches, Outcome]:
    """Clear ``inbox`` in batches of at most 100 documents (and ``weight``); each batch's documents and
    import lists, and the outcome."""
    batches: Batches = []

    def recording(unit: Any, batch: list[Incoming], messages: list[Any], *rest: Any) -> Any:
        if batch or messages:
            batches.append((len(batch), sum(isinstance(i.document, Inventory) for i in batch)))
        return clear_in_unit(unit, batch, messages, *rest)

    monkeypatch.setattr(batch_clear, "clear_in_unit", recording)
    db = tmp_path / f"{name}.db"
    store = SqlStore(make_engine(str(db)))
    BatchClearer(
        store, shipped_rulebook(), CONFIG, tmp_path / name, batch_documents=100, batch_weight=weight
    ).run([inbox])
    with sqlite3.connect(db) as con:
        rows: Outcome = sorted(con.execute(DOCUMENTS))
        rows += sorted(con.execute("SELECT buyer_id, year, sum(amount_fen) FROM ledger_entry GROUP BY 1, 2"))
    return batches, rows


def test_a_batch_closes_at_its_weight_and_outcomes_do_not_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lists_after_partners(tmp_path / "in")
    by_count, counted = clear(tmp_path, "count", tmp_path / "in", None, monkeypatch)
    by_weight, weighed = clear(tmp_path, "weight", tmp_path / "in", 40, monkeypatch)

    assert by_count == [(100, 10), (20, 20)]  # documents alone: 90 partners and 10 lists, then 20 lists
    # 40 partners; 40 more; 10 partners and 8 lists (10 + 8 x 4 = 42); then 10, 10 and the last 2 lists
    assert by_weight == [(40, 0), (40, 0), (18, 8), (10, 10), (10, 10), (2, 2)]
    for documents, lists in by_weight[:-1]:
        assert 40 <= documents + lists * (LIST_WEIGHT - 1) < 40 + LIST_WEIGHT
    assert weighed == counted
    statuses = [row[2] for row in counted if row[0] == "inventory"]
    assert statuses.count("800") > 0 and statuses.count("100") > 0  # released lists and over-limit refusals


def test_cbec_clear_takes_a_batch_weight(tmp_path: Path) -> None:
    lists_after_partners(tmp_path / "in")
    runner = CliRunner()
    statuses = []
    for weight in ("8000", "1"):
        db = tmp_path / f"w{weight}.db"
        args = ["clear", "--signatures", "skip", "--inspection-rate", "0", "--batch-weight", weight]
        result = runner.invoke(app, [*args, "--db", str(db), str(tmp_path / "in")])
        assert result.exit_code == 0, result.output
        with sqlite3.connect(db) as con:
            statuses.append(sorted(con.execute(LISTS)))
    assert statuses[0] == statuses[1]
    assert len(statuses[0]) == PARCELS
    bad = runner.invoke(app, ["clear", "--batch-weight", "0", str(tmp_path / "in")])
    assert bad.exit_code != 0 and "batch-weight" in bad.output
