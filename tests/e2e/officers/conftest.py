"""A world for the officers' API: parcels cleared with inspection rate 1, an app, officers' tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from opencbec.api.app import create_app
from opencbec.api.auth import issue_enterprise_token, issue_officer_token
from opencbec.api.settings import Settings
from opencbec.bootstrap import batch_clearer, build
from opencbec.store.sql import SqlStore
from tests.integration.test_cbec_clear import write_parcel
from tests.parcels import Parcel, buyer_id, make_parcel

ROLES = ("viewer", "inspector", "supervisor", "admin")


class SyncClient:
    """httpx against the ASGI app in-process (``httpx.ASGITransport``), driven synchronously."""

    def __init__(self, app: Any) -> None:
        self._runner = asyncio.Runner()
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://officers.test"
        )

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self._runner.run(self._client.get(url, **kwargs))

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self._runner.run(self._client.post(url, **kwargs))

    def close(self) -> None:
        self._runner.run(self._client.aclose())
        self._runner.close()


@dataclass
class World:
    """Four parcels under inspection (500), an HTTP client, a token per role and one enterprise token."""

    client: SyncClient
    store: SqlStore
    parcels: list[Parcel]
    invt_nos: list[str]
    tokens: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, who: str, url: str, **params: Any) -> httpx.Response:
        return self.client.get(url, params=params, headers=self.auth(who))

    def post(self, who: str, invt_no: str, outcome: str, note: str = "") -> httpx.Response:
        return self.client.post(
            f"/v1/officer/inspections/{invt_no}",
            json={"outcome": outcome, "note": note},
            headers=self.auth(who),
        )

    def audit(self, **params: Any) -> list[dict[str, Any]]:
        response = self.get("supervisor", "/v1/officer/audit", pageSize=500, **params)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


def clear_inspected(db: str | Path, inbox: Path, parcels: list[Parcel]) -> list[str]:
    """Clear ``parcels`` through the batch driver with inspection rate 1; their invtNos."""
    for n, parcel in enumerate(parcels):
        write_parcel(inbox, f"p{n}", parcel)
    wired = build(str(db), inspection_rate=Decimal(1))
    batch_clearer(wired, None, verify_signatures=False).run([inbox])
    numbers = []
    for parcel in parcels:
        history = wired.store.history(parcel.inventory.head.order_no)
        (invt_no,) = {h.invt_no for h in history if h.kind == "inventory" and h.invt_no}
        numbers.append(invt_no)
    wired.engine.dispose()
    return numbers


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    db = tmp_path / "cbec.db"
    parcels = [make_parcel(buyer=buyer_id(n + 1)) for n in range(4)]
    invt_nos = clear_inspected(db, tmp_path / "in", parcels)
    settings = Settings(db=str(db), signatures="skip", worker=False, webhooks=False, log_level="WARNING")
    app = create_app(settings)
    engine = app.state.ctx.engine
    tokens = {role: issue_officer_token(engine, f"{role}.one", role) for role in ROLES}
    tokens["enterprise"] = issue_enterprise_token(engine, "330766K00Q")
    client = SyncClient(app)
    yield World(client, app.state.ctx.app.store, parcels, invt_nos, tokens)
    client.close()
    engine.dispose()
