"""Structured restrictions from the 备注 (remarks) column of the positive list.

The remark text is always kept verbatim; this module only extracts what it can recognise:

>>> r = parse_remark("仅限网购保税；个人年度累计购买不超过2千克")
>>> r.bonded_only, r.per_person_annual_qty, r.qty_unit, r.unparsed
(True, Decimal('2'), '千克', ())
>>> parse_remark("仅限家用打印机墨水").name_whitelist
('家用打印机墨水',)
>>> parse_remark("列入《进出口野生动植物种商品目录》的商品除外").excluded_note
'列入《进出口野生动植物种商品目录》的商品除外'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_CLAUSES = re.compile(r"[；;。\n]+")
_PARTS = re.compile(r"[，,]+")
_BONDED = re.compile(r"仅?限(?:于)?网购保税(?:进口)?(?:商品|模式|方式)?")
_QTY = re.compile(
    r"个人年度[^；;。]*?(?:不超过|不得超过|不多于|≤|<=)\s*(\d+(?:\.\d+)?)\s*"
    r"(千克|公斤|kg|KG|Kg|毫升|克|升|件|个|瓶|盒|罐|袋|支)"
)
_ONLY = re.compile(r"^仅限(?:于)?(.+)$")
_UNITS = {"公斤": "千克", "kg": "千克", "KG": "千克", "Kg": "千克"}
_NAME_SEP = re.compile(r"[、/]")


@dataclass(frozen=True, slots=True)
class RemarkRestrictions:
    """What a remark restricts; ``unparsed`` holds the clauses not recognised (verbatim)."""

    bonded_only: bool = False
    name_whitelist: tuple[str, ...] | None = None
    excluded_note: str | None = None
    per_person_annual_qty: Decimal | None = None
    qty_unit: str | None = None
    unparsed: tuple[str, ...] = ()


def parse_remark(remark: str) -> RemarkRestrictions:
    """Extract bonded-only, name whitelist, exclusions and per-person annual quantity."""
    bonded = False
    names: list[str] = []
    excluded: list[str] = []
    qty: Decimal | None = None
    unit: str | None = None
    unparsed: list[str] = []
    for clause in (c.strip() for c in _CLAUSES.split(remark or "")):
        if not clause:
            continue
        if "除外" in clause:
            excluded.append(clause)
            continue
        if _BONDED.search(clause):
            bonded = True
            clause = _BONDED.sub("", clause)
        quantity = _QTY.search(clause)
        if quantity:
            qty, unit = Decimal(quantity.group(1)), _UNITS.get(quantity.group(2), quantity.group(2))
            continue
        for part in (p.strip(" ：:") for p in _PARTS.split(clause)):
            only = _ONLY.match(part) if part else None
            if only:
                names.extend(n.strip() for n in _NAME_SEP.split(only.group(1)) if n.strip())
            elif part:
                unparsed.append(part)
    return RemarkRestrictions(
        bonded_only=bonded,
        name_whitelist=tuple(names) or None,
        excluded_note="；".join(excluded) or None,
        per_person_annual_qty=qty,
        qty_unit=unit,
        unparsed=tuple(unparsed),
    )
