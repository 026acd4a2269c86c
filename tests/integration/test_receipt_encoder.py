"""The receipt encoding process of ``cbec clear --workers N``: answers in order and equal to encoding at
once, a failure raised with its traceback, its spool removed, its priority lowered; and the outbox of a
transaction group written in order just before it commits, or not at all when it rolls back."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import zstandard

from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.state import Effects
from opencbec.rules import shipped_rulebook
from opencbec.service.batch_clear import BatchClearer
from opencbec.service.commit_groups import CommitGroups
from opencbec.service.decode_pool import SPOOL_ENV
from opencbec.service.helper_process import HELPER_NICE, HELPER_NICE_ENV, helper_nice
from opencbec.service.outbox import encode_plan, plan_receipts, wire_plan
from opencbec.service.receipt_encoder import OutboxBehind, ReceiptEncoder, ReceiptEncoderError
from opencbec.store.repository import OutboxRow
from opencbec.store.sql import SqlStore, make_engine
from tests.integration.test_cbec_clear import write_parcel
from tests.parcels import Customs, buyer_id, make_parcel

CONFIG = ClearingConfig(inspection_rate=Decimal(0))


def _effects(parcels: int, seed: int = 0) -> Effects:
    customs = Customs()
    out = Effects()
    for i in range(parcels):
        effects = customs.send(*make_parcel(prices=[Decimal("99.90")], buyer=buyer_id(seed + i)).documents())
        out.receipts += effects.receipts
        out.tax_notes += effects.tax_notes
    return out


def _plain(data: bytes) -> bytes:
    return zstandard.ZstdDecompressor().decompress(data)


def test_answers_come_in_order_and_equal_encoding_at_once(tmp_path: Path) -> None:
    first, second = plan_receipts(_effects(3)), plan_receipts(_effects(2, seed=10))
    encoder = ReceiptEncoder(spool_root=str(tmp_path))
    try:
        a = encoder.submit([wire_plan(p) for p in first])
        b = encoder.submit([wire_plan(p) for p in second])
        assert (a, b) == (0, 1)
        with pytest.raises(IndexError, match="not the next"):
            encoder.take(1)
        assert [_plain(x) for x in encoder.take(0)] == [encode_plan(p) for p in first]
        assert [_plain(x) for x in encoder.take(1)] == [encode_plan(p) for p in second]
        spool = encoder.spool
        assert spool.is_dir() and not any(spool.iterdir())  # every task and answer file taken
    finally:
        encoder.close()
    assert not spool.exists()
    assert not encoder.process.is_alive()


def test_a_failure_in_the_encoder_is_raised_with_its_traceback(tmp_path: Path) -> None:
    encoder = ReceiptEncoder(spool_root=str(tmp_path))
    try:
        encoder.submit([("CEB999Message", "G", b"[]")])
        with pytest.raises(KeyError) as raised:
            encoder.take(0)
        assert "receipt encoder failed on task 0" in str(raised.value.__cause__)
        assert "encode_wire" in str(raised.value.__cause__)  # the encoder's own traceback
    finally:
        encoder.close()
    assert not list(tmp_path.iterdir())


def test_an_encoder_that_dies_stops_the_run_naming_it(tmp_path: Path) -> None:
    encoder = ReceiptEncoder(spool_root=str(tmp_path))
    try:
        assert encoder.process.pid is not None
        os.kill(encoder.process.pid, signal.SIGKILL)
        encoder.process.join(10)
        with pytest.raises(
            ReceiptEncoderError, match=rf"pid {encoder.process.pid}\) ended with exit code -9"
        ):
            encoder.submit([wire_plan(p) for p in plan_receipts(_effects(1))])  # its pipe is broken
    finally:
        encoder.close()
    assert not list(tmp_path.iterdir())


def test_an_encoder_whose_clearing_process_is_gone_removes_its_spool_and_ends(tmp_path: Path) -> None:
    """The task pipe closed without the word to stop, as a killed clearing process leaves it."""
    encoder = ReceiptEncoder(spool_root=str(tmp_path))
    encoder._tasks.close()
    encoder.process.join(30)
    assert encoder.process.exitcode == 1
    assert not encoder.spool.exists()
    encoder._answers.close()


def test_the_encoder_runs_at_the_helpers_lower_priority(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HELPER_NICE_ENV, "3")
    encoder = ReceiptEncoder(spool_root=str(tmp_path))
    try:
        encoder.submit([])
        encoder.take(0)  # the process has started and lowered its priority before its first task
        assert encoder.process.pid is not None
        own = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, encoder.process.pid) == min(own + 3, 19)
    finally:
        encoder.close()


def test_the_helpers_priority_setting_is_checked() -> None:
    assert helper_nice({}) == HELPER_NICE == 10
    assert helper_nice({HELPER_NICE_ENV: "0"}) == 0
    assert helper_nice({HELPER_NICE_ENV: " 19 "}) == 19
    for bad in ("20", "-1", "ten"):
        with pytest.raises(ValueError, match=HELPER_NICE_ENV):
            helper_nice({HELPER_NICE_ENV: bad})


def _outbox(db: Path) -> list[tuple[int, str, str, bytes]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, message_type, guid, xml FROM outbox ORDER BY id").fetchall()
    return [(i, t, g, _plain(x)) for i, t, g, x in rows]


def test_a_groups_outbox_is_written_in_order_when_it_commits_and_not_at_all_when_it_rolls_back(
    tmp_path: Path,
) -> None:
    db = tmp_path / "c.db"
    store = SqlStore(make_engine(str(db)))
    encoder = ReceiptEncoder(spool_root=str(tmp_path))
    behind = OutboxBehind(encoder)
    groups = CommitGroups(
        store, 10**9, lambda: None, before_commit=behind.before_commit, on_abandon=behind.abandon
    )
    ready = OutboxRow("CEB900Message", "X", "READY-1", b"<ready/>")
    try:
        # a group of two batches: a ready row between the two batches' encoded receipts
        unit = behind.hold(groups.unit())
        first = behind.receipts(_effects(2))
        unit.apply(Effects(), first, {}, None)
        unit.apply(Effects(), [ready], {}, None)
        second = behind.receipts(_effects(1, seed=5))
        unit.apply(Effects(), second, {}, None)
        assert all(row.xml == b"" for row in first + second)  # the bytes come at commit
        groups.cleared(10, last=True)
        groups.close()
        written = _outbox(db)
        assert [(t, g) for _i, t, g, _x in written] == [
            (r.message_type, r.guid) for r in [*first, ready, *second]
        ]
        assert [i for i, *_rest in written] == list(range(1, len(written) + 1))
        assert written[len(first)][3] == b"<ready/>"
        assert all(x.startswith(b"<?xml") and g.encode() in x for _i, _t, g, x in written if g != "READY-1")

        # a group rolled back: none of its rows, and the next group starts afresh
        groups = CommitGroups(
            store, 10**9, lambda: None, before_commit=behind.before_commit, on_abandon=behind.abandon
        )
        unit = behind.hold(groups.unit())
        unit.apply(Effects(), behind.receipts(_effects(1, seed=7)), {}, None)
        groups.abandon(RuntimeError("a batch failed"))
        assert len(_outbox(db)) == len(written)
        unit = behind.hold(groups.unit())
        later = behind.receipts(_effects(1, seed=9))
        unit.apply(Effects(), later, {}, None)
        groups.cleared(4, last=True)
        groups.close()
        assert [g for _i, _t, g, _x in _outbox(db)][len(written) :] == [r.guid for r in later]
    finally:
        encoder.close()


class FailingStore(SqlStore):
    """Fails reading the state of the ``fail_at``-th batch (a clearing error in the middle of a run)."""

    def __init__(self, db: str, fail_at: int) -> None:
        super().__init__(make_engine(db))
        self.fail_at = fail_at
        self.batches = 0

    def load_state(self, *args: Any, **kwargs: Any) -> Any:
        self.batches += 1
        if self.batches == self.fail_at:
            raise RuntimeError("the disk is full")
        return super().load_state(*args, **kwargs)


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "in"
    for i in range(6):
        write_parcel(inbox, f"p{i}", make_parcel(prices=[Decimal("100")], buyer=buyer_id(60 + i)))
    return inbox


@pytest.mark.parametrize("fail_at", [None, 4])
def test_a_run_with_workers_encodes_its_receipts_and_leaves_no_process_or_spool_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int | None
) -> None:
    spool_root = tmp_path / "spool"
    spool_root.mkdir()
    monkeypatch.setenv(SPOOL_ENV, str(spool_root))
    db = str(tmp_path / "c.db")
    store = FailingStore(db, fail_at) if fail_at else SqlStore(make_engine(db))
    clearer = BatchClearer(
        store, shipped_rulebook(), CONFIG, tmp_path / "out", batch_documents=4, commit_documents=8, workers=2
    )
    if fail_at is None:
        summary = clearer.run([_inbox(tmp_path)])
        assert summary.outcomes["inventory:800"] == 6
        files = sorted((tmp_path / "out").glob("*.xml"))
        assert len(files) == summary.receipts == len(_outbox(Path(db)))
        for (_i, message_type, guid, xml), path in zip(_outbox(Path(db)), files, strict=True):
            assert path.read_bytes() == xml and message_type in path.name and guid in path.name
    else:
        with pytest.raises(RuntimeError, match="the disk is full"):
            clearer.run([_inbox(tmp_path)])
        # the first group (two batches of four documents) is there with all its receipts, delivered;
        # nothing of the second, which failed in its second batch
        committed = _outbox(Path(db))
        assert committed and len(list((tmp_path / "out").glob("*.xml"))) == len(committed)
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM document").fetchone() == (8,)
            stored = {row[0] for row in conn.execute("SELECT guid FROM document")}
        assert all(any(g.encode() in x for g in stored) for _i, t, _g, x in committed if t != "CEB816Message")
    assert not list(spool_root.iterdir())
    assert not multiprocessing.active_children()
