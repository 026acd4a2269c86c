"""``cbec risk``: train and evaluate the risk model, check rules, follow the inspection loop."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from opencbec.risk import kcs, metrics, parcels
from opencbec.risk.dataset import LabelledSet

if TYPE_CHECKING:
    from opencbec.risk.model import RiskModel
from opencbec.risk.rules import RuleError

app = typer.Typer(help="Risk targeting: rules, the learned model, the inspection loop.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)
#: Boosting rounds by default (``opencbec.risk.model.DEFAULT_ROUNDS``; LightGBM is loaded lazily).
DEFAULT_ROUNDS = 1500


class Format(enum.StrEnum):
    """Labelled data formats."""

    KCS = "kcs"
    PARCELS = "parcels"


DataOption = Annotated[
    list[str],
    typer.Option(
        "--data",
        help="kcs: CSV file (repeatable). parcels: CSV from export-labels, or a database (path/URL).",
    ),
]
FormatOption = Annotated[Format, typer.Option("--format", help="kcs or parcels.")]
LabelOption = Annotated[
    kcs.Label, typer.Option("--label", help="kcs only: fraud (Fraud) or critical (Critical Fraud == 2).")
]
AlphaOption = Annotated[
    list[float],
    typer.Option("--alpha", help="Extra rankings p x (1 + revenue) ** alpha to report (trade-off curve)."),
]


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(2)


def read_data(fmt: Format, data: list[str], label: kcs.Label = kcs.Label.FRAUD) -> LabelledSet:
    """Read labelled data of format ``fmt`` from ``data`` (files, or a database for parcels)."""
    if not data:
        raise ValueError("give at least one --data")
    if fmt is Format.KCS:
        return kcs.read([Path(d) for d in data], label)
    parts = []
    for item in data:
        if item.endswith(".csv"):
            parts.append(parcels.read_csv([Path(item)]))
        else:
            from opencbec.risk.wiring import labelled_parcels
            from opencbec.store.sql import make_engine

            engine = make_engine(item)
            try:
                parts.append(labelled_parcels(engine)[0])
            finally:
                engine.dispose()
    return LabelledSet.concat(parts)


@app.command("train")
def train_command(
    fmt: FormatOption,
    data: DataOption,
    model: Annotated[Path, typer.Option("--model", help="Where to write the model file (JSON).")],
    label: LabelOption = kcs.Label.FRAUD,
    rounds: Annotated[int, typer.Option("--rounds", help="Boosting rounds.")] = DEFAULT_ROUNDS,
) -> None:
    """Train gradient-boosted trees on labelled history."""
    from opencbec.risk.model import SCHEMAS, train

    try:
        dataset = read_data(fmt, data, label)
        trained = train(dataset, SCHEMAS[fmt.value], rounds=rounds)
    except (OSError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    trained.save(model)
    console.print(
        f"trained {fmt.value} model {trained.version} on {len(dataset)} rows "
        f"({int(dataset.labels.sum())} positive) -> {model}"
    )


def evaluation(scored: RiskModel, dataset: LabelledSet, alphas: list[float]) -> dict[str, object]:
    """The protocol's metrics: by probability (top level), by expected revenue, and the curve."""
    probability = scored.score(dataset.rows)
    out: dict[str, object] = dict(metrics.evaluate(probability, dataset.labels, dataset.revenue, dataset.ids))
    out["expected_revenue"] = metrics.evaluate(
        metrics.expected_revenue(probability, dataset.revenue), dataset.labels, dataset.revenue, dataset.ids
    )
    out["tradeoff"] = {
        f"alpha={a:g}": metrics.evaluate(
            metrics.expected_revenue(probability, dataset.revenue, a),
            dataset.labels,
            dataset.revenue,
            dataset.ids,
        )
        for a in alphas
    }
    out["rows"] = len(dataset)
    out["positives"] = int(dataset.labels.sum())
    out["model"] = scored.version
    out["ranking"] = "top k = ceil(n% x N) by score, ties by id ascending"
    return out


@app.command("evaluate")
def evaluate_command(
    fmt: FormatOption,
    model: Annotated[Path, typer.Option("--model", help="A model file written by train.")],
    data: DataOption,
    json_out: Annotated[Path, typer.Option("--json", help="Where to write the metrics (JSON).")],
    label: LabelOption = kcs.Label.FRAUD,
    alpha: AlphaOption = [0.25, 0.5],  # noqa: B006 - typer needs a literal default
) -> None:
    """precision@n, recall@n and revenue@n (n = 1, 2, 5, 10 %) on labelled data."""
    from opencbec.risk.model import RiskModel

    try:
        scored = RiskModel.load(model)
        if scored.format != fmt.value:
            raise ValueError(f"{model} is a {scored.format} model, not {fmt.value}")
        dataset = read_data(fmt, data, label)
    except (OSError, ValueError, KeyError) as exc:
        raise _fail(str(exc)) from exc
    out = evaluation(scored, dataset, alpha)
    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(json.dumps(out, indent=2), encoding="utf-8")
    for name, values in (("probability", out), ("expected revenue", out["expected_revenue"])):
        assert isinstance(values, dict)
        cells = [
            f"{m}@{n}={values[f'{m}@{n}']:.3f}"
            for n in metrics.PERCENTS
            for m in ("precision", "recall", "revenue")
        ]
        console.print(f"{name}: " + " ".join(cells), soft_wrap=True)
    console.print(f"{len(dataset)} rows, {int(np.sum(dataset.labels))} positive -> {json_out}")


@app.command("rules")
def rules_command(
    file: Annotated[
        Path | None, typer.Option("--file", help="A rule file (default: the shipped one).")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Also apply the officers' stored versions.")] = None,
) -> None:
    """Check and list the risk rules in force."""
    from opencbec.risk.wiring import effective_rules
    from opencbec.store.sql import make_engine

    engine = make_engine(db) if db else None
    try:
        ruleset = effective_rules(engine, file)
    except (OSError, RuleError) as exc:
        raise _fail(str(exc)) from exc
    table = Table("id", "v", "action", "points", "valid", "kind", "reason")
    for r in ruleset.rules:
        valid = f"{r.valid_from}..{r.valid_to or ''}"
        table.add_row(
            r.id, str(r.version), r.action, f"{r.points:g}", valid, str(r.when["kind"]), r.reason[:60]
        )
    console.print(table)


@app.command("precision")
def precision_command(db: Annotated[str, typer.Option("--db", help="SQLite file or database URL.")]) -> None:
    """Precision of past selections per rule, for the model and at random, from recorded outcomes."""
    from opencbec.store import risk_repo
    from opencbec.store.sql import make_engine

    with make_engine(db).connect() as conn:
        stats = risk_repo.precision(conn)
    console.print_json(json.dumps(stats))


@app.command("export-labels")
def export_labels_command(
    db: Annotated[str, typer.Option("--db", help="SQLite file or database URL.")],
    out: Annotated[Path, typer.Option("--out", help="CSV file (format parcels).")],
) -> None:
    """Write the selections with a recorded outcome as labelled parcels (for ``--format parcels``)."""
    from opencbec.risk.wiring import labelled_parcels
    from opencbec.store.sql import make_engine

    _, rows = labelled_parcels(make_engine(db))
    parcels.write_csv(out, rows)
    console.print(f"{len(rows)} labelled parcels -> {out}")


@app.command("queue")
def queue_command(db: Annotated[str, typer.Option("--db", help="SQLite file or database URL.")]) -> None:
    """The inspection queue: selected lists still awaiting an outcome, with their reasons."""
    from opencbec.store import risk_repo
    from opencbec.store.sql import make_engine

    with make_engine(db).connect() as conn:
        rows = risk_repo.selections(conn, open_only=True)
    console.print_json(json.dumps(rows, ensure_ascii=False))
