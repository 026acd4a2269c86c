"""Export returns (CEB213) and their tally (CEB215), with the 2023 tax policy as a dated rule. Pure.

Checks of a return application against its original list (GACC Ann. 2020 No. 44):

* the list exists and was released (800 or 899), not cancelled;
* the application is within ``return_window_days`` (365) of the list's release;
* every line names a ``gnum`` of the list, and the quantity returned so far plus this one is
  at most the exported quantity (returns may come singly or in bulk, several per list);
* ``tradeMode`` (when given) is 9661 for general exports, 1261 for special-zone exports (1210);
* ``country`` (where the goods come back from) is not China (142).

Accepted returns get 120 with the tax outcome; the tally (CEB215) of the goods at the site
then releases them (800). The tax outcome follows :data:`RETURN_TAX_RULES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from opencbec.domain.codes import R
from opencbec.export import documents as d
from opencbec.export.state import XDoc, XIncoming, XStatus


@dataclass(frozen=True, slots=True)
class ReturnTaxRule:
    """A dated tax rule for export returns.

    Goods other than food exported under ``trade_modes`` with the list released in
    ``[exported_from, exported_to]`` and returned in original state within ``months`` months of
    the release are exempt from import duty, import VAT and consumption tax.
    """

    source: str
    exported_from: date
    exported_to: date
    trade_modes: frozenset[str]
    months: int
    #: HS chapters treated as food (not covered): chapters 01-24 (an approximation, see docs).
    food_chapters: frozenset[str]


RETURN_TAX_RULES: tuple[ReturnTaxRule, ...] = (
    ReturnTaxRule(
        source="MOF/GACC/STA Ann. 2023 No. 4 (关于跨境电子商务出口退运商品税收政策的公告)",
        exported_from=date(2023, 1, 30),
        exported_to=date(2024, 1, 29),  # "within one year of the announcement"; extension unverified
        trade_modes=frozenset({"1210", "9610", "9710", "9810"}),
        months=6,
        food_chapters=frozenset(f"{n:02d}" for n in range(1, 25)),
    ),
)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    return date(year, month, min(day.day, last[month - 1]))


def tax_exempt(trade_mode: str, released: date, returned: date, gcodes: list[str]) -> tuple[bool, str]:
    """Whether a return is exempt from import taxes, and why (the rule in force at export).

    >>> tax_exempt("9610", date(2023, 3, 1), date(2023, 8, 31), ["6109100022"])[0]
    True
    >>> tax_exempt("9610", date(2023, 3, 1), date(2023, 9, 2), ["6109100022"])[0]
    False
    """
    for rule in RETURN_TAX_RULES:
        if not rule.exported_from <= released <= rule.exported_to:
            continue
        if trade_mode not in rule.trade_modes:
            return False, f"{rule.source}: trade mode {trade_mode} not covered"
        food = sorted({g[:2] for g in gcodes} & rule.food_chapters)
        if food:
            return False, f"{rule.source}: food (HS chapter {', '.join(food)}) not covered"
        if returned > _add_months(released, rule.months):
            return False, f"{rule.source}: returned after {rule.months} months from export"
        return True, f"{rule.source}: returned within {rule.months} months, original state declared"
    return False, f"no export-return tax rule for exports released on {released.isoformat()}"


def handle_return(work: object, doc: XDoc, inc: XIncoming) -> None:
    """CEB213: check the return against its original list; 120 with the tax outcome, or 100."""
    from opencbec.export.flow import XWork

    assert isinstance(work, XWork)
    at, ret = inc.received_at, doc.document
    assert isinstance(ret, d.ExportReturn)
    h = ret.head
    lst = work.state.lists_by_invt.get(h.invt_no)
    if lst is None:
        work.refuse(doc, R.X_LIST_NOT_FOUND, f"return {ret.key}: invtNo {h.invt_no}", at)
        return
    original = lst.document
    assert isinstance(original, d.ExportList)
    if lst.status not in (XStatus.RELEASED, XStatus.CLOSED) or lst.released_at is None:
        work.refuse(doc, R.X_RETURN_STATE, f"list {h.invt_no} is at {lst.status}", at)
        return
    if at > lst.released_at + timedelta(days=work.config.return_window_days):
        work.refuse(doc, R.X_RETURN_LATE, f"list {h.invt_no} released {lst.released_at:%Y-%m-%d}", at)
        return
    expected_mode = "1261" if original.head.trade_mode == "1210" else "9661"
    if h.trade_mode and h.trade_mode != expected_mode:
        work.refuse(doc, R.X_RETURN_TRADE_MODE, f"tradeMode {h.trade_mode}, expected {expected_mode}", at)
        return
    if h.country == "142":
        work.refuse(doc, R.X_RETURN_COUNTRY, f"return {ret.key}: country 142", at)
        return
    lines = {line.gnum: line for line in original.lines}
    wanted: dict[int, Decimal] = {}
    for line in ret.lines:
        if line.gnum not in lines:
            work.refuse(doc, R.X_RETURN_GNUM, f"gnum {line.gnum} not on list {h.invt_no}", at)
            return
        wanted[line.gnum] = wanted.get(line.gnum, Decimal(0)) + line.qty
    for gnum, qty in wanted.items():
        done = lst.returned.get(gnum, Decimal(0))
        if done + qty > lines[gnum].qty:
            detail = f"list {h.invt_no} gnum {gnum}: {done} returned + {qty} > exported {lines[gnum].qty}"
            work.refuse(doc, R.X_RETURN_QTY, detail, at)
            return
    for gnum, qty in wanted.items():
        lst.returned[gnum] = lst.returned.get(gnum, Decimal(0)) + qty
    work.touch(lst)
    exempt, why = tax_exempt(
        original.head.trade_mode, lst.released_at.date(), at.date(), [lines[g].gcode for g in wanted]
    )
    doc.tax_exempt = exempt
    reason = R.X_RETURN_TAX_EXEMPT if exempt else R.X_RETURN_TAXABLE
    work.set(doc, XStatus.STORED, reason.info(f"return {ret.key}: {why}"), at)


def handle_tally(work: object, doc: XDoc, inc: XIncoming) -> None:
    """CEB215: the returned goods are at the site; release the return (800) and conclude (399)."""
    from opencbec.export.flow import XWork

    assert isinstance(work, XWork)
    at, tally = inc.received_at, doc.document
    assert isinstance(tally, d.ReturnTally)
    ret = work.state.returns_by_co_el_no.get(tally.head.co_el_no)
    if ret is None or ret.status != XStatus.STORED:
        state = "unknown" if ret is None else ret.status
        work.refuse(doc, R.X_TALLY_NO_RETURN, f"coElNo {tally.head.co_el_no} ({state})", at)
        return
    work.set(ret, XStatus.RELEASED, R.RELEASED.info(f"return {ret.key} tallied"), at)
    work.set(doc, XStatus.CONCLUDED, R.APPROVED.info(f"return {ret.key} tallied"), at)
