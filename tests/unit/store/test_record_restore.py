"""Records read back from their stored JSON by a restorer generated per class (``serialize._restore``)
give exactly what the general path gives: the same values and types, the same errors."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from opencbec.domain import ceb_records as rec
from opencbec.store import serialize
from opencbec.store.serialize import _converters, _restore, record_from_json, record_to_json

CLASSES = [
    cls
    for cls in vars(rec).values()
    if isinstance(cls, type)
    and cls.__module__ == rec.__name__
    and dataclasses.is_dataclass(cls)
    and not cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
]


def _full(cls: type[Any]) -> Any:
    """An instance of ``cls`` with every field set to a value of its type."""
    values: dict[str, Any] = {}
    for i, (name, to) in enumerate(_converters(cls).items()):
        values[name] = Decimal(f"{i}.50") if to is Decimal else i if to is int else f"值{i}"
    return cls(**values)


def _general(cls: type[Any], data: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as m:
        m.setattr(serialize, "_FAST", dict.fromkeys(CLASSES))
        return _restore(cls, dict(data))


def _outcome(call: Any) -> Any:
    try:
        value = call()
    except Exception as exc:  # the error itself is what is compared
        return type(exc), str(exc)
    return value, [(f.name, type(getattr(value, f.name))) for f in dataclasses.fields(value)]


def test_there_are_records_to_check() -> None:
    assert len(CLASSES) > 15 and rec.InventoryHead in CLASSES and rec.OrderList in CLASSES


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_field_reads_back_exactly(cls: type[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    record = _full(cls)
    text = record_to_json(record)
    fast = record_from_json(cls, text)
    assert serialize._FAST[cls] is not None  # the generated restorer was used
    assert fast == record
    for f in dataclasses.fields(cls):
        assert type(getattr(fast, f.name)) is type(getattr(record, f.name)), f.name
    assert _outcome(lambda: fast) == _outcome(lambda: _general(cls, serialize.loads(text), monkeypatch))


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_missing_fields_take_their_defaults(cls: type[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    data = serialize.loads(record_to_json(_full(cls)))
    optional = [f.name for f in dataclasses.fields(cls) if f.default is None]
    for name in optional:
        del data[name]
    assert _outcome(lambda: _restore(cls, dict(data))) == _outcome(lambda: _general(cls, data, monkeypatch))


def test_unusual_shapes_take_the_general_path(monkeypatch: pytest.MonkeyPatch) -> None:
    cls = rec.OrderList
    data = serialize.loads(record_to_json(_full(cls)))
    strings = [n for n, to in _converters(cls).items() if to is str]
    required = [f.name for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING]
    shapes = [
        {**data, strings[0]: 5},  # a number where a string is expected: converted, as before
        {**data, strings[0]: None},
        {**data, "notAField": "x"},  # refused, as before
        {k: v for k, v in data.items() if k != required[0]},  # a required field missing: refused
    ]
    results = []
    for shape in shapes:
        fast = _outcome(lambda shape=shape: _restore(cls, dict(shape)))  # type: ignore[misc]
        assert fast == _outcome(lambda shape=shape: _general(cls, shape, monkeypatch))  # type: ignore[misc]
        results.append(fast)
    assert getattr(results[0][0], strings[0]) == "5"
    assert results[2][0] is KeyError and results[3][0] is TypeError


def test_classes_that_check_their_values_keep_their_own_construction() -> None:
    @dataclasses.dataclass(slots=True)
    class Checked:
        code: str

        def __post_init__(self) -> None:
            if not self.code.isdigit():
                raise ValueError(f"code {self.code!r} is not digits")

    @dataclasses.dataclass(init=False)
    class Own:
        code: str

        def __init__(self, code: str) -> None:
            self.code = code.upper()

    @dataclasses.dataclass(frozen=True)
    class Frozen:
        code: str

    for cls in (Checked, Own, Frozen):
        assert serialize._fast_restorer(cls) is None
    with pytest.raises(ValueError, match="not digits"):
        _restore(Checked, {"code": "x1"})
    assert _restore(Own, {"code": "ab"}).code == "AB"
    assert _restore(Frozen, {"code": "7"}) == Frozen("7")
