"""``cbec clear`` runs the garbage collector between batches, every so many documents
(``gc_tuning.PacedCollection``), and leaves the process's collector as it found it."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from opencbec import bootstrap
from opencbec.gc_tuning import COLLECT_DOCUMENTS, COLLECT_ENV, GC_THRESHOLDS, PACED_GEN0
from opencbec.rules import shipped_rulebook
from opencbec.service.batch_clear import BatchClearer
from opencbec.store.sql import SqlStore, make_engine
from tests.integration.test_commit_groups import CONFIG, DOCUMENTS, _inbox


@pytest.fixture(autouse=True)
def thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    yield
    gc.set_threshold(*saved)


class WatchingStore(SqlStore):
    """Notes the collector's thresholds and frozen objects while the batches are cleared."""

    def __init__(self, db: str) -> None:
        super().__init__(make_engine(db))
        self.seen: set[tuple[tuple[int, int, int], bool]] = set()

    def load_state(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        self.seen.add((gc.get_threshold(), gc.get_freeze_count() > 0))
        return super().load_state(*args, **kwargs)  # type: ignore[arg-type]


def _clear(
    tmp_path: Path, inbox: Path, name: str, collect: int
) -> tuple[BatchClearer, WatchingStore, list[object]]:
    store = WatchingStore(str(tmp_path / f"{name}.db"))
    clearer = BatchClearer(store, shipped_rulebook(), CONFIG, batch_documents=4, collect_documents=collect)
    clearer.run([inbox])
    with sqlite3.connect(tmp_path / f"{name}.db") as con:
        stored: list[object] = con.execute(DOCUMENTS).fetchall()
    return clearer, store, stored


def test_collections_are_paced_and_the_collector_is_restored(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path)
    paced, paced_store, stored = _clear(tmp_path, inbox, "paced", 8)
    assert paced._collector.collections == 3  # 24 documents, one collection every 8
    assert paced_store.seen == {((PACED_GEN0, *GC_THRESHOLDS[1:]), True)}
    assert gc.get_threshold() == GC_THRESHOLDS and gc.get_freeze_count() == 0
    plain, plain_store, stored_plain = _clear(tmp_path, inbox, "plain", 0)
    assert plain._collector.collections == 0
    assert plain_store.seen == {(GC_THRESHOLDS, False)}
    assert stored == stored_plain and len(stored) == 24  # the same outcome either way


def test_the_collector_is_restored_when_a_run_fails(tmp_path: Path) -> None:
    store = SqlStore(make_engine(str(tmp_path / "cbec.db")))
    clearer = BatchClearer(store, shipped_rulebook(), CONFIG, batch_documents=4, collect_documents=8)

    def interrupted(_read: int) -> None:
        assert gc.get_threshold()[0] == PACED_GEN0
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        clearer.run([_inbox(tmp_path)], interrupted)
    assert gc.get_threshold() == GC_THRESHOLDS and gc.get_freeze_count() == 0


def test_the_composition_root_reads_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    application = bootstrap.build(str(tmp_path / "cbec.db"))
    assert bootstrap.batch_clearer(application, None).collect_documents == COLLECT_DOCUMENTS == 100_000
    monkeypatch.setenv(COLLECT_ENV, "0")
    assert bootstrap.batch_clearer(application, None).collect_documents == 0
