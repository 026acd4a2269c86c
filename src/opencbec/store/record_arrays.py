"""Documents as JSON arrays of their field values: the stored form of a document, and its trip from
a decoding worker to clearing.

``document.data`` holds a document's text in one of two forms, told apart by their first character:

- the **array form**, ``["a1",[head values],[[line values],...]]`` (no third element for a kind
  without lines): per record the values of all its fields in field order, None as ``null``,
  decimals as strings. ``"a1"`` names the layout, that is the field lists of the record classes
  when it was written (pinned by ``tests/unit/store/stored_layout_a1.json``): a change to a record
  class needs a new layout name and a reader for the old one, since rows written before stay. A
  document is stored so when it reads back exactly equal (``serialize.exact_document``).
- the **named form**, ``{"head":{...},"lines":[...]}`` (``serialize.document_to_json``): fields by
  name, None left out. Documents stored before the array form, documents the online path stores
  (its journal carries them so) and any document that would not read back equal from an array.

The array form is two fifths shorter than the named form on the benchmark traffic (562 against
967 bytes a document) and rebuilds in about 60 % of the time (the function generated per record
class assigns the values in order instead of matching names). :func:`document_from_data` reads
either; :func:`document_payload` gives the named form's object for the views that show it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from decimal import Decimal
from typing import Any

import orjson

from opencbec.domain.documents import Document, DocumentKind
from opencbec.store.serialize import (
    document_classes,
    document_from_json,
    document_to_json,
    exact_document,
    field_conversions,
    field_getter,
    loads,
    remembered_json,
)

#: The layout of the array form written now (see the module's docstring).
LAYOUT = "a1"

#: Per record class: the getter of its field values (a tuple, in field order) and the maker from them.
_FORMS: dict[type[Any], tuple[Callable[[Any], tuple[Any, ...]], Callable[[Sequence[Any]], Any]]] = {}


def field_assigner(
    cls: type[Any], names: tuple[str, ...], *, decimals: frozenset[str] = frozenset(), checked: bool = False
) -> Callable[[Sequence[Any]], Any]:
    """``make(values)``: a new ``cls`` (no ``__init__``) with ``names`` set to ``values`` in order.

    The fields named in ``decimals`` are converted with ``Decimal`` (None stays None); with
    ``checked``, values of the wrong count are refused (``ValueError`` naming the class).
    Generated once per class (``service.record_pickle`` uses it too).
    """
    body = []
    for i, name in enumerate(names):
        if not name.isidentifier():  # field names always are; never generate code from anything else
            raise ValueError(f"{cls.__qualname__}: field name {name!r} is not an identifier")
        if name in decimals:
            body.append(f"    x = v[{i}]\n    o.{name} = None if x is None else D(x)\n")
        else:
            body.append(f"    o.{name} = v[{i}]\n")
    check = f"    if len(v) != {len(names)}:\n        raise ValueError(WRONG % len(v))\n" if checked else ""
    source = "def make(v):\n" + check + "    o = new(cls)\n" + "".join(body) + "    return o\n"
    namespace: dict[str, Any] = {
        "new": object.__new__,
        "cls": cls,
        "D": Decimal,
        "WRONG": f"{cls.__qualname__}: {len(names)} field values expected, got %d",
    }
    exec(source, namespace)  # code built above from the class's field names only
    make: Callable[[Sequence[Any]], Any] = namespace["make"]
    return make


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


def document_array(doc: Document) -> str:
    """``doc`` in the array form (``TypeError`` for a value it cannot hold, such as an integer
    beyond 64 bits); it reads back equal when ``exact_document(doc)``."""
    _agg, line_cls, head_cls = document_classes(doc.kind)
    head = record_form(head_cls)[0](doc.head)
    if line_cls is None:
        return orjson.dumps((LAYOUT, head), default=array_text).decode()
    get_line = record_form(line_cls)[0]
    lines: list[Any] = getattr(doc, "lines")  # noqa: B009 (a document with lines)
    return orjson.dumps((LAYOUT, head, [get_line(line) for line in lines]), default=array_text).decode()


def document_from_array(kind: DocumentKind, data: str | bytes) -> Document:
    """The document of ``kind`` that :func:`document_array` gave ``data`` for (``ValueError`` for
    another layout, or a record with the wrong number of values, naming it)."""
    agg, line_cls, head_cls = document_classes(kind)
    parts = orjson.loads(data)
    if not parts or parts[0] != LAYOUT:
        layout = parts[0] if parts else None
        raise ValueError(
            f"{kind.value}: stored document layout {layout!r} is not known (this version reads {LAYOUT!r})"
        )
    head = record_form(head_cls)[1](parts[1])
    if line_cls is None:
        return agg(head=head)  # type: ignore[no-any-return]
    make_line = record_form(line_cls)[1]
    return agg(head=head, lines=[make_line(x) for x in parts[2]])  # type: ignore[no-any-return]


def document_data(doc: Document) -> str:
    """The text to store for ``doc``: the text a decoding worker computed for it
    (``serialize.remember_json``), else the array form when it reads back equal, else the named form."""
    text = remembered_json(doc)
    if text is None:
        text = exact_array(doc)
    return document_to_json(doc) if text is None else text


def exact_array(doc: Document) -> str | None:
    """``doc`` in the array form when it reads back equal from it, else None (a value of an
    unexpected type, or one orjson refuses that the named form's writer does not)."""
    if not exact_document(doc):
        return None
    try:
        return document_array(doc)
    except TypeError:
        return None


def document_from_data(kind: DocumentKind, text: str) -> Document:
    """The document stored as ``text`` (either form)."""
    if text.startswith("["):
        return document_from_array(kind, text)  # an unknown layout refused, named
    return document_from_json(kind, text)


def document_payload(kind: DocumentKind, text: str) -> dict[str, Any]:
    """The named form's object (``{"head": {...}, "lines": [...]}``) of a document stored as ``text``."""
    if text.startswith("["):
        text = document_to_json(document_from_array(kind, text))
    payload: dict[str, Any] = loads(text)
    return payload
