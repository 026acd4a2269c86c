"""Cancels (CEB623) and returns (CEB625) restore the quota and void the tax note."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from opencbec.domain.codes import Status
from tests.parcels import Customs, cancel_for, make_parcel, refund_for

T0 = datetime(2024, 6, 1, 10)


def _released(customs: Customs, **kwargs: object) -> tuple[object, str]:
    parcel = make_parcel(at=T0, **kwargs)  # type: ignore[arg-type]
    customs.send(*parcel.documents())
    assert customs.status(parcel.inventory) == Status.RELEASED
    return parcel, customs.invt_no(parcel)


def test_cancelling_a_released_list_restores_the_quota_and_voids_the_tax_note() -> None:
    customs = Customs()
    parcel, invt_no = _released(customs)
    buyer = parcel.inventory.head.buyer_id_number  # type: ignore[attr-defined]
    assert customs.used(buyer, 2024) == Decimal("210.00")
    cancel = cancel_for(parcel, invt_no, at=T0 + timedelta(days=2))  # type: ignore[arg-type]
    effects = customs.send(cancel)
    assert customs.status(cancel) == Status.CONCLUDED
    assert customs.info(cancel).startswith("[Code:2300;Desc:审核通过]")
    assert customs.status(parcel.inventory) == Status.CONCLUDED  # type: ignore[attr-defined]
    assert customs.used(buyer, 2024) == Decimal("0.00")
    (voided,) = effects.tax_notes
    assert voided.head.status == "3"
    assert voided.head.tax_no == invt_no + "_0"
    assert invt_no not in customs.state.tax_notes


def test_cancelling_twice_is_refused_and_does_not_restore_twice() -> None:
    customs = Customs()
    parcel, invt_no = _released(customs)
    customs.send(cancel_for(parcel, invt_no, at=T0 + timedelta(days=1)))  # type: ignore[arg-type]
    again = cancel_for(parcel, invt_no, at=T0 + timedelta(days=2))  # type: ignore[arg-type]
    effects = customs.send(again)
    assert effects.new_docs[0].info.startswith("[Code:-623009;")
    assert customs.used(parcel.inventory.head.buyer_id_number, 2024) == Decimal("0.00")  # type: ignore[attr-defined]


def test_cancelling_an_unknown_list_is_refused_623003() -> None:
    customs = Customs()
    parcel = make_parcel(at=T0)
    effects = customs.send(cancel_for(parcel, "29242024I999999999", at=T0))
    assert effects.new_docs[0].info.startswith("[Code:-623003;")


def test_cancelling_a_list_under_inspection_is_refused_623005() -> None:
    from opencbec.clearing.config import ClearingConfig

    customs = Customs(ClearingConfig(inspection_rate=Decimal(1)))
    parcel = make_parcel(at=T0)
    customs.send(*parcel.documents())
    assert customs.status(parcel.inventory) == Status.INSPECTION
    effects = customs.send(cancel_for(parcel, customs.invt_no(parcel), at=T0))
    assert effects.new_docs[0].info.startswith("[Code:-623005;")


def test_a_partial_return_within_30_days_reduces_the_ledger_and_reissues_the_tax_note() -> None:
    customs = Customs()
    parcel, invt_no = _released(
        customs, prices=[Decimal("100"), Decimal("300")], qtys=[Decimal(2), Decimal(1)], freight=Decimal(0)
    )
    buyer = parcel.inventory.head.buyer_id_number  # type: ignore[attr-defined]
    assert customs.used(buyer, 2024) == Decimal("500.00")
    refund = refund_for(parcel, invt_no, [(1, Decimal(1))], at=T0 + timedelta(days=29))  # type: ignore[arg-type]
    effects = customs.send(refund)
    assert customs.status(refund) == Status.CONCLUDED
    assert customs.used(buyer, 2024) == Decimal("400.00")
    voided, reissued = effects.tax_notes
    assert voided.head.status == "3"
    assert reissued.head.status == "1"
    assert reissued.head.tax_no == invt_no + "_1"
    assert reissued.head.value_added_tax == Decimal("36.40")  # 400 x 9.1 %


def test_a_return_after_30_days_is_refused_9020() -> None:
    customs = Customs()
    parcel, invt_no = _released(customs)
    refund = refund_for(parcel, invt_no, [(1, Decimal(1))], at=T0 + timedelta(days=31))  # type: ignore[arg-type]
    customs.send(refund)
    assert customs.info(refund).startswith("[Code:9020;")


def test_returning_more_than_was_declared_is_refused_9021() -> None:
    customs = Customs()
    parcel, invt_no = _released(customs)
    first = refund_for(parcel, invt_no, [(1, Decimal(1))], at=T0 + timedelta(days=1), cop_no="RT1")  # type: ignore[arg-type]
    second = refund_for(parcel, invt_no, [(1, Decimal(1))], at=T0 + timedelta(days=2), cop_no="RT2")  # type: ignore[arg-type]
    customs.send(first)
    customs.send(second)
    assert customs.status(first) == Status.CONCLUDED
    assert customs.info(second).startswith("[Code:9021;")


def test_returning_a_line_that_is_not_on_the_list_is_refused_625209() -> None:
    customs = Customs()
    parcel, invt_no = _released(customs)
    refund = refund_for(parcel, invt_no, [(7, Decimal(1))], at=T0 + timedelta(days=1))  # type: ignore[arg-type]
    customs.send(refund)
    assert customs.info(refund).startswith("[Code:-625209;")
