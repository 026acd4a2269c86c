"""Documents rebuilt from their array form (``store.record_arrays``) equal the originals exactly:
every kind, every field's value and type, empty optional fields; a malformed array is refused."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from opencbec.domain.documents import Document, DocumentKind
from opencbec.store.record_arrays import document_array, document_from_array
from opencbec.store.serialize import document_classes, field_conversions


def _record(cls: type[Any], *, empty: bool) -> Any:
    """``cls`` with every field set to a value of its type (or None where None is its default)."""
    values: dict[str, Any] = {}
    for i, f in enumerate(dataclasses.fields(cls)):
        if empty and f.default is None:
            values[f.name] = None
            continue
        to = field_conversions(cls)[f.name]
        values[f.name] = Decimal(f"{i}.50") if to is Decimal else i if to is int else f"值{i}<&>"
    return cls(**values)


def _document(kind: DocumentKind, *, empty: bool) -> Document:
    agg, line_cls, head_cls = document_classes(kind)
    head = _record(head_cls, empty=empty)
    if line_cls is None:
        return agg(head=head)  # type: ignore[no-any-return]
    lines = [_record(line_cls, empty=empty), _record(line_cls, empty=not empty)]
    return agg(head=head, lines=lines)  # type: ignore[no-any-return]


def _types(record: Any) -> list[tuple[str, type[Any]]]:
    return [(f.name, type(getattr(record, f.name))) for f in dataclasses.fields(record)]


@pytest.mark.parametrize("empty", [False, True], ids=["full", "optional-empty"])
@pytest.mark.parametrize("kind", list(DocumentKind), ids=lambda k: k.value)
def test_every_kind_reads_back_exactly(kind: DocumentKind, empty: bool) -> None:
    doc = _document(kind, empty=empty)
    back = document_from_array(kind, document_array(doc))
    assert type(back) is type(doc)
    assert back == doc
    assert _types(back.head) == _types(doc.head)
    for line, original in zip(getattr(back, "lines", []), getattr(doc, "lines", []), strict=True):
        assert _types(line) == _types(original)


def test_decimals_keep_their_exponent() -> None:
    doc = _document(DocumentKind.ORDER, empty=False)
    line = doc.lines[0]  # type: ignore[union-attr]
    decimal = next(f.name for f in dataclasses.fields(line) if type(getattr(line, f.name)) is Decimal)
    setattr(line, decimal, Decimal("1.500"))
    back = document_from_array(DocumentKind.ORDER, document_array(doc))
    assert str(getattr(back.lines[0], decimal)) == "1.500"  # type: ignore[union-attr]


def test_an_array_of_the_wrong_length_is_refused_naming_the_record() -> None:
    doc = _document(DocumentKind.PAYMENT, empty=False)
    data = document_array(doc)
    with pytest.raises(ValueError, match=r"PaymentHead: \d+ field values expected, got 2"):
        document_from_array(DocumentKind.PAYMENT, b'["a1", ["a", "b"]]')
    assert document_from_array(DocumentKind.PAYMENT, data) == doc
