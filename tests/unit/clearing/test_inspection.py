"""Officers' inspection results on lists under inspection (500) or manual review (300)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.inspection import InspectionRefusedError, InspectionResult, Outcome, inspect
from opencbec.clearing.state import Effects
from opencbec.domain.ceb_records import InventoryReturn
from opencbec.domain.codes import Status
from opencbec.domain.documents import DocumentKind
from tests.parcels import Customs, Parcel, cancel_for, make_parcel

T0 = datetime(2024, 6, 1, 10)
LATER = T0 + timedelta(hours=3)


def _inspected(customs: Customs | None = None, **kwargs: object) -> tuple[Customs, Parcel, str]:
    customs = customs or Customs(ClearingConfig(inspection_rate=Decimal(1)))
    parcel = make_parcel(at=T0, **kwargs)  # type: ignore[arg-type]
    customs.send(*parcel.documents())
    assert customs.status(parcel.inventory) == Status.INSPECTION
    return customs, parcel, customs.invt_no(parcel)


def _record(customs: Customs, invt_no: str, outcome: Outcome, note: str = "") -> Effects:
    result = InspectionResult(outcome, "li.wei", "inspector", LATER, note)
    return inspect(customs.state, customs.rulebook, customs.config, invt_no, result)


def _list_receipt(effects: Effects) -> InventoryReturn:
    (receipt,) = effects.receipts
    assert receipt.message_type == "CEB622Message"
    assert receipt.receiver == "330766K00Q"
    assert isinstance(receipt.record, InventoryReturn)
    return receipt.record


def test_release_after_inspection_sends_800_2600_and_the_tax_note() -> None:
    customs, parcel, invt_no = _inspected()
    buyer = parcel.inventory.head.buyer_id_number
    effects = _record(customs, invt_no, Outcome.RELEASE, "X-ray matches the declaration")
    assert customs.status(parcel.inventory) == Status.RELEASED
    record = _list_receipt(effects)
    assert record.return_status == "800"
    assert record.return_info.startswith("[Code:2600;Desc:放行]")
    assert record.invt_no == invt_no
    assert "li.wei" not in record.return_info and "X-ray" not in record.return_info
    (note,) = effects.tax_notes
    assert note.head.tax_no == invt_no + "_0"
    assert note.head.status == "1"
    # 200 + 10 freight = 210 dutiable; milk powder VAT 13 % x 70 % = 19.11
    assert note.head.value_added_tax == Decimal("19.11")
    assert note.head.consumption_tax == Decimal(0)
    assert customs.state.tax_notes[invt_no] is note
    assert not effects.ledger
    assert customs.used(buyer, 2024) == Decimal("210.00")
    lst = customs.state.lists_by_invt_no[invt_no]
    assert lst.decided_at == LATER
    assert any("li.wei" in e.info and "X-ray" in e.info for e in effects.events)


def test_the_tax_note_equals_the_one_an_automatic_release_would_give() -> None:
    auto = Customs()
    parcel = make_parcel(at=T0, prices=[Decimal("123.45"), Decimal("50")], freight=Decimal("7"))
    effects = auto.send(*parcel.documents())
    (expected,) = effects.tax_notes
    customs, _, invt_no = _inspected(prices=[Decimal("123.45"), Decimal("50")], freight=Decimal("7"))
    (note,) = _record(customs, invt_no, Outcome.RELEASE).tax_notes
    assert note.lines == expected.lines
    assert note.head.value_added_tax == expected.head.value_added_tax


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        (Outcome.DETAIN_CLEARANCE, "9060"),
        (Outcome.DETAIN_SMUGGLING, "9061"),
        (Outcome.DETAIN_LEGAL, "9062"),
        (Outcome.DETAIN_OTHER, "9063"),
        (Outcome.RETURN_ABROAD, "9064"),
    ],
)
def test_detaining_or_returning_abroad_sets_the_status_and_reverses_the_ledger(
    outcome: Outcome, code: str
) -> None:
    customs, parcel, invt_no = _inspected()
    buyer = parcel.inventory.head.buyer_id_number
    assert customs.used(buyer, 2024) == Decimal("210.00")
    effects = _record(customs, invt_no, outcome)
    assert customs.status(parcel.inventory) == outcome.value
    record = _list_receipt(effects)
    assert record.return_status == outcome.value
    assert record.return_info.startswith(f"[Code:{code};")
    (entry,) = effects.ledger
    assert entry.amount == Decimal("-210.00")
    assert entry.invt_no == invt_no
    assert customs.used(buyer, 2024) == Decimal("0.00")
    assert not effects.tax_notes


def test_a_detained_list_frees_the_quota_for_the_next_purchase() -> None:
    customs, parcel, invt_no = _inspected(prices=[Decimal("4000")])
    buyer = parcel.inventory.head.buyer_id_number
    _record(customs, invt_no, Outcome.DETAIN_SMUGGLING)
    assert customs.used(buyer, 2024) == Decimal("0.00")


def test_a_list_in_manual_review_can_be_released_by_an_officer() -> None:
    customs = Customs(ClearingConfig(inspection_rate=Decimal(0), manual_review_rate=Decimal(1)))
    parcel = make_parcel(at=T0)
    customs.send(*parcel.documents())
    assert customs.status(parcel.inventory) == Status.MANUAL_REVIEW
    effects = _record(customs, customs.invt_no(parcel), Outcome.RELEASE)
    assert _list_receipt(effects).return_status == "800"
    assert len(effects.tax_notes) == 1


def test_a_single_item_over_the_limit_cannot_be_released_without_a_manual_tax_assessment() -> None:
    customs = Customs()
    parcel = make_parcel(at=T0, prices=[Decimal("6000")], freight=Decimal(0))
    customs.send(*parcel.documents())
    assert customs.status(parcel.inventory) == Status.MANUAL_REVIEW
    with pytest.raises(InspectionRefusedError, match="9014"):
        _record(customs, customs.invt_no(parcel), Outcome.RELEASE)
    assert customs.status(parcel.inventory) == Status.MANUAL_REVIEW
    effects = _record(customs, customs.invt_no(parcel), Outcome.RETURN_ABROAD)
    assert effects.ledger[0].amount == Decimal("-6000.00")


@pytest.mark.parametrize("outcome", list(Outcome))
def test_results_on_released_lists_are_refused_and_change_nothing(outcome: Outcome) -> None:
    customs = Customs()
    parcel = make_parcel(at=T0)
    customs.send(*parcel.documents())
    invt_no = customs.invt_no(parcel)
    with pytest.raises(InspectionRefusedError, match="status 800"):
        _record(customs, invt_no, outcome)
    assert customs.status(parcel.inventory) == Status.RELEASED


def test_a_second_result_on_the_same_list_is_refused() -> None:
    customs, parcel, invt_no = _inspected()
    _record(customs, invt_no, Outcome.DETAIN_LEGAL)
    with pytest.raises(InspectionRefusedError, match="status 503"):
        _record(customs, invt_no, Outcome.RELEASE)
    assert customs.status(parcel.inventory) == "503"


def test_an_unknown_list_is_refused() -> None:
    customs = Customs()
    with pytest.raises(InspectionRefusedError, match="no list"):
        _record(customs, "29242024I999999999", Outcome.RELEASE)


def test_a_list_released_after_inspection_can_then_be_cancelled() -> None:
    customs, parcel, invt_no = _inspected()
    _record(customs, invt_no, Outcome.RELEASE)
    cancel = cancel_for(parcel, invt_no, at=T0 + timedelta(days=1))
    customs.send(cancel)
    assert customs.status(cancel) == Status.CONCLUDED
    assert customs.state.current[(DocumentKind.INVENTORY, parcel.inventory.key)].status == Status.CONCLUDED
