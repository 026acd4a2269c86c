"""The compact pickled form of decoded documents (opencbec.service.record_pickle)."""

from __future__ import annotations

import copyreg
import dataclasses
import io
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from opencbec.domain.documents import DecodedMessage, Order
from opencbec.messages.decode import decode_message
from opencbec.messages.errors import MessageRejected
from opencbec.service import decode_workers, record_pickle
from opencbec.service.record_pickle import MODULES, REGISTERED

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "ceb-samples"


def _dataclasses() -> list[type[Any]]:
    return [
        v
        for m in MODULES
        for v in vars(m).values()
        if isinstance(v, type) and v.__module__ == m.__name__ and dataclasses.is_dataclass(v)
    ]


def _default_dumps(obj: Any) -> bytes:
    """``obj`` pickled the way Python would without the registered forms."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {}  # type: ignore[misc]
    pickler.dump(obj)
    return out.getvalue()


def _filled(cls: type[Any]) -> Any:
    """An instance of ``cls`` with every field set to a value of its own (strings, never defaults)."""
    obj = object.__new__(cls)
    for i, f in enumerate(dataclasses.fields(cls)):
        object.__setattr__(obj, f.name, f"{cls.__name__}.{f.name}#{i}")
    return obj


def _same(a: Any, b: Any) -> None:
    """Equal, with the same class at every level."""
    assert type(a) is type(b)
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            _same(getattr(a, f.name), getattr(b, f.name))
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    else:
        assert a == b


def test_every_mutable_record_and_document_class_is_registered() -> None:
    classes = _dataclasses()
    mutable = [c for c in classes if not c.__dataclass_params__.frozen]  # type: ignore[attr-defined]
    assert Order in mutable and len(mutable) > 50
    for cls in mutable:
        if not dataclasses.fields(cls):
            assert cls not in REGISTERED  # nothing to pickle compactly
            continue
        assert cls in copyreg.dispatch_table, cls
        assert REGISTERED[cls] == tuple(f.name for f in dataclasses.fields(cls))


@pytest.mark.parametrize("cls", [c for c in _dataclasses() if c in REGISTERED], ids=lambda c: c.__qualname__)
def test_every_field_survives_the_round_trip(cls: type[Any]) -> None:
    original = _filled(cls)
    data = pickle.dumps(original, protocol=pickle.HIGHEST_PROTOCOL)
    assert b"_make_" in data  # the compact form was used
    copy = pickle.loads(data)
    assert copy is not original
    _same(copy, original)
    assert copy == original


def _decoded_samples() -> list[DecodedMessage]:
    out = []
    for path in sorted(SAMPLES.glob("*/CEB*.xml")):
        try:
            decoded = decode_message(path.read_bytes(), require_signature=False, accept_export=True)
        except MessageRejected:
            continue  # receipts and other messages the intake refuses
        if isinstance(decoded, DecodedMessage):
            out.append(decoded)
    return out


def test_decoded_sample_messages_read_back_equal_and_smaller() -> None:
    messages = _decoded_samples()
    assert sum(len(m.documents) for m in messages) >= 8
    compact = pickle.dumps(messages, protocol=pickle.HIGHEST_PROTOCOL)
    _same(pickle.loads(compact), messages)
    assert len(compact) < len(_default_dumps(messages))
    _same(pickle.loads(_default_dumps(messages)), messages)  # the default form still reads


def _decode_in_worker(data: bytes) -> DecodedMessage:
    return decode_message(data, require_signature=False, accept_export=True)


def test_a_worker_process_sends_them_back_equal() -> None:
    paths = [p for p in sorted(SAMPLES.glob("import/CEB*1Message.xml")) if p.name != "CEB711Message.xml"]
    here = [_decode_in_worker(p.read_bytes()) for p in paths]
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        there = list(pool.map(_decode_in_worker, [p.read_bytes() for p in paths]))
    _same(there, here)
    assert decode_workers.record_pickle is record_pickle  # what the decoding workers rely on


def test_two_classes_never_share_a_maker() -> None:
    names = {record_pickle._maker(c, n).__name__ for c, n in REGISTERED.items()}
    assert len(names) == len(REGISTERED)
