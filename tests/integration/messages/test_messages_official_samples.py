"""The official CEB 2022 import samples decode, bare, in a DxpMsg and in the JSON form."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from opencbec.domain.documents import Cancel, Inventory, Order, Payment, Refund, Waybill
from opencbec.messages import decode_message, encode_dxp, encode_message, xml_to_json

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "ceb-samples" / "import"

# message type -> (aggregate, documents, lines per document)
EXPECTED = {
    "CEB311Message": (Order, 6, 2),
    "CEB411Message": (Payment, 10, None),
    "CEB511Message": (Waybill, 6, None),
    "CEB621Message": (Inventory, 10, 2),
    "CEB623Message": (Cancel, 10, None),
    "CEB625Message": (Refund, 10, 1),
}


def _sample(message_type: str) -> bytes:
    return (SAMPLES / f"{message_type}.xml").read_bytes()


@pytest.mark.parametrize("message_type", EXPECTED)
@pytest.mark.parametrize("wrapped", [False, True], ids=["bare", "dxp"])
def test_each_official_sample_decodes_with_its_documents_and_lines(message_type, wrapped):
    data = _sample(message_type)
    if wrapped:
        data = encode_dxp(data, message_type, "DXPENT0000000001", "DXPEDCCEB0000002", "COP-S")
    decoded = decode_message(data, require_signature=True)
    aggregate, count, lines = EXPECTED[message_type]
    assert decoded.envelope.message_type == message_type
    assert decoded.envelope.signed is True
    assert decoded.envelope.cop_msg_id == ("COP-S" if wrapped else None)
    assert len(decoded.documents) == count
    assert all(isinstance(d, aggregate) for d in decoded.documents)
    if lines is not None:
        assert all(len(d.lines) == lines for d in decoded.documents)


def test_the_order_sample_maps_amounts_to_decimals_and_empty_notes_to_none():
    decoded = decode_message(_sample("CEB311Message"))
    head = decoded.documents[0].head
    assert head.order_no == "order20160321116421002"
    assert head.actural_paid == Decimal("19050")
    assert head.goods_value == Decimal("14000")
    assert head.consignee == "焦洪宇"
    assert head.consignee_district == "072750"
    line = decoded.documents[0].lines[1]
    assert (line.gnum, line.item_no, line.qty, line.note) == (2, "AF001-002", Decimal("200"), None)
    assert decoded.envelope.sender == "1101180326"
    assert decoded.envelope.guid == "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"


def test_the_payment_waybill_and_list_samples_carry_the_expected_fields():
    payment = decode_message(_sample("CEB411Message")).documents[0].head
    assert (payment.pay_transaction_id, payment.amount_paid) == ("P0242250007", Decimal("19050"))
    waybill = decode_message(_sample("CEB511Message")).documents[0].head
    assert (waybill.logistics_no, waybill.pack_no, waybill.weight) == (
        "L201603081138007",
        6000,
        Decimal("4000"),
    )
    inventory = decode_message(_sample("CEB621Message")).documents[0]
    assert inventory.head.pre_no is None and inventory.head.invt_no is None
    assert (inventory.head.trade_mode, inventory.head.pack_no) == ("9610", 6000)
    assert inventory.lines[1].item_name == "花王纸尿裤"
    assert inventory.lines[1].qty2 == Decimal("300")


def test_the_cancel_and_refund_samples_carry_the_expected_fields():
    cancel = decode_message(_sample("CEB623Message")).documents[0].head
    assert (cancel.invt_no, cancel.pre_no) == ("150201613031520001", "B20160308000000001")
    refund = decode_message(_sample("CEB625Message"))
    assert refund.envelope.sender == "JDGW20160310001"
    line = refund.documents[0].lines[0]
    assert (line.gname, line.qty, line.unit) == ("可乐", Decimal("12"), "007")


@pytest.mark.parametrize("message_type", EXPECTED)
def test_each_official_sample_converted_to_json_decodes_to_the_same_objects(message_type):
    data = _sample(message_type)
    assert decode_message(xml_to_json(data)) == decode_message(data)


@pytest.mark.parametrize("message_type", EXPECTED)
def test_each_official_sample_re_encodes_to_the_same_documents(message_type):
    decoded = decode_message(_sample(message_type))
    again = encode_message(
        message_type,
        decoded.documents,
        decoded.envelope.base_transfer,
        guid=decoded.envelope.guid,
        validate=True,
    )
    assert decode_message(again).documents == decoded.documents


ALL_SAMPLES = sorted(SAMPLES.glob("*.xml"))


@pytest.mark.parametrize("path", ALL_SAMPLES, ids=lambda p: p.name)
def test_every_official_import_sample_is_read_by_the_hardened_parser_and_passes_the_xsd(path: Path) -> None:
    from opencbec.messages.safe_xml import parse_xml
    from opencbec.messages.schema import import_schema

    root = parse_xml(path.read_bytes())
    import_schema(True).assertValid(root.getroottree())


def test_all_sixteen_import_samples_are_covered() -> None:
    assert len(ALL_SAMPLES) == 16
