"""``cbec serve --workers 2``: each HTTP process listens on the port itself, so connections opened
together are spread over the processes; a process that dies is replaced."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from opencbec.api.http_processes import check_port, listening_socket, reuse_port_supported
from tests.proc import children

pytestmark = pytest.mark.skipif(not reuse_port_supported(), reason="SO_REUSEPORT is not available here")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _http_processes(server: int) -> list[int]:
    return [pid for pid, cmdline in children(server) if "spawn_main" in cmdline]


def _process_of_each_connection(url: str, connections: int) -> set[str]:
    """Open ``connections`` connections at once; the request-id prefix of the process answering each."""

    def one(_n: int) -> str:
        with httpx.Client(base_url=url, timeout=10) as client:
            response = client.get("/health")
            assert response.status_code == 200
            return response.headers["x-request-id"][:16]  # a process's random prefix

    with ThreadPoolExecutor(connections) as pool:
        return set(pool.map(one, range(connections)))


def _serve(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    db = str(tmp_path / "http.db")
    cmd = [sys.executable, "-m", "opencbec", "serve", "--db", db, "--port", str(port), "--workers", "2"]
    env = {**os.environ, "OPENCBEC_SIGNATURES": "skip", "OPENCBEC_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([*cmd, "--no-demo-data"], env=env, stderr=subprocess.PIPE, text=True)


def _wait_up(proc: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)


def test_connections_opened_together_reach_every_process_and_a_dead_one_is_replaced(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _serve(tmp_path, port)
    try:
        _wait_up(proc, url)
        deadline = time.monotonic() + 30
        while len(first := _http_processes(proc.pid)) < 2:
            assert time.monotonic() < deadline, children(proc.pid)
            time.sleep(0.1)
        time.sleep(1.0)  # both processes listening
        assert len(_process_of_each_connection(url, 24)) == 2  # all on one: about 1 chance in 8 million
        os.kill(first[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while not (new := [p for p in _http_processes(proc.pid) if p not in first]):
            assert time.monotonic() < deadline, "the HTTP process was not replaced"
            time.sleep(0.1)
        time.sleep(1.0)
        assert len(_process_of_each_connection(url, 24)) == 2
        assert httpx.get(f"{url}/health", timeout=5).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-2000:]
    assert "HTTP process exited; restarting" in err
    for pid in [*first, *new]:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


def test_a_port_in_use_is_refused_at_once_even_by_a_listener_that_shares_ports() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(OSError, match="in use"):
            check_port("127.0.0.1", port)
    sharing = listening_socket("127.0.0.1", 0)  # as another cbec serve's HTTP process listens
    with sharing, pytest.raises(OSError, match="in use"):
        check_port("127.0.0.1", sharing.getsockname()[1])
    check_port("127.0.0.1", _free_port())  # a free port passes


def test_serve_says_so_and_exits_when_the_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        proc = _serve(tmp_path, busy.getsockname()[1])
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "cannot listen on 127.0.0.1:" in err


def test_serve_gives_up_when_its_http_processes_keep_failing_at_start(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "OPENCBEC_ENV_FILE": str(tmp_path / "missing.env")}  # each HTTP process fails
    db = str(tmp_path / "http.db")
    cmd = [sys.executable, "-m", "opencbec", "serve", "--db", db, "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen([*cmd, "--no-demo-data"], env=env, stderr=subprocess.PIPE, text=True)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "HTTP processes exited 5 times in a row" in err
    assert "missing.env" in err  # the processes' own error is shown too
