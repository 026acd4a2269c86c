"""Feature engineering shared by every data format: category codes, numeric columns and the
history of each party or party pair (smoothed fraud rate and count, i.e. target encoding).

Only columns known at declaration time are used. The history of a training row is computed
out-of-fold (the row's own label never reaches its features); rows scored later use the whole
training history. Nothing from the scored set's labels is used.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

Row = Mapping[str, str]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class FeatureSchema:
    """What a data format offers the model."""

    name: str
    id_column: str
    #: Columns used as LightGBM categories (codes learned on the training data).
    categorical: tuple[str, ...]
    #: Columns parsed as numbers (empty -> missing).
    numeric: tuple[str, ...]
    #: Columns (or column pairs) whose history is encoded: fraud rate and count.
    keys: tuple[tuple[str, ...], ...]
    #: Adds derived columns to a row (pure); the identity by default.
    derive: Callable[[Row], dict[str, str]] = lambda row: dict(row)

    def feature_names(self) -> list[str]:
        """Names of the model's input columns, in order."""
        names = [*self.categorical, *self.numeric]
        for key in self.keys:
            label = "+".join(key)
            names += [f"rate[{label}]", f"count[{label}]"]
        return names


def _num(text: str | None) -> float:
    if text is None or text == "":
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


@dataclass(slots=True)
class Encoder:
    """Category codes and party history learned from labelled training rows."""

    schema: FeatureSchema
    smoothing: float = 5.0
    folds: int = 5
    seed: int = 20
    prior: float = 0.0
    codes: dict[str, dict[str, int]] = field(default_factory=dict)
    history: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def fit_transform(self, rows: Sequence[Row], labels: IntArray) -> FloatArray:
        """Learn from ``rows`` and return their features (history out-of-fold)."""
        derived = [self.schema.derive(r) for r in rows]
        self.prior = float(labels.mean()) if len(labels) else 0.0
        self.codes = {c: {} for c in self.schema.categorical}
        for row in derived:
            for col in self.schema.categorical:
                self.codes[col].setdefault(row.get(col, ""), len(self.codes[col]))
        fold = np.random.default_rng(self.seed).integers(0, self.folds, len(derived))
        hist = np.zeros((len(derived), 2 * len(self.schema.keys)))
        for f in range(self.folds):
            inside = np.flatnonzero(fold != f)
            stats = self._history([derived[i] for i in inside], labels[inside])
            outside = np.flatnonzero(fold == f)
            hist[outside] = self._encode_history([derived[i] for i in outside], stats)
        hist[:, 1::2] *= self.folds / (self.folds - 1)  # counts seen on (k-1)/k of the data
        self.history = self._history(derived, labels)
        return np.hstack([self._plain(derived), hist])

    def transform(self, rows: Sequence[Row]) -> FloatArray:
        """Features of rows scored after training (the whole training history)."""
        derived = [self.schema.derive(r) for r in rows]
        return np.hstack([self._plain(derived), self._encode_history(derived, self.history)])

    def _plain(self, rows: Sequence[Row]) -> FloatArray:
        s = self.schema
        out = np.full((len(rows), len(s.categorical) + len(s.numeric)), np.nan)
        for i, row in enumerate(rows):
            for j, col in enumerate(s.categorical):
                code = self.codes[col].get(row.get(col, ""))
                if code is not None:
                    out[i, j] = code
            for j, col in enumerate(s.numeric, start=len(s.categorical)):
                out[i, j] = _num(row.get(col))
        return out

    def _history(self, rows: Sequence[Row], labels: IntArray) -> dict[str, dict[str, list[float]]]:
        stats: dict[str, dict[str, list[float]]] = {}
        for key in self.schema.keys:
            table: dict[str, list[float]] = {}
            for row, label in zip(rows, labels, strict=True):
                cell = table.setdefault(_value(row, key), [0.0, 0.0])
                cell[0] += float(label)
                cell[1] += 1.0
            stats["+".join(key)] = table
        return stats

    def _encode_history(self, rows: Sequence[Row], stats: dict[str, dict[str, list[float]]]) -> FloatArray:
        out = np.zeros((len(rows), 2 * len(self.schema.keys)))
        m, prior = self.smoothing, self.prior
        for j, key in enumerate(self.schema.keys):
            table = stats["+".join(key)]
            for i, row in enumerate(rows):
                pos, n = table.get(_value(row, key), (0.0, 0.0))
                out[i, 2 * j] = (pos + m * prior) / (n + m)
                out[i, 2 * j + 1] = n
        return out

    def to_json(self) -> dict[str, Any]:
        """The learned state, as JSON-able data (the schema is named, not stored)."""
        return {
            "schema": self.schema.name,
            "smoothing": self.smoothing,
            "folds": self.folds,
            "seed": self.seed,
            "prior": self.prior,
            "codes": self.codes,
            "history": self.history,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], schema: FeatureSchema) -> Encoder:
        """Rebuild an encoder saved by :meth:`to_json`."""
        if data["schema"] != schema.name:
            raise ValueError(f"model was trained on format {data['schema']!r}, not {schema.name!r}")
        return cls(
            schema=schema,
            smoothing=float(data["smoothing"]),
            folds=int(data["folds"]),
            seed=int(data["seed"]),
            prior=float(data["prior"]),
            codes={k: dict(v) for k, v in data["codes"].items()},
            history={k: {kk: list(vv) for kk, vv in v.items()} for k, v in data["history"].items()},
        )


def _value(row: Row, key: tuple[str, ...]) -> str:
    return "|".join(row.get(col, "") for col in key)
