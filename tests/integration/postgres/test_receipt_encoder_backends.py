"""``cbec clear`` with a decoding worker and the receipt encoder stores the outbox that clearing in one
process stores, on SQLite and on PostgreSQL: the same rows, ids and receipt messages (their fresh
guids blanked), every one delivered."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from opencbec.clearing.config import ClearingConfig
from opencbec.rules import shipped_rulebook
from opencbec.service.batch_clear import BatchClearer
from opencbec.store import schema as t
from opencbec.store.codec import plain
from opencbec.store.sql import SqlStore, make_engine
from tests.integration.test_cbec_clear import write_parcel
from tests.integration.test_parallel_clear import normal
from tests.parcels import buyer_id, make_parcel

CONFIG = ClearingConfig(inspection_rate=Decimal(0))


def _clear(db: str, inbox: Path, out: Path, workers: int) -> list[tuple[Any, ...]]:
    store = SqlStore(make_engine(db))
    clearer = BatchClearer(
        store, shipped_rulebook(), CONFIG, out, batch_documents=6, commit_documents=12, workers=workers
    )
    summary = clearer.run([inbox])
    assert summary.outcomes["inventory:800"] == 8
    o = t.outbox.c
    with store.engine.connect() as conn:
        rows = conn.execute(select(o.id, o.message_type, o.receiver, o.xml, o.xml_codec).order_by(o.id)).all()
    assert len(rows) == summary.receipts == len(list(out.glob("*.xml")))
    return [
        (i, kind, receiver, normal(plain(bytes(xml), codec).decode()))
        for i, kind, receiver, xml, codec in rows
    ]


def test_the_encoder_stores_the_outbox_of_one_process(db_url: str, tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    for i in range(8):  # 32 documents: batches of 6, groups of 12, so receipts wait across batches
        write_parcel(inbox, f"p{i}", make_parcel(prices=[Decimal("88")], buyer=buyer_id(70 + i)))
    one = _clear(f"sqlite:///{tmp_path / 'one.db'}", inbox, tmp_path / "out1", workers=1)
    two = _clear(db_url, inbox, tmp_path / "out2", workers=2)
    assert two == one
    assert [i for i, *_ in two] == list(range(1, len(two) + 1))
    assert {kind for _i, kind, *_ in two} >= {"CEB312Message", "CEB622Message", "CEB816Message"}
