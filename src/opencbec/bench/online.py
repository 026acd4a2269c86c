"""The online benchmark: ``cbec serve`` in one process, a load generator in another.

Online, enterprises' systems submit each document as it happens, so the load is the traffic's
documents as one-document messages (:mod:`opencbec.bench.split`, split once and cached next to
the traffic), in the traffic's order. The load generator (a separate process) submits them over
``concurrency`` keep-alive HTTP/1.1 connections (a minimal asyncio client, so that the generator
spends little of the machine's CPU) for a fixed time, recording when each submission was
acknowledged. A feed reader in this process follows every declaring agent's receipt feed and
notes when each list's release (800) receipt appears. From the two: sustained messages/s (here
equal to documents/s, one document per message), acknowledgement latency, and the time from
the acknowledgement of the last of a parcel's four documents to its release receipt. The server
runs one process per CPU (at most 2; ``cbec serve --workers``).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import pickle
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from opencbec.bench.split import Part, single_document_parts
from opencbec.messages.safe_xml import parse_xml
from opencbec.messages.schema import CEB_NS

_INVENTORY_RETURN = f"{{{CEB_NS}}}InventoryReturn"
_GUID = f"{{{CEB_NS}}}guid"
_RETURN_STATUS = f"{{{CEB_NS}}}returnStatus"


def released_lists(receipt_xml: bytes) -> list[str]:
    """The guids of the lists a CEB622 receipt message reports released (``returnStatus`` 800).

    Parsed, not searched with a regular expression: an earlier pattern spanning several
    ``InventoryReturn`` elements took up to a second on one 54 KB receipt (backtracking) and could
    pair one list's guid with another's status.
    """
    root = parse_xml(receipt_xml)
    return [
        str(r.findtext(_GUID))
        for r in root.iter(_INVENTORY_RETURN)
        if r.findtext(_RETURN_STATUS) == "800" and r.findtext(_GUID)
    ]


@dataclass(frozen=True, slots=True)
class OnlineResult:
    """What the online run measured."""

    seconds: float
    submitted: int
    messages_per_s: float
    documents: int
    documents_per_s: float
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


def cached_parts(traffic_dir: Path, files: Sequence[Path], work: Path) -> list[Part]:
    """The traffic's documents as one-document messages (split once, cached in ``work``)."""
    cache = work / f"online-parts-{traffic_dir.name}.pickle"
    if cache.exists():
        parts: list[Part] = pickle.loads(cache.read_bytes())  # our own cache file
        return parts
    parts = list(single_document_parts(files))
    cache.write_bytes(pickle.dumps(parts))
    return parts


def _load(
    port: int, parts: str, tokens: dict[str, str], seconds: float, concurrency: int, out: str, rate: float
) -> None:
    """The load generator process: submit the parts in order until time runs out.

    ``rate`` > 0 paces the submissions: the i-th is sent no earlier than ``i / rate`` seconds
    after the start (open loop, as enterprises' systems send); 0 sends as fast as the
    connections are answered (closed loop: the most the server takes).
    """
    asyncio.run(_load_async(port, parts, tokens, seconds, concurrency, out, rate))


async def _post(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """Send one request on a keep-alive connection; read the whole answer; return its status."""
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(status_line.split()[1])


async def _load_async(
    port: int,
    parts_file: str,
    tokens: dict[str, str],
    seconds: float,
    concurrency: int,
    out: str,
    rate: float,
) -> None:
    parts: list[Part] = pickle.loads(Path(parts_file).read_bytes())  # our own cache file
    pending = iter(enumerate(parts))
    results: list[tuple[str, float, float, int]] = []
    started = time.time()
    deadline = started + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for i, part in pending:
                if rate > 0 and (wait := started + i / rate - time.time()) > 0:
                    await asyncio.sleep(wait)
                head = (
                    f"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                    f"Authorization: Bearer {tokens[part.sender]}\r\nContent-Type: application/xml\r\n"
                    f"Content-Length: {len(part.xml)}\r\n\r\n"
                ).encode()
                start = time.time()
                code = await _post(reader, writer, head + part.xml)
                while code == 503 and time.time() < deadline:  # admission control: send it again
                    await asyncio.sleep(1.0)  # the server's Retry-After
                    code = await _post(reader, writer, head + part.xml)
                results.append((part.document_guid, start, time.time(), code))
                if time.time() >= deadline:
                    return
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    ended = time.time()
    Path(out).write_text(json.dumps({"started": started, "ended": ended, "results": results}))


class _FeedReader:
    """Follows the receipt feeds of the declaring agents and records release times by list guid.

    One thread per agent, each long-polling its own feed (``wait``: the server answers as soon as a
    receipt for the agent is written, checking every ``OPENCBEC_RECEIPT_WATCH_MS``, 20 ms by default),
    so that when a release receipt is seen depends on the server, not on how many other feeds are read
    first, and the reader does not load the server with empty polls.
    """

    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        self.url, self.tokens = url, tokens
        self.released: dict[str, float] = {}
        self.stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._follow, args=(token,), daemon=True) for token in tokens.values()
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self, timeout: float) -> None:
        for thread in self._threads:
            thread.join(timeout)

    def _follow(self, token: str) -> None:
        cursor = 0
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stop.is_set():
                response = client.get(
                    "/v1/receipts",
                    params={"since": cursor, "limit": 500, "xml": "true", "wait": FEED_WAIT_SECONDS},
                    headers={"Authorization": f"Bearer {token}"},
                )
                if response.status_code == 200:
                    body = response.json()
                    seen = time.time()
                    for item in body.get("receipts", []):
                        if item.get("messageType") == "CEB622Message":
                            for guid in released_lists(item.get("xml", "").encode()):
                                self.released.setdefault(guid, seen)
                    cursor = body.get("next", cursor)
                else:
                    time.sleep(0.5)  # not expected; do not spin


#: How long one long poll of the feed reader may wait (it is sent again at once).
FEED_WAIT_SECONDS = 2


def _declarers(parts: Sequence[Part]) -> set[str]:
    """The senders of the lists (CEB621): release receipts go to their feeds."""
    return {p.sender for p in parts if b"CEB621Message" in p.xml[:400]}


def run_online(
    traffic_dir: Path,
    files: Sequence[Path],
    work: Path,
    seconds: float,
    concurrency: int = 16,
    workers: int | None = None,
    rate: float = 0.0,
) -> OnlineResult:
    """Serve a fresh SQLite database and load it for ``seconds`` (at ``rate`` messages/s if > 0).

    The server runs ``cbec serve --workers N``, N = ``workers`` or one process per CPU (at most
    2): one process's acceptance and clearing share one interpreter lock, so one process uses
    about one core whatever the load.
    """
    workers = workers or max(1, min(2, os.cpu_count() or 1))
    from opencbec.api.auth import issue_enterprise_token
    from opencbec.store.engine import remove_sqlite_file
    from opencbec.store.sql import make_engine

    parts = cached_parts(traffic_dir, files, work)
    db = work / "online.db"
    remove_sqlite_file(db)
    remove_sqlite_file(f"{db}-intake")
    engine = make_engine(str(db))
    senders = sorted({p.sender for p in parts})
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
        [
            sys.executable,
            "-m",
            "opencbec",
            "serve",
            "--db",
            str(db),
            "--port",
            str(port),
            "--no-demo-data",
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url)
        agents = _declarers(parts)
        reader = _FeedReader(url, {code: token for code, token in tokens.items() if code in agents})
        reader.start()
        out = work / "load.json"
        ctx = multiprocessing.get_context("spawn")
        parts_file = work / f"online-parts-{traffic_dir.name}.pickle"
        load = ctx.Process(
            target=_load, args=(port, str(parts_file), tokens, seconds, concurrency, str(out), rate)
        )
        load.start()
        load.join()
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
    load_out = json.loads(out.read_text())
    elapsed = load_out["ended"] - load_out["started"]
    results = load_out["results"]
    acks = [(end - start) * 1000 for _g, start, end, status in results if status == 202]
    doc_ack = {guid: end for guid, _s, end, status in results if status == 202}
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
        documents=len(acks),  # one document per message
        documents_per_s=round(len(acks) / elapsed, 1) if elapsed else 0.0,
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
