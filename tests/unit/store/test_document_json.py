"""Document JSON (orjson, the same text as before)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

from opencbec.store.serialize import (
    document_from_json,
    document_json,
    document_to_json,
    record_to_json,
)
from tests.parcels import make_parcel


def old_text(doc: Any) -> str:
    """The storage JSON as the standard library wrote it."""

    def record(obj: Any) -> dict[str, Any]:
        out = {}
        for name in obj.__dataclass_fields__:
            value = getattr(obj, name)
            if value is not None:
                out[name] = str(value) if isinstance(value, Decimal) else value
        return out

    payload: dict[str, Any] = {"head": record(doc.head)}
    if hasattr(doc, "lines"):
        payload["lines"] = [record(x) for x in doc.lines]
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def test_the_text_is_the_standard_librarys_and_reads_back_equal() -> None:
    for doc in make_parcel().documents():
        odd = replace(doc, head=replace(doc.head, guid='关 "税"\n\t\x01\u2028\\'))
        for d in (doc, odd):
            text, checked = document_json(d)
            assert text == old_text(d)
            assert checked
            assert document_from_json(d.kind, text) == d


def test_what_orjson_refuses_goes_through_the_standard_library() -> None:
    doc = make_parcel().order
    lone = replace(doc, head=replace(doc.head, guid="\ud800"))
    assert document_to_json(lone) == old_text(lone)
    assert document_from_json(lone.kind, document_to_json(lone)) == lone
    line = doc.lines[0]
    assert json.loads(record_to_json(replace(line, gnum=2**70)))["gnum"] == 2**70
