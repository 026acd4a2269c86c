"""Reproduce the risk model's numbers on the KCS data (shared/docs/risk-benchmark.md).

Runs the contract commands ``cbec risk train`` (train.csv, 2020) and ``cbec risk evaluate``
(valid.csv, 2021-Q1) for both labels (Fraud, Critical Fraud == 2) and prints the table that
docs/risk.md quotes. Usage::

    .venv/bin/python scripts/risk_benchmark.py [--data-dir ../shared/data/kcs-declarations] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PERCENTS = (1, 2, 5, 10)


def _default_data() -> Path:
    for candidate in (
        ROOT.parent / "shared" / "data" / "kcs-declarations",
        Path("/work/shared/data/kcs-declarations"),
    ):
        if (candidate / "train.csv").exists():
            return candidate
    return ROOT.parent / "shared" / "data" / "kcs-declarations"


def cbec(*args: str) -> None:
    """Run ``cbec`` (the installed entry point of this checkout's venv)."""
    subprocess.run([sys.executable, "-m", "opencbec", *args], check=True, cwd=ROOT)


def row(name: str, m: dict[str, float]) -> str:
    cells = [f"{m[f'{k}@{n}']:.3f}" for n in PERCENTS for k in ("precision", "recall", "revenue")]
    return f"| {name} | " + " | ".join(cells) + " |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=_default_data())
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "risk-benchmark")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    train, valid = args.data_dir / "train.csv", args.data_dir / "valid.csv"
    header = "| ranking | " + " | ".join(f"{k}@{n}%" for n in PERCENTS for k in ("P", "R", "Rev")) + " |"
    lines = [header, "|" + "---|" * (1 + 3 * len(PERCENTS))]
    results = {}
    for label in ("fraud", "critical"):
        model = args.out / f"kcs-{label}.json"
        started = time.monotonic()
        cbec(
            "risk", "train", "--format", "kcs", "--data", str(train), "--model", str(model), "--label", label
        )
        trained = time.monotonic() - started
        out = args.out / f"valid-{label}.json"
        cbec(
            "risk", "evaluate", "--format", "kcs", "--model", str(model), "--data", str(valid),
            "--json", str(out), "--label", label, "--alpha", "0.25", "--alpha", "0.5",
        )  # fmt: skip
        metrics = json.loads(out.read_text(encoding="utf-8"))
        metrics["train_seconds"] = round(trained, 1)
        results[label] = metrics
        lines.append(row(f"{label}: probability", metrics))
        for name, curve in metrics["tradeoff"].items():
            lines.append(row(f"{label}: p x (1+rev)^{name.split('=')[1]}", curve))
        lines.append(row(f"{label}: expected revenue (p x rev)", metrics["expected_revenue"]))
    (args.out / "summary.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
