"""The server itself: OpenAPI and docs page, the ``serve`` entry point, demo data, wall-clock ticks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from opencbec.api.server import is_empty, load_demo_data
from opencbec.api.settings import Settings, load_settings
from opencbec.service.online import ceb_now
from tests.e2e.api.conftest import Api
from tests.e2e.api.messages import AGENT, message, parcel
from tests.proc import children, nice


def test_openapi_document_and_docs_page_need_no_token(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert {
        "/v1/messages",
        "/v1/messages/{message_id}",
        "/v1/receipts",
        "/v1/documents",
        "/v1/webhook",
    } <= set(spec["paths"])
    assert any(s.get("scheme") == "bearer" for s in spec["components"]["securitySchemes"].values())
    assert "application/xml" in spec["paths"]["/v1/messages"]["post"]["requestBody"]["content"]
    docs = api.client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert api.client.get("/v1/receipts").headers.get("x-request-id")


def test_settings_have_no_default_secret_and_read_env_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENCBEC_ADMIN_TOKEN", raising=False)
    assert Settings().admin_token is None
    env = tmp_path / "cbec.env"
    env.write_text("OPENCBEC_SIGNATURES=skip\nOPENCBEC_BATCH_WINDOW_MS=50\nOPENCBEC_ADMIN_TOKEN=from-file\n")
    monkeypatch.setenv("OPENCBEC_BATCH_WINDOW_MS", "70")
    settings = load_settings(env, db="x.db")
    assert (settings.signatures, settings.batch_window_ms, settings.db) == ("skip", 70, "x.db")
    assert settings.admin_token is not None and settings.admin_token.get_secret_value() == "from-file"
    assert "from-file" not in repr(settings)
    with pytest.raises(FileNotFoundError):
        load_settings(tmp_path / "missing.env")


def test_demo_data_fills_an_empty_database_once(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    assert is_empty(db)
    summary = load_demo_data(db, parcels=40)
    assert summary.documents > 100 and not is_empty(db)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_runs_uvicorn_on_a_real_socket(tmp_path: Path) -> None:
    port = _free_port()
    code = f"from opencbec.api import serve; serve({str(tmp_path / 'srv.db')!r}, '127.0.0.1', {port}, 1)"
    env = {**os.environ, "OPENCBEC_LOG_FORMAT": "json", "OPENCBEC_SIGNATURES": "skip"}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/v1/receipts", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        assert response.status_code == 401
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert '"event": "start"' in err and '"event": "http"' in err  # structured JSON logs


def test_with_the_wall_clock_a_waiting_list_times_out_on_a_tick(make_api: Callable[..., Api]) -> None:
    api = make_api(tick_seconds=0.3)
    late = parcel(at=ceb_now().replace(microsecond=0) - timedelta(hours=25))
    response = api.submit(AGENT, message(late.inventory))
    assert response.status_code == 202
    api.wait_cleared(AGENT, response.json()["messageId"])
    deadline = time.monotonic() + 10
    while True:
        (view,) = api.get(AGENT, "/v1/documents", orderNo=late.inventory.head.order_no).json()
        if view["status"] == "100":
            break
        assert time.monotonic() < deadline, view
        time.sleep(0.05)
    assert view["info"].startswith("[Code:9001;")


def _wait_up(proc: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)


def test_serve_with_two_processes_clears_in_a_worker_process_and_restarts_it(tmp_path: Path) -> None:
    """``cbec serve --workers 2``: HTTP processes accept; a ``cbec work`` process beside them clears."""
    from opencbec.api.auth import issue_enterprise_token
    from opencbec.store.sql import make_engine
    from tests.e2e.api.conftest import statuses
    from tests.e2e.api.messages import SENDER_OF

    db = str(tmp_path / "two.db")
    engine = make_engine(db)
    tokens = {code: issue_enterprise_token(engine, code) for code in set(SENDER_OF.values())}
    engine.dispose()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "opencbec", "serve", "--db", db, "--port", str(port), "--workers", "2"]
    env = {**os.environ, "OPENCBEC_SIGNATURES": "skip", "OPENCBEC_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([*cmd, "--no-demo-data"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        _wait_up(proc, f"{url}/v1/receipts")
        deadline = time.monotonic() + 30
        while True:  # the clearing worker may start just after the HTTP processes answer
            below = children(proc.pid)
            workers = [pid for pid, cmdline in below if " work " in f"{cmdline} "]
            http = [pid for pid, cmdline in below if "spawn_main" in cmdline]  # uvicorn's processes
            if (workers and len(http) >= 2) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        (worker,) = workers
        assert len(http) == 2 and {nice(p) for p in http} == {5} and nice(worker) == 0
        os.kill(worker, 9)  # the server starts a new one
        deadline = time.monotonic() + 30
        while not (again := [p for p, c in children(proc.pid) if " work " in f"{c} " and p != worker]):
            assert time.monotonic() < deadline, "the clearing worker was not restarted"
            time.sleep(0.1)
        goods = parcel()
        with httpx.Client(base_url=url, timeout=10) as client:
            for doc in goods.documents():
                code = SENDER_OF[doc.kind.value]
                sent = client.post(
                    "/v1/messages",
                    content=message(doc),
                    headers={"Authorization": f"Bearer {tokens[code]}", "Content-Type": "application/xml"},
                )
                assert sent.status_code == 202, sent.text
            auth = {"Authorization": f"Bearer {tokens[AGENT]}"}
            while True:
                feed = client.get("/v1/receipts", params={"xml": "true"}, headers=auth).json()["receipts"]
                found = [s for r in feed for s in statuses(r["xml"], "InventoryReturn")]
                if "800" in found or "500" in found:
                    break
                assert time.monotonic() < deadline + 30, feed
                time.sleep(0.1)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert not Path(f"/proc/{again[0]}").exists(), "the clearing worker outlived the server"
    assert "clearing worker exited; restarting" in err
