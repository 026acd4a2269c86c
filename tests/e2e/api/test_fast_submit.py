"""``POST /v1/messages`` answered by the fast path gives the same answers as the FastAPI route."""

from __future__ import annotations

from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

from opencbec.api import enterprise
from opencbec.api.app import create_app
from opencbec.api.auth import issue_enterprise_token, issue_officer_token
from opencbec.messages.json_form import xml_to_json
from tests.e2e.api.conftest import NS, Server, settings_for
from tests.e2e.api.messages import AGENT, EBP, PAY, message, parcel

_HEADERS = ("content-type", "location", "www-authenticate", "x-cbec-return-status", "x-cbec-message-id")


class Served:
    """One app (fast path on or off) on its own fresh database, with the tokens it issued."""

    def __init__(self, tmp_path: Path, fast_submit: bool) -> None:
        app = create_app(
            settings_for(tmp_path, db=str(tmp_path / f"fast-{fast_submit}.db")), fast_submit=fast_submit
        )
        self.server = Server(app)
        self.client = httpx.Client(base_url=self.server.__enter__(), timeout=30)
        engine = app.state.ctx.engine
        self.tokens = {code: issue_enterprise_token(engine, code) for code in (EBP, PAY, AGENT)}
        self.tokens["officer"] = issue_officer_token(engine, "li", "inspector")

    def post(
        self, auth: tuple[str, str] | None, body: bytes, content_type: str = "application/xml"
    ) -> httpx.Response:
        """``auth``: (scheme, whose token, or a token as it is)."""
        headers = {"Content-Type": content_type}
        if auth is not None:
            scheme, who = auth
            headers["Authorization"] = f"{scheme} {self.tokens.get(who, who)}"
        return self.client.post("/v1/messages", content=body, headers=headers)

    def close(self) -> None:
        self.client.close()
        self.server.__exit__()


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Served, Served, list[int]]]:
    route_calls: list[int] = []  # submissions answered through the FastAPI route
    real_accept = enterprise.accept

    def counted(*args: Any) -> Awaitable[Any]:
        route_calls.append(1)
        return real_accept(*args)

    monkeypatch.setattr(enterprise, "accept", counted)
    fast, route = Served(tmp_path, True), Served(tmp_path, False)
    yield fast, route, route_calls
    fast.close()
    route.close()


def _answer(response: httpx.Response) -> tuple[Any, ...]:
    """What the caller sees, minus what differs between two databases (times and guids of a CEB900)."""
    body: Any
    if response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
    else:
        root = etree.fromstring(response.content)
        body = (
            root.tag,
            root.findtext(".//ceb:returnStatus", namespaces=NS),
            root.findtext(".//ceb:returnInfo", namespaces=NS),
        )
    headers = {h: response.headers.get(h) for h in _HEADERS}
    return response.status_code, body, headers


def test_the_fast_path_answers_submissions_as_the_route_does(pair: tuple[Served, Served, list[int]]) -> None:
    fast, route, route_calls = pair
    p = parcel()
    order = next(d for d in p.documents() if d.kind.value == "order")
    payment = next(d for d in p.documents() if d.kind.value == "payment")
    cases: list[tuple[str, tuple[str, str] | None, bytes, str]] = [
        ("accepted", ("Bearer", EBP), message(order), "application/xml"),
        ("accepted, JSON form", ("Bearer", PAY), xml_to_json(message(payment)), "application/json"),
        ("replayed", ("Bearer", EBP), message(order), "text/xml; charset=utf-8"),
        ("no token", None, message(order), "application/xml"),
        ("not bearer", ("Basic", EBP), message(order), "application/xml"),
        ("unknown token", ("Bearer", "cbec_nosuchtoken"), message(order), "application/xml"),
        ("an officer", ("Bearer", "officer"), message(order), "application/xml"),
        ("content type", ("Bearer", EBP), message(order), "text/plain"),
        ("not a declared party", ("Bearer", AGENT), message(order), "application/xml"),
        ("not well formed", ("Bearer", EBP), b"<not-closed", "application/xml"),
        ("too large", ("Bearer", EBP), b"<a>" + b"x" * (10 * 1024 * 1024) + b"</a>", "application/xml"),
    ]
    answers = []
    for name, auth, body, content_type in cases:
        before = len(route_calls)
        got = _answer(fast.post(auth, body, content_type))
        assert len(route_calls) == before, f"{name}: the fast app used the FastAPI route"
        expected = _answer(route.post(auth, body, content_type))
        assert got == expected, name
        answers.append((name, got[0]))
    assert len(route_calls) >= 4  # the route app did answer through the route (the calls that got that far)
    assert answers == [
        ("accepted", 202),
        ("accepted, JSON form", 202),
        ("replayed", 202),
        ("no token", 401),
        ("not bearer", 401),
        ("unknown token", 401),
        ("an officer", 403),
        ("content type", 415),
        ("not a declared party", 403),
        ("not well formed", 400),
        ("too large", 400),
    ]


def test_other_requests_still_go_through_fastapi(pair: tuple[Served, Served, list[int]]) -> None:
    fast, route, _calls = pair
    for served in (fast, route):
        token = {"Authorization": f"Bearer {served.tokens[EBP]}"}
        assert served.client.get("/v1/messages", headers=token).status_code == 405
        assert served.client.get("/v1/messages/999", headers=token).status_code == 404
        described = served.client.get("/openapi.json").json()["paths"]["/v1/messages"]["post"]
        assert "202" in described["responses"]


def test_an_unexpected_error_is_answered_500_by_both(
    pair: tuple[Served, Served, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, route, _calls = pair
    order = next(d for d in parcel().documents() if d.kind.value == "order")

    def broken(*_args: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(enterprise, "check_submitter", broken)
    answers = [served.post(("Bearer", EBP), message(order)) for served in (fast, route)]
    assert [(a.status_code, a.text) for a in answers] == [(500, "Internal Server Error")] * 2


def test_submissions_carry_a_request_id_on_the_fast_path(pair: tuple[Served, Served, list[int]]) -> None:
    fast, _route, _calls = pair
    order = next(d for d in parcel().documents() if d.kind.value == "order")
    given = fast.client.post(
        "/v1/messages",
        content=message(order),
        headers={
            "Authorization": f"Bearer {fast.tokens[EBP]}",
            "Content-Type": "application/xml",
            "X-Request-Id": "req-42",
        },
    )
    assert (given.status_code, given.headers["x-request-id"]) == (202, "req-42")
    made = fast.post(("Bearer", EBP), message(order))
    assert made.headers["x-request-id"] and made.headers["x-request-id"] != "req-42"
