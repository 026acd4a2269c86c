"""Documents as JSON arrays of their field values, for the trip from a decoding worker to clearing.

A decoding worker sends each document's storage JSON (for the store) and, when the document reads
back equal from it, this form too: per record the JSON array of its field values in field order,
decimals as strings. The clearing process rebuilds the document with a function generated per record
class that assigns the values in order, converting the decimals, instead of matching the storage
JSON's names: on 8,677 documents of the benchmark traffic, 4.4 µs per document against 9.0 µs, for
5.4 µs more in the worker (ad hoc, docs/performance.md). Only documents whose records have their exact
classes and whose fields have their exact types travel so (``serialize.document_json`` says which),
so the rebuilt document equals the one decoded (tested for every record class).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from decimal import Decimal
from typing import Any

import orjson

from opencbec.domain.documents import Document, DocumentKind
from opencbec.service.record_pickle import field_assigner
from opencbec.store.serialize import document_classes, field_conversions, field_getter

#: Per record class: the getter of its field values (a tuple, in field order) and the maker from them.
_FORMS: dict[type[Any], tuple[Callable[[Any], tuple[Any, ...]], Callable[[Sequence[Any]], Any]]] = {}


def record_form(cls: type[Any]) -> tuple[Callable[[Any], tuple[Any, ...]], Callable[[Sequence[Any]], Any]]:
    """The getter of a record's field values (a tuple, in field order) and the maker of a record of
    ``cls`` from them (decimals converted from text; a wrong count refused naming the class)."""
    form = _FORMS.get(cls)
    if form is None:
        names = tuple(f.name for f in fields(cls))
        decimals = frozenset(n for n, to in field_conversions(cls).items() if to is Decimal)
        make = field_assigner(cls, names, decimals=decimals, checked=True)
        form = _FORMS[cls] = (field_getter(cls), make)
    return form


def array_text(value: Any) -> str:
    """orjson's ``default`` for the array form: a decimal as its text; anything else refused."""
    if type(value) is Decimal:
        return str(value)
    raise TypeError(f"no array form for a value of type {type(value).__name__}")


def document_array(doc: Document) -> bytes:
    """``doc`` as ``[head values, [line values, ...]]`` (``[head values]`` without lines), JSON."""
    _agg, line_cls, head_cls = document_classes(doc.kind)
    head = record_form(head_cls)[0](doc.head)
    if line_cls is None:
        return orjson.dumps((head,), default=array_text)
    get_line = record_form(line_cls)[0]
    lines: list[Any] = getattr(doc, "lines")  # noqa: B009 (a document with lines)
    return orjson.dumps((head, [get_line(line) for line in lines]), default=array_text)


def document_from_array(kind: DocumentKind, data: bytes) -> Document:
    """The document of ``kind`` that :func:`document_array` gave ``data`` for."""
    agg, line_cls, head_cls = document_classes(kind)
    parts = orjson.loads(data)
    head = record_form(head_cls)[1](parts[0])
    if line_cls is None:
        return agg(head=head)  # type: ignore[no-any-return]
    make_line = record_form(line_cls)[1]
    return agg(head=head, lines=[make_line(x) for x in parts[1]])  # type: ignore[no-any-return]
