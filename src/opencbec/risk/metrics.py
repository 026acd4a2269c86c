"""The evaluation protocol of ``shared/docs/risk-benchmark.md``: top-k by score, fixed tie-break.

k = ceil(n% x N); ties are broken by the declaration id ascending (numerically when every id is a
number, else as text). precision@n = frauds selected / k, recall@n = frauds selected / all frauds,
revenue@n = revenue at stake of the selected frauds / that of all frauds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

PERCENTS = (1, 2, 5, 10)
FloatArray = npt.NDArray[np.float64]


def top_k_order(scores: FloatArray, ids: Sequence[str]) -> npt.NDArray[np.intp]:
    """Indices by score descending, ties by id ascending.

    >>> top_k_order(np.array([0.5, 0.9, 0.5]), ["3", "1", "2"]).tolist()
    [1, 2, 0]
    """
    if all(i.isdigit() for i in ids):
        tie: npt.NDArray[np.int64] = np.array([int(i) for i in ids], dtype=np.int64)
    else:
        ranks = {v: n for n, v in enumerate(sorted(set(ids)))}
        tie = np.array([ranks[i] for i in ids], dtype=np.int64)
    return np.lexsort((tie, -scores))


def evaluate(
    scores: FloatArray,
    labels: npt.NDArray[np.int64],
    revenue: FloatArray,
    ids: Sequence[str],
    percents: Sequence[int] = PERCENTS,
) -> dict[str, float]:
    """``precision@n``, ``recall@n`` and ``revenue@n`` (fractions) for each ``n``."""
    order = top_k_order(scores, ids)
    positives = float(labels.sum())
    stake = float((revenue * labels).sum())
    out: dict[str, float] = {}
    for n in percents:
        k = math.ceil(n / 100 * len(scores))
        chosen = order[:k]
        hits = float(labels[chosen].sum())
        out[f"precision@{n}"] = hits / k if k else 0.0
        out[f"recall@{n}"] = hits / positives if positives else 0.0
        out[f"revenue@{n}"] = float((revenue[chosen] * labels[chosen]).sum()) / stake if stake else 0.0
    return out


def expected_revenue(probability: FloatArray, revenue: FloatArray, alpha: float = 1.0) -> FloatArray:
    """Ranking score trading precision for revenue: p x (1 + revenue at stake) ** alpha.

    alpha 0 ranks by probability, 1 by expected revenue at stake (probability x revenue).
    """
    return probability * np.power(1.0 + np.maximum(revenue, 0.0), alpha)
