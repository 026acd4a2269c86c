"""Several worker processes clear lists of the same buyer at the same time: the quota holds.

Each process (multiprocessing, spawn) runs its own ``BatchClearer`` on its own directory of
parcels, all for ONE buyer whose lists add up far beyond the 26,000 yuan annual limit. A barrier
releases them together, so their batches really interleave. The clearing lock (a PostgreSQL
advisory lock; SQLite's writer lock) must make the outcome the same as clearing them one after
the other: exactly floor(26,000 / 5,000) = 5 lists accepted, every other one refused with 1313,
and nothing lost or counted twice.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from multiprocessing.synchronize import Barrier
from pathlib import Path

from lxml import etree
from sqlalchemy import func, select

from opencbec.clearing.config import ClearingConfig
from opencbec.rules import shipped_rulebook
from opencbec.service.batch_clear import BatchClearer
from opencbec.store import schema as t
from opencbec.store.codec import plain
from opencbec.store.sql import SqlStore, make_engine
from tests.integration.test_cbec_clear import NS, write_parcel
from tests.parcels import buyer_id, make_parcel

WORKERS = 4
PARCELS_EACH = 5  # 20 lists of 4,990 yuan + 10 yuan freight = 100,000 yuan for one buyer
LIMIT_FEN = 26_000_00
LIST_FEN = 5_000_00
BUYER = buyer_id(501)


def worker(url: str, inbox: str, out: str, barrier: Barrier) -> None:
    """One clearing worker process: open the store, wait for the others, clear its inbox."""
    store = SqlStore(make_engine(url))  # all open (and migrate) a brand-new database at once
    clearer = BatchClearer(  # each batch its own transaction, so the workers' batches interleave
        store,
        shipped_rulebook(),
        ClearingConfig(inspection_rate=Decimal(0)),
        Path(out),
        batch_documents=4,
        commit_documents=4,
    )
    barrier.wait(timeout=120)
    started = time.time()
    summary = clearer.run([Path(inbox)])
    report = {"started": started, "ended": time.time(), "documents": summary.documents}
    Path(out).mkdir(parents=True, exist_ok=True)  # the others may have delivered all of its receipts
    (Path(out) / "worker.json").write_text(json.dumps(report))
    store.engine.dispose()


def test_parallel_workers_never_exceed_the_buyers_annual_limit(
    db_url: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    for w in range(WORKERS):
        for n in range(PARCELS_EACH):
            parcel = make_parcel(prices=[Decimal("4990")], buyer=BUYER)
            write_parcel(tmp_path / f"in{w}", f"p{n}", parcel)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    procs = [
        ctx.Process(
            target=worker, args=(db_url, str(tmp_path / f"in{w}"), str(tmp_path / f"out{w}"), barrier)
        )
        for w in range(WORKERS)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * WORKERS

    reports = [json.loads((tmp_path / f"out{w}" / "worker.json").read_text()) for w in range(WORKERS)]
    assert max(r["started"] for r in reports) < min(r["ended"] for r in reports)  # they overlapped

    lists = WORKERS * PARCELS_EACH
    store = SqlStore(make_engine(db_url))
    ledger = store.ledger(BUYER, 2024)
    assert sum(line.amount_fen for line in ledger) == 5 * LIST_FEN <= LIMIT_FEN
    assert len({line.invt_no for line in ledger}) == len(ledger) == 5
    counts = store.status_counts()
    assert counts["inventory:800"] == 5
    assert counts["inventory:100"] == lists - 5
    doc = t.document.c
    with store.engine.connect() as conn:
        refused = conn.execute(
            select(doc.info).where(doc.kind == "inventory", doc.is_current.is_(True), doc.status == "100")
        ).scalars()
        assert all(info.startswith("[Code:1313") for info in refused)
        per_kind = conn.execute(
            select(doc.kind, func.count(), func.count(doc.key.distinct())).group_by(doc.kind)
        ).all()
        kinds = ("order", "payment", "waybill", "inventory")
        assert {k: (n, d) for k, n, d in per_kind} == dict.fromkeys(kinds, (lists, lists))
        assert conn.execute(select(func.count()).select_from(t.message)).scalar() == 4 * lists
        sources = conn.execute(select(t.message.c.source).order_by(t.message.c.id)).scalars().all()
        outbox = [
            (plain(xml, codec), delivered)
            for xml, codec, delivered in conn.execute(
                select(t.outbox.c.xml, t.outbox.c.xml_codec, t.outbox.c.delivered)
            )
        ]
    store.engine.dispose()

    # exactly one final answer (release or refusal) per list was produced, and all were delivered
    assert all(delivered for _, delivered in outbox)
    assert final_answers([xml for xml, _ in outbox]) == dict.fromkeys(final_answers_keys(tmp_path), 1)
    files = [p.read_bytes() for w in range(WORKERS) for p in (tmp_path / f"out{w}").glob("*.xml")]
    assert set(final_answers(files)) == set(final_answers_keys(tmp_path))  # none lost
    # NB a receipt may be written by two workers that deliver the shared outbox at the same
    # moment (at-least-once delivery), so files are not checked for duplicates.

    # the workers' batches interleaved in the database (not one worker after the other)
    runs = 1 + sum(Path(a).parent != Path(b).parent for a, b in itertools.pairwise(sources))
    record_property("runs_of_one_workers_messages", runs)  # one worker after the other: WORKERS


def final_answers(messages: list[bytes]) -> Counter[str]:
    """How many final list receipts (800 released, 100 refused) each copNo got."""
    final: Counter[str] = Counter()
    for xml in messages:
        for ret in etree.fromstring(xml).iterfind(".//ceb:InventoryReturn", NS):
            if ret.findtext("ceb:returnStatus", namespaces=NS) in ("800", "100"):
                final[ret.findtext("ceb:copNo", namespaces=NS) or ""] += 1
    return final


def final_answers_keys(tmp_path: Path) -> list[str]:
    """The copNo of every list written into the workers' inboxes."""
    return [
        etree.parse(str(p)).findtext(".//ceb:InventoryHead/ceb:copNo", namespaces=NS) or ""
        for w in range(WORKERS)
        for p in sorted((tmp_path / f"in{w}").glob("*_inventory.xml"))
    ]
