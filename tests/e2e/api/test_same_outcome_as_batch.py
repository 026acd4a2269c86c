"""The same simulated traffic cleared through the API and through ``cbec clear`` gives identical outcomes.

The API runs with ``clock=event``: each document's received time is the largest ``appTime`` seen so
far, as in ``cbec clear``; with the wall clock, replayed traffic from the past would be judged late
(the partner wait is measured against the received time). Every file is submitted in sorted path
order (send order) by its transmitting enterprise, one request at a time; the online worker clears
them in micro-batches of its own size. Outcomes must not depend on the batch size.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from opencbec.cli import app as cli
from opencbec.messages.decode import decode_message
from opencbec.service.batch_clear import input_files
from opencbec.sim import simulate
from opencbec.store import schema as t
from opencbec.store.sql import make_engine
from tests.e2e.api.conftest import Api


def _outcomes(engine: Engine) -> dict[tuple[str, str], tuple[Any, ...]]:
    d = t.document.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(d.kind, d.key, d.status, d.info, d.pre_no, d.invt_no, d.dutiable_value).where(d.is_current)
        ).all()
    return {(r.kind, r.key): (r.status, r.info, *tuple(r)[4:]) for r in rows}


def _ledger(engine: Engine) -> list[tuple[Any, ...]]:
    le = t.ledger_entry.c
    with engine.connect() as conn:
        rows = conn.execute(select(le.buyer_id, le.year, le.amount_fen, le.invt_no, le.reason)).all()
    return sorted(tuple(r) for r in rows)


def test_api_and_cbec_clear_give_identical_outcomes(tmp_path: Path, make_api: Callable[..., Api]) -> None:
    simulate(parcels=300, start=date(2024, 6, 1), days=1, seed=5, out=tmp_path / "sim")
    files = list(input_files([tmp_path / "sim"]))
    assert len(files) > 20
    batch_db = tmp_path / "batch.db"
    result = CliRunner().invoke(
        cli, ["clear", "--signatures", "skip", "--db", str(batch_db), str(tmp_path / "sim")]
    )
    assert result.exit_code == 0, result.output

    api = make_api(clock="event", inspection_rate=None, batch_window_ms=2, batch_max_messages=7)
    for path in files:
        data = path.read_bytes()
        sender = decode_message(data).envelope.sender
        response = api.submit(sender, data)
        assert response.status_code == 202, (path.name, response.text)
    deadline = time.monotonic() + 120
    while True:
        queued = api.ctx.clearer.pending()  # api_inbox and the intake journal
        if not queued:
            break
        assert time.monotonic() < deadline, f"{queued} submissions still queued"
        time.sleep(0.05)

    batch_engine = make_engine(str(batch_db))
    online, batch = _outcomes(api.ctx.engine), _outcomes(batch_engine)
    assert len(batch) > 1000
    differing = {
        k: (online.get(k), batch.get(k))
        for k in online.keys() | batch.keys()
        if online.get(k) != batch.get(k)
    }
    assert not differing, "\n".join(
        f"{k}: online={v[0]}\n   batch={v[1]}" for k, v in list(differing.items())[:5]
    )
    assert _ledger(api.ctx.engine) == _ledger(batch_engine)
    statuses = {s for s, *_ in batch.values()}
    assert {"800", "100", "120"} <= statuses  # the traffic has releases, refusals and stored partners
    batch_engine.dispose()
