"""Export returns (CEB213) and tallies (CEB215): within a year, quantities, the 2023 tax rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from opencbec.export.returns import tax_exempt
from opencbec.export.state import XDoc, XStatus
from opencbec.sim import export_aftercare as a
from opencbec.sim import export_documents as b
from opencbec.sim.export_documents import Parcel
from tests.unit.export.helpers import Driver, goods, parcel, receipts, statuses

RELEASED = datetime(2023, 3, 1, 10)


def _released(drv: Driver, p: Parcel) -> XDoc:
    lst = drv.full(p, at=RELEASED)
    drv.send(b.arrival([p], "A1", RELEASED), at=RELEASED)
    assert lst.status == XStatus.RELEASED
    return lst


def _info(effects: object) -> str:
    return receipts(effects, "CEB214Message")[0].return_info  # type: ignore[arg-type, attr-defined, no-any-return]


def test_returns_in_bulk_up_to_the_exported_quantity_then_over_quantity_is_refused() -> None:
    drv, p = (
        Driver(at=RELEASED),
        parcel(at=RELEASED, goods_=(goods(1, qty=Decimal(3)), goods(2, item_no="S2"))),
    )
    lst = _released(drv, p)
    at = RELEASED + timedelta(days=30)
    e1 = drv.send(a.export_return(p, lst.invt_no or "", "R1", at, {1: Decimal(2)}), at=at)
    assert statuses(e1, "CEB214Message") == ["120"] and _info(e1).startswith("[Code:9125;")
    e2 = drv.send(a.export_return(p, lst.invt_no or "", "R2", at, {1: Decimal(2)}), at=at)
    assert statuses(e2, "CEB214Message") == ["100"] and _info(e2).startswith("[Code:9121;")
    e3 = drv.send(a.export_return(p, lst.invt_no or "", "R3", at, {1: Decimal(1), 2: Decimal(2)}), at=at)
    assert statuses(e3, "CEB214Message") == ["120"]
    assert lst.returned == {1: Decimal(3), 2: Decimal(2)}


def test_a_return_after_one_year_is_refused_and_one_within_is_taxable_after_6_months() -> None:
    drv, p = Driver(at=RELEASED), parcel(at=RELEASED)
    lst = _released(drv, p)
    late = RELEASED + timedelta(days=366)
    e = drv.send(a.export_return(p, lst.invt_no or "", "R1", late), at=late)
    assert _info(e).startswith("[Code:9120;")
    within = RELEASED + timedelta(days=300)
    e = drv.send(a.export_return(p, lst.invt_no or "", "R2", within), at=within)
    assert statuses(e, "CEB214Message") == ["120"] and _info(e).startswith("[Code:9126;")


def test_return_checks_gnum_state_trade_mode_and_country() -> None:
    drv, p = Driver(at=RELEASED), parcel(at=RELEASED)
    lst = _released(drv, p)
    n = lst.invt_no or ""
    assert _info(drv.send(a.export_return(p, n, "R1", RELEASED, {9: Decimal(1)}))).startswith("[Code:9122;")
    assert _info(drv.send(a.export_return(p, n, "R2", RELEASED, trade_mode="1261"))).startswith("[Code:9123;")
    assert _info(drv.send(a.export_return(p, n, "R3", RELEASED, country="142"))).startswith("[Code:9124;")
    assert _info(drv.send(a.export_return(p, "NOPE", "R4", RELEASED))).startswith("[Code:9113;")
    waiting = parcel(2, at=RELEASED)
    pending = drv.full(waiting, at=RELEASED)
    e = drv.send(a.export_return(waiting, pending.invt_no or "", "R5", RELEASED))
    assert _info(e).startswith("[Code:9119;")
    assert statuses(drv.send(a.export_return(p, n, "R6", RELEASED, trade_mode="9661")), "CEB214Message") == [
        "120"
    ]


def test_special_zone_returns_use_1261() -> None:
    drv = Driver(at=RELEASED)
    p = parcel(at=RELEASED, trade_mode="1210", ems_no="T2244W000001", iac_code="2244660001")
    lst = _released(drv, p)
    n = lst.invt_no or ""
    assert _info(drv.send(a.export_return(p, n, "R1", RELEASED, trade_mode="9661"))).startswith("[Code:9123;")
    assert statuses(drv.send(a.export_return(p, n, "R2", RELEASED, trade_mode="1261")), "CEB214Message") == [
        "120"
    ]


def test_the_tally_releases_the_return() -> None:
    drv, p = Driver(at=RELEASED), parcel(at=RELEASED)
    lst = _released(drv, p)
    drv.send(a.export_return(p, lst.invt_no or "", "R1", RELEASED))
    e = drv.send(a.tally(p, "R1", lst.invt_no or "", RELEASED))
    assert statuses(e, "CEB216Message") == ["399"] and statuses(e, "CEB214Message") == ["800"]
    e = drv.send(a.tally(p, "R9", lst.invt_no or "", RELEASED))
    assert statuses(e, "CEB216Message") == ["100"]


def test_the_2023_tax_rule_is_dated_and_excludes_food() -> None:
    assert tax_exempt("9610", date(2023, 1, 30), date(2023, 7, 30), ["6109100022"])[0]
    assert not tax_exempt("9610", date(2023, 1, 29), date(2023, 2, 1), ["6109100022"])[0]  # before the rule
    assert not tax_exempt("9610", date(2024, 2, 1), date(2024, 3, 1), ["6109100022"])[0]  # after its year
    assert not tax_exempt("9610", date(2023, 6, 1), date(2023, 7, 1), ["2106909090"])[0]  # food
    assert tax_exempt("1210", date(2023, 8, 31), date(2024, 2, 29), ["6109100022"])[0]  # month end
    assert not tax_exempt("0110", date(2023, 6, 1), date(2023, 7, 1), ["6109100022"])[0]
