"""The app builds its whole route table when it is created, not on the first requests.

FastAPI (since 0.137) builds an included router's routes, with their pydantic adapters, lazily on
the first request that reaches it. Two apps served by different threads of one process then build
adapters for the same types at once, and a first request could fail with a 500 (seen in CI).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest

from opencbec.api.app import create_app
from opencbec.api.auth import issue_enterprise_token
from tests.e2e.api.conftest import Server, settings_for
from tests.e2e.api.messages import AGENT


def test_the_first_requests_build_no_pydantic_adapters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(settings_for(tmp_path))
    token = issue_enterprise_token(app.state.ctx.engine, AGENT)
    built: list[Any] = []
    real_init = pydantic.TypeAdapter.__init__

    def counting_init(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(args[0] if args else kwargs.get("type"))
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(pydantic.TypeAdapter, "__init__", counting_init)
    with Server(app) as url, httpx.Client(base_url=url) as client:
        feed = client.get("/v1/receipts", headers={"Authorization": f"Bearer {token}"})
        missing = client.get("/v1/no-such-route", headers={"Authorization": f"Bearer {token}"})
    assert feed.status_code == 200, feed.text
    assert feed.json()["receipts"] == []
    assert missing.status_code == 404  # every router was searched
    assert built == []
