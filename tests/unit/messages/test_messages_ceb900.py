"""CEB900 format-validation receipts are always well-formed and XSD-valid."""

from __future__ import annotations

import base64
import os
from datetime import datetime

import pytest
from ceb_factories import base_transfer, order
from lxml import etree

from opencbec.messages import MessageRejected, decode_message, encode_ceb900, encode_message
from opencbec.messages.ceb900 import ORI_MAX_BYTES
from opencbec.messages.schema import CEB_NS, import_schema


def _receipt(original: bytes, info: str = "detail", code: str = "0002") -> etree._Element:
    data = encode_ceb900(info, code, original, "CEB311Message", "COP-1")
    root = etree.fromstring(data, etree.XMLParser(huge_tree=True))
    schema = import_schema(True)
    assert schema.validate(root), schema.error_log
    return root


def _field(root: etree._Element, name: str) -> str:
    return root.findtext(f"{{{CEB_NS}}}MessageReturn/{{{CEB_NS}}}{name}") or ""


def test_a_schema_refusal_becomes_a_ceb900_with_code_and_official_description():
    original = (
        encode_message("CEB311Message", [order()], base_transfer())
        .replace(b"<ceb:orderNo>", b"<ceb:orderNumber>")
        .replace(b"</ceb:orderNo>", b"</ceb:orderNumber>")
    )
    with pytest.raises(MessageRejected) as caught:
        decode_message(original)
    refusal = caught.value
    data = encode_ceb900(refusal.info, refusal.code, original, refusal.message_type, None)
    root = etree.fromstring(data)
    assert import_schema(True).validate(root)
    assert _field(root, "returnStatus") == "0002"
    assert _field(root, "returnInfo").startswith("[Code:0002;Desc:数据包不能通过schema验证] ")
    assert "orderNumber" in _field(root, "returnInfo")
    assert _field(root, "oriMessageType") == "CEB311Message"
    assert _field(root, "oriCopMsgId") == ""
    assert _field(root, "oriBizMessage") == original.decode()
    assert len(_field(root, "returnTime")) == 17


def test_the_original_text_is_kept_verbatim_even_when_it_contains_the_cdata_end():
    original = "<a>]]>&amp; 中文 ]]]]> ]]></a>".encode()
    root = _receipt(original)
    assert _field(root, "oriBizMessage") == original.decode()


@pytest.mark.parametrize(
    "original",
    [os.urandom(4096), b"\xff\xfe<a/>", b"<a>\x00\x01</a>", b"\x1b[31mred"],
    ids=["random", "bad-utf8", "nul", "escape"],
)
def test_binary_or_illegal_originals_are_carried_as_base64(original):
    text = _field(_receipt(original), "oriBizMessage")
    assert text.startswith(f"[OpenCBEC: base64, original {len(original)} bytes, sha256 ")
    assert base64.b64decode(text.rsplit(" ", 1)[1]) == original


def test_a_20_mb_original_is_truncated_and_the_receipt_stays_valid():
    original = ("<x>" + "数据" * 3_500_000 + "</x>").encode()
    assert len(original) > 20_000_000
    root = _receipt(original)
    text = _field(root, "oriBizMessage")
    assert len(text.encode()) < ORI_MAX_BYTES + 200
    assert text.startswith("<x>数据")
    assert f"[OpenCBEC: truncated, original {len(original)} bytes" in text


def test_a_20_mb_binary_original_is_truncated_base64():
    original = b"\xff" * (20 * 1024 * 1024)
    text = _field(_receipt(original), "oriBizMessage")
    assert len(text) < ORI_MAX_BYTES * 4 // 3 + 200


def test_return_info_is_cut_to_5000_characters_and_control_characters_are_replaced():
    root = _receipt(b"<a/>", info="错" * 6000 + "\x00")
    info = _field(root, "returnInfo")
    assert len(info) == 5000
    assert info.endswith("…")


def test_an_unknown_or_overlong_message_type_is_reported_as_unknown():
    data = encode_ceb900("x", "0999", b"<a/>", "CEB123456789Message", "C" * 300)
    root = etree.fromstring(data)
    assert import_schema(True).validate(root)
    assert _field(root, "oriMessageType") == "Unknown"
    assert len(_field(root, "oriCopMsgId")) == 255
    data = encode_ceb900("x", "0001", b"", None, None, now=datetime(2024, 6, 11, 9, 30, 15, 123456))
    root = etree.fromstring(data)
    assert import_schema(True).validate(root)
    assert _field(root, "oriMessageType") == "Unknown"
    assert _field(root, "returnTime") == "20240611093015123"
