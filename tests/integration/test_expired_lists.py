"""Lists whose partners never came are settled in bounded groups ahead of the batch that passes their
deadline, with the outcome of clearing them in that batch (and of one document at a time).

When the event clock jumps (a quiet night, the end of a run), thousands of lists can pass their
24-hour wait at once. ``clear_in_unit`` settles them ``EXPIRED_GROUP`` at a time before the batch,
so they and their partners are not all held with the batch's own state. A list that the batch
concerns (here: its waybill arrives in that batch, before the deadline) is left to the batch. A batch
that concerns more than ``EXPIRED_GROUP`` expired lists (their late partners) is cleared in parts.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.state import StateView
from opencbec.rules import shipped_rulebook
from opencbec.service import core
from opencbec.service.batch_clear import BatchClearer
from opencbec.store.codec import plain
from opencbec.store.sql import SqlStore, make_engine
from tests.integration.test_cbec_clear import write
from tests.integration.test_reference_clear import _ENTRY
from tests.parcels import buyer_id, make_parcel, with_head

CONFIG = ClearingConfig(inspection_rate=Decimal(0))
START = datetime(2024, 6, 1, 9)
STRANDED = 10  # lists whose waybill never comes
EARLY_DOCUMENTS = (
    STRANDED + 1
) * 3  # their orders, payments and lists, and those of the late waybill's parcel
DOCUMENTS = "SELECT kind, key, status, info, is_current, pre_no, invt_no, decided_at FROM document"


def traffic(inbox: Path) -> tuple[list[str], str]:
    """Early: orders, payments and lists of 11 parcels, 10 of them never get a waybill. Late (the next
    day): the 11th parcel's waybill 23 hours after its list, then a whole parcel 25 hours after,
    which passes every early list's deadline. Returns the stranded lists' keys and the 11th's."""
    parcels = [
        make_parcel(prices=[Decimal("100")], buyer=buyer_id(60 + n), at=START + timedelta(minutes=n))
        for n in range(STRANDED + 1)
    ]
    for n, parcel in enumerate(parcels):
        write(inbox / "a", f"{n:03d}_1_order.xml", parcel.order)
        write(inbox / "a", f"{n:03d}_2_payment.xml", parcel.payment)
        write(inbox / "a", f"{n:03d}_3_list.xml", parcel.inventory)
    late = parcels[-1]
    wait_over = (late.inventory.head.app_time, START + timedelta(minutes=STRANDED, hours=23))
    write(
        inbox / "b", "0_waybill.xml", with_head(late.waybill, app_time=wait_over[1].strftime("%Y%m%d%H%M%S"))
    )
    jump = make_parcel(prices=[Decimal("100")], buyer=buyer_id(90), at=START + timedelta(hours=25))
    for i, doc in enumerate(jump.documents()):
        write(inbox / "c", f"{i}_{doc.kind.value}.xml", doc)
    return [p.inventory.key for p in parcels[:-1]], late.inventory.key


Run = tuple[list[int], list[tuple[Any, ...]], list[tuple[Any, ...]], list[int]]


def clear(tmp_path: Path, name: str, batch: int, group: int, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Clear the traffic in batches of ``batch`` documents, settling expired lists ``group`` at a
    time; the size of every group loaded, the documents, the receipts (type, guid, status, info)
    and the number of expired lists in every batch's own state read."""
    groups: list[int] = []
    batch_due: list[int] = []
    load_expired, load_state = SqlStore.load_expired, SqlStore.load_state

    def recording(self: SqlStore, *args: Any) -> StateView:
        state = load_expired(self, *args)
        groups.append(len(state.due_lists))
        return state

    def recording_state(self: SqlStore, *args: Any, **kwargs: Any) -> StateView:
        state = load_state(self, *args, **kwargs)
        batch_due.append(len(state.due_lists))
        return state

    db = tmp_path / f"{name}.db"
    with monkeypatch.context() as patched:
        patched.setattr(SqlStore, "load_expired", recording)
        patched.setattr(SqlStore, "load_state", recording_state)
        patched.setattr(core, "EXPIRED_GROUP", group)
        BatchClearer(
            SqlStore(make_engine(str(db))), shipped_rulebook(), CONFIG, tmp_path / name, batch_documents=batch
        ).run([tmp_path / "in"])
    with sqlite3.connect(db) as con:
        documents = sorted(con.execute(DOCUMENTS), key=repr)
        receipts = sorted(
            (message_type, *entry)
            for message_type, xml, codec in con.execute("SELECT message_type, xml, xml_codec FROM outbox")
            for entry in _ENTRY.findall(plain(xml, codec))
        )
    return groups, documents, receipts, batch_due


def test_expired_lists_are_settled_in_groups_with_the_batchs_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stranded, late = traffic(tmp_path / "in")
    one_by_one = clear(tmp_path, "one", 1, 500, monkeypatch)
    in_groups = clear(tmp_path, "groups", EARLY_DOCUMENTS, 3, monkeypatch)
    whole = clear(tmp_path, "whole", EARLY_DOCUMENTS, 500, monkeypatch)

    # the second batch (the late waybill and the jump) finds the 11 early lists past their deadline
    assert [n for n in in_groups[0] if n] == [3, 3, 3, 2]
    assert [n for n in whole[0] if n] == [11]
    assert in_groups[1:3] == whole[1:3] == one_by_one[1:3]

    lists = {row[1]: row for row in whole[1] if row[0] == "inventory"}
    for key in stranded:
        status, info = lists[key][2], lists[key][3]
        assert status == "100" and "Code:9001" in info and "waybill not received by the deadline" in info
    assert lists[late][2] == "800", lists[late]  # its waybill came in time, in the batch that passed the wait
    refusals = sum(b"waybill not received by the deadline" in info for *_entry, info in whole[2])
    assert refusals == STRANDED


def late_waybills(inbox: Path) -> tuple[list[str], list[str]]:
    """Early: orders, payments and lists of 10 parcels. The next day, in one batch, their waybills:
    five 23 hours after their lists (in time), then five 30 hours after (too late). Returns the
    keys of the lists whose waybill came in time and of those whose waybill came too late."""
    parcels = [
        make_parcel(prices=[Decimal("100")], buyer=buyer_id(70 + n), at=START + timedelta(minutes=n))
        for n in range(STRANDED)
    ]
    for n, parcel in enumerate(parcels):
        write(inbox / "a", f"{n:03d}_1_order.xml", parcel.order)
        write(inbox / "a", f"{n:03d}_2_payment.xml", parcel.payment)
        write(inbox / "a", f"{n:03d}_3_list.xml", parcel.inventory)
    for n, parcel in enumerate(parcels):
        at = START + timedelta(minutes=n, hours=23 if n < STRANDED // 2 else 30)
        write(
            inbox / "b",
            f"{n:03d}_waybill.xml",
            with_head(parcel.waybill, app_time=at.strftime("%Y%m%d%H%M%S")),
        )
    keys = [p.inventory.key for p in parcels]
    return keys[: STRANDED // 2], keys[STRANDED // 2 :]


def test_a_batch_concerning_many_expired_lists_is_cleared_in_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_time, too_late = late_waybills(tmp_path / "in")
    one_by_one = clear(tmp_path, "one", 1, 500, monkeypatch)
    in_parts = clear(tmp_path, "parts", STRANDED * 3, 3, monkeypatch)
    whole = clear(tmp_path, "whole", STRANDED * 3, 500, monkeypatch)

    # the waybills' batch concerns all ten lists once the clock has passed 24 hours: one state read
    # holds every one of them unless the batch is cleared in parts of at most 3
    assert max(whole[3]) == STRANDED
    assert max(in_parts[3]) <= 3 and len(in_parts[3]) > len(whole[3])
    assert in_parts[1:3] == whole[1:3] == one_by_one[1:3]

    lists = {row[1]: row for row in whole[1] if row[0] == "inventory"}
    assert {lists[key][2] for key in in_time} == {"800"}
    for key in too_late:
        status, info = lists[key][2], lists[key][3]
        assert status == "100" and "waybill not received by the deadline" in info
