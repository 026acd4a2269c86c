"""Webhook delivery to a real local HTTP receiver: signed, in feed order, retried with backoff."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from opencbec.service.webhooks import signature
from tests.e2e.api.conftest import Api
from tests.e2e.api.messages import EBP, message, parcel

SECRET = "s3cret-s3cret-s3cret"


class Receiver:
    """An HTTP server that answers 503 to the first ``failures`` requests, then 204."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {"headers": dict(self.headers), "body": body, "at": time.monotonic()}
                )
                failing = len(receiver.requests) <= receiver.failures
                self.send_response(503 if failing else 204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait(self, n: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.requests)} of {n} deliveries")
            time.sleep(0.02)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(failures=2)
    yield r
    r.close()


def test_receipts_are_delivered_signed_with_retries(api: Api, receiver: Receiver) -> None:
    hook = api.client.put(
        "/v1/webhook",
        json={"url": receiver.url, "secret": SECRET},
        headers=api.headers(EBP, "application/json"),
    )
    assert hook.status_code == 200, hook.text
    assert "secret" not in hook.json()
    first, second = parcel(), parcel()
    for p in (first, second):
        response = api.submit(EBP, message(p.order))
        assert response.status_code == 202
        api.wait_cleared(EBP, response.json()["messageId"])
    feed = api.feed(EBP)
    receiver.wait(2 + len(feed))  # two failures, then every receipt message
    ok = receiver.requests[2:]
    assert [int(r["headers"]["X-CBEC-Receipt-Id"]) for r in ok] == [r["id"] for r in feed]
    assert [r["body"] for r in ok] == [r["xml"].encode() for r in feed]
    for r in receiver.requests:
        h = r["headers"]
        assert h["X-CBEC-Signature"] == signature(SECRET, h["X-CBEC-Timestamp"], r["body"])
        assert h["Content-Type"] == "application/xml"
    # the same receipt retried (in order), with a growing delay
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"] == receiver.requests[2]["body"]
    gap1 = receiver.requests[1]["at"] - receiver.requests[0]["at"]
    gap2 = receiver.requests[2]["at"] - receiver.requests[1]["at"]
    assert gap1 >= 0.04 and gap2 >= 0.09
    # the receiver has answered the last delivery; the deliverer records it just after
    deadline = time.monotonic() + 10
    while (state := api.get(EBP, "/v1/webhook").json())["cursor"] != feed[-1]["id"]:
        assert time.monotonic() < deadline, state
        time.sleep(0.02)
    assert state["failures"] == 0
    attempts = sorted(state["attempts"], key=lambda a: (a["receiptId"], a["attempt"]))
    expected = [(1, False, 503), (2, False, 503), (3, True, 204)] + [(1, True, 204)] * (len(feed) - 1)
    assert [(a["attempt"], a["ok"], a["statusCode"]) for a in attempts] == expected  # fmt: skip


def test_an_unreachable_webhook_does_not_block_the_feed(api: Api) -> None:
    r = Receiver()
    url = r.url
    r.close()  # nothing listens there any more
    api.client.put(
        "/v1/webhook", json={"url": url, "secret": SECRET}, headers=api.headers(EBP, "application/json")
    )
    assert api.submit(EBP, message(parcel().order)).status_code == 202
    deadline = time.monotonic() + 10
    while not (state := api.get(EBP, "/v1/webhook").json())["attempts"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert state["failures"] >= 1 and state["attempts"][0]["ok"] is False
    assert "ConnectError" in state["attempts"][0]["error"]
    assert len(api.feed(EBP)) == 1
    assert api.client.delete("/v1/webhook", headers=api.headers(EBP)).status_code == 204
    assert api.get(EBP, "/v1/webhook").status_code == 404


def test_webhook_validation(api: Api) -> None:
    bad = api.client.put(
        "/v1/webhook",
        json={"url": "ftp://x", "secret": "short"},
        headers=api.headers(EBP, "application/json"),
    )
    assert bad.status_code == 422
