"""The generated record writers, the format_str fast path and the element-count shortcut change
nothing: each is held against the straightforward code it replaced."""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from opencbec.messages import decode_message
from opencbec.messages.errors import MessageRejected
from opencbec.messages.export_layout import EXPORT_BASE_TRANSFER, EXPORT_LAYOUTS
from opencbec.messages.layout import BASE_TRANSFER, LAYOUTS, REQUESTS, RecordSpec
from opencbec.messages.record_xml import writer
from opencbec.messages.safe_xml import XmlLimits, parse_xml
from opencbec.messages.text import escape_text, format_decimal, format_int, format_str

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "ceb-samples" / "import"
SPECS: list[RecordSpec] = [BASE_TRANSFER, EXPORT_BASE_TRANSFER] + [
    spec
    for layouts in (LAYOUTS, EXPORT_LAYOUTS)
    for layout in layouts.values()
    for spec in (layout.head, layout.line)
    if spec is not None
]

# --- the code replaced, kept as the reference ----------------------------------------------

_REFERENCE_SPECIAL = re.compile("[&<>\r]|[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_REFERENCE_RENDER = {"Decimal": format_decimal, "int": format_int}


def reference_format_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected str, got {type(value).__name__}")
    return value if _REFERENCE_SPECIAL.search(value) is None else escape_text(value)


def reference_write(out: list[str], spec: RecordSpec, record: object) -> None:
    if not isinstance(record, spec.cls):
        raise TypeError(f"expected {spec.cls.__name__}, got {type(record).__name__}")
    out.append(f"<ceb:{spec.tag}>")
    for f in spec.fields:
        value = getattr(record, f.attr)
        if value is None or (f.optional and f.kind == "str" and value == ""):
            continue
        render = reference_format_str if f.kind == "str" else _REFERENCE_RENDER[f.kind]
        out.append(f"<ceb:{f.name}>{render(value)}</ceb:{f.name}>")
    out.append(f"</ceb:{spec.tag}>")


def _outcome(write: Any, spec: RecordSpec, record: object) -> tuple[str, str]:
    out: list[str] = []
    try:
        write(out, record)
    except (TypeError, ValueError) as exc:
        return type(exc).__name__, str(exc)
    return "ok", "".join(out)


# --- strategies ----------------------------------------------------------------------------

_TEXT = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="ab&<>\"'\r\n\t \x00\x1f\ufffe\ud800张", max_size=8),
    st.sampled_from(["", " ", "3301960001", "焦洪宇", "a&b", "\u3000"]),
)
_VALUE = {
    "str": _TEXT,
    "Decimal": st.one_of(st.decimals(places=5), st.decimals(), st.integers(-(10**6), 10**6)),
    "int": st.integers(-(10**9), 10**9),
}
_WRONG = st.one_of(st.booleans(), st.floats(allow_nan=False), st.just(b"x"))


@st.composite
def records(draw: st.DrawFn) -> tuple[RecordSpec, object]:
    spec = draw(st.sampled_from(SPECS))
    values: dict[str, Any] = {}
    for f in spec.fields:
        choices = [_VALUE[f.kind], st.none()]
        if draw(st.integers(0, 40)) == 0:  # now and then a value of the wrong type
            choices.append(_WRONG)
        values[f.attr] = draw(st.one_of(choices))
    return spec, spec.cls(**values)


# --- tests ---------------------------------------------------------------------------------


@settings(max_examples=600, deadline=None)
@given(records())
def test_the_generated_writer_writes_what_the_table_driven_loop_wrote(case: tuple[RecordSpec, object]):
    spec, record = case
    assert _outcome(writer(spec), spec, record) == _outcome(
        lambda out, rec: reference_write(out, spec, rec), spec, record
    )


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.cls.__module__.rsplit('.', 1)[-1]}.{s.tag}")
def test_the_generated_writer_refuses_a_record_of_another_class_alike(spec: RecordSpec):
    other = next(s for s in SPECS if s.cls is not spec.cls)
    record = other.cls(**{f.attr: None for f in other.fields})
    assert _outcome(writer(spec), spec, record) == (
        "TypeError",
        f"expected {spec.cls.__name__}, got {type(record).__name__}",
    )
    assert writer(spec) is writer(spec)  # generated once


def test_format_str_fast_path_agrees_with_the_regex_on_every_code_point():
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        value = f"a{char}b"
        assert format_str(value) == reference_format_str(value), hex(code)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="&<>\r\n\t\x00\x7f\x85\u2028\ud800\udfff\ufffe\uffffx ")))
def test_format_str_agrees_with_the_regex_on_any_text(value: str):
    assert format_str(value) == reference_format_str(value)


@pytest.mark.parametrize("value", [1, None, b"x", Decimal(1)])
def test_format_str_still_refuses_what_is_not_a_string(value: object):
    with pytest.raises(TypeError, match="expected str"):
        format_str(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("elements", [1, 2, 7, 50])
def test_the_element_limit_is_exact_when_counting_is_skipped_for_short_text(elements: int):
    # `elements` elements in the shortest spelling: the root plus `<a/>` children.
    data = b"<r>" + b"<a/>" * (elements - 1) + b"</r>"
    assert parse_xml(data, XmlLimits(max_elements=elements)) is not None
    with pytest.raises(MessageRejected, match="elements, over the limit") as refused:
        parse_xml(data, XmlLimits(max_elements=elements - 1))
    assert refused.value.code == "0001"


def _reference_record(spec: RecordSpec, element: etree._Element) -> object:
    """Field by field with findtext: an independent reading of a valid record element."""
    values: dict[str, Any] = {}
    for qname, f in spec.by_tag.items():
        text = element.findtext(qname)
        if text is None and element.find(qname) is None:
            continue
        if not text:
            values[f.attr] = None if f.optional else ""
        else:
            values[f.attr] = f.convert(text) if f.kind != "str" else text
    return spec.cls(**values)


@pytest.mark.parametrize("message_type", REQUESTS)
def test_every_official_request_sample_decodes_to_the_records_of_an_independent_reading(message_type: str):
    path = SAMPLES / f"{message_type}.xml"
    root = etree.fromstring(path.read_bytes())
    layout = REQUESTS[message_type]
    decoded = decode_message(path.read_bytes())
    expected = []
    for element in root.iter(layout.head.qname):
        expected.append(_reference_record(layout.head, element))
    assert [d.head for d in decoded.documents] == expected
    if layout.line is not None:
        lines = [_reference_record(layout.line, e) for e in root.iter(layout.line.qname)]
        assert [line for d in decoded.documents for line in d.lines] == lines
    transfer = root.find(BASE_TRANSFER.qname)
    assert transfer is not None
    assert decoded.envelope.base_transfer == _reference_record(BASE_TRANSFER, transfer)
