"""The garbage collector thresholds of the clearing processes (opencbec.gc_tuning)."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest

from opencbec.gc_tuning import ENV, GC_THRESHOLDS, thresholds, tune_garbage_collector
from opencbec.service.decode_pool import _warm_up


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
    with ProcessPoolExecutor(1, context, initializer=_warm_up, initargs=(None, watched)) as pool:
        assert pool.submit(gc.get_threshold).result(timeout=60) == GC_THRESHOLDS
