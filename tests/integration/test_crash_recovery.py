"""A crash mid-run loses nothing that was acknowledged, and a rerun counts nothing twice."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import Connection

from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.state import Effects
from opencbec.rules import shipped_rulebook
from opencbec.service.batch_clear import BatchClearer
from opencbec.store.repository import OutboxRow
from opencbec.store.sql import SqlClearingUnit, SqlStore, make_engine
from tests.integration.test_cbec_clear import write_parcel
from tests.parcels import buyer_id, make_parcel

CONFIG = ClearingConfig(inspection_rate=Decimal(0))


class CrashingStore(SqlStore):
    """Fails while applying the n-th batch, like a process killed mid-transaction."""

    def __init__(self, db: str, crash_on: int) -> None:
        super().__init__(make_engine(db))
        self.calls = 0
        self.crash_on = crash_on

    def apply(
        self,
        conn: Connection,
        effects: Effects,
        outbox: Sequence[OutboxRow],
        counters: dict[str, int],
        watermark: datetime | None,
    ) -> None:
        if watermark is not None:  # a batch's last write (its parts' effects go first, watermark None)
            self.calls += 1
            if self.calls == self.crash_on:
                raise RuntimeError("simulated crash")
        super().apply(conn, effects, outbox, counters, watermark)


def _six_parcels_of_one_buyer(tmp_path: Path, n: int) -> tuple[Path, str]:
    """Six parcels of 4,990 yuan for one buyer: the sixth exceeds the 26,000 yuan annual limit."""
    inbox = tmp_path / "in"
    buyer = buyer_id(n)
    for i in range(6):
        write_parcel(inbox, f"p{i}", make_parcel(prices=[Decimal("4990")], buyer=buyer))
    return inbox, buyer


def test_a_crash_mid_run_then_a_rerun_gives_the_same_outcome_once(tmp_path: Path) -> None:
    inbox, buyer = _six_parcels_of_one_buyer(tmp_path, 11)
    db = str(tmp_path / "cbec.db")
    crashing = CrashingStore(db, crash_on=3)
    clearer = BatchClearer(
        crashing, shipped_rulebook(), CONFIG, tmp_path / "out", batch_documents=4, commit_documents=1
    )  # each batch committed on its own
    with pytest.raises(RuntimeError):
        clearer.run([inbox])
    delivered_before = sorted(p.name for p in (tmp_path / "out").glob("*.xml"))
    assert delivered_before  # the two committed batches were acknowledged
    store = SqlStore(make_engine(db))
    summary = BatchClearer(store, shipped_rulebook(), CONFIG, tmp_path / "out", batch_documents=4).run(
        [inbox]
    )
    assert summary.replays == 8  # the two committed batches are recognised, not counted again
    counts = store.status_counts()
    assert counts["inventory:800"] == 5
    assert counts["inventory:100"] == 1
    assert sum(line.amount_fen for line in store.ledger(buyer, 2024)) == 25_000_00
    assert set(delivered_before) <= {p.name for p in (tmp_path / "out").glob("*.xml")}


class FailingCommitStore(SqlStore):
    """The n-th batch's commit fails after all its writes (a full disk, a lost connection)."""

    def __init__(self, db: str, fail_on: int) -> None:
        super().__init__(make_engine(db))
        self.begun = 0
        self.commits = 0
        self.fail_on = fail_on

    @contextmanager
    def clearing(self) -> Iterator[SqlClearingUnit]:
        self.begun += 1
        with super().clearing() as unit:
            yield unit
            self.commits += 1
            if self.commits == self.fail_on:
                raise OSError("simulated commit failure")


def test_a_failed_commit_stops_the_run_and_loses_nothing(tmp_path: Path) -> None:
    """Commits run behind the next batch's gathering: a failed one still stops the run before the
    next batch touches the store, its batch is rolled back, and a rerun clears everything once."""
    inbox, buyer = _six_parcels_of_one_buyer(tmp_path, 13)
    db = str(tmp_path / "cbec.db")
    failing = FailingCommitStore(db, fail_on=2)
    clearer = BatchClearer(
        failing, shipped_rulebook(), CONFIG, tmp_path / "out", batch_documents=4, commit_documents=1
    )
    with pytest.raises(OSError, match="simulated commit failure"):
        clearer.run([inbox])
    assert (failing.begun, failing.commits) == (2, 2)  # no batch was begun after the failed commit
    store = SqlStore(make_engine(db))
    assert sum(store.status_counts().values()) == 4  # the first batch only
    summary = BatchClearer(store, shipped_rulebook(), CONFIG, tmp_path / "out", batch_documents=4).run(
        [inbox]
    )
    assert summary.replays == 4
    counts = store.status_counts()
    assert counts["inventory:800"] == 5
    assert counts["inventory:100"] == 1
    assert sum(line.amount_fen for line in store.ledger(buyer, 2024)) == 25_000_00


def test_a_crash_rolls_back_the_batches_not_yet_committed_and_acknowledges_none(tmp_path: Path) -> None:
    """Batches share a transaction until it holds ``commit_documents`` documents: a crash in the third
    batch rolls back the first two as well, and none of their receipts went out."""
    inbox, buyer = _six_parcels_of_one_buyer(tmp_path, 14)
    db = str(tmp_path / "cbec.db")
    crashing = CrashingStore(db, crash_on=3)
    with pytest.raises(RuntimeError):
        BatchClearer(crashing, shipped_rulebook(), CONFIG, tmp_path / "out", batch_documents=4).run([inbox])
    assert not list((tmp_path / "out").glob("*.xml"))
    store = SqlStore(make_engine(db))
    assert store.status_counts() == {}
    summary = BatchClearer(store, shipped_rulebook(), CONFIG, tmp_path / "out", batch_documents=4).run(
        [inbox]
    )
    assert summary.replays == 0
    assert store.status_counts()["inventory:800"] == 5
    assert sum(line.amount_fen for line in store.ledger(buyer, 2024)) == 25_000_00


def test_receipts_stored_but_not_written_are_delivered_by_the_next_run(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    write_parcel(inbox, "p", make_parcel(buyer=buyer_id(12)))
    store = SqlStore(make_engine(str(tmp_path / "cbec.db")))
    BatchClearer(store, shipped_rulebook(), CONFIG, None).run([inbox])  # no outbox directory
    assert len(store.pending_outbox()) == 5
    empty = tmp_path / "empty"
    empty.mkdir()
    BatchClearer(store, shipped_rulebook(), CONFIG, tmp_path / "out").run([empty])
    assert store.pending_outbox() == []
    assert len(list((tmp_path / "out").glob("*.xml"))) == 5
