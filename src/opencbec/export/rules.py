"""The checks of an export list: its own fields, the simplified mode, B2B, and matching. Pure.

* ``statisticsFlag`` A (清单核放、汇总统计, simplified): only for goods with no licence
  (``licenseNo`` empty), no export duty (the heading is not in ``export_duty_headings``) and
  no export VAT refund (the enterprise declares that by choosing A; the list is never summarised);
  ``gcode`` needs only its first 4 digits (the heading) to be digits.
* ``statisticsFlag`` B: ``gcode`` must be 10 digits; the list is summarised later.
* 9710/9810 (B2B) on a list: only for small parcels, at most ``b2b_list_limit`` CNY per list;
  larger B2B shipments go on an ordinary declaration referencing the order. The order must be
  ``orderType`` B (9710) or W (9810, warehouse booking); 9610/1210 need E.
* 1210 (special zone) needs ``emsNo``, ``iacCode`` and ``itemRecordNo`` on every line.
* Matching line by ``gnum`` with the order: same set of gnum, and per line the same
  ``itemNo``, ``unit``, ``currency``, ``qty`` and ``totalPrice``; the order's ``ebcCode`` must
  be the list's. The collection note is required for 9610 lists declared for summary (B),
  which are the ones that later support FX and tax refund; it must name the same ``ebcCode``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from opencbec.domain.codes import R, Reason
from opencbec.export.documents import Collection, ExportList, ExportOrder, ExportWaybill

TRADE_MODES = frozenset({"9610", "1210", "9710", "9810"})
ORDER_TYPE = {"9610": "E", "1210": "E", "9710": "B", "9810": "W"}
CNY = "142"


@dataclass(frozen=True, slots=True)
class ExportConfig:
    """Parameters of the export flow (defaults follow the write-up; see docs/export.md)."""

    b2b_list_limit: Decimal = Decimal(5000)
    #: Tariff headings (4 digits) that carry export duty: not allowed in the simplified mode.
    #: Illustrative subset (ores, ferro-alloys, some fertilisers); load the full table in production.
    export_duty_headings: frozenset[str] = field(
        default_factory=lambda: frozenset({"2601", "2602", "2603", "2606", "2608", "7202", "3105", "2804"})
    )
    #: Returns are accepted up to this many days after the list's release (Ann. 2020 No. 44).
    return_window_days: int = 365
    #: The summary for month M is due by this day of month M+1 (Ann. 194; holidays not moved).
    summary_due_day: int = 15


Problem = tuple[Reason, str]


def check_list(lst: ExportList, config: ExportConfig) -> Problem | None:
    """The list's own rules; None when it passes."""
    h = lst.head
    name = f"list {lst.key}"
    if h.ie_flag != "E":
        return R.X_FIELD, f"{name}: ieFlag {h.ie_flag!r} must be 'E'"
    if h.trade_mode not in TRADE_MODES:
        return R.X_FIELD, f"{name}: tradeMode {h.trade_mode!r} is not one of {sorted(TRADE_MODES)}"
    if h.statistics_flag not in ("A", "B"):
        return R.X_FIELD, f"{name}: statisticsFlag {h.statistics_flag!r} must be A or B"
    gnums = [line.gnum for line in lst.lines]
    if len(set(gnums)) != len(gnums):
        return R.X_FIELD, f"{name}: gnum repeated in {gnums}"
    for line in lst.lines:
        if abs(line.qty * line.price - line.total_price) > Decimal("0.01"):
            return R.X_FIELD, f"{name} gnum {line.gnum}: totalPrice {line.total_price} != qty × price"
        if h.statistics_flag == "B" and not line.gcode.isdigit():
            return (
                R.X_FIELD,
                f"{name} gnum {line.gnum}: gcode {line.gcode!r} must be 10 digits (summary mode)",
            )
        if h.statistics_flag == "A" and not line.gcode[:4].isdigit():
            return (
                R.X_FIELD,
                f"{name} gnum {line.gnum}: gcode {line.gcode!r} must start with a 4-digit heading",
            )
    if h.statistics_flag == "A":
        problem = _simplified(lst, config)
        if problem:
            return problem
    if h.trade_mode in ("9710", "9810"):
        total = sum((line.total_price for line in lst.lines), Decimal(0))
        if all(line.currency == CNY for line in lst.lines) and total > config.b2b_list_limit:
            return R.X_B2B_OVER_LIMIT, f"{name}: {h.trade_mode} list of {total} CNY > {config.b2b_list_limit}"
    if h.trade_mode == "1210":
        missing = [f for f in ("ems_no", "iac_code") if not getattr(h, f)]
        if missing or any(not line.item_record_no for line in lst.lines):
            return R.X_BONDED_FIELDS, f"{name}: 1210 needs emsNo, iacCode and itemRecordNo on every line"
    return None


def _simplified(lst: ExportList, config: ExportConfig) -> Problem | None:
    h = lst.head
    if h.license_no:
        return R.X_NOT_SIMPLIFIED, f"list {lst.key}: licenceNo {h.license_no} given (涉证)"
    dutiable = sorted({ln.gcode[:4] for ln in lst.lines} & config.export_duty_headings)
    if dutiable:
        return R.X_NOT_SIMPLIFIED, f"list {lst.key}: heading(s) {', '.join(dutiable)} carry export duty"
    return None


def collection_required(lst: ExportList) -> bool:
    """A collection note is needed for 9610 lists declared for summary (statisticsFlag B)."""
    return lst.head.trade_mode == "9610" and lst.head.statistics_flag == "B"


def match(
    lst: ExportList, order: ExportOrder, waybill: ExportWaybill, collection: Collection | None
) -> Problem | None:
    """Compare the list with its order (line by gnum), waybill and collection."""
    h, o = lst.head, order.head
    name = f"list {lst.key}"
    if o.ebc_code != h.ebc_code:
        return R.X_PARTY_MISMATCH, f"{name}: ebcCode {h.ebc_code} but order {order.key} has {o.ebc_code}"
    expected = ORDER_TYPE[h.trade_mode]
    if o.order_type != expected:
        return (
            R.X_ORDER_TYPE,
            f"{name}: tradeMode {h.trade_mode} needs orderType {expected}, got {o.order_type}",
        )
    if waybill.head.logistics_code != h.logistics_code:
        return R.X_PARTY_MISMATCH, f"{name}: logisticsCode differs from waybill {waybill.key}"
    if collection is not None and collection.head.ebc_code != h.ebc_code:
        return (
            R.X_PARTY_MISMATCH,
            f"{name}: collection {collection.key} names ebcCode {collection.head.ebc_code}",
        )
    by_gnum = {line.gnum: line for line in order.lines}
    if set(by_gnum) != {line.gnum for line in lst.lines}:
        return (
            R.X_ITEMS_MISMATCH,
            f"{name}: gnum {sorted(ln.gnum for ln in lst.lines)} vs order {sorted(by_gnum)}",
        )
    for line in lst.lines:
        ol = by_gnum[line.gnum]
        for fld in ("item_no", "unit", "currency", "qty", "total_price"):
            if getattr(line, fld) != getattr(ol, fld):
                return (
                    R.X_ITEMS_MISMATCH,
                    f"{name} gnum {line.gnum}: {fld} {getattr(line, fld)} vs order {getattr(ol, fld)}",
                )
    return None
