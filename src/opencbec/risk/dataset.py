"""Labelled declarations in any supported format, as plain rows of text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from opencbec.risk.features import Row


@dataclass(slots=True)
class LabelledSet:
    """Rows with their ids, labels (1 = fraud / detained / returned) and revenue at stake."""

    rows: list[Row]
    ids: list[str]
    labels: npt.NDArray[np.int64]
    revenue: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.rows)

    @staticmethod
    def concat(parts: Sequence[LabelledSet]) -> LabelledSet:
        """All rows of ``parts``, in order."""
        return LabelledSet(
            rows=[r for p in parts for r in p.rows],
            ids=[i for p in parts for i in p.ids],
            labels=np.concatenate([p.labels for p in parts]) if parts else np.zeros(0, np.int64),
            revenue=np.concatenate([p.revenue for p in parts]) if parts else np.zeros(0),
        )
