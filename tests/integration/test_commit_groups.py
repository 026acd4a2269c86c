"""Clearing batches share a transaction until it holds ``commit_documents`` documents (``CommitGroups``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opencbec.clearing.config import ClearingConfig
from opencbec.cli import app
from opencbec.rules import shipped_rulebook
from opencbec.service.batch_clear import BatchClearer
from opencbec.store.sql import SqlClearingUnit, SqlStore, make_engine
from tests.integration.test_cbec_clear import write_parcel
from tests.parcels import buyer_id, make_parcel

CONFIG = ClearingConfig(inspection_rate=Decimal(0))
DOCUMENTS = "SELECT kind, key, status FROM document WHERE is_current ORDER BY kind, key"


class CountingStore(SqlStore):
    """Counts the transactions opened and the batches cleared in them."""

    def __init__(self, db: str) -> None:
        super().__init__(make_engine(db))
        self.transactions = 0
        self.batches = 0

    @contextmanager
    def clearing(self) -> Iterator[SqlClearingUnit]:
        self.transactions += 1
        with super().clearing() as unit:
            yield unit

    def load_state(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        self.batches += 1
        return super().load_state(*args, **kwargs)  # type: ignore[arg-type]


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "in"
    for i in range(6):  # 24 documents, four per parcel
        write_parcel(inbox, f"p{i}", make_parcel(prices=[Decimal("100")], buyer=buyer_id(30 + i)))
    return inbox


@pytest.mark.parametrize(("commit_documents", "transactions"), [(1, 7), (8, 4), (20_000, 1)])
def test_batches_share_a_transaction_until_it_holds_enough_documents(
    tmp_path: Path, commit_documents: int, transactions: int
) -> None:
    store = CountingStore(str(tmp_path / "cbec.db"))
    clearer = BatchClearer(
        store,
        shipped_rulebook(),
        CONFIG,
        tmp_path / "out",
        batch_documents=4,
        commit_documents=commit_documents,
    )
    summary = clearer.run([_inbox(tmp_path)])
    # six batches of four documents and the run's closing one (no documents: it settles the lists
    # whose wait ran out by the last time seen and stores the clock), whatever the grouping
    assert store.batches == 7
    assert store.transactions == transactions
    assert summary.outcomes["inventory:800"] == 6
    assert len(list((tmp_path / "out").glob("*.xml"))) == summary.receipts  # every receipt delivered


def test_cbec_clear_takes_a_commit_size(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path)
    runner = CliRunner()
    stored = []
    for size in ("1", "20000"):
        db = tmp_path / f"c{size}.db"
        args = ["clear", "--signatures", "skip", "--inspection-rate", "0", "--batch-size", "4"]
        result = runner.invoke(app, [*args, "--commit-size", size, "--db", str(db), str(inbox)])
        assert result.exit_code == 0, result.output
        with sqlite3.connect(db) as con:
            stored.append(con.execute(DOCUMENTS).fetchall())
    assert stored[0] == stored[1]
    assert len(stored[0]) == 24
    bad = runner.invoke(app, ["clear", "--commit-size", "0", str(inbox)])
    assert bad.exit_code != 0 and "commit-size" in bad.output
