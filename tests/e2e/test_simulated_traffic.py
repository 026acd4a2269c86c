"""Acceptance: simulated traffic cleared by ``cbec clear`` gives exactly the simulator's ground truth.

The size follows ``OPENCBEC_E2E_PARCELS`` (CI runs 100,000 parcels; a developer run defaults to 3,000).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from opencbec.cli import app
from opencbec.messages.encode import check_output
from opencbec.sim import simulate
from opencbec.store import schema as t
from opencbec.store.sql import make_engine

PARCELS = int(os.environ.get("OPENCBEC_E2E_PARCELS", "3000"))


@pytest.fixture(scope="module")
def cleared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("traffic")
    simulate(parcels=PARCELS, start=date(2024, 6, 16), days=3, seed=2024, out=work / "sim")
    db = work / "cbec.db"
    result = CliRunner().invoke(
        app,
        ["clear", "--signatures", "skip", "--db", str(db), "--outbox", str(work / "out"), str(work / "sim")],
    )
    assert result.exit_code == 0, result.output
    engine = make_engine(str(db))
    with engine.connect() as conn:
        docs = {
            (r.kind, r.key): (r.status, r.info, r.dutiable_value)
            for r in conn.execute(
                select(
                    t.document.c.kind,
                    t.document.c.key,
                    t.document.c.status,
                    t.document.c.info,
                    t.document.c.dutiable_value,
                ).where(t.document.c.is_current.is_(True))
            )
        }
        refused = Counter(
            r.info.split(";")[0]
            for r in conn.execute(
                select(t.document.c.info).where(
                    t.document.c.is_current.is_(False), t.document.c.kind == "inventory"
                )
            )
        )
        notes = {}
        for r in conn.execute(select(t.tax_note.c.invt_no, t.tax_note.c.status, t.tax_note.c.head)):
            notes[r.invt_no] = json.loads(r.head)
        invt = dict(
            conn.execute(
                select(t.document.c.key, t.document.c.invt_no).where(
                    t.document.c.kind == "inventory", t.document.c.is_current.is_(True)
                )
            ).all()
        )
    truth = [json.loads(line) for line in (work / "sim" / "ground-truth.jsonl").read_text().splitlines()]
    summary = json.loads((work / "sim" / "ground-truth-summary.json").read_text())
    return {
        "work": work,
        "docs": docs,
        "truth": truth,
        "summary": summary,
        "notes": notes,
        "invt": invt,
        "refused": refused,
        "output": result.output,
    }


def _code(info: str) -> str:
    return info.split(";")[0].removeprefix("[Code:")


def test_every_parcel_gets_exactly_the_outcome_the_ground_truth_predicts(cleared: dict[str, Any]) -> None:
    docs = cleared["docs"]
    mismatches = []
    for p in cleared["truth"]:
        key = f"{p['ebpCode']}/{p['orderNo']}"
        got = {
            "order": docs.get(("order", key), ("missing",))[0],
            "payment": docs.get(("payment", key), ("missing",))[0],
            "waybill": docs.get(("waybill", f"{p['logisticsCode']}/{p['logisticsNo']}"), ("missing",))[0],
            "list": docs[("inventory", key)][0],
            "listReason": _code(docs[("inventory", key)][1]),
        }
        want = {k: p["expected"][k] for k in got}
        if want["payment"] is None:
            want["payment"] = "missing"
        if got != want:
            mismatches.append((p["parcel"], p["labels"], want, got, docs[("inventory", key)][1][:200]))
    assert not mismatches, mismatches[:10]


def test_the_outcome_counts_equal_the_ground_truth_summary(cleared: dict[str, Any]) -> None:
    docs = cleared["docs"]
    lists = Counter(status for (kind, _), (status, _, _) in docs.items() if kind == "inventory")
    assert dict(lists) == cleared["summary"]["lists"]["byStatus"]
    reasons = Counter(_code(info) for (kind, _), (_, info, _) in docs.items() if kind == "inventory")
    assert dict(reasons) == cleared["summary"]["lists"]["byReason"]
    duplicates = cleared["summary"]["duplicateLists"]["byReason"]
    assert cleared["refused"]["[Code:-621004"] == duplicates.get("-621004", 0)
    assert f"inventory:800={lists['800']}" in cleared["output"]


def test_released_lists_carry_the_predicted_dutiable_value_and_taxes(cleared: dict[str, Any]) -> None:
    docs, notes, invt = cleared["docs"], cleared["notes"], cleared["invt"]
    checked = 0
    for p in cleared["truth"]:
        key = f"{p['ebpCode']}/{p['orderNo']}"
        if p["expected"]["list"] != "800":
            continue
        assert Decimal(docs[("inventory", key)][2]) == Decimal(p["dutiableValue"]), p["parcel"]
        head = notes[invt[key]]
        assert Decimal(head["value_added_tax"]) == Decimal(p["valueAddedTax"]), p["parcel"]
        assert Decimal(head["consumption_tax"]) == Decimal(p["consumptionTax"]), p["parcel"]
        checked += 1
    assert checked > PARCELS * 0.8


def test_every_receipt_written_validates_against_the_official_xsd(cleared: dict[str, Any]) -> None:
    files = sorted((cleared["work"] / "out").glob("*.xml"))
    assert len(files) > PARCELS / 100
    kinds = Counter()
    for path in files:
        data = path.read_bytes()
        check_output(data)
        kinds[path.name.split("_")[1]] += 1
    assert {"CEB312Message", "CEB412Message", "CEB512Message", "CEB622Message", "CEB816Message"} <= set(kinds)
