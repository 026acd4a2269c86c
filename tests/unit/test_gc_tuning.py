"""The garbage collector thresholds of the clearing processes (opencbec.gc_tuning)."""

from __future__ import annotations

import gc
import multiprocessing
import os
import weakref
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest

from opencbec.gc_tuning import (
    COLLECT_DOCUMENTS,
    COLLECT_ENV,
    ENV,
    GC_THRESHOLDS,
    PACED_GEN0,
    PacedCollection,
    collect_documents,
    thresholds,
    tune_garbage_collector,
)
from opencbec.service.decode_workers import warm_up


@pytest.fixture
def restore_thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)


def test_default_and_override() -> None:
    assert thresholds({}) == GC_THRESHOLDS
    assert thresholds({ENV: " 700, 10,10 "}) == (700, 10, 10)


@pytest.mark.parametrize("value", ["abc", "1,2", "1,2,3,4", "0,10,10", "-5,10,10", "1.5,2,3"])
def test_a_bad_setting_is_refused_naming_it(value: str) -> None:
    with pytest.raises(ValueError, match=f"{ENV} must be three positive integers.*{value!r}"):
        thresholds({ENV: value})


@pytest.mark.usefixtures("restore_thresholds")
def test_tuning_sets_the_thresholds() -> None:
    gc.set_threshold(700, 10, 10)
    assert tune_garbage_collector({}) == GC_THRESHOLDS
    assert gc.get_threshold() == GC_THRESHOLDS
    tune_garbage_collector({ENV: "1000,5,5"})
    assert gc.get_threshold() == (1000, 5, 5)


def test_decoding_workers_are_tuned() -> None:
    context = multiprocessing.get_context("forkserver")
    watched = os.getpid()
    with ProcessPoolExecutor(1, context, initializer=warm_up, initargs=(None, watched)) as pool:
        assert pool.submit(gc.get_threshold).result(timeout=60) == GC_THRESHOLDS


def test_paced_collection_setting() -> None:
    assert collect_documents({}) == COLLECT_DOCUMENTS
    assert collect_documents({COLLECT_ENV: " 5000 "}) == 5000
    assert collect_documents({COLLECT_ENV: "0"}) == 0


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "20k"])
def test_a_bad_paced_collection_setting_is_refused_naming_it(value: str) -> None:
    with pytest.raises(ValueError, match=f"{COLLECT_ENV} must be a whole number.*{value!r}"):
        collect_documents({COLLECT_ENV: value})


class Node:
    """Something that can sit in a reference cycle and be watched with a weak reference."""

    def __init__(self) -> None:
        self.other: object = None


def _cycle() -> weakref.ref[Node]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


@pytest.mark.usefixtures("restore_thresholds")
def test_paced_collection_collects_every_so_many_documents_and_restores() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    assert gc.get_freeze_count() == 0
    paced = PacedCollection(every=100)
    paced.start()
    try:
        assert gc.get_freeze_count() > 0  # what was alive before is left out of the collections
        assert gc.get_threshold() == (PACED_GEN0, GC_THRESHOLDS[1], GC_THRESHOLDS[2])
        garbage = _cycle()
        paced.cleared(60)
        paced.cleared(39)
        assert garbage() is not None  # 99 documents: not yet collected
        paced.cleared(1)
        assert garbage() is None and paced.collections == 1
        garbage = _cycle()
        paced.cleared(99)
        assert garbage() is not None  # the count starts again after a collection
        paced.cleared(5)
        assert garbage() is None and paced.collections == 2
    finally:
        paced.stop()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == GC_THRESHOLDS
    paced.stop()  # a second stop changes nothing
    assert gc.get_threshold() == GC_THRESHOLDS


@pytest.mark.usefixtures("restore_thresholds")
def test_a_higher_threshold_is_kept_and_zero_turns_pacing_off() -> None:
    gc.set_threshold(PACED_GEN0 * 2, 7, 3)
    with PacedCollection(every=10):
        assert gc.get_threshold() == (PACED_GEN0 * 2, 7, 3)
    gc.set_threshold(700, 10, 10)
    with PacedCollection(every=0) as off:
        assert gc.get_threshold() == (700, 10, 10) and gc.get_freeze_count() == 0
        off.cleared(10**9)
        assert off.collections == 0
    with pytest.raises(ValueError, match="0 or more"):
        PacedCollection(every=-1)
