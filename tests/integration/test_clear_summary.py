"""``cbec clear``'s summary counts the run's own documents by status, not the whole store."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from opencbec.clearing.config import ClearingConfig
from opencbec.rules import shipped_rulebook
from opencbec.service.batch_clear import BatchClearer
from opencbec.store.sql import SqlStore, make_engine
from tests.integration.test_cbec_clear import write_parcel
from tests.parcels import buyer_id, make_parcel
from tests.sql_plans import plan, statements

CONFIG = ClearingConfig(inspection_rate=Decimal(0))


def _inbox(tmp_path: Path, name: str, parcels: int, first: int) -> Path:
    inbox = tmp_path / name
    for i in range(first, first + parcels):  # four documents per parcel
        write_parcel(inbox, f"p{i}", make_parcel(prices=[Decimal("100")], buyer=buyer_id(40 + i)))
    return inbox


def test_the_summary_counts_only_the_documents_of_the_run(tmp_path: Path) -> None:
    store = SqlStore(make_engine(str(tmp_path / "cbec.db")))

    def run(inbox: Path) -> dict[str, int]:
        return dict(BatchClearer(store, shipped_rulebook(), CONFIG, batch_documents=4).run([inbox]).outcomes)

    first = run(_inbox(tmp_path, "first", 3, 0))
    assert first == {"inventory:800": 3, "order:120": 3, "payment:120": 3, "waybill:120": 3}
    second = run(_inbox(tmp_path, "second", 2, 3))
    assert second == {"inventory:800": 2, "order:120": 2, "payment:120": 2, "waybill:120": 2}
    assert store.status_counts() == {"inventory:800": 5, "order:120": 5, "payment:120": 5, "waybill:120": 5}
    assert run(tmp_path / "first") == {}  # the first files again: replays, no documents of their own


def test_the_summary_line_says_what_it_counts(tmp_path: Path) -> None:
    store = SqlStore(make_engine(str(tmp_path / "cbec.db")))
    clearer = BatchClearer(store, shipped_rulebook(), CONFIG)
    line = clearer.run([_inbox(tmp_path, "in", 1, 0)]).line()
    assert (
        "this run's documents by status: inventory:800=1, order:120=1, payment:120=1, waybill:120=1;" in line
    )
    empty = BatchClearer(store, shipped_rulebook(), CONFIG).run([tmp_path / "in"])  # all replays
    assert "this run's documents by status: none;" in empty.line()


def test_on_sqlite_the_run_s_documents_are_read_by_their_id_range_without_a_sort(tmp_path: Path) -> None:
    """The summary's count reads the run's ids only (a range of the primary key) and counts them as
    they stream by: for a ``GROUP BY`` SQLite sorted every row (no index orders the documents by kind
    and status) and scanned the (kind, key) index instead of the id range."""
    engine = make_engine(str(tmp_path / "cbec.db"))
    store = SqlStore(engine)
    BatchClearer(store, shipped_rulebook(), CONFIG).run([_inbox(tmp_path, "first", 2, 0)])
    with statements(engine) as seen:
        assert store.status_counts(after_document=4) == {
            "order:120": 1,
            "payment:120": 1,
            "waybill:120": 1,
            "inventory:800": 1,
        }
    ((sql, params),) = [(s, p) for s, p in seen if "FROM document" in s]
    text = plan(engine, sql, params)
    assert "(id>?)" in text
    assert "TEMP B-TREE" not in text
