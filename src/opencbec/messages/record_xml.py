"""Mapping one record element to its dataclass and back.

:func:`read_record` maps an element to its record (the one reader of the import and export
decoders). :func:`writer` gives, per :class:`RecordSpec`, a function that appends the
element of a record to the output; it is generated once with ``exec``, fields unrolled
(as ``dataclasses`` builds ``__init__``), because a table-driven loop over the fields
dominated encoding at tens of thousands of records a second. Its output is that of the
table-driven loop byte for byte (tests/unit/messages/test_messages_record_xml.py): ``None``
fields and empty optional strings are skipped, values rendered by
:func:`~opencbec.messages.text.format_str`, :func:`~opencbec.messages.text.format_decimal`
and :func:`~opencbec.messages.text.format_int`.

Only dataclass field names (checked to be identifiers) reach the generated source; tags
and renderers are passed in as constants.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from typing import Any

from lxml import etree

from opencbec.messages.layout import RecordSpec
from opencbec.messages.text import format_decimal, format_int, format_str

Writer = Callable[[list[str], object], None]

_STRING = etree.XPath("string()")
_RENDER: dict[str, Callable[[Any], str]] = {"str": format_str, "Decimal": format_decimal, "int": format_int}
# The condition under which format_str returns its argument unchanged (see there).
_PLAIN_STR = 'type(x) is str and x.isprintable() and "&" not in x and "<" not in x and ">" not in x'
# Keyed by id(spec); the spec is kept alive in the value so that its id is never reused.
_WRITERS: dict[int, tuple[RecordSpec, Writer]] = {}


def read_record(spec: RecordSpec, element: etree._Element, defaults: dict[str, Any] | None = None) -> Any:
    """The generic mapping of one element to its record; unknown children are skipped.

    An empty element gives ``""`` (required field) or ``None`` (optional field); a value with
    a comment inside is read as its XPath string value.
    """
    values: dict[str, Any] = dict(defaults) if defaults else {}
    table = spec.decode
    for child in element:
        entry = table.get(child.tag)
        if entry is None:  # comments, processing instructions, unknown elements
            continue
        attr, convert, empty = entry
        text = str(_STRING(child)) if len(child) else child.text
        if not text:
            values[attr] = empty
        else:
            values[attr] = text if convert is None else convert(text)
    return spec.cls(**values)


def _identifier(name: str) -> str:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"{name!r} cannot be read in generated code")
    return name


def _build(name: str, source: str, namespace: dict[str, Any]) -> Any:
    exec(compile(source, f"<opencbec.messages.record_xml {name}>", "exec"), namespace)
    return namespace[name]


def _compile_writer(spec: RecordSpec) -> Writer:
    namespace: dict[str, Any] = {
        "cls": spec.cls,
        "OPEN": f"<ceb:{spec.tag}>",
        "CLOSE": f"</ceb:{spec.tag}>",
    }
    lines = [
        "def write(out, record):",
        "    if not isinstance(record, cls):",
        '        raise TypeError(f"expected {cls.__name__}, got {type(record).__name__}")',
        "    a = out.append",
        "    a(OPEN)",
    ]
    for i, f in enumerate(spec.fields):
        namespace[f"O{i}"] = f"<ceb:{f.name}>"
        namespace[f"E{i}"] = f"</ceb:{f.name}>"
        namespace[f"R{i}"] = _RENDER[f.kind]
        skip = 'x is None or x == ""' if f.optional and f.kind == "str" else "x is None"
        lines += [f"    x = record.{_identifier(f.attr)}", f"    if {skip}:", "        pass"]
        if f.kind == "str":  # format_str's fast path, inlined: the string as it is
            lines += [f"    elif {_PLAIN_STR}:", f"        a(O{i} + x + E{i})"]
        lines += ["    else:", f"        a(O{i} + R{i}(x) + E{i})"]
    lines.append("    a(CLOSE)")
    return _build("write", "\n".join(lines), namespace)  # type: ignore[no-any-return]


def writer(spec: RecordSpec) -> Writer:
    """The specialised writer of ``spec``: appends ``<ceb:Tag>...</ceb:Tag>`` to ``out``."""
    cached = _WRITERS.get(id(spec))
    if cached is None:
        cached = _WRITERS[id(spec)] = (spec, _compile_writer(spec))
    return cached[1]
