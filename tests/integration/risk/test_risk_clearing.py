"""Risk targeting in the clearing core on simulated traffic: planted anomalies are selected far
above random, the budget holds, reasons are stored, outcomes feed precision and training labels."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from opencbec import bootstrap
from opencbec.clearing.inspection import Outcome
from opencbec.risk.assessor import RiskAssessor
from opencbec.risk.wiring import build_assessor, labelled_parcels
from opencbec.service.inspection import InspectionService
from opencbec.sim import simulate
from opencbec.sim.mix import TrafficMix
from opencbec.store import risk_repo
from opencbec.store import schema as t
from opencbec.store.audit_repo import AuditLog

BUDGET = 0.05


#: Planted anomalies and the rule expected to catch each.
PLANTED = {
    "split_order": "split-orders",
    "id_reuse": "buyer-id-many-parties",
    "under_valuation": "undervalued-goods",
}
#: Measured selection rates, filled by the test (printed with ``pytest -s``; docs/risk.md).
MEASURED: dict[str, tuple[int, int, float]] = {}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module: pytest.MonkeyPatch) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("risk")
    for name in ("OPENCBEC_RISK_RULES", "OPENCBEC_RISK_MODEL", "OPENCBEC_RISK_RANDOM_SHARE"):
        monkeypatch_module.delenv(name, raising=False)
    mix = TrafficMix().with_shares(split_order=0.01, annual_limit=0.02, id_reuse=0.006, under_valuation=0.01)
    simulate(parcels=2500, start=date(2024, 6, 16), days=2, seed=11, out=work / "sim", mix=mix)
    # targeting on as ``cbec clear --risk``: the budget is the inspection rate, 20 % of it random
    app = bootstrap.build(str(work / "cbec.db"), inspection_rate=Decimal(str(BUDGET)), risk=True)
    assert isinstance(app.config.risk, RiskAssessor)
    assert app.config.risk.policy.budget == BUDGET and app.config.risk.policy.random_share == 0.2
    bootstrap.batch_clearer(app, work / "out", batch_documents=500, verify_signatures=False).run(
        [work / "sim"]
    )
    truth = [json.loads(line) for line in (work / "sim" / "ground-truth.jsonl").read_text().splitlines()]
    with app.engine.connect() as conn:
        lists = {
            r.invt_no: (r.key, r.status)
            for r in conn.execute(
                select(t.document.c.invt_no, t.document.c.key, t.document.c.status).where(
                    t.document.c.kind == "inventory", t.document.c.is_current.is_(True)
                )
            )
            if r.invt_no
        }
        picked = risk_repo.selections(conn, limit=100_000)
        assessed = Counter((r.customs_code, r.day) for r in conn.execute(select(risk_repo.risk_observation)))
    return {"app": app, "truth": truth, "lists": lists, "picked": picked, "assessed": assessed}


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _labels(run: dict[str, Any]) -> dict[str, list[str]]:
    return {f"{p['ebpCode']}/{p['orderNo']}": p["labels"] for p in run["truth"]}


def test_split_orders_are_selected_far_above_random(run: dict[str, Any]) -> None:
    labels = _labels(run)
    accepted = [key for key, _status in run["lists"].values()]
    selected = {run["lists"][p["invt_no"]][0] for p in run["picked"] if p["kind"] == "targeted"}
    split = [k for k in accepted if "split_order" in labels.get(k, [])]
    assert len(split) > 30
    split_rate = sum(k in selected for k in split) / len(split)
    overall = len(selected) / len(accepted)
    assert overall <= BUDGET
    assert split_rate > 5 * overall, (split_rate, overall)


@pytest.mark.parametrize("anomaly", list(PLANTED))
def test_each_planted_anomaly_is_selected_at_least_5x_the_overall_rate(
    run: dict[str, Any], anomaly: str
) -> None:
    """Issue #5: split orders, ID reuse and under-valuation, inspected (targeted or random) vs all lists."""
    labels = _labels(run)
    accepted = [key for key, _status in run["lists"].values()]
    picks = {run["lists"][p["invt_no"]][0]: p for p in run["picked"] if p["kind"] != "review"}
    overall = len(picks) / len(accepted)
    assert 0 < overall <= BUDGET
    planted = [k for k in accepted if anomaly in labels.get(k, [])]
    assert len(planted) >= 15, len(planted)
    hits = [k for k in planted if k in picks]
    rate = len(hits) / len(planted)
    MEASURED[anomaly] = (len(hits), len(planted), rate / overall)
    print(  # noqa: T201 (measured ratios for docs/risk.md, shown with pytest -s)
        f"\n{anomaly}: {len(hits)}/{len(planted)} = {rate:.3f}; overall {len(picks)}/{len(accepted)} "
        f"= {overall:.4f}; ratio {rate / overall:.1f}x"
    )
    assert rate >= 5 * overall, (anomaly, rate, overall)
    targeted = [picks[k] for k in hits if picks[k]["kind"] == "targeted"]
    rule = f"{PLANTED[anomaly]}@"  # stored as id@vN
    assert targeted and all(any(r.startswith(rule) for r in p["rules"]) for p in targeted), targeted[:3]


def test_the_budget_holds_per_office_and_day(run: dict[str, Any]) -> None:
    picked = Counter((p["customs_code"], p["day"]) for p in run["picked"] if p["kind"] != "review")
    for (office, day), n in picked.items():
        seen = run["assessed"][(office, date.fromisoformat(day))]
        assert n <= math.ceil(BUDGET * 0.8 * seen) + math.ceil(BUDGET * 0.2 * seen), (office, day)


def test_reasons_are_stored_and_shown(run: dict[str, Any]) -> None:
    kinds = Counter(p["kind"] for p in run["picked"])
    assert kinds["targeted"] > 0 and kinds["random"] > 0
    for p in run["picked"]:
        assert p["reasons"], p
        assert p["reason_code"] == {"targeted": "9070", "random": "9040", "review": "9071"}[p["kind"]]
        if p["kind"] == "targeted":
            assert p["rules"] or p["score"] is not None
        assert p["current_status"] in ("500", "300")
    invt_no = next(p["invt_no"] for p in run["picked"] if p["kind"] == "targeted")
    engine = run["app"].engine
    with engine.connect() as conn:
        doc_id = conn.execute(select(t.document.c.id).where(t.document.c.invt_no == invt_no)).scalar()
        history = [
            r.info
            for r in conn.execute(select(t.status_event.c.info).where(t.status_event.c.document_id == doc_id))
        ]
        info = conn.execute(select(t.document.c.info).where(t.document.c.id == doc_id)).scalar()
    assert any(h.startswith("risk: rule ") for h in history)
    assert "rule" not in (info or "")  # the enterprise's receipt names only the reason code


def test_outcomes_feed_precision_and_labels(run: dict[str, Any]) -> None:
    app = run["app"]
    service = InspectionService(app.store, app.rulebook, app.config, AuditLog(app.engine))
    targeted = [p["invt_no"] for p in run["picked"] if p["kind"] == "targeted"][:6]
    for n, invt_no in enumerate(targeted):
        outcome = Outcome.DETAIN_OTHER if n % 2 == 0 else Outcome.RELEASE
        service.record(invt_no, outcome, "officer1", "inspector")
    with app.engine.connect() as conn:
        stats = risk_repo.precision(conn)
        queue = risk_repo.selections(conn, open_only=True, limit=100_000)
    assert stats["kind:targeted"]["selected"] == len(targeted)
    assert stats["kind:targeted"]["precision"] == pytest.approx(0.5)
    assert any(k.startswith("rule:") for k in stats)
    assert not {q["invt_no"] for q in queue} & set(targeted)
    data, rows = labelled_parcels(app.engine)
    assert len(data) == len(targeted) and sorted(data.labels.tolist()) == [0, 0, 0, 1, 1, 1]
    assert all(r["id"] in targeted for r in rows)


def test_parcels_format_trains_from_outcomes(run: dict[str, Any], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from opencbec.cli import app

    db = str(Path(str(run["app"].engine.url.database)))
    csv_path = tmp_path / "labels.csv"
    runner = CliRunner()
    result = runner.invoke(app, ["risk", "export-labels", "--db", db, "--out", str(csv_path)])
    assert result.exit_code == 0, result.output
    model, out = tmp_path / "parcels.json", tmp_path / "out.json"
    result = runner.invoke(
        app, ["risk", "train", "--format", "parcels", "--data", db, "--model", str(model), "--rounds", "20"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        ["risk", "evaluate", "--format", "parcels", "--model", str(model), "--data", str(csv_path),
         "--json", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "precision@10" in json.loads(out.read_text())
    assessor = build_assessor(run["app"].engine, model_path=model)
    assert assessor.model_version is not None
