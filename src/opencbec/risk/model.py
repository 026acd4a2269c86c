"""The learned risk model: gradient-boosted trees (LightGBM) over a format's features.

A model file is one JSON document: the format, the encoder state (category codes, party
history), the LightGBM booster as text, the training scores' quantiles (for thresholds) and a
version (a digest of the content). ``RiskModel.score`` returns fraud probabilities.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

from opencbec.risk import kcs, parcels
from opencbec.risk.dataset import LabelledSet
from opencbec.risk.features import Encoder, FeatureSchema, Row

SCHEMAS: dict[str, FeatureSchema] = {kcs.SCHEMA.name: kcs.SCHEMA, parcels.SCHEMA.name: parcels.SCHEMA}

#: Tuned on valid.csv (2021-Q1) only, training on train.csv (2020); see docs/risk.md.
DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.02,
    "num_leaves": 63,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.7,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "cat_smooth": 10,
    "max_cat_to_onehot": 8,
    "num_threads": 2,
    "deterministic": True,
    "force_row_wise": True,
    "seed": 1,
    "verbose": -1,
}
DEFAULT_ROUNDS = 1500


@dataclass(slots=True)
class RiskModel:
    """A trained model with its feature encoder."""

    encoder: Encoder
    booster: lgb.Booster
    rounds: int
    params: dict[str, Any] = field(default_factory=dict)
    quantiles: list[float] = field(default_factory=list)
    trained_rows: int = 0
    trained_positives: int = 0

    @property
    def format(self) -> str:
        """The data format the model reads."""
        return self.encoder.schema.name

    @property
    def version(self) -> str:
        """A short digest of the model's content."""
        return hashlib.sha256(self._text().encode()).hexdigest()[:12]

    def score(self, rows: Sequence[Row]) -> npt.NDArray[np.float64]:
        """Fraud probability of each row."""
        if not rows:
            return np.zeros(0)
        features = self.encoder.transform(rows)
        return np.asarray(self.booster.predict(features), dtype=np.float64)

    def threshold(self, share: float) -> float:
        """The score above which ``share`` of the training rows lie (0 < share <= 1)."""
        if not self.quantiles:
            return 0.0
        pos = min(max(1.0 - share, 0.0), 1.0) * (len(self.quantiles) - 1)
        return float(self.quantiles[round(pos)])

    def save(self, path: Path) -> None:
        """Write the model file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self._text(), encoding="utf-8")

    def _text(self) -> str:
        data = {
            "kind": "opencbec-risk-model",
            "format": self.format,
            "rounds": self.rounds,
            "params": self.params,
            "quantiles": self.quantiles,
            "trained_rows": self.trained_rows,
            "trained_positives": self.trained_positives,
            "encoder": self.encoder.to_json(),
            "booster": self.booster.model_to_string(),
        }
        return json.dumps(data, sort_keys=True, ensure_ascii=False)

    @classmethod
    def load(cls, path: Path) -> RiskModel:
        """Read a model file written by :meth:`save`."""
        data: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if data.get("kind") != "opencbec-risk-model":
            raise ValueError(f"{path} is not an OpenCBEC risk model")
        schema = SCHEMAS[data["format"]]
        return cls(
            encoder=Encoder.from_json(data["encoder"], schema),
            booster=lgb.Booster(model_str=data["booster"]),
            rounds=int(data["rounds"]),
            params=dict(data["params"]),
            quantiles=[float(q) for q in data["quantiles"]],
            trained_rows=int(data["trained_rows"]),
            trained_positives=int(data["trained_positives"]),
        )


def train(
    data: LabelledSet,
    schema: FeatureSchema,
    params: Mapping[str, Any] | None = None,
    rounds: int = DEFAULT_ROUNDS,
) -> RiskModel:
    """Fit the encoder and the trees on ``data`` (labels 0/1)."""
    if len(data) == 0:
        raise ValueError("no labelled rows to train on")
    if not 0 < int(data.labels.sum()) < len(data):
        raise ValueError("training needs both positive and negative labels")
    merged = {**DEFAULT_PARAMS, **(params or {})}
    # Small sets (the project's own parcels) need smaller leaves.
    merged.setdefault("min_data_in_leaf", 20)
    if len(data) < 2000:
        merged["min_data_in_leaf"] = max(2, min(int(merged["min_data_in_leaf"]), len(data) // 50))
        merged["num_leaves"] = min(int(merged["num_leaves"]), 15)
    encoder = Encoder(schema)
    features = encoder.fit_transform(data.rows, data.labels)
    categorical = list(range(len(schema.categorical)))
    dataset = lgb.Dataset(
        features,
        data.labels,
        feature_name=[_safe(n) for n in schema.feature_names()],
        categorical_feature=categorical,
        free_raw_data=True,
    )
    booster = lgb.train(merged, dataset, num_boost_round=rounds)
    fitted = np.asarray(booster.predict(features), dtype=np.float64)
    quantiles = [float(q) for q in np.quantile(fitted, np.linspace(0, 1, 201))]
    return RiskModel(
        encoder=encoder,
        booster=booster,
        rounds=rounds,
        params=merged,
        quantiles=quantiles,
        trained_rows=len(data),
        trained_positives=int(data.labels.sum()),
    )


def _safe(name: str) -> str:
    """LightGBM refuses some characters in feature names."""
    return "".join(ch if ch.isalnum() else "_" for ch in name)
