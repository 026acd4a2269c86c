"""Documents to and from compact JSON for storage (exact decimals as strings).

JSON is written and read with orjson (the same compact text as ``json.dumps(..., ensure_ascii=False,
separators=(",", ":"))``); what orjson refuses (integers beyond 64 bits, lone surrogates) goes
through the standard library as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import MISSING, fields, is_dataclass
from decimal import Decimal
from functools import cache
from operator import attrgetter, itemgetter
from typing import Any

import orjson

from opencbec.domain import ceb_records as rec
from opencbec.domain.documents import (
    Cancel,
    Document,
    DocumentKind,
    Inventory,
    Order,
    Payment,
    Refund,
    Waybill,
)

_HEADS: dict[DocumentKind, tuple[type[Any], type[Any] | None, type[Any]]] = {
    DocumentKind.ORDER: (Order, rec.OrderList, rec.OrderHead),
    DocumentKind.PAYMENT: (Payment, None, rec.PaymentHead),
    DocumentKind.WAYBILL: (Waybill, None, rec.LogisticsHead),
    DocumentKind.INVENTORY: (Inventory, rec.InventoryList, rec.InventoryHead),
    DocumentKind.CANCEL: (Cancel, None, rec.InvtCancel),
    DocumentKind.REFUND: (Refund, rec.InvtRefundList, rec.InvtRefundHead),
}


@cache
def _converters(cls: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(cls):
        kind = str(f.type)
        out[f.name] = Decimal if "Decimal" in kind else int if kind.startswith("int") else str
    return out


#: Per record class: (field name, the exact type read back, whether a missing value reads back).
_SPECS: dict[type[Any], tuple[tuple[str, Any, bool], ...]] = {}
#: Per record class: its field names and a getter of all their values at once.
_GETTERS: dict[type[Any], tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}
#: Per record class and types of its values: the names and a picker of the values written, the
#: positions of decimals (written as strings), and whether the record reads back equal.
_PLANS: dict[tuple[Any, ...], tuple[tuple[str, ...], Callable[[Any], Any], tuple[int, ...], bool]] = {}


def _spec(cls: type[Any]) -> tuple[tuple[str, Any, bool], ...]:
    spec = _SPECS.get(cls)
    if spec is None:
        conv = _converters(cls)  # type: ignore[arg-type]
        spec = _SPECS[cls] = tuple((f.name, conv[f.name], f.default is None) for f in fields(cls))
    return spec


def _getter(cls: type[Any]) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    names = tuple(name for name, _, _ in _spec(cls))
    get = attrgetter(*names)
    _GETTERS[cls] = names, (get if len(names) > 1 else lambda obj: (get(obj),))
    return _GETTERS[cls]


def _plan(key: tuple[Any, ...]) -> tuple[tuple[str, ...], Callable[[Any], Any], tuple[int, ...], bool]:
    cls, types = key[0], key[1:]
    keep, decimals, exact = [], [], True
    for i, ((_, typ, none_ok), vt) in enumerate(zip(_spec(cls), types, strict=True)):
        if vt is type(None):
            exact = exact and none_ok
            continue
        keep.append(i)
        if issubclass(vt, Decimal):
            decimals.append(i)
        exact = exact and vt is typ
    names = tuple(_spec(cls)[i][0] for i in keep)
    pick: Callable[[Any], Any] = (
        itemgetter(*keep) if len(keep) > 1 else (lambda v: (v[keep[0]],)) if keep else (lambda v: ())
    )
    if len(_PLANS) > 10_000:
        _PLANS.clear()
    plan = _PLANS[key] = (names, pick, tuple(decimals), exact)
    return plan


def _record(obj: Any, exact: list[bool]) -> dict[str, Any]:
    """The JSON-able fields of ``obj`` (None left out, decimals as strings), in field order.

    ``exact[0]`` is cleared unless they read back equal (every value of its field's exact type).
    """
    cls = type(obj)
    names, get = _GETTERS.get(cls) or _getter(cls)
    values: Any = get(obj)
    key = (cls, *map(type, values))
    names, pick, decimals, ok = _PLANS.get(key) or _plan(key)
    if decimals:
        values = list(values)
        for i in decimals:
            values[i] = str(values[i])
    if not ok:
        exact[0] = False
    return dict(zip(names, pick(values), strict=True))


@cache
def _typed(cls: Any) -> tuple[tuple[str, Any], ...]:
    """The fields of ``cls`` that are not strings, with their converters."""
    return tuple((k, conv) for k, conv in _converters(cls).items() if conv is not str)


def _restore(cls: type[Any], data: dict[str, Any]) -> Any:
    if cls in _FAST:
        fast = _FAST[cls]
    else:
        fast = _FAST[cls] = _fast_restorer(cls)
    if fast is not None:
        obj = fast(data)
        if obj is not _SLOW:
            return obj
    conv = _converters(cls)  # type: ignore[arg-type]
    typed = 0
    for name, to in _typed(cls):  # type: ignore[arg-type]
        if name in data:
            data[name] = to(data[name])
            typed += 1
    # every other value must already be a string (else convert each value, as before)
    if list(map(type, data.values())).count(str) != len(data) - typed or not data.keys() <= conv.keys():
        return cls(**{k: conv[k](v) for k, v in data.items()})
    return cls(**data)


#: Per record class: its generated restorer (``_fast_restorer``), or None where there is none.
_FAST: dict[type[Any], Callable[[dict[str, Any]], Any] | None] = {}
#: What a generated restorer returns when the record is not the usual shape (``_restore`` then
#: takes the general path, which gives the same result or error as before).
_SLOW = object()


def _fast_restorer(cls: type[Any]) -> Callable[[dict[str, Any]], Any] | None:
    """A function building ``cls`` from its stored JSON object as ``_restore``'s general path does,
    without keyword matching: each field read by name (missing: its default), strings kept, decimals
    and integers converted. It returns ``_SLOW`` for anything else: a field's value not a string
    where one is expected, a missing field without default, a name that is not a field. None for a
    class it cannot build this way (not a dataclass, frozen, with an ``__init__`` of its own or a
    ``__post_init__``)."""
    if (
        not is_dataclass(cls)
        or cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
        or not cls.__dataclass_params__.init  # type: ignore[attr-defined]  # an __init__ of its own
        or hasattr(cls, "__post_init__")
    ):
        return None
    conv = _converters(cls)
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls, "MISSING": MISSING, "SLOW": _SLOW}
    body = []
    for i, f in enumerate(fields(cls)):
        name = f.name
        if not name.isidentifier():  # field names always are; never generate code from anything else
            return None
        if f.default is not MISSING:
            namespace[f"d{i}"] = f.default
            missing = f"o.{name} = d{i}"
        elif f.default_factory is not MISSING:
            namespace[f"f{i}"] = f.default_factory
            missing = f"o.{name} = f{i}()"
        else:
            missing = "return SLOW"
        if conv[name] is str:
            present = (
                f"    elif type(v) is str:\n        o.{name} = v\n        n += 1\n"
                "    else:\n        return SLOW\n"
            )
        else:
            namespace[f"c{i}"] = conv[name]
            present = f"    else:\n        o.{name} = c{i}(v)\n        n += 1\n"
        body.append(f"    v = get({name!r}, MISSING)\n    if v is MISSING:\n        {missing}\n{present}")
    source = (
        "def restore(d):\n    get = d.get\n    o = new(cls)\n    n = 0\n"
        + "".join(body)
        + "    if n != len(d):\n        return SLOW\n    return o\n"
    )
    exec(source, namespace)  # code built above from the class's field names only
    restore: Callable[[dict[str, Any]], Any] = namespace["restore"]
    return restore


def dumps(payload: Any) -> str:
    """Compact JSON text (non-ASCII kept) of ``payload``."""
    try:
        return orjson.dumps(payload).decode()
    except (orjson.JSONEncodeError, UnicodeDecodeError):
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    """Parse JSON text."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


#: Storage JSON computed ahead (by a decoding worker), by ``id`` of the very document object.
_PREPARED: dict[int, tuple[Document, str]] = {}


def remember_json(doc: Document, text: str) -> None:
    """Note that ``text`` is ``document_to_json(doc)``, so storing ``doc`` need not serialise it again.

    Documents are never changed after decoding; the entry holds ``doc`` so its ``id`` is not
    reused, and is used once. :func:`forget_json` drops what was not used.
    """
    _PREPARED[id(doc)] = (doc, text)


def forget_json() -> None:
    """Drop every remembered serialisation."""
    _PREPARED.clear()


def document_to_json(doc: Document) -> str:
    """Serialise a document (head and lines)."""
    return document_json(doc)[0]


def document_json(doc: Document) -> tuple[str, bool]:
    """``document_to_json(doc)``, and whether ``document_from_json`` of it is known to equal ``doc``.

    True when every record has its exact class and every field its exact type (or None where None
    is the default); False when not checked (text computed ahead by a decoding worker).
    """
    text = remembered_json(doc)
    if text is not None:
        return text, False
    exact = [True]
    payload: dict[str, Any] = {"head": _record(doc.head, exact)}
    lines = getattr(doc, "lines", None)
    if lines is not None:
        payload["lines"] = [_record(line, exact) for line in lines]
    return dumps(payload), exact[0] and _exact_shape(doc)


def remembered_json(doc: Document) -> str | None:
    """The text remembered for ``doc`` (:func:`remember_json`), taken (it is used once); else None."""
    if _PREPARED:
        hit = _PREPARED.pop(id(doc), None)
        if hit is not None and hit[0] is doc:
            return hit[1]
    return None


def exact_document(doc: Document) -> bool:
    """Whether ``doc`` reads back equal from its stored text: every record of its exact class and
    every field of its exact type, or None where None is the default (``document_json``'s flag,
    without writing the text)."""
    if not _exact_shape(doc) or not exact_record(doc.head):
        return False
    lines = getattr(doc, "lines", None)
    return lines is None or all(map(exact_record, lines))


def exact_record(obj: Any) -> bool:
    """Whether the record ``obj`` reads back equal from :func:`record_dict` (see ``exact_document``)."""
    cls = type(obj)
    _names, get = _GETTERS.get(cls) or _getter(cls)
    key = (cls, *map(type, get(obj)))
    return (_PLANS.get(key) or _plan(key))[3]


def _exact_shape(doc: Document) -> bool:
    """Whether ``doc`` and its records have the classes ``document_from_json`` builds."""
    agg, line_cls, head_cls = _HEADS[doc.kind]
    if type(doc) is not agg or type(doc.head) is not head_cls:
        return False
    if line_cls is None:
        return True
    lines = getattr(doc, "lines", None)
    return type(lines) is list and all(type(x) is line_cls for x in lines)


def document_classes(kind: DocumentKind) -> tuple[type[Any], type[Any] | None, type[Any]]:
    """The classes of a document of ``kind``: the document, its lines' (None if it has none), its head's."""
    return _HEADS[kind]


def field_getter(cls: type[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """The getter of all the field values of the record class ``cls`` at once (a tuple, in field order)."""
    return (_GETTERS.get(cls) or _getter(cls))[1]


def field_conversions(cls: type[Any]) -> dict[str, Any]:
    """Per field of the record class ``cls``: the type its stored text reads back as (str, int, Decimal)."""
    return _converters(cls)  # type: ignore[arg-type]


def document_from_json(kind: DocumentKind, text: str) -> Document:
    """Rebuild a document of ``kind`` from ``document_to_json`` output."""
    payload = loads(text)
    agg, line_cls, head_cls = _HEADS[kind]
    head = _restore(head_cls, payload["head"])
    if line_cls is None:
        return agg(head=head)  # type: ignore[no-any-return]
    lines = [_restore(line_cls, item) for item in payload.get("lines", [])]
    return agg(head=head, lines=lines)  # type: ignore[no-any-return]


def record_dict(obj: Any) -> dict[str, Any]:
    """The fields of a CEB record dataclass as written by :func:`record_to_json`, not yet JSON."""
    return _record(obj, [True])


def record_to_json(obj: Any) -> str:
    """Serialise any CEB record dataclass."""
    return dumps(_record(obj, [True]))


def record_from_json(cls: type[Any], text: str) -> Any:
    """Rebuild a record dataclass of ``cls``."""
    return _restore(cls, loads(text))


def record_from_dict(cls: type[Any], data: dict[str, Any]) -> Any:
    """Rebuild a record dataclass of ``cls`` from :func:`record_dict`'s object (which it may change)."""
    return _restore(cls, data)
