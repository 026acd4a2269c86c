"""A document's own checks may run ahead, in the process that decoded it: same outcome, and the
core takes the result it is given instead of checking again."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from opencbec.clearing.checks import Failure, own_checks
from opencbec.clearing.pipeline import clear
from opencbec.clearing.state import Incoming
from opencbec.domain.ceb_records import BaseTransfer
from opencbec.domain.codes import R, Status
from opencbec.domain.documents import MESSAGE_TYPE, DecodedMessage, Document, Envelope
from opencbec.messages.encode import encode_message
from opencbec.messages.safe_xml import XmlLimits
from opencbec.service.decode_pool import rebuild_documents
from opencbec.service.decode_workers import decode_chunk
from tests.parcels import Customs, make_parcel, with_head

SENDER = BaseTransfer(cop_code="330766K00Q", cop_name="某报关行", dxp_mode="DXP", dxp_id="DXPENT0000000001")


def _faulty() -> list[list[Document]]:
    """Parcels with a fault in each kind's own checks, and a clean one."""
    bad_order = make_parcel()
    bad_payment = make_parcel()
    bad_list = make_parcel()
    clean = make_parcel()
    return [
        [with_head(bad_order.order, actural_paid=Decimal("999")), *bad_order.documents()[1:]],
        [
            bad_payment.order,
            with_head(bad_payment.payment, payer_id_type="2"),
            *bad_payment.documents()[2:],
        ],
        [
            *bad_list.documents()[:3],
            with_head(bad_list.inventory, trade_mode="9610", bill_no=""),
        ],
        clean.documents(),
    ]


def test_checks_run_ahead_give_the_outcome_of_checks_run_by_the_core() -> None:
    parcels = _faulty()
    in_core, ahead = Customs(), Customs(checks_ahead=True)
    for docs in parcels:
        in_core.send(*docs)
        ahead.send(*docs)
    outcomes = {k: (d.status, d.info) for k, d in in_core.state.current.items()}
    assert outcomes == {k: (d.status, d.info) for k, d in ahead.state.current.items()}
    assert {s for s, _ in outcomes.values()} >= {Status.REJECTED, Status.RELEASED}


def _clear_one(customs: Customs, document: Document, checked: tuple[Failure | None]) -> None:
    at = datetime(2024, 6, 1, 10)
    env = Envelope(message_type=MESSAGE_TYPE[document.kind], guid="g-1", base_transfer=None)
    incoming = Incoming(document, env, 1, at, checked)
    clear([incoming], customs.state, customs.rulebook, customs.config, at)


def test_the_core_takes_a_failure_given_ahead() -> None:
    customs = Customs()
    order = make_parcel().order
    assert own_checks(order) is None
    _clear_one(customs, order, ((R.DUPLICATE_ORDER, "given ahead"),))
    assert customs.status(order) == Status.REJECTED
    assert "given ahead" in customs.info(order)


def test_the_core_takes_a_pass_given_ahead() -> None:
    customs = Customs()
    order = with_head(make_parcel().order, actural_paid=Decimal("999"))
    assert own_checks(order) is not None
    _clear_one(customs, order, (None,))
    assert customs.status(order) == Status.STORED


def test_the_decoding_worker_runs_the_own_checks(tmp_path: Path) -> None:
    paths = []
    for i, docs in enumerate(_faulty()):
        for j, doc in enumerate(docs):
            path = tmp_path / f"{i}_{j}.xml"
            path.write_bytes(
                encode_message(MESSAGE_TYPE[doc.kind], [doc], SENDER, placeholder_signature=True)
            )
            paths.append(path)
    decoded = decode_chunk(paths, False, XmlLimits())
    for item in decoded:
        rebuild_documents(item)  # they came as their storage JSON
    messages = [item.result for item in decoded]
    assert [m for m in messages if not isinstance(m, DecodedMessage)] == []
    results = [c for item in decoded for c in item.checked or ()]
    assert len(results) == len(paths)
    documents = [d for m in messages if isinstance(m, DecodedMessage) for d in m.documents]
    assert results == [own_checks(d) for d in documents]
    assert sum(r is not None for r in results) == 3
