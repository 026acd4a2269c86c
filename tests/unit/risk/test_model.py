"""The learned model and the contract commands on small KCS-shaped data, and the protocol metrics."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from opencbec.cli import app
from opencbec.risk import kcs, metrics
from opencbec.risk.model import RiskModel, train

COLUMNS = [
    "Declaration ID",
    "Date",
    "Office ID",
    "Process Type",
    "Import Type",
    "Import Use",
    "Payment Type",
    "Mode of Transport",
    "Declarant ID",
    "Importer ID",
    "Seller ID",
    "Courier ID",
    "HS6 Code",
    "Country of Departure",
    "Country of Origin",
    "Tax Rate",
    "Tax Type",
    "Country of Origin Indicator",
    "Net Mass",
    "Item Price",
    "Fraud",
    "Critical Fraud",
]


def write_kcs(path: Path, n: int, seed: int, start: int) -> None:
    """Declarations where importers I0-I9 and HS 950300 are fraudulent most of the time."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, fieldnames=COLUMNS)
        out.writeheader()
        for i in range(n):
            importer = f"I{rng.randrange(60)}"
            hs = rng.choice(["392690", "950300", "071080", "620822"])
            risky = (importer in {f"I{k}" for k in range(10)}) or hs == "950300"
            fraud = int(rng.random() < (0.8 if risky else 0.05))
            out.writerow(
                {
                    "Declaration ID": str(start + i),
                    "Date": f"2020-0{1 + i % 9}-1{i % 9}",
                    "Office ID": rng.choice(["20", "30", "40"]),
                    "Process Type": "B",
                    "Import Type": "11",
                    "Import Use": "21",
                    "Payment Type": "11",
                    "Mode of Transport": rng.choice(["10", "40"]),
                    "Declarant ID": f"D{rng.randrange(8)}",
                    "Importer ID": importer,
                    "Seller ID": f"S{rng.randrange(40)}",
                    "Courier ID": "",
                    "HS6 Code": hs,
                    "Country of Departure": "CN",
                    "Country of Origin": "CN",
                    "Tax Rate": rng.choice(["0.0", "8.0"]),
                    "Tax Type": "A",
                    "Country of Origin Indicator": "E",
                    "Net Mass": str(rng.randrange(1, 500)),
                    "Item Price": str(rng.randrange(100, 100000)),
                    "Fraud": str(fraud),
                    "Critical Fraud": str(2 if fraud and rng.random() < 0.2 else fraud),
                }
            )


@pytest.fixture(scope="module")
def kcs_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("kcs")
    write_kcs(d / "train.csv", 1500, 1, 10_000)
    write_kcs(d / "valid.csv", 600, 2, 90_000)
    return d / "train.csv", d / "valid.csv"


def test_metrics_follow_the_protocol() -> None:
    scores = np.array([0.9, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    labels = np.array([1, 0, 1, 0, 1, 0, 0, 0, 0, 0])
    revenue = np.array([10.0, 0, 30, 0, 60, 0, 0, 0, 0, 0])
    ids = ["10", "9", "3", "20", "1", "2", "4", "5", "6", "7"]
    got = metrics.evaluate(scores, labels, revenue, ids, percents=(10, 20, 30))
    # k = 1: id 10; k = 2: + id 3 (the tie 9 / 3 / 20 is broken by id ascending); k = 3: + id 9
    assert got["precision@10"] == 1.0
    assert got["precision@20"] == 1.0 and got["recall@20"] == pytest.approx(2 / 3)
    assert got["revenue@20"] == pytest.approx(40 / 100)
    assert got["precision@30"] == pytest.approx(2 / 3)
    # numeric, not textual, id order: "9" < "10"
    assert metrics.top_k_order(np.array([0.5, 0.5]), ["10", "9"]).tolist() == [1, 0]


def test_no_label_column_reaches_the_features(kcs_files: tuple[Path, Path]) -> None:
    data = kcs.read([kcs_files[0]])
    names = kcs.SCHEMA.feature_names()
    assert not any("Fraud" in n for n in names)
    derived = kcs.SCHEMA.derive(data.rows[0])
    assert "Fraud" not in derived and "Critical Fraud" not in derived


def test_train_score_save_load(tmp_path: Path, kcs_files: tuple[Path, Path]) -> None:
    train_set, valid_set = kcs.read([kcs_files[0]]), kcs.read([kcs_files[1]])
    model = train(train_set, kcs.SCHEMA, rounds=60)
    p = model.score(valid_set.rows)
    got = metrics.evaluate(p, valid_set.labels, valid_set.revenue, valid_set.ids)
    base = float(valid_set.labels.mean())
    assert got["precision@10"] > 2 * base
    model.save(tmp_path / "m.json")
    again = RiskModel.load(tmp_path / "m.json")
    assert again.version == model.version
    assert np.allclose(again.score(valid_set.rows), p)
    assert 0 <= model.threshold(0.05) <= 1


def test_cbec_risk_train_and_evaluate(tmp_path: Path, kcs_files: tuple[Path, Path]) -> None:
    runner = CliRunner()
    model, out = tmp_path / "kcs.json", tmp_path / "out.json"
    args = ["risk", "train", "--format", "kcs", "--data", str(kcs_files[0]), "--model", str(model)]
    result = runner.invoke(app, [*args, "--rounds", "40"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        ["risk", "evaluate", "--format", "kcs", "--model", str(model), "--data", str(kcs_files[1]),
         "--json", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    for n in (1, 2, 5, 10):
        for m in ("precision", "recall", "revenue"):
            assert 0 <= data[f"{m}@{n}"] <= 1
            assert 0 <= data["expected_revenue"][f"{m}@{n}"] <= 1
    assert data["rows"] == 600
    wrong = runner.invoke(
        app,
        ["risk", "evaluate", "--format", "parcels", "--model", str(model), "--data", str(kcs_files[1]),
         "--json", str(out)],
    )  # fmt: skip
    assert wrong.exit_code == 2


def test_critical_label(kcs_files: tuple[Path, Path]) -> None:
    fraud = kcs.read([kcs_files[0]])
    critical = kcs.read([kcs_files[0]], kcs.Label.CRITICAL)
    assert 0 < critical.labels.sum() < fraud.labels.sum()
    assert np.all(critical.labels <= fraud.labels)
