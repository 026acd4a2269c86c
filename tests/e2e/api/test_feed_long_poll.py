"""Long polling of the receipt feed (``GET /v1/receipts?wait=S``) through a real server."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.e2e.api.conftest import Api
from tests.e2e.api.messages import AGENT, EBP, message, parcel


def _poll(api: Api, code: str, **params: Any) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    response = api.get(code, "/v1/receipts", **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body, time.monotonic() - started


def test_without_receipts_a_long_poll_answers_empty_when_the_wait_runs_out(api: Api) -> None:
    body, took = _poll(api, AGENT, since=0, wait=1.0)
    assert body == {"receipts": [], "next": 0}
    assert 0.95 <= took < 5.0


def test_a_waiting_reader_gets_its_receipt_as_soon_as_it_is_written(api: Api) -> None:
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(_poll, api, EBP, since=0, wait=25)
        time.sleep(0.3)  # the reader is waiting before the order arrives
        assert not waiting.done()
        order = next(d for d in parcel().documents() if d.kind.value == "order")
        assert api.submit(EBP, message(order)).status_code == 202
        body, took = waiting.result(timeout=30)
    (receipt,) = body["receipts"]
    assert receipt["messageType"] == "CEB312Message"
    assert body["next"] == receipt["id"]
    assert took < 15  # answered when the receipt was written, not at the end of the wait
    # the same as a plain read of the feed
    assert api.feed(EBP) == body["receipts"]


def test_receipts_for_others_do_not_answer_a_waiting_reader(api: Api) -> None:
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(_poll, api, AGENT, since=0, wait=2.0)
        time.sleep(0.2)
        order = next(d for d in parcel().documents() if d.kind.value == "order")
        assert api.submit(EBP, message(order)).status_code == 202
        body, took = waiting.result(timeout=30)
    assert body == {"receipts": [], "next": 0}
    assert took >= 1.95  # woken by the platform's receipt, looked, and waited on
    assert [r["messageType"] for r in api.feed(EBP)] == ["CEB312Message"]


def test_a_page_that_has_receipts_is_answered_at_once(api: Api) -> None:
    order = next(d for d in parcel().documents() if d.kind.value == "order")
    assert api.submit(EBP, message(order)).status_code == 202
    deadline = time.monotonic() + 20
    while not api.feed(EBP) and time.monotonic() < deadline:
        time.sleep(0.05)
    body, took = _poll(api, EBP, since=0, wait=25)
    assert [r["messageType"] for r in body["receipts"]] == ["CEB312Message"]
    assert took < 5
    # and past the last receipt the reader waits again
    body, took = _poll(api, EBP, since=body["next"], wait=0.5)
    assert body["receipts"] == [] and took >= 0.45


def test_the_wait_is_bounded(api: Api) -> None:
    for bad in ("31", "-1", "soon"):
        response = api.get(AGENT, "/v1/receipts", since=0, wait=bad)
        assert response.status_code == 422, (bad, response.text)
        assert "wait" in response.text
