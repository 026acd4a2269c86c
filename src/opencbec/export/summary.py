"""Consolidated declaration (清单核放、汇总申报): closed lists -> export declarations. Pure.

Grouping (write-up §4.5; CEB701 flags):

* **head key** (one declaration each): consignor ``ebcCode``; with ``summaryFlag`` 2 also the
  producer/seller ``ownerCode``; then ``tradeMode`` (a declaration has one trade mode, so 9710/9810
  B2B lists never merge with 9610), transport mode ``trafMode``, country of arrival ``country``
  and exit customs ``portCode``;
* **line key** (one item each, numbered ``gseqno`` 1..n in order of first appearance): final
  destination ``country`` of the line, 10-digit ``gcode``, declared ``unit`` (and the legal units
  ``unit1``/``unit2``), ``currency``, and the goods name: with ``itemNameFlag`` 1 the enterprise's
  ``itemName`` (``gname`` when empty), otherwise the classification name ``gname``.

Quantities (``qty``, ``qty1``, ``qty2``) and values (``totalPrice``) are summed per item; gross and
net weights per declaration. Every list line is mapped to exactly one item (``sources``), which is
what CEB792 reports (``invtNo``, ``logisticsNo``, ``gnum`` -> ``gseqno``). Lists are taken in
``invtNo`` order so the result does not depend on arrival order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from opencbec.export.documents import ExportList


@dataclass(frozen=True, slots=True)
class HeadKey:
    """What makes one declaration."""

    ebc_code: str
    owner_code: str  # "" with summaryFlag 1
    trade_mode: str
    traf_mode: str
    country: str
    port_code: str


@dataclass(frozen=True, slots=True)
class LineKey:
    """What makes one item of a declaration."""

    country: str
    gcode: str
    unit: str
    unit1: str
    unit2: str
    currency: str
    name: str


@dataclass(frozen=True, slots=True)
class Source:
    """One list line summarised into an item."""

    invt_no: str
    logistics_no: str
    gnum: int
    gcode: str


@dataclass(slots=True)
class Item:
    """One item (商品项) of a declaration."""

    gseqno: int
    key: LineKey
    qty: Decimal = Decimal(0)
    qty1: Decimal = Decimal(0)
    qty2: Decimal = Decimal(0)
    total_price: Decimal = Decimal(0)
    sources: list[Source] = field(default_factory=list)


@dataclass(slots=True)
class Declaration:
    """One export declaration generated from lists."""

    key: HeadKey
    ebc_name: str
    agent_code: str
    agent_name: str
    customs_code: str
    items: list[Item] = field(default_factory=list)
    invt_nos: list[str] = field(default_factory=list)
    order_nos: list[str] = field(default_factory=list)
    gross_weight: Decimal = Decimal(0)
    net_weight: Decimal = Decimal(0)

    def totals(self) -> dict[str, Decimal]:
        """Total value per currency."""
        out: dict[str, Decimal] = {}
        for item in self.items:
            out[item.key.currency] = out.get(item.key.currency, Decimal(0)) + item.total_price
        return out


@dataclass(frozen=True, slots=True)
class ClosedList:
    """A closed list as the summary sees it."""

    invt_no: str
    document: ExportList
    closed_at: datetime


def head_key(lst: ExportList, summary_flag: str) -> HeadKey:
    """The declaration a list goes to."""
    h = lst.head
    owner = h.owner_code if summary_flag == "2" else ""
    return HeadKey(h.ebc_code, owner, h.trade_mode, h.traf_mode, h.country, h.port_code)


def build_declarations(
    lists: Iterable[ClosedList], summary_flag: str, item_name_flag: str
) -> list[Declaration]:
    """Group ``lists`` into declarations and items (see the module doc)."""
    if summary_flag not in ("1", "2"):
        raise ValueError(f"summaryFlag {summary_flag!r} must be 1 or 2")
    by_name = item_name_flag == "1"
    declarations: dict[HeadKey, Declaration] = {}
    items: dict[tuple[HeadKey, LineKey], Item] = {}
    for closed in sorted(lists, key=lambda c: c.invt_no):
        lst = closed.document
        h = lst.head
        hk = head_key(lst, summary_flag)
        decl = declarations.get(hk)
        if decl is None:
            decl = declarations[hk] = Declaration(hk, h.ebc_name, h.agent_code, h.agent_name, h.customs_code)
        decl.invt_nos.append(closed.invt_no)
        if h.order_no not in decl.order_nos:
            decl.order_nos.append(h.order_no)
        decl.gross_weight += h.gross_weight
        decl.net_weight += h.net_weight
        for line in sorted(lst.lines, key=lambda ln: ln.gnum):
            name = (line.item_name or line.gname) if by_name else line.gname
            lk = LineKey(
                line.country, line.gcode, line.unit, line.unit1, line.unit2 or "", line.currency, name
            )
            item = items.get((hk, lk))
            if item is None:
                item = items[(hk, lk)] = Item(len(decl.items) + 1, lk)
                decl.items.append(item)
            item.qty += line.qty
            item.qty1 += line.qty1
            item.qty2 += line.qty2 or Decimal(0)
            item.total_price += line.total_price
            item.sources.append(Source(closed.invt_no, h.logistics_no, line.gnum, line.gcode))
    return list(declarations.values())


def month_window(month: str) -> tuple[datetime, datetime]:
    """``2024-06`` -> [2024-06-01 00:00, 2024-07-01 00:00).

    >>> month_window("2024-12")
    (datetime.datetime(2024, 12, 1, 0, 0), datetime.datetime(2025, 1, 1, 0, 0))
    """
    year, mon = (int(p) for p in month.split("-"))
    start = datetime(year, mon, 1)
    end = datetime(year + mon // 12, mon % 12 + 1, 1)
    return start, end


def previous_month(day: date) -> str:
    """The month before ``day`` as ``YYYY-MM``.

    >>> previous_month(date(2024, 1, 20))
    '2023-12'
    """
    year, mon = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return f"{year:04d}-{mon:02d}"


def overdue(lists: Sequence[ClosedList], as_of: date, due_day: int = 15) -> list[ClosedList]:
    """Lists closed last month and not yet summarised, once the due day has passed.

    ``lists`` are the unsummarised closed lists (statisticsFlag B); after the ``due_day`` of the
    month, those closed in the previous month are overdue. Holidays do not move the day here.
    """
    if as_of.day <= due_day:
        return []
    start, end = month_window(previous_month(as_of))
    return [c for c in lists if start <= c.closed_at < end]
