"""The online benchmark: ``cbec serve`` in one process, a load generator in another.

The load generator submits the traffic's message files in order over HTTP with a few concurrent
connections for a fixed time, recording when each submission was acknowledged. A feed reader in
this process follows every declaring agent's receipt feed and notes when each list's release
(800) receipt appears. From the two: sustained messages/s, acknowledgement latency, and the time
from the last of a parcel's four documents to its release receipt.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

_GUID = re.compile(rb"<ceb:guid>([^<]+)</ceb:guid>")
_SENDER = re.compile(rb"<ceb:copCode>([^<]+)</ceb:copCode>")
_RETURN = re.compile(rb"<ceb:InventoryReturn>.*?<ceb:guid>([^<]+)</ceb:guid>.*?<ceb:returnStatus>800<", re.S)


@dataclass(frozen=True, slots=True)
class OnlineResult:
    """What the online run measured."""

    seconds: float
    submitted: int
    messages_per_s: float
    ack_p50_ms: float
    ack_p99_ms: float
    releases_measured: int
    release_p50_ms: float | None
    release_p99_ms: float | None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _load(
    url: str, files: list[str], tokens: dict[str, str], seconds: float, concurrency: int, out: str
) -> None:
    """The load generator process: submit ``files`` in order until time runs out."""
    asyncio.run(_load_async(url, files, tokens, seconds, concurrency, out))


async def _load_async(
    url: str, files: list[str], tokens: dict[str, str], seconds: float, concurrency: int, out: str
) -> None:
    queue: asyncio.Queue[tuple[int, str] | None] = asyncio.Queue()
    for i, name in enumerate(files):
        queue.put_nowait((i, name))
    results: list[tuple[int, float, float, int]] = []
    deadline = time.time() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:

        async def worker() -> None:
            while time.time() < deadline:
                item = queue.get_nowait() if not queue.empty() else None
                if item is None:
                    return
                i, name = item
                body = Path(name).read_bytes()
                sender = _SENDER.search(body)
                code = sender.group(1).decode() if sender else ""
                headers = {"Authorization": f"Bearer {tokens[code]}", "Content-Type": "application/xml"}
                start = time.time()
                response = await client.post("/v1/messages", content=body, headers=headers)
                results.append((i, start, time.time(), response.status_code))

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    Path(out).write_text(json.dumps(results))


class _FeedReader(threading.Thread):
    """Follows the receipt feeds of the declaring agents and records release times by list guid."""

    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.url, self.tokens = url, tokens
        self.released: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        cursors = dict.fromkeys(self.tokens, 0)
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stop.is_set():
                for code, token in self.tokens.items():
                    response = client.get(
                        "/v1/receipts",
                        params={"since": cursors[code], "limit": 500, "xml": "true"},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    if response.status_code != 200:
                        continue
                    body = response.json()
                    seen = time.time()
                    for item in body.get("receipts", []):
                        if item.get("messageType") == "CEB622Message":
                            for guid in _RETURN.findall(item.get("xml", "").encode()):
                                self.released.setdefault(guid.decode(), seen)
                    cursors[code] = body.get("next", cursors[code])
                time.sleep(0.05)


def run_online(
    traffic_dir: Path, files: Sequence[Path], work: Path, seconds: float, concurrency: int = 16
) -> OnlineResult:
    """Serve a fresh SQLite database and load it for ``seconds``."""
    from opencbec.api.auth import issue_enterprise_token
    from opencbec.store.sql import make_engine

    db = work / "online.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    engine = make_engine(str(db))
    senders = sorted({m.group(1).decode() for f in files for m in [_SENDER.search(f.read_bytes())] if m})
    tokens = {code: issue_enterprise_token(engine, code) for code in senders}
    engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "OPENCBEC_SIGNATURES": "skip",
        "OPENCBEC_CLOCK": "event",
        "OPENCBEC_LOG_LEVEL": "WARNING",
        "OPENCBEC_WEBHOOKS": "false",
    }
    server_log = (work / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "opencbec", "serve", "--db", str(db), "--port", str(port), "--no-demo-data"],
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url)
        reader = _FeedReader(url, tokens)
        reader.start()
        out = work / "load.json"
        ctx = multiprocessing.get_context("spawn")
        names = [str(f) for f in files]
        load = ctx.Process(target=_load, args=(url, names, tokens, seconds, concurrency, str(out)))
        started = time.time()
        load.start()
        load.join()
        elapsed = time.time() - started
        if load.exitcode != 0 or not out.exists():
            raise RuntimeError(
                f"the load generator failed (exit code {load.exitcode}); server log: {work / 'serve.log'}"
            )
        time.sleep(2.0)  # let the last releases reach the feed
        reader.stop.set()
        reader.join(timeout=10)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server_log.close()
    results = json.loads(out.read_text())
    acks = [(end - start) * 1000 for _i, start, end, status in results if status == 202]
    ack_time = {files[i]: end for i, _s, end, status in results if status == 202}
    doc_ack: dict[str, float] = {}
    for path, end in ack_time.items():
        for guid in _GUID.findall(path.read_bytes()):
            doc_ack[guid.decode()] = end
    latencies = []
    for line in (traffic_dir / "ground-truth.jsonl").read_text().splitlines():
        parcel = json.loads(line)
        guids = parcel["guids"]
        times = [doc_ack.get(guids[k]) for k in ("order", "payment", "waybill", "list")]
        released = reader.released.get(guids["list"])
        if released is not None and all(t is not None for t in times):
            latencies.append((released - max(t for t in times if t is not None)) * 1000)
    return OnlineResult(
        seconds=round(elapsed, 1),
        submitted=len(acks),
        messages_per_s=round(len(acks) / elapsed, 1) if elapsed else 0.0,
        ack_p50_ms=round(_percentile(acks, 0.5), 1) if acks else 0.0,
        ack_p99_ms=round(_percentile(acks, 0.99), 1) if acks else 0.0,
        releases_measured=len(latencies),
        release_p50_ms=round(_percentile(latencies, 0.5), 1) if latencies else None,
        release_p99_ms=round(_percentile(latencies, 0.99), 1) if latencies else None,
    )


def _wait_ready(url: str, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"cbec serve did not become ready at {url} within {timeout} s")
