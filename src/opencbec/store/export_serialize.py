"""Export documents to and from JSON for storage (exact decimals as strings)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from opencbec.export import documents as d
from opencbec.messages.export_layout import EXPORT_REQUESTS

_KIND_LAYOUT = {kind: EXPORT_REQUESTS[msg] for kind, msg in d.MESSAGE_TYPE.items()}


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def dump_document(doc: d.ExportDocument) -> str:
    """The document as compact JSON (decimals as strings)."""
    head = {k: _plain(v) for k, v in asdict(doc.head).items() if v is not None}
    lines = [
        {k: _plain(v) for k, v in asdict(ln).items() if v is not None} for ln in getattr(doc, "lines", [])
    ]
    return json.dumps({"head": head, "lines": lines}, ensure_ascii=False, separators=(",", ":"))


def load_document(kind: str, data: str) -> d.ExportDocument:
    """The inverse of :func:`dump_document`."""
    layout = _KIND_LAYOUT[d.ExportKind(kind)]
    raw = json.loads(data)
    head = _restore(layout.head.cls, layout.head.fields, raw["head"])
    assert layout.aggregate is not None
    if layout.line is None:
        return layout.aggregate(head)  # type: ignore[no-any-return]
    line_spec = layout.line
    lines = [_restore(line_spec.cls, line_spec.fields, ln) for ln in raw["lines"]]
    return layout.aggregate(head, lines)  # type: ignore[no-any-return]


def _restore(cls: Any, specs: Iterable[Any], values: dict[str, Any]) -> Any:
    convert = {s.attr: s.convert for s in specs}
    return cls(
        **{
            k: convert[k](v) if not isinstance(v, str) or convert[k] is not str else v
            for k, v in values.items()
        }
    )
