"""Replays never count twice; modifications replace only where the status allows."""

from __future__ import annotations

from decimal import Decimal

from opencbec.domain.codes import Status
from tests.parcels import Customs, guid, make_parcel, with_head


def test_the_same_message_sent_again_changes_nothing_and_resends_the_status() -> None:
    customs = Customs()
    parcel = make_parcel()
    customs.send(*parcel.documents())
    buyer = parcel.inventory.head.buyer_id_number
    again = customs.send(*parcel.documents())
    assert again.new_docs == []
    assert len(again.replays) == 4
    assert customs.used(buyer, 2024) == Decimal("210.00")
    assert [r.record.return_status for r in again.receipts] == ["120", "120", "120", "800"]  # type: ignore[attr-defined]
    assert again.tax_notes == []
    assert again.ledger == []


def test_a_second_list_for_the_same_order_is_refused_621004_and_the_first_stands() -> None:
    customs = Customs()
    parcel = make_parcel()
    customs.send(*parcel.documents())
    twin = with_head(parcel.inventory, guid=guid())
    effects = customs.send(twin)
    (refused,) = effects.new_docs
    assert refused.status == Status.REJECTED
    assert refused.info.startswith("[Code:-621004;")
    assert customs.status(parcel.inventory) == Status.RELEASED
    assert customs.used(parcel.inventory.head.buyer_id_number, 2024) == Decimal("210.00")


def test_a_second_order_with_the_same_number_is_refused_301010() -> None:
    customs = Customs()
    parcel = make_parcel()
    customs.send(parcel.order)
    effects = customs.send(with_head(parcel.order, guid=guid()))
    assert effects.new_docs[0].info.startswith("[Code:-301010;")


def test_an_order_may_be_modified_before_its_list_is_accepted() -> None:
    customs = Customs()
    parcel = make_parcel()
    customs.send(parcel.order)
    changed = with_head(parcel.order, app_type="2", guid=guid(), buyer_telephone="13900000000")
    customs.send(changed)
    stored = customs.state.current[(changed.kind, changed.key)]
    assert stored.guid == changed.head.guid
    assert stored.document.head.buyer_telephone == "13900000000"  # type: ignore[union-attr]


def test_an_order_may_not_be_modified_after_its_list_is_released_301011() -> None:
    customs = Customs()
    parcel = make_parcel()
    customs.send(*parcel.documents())
    effects = customs.send(with_head(parcel.order, app_type="2", guid=guid()))
    assert effects.new_docs[0].info.startswith("[Code:-301011;")
    assert customs.state.current[(parcel.order.kind, parcel.order.key)].guid == parcel.order.head.guid


def test_a_waiting_list_may_be_modified_and_the_new_version_is_cleared() -> None:
    customs = Customs()
    parcel = make_parcel()
    wrong = with_head(parcel.inventory, buyer_name="王五")
    customs.send(wrong)
    fixed = with_head(parcel.inventory, app_type="2", guid=guid())
    customs.send(fixed, parcel.order, parcel.payment, parcel.waybill)
    assert customs.status(fixed) == Status.RELEASED
    assert customs.state.current[(fixed.kind, fixed.key)].guid == fixed.head.guid


def test_a_released_list_may_not_be_modified_621012() -> None:
    customs = Customs()
    parcel = make_parcel()
    customs.send(*parcel.documents())
    effects = customs.send(with_head(parcel.inventory, app_type="2", guid=guid()))
    assert effects.new_docs[0].info.startswith("[Code:-621012;")


def test_a_modification_of_nothing_is_refused_621011() -> None:
    customs = Customs()
    effects = customs.send(with_head(make_parcel().inventory, app_type="2"))
    assert effects.new_docs[0].info.startswith("[Code:-621011;")


def test_a_rejected_list_may_be_declared_again() -> None:
    customs = Customs()
    parcel = make_parcel()
    customs.send(with_head(parcel.inventory, currency="502"))
    assert customs.status(parcel.inventory) == Status.REJECTED
    customs.send(with_head(parcel.inventory, guid=guid()), parcel.order, parcel.payment, parcel.waybill)
    assert customs.status(parcel.inventory) == Status.RELEASED


def test_a_held_document_is_stored_but_not_declared() -> None:
    customs = Customs()
    parcel = make_parcel()
    held = with_head(parcel.inventory, app_status="1")
    customs.send(parcel.order, parcel.payment, parcel.waybill, held)
    assert customs.status(held) == Status.HELD
