"""The Korea Customs Service synthetic import declarations (``shared/data/kcs-declarations``).

Features are the columns known at declaration time (never ``Fraud`` / ``Critical Fraud``) plus
derived ones: HS chapter and heading, unit price, revenue at stake (Item Price x Tax Rate / 100),
weekday, departure = origin, and the history (fraud rate, count) of each party and of party pairs.
"""

from __future__ import annotations

import csv
import enum
import math
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np

from opencbec.risk.dataset import LabelledSet
from opencbec.risk.features import FeatureSchema, Row

ID = "Declaration ID"
LABEL_COLUMNS = ("Fraud", "Critical Fraud")


class Label(enum.StrEnum):
    """Which KCS column is the label."""

    FRAUD = "fraud"  # Fraud == 1
    CRITICAL = "critical"  # Critical Fraud == 2


def revenue_at_stake(row: Row) -> float:
    """Item Price x Tax Rate / 100 (the DATE paper's revenue).

    >>> revenue_at_stake({"Item Price": "1000", "Tax Rate": "8.0"})
    80.0
    """
    try:
        return float(row["Item Price"] or 0) * float(row["Tax Rate"] or 0) / 100
    except ValueError:
        return 0.0


def _derive(row: Row) -> dict[str, str]:
    out = {k: v for k, v in row.items() if k not in LABEL_COLUMNS}
    hs6 = row.get("HS6 Code", "")
    out["HS4"], out["HS2"] = hs6[:4], hs6[:2]
    try:
        price, mass = float(row.get("Item Price") or 0), float(row.get("Net Mass") or 0)
        out["Unit Price"] = repr(price / (mass + 1e-3))
        out["Log Price"] = repr(math.log1p(max(price, 0.0)))
    except ValueError:
        pass
    out["Revenue"] = repr(revenue_at_stake(row))
    try:
        out["Weekday"] = str(date.fromisoformat(row.get("Date", "")).weekday())
    except ValueError:
        out["Weekday"] = ""
    out["Same Country"] = "1" if row.get("Country of Departure") == row.get("Country of Origin") else "0"
    out["No Seller"] = "1" if not row.get("Seller ID") else "0"
    return out


SCHEMA = FeatureSchema(
    name="kcs",
    id_column=ID,
    categorical=(
        "Office ID",
        "Process Type",
        "Import Type",
        "Import Use",
        "Payment Type",
        "Mode of Transport",
        "Declarant ID",
        "Courier ID",
        "HS6 Code",
        "Country of Departure",
        "Country of Origin",
        "Tax Type",
        "Country of Origin Indicator",
    ),
    numeric=(
        "Tax Rate",
        "Net Mass",
        "Item Price",
        "Log Price",
        "Unit Price",
        "Revenue",
        "Weekday",
        "Same Country",
        "No Seller",
    ),
    keys=(
        ("Importer ID",),
        ("Seller ID",),
        ("Declarant ID",),
        ("HS6 Code",),
        ("HS4",),
        ("HS2",),
        ("Courier ID",),
        ("Importer ID", "HS6 Code"),
        ("Declarant ID", "Importer ID"),
        ("Seller ID", "Importer ID"),
        ("Country of Origin", "HS6 Code"),
        ("Declarant ID", "HS6 Code"),
        ("Office ID", "HS6 Code"),
        ("Country of Departure", "Country of Origin"),
        ("Tax Type", "HS6 Code"),
        ("Seller ID", "HS6 Code"),
        ("Importer ID", "Country of Origin"),
    ),
    derive=_derive,
)


def _label(row: Row, label: Label) -> int:
    if label is Label.CRITICAL:
        return 1 if row.get("Critical Fraud", "0").strip() in ("2", "2.0") else 0
    return 1 if row.get("Fraud", "0").strip() in ("1", "1.0") else 0


def read(paths: Sequence[Path], label: Label = Label.FRAUD) -> LabelledSet:
    """Read KCS CSV files (header row; the columns of ``shared/data/kcs-declarations``)."""
    rows: list[Row] = []
    for path in paths:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = {ID, "Item Price", "Tax Rate"} - set(reader.fieldnames or ())
            if missing:
                raise ValueError(f"{path}: not a KCS declarations file (missing {sorted(missing)})")
            rows.extend(reader)
    return LabelledSet(
        rows=rows,
        ids=[r[ID] for r in rows],
        labels=np.array([_label(r, label) for r in rows], dtype=np.int64),
        revenue=np.array([revenue_at_stake(r) for r in rows], dtype=np.float64),
    )
