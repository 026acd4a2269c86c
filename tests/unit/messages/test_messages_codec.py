"""Encoding and decoding of the CEB import messages: round trips, JSON form, receipts."""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal
from importlib import resources

import pytest
from ceb_factories import (
    GUID,
    REQUEST_FACTORIES,
    SIGNED_TYPES,
    base_transfer,
    inventory,
    order,
    receipts,
    tax_note,
)
from lxml import etree

from opencbec.messages import (
    MessageRejected,
    decode_message,
    encode_dxp,
    encode_message,
    unsigned_signature_placeholder,
    xml_to_json,
)
from opencbec.messages.encode import check_output
from opencbec.messages.layout import LAYOUTS
from opencbec.messages.schema import CEB_NS, import_schema, terminal_schema
from opencbec.messages.text import format_decimal

XS = "{http://www.w3.org/2001/XMLSchema}"


def _xsd_children(element_name: str) -> list[str]:
    xsd = etree.fromstring((resources.files("opencbec.messages") / "xsd" / "ceb-import.xsd").read_bytes())
    (decl,) = [e for e in xsd.iterchildren(f"{XS}element") if e.get("name") == element_name]
    return [e.get("name") or "" for e in decl.iter(f"{XS}element") if e is not decl]


@pytest.mark.parametrize(
    "spec",
    sorted(
        {s.tag: s for lay in LAYOUTS.values() for s in (lay.head, lay.line) if s}.values(),
        key=lambda s: s.tag,
    ),
    ids=lambda s: s.tag,
)
def test_record_fields_are_the_xsd_elements_in_xsd_order(spec):
    assert [f.name for f in spec.fields] == _xsd_children(spec.tag)


@pytest.mark.parametrize("message_type", REQUEST_FACTORIES)
def test_every_aggregate_type_survives_an_encode_decode_round_trip(message_type):
    factory = REQUEST_FACTORIES[message_type]
    documents = [factory(1), factory(2), factory(3)]
    data = encode_message(message_type, documents, base_transfer(), guid=GUID)
    decoded = decode_message(data)
    assert decoded.documents == documents
    assert decoded.envelope.message_type == message_type
    assert decoded.envelope.guid == GUID
    assert decoded.envelope.base_transfer == base_transfer()
    assert decoded.envelope.cop_msg_id is None
    assert decoded.envelope.signed is False


@pytest.mark.parametrize("message_type", REQUEST_FACTORIES)
def test_encoded_requests_validate_against_the_official_xsd(message_type):
    documents = [REQUEST_FACTORIES[message_type](n) for n in range(1, 101)]
    data = encode_message(message_type, documents, base_transfer(), placeholder_signature=True)
    check_output(data, require_signature=True)


@pytest.mark.parametrize("message_type", REQUEST_FACTORIES)
def test_the_json_form_decodes_to_the_same_objects_as_the_xml(message_type):
    documents = [REQUEST_FACTORIES[message_type](n) for n in (1, 2)]
    data = encode_message(message_type, documents, base_transfer(), placeholder_signature=True)
    from_json = decode_message(xml_to_json(data))
    assert from_json == decode_message(data)


def test_json_members_may_come_in_any_order_and_numbers_may_be_json_numbers():
    head = {
        "orderNo": "ORD1",
        "guid": GUID,
        "appType": "1",
        "appTime": "20240611093015",
        "appStatus": "2",
        "orderType": "I",
        "ebpCode": "3301960000",
        "ebpName": "平台",
        "ebcCode": "3301960001",
        "ebcName": "电商",
        "goodsValue": "__GOODS_VALUE__",
        "freight": 0,
        "discount": "0",
        "taxTotal": 26.21,
        "acturalPaid": 324.31,
        "currency": "142",
        "buyerRegNo": "b1",
        "buyerName": "张三",
        "buyerTelephone": "13800138000",
        "buyerIdType": "1",
        "buyerIdNumber": "110101199003078515",
        "consignee": "张三",
        "consigneeTelephone": "13800138000",
        "consigneeAddress": "杭州",
        "note": None,
    }
    line = {
        "unit": "122",
        "gnum": 1,
        "itemName": "奶粉",
        "gmodel": "900g",
        "qty": 1,
        "price": 298.10,
        "totalPrice": 298.10,
        "currency": "142",
        "country": "601",
    }
    message = {
        "CEB311Message": {
            "BaseTransfer": {
                "copName": "平台",
                "copCode": "3301960000",
                "dxpMode": "DXP",
                "dxpId": "DXPENT0000000001",
            },
            "Order": {"OrderList": [line], "OrderHead": head},
            "version": "1.0",
            "guid": GUID,
        }
    }
    text = json.dumps(message, ensure_ascii=False).replace('"__GOODS_VALUE__"', "298.10")
    decoded = decode_message(text.encode())
    (document,) = decoded.documents
    assert document.head.goods_value == Decimal("298.10")
    assert document.head.goods_value.as_tuple().exponent == -2  # exact JSON spelling kept
    assert document.head.note is None
    assert document.lines[0].gnum == 1
    assert decoded.envelope.sender == "3301960000"


def test_a_json_message_missing_a_required_field_fails_the_same_xsd_rule():
    data = json.loads(xml_to_json(encode_message("CEB311Message", [order()], base_transfer())))
    del data["CEB311Message"]["Order"][0]["OrderHead"]["orderNo"]
    with pytest.raises(MessageRejected) as caught:
        decode_message(json.dumps(data).encode())
    assert caught.value.code == "0002"
    assert "orderNo" in caught.value.info
    assert caught.value.message_type == "CEB311Message"


@pytest.mark.parametrize("message_type", SIGNED_TYPES)
def test_a_placeholder_signature_passes_the_strict_xsd_but_counts_as_unsigned(message_type):
    documents = [REQUEST_FACTORIES[message_type]()]
    data = encode_message(message_type, documents, base_transfer(), placeholder_signature=True)
    assert import_schema(True).validate(etree.fromstring(data))
    decoded = decode_message(data, require_signature=False)
    assert decoded.envelope.signed is False
    with pytest.raises(MessageRejected) as caught:
        decode_message(data, require_signature=True)
    assert caught.value.code == "1001"


def test_the_placeholder_element_is_a_ds_signature_with_key_name_unsigned():
    signature = unsigned_signature_placeholder()
    assert signature.tag == "{http://www.w3.org/2000/09/xmldsig#}Signature"
    assert signature.findtext(".//{*}KeyName") == "UNSIGNED"
    assert signature.find(".//{*}SignatureMethod").get("Algorithm").endswith("rsa-sha1")


def test_encoded_messages_have_declaration_prefix_uppercase_guid_and_version():
    data = encode_message("CEB311Message", [order()], base_transfer())
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = etree.fromstring(data)
    assert root.prefix == "ceb"
    assert root.nsmap == {"ceb": CEB_NS}
    assert re.fullmatch(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", root.get("guid"))
    assert root.get("version") == "1.0"
    assert etree.QName(root[-1]).localname == "BaseTransfer"


def test_none_fields_are_left_out_and_text_is_escaped():
    data = encode_message("CEB311Message", [order()], base_transfer())
    assert b"<ceb:note>" not in data
    assert "文三路1号 &lt;A&amp;B&gt; 座".encode() in data


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("37.31", "37.31"),
        ("0", "0"),
        ("0.00", "0"),
        ("12.50000", "12.5"),
        ("1E+3", "1000"),
        ("0.00001", "0.00001"),
        ("-0.0", "0"),
        ("123456789012345.12345", "123456789012345.12345"),
    ],
)
def test_decimals_are_written_without_exponent_or_trailing_zeros(value, text):
    assert format_decimal(Decimal(value)) == text


def test_control_characters_are_replaced_so_the_output_stays_well_formed():
    document = order()
    document.head.note = "bell\x07 and nul\x00"
    data = encode_message("CEB311Message", [document], base_transfer())
    assert decode_message(data).documents[0].head.note == "bell\ufffd and nul\ufffd"


def test_encode_refuses_more_than_100_documents_and_wrong_item_types():
    with pytest.raises(ValueError, match="at most 100"):
        encode_message("CEB311Message", [order(n) for n in range(101)], base_transfer())
    with pytest.raises(TypeError, match="Order"):
        encode_message("CEB311Message", [inventory()], base_transfer())
    with pytest.raises(ValueError, match="BaseTransfer"):
        encode_message("CEB311Message", [order()])


@pytest.mark.parametrize("message_type", sorted(receipts()))
def test_every_receipt_type_with_realistic_values_is_valid_against_the_xsd(message_type):
    items = receipts()[message_type]
    data = encode_message(message_type, items * 3, validate=True)
    root = etree.fromstring(data)
    assert import_schema(True).validate(root), import_schema(True).error_log
    assert len(root) == 3


@pytest.mark.parametrize("lines", [1, 3])
def test_a_tax_note_with_one_or_three_lines_is_valid_against_the_xsd(lines):
    data = encode_message("CEB816Message", [tax_note(lines), tax_note(1)], validate=True)
    root = etree.fromstring(data)
    assert import_schema(True).validate(root)
    assert len(root[0].findall(f"{{{CEB_NS}}}TaxListRd")) == lines
    assert root[0].findtext(f".//{{{CEB_NS}}}valueAddedTax") == "26.21"


def test_an_invalid_receipt_cannot_be_written_silently_when_validation_is_on():
    (item,) = receipts()["CEB622Message"]
    broken = dataclasses.replace(item, pre_no="B2024")  # preNo must be 18 characters
    with pytest.raises(ValueError, match="preNo"):
        encode_message("CEB622Message", [broken], validate=True)


def test_the_dxp_envelope_validates_against_ceb_terminal_xsd_and_round_trips():
    inner = encode_message("CEB621Message", [inventory()], base_transfer(), placeholder_signature=True)
    data = encode_dxp(inner, "CEB621Message", "DXPENT0000000001", "DXPEDCCEB0000002", "COP-1")
    assert terminal_schema().validate(etree.fromstring(data)), terminal_schema().error_log
    decoded = decode_message(data)
    assert decoded.envelope.cop_msg_id == "COP-1"
    assert decoded.documents == [inventory()]


def test_a_json_message_inside_a_dxp_envelope_decodes_too():
    inner = xml_to_json(
        encode_message("CEB411Message", [REQUEST_FACTORIES["CEB411Message"]()], base_transfer())
    )
    data = encode_dxp(inner, "CEB411Message", "DXPENT0000000001", "DXPEDCCEB0000002", "COP-2")
    assert decode_message(data).envelope.cop_msg_id == "COP-2"


def test_comments_between_and_inside_fields_do_not_change_the_decoded_values():
    data = encode_message("CEB311Message", [order()], base_transfer()).decode()
    data = data.replace("<ceb:orderNo>ORD2024061100", "<!-- c --><ceb:orderNo>ORD<!-- x -->2024061100")
    decoded = decode_message(data.encode())
    assert decoded.documents[0].head.order_no == "ORD20240611000001"


def test_validated_skips_only_the_schema_check_of_bytes_accepted_before():
    """The online worker re-decodes stored submissions with ``validated=True``."""
    xml = encode_message("CEB311Message", [order()], base_transfer())
    invalid = xml.replace(b"<ceb:orderNo>", b"<ceb:orderNo>" + b"9" * 80, 1)  # longer than the XSD allows
    with pytest.raises(MessageRejected) as caught:
        decode_message(invalid)
    assert caught.value.code == "0002"
    (document,) = decode_message(invalid, validated=True).documents
    assert document.head.order_no.startswith("9" * 80)
    assert decode_message(xml, validated=True) == decode_message(xml)
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    with pytest.raises(MessageRejected):
        decode_message(hostile, validated=True)  # the hardened parser still runs
