"""The project's own labelled parcels: lists sent to inspection and what the officer found.

A row is made from the list's facts (``ListFacts``) as stored with its selection; the label is
1 when the list was detained (501/502/503/599) or returned abroad (700) and 0 when released (800)
after inspection. Revenue at stake: the dutiable value x 9.1 % (the usual combined
VAT x 0.7 rate; consumption tax ignored). Files of this format are CSV with the columns of
:func:`row` plus ``id``, ``label`` and ``revenue`` (``cbec risk export-labels`` writes them).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import numpy as np

from opencbec.clearing.risk_port import ListFacts
from opencbec.risk.dataset import LabelledSet
from opencbec.risk.features import FeatureSchema, Row

POSITIVE = frozenset({"501", "502", "503", "599", "700"})
NEGATIVE = frozenset({"800"})
TAX_SHARE = 0.091
EXTRA = ("id", "label", "revenue")


def row(facts: ListFacts) -> dict[str, str]:
    """The model's view of a list (text columns)."""
    first = facts.lines[0] if facts.lines else None
    value = float(facts.goods_value)
    return {
        "ebp": facts.ebp_code,
        "ebc": facts.ebc_code,
        "agent": facts.agent_code,
        "logistics": facts.logistics_code,
        "customs": facts.customs_code,
        "trade_mode": facts.trade_mode,
        "country": facts.country,
        "hs6": first.gcode[:6] if first else "",
        "hs4": first.gcode[:4] if first else "",
        "hs2": first.gcode[:2] if first else "",
        "origin": first.country if first else "",
        "buyer": facts.buyer_id,
        "phone": facts.phone,
        "address": facts.address,
        "lines": str(len(facts.lines)),
        "value": repr(value),
        "log_value": repr(math.log1p(max(value, 0.0))),
        "freight": str(facts.freight),
        "max_unit_price": repr(max((float(ln.unit_price) for ln in facts.lines), default=0.0)),
        "limit_share": repr(value / float(facts.single_limit or Decimal(1))),
        "annual_used": str(facts.annual_used),
        "payer_is_buyer": "1" if facts.payer_id == facts.buyer_id else "0",
        "consignee_is_buyer": "1" if facts.consignee == facts.buyer_name else "0",
        "weekday": str(facts.declared_on.weekday()),
        "hour": str(facts.at.hour),
    }


SCHEMA = FeatureSchema(
    name="parcels",
    id_column="id",
    categorical=(
        "ebp",
        "ebc",
        "agent",
        "logistics",
        "customs",
        "trade_mode",
        "country",
        "hs4",
        "hs2",
        "origin",
    ),
    numeric=(
        "lines",
        "value",
        "log_value",
        "freight",
        "max_unit_price",
        "limit_share",
        "annual_used",
        "payer_is_buyer",
        "consignee_is_buyer",
        "weekday",
        "hour",
    ),
    keys=(("buyer",), ("phone",), ("address",), ("ebc",), ("hs6",), ("ebc", "hs6"), ("origin", "hs6")),
)


def label_of(status: str) -> int | None:
    """1 detained / returned, 0 released after inspection, None: no outcome yet."""
    if status in POSITIVE:
        return 1
    if status in NEGATIVE:
        return 0
    return None


def from_rows(rows: Sequence[Row]) -> LabelledSet:
    """A labelled set from rows that carry ``id``, ``label`` and ``revenue``."""
    return LabelledSet(
        rows=[{k: v for k, v in r.items() if k not in EXTRA} for r in rows],
        ids=[r["id"] for r in rows],
        labels=np.array([int(r["label"]) for r in rows], dtype=np.int64),
        revenue=np.array([float(r.get("revenue") or 0) for r in rows], dtype=np.float64),
    )


def read_csv(paths: Sequence[Path]) -> LabelledSet:
    """Read parcels CSV files."""
    rows: list[Row] = []
    for path in paths:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if not set(EXTRA) <= set(reader.fieldnames or ()):
                raise ValueError(f"{path}: not a parcels file (needs columns {', '.join(EXTRA)})")
            rows.extend(reader)
    return from_rows(rows)


def write_csv(path: Path, rows: Sequence[Row]) -> None:
    """Write labelled parcel rows (each with ``id``, ``label``, ``revenue``)."""
    names = list(EXTRA) + [k for k in (rows[0] if rows else {}) if k not in EXTRA]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)


def revenue_of(facts: ListFacts) -> float:
    """Revenue at stake of a list (dutiable value estimate x 9.1 %)."""
    return float(facts.goods_value + facts.freight) * TAX_SHARE
