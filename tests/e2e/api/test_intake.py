"""Acceptance on SQLite does not wait for clearing, and nothing accepted is lost across a restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tests.e2e.api.conftest import Api
from tests.e2e.api.messages import SENDER_OF, message, parcel


@contextmanager
def clearing_unit_held(api: Api) -> Iterator[None]:
    """A clearing unit open in another thread (it holds the main database's writer lock)."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with api.ctx.app.store.clearing():
            held.set()
            release.wait(30)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert held.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join(30)


def _submit_parcel(api: Api) -> list[tuple[str, int]]:
    """Submit a parcel document by document: (sender, messageId) of each."""
    ids = []
    for doc in parcel().documents():
        sender = SENDER_OF[doc.kind.value]
        response = api.submit(sender, message(doc))
        assert response.status_code == 202, response.text
        ids.append((sender, response.json()["messageId"]))
    return ids


def test_an_ack_returns_while_a_clearing_batch_holds_the_database(make_api: Callable[..., Api]) -> None:
    api = make_api()
    assert api.ctx.clearer.journal is not None
    with clearing_unit_held(api):
        started = time.monotonic()
        ids = _submit_parcel(api)
        assert time.monotonic() - started < 5  # the held lock would block each insert for 30 s
        assert api.ctx.clearer.journal.count() == len(ids)  # in the journal, not in api_inbox yet
    for sender, message_id in ids:
        assert api.wait_cleared(sender, message_id)["status"] == "cleared"
    assert [i for _s, i in ids] == sorted(i for _s, i in ids)
    assert api.ctx.clearer.pending() == 0


def test_nothing_accepted_is_lost_across_a_restart(make_api: Callable[..., Api]) -> None:
    first = make_api(worker=False)
    with clearing_unit_held(first):
        journal_only = _submit_parcel(first)  # acknowledged, in the journal only
    filed = _submit_parcel(first)  # filed into api_inbox at once (no batch running)
    assert first.ctx.clearer.pending() == len(journal_only) + len(filed)
    first.client.close()
    del first

    second = make_api()  # the same database file, a new process's worth of objects
    for sender, message_id in journal_only + filed:
        assert second.wait_cleared(sender, message_id)["status"] == "cleared"
    assert second.ctx.clearer.pending() == 0
    before = max(i for _s, i in journal_only + filed)
    assert min(i for _s, i in _submit_parcel(second)) > before  # ids are never reused


def test_a_submission_in_the_journal_is_answered_as_queued(make_api: Callable[..., Api]) -> None:
    api = make_api()
    assert api.ctx.clearer.journal is not None
    with clearing_unit_held(api):
        ids = _submit_parcel(api)
        assert api.ctx.clearer.journal.count() == len(ids)  # not filed into api_inbox yet
        for sender, message_id in ids:
            response = api.get(sender, f"/v1/messages/{message_id}")
            assert response.status_code == 200, response.text
            body = response.json()
            assert (body["messageId"], body["status"], body["documents"]) == (message_id, "queued", 1)
        sender, message_id = ids[0]
        other = next(s for s, _i in ids if s != sender)
        assert api.get(other, f"/v1/messages/{message_id}").status_code == 404  # not the caller's
    for sender, message_id in ids:
        assert api.wait_cleared(sender, message_id)["status"] == "cleared"
