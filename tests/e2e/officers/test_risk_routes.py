"""The officers' risk endpoints over HTTP: rules (read, change as supervisor, audited, in force at
the next clearing), selections with their reasons, precision from recorded inspection outcomes."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from opencbec.api.app import create_app
from opencbec.api.auth import issue_enterprise_token, issue_officer_token
from opencbec.api.settings import Settings
from opencbec.bootstrap import batch_clearer, build
from tests.e2e.officers.conftest import ROLES, SyncClient
from tests.integration.test_cbec_clear import write_parcel
from tests.parcels import Parcel, buyer_id, make_parcel

WATCHED = buyer_id(7)


class RiskWorld:
    """An officers' API on an empty database, a token per role and one enterprise token."""

    def __init__(self, db: Path, client: SyncClient, tokens: dict[str, str]) -> None:
        self.db, self.client, self.tokens = db, client, tokens

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, who: str, url: str, **params: Any) -> Any:
        return self.client.get(url, params=params, headers=self.auth(who))

    def put_rule(self, who: str, rule_id: str, definition: dict[str, Any]) -> Any:
        runner, client = self.client._runner, self.client._client
        return runner.run(
            client.put(f"/v1/officer/risk/rules/{rule_id}", json=definition, headers=self.auth(who))
        )

    def clear(self, inbox: Path, parcels: list[Parcel]) -> dict[str, str]:
        """Clear ``parcels`` with risk targeting on (budget 5 %); invtNo by buyer ID."""
        for n, parcel in enumerate(parcels):
            write_parcel(inbox, f"p{n}", parcel)
        wired = build(str(self.db), inspection_rate=Decimal("0.05"), risk=True)
        batch_clearer(wired, None, verify_signatures=False).run([inbox])
        numbers = {}
        for parcel in parcels:
            history = wired.store.history(parcel.inventory.head.order_no)
            (invt_no,) = {h.invt_no for h in history if h.kind == "inventory" and h.invt_no}
            numbers[parcel.inventory.head.buyer_id_number] = invt_no
        wired.engine.dispose()
        return numbers


@pytest.fixture
def risk_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RiskWorld]:
    for name in ("OPENCBEC_RISK", "OPENCBEC_RISK_RULES", "OPENCBEC_RISK_MODEL", "OPENCBEC_RISK_RANDOM_SHARE"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "cbec.db"
    settings = Settings(db=str(db), signatures="skip", worker=False, webhooks=False, log_level="WARNING")
    app = create_app(settings)
    engine = app.state.ctx.engine
    tokens = {role: issue_officer_token(engine, f"{role}.one", role) for role in ROLES}
    tokens["enterprise"] = issue_enterprise_token(engine, "330766K00Q")
    client = SyncClient(app)
    yield RiskWorld(db, client, tokens)
    client.close()
    engine.dispose()


def _watch_list(buyers: list[str]) -> dict[str, Any]:
    return {
        "valid_from": "2019-01-01",
        "action": "select",
        "reason": "列入布控名单的订购人. Buyer on the watch list (test).",
        "when": {"kind": "watch_list", "buyer_ids": buyers},
    }


def test_rules_are_listed_for_every_officer_and_refused_to_enterprises(risk_world: RiskWorld) -> None:
    response = risk_world.get("viewer", "/v1/officer/risk/rules")
    assert response.status_code == 200, response.text
    ids = {r["id"] for r in response.json()["rules"]}
    assert {"split-orders", "buyer-id-many-parties", "undervalued-goods", "watch-list"} <= ids
    assert risk_world.get("enterprise", "/v1/officer/risk/rules").status_code == 403
    assert risk_world.client.get("/v1/officer/risk/rules").status_code == 401


def test_only_a_supervisor_changes_a_rule_and_it_is_audited(risk_world: RiskWorld) -> None:
    for who in ("viewer", "inspector", "enterprise"):
        assert risk_world.put_rule(who, "watch-list", _watch_list([WATCHED])).status_code == 403, who
    bad = risk_world.put_rule("supervisor", "watch-list", {**_watch_list([]), "action": "explode"})
    assert bad.status_code == 422
    response = risk_world.put_rule("supervisor", "watch-list", _watch_list([WATCHED]))
    assert response.status_code == 200, response.text
    first = response.json()["version"]
    again = risk_world.put_rule("supervisor", "watch-list", _watch_list([WATCHED, buyer_id(8)]))
    assert again.status_code == 200 and again.json()["version"] == first + 1
    rules = {r["id"]: r for r in risk_world.get("viewer", "/v1/officer/risk/rules").json()["rules"]}
    assert rules["watch-list"]["when"]["buyer_ids"] == [WATCHED, buyer_id(8)]
    audit = risk_world.get("supervisor", "/v1/officer/audit", pageSize=500, action="risk.rule.change")
    assert audit.status_code == 200, audit.text
    entries = audit.json()["items"]
    assert len(entries) == 2 and all("supervisor.one" in str(e) for e in entries)


def test_a_changed_rule_selects_at_the_next_clearing_with_reasons_and_precision(
    risk_world: RiskWorld, tmp_path: Path
) -> None:
    assert risk_world.put_rule("supervisor", "watch-list", _watch_list([WATCHED])).status_code == 200
    parcels = [make_parcel(buyer=WATCHED)] + [make_parcel(buyer=buyer_id(n)) for n in (1, 2, 3, 4)]
    numbers = risk_world.clear(tmp_path / "in", parcels)
    watched = numbers[WATCHED]

    assert risk_world.get("viewer", "/v1/officer/risk/selections").status_code == 403
    response = risk_world.get("inspector", "/v1/officer/risk/selections", invtNo=watched)
    assert response.status_code == 200, response.text
    (pick,) = response.json()["selections"]
    assert pick["kind"] == "targeted" and pick["reason_code"] == "9070"
    assert any(r.startswith("watch-list@") for r in pick["rules"])
    assert any("watch list" in r for r in pick["reasons"]), pick["reasons"]
    queue = risk_world.get("inspector", "/v1/officer/risk/queue").json()["queue"]
    assert watched in {q["invt_no"] for q in queue}

    recorded = risk_world.client.post(
        f"/v1/officer/inspections/{watched}",
        json={"outcome": "detain_smuggling", "note": "watch list hit"},
        headers=risk_world.auth("inspector"),
    )
    assert recorded.status_code == 200, recorded.text
    assert risk_world.get("inspector", "/v1/officer/risk/precision").status_code == 403
    response = risk_world.get("supervisor", "/v1/officer/risk/precision")
    assert response.status_code == 200, response.text
    stats = response.json()["precision"]
    rule = next(k for k in stats if k.startswith("rule:watch-list"))
    assert stats[rule]["selected"] == 1 and stats[rule]["precision"] == pytest.approx(1.0)
    queue = risk_world.get("inspector", "/v1/officer/risk/queue").json()["queue"]
    assert watched not in {q["invt_no"] for q in queue}
