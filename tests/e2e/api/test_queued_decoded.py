"""The clearing worker rebuilds queued submissions from their decoded form, with the same outcome.

``cbec serve --workers N`` accepts in the HTTP processes and clears in another process, which used
to parse every submission's XML a second time. Now the decoded message is kept with the queued
submission (``api_inbox.decoded`` and the intake journal); old rows without it are still decoded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from opencbec.service import online, online_rows
from opencbec.store import schema as t
from opencbec.store.api_repo import inbox
from opencbec.store.intake import IntakeJournal
from opencbec.store.sql import make_engine
from tests.e2e.api.conftest import Api
from tests.e2e.api.messages import SENDER_OF, message, parcel


def _submit_parcels(api: Api, n: int) -> None:
    for _ in range(n):
        for doc in parcel().documents():
            response = api.submit(SENDER_OF[doc.kind.value], message(doc))
            assert response.status_code == 202, response.text


def _outcome(api: Api) -> list[tuple[Any, ...]]:
    d = t.document.c
    with api.ctx.engine.connect() as conn:
        rows = conn.execute(select(d.kind, d.status, d.info, d.data).order_by(d.id)).all()
    # the documents differ between the two runs only in their numbers and times
    return [(r.kind, r.status, r.info.split(":")[0], len(r.data)) for r in rows]


def _decode_forbidden(*_args: Any, **_kwargs: Any) -> Any:
    raise AssertionError("the worker parsed a queued submission's XML again")


def test_the_worker_clears_from_the_decoded_form_without_parsing_xml(
    make_api: Callable[..., Api], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    kept = make_api(worker=False, db=str(tmp_path / "kept.db"))  # accepts only, as an HTTP process
    _submit_parcels(kept, 3)
    with kept.ctx.engine.connect() as conn:  # filed by now or still in the journal: either has it
        filed = conn.execute(select(inbox.c.decoded)).scalars().all()
    journal = kept.ctx.clearer.journal
    assert journal is not None
    waiting = [r.decoded for r in journal.pending(100)]
    assert len(filed) + len(waiting) >= 12 and all(filed) and all(waiting)
    with monkeypatch.context() as m:
        m.setattr(online, "decode_message", _decode_forbidden)
        assert kept.ctx.clearer.drain() == 12
    with kept.ctx.engine.connect() as conn:
        assert conn.execute(select(inbox.c.decoded).where(inbox.c.decoded.is_not(None))).first() is None
    # the same parcels' shape accepted without the decoded form (as before this change): same outcome
    monkeypatch.setattr(online_rows, "message_to_json", lambda _decoded: None)
    parsed = make_api(worker=False, db=str(tmp_path / "parsed.db"))
    _submit_parcels(parsed, 3)
    assert parsed.ctx.clearer.drain() == 12
    assert _outcome(kept) == _outcome(parsed)
    assert ("inventory", "800") in {(k, s) for k, s, _i, _n in _outcome(kept)}  # lists were released


def test_databases_from_before_the_decoded_form_get_the_column(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:  # api_inbox and the journal as they were created before
        conn.execute(
            "CREATE TABLE api_inbox (id INTEGER PRIMARY KEY, enterprise VARCHAR(32) NOT NULL, "
            "status VARCHAR(16) NOT NULL, received_at DATETIME NOT NULL, message_type VARCHAR(32), "
            "guid VARCHAR(64), cop_msg_id VARCHAR(255), documents INTEGER NOT NULL, refs TEXT NOT NULL, "
            "raw BLOB NOT NULL, message_id BIGINT, receipt_floor BIGINT, receipt_id BIGINT, "
            "info TEXT NOT NULL, cleared_at DATETIME)"
        )
        conn.execute(
            "INSERT INTO api_inbox (id, enterprise, status, received_at, documents, refs, raw, info) "
            "VALUES (7, 'E', 'queued', '2026-11-28 10:00:00', 1, '[]', x'3c612f3e', '')"
        )
    journal_file = tmp_path / "old.db-intake"
    with sqlite3.connect(journal_file) as conn:
        conn.execute(
            "CREATE TABLE intake (id INTEGER PRIMARY KEY AUTOINCREMENT, enterprise TEXT NOT NULL, "
            "received_at TEXT NOT NULL, message_type TEXT, guid TEXT, cop_msg_id TEXT, "
            "documents INTEGER NOT NULL, refs TEXT NOT NULL, raw BLOB NOT NULL)"
        )
        conn.execute(
            "INSERT INTO intake (id, enterprise, received_at, documents, refs, raw) "
            "VALUES (8, 'E', '2026-11-28T10:00:01', 1, '[]', x'3c622f3e')"
        )
    engine = make_engine(str(db))  # opening migrates (revision 0006 adds the column)
    with engine.connect() as conn:
        row = conn.execute(select(inbox.c.id, inbox.c.raw, inbox.c.decoded)).one()
    assert (row.id, bytes(row.raw), row.decoded) == (7, b"<a/>", None)  # kept as it was
    journal = IntakeJournal(journal_file, floor=7)
    (old,) = journal.pending(10)
    assert (old.id, old.raw, old.decoded) == (8, b"<b/>", None)
    new_id = journal.append(
        {"enterprise": "E", "received_at": old.received_at, "message_type": None, "guid": None,
         "cop_msg_id": None, "documents": 1, "refs": "[]", "raw": b"<c/>", "decoded": '{"x":1}'}
    )  # fmt: skip
    assert [(r.id, r.decoded) for r in journal.pending(10)] == [(8, None), (new_id, '{"x":1}')]
    engine.dispose()
