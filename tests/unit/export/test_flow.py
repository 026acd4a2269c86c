"""The export list flow: matching, states 2 -> 120 -> 800 -> 899, cancels, intake."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from opencbec.export.documents import ExportKind
from opencbec.export.state import XStatus
from opencbec.sim import export_aftercare as a
from opencbec.sim import export_documents as b
from tests.unit.export.helpers import T0, Driver, goods, parcel, receipts, statuses


def test_a_matched_list_goes_120_then_800_on_arrival_then_899_on_departure() -> None:
    drv, p = Driver(), parcel()
    effects = drv.send(b.order(p), b.waybill(p), b.collection(p), b.export_list(p))
    lst = drv.list_of(p)
    assert lst.status == XStatus.STORED
    assert lst.invt_no == "22442024E000000001"
    assert statuses(effects, "CEB604Message") == ["120"]
    assert statuses(effects, "CEB304Message") == ["120"]
    assert statuses(effects, "CEB506Message") == ["120"]
    assert statuses(effects, "CEB404Message") == ["120"]
    effects = drv.send(b.arrival([p], "ARR1", T0 + timedelta(hours=2)), at=T0 + timedelta(hours=2))
    assert lst.status == XStatus.RELEASED and lst.released_at == T0 + timedelta(hours=2)
    assert statuses(effects, "CEB604Message") == ["800"]
    assert statuses(effects, "CEB508Message") == ["120"]
    effects = drv.send(a.binding([p], "999-12345678", T0, [lst.invt_no or ""]))
    assert lst.bill_no == "999-12345678" and statuses(effects, "CEB608Message") == ["120"]
    left = T0 + timedelta(hours=8)
    effects = drv.send(b.departure([p], "DEP1", left), at=left)
    assert lst.status == XStatus.CLOSED and lst.closed_at == left
    assert statuses(effects, "CEB604Message") == ["899"]
    assert statuses(effects, "CEB510Message") == ["120"]


def test_a_list_waits_for_its_partners_in_any_order() -> None:
    drv, p = Driver(), parcel()
    effects = drv.send(b.export_list(p))
    assert drv.list_of(p).status == XStatus.DECLARING
    info = receipts(effects, "CEB604Message")[0].return_info  # type: ignore[attr-defined]
    assert "[Code:9128;" in info and "order, waybill, collection" in info
    drv.send(b.waybill(p), b.order(p))
    assert drv.list_of(p).status == XStatus.DECLARING  # 9610 B needs the collection
    drv.send(b.collection(p))
    assert drv.list_of(p).status == XStatus.STORED


def test_goods_that_arrived_before_the_list_matched_are_released_on_matching() -> None:
    drv, p = Driver(), parcel()
    drv.send(b.arrival([p], "ARR1", T0))
    drv.send(b.order(p), b.waybill(p), b.collection(p), b.export_list(p))
    assert drv.list_of(p).status == XStatus.RELEASED


def test_line_mismatch_with_the_order_refuses_the_list() -> None:
    drv = Driver()
    p = parcel()
    q = parcel(goods_=(goods(1, qty=Decimal(3)),))
    drv.send(b.order(p), b.waybill(p), b.collection(p), b.export_list(q))
    lst = drv.list_of(p)
    assert lst.status == XStatus.REJECTED and lst.info.startswith("[Code:9105;")
    r = parcel(goods_=(goods(1), goods(2)))
    drv2 = Driver()
    drv2.send(b.order(p), b.waybill(p), b.collection(p), b.export_list(r))
    assert drv2.list_of(p).info.startswith("[Code:9105;")


def test_consignor_mismatch_refuses_the_list() -> None:
    drv, p = Driver(), parcel()
    drv.send(b.order(p), b.waybill(p), b.collection(p), b.export_list(parcel(ebc_code="1111111111")))
    assert drv.list_of(p).info.startswith("[Code:9106;")


def test_departure_of_an_unreleased_list_is_refused_as_a_whole() -> None:
    drv, p, q = Driver(), parcel(1), parcel(2)
    drv.full(p)
    drv.full(q)
    drv.send(b.arrival([p], "ARR1", T0))
    effects = drv.send(b.departure([p, q], "DEP1", T0))
    assert statuses(effects, "CEB510Message") == ["100"]
    assert drv.list_of(p).status == XStatus.RELEASED and drv.list_of(q).status == XStatus.STORED


def test_binding_an_unknown_waybill_is_refused() -> None:
    drv, p = Driver(), parcel()
    drv.full(p)
    effects = drv.send(a.binding([p, parcel(9)], "999-1", T0))
    assert statuses(effects, "CEB608Message") == ["100"]
    assert drv.list_of(p).bill_no is None


def test_cancel_of_a_released_list_concludes_it_and_a_closed_list_cannot_be_cancelled() -> None:
    drv, p, q = Driver(), parcel(1), parcel(2)
    lp, lq = drv.full(p), drv.full(q)
    drv.send(b.arrival([p, q], "ARR1", T0))
    effects = drv.send(a.cancel(p, lp.invt_no or "", T0))
    assert lp.status == XStatus.CONCLUDED
    assert statuses(effects, "CEB606Message") == ["399"] and statuses(effects, "CEB604Message") == ["399"]
    drv.send(b.departure([q], "DEP1", T0))
    effects = drv.send(a.cancel(q, lq.invt_no or "", T0))
    assert statuses(effects, "CEB606Message") == ["100"] and lq.status == XStatus.CLOSED
    effects = drv.send(a.cancel(q, "2244E404", T0))
    assert receipts(effects, "CEB606Message")[0].return_info.startswith("[Code:9113;")  # type: ignore[attr-defined]


def test_replay_duplicate_modification_and_hold() -> None:
    drv, p = Driver(), parcel()
    lst = drv.full(p)
    effects = drv.send(b.export_list(p))  # same guid: an idempotent replay
    assert effects.replays == 1 and not effects.receipts
    effects = drv.send(b.export_list(p, at=T0 + timedelta(minutes=1)))  # new guid, same key
    assert receipts(effects, "CEB604Message")[0].return_info.startswith("[Code:9100;")  # type: ignore[attr-defined]
    change = b.export_list(p, at=T0 + timedelta(minutes=2))
    change.head.app_type = "2"
    change.head.guid = "C" * 36
    drv.send(change)
    assert lst.document is change and lst.status == XStatus.STORED
    drv.send(b.arrival([p], "ARR1", T0))
    late = b.export_list(p, at=T0 + timedelta(minutes=3))
    late.head.app_type, late.head.guid = "2", "D" * 36
    effects = drv.send(late)
    assert receipts(effects, "CEB604Message")[0].return_info.startswith("[Code:9102;")  # type: ignore[attr-defined]
    held = b.order(parcel(5))
    held.head.app_status = "1"
    effects = drv.send(held)
    assert statuses(effects, "CEB304Message") == ["1"]
    bad = b.order(parcel(6))
    bad.head.app_type = "3"
    assert statuses(drv.send(bad), "CEB304Message") == ["100"]
    assert drv.doc(ExportKind.ORDER, held.key).status == "1"
