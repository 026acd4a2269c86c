"""An API server on a fresh SQLite database per test, driven through HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from lxml import etree

from opencbec.api.app import create_app
from opencbec.api.auth import issue_enterprise_token, issue_officer_token
from opencbec.api.coalescing import CoalescingHttpToolsProtocol
from opencbec.api.context import ApiContext
from opencbec.api.settings import Settings
from tests.e2e.api.messages import AGENT, EBC, EBP, LOGISTICS, PAY

NS = {"ceb": "http://www.chinaport.gov.cn/ceb"}


@dataclass
class Api:
    """A running app with a token per enterprise of the test parcels."""

    client: httpx.Client
    ctx: ApiContext
    tokens: dict[str, str]

    def headers(self, code: str, content_type: str = "application/xml") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[code]}", "Content-Type": content_type}

    def token(self, code: str) -> str:
        if code not in self.tokens:
            self.tokens[code] = issue_enterprise_token(self.ctx.engine, code)
        return self.tokens[code]

    def submit(self, code: str, body: bytes, content_type: str = "application/xml") -> httpx.Response:
        self.token(code)
        return self.client.post("/v1/messages", content=body, headers=self.headers(code, content_type))

    def get(self, code: str, url: str, **params: Any) -> httpx.Response:
        self.token(code)
        return self.client.get(url, params=params, headers={"Authorization": f"Bearer {self.tokens[code]}"})

    def wait_cleared(self, code: str, message_id: int, timeout: float = 20.0) -> dict[str, Any]:
        """Poll GET /v1/messages/{id} until the submission is cleared.

        404 counts as queued: on SQLite an accepted submission that arrived while a clearing batch
        held the database is in the intake journal until the worker files it.
        """
        deadline = time.monotonic() + timeout
        while True:
            response = self.get(code, f"/v1/messages/{message_id}")
            body: dict[str, Any] = response.json()
            if response.status_code == 200 and body["status"] != "queued":
                return body
            if time.monotonic() > deadline:
                raise AssertionError(f"submission {message_id} still queued after {timeout} s")
            time.sleep(0.02)

    def feed(self, code: str, since: int = 0, limit: int = 500) -> list[dict[str, Any]]:
        """Every receipt message of ``code`` after ``since`` (following ``next``)."""
        out: list[dict[str, Any]] = []
        while True:
            page = self.get(code, "/v1/receipts", since=since, limit=limit).json()
            out.extend(page["receipts"])
            if not page["receipts"]:
                return out
            since = page["next"]


def statuses(xml: str | bytes, tag: str) -> list[str]:
    """``returnStatus`` values of the ``tag`` entries of a receipt message."""
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    return [s.text or "" for s in root.iterfind(f".//ceb:{tag}/ceb:returnStatus", NS)]


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "db": str(tmp_path / "api.db"),
        "signatures": "skip",
        "inspection_rate": 0,
        "batch_window_ms": 5,
        "tick_seconds": 3600,
        "webhook_base_delay_ms": 50,
        "webhook_poll_ms": 50,
        "log_format": "text",
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings(**values)


class Server:
    """uvicorn serving ``app`` on a free local port, in a thread."""

    def __init__(self, app: FastAPI) -> None:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_config=None,
            lifespan="on",
            access_log=False,
            http=CoalescingHttpToolsProtocol,  # as cbec serve
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(20)


@pytest.fixture
def make_api(tmp_path: Path) -> Iterator[Callable[..., Api]]:
    running: list[tuple[Server, httpx.Client]] = []

    def make(**overrides: Any) -> Api:
        app = create_app(settings_for(tmp_path, **overrides))
        server = Server(app)
        client = httpx.Client(base_url=server.__enter__(), timeout=30)
        running.append((server, client))
        ctx: ApiContext = app.state.ctx
        tokens = {
            code: issue_enterprise_token(ctx.engine, code) for code in (EBP, EBC, PAY, LOGISTICS, AGENT)
        }
        tokens["officer"] = issue_officer_token(ctx.engine, "li", "inspector")
        return Api(client, ctx, tokens)

    yield make
    for server, client in running:
        client.close()
        server.__exit__()


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()
