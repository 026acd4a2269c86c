"""Admission control through a running server: over the backlog limit a submission is refused
with 503 and ``Retry-After``, nothing of it is stored, and it is accepted once the worker catches up."""

from __future__ import annotations

import time
from collections.abc import Callable

from opencbec.api.ops import metrics
from opencbec.api.queries import clearing_backlog
from tests.e2e.api.conftest import Api
from tests.e2e.api.messages import SENDER_OF, message, parcel


def test_submissions_over_the_backlog_limit_are_refused_until_the_worker_catches_up(
    make_api: Callable[..., Api],
) -> None:
    api = make_api(worker=False, admit_backlog=2, admit_wait_s=0.3)  # accepts only: nothing is cleared
    refused_before = metrics.admission.labels("refused")._value.get()
    documents = parcel().documents()
    for doc in documents[:3]:
        response = api.submit(SENDER_OF[doc.kind.value], message(doc))
        assert response.status_code == 202, response.text
        time.sleep(0.06)  # the gate reads the backlog at most every 50 ms
    backlog = clearing_backlog(api.ctx.engine, api.ctx.clearer.journal)
    assert backlog == 3
    fourth = documents[3]
    refused = api.submit(SENDER_OF[fourth.kind.value], message(fourth))
    assert refused.status_code == 503, refused.text
    assert refused.headers["Retry-After"] == "1"
    assert "3 accepted submissions wait to be cleared (limit 2)" in refused.json()["detail"]
    assert clearing_backlog(api.ctx.engine, api.ctx.clearer.journal) == 3  # nothing of it stored
    assert metrics.admission.labels("refused")._value.get() == refused_before + 1
    assert 'opencbec_admission_total{outcome="refused"}' in api.client.get("/metrics").text

    assert api.ctx.clearer.drain() == 3  # the worker catches up
    time.sleep(0.06)
    accepted = api.submit(SENDER_OF[fourth.kind.value], message(fourth))
    assert accepted.status_code == 202, accepted.text
    assert api.ctx.clearer.drain() == 1


def test_the_gate_is_off_with_a_limit_of_zero(make_api: Callable[..., Api]) -> None:
    api = make_api(worker=False, admit_backlog=0, admit_wait_s=0)
    for doc in parcel().documents() + parcel().documents():
        response = api.submit(SENDER_OF[doc.kind.value], message(doc))
        assert response.status_code == 202, response.text
    assert clearing_backlog(api.ctx.engine, api.ctx.clearer.journal) == 8
