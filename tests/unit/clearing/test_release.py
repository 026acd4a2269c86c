"""A clean parcel is released with its tax note; documents may come in any order."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from opencbec.clearing.config import ClearingConfig
from opencbec.domain.codes import Status
from tests.parcels import NUTS, Customs, buyer_id, make_parcel


def test_a_clean_parcel_is_released_with_a_tax_note_at_9_1_percent() -> None:
    customs = Customs()
    parcel = make_parcel(prices=[Decimal("200")], freight=Decimal("10"))
    effects = customs.send(*parcel.documents())
    assert [customs.status(d) for d in parcel.documents()] == ["120", "120", "120", "800"]
    assert customs.info(parcel.inventory) == "[Code:2600;Desc:放行]"
    (note,) = effects.tax_notes
    assert note.head.invt_no == customs.invt_no(parcel)
    assert note.head.tax_no == customs.invt_no(parcel) + "_0"
    assert note.head.value_added_tax == Decimal("19.11")  # (200 + 10) x 13 % x 70 %
    assert note.head.consumption_tax == Decimal(0)
    assert note.lines[0].tax_price == Decimal("210.00")
    assert customs.used(parcel.inventory.head.buyer_id_number, 2024) == Decimal("210.00")


def test_the_list_receipts_go_from_declared_to_stored_to_released() -> None:
    customs = Customs()
    parcel = make_parcel()
    effects = customs.send(*parcel.documents())
    list_receipts = [r.record for r in effects.receipts if r.message_type == "CEB622Message"]
    assert [r.return_status for r in list_receipts] == ["2", "120", "800"]  # type: ignore[attr-defined]
    assert list_receipts[-1].invt_no == customs.invt_no(parcel)  # type: ignore[attr-defined]
    assert len(list_receipts[0].pre_no) == 18  # type: ignore[attr-defined]


def test_customs_numbers_have_the_official_shapes() -> None:
    customs = Customs()
    parcel = make_parcel()
    customs.send(*parcel.documents())
    invt_no = customs.invt_no(parcel)
    assert len(invt_no) == 18
    assert invt_no.startswith("29242024I")


def test_a_list_that_arrives_before_its_order_waits_and_is_released_when_the_rest_arrive() -> None:
    customs = Customs()
    parcel = make_parcel(at=datetime(2024, 6, 1, 10))
    customs.send(parcel.inventory)
    assert customs.status(parcel.inventory) == Status.DECLARING
    customs.send(parcel.order, parcel.waybill, at=datetime(2024, 6, 1, 12))
    assert customs.status(parcel.inventory) == Status.DECLARING
    customs.send(parcel.payment, at=datetime(2024, 6, 2, 9))
    assert customs.status(parcel.inventory) == Status.RELEASED


def test_bonded_lists_clear_under_1210_and_lower_rate_goods_pay_6_3_percent() -> None:
    customs = Customs()
    parcel = make_parcel(prices=[Decimal("100")], goods=[NUTS], freight=Decimal(0), trade_mode="1210")
    effects = customs.send(*parcel.documents())
    assert customs.status(parcel.inventory) == Status.RELEASED
    assert effects.tax_notes[0].head.value_added_tax == Decimal("6.30")


def test_inspection_selects_lists_deterministically_at_the_configured_rate() -> None:
    parcels = [make_parcel(buyer=buyer_id(i)) for i in range(400)]
    config = ClearingConfig(inspection_rate=Decimal("0.25"))
    first, second = Customs(config), Customs(config)
    for parcel in parcels:
        first.send(*parcel.documents())
        second.send(*parcel.documents())
    inspected = [p for p in parcels if first.status(p.inventory) == Status.INSPECTION]
    assert [second.status(p.inventory) for p in inspected] == ["500"] * len(inspected)
    assert 60 <= len(inspected) <= 140
    assert all(first.info(p.inventory).startswith("[Code:9040;") for p in inspected)
    # inspected lists count toward the limit but have no tax note until released
    assert all(first.invt_no(p) not in first.state.tax_notes for p in inspected)


def test_batch_size_does_not_change_outcomes() -> None:
    buyer_parcels = [
        make_parcel(prices=[Decimal("4000")], at=datetime(2024, 6, 1, 10) + timedelta(minutes=i))
        for i in range(10)
    ]
    whole, one_by_one = Customs(), Customs()
    docs = [d for p in buyer_parcels for d in (p.inventory, p.order, p.waybill, p.payment)]
    whole.send(*docs)
    for d in docs:
        one_by_one.send(d)
    assert [whole.status(p.inventory) for p in buyer_parcels] == [
        one_by_one.status(p.inventory) for p in buyer_parcels
    ]
    assert [whole.status(p.inventory) for p in buyer_parcels].count("100") == 4  # 6 x 4010 <= 26000
