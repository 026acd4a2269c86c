"""CEB701 through the export core: CEB702 + CEB792, eligibility, window."""

from __future__ import annotations

from datetime import datetime, timedelta

from opencbec.domain import ceb_export_records as x
from opencbec.export.state import XStatus
from opencbec.sim import export_aftercare as a
from opencbec.sim import export_documents as b
from tests.unit.export.helpers import T0, Driver, goods, parcel, receipts, statuses


def _closed(drv: Driver, n: int, left: datetime, **kw: object) -> str:
    p = parcel(n, **kw)
    lst = drv.full(p, collection=p.trade_mode == "9610" and p.statistics_flag == "B")
    drv.send(b.arrival([p], f"A{n}", left), at=left)
    drv.send(b.departure([p], f"D{n}", left), at=left)
    assert lst.status == XStatus.CLOSED
    return lst.invt_no or ""


def test_a_summary_by_list_numbers_answers_399_and_one_ceb792_per_declaration() -> None:
    drv = Driver()
    n1 = _closed(drv, 1, T0)
    n2 = _closed(drv, 2, T0, goods_=(goods(1), goods(2, item_no="S2", gcode="6404199000")))
    n3 = _closed(drv, 3, T0, port_code="5141")
    at = datetime(2024, 7, 2, 9)
    effects = drv.send(a.summary_apply(parcel(), "SUM1", at, [n1, n2, n3]), at=at)
    assert statuses(effects, "CEB702Message") == ["399"]
    ret = receipts(effects, "CEB702Message")[0]
    assert isinstance(ret, x.SummaryReturn) and ret.sum_no == "22442024S000000001"
    results = receipts(effects, "CEB792Message")
    assert len(results) == 2
    first = results[0]
    assert first.head.decl_seq_no == "22442024D000000001"  # type: ignore[attr-defined]
    assert [(ln.invt_no, ln.gnum, ln.gseqno) for ln in first.lines] == [  # type: ignore[attr-defined]
        (n1, 1, 1),
        (n2, 1, 1),
        (n2, 2, 2),
    ]
    assert drv.state.lists_by_invt[n1].sum_no == ret.sum_no
    again = drv.send(a.summary_apply(parcel(), "SUM2", at, [n1]), at=at)
    assert receipts(again, "CEB702Message")[0].return_info.startswith("[Code:9116;")  # type: ignore[attr-defined]


def test_a_window_takes_the_closed_b_lists_of_the_consignor_and_ignores_the_body() -> None:
    drv = Driver()
    inside = _closed(drv, 1, datetime(2024, 6, 10))
    _closed(drv, 2, datetime(2024, 7, 1, 0, 0, 1))  # outside
    _closed(drv, 3, datetime(2024, 6, 11), statistics_flag="A")  # simplified: statistics only
    _closed(drv, 4, datetime(2024, 6, 12), ebc_code="9999999999", owner_code="9999999999")
    at = datetime(2024, 7, 3)
    window = (datetime(2024, 6, 1), datetime(2024, 6, 30, 23, 59, 59))
    effects = drv.send(a.summary_apply(parcel(), "SUM1", at, ["IGNORED"], window=window), at=at)
    (result,) = receipts(effects, "CEB792Message")
    assert {ln.invt_no for ln in result.lines} == {inside}  # type: ignore[attr-defined]


def test_unfinished_simplified_or_empty_summaries_are_refused() -> None:
    drv = Driver()
    p = parcel(1)
    lst = drv.full(p)
    effects = drv.send(a.summary_apply(p, "S1", T0, [lst.invt_no or ""]))
    assert receipts(effects, "CEB702Message")[0].return_info.startswith("[Code:9116;")  # type: ignore[attr-defined]
    simple = _closed(drv, 2, T0, statistics_flag="A")
    effects = drv.send(a.summary_apply(p, "S2", T0, [simple]))
    assert "statisticsFlag A" in receipts(effects, "CEB702Message")[0].return_info  # type: ignore[attr-defined]
    window = (T0 + timedelta(days=300), T0 + timedelta(days=301))
    effects = drv.send(a.summary_apply(p, "S3", T0, window=window))
    assert receipts(effects, "CEB702Message")[0].return_info.startswith("[Code:9115;")  # type: ignore[attr-defined]
    effects = drv.send(a.summary_apply(p, "S4", T0, [simple], summary_flag="3"))
    assert receipts(effects, "CEB702Message")[0].return_info.startswith("[Code:9117;")  # type: ignore[attr-defined]
