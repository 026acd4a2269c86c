"""``cbec clear --workers N`` gives exactly the single-process result.

The same simulated traffic (plus a few refused messages) is cleared once in-process and once
with a decoding process pool into two fresh SQLite files; every table and every receipt file
must be identical.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from opencbec import bootstrap
from opencbec.service.batch_clear import ClearSummary
from opencbec.sim import simulate
from opencbec.store.codec import plain
from tests.proc import descendants, state

TABLES = (
    "message",
    "document",
    "status_event",
    "ledger_entry",
    "quantity_entry",
    "returned_line",
    "tax_note",
    "outbox",
    "counter",
)


@pytest.fixture(scope="module")
def traffic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parallel") / "sim"
    simulate(parcels=1500, start=date(2024, 6, 16), days=2, seed=5, out=out)
    day = sorted((out / "messages").iterdir())[0]
    (day / "000000_broken.xml").write_bytes(b"<ceb:CEB311Message xmlns:ceb='x'><unclosed>")
    (day / "000001_dtd.xml").write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    (day / "000002_unknown.xml").write_bytes(b"<other/>")
    (day / "000003_empty.json").write_bytes(b"{}")
    return out


def run(traffic: Path, work: Path, workers: int) -> ClearSummary:
    app = bootstrap.build(str(work / "cbec.db"))
    clearer = bootstrap.batch_clearer(
        app, work / "out", batch_documents=700, verify_signatures=False, workers=workers
    )
    return clearer.run([traffic])


_GUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")
_ROOT_GUID = re.compile(r'Message guid="([^"]*)"')
_RETURN_TIME = re.compile(r"<ceb:returnTime>[^<]*</ceb:returnTime>")


def normal(text: str) -> str:
    """A receipt with its fresh message guid blanked (and a CEB900's guids and wall-clock time)."""
    root = _ROOT_GUID.search(text)
    if root:
        text = text.replace(root.group(1), "GUID")
    if "CEB900Message" in text:
        text = _RETURN_TIME.sub("<ceb:returnTime/>", _GUID.sub("GUID", text))
    return text


def normal_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """An outbox row: the receipt's generated guid blanked wherever it appears in the row."""
    xml = next((v.decode() if isinstance(v, bytes) else v for v in row if "Message guid=" in str(v)), None)
    root = _ROOT_GUID.search(xml) if xml else None
    if xml is None or root is None:
        return row
    guid = root.group(1)
    out: list[Any] = []
    for v in row:
        if isinstance(v, bytes) and b"Message guid=" in v:
            out.append(normal(v.decode()))
        elif isinstance(v, str):
            out.append(normal(v) if "Message guid=" in v else v.replace(guid, "GUID"))
        else:
            out.append(v)
    return tuple(out)


def dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``TABLES``, normalised; receipt messages decompressed (``outbox.xml_codec``)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with sqlite3.connect(db) as con:
        for table in TABLES:
            cursor = con.execute(f"SELECT * FROM {table} ORDER BY 1")
            names = [d[0] for d in cursor.description]
            out[table] = [normal_row(_plain_xml(names, row)) for row in cursor]
    return out


def _plain_xml(names: list[str], row: tuple[Any, ...]) -> tuple[Any, ...]:
    if "xml_codec" not in names:
        return row
    values = dict(zip(names, row, strict=True))
    values["xml"] = plain(values["xml"], values["xml_codec"])
    return tuple(values.values())


def receipts(directory: Path) -> list[tuple[str, str]]:
    """Receipt files in name order, with the receipt's generated guid blanked (also in the name)."""
    out = []
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            root = _ROOT_GUID.search(text)
            name = path.name.replace(root.group(1), "GUID") if root else path.name
            out.append((name, normal(text)))
    return out


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_clear_exactly_like_one(traffic: Path, tmp_path: Path, workers: int) -> None:
    """workers=2: one decoding process; workers=3: two, whose results must still come in order."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = run(traffic, tmp_path / "one", workers=1)
    two = run(traffic, tmp_path / "two", workers=workers)

    assert one.messages == two.messages
    assert one.rejected_messages == two.rejected_messages == 4
    assert (one.documents, one.replays, one.receipts) == (two.documents, two.replays, two.receipts)
    assert one.outcomes == two.outcomes
    assert one.documents > 5000

    a, b = dump(tmp_path / "one" / "cbec.db"), dump(tmp_path / "two" / "cbec.db")
    assert a["document"], "nothing was cleared"
    assert a["ledger_entry"] and a["tax_note"]
    for table in TABLES:
        assert len(a[table]) == len(b[table]), table
        for row_a, row_b in zip(a[table], b[table], strict=True):
            assert row_a == row_b, table

    files_a, files_b = receipts(tmp_path / "one" / "out"), receipts(tmp_path / "two" / "out")
    assert len(files_a) > 100
    assert len(files_a) == len(files_b)
    for file_a, file_b in zip(files_a, files_b, strict=True):
        assert file_a == file_b, file_a[0]


def test_every_message_is_stored_compressed_and_reads_back_exactly(traffic: Path, tmp_path: Path) -> None:
    """``message.raw`` holds each file's bytes compressed (``raw_codec``, Zstandard), refused files too."""
    from opencbec.store.codec import plain

    summary = run(traffic, tmp_path, workers=2)
    with sqlite3.connect(tmp_path / "cbec.db") as con:
        rows = con.execute("SELECT source, outcome, raw, raw_codec FROM message").fetchall()
    assert len(rows) == summary.messages > 100
    assert {outcome for _, outcome, _, _ in rows} == {"accepted", "rejected"}
    for source, _outcome, raw, codec in rows:
        assert codec == "zstd"
        assert plain(raw, codec) == Path(source).read_bytes(), source
    assert sum(len(raw) for *_, raw, _ in rows) * 3 < sum(Path(s).stat().st_size for s, *_ in rows)


def test_decoding_processes_end_when_the_clearing_process_is_killed(traffic: Path, tmp_path: Path) -> None:
    """No orphan keeps decoding (and using a core) after ``cbec clear --workers 2`` is killed, and
    none leaves its spool directory behind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    cmd = [sys.executable, "-m", "opencbec", "clear", "--workers", "2", "--signatures", "skip"]
    spool = tmp_path / "spool"
    spool.mkdir()
    env = {**os.environ, "OPENCBEC_DECODE_SPOOL": str(spool)}
    proc = subprocess.Popen(
        [*cmd, "--db", str(tmp_path / "k.db"), str(traffic)], stdout=subprocess.DEVNULL, env=env
    )
    deadline = time.monotonic() + 30
    while len(helpers := descendants(proc.pid)) < 2:  # the forkserver and its decoding process
        assert proc.poll() is None and time.monotonic() < deadline, "no decoding process seen"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while alive := [p for p in helpers if Path(f"/proc/{p}").exists() and "Z" not in state(p)]:
        assert time.monotonic() < deadline, f"left running: {alive}"
        time.sleep(0.1)
    assert list(spool.iterdir()) == []  # the decoding process removed the answers it left
