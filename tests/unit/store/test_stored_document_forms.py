"""The two stored forms of a document (``store.record_arrays``): which one is written, both read
back, the named view of either, the array layout pinned to the record classes."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from opencbec.domain import ceb_records as rec
from opencbec.domain.documents import DocumentKind, Order
from opencbec.store.record_arrays import (
    LAYOUT,
    document_array,
    document_data,
    document_from_data,
    document_payload,
)
from opencbec.store.serialize import (
    document_classes,
    document_from_json,
    document_to_json,
    exact_document,
    field_conversions,
    remember_json,
)

PINNED = Path(__file__).with_name(f"stored_layout_{LAYOUT}.json")


def _record(cls: type[Any]) -> Any:
    values: dict[str, Any] = {}
    for i, f in enumerate(dataclasses.fields(cls)):
        to = field_conversions(cls)[f.name]
        values[f.name] = Decimal(f"{i}.10") if to is Decimal else i if to is int else f"v{i}"
    return cls(**values)


def _order() -> Order:
    return Order(head=_record(rec.OrderHead), lines=[_record(rec.OrderList), _record(rec.OrderList)])


class _Text(str):
    """A string of a subclass: the stored text reads it back as a plain ``str``."""


def test_an_exact_document_is_stored_in_the_array_form_and_reads_back_equal() -> None:
    doc = _order()
    text = document_data(doc)
    assert text.startswith(f'["{LAYOUT}",[')
    assert document_from_data(DocumentKind.ORDER, text) == doc
    assert len(text) < len(document_to_json(doc))


def test_a_document_that_would_not_read_back_equal_is_stored_named() -> None:
    doc = _order()
    doc.head.order_no = _Text(doc.head.order_no)
    assert not exact_document(doc)
    text = document_data(doc)
    assert text == document_to_json(doc)
    assert text.startswith("{")
    assert document_from_data(DocumentKind.ORDER, text).head.order_no == str(doc.head.order_no)


def test_a_value_the_array_form_cannot_hold_falls_back_to_the_named_form() -> None:
    doc = _order()
    doc.lines[0].gnum = 2**70  # beyond orjson's 64 bits
    assert exact_document(doc)
    with pytest.raises(TypeError):
        document_array(doc)
    text = document_data(doc)
    assert text.startswith("{")
    assert document_from_data(DocumentKind.ORDER, text) == doc


def test_the_text_a_worker_computed_is_stored_as_it_is() -> None:
    doc = _order()
    named = document_to_json(doc)
    remember_json(doc, named)
    assert document_data(doc) == named  # taken once
    assert document_data(doc).startswith("[")


def test_documents_stored_named_before_the_array_form_still_read() -> None:
    doc = _order()
    named = document_to_json(doc)
    back = document_from_data(DocumentKind.ORDER, named)
    assert back == document_from_json(DocumentKind.ORDER, named) == doc


@pytest.mark.parametrize("kind", list(DocumentKind), ids=lambda k: k.value)
def test_the_named_view_is_the_same_for_either_form(kind: DocumentKind) -> None:
    agg, line_cls, head_cls = document_classes(kind)
    head = _record(head_cls)
    doc = agg(head=head) if line_cls is None else agg(head=head, lines=[_record(line_cls)])
    named = json.loads(document_to_json(doc))
    assert document_payload(kind, document_array(doc)) == named
    assert document_payload(kind, document_to_json(doc)) == named
    assert "head" in named


def test_an_unknown_layout_is_refused_naming_it() -> None:
    text = document_array(_order()).replace(f'["{LAYOUT}"', '["z9"', 1)
    with pytest.raises(ValueError, match=r"order: stored document layout 'z9' is not known"):
        document_from_data(DocumentKind.ORDER, text)


def test_the_layout_is_pinned_to_the_record_classes() -> None:
    """Rows in the array form stay in the store: changing a record class's fields changes the
    layout, so it needs a new ``LAYOUT`` name (and its pinned file), and a reader for this one."""
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    assert pinned["layout"] == LAYOUT
    now: dict[str, list[str]] = {}
    for kind in DocumentKind:
        _agg, line_cls, head_cls = document_classes(kind)
        for cls in (head_cls, line_cls):
            if cls is not None:
                now[cls.__qualname__] = [f.name for f in dataclasses.fields(cls)]
    assert now == pinned["records"]
