"""The export router: summaries, overdue lists and a list's state over HTTP (officers only)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from opencbec.api import export_routes
from opencbec.api.app import create_app
from opencbec.api.auth import issue_enterprise_token, issue_officer_token
from opencbec.api.settings import Settings
from opencbec.bootstrap import batch_clearer, build
from opencbec.sim.export_traffic import simulate_export
from tests.e2e.officers.conftest import SyncClient


def test_summaries_overdue_and_list_state_over_http(tmp_path: Path) -> None:
    db = tmp_path / "cbec.db"
    truth = simulate_export(tmp_path / "sim", date(2024, 6, 10), 2, 10, 3)
    wired = build(str(db))
    batch_clearer(wired, None, verify_signatures=False).run([tmp_path / "sim"])
    wired.engine.dispose()
    app = create_app(
        Settings(db=str(db), signatures="skip", worker=False, webhooks=False, log_level="WARNING")
    )
    app.include_router(export_routes.router)
    engine = app.state.ctx.engine
    boss = {"Authorization": f"Bearer {issue_officer_token(engine, 'boss', 'supervisor')}"}
    firm = {"Authorization": f"Bearer {issue_enterprise_token(engine, '4403960001')}"}
    client = SyncClient(app)
    try:
        late = client.get("/v1/export/overdue", params={"as_of": "2024-07-16"}, headers=boss)
        assert late.status_code == 200 and len(late.json()) == sum(truth["summary_lists"]["2024-06"].values())
        assert client.post("/v1/export/summaries", json={"month": "2024-06"}, headers=firm).status_code == 403
        done = client.post(
            "/v1/export/summaries", json={"month": "2024-06", "summaryFlag": "2"}, headers=boss
        )
        assert done.status_code == 200
        counts = {s["ebcCode"]: sum(len(d["lists"]) for d in s["declarations"]) for s in done.json()}
        assert counts == truth["summary_lists"]["2024-06"]
        invt_no = done.json()[0]["declarations"][0]["lists"][0]
        view = client.get(f"/v1/export/lists/{invt_no}", headers=boss).json()
        assert view["status"] == "899" and view["sumNo"] == done.json()[0]["sumNo"]
        assert client.get("/v1/export/lists/NOPE", headers=boss).status_code == 404
        assert client.get("/v1/export/overdue", params={"as_of": "2024-07-16"}, headers=boss).json() == []
        bad = client.post("/v1/export/summaries", json={"month": "2024-13"}, headers=boss)
        assert bad.status_code == 422
    finally:
        client.close()
        engine.dispose()
