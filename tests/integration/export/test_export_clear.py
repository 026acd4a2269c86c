"""Export traffic through ``cbec clear`` (the same run as imports), then ``cbec export summarize``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from opencbec.cli import app
from opencbec.messages.export_decode import read_export_receipt
from opencbec.messages.export_encode import check_export_output
from opencbec.sim.export_traffic import season_factor, simulate_export
from opencbec.store.export_repo import export_declaration, export_document

runner = CliRunner()


def test_simulated_exports_clear_close_and_summarise(tmp_path: Path) -> None:
    sim, db, outbox = tmp_path / "sim", tmp_path / "cbec.db", tmp_path / "out"
    truth = simulate_export(sim, date(2024, 6, 29), 3, 20, 7)  # crosses into July
    result = runner.invoke(
        app, ["clear", "--signatures", "skip", "--db", str(db), "--outbox", str(outbox), str(sim)]
    )
    assert result.exit_code == 0, result.output
    engine = create_engine(f"sqlite:///{db}")
    t = export_document.c
    with engine.connect() as conn:
        lists = dict(
            conn.execute(select(t.status, func.count()).where(t.kind == "x_list").group_by(t.status)).all()
        )
    assert lists == {"899": sum(truth["days"].values())}
    files = sorted(outbox.glob("*.xml"))
    assert {f.name.split("_")[1] for f in files} >= {
        "CEB304Message",
        "CEB506Message",
        "CEB604Message",
        "CEB508Message",
    }
    for f in files:
        check_export_output(f.read_bytes())
    result = runner.invoke(
        app, ["export", "summarize", "--month", "2024-06", "--db", str(db), "--outbox", str(outbox), "--json"]
    )
    assert result.exit_code == 0, result.output
    done = json.loads(result.output)
    expected = truth["summary_lists"]["2024-06"]
    assert {s["ebcCode"]: sum(len(d["lists"]) for d in s["declarations"]) for s in done} == expected
    results = [read_export_receipt(f.read_bytes()) for f in sorted(outbox.glob("*CEB792Message*"))]
    lines = [(ln.invt_no, ln.gnum) for r in results for _head, ls in r.entries for ln in ls]
    assert len(lines) == len(set(lines)) > 0
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(export_declaration)).scalar_one() == sum(
            len(s["declarations"]) for s in done
        )
    again = runner.invoke(app, ["export", "summarize", "--month", "2024-06", "--db", str(db), "--json"])
    assert json.loads(again.output) == []  # every list is summarised once
    late = runner.invoke(app, ["export", "overdue", "--as-of", "2024-08-16", "--db", str(db)])
    assert late.exit_code == 1 and "overdue list(s)" in late.output  # July lists not summarised


def test_the_summer_peak() -> None:
    assert season_factor(date(2024, 7, 1)) > season_factor(date(2024, 3, 1))
    assert season_factor(date(2024, 6, 18)) > season_factor(date(2024, 7, 1))
