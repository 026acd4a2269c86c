"""Export requests through ``POST /v1/messages``: cleared like ``cbec clear``, by declared parties only.

An export parcel (CEB303 order, CEB403 collection, CEB505 waybill, CEB603 list, CEB507 arrival,
CEB509 departure) is submitted over HTTP, each message by the enterprise that declares it; the
list ends closed (899) and every receipt reaches its transmitter through the receipt feed and
``GET /v1/messages/{id}``. Simulated export traffic cleared through the API and through ``cbec
clear`` ends in the same states.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from opencbec.api.parties import EXPORT_SUBMITTERS, field_values
from opencbec.cli import app as cli
from opencbec.domain import ceb_export_records as x
from opencbec.export.documents import ExportDecoded, ExportDocument
from opencbec.messages.decode import decode_message
from opencbec.messages.export_encode import encode_export
from opencbec.service.batch_clear import input_files
from opencbec.service.export_clear import export_list_view
from opencbec.service.online import ceb_now
from opencbec.sim import export_aftercare as aftercare
from opencbec.sim import export_documents as b
from opencbec.sim.export_documents import Goods, Parcel
from opencbec.sim.export_traffic import simulate_export
from opencbec.store.api_repo import inbox
from opencbec.store.export_repo import export_document
from opencbec.store.sql import make_engine
from tests.e2e.api.conftest import Api, statuses

EBC = "4403960001"  # consignor (e-commerce enterprise): orders, collections
CARRIER = "3120980001"  # logistics firm: waybills, departures
AGENT = "3120980002"  # customs broker: lists
OPERATOR = "2244980001"  # supervised site operator: arrivals

_numbers = count(1)


def export_parcel() -> Parcel:
    n = next(_numbers)
    shirt = Goods(1, "SKU1", "T恤", "棉制针织T恤衫", "6109100022", Decimal(2), Decimal(60))
    return Parcel(f"EO{n:06d}", f"EX{n:09d}CN", (shirt,), ceb_now().replace(microsecond=0))


def xmessage(message_type: str, docs: Sequence[ExportDocument], sender: str) -> bytes:
    bt = x.BaseTransfer(cop_code=sender, cop_name="某企业", dxp_mode="DXP", dxp_id=f"DXPENT{sender}")
    return encode_export(message_type, list(docs), bt)


def parcel_messages(p: Parcel, cop_no: str) -> list[tuple[str, str, list[ExportDocument]]]:
    """The six messages of a parcel, in send order, with their transmitting enterprise."""
    return [
        (EBC, "CEB303Message", [b.order(p)]),
        (EBC, "CEB403Message", [b.collection(p)]),
        (CARRIER, "CEB505Message", [b.waybill(p)]),
        (AGENT, "CEB603Message", [b.export_list(p)]),
        (OPERATOR, "CEB507Message", [b.arrival([p], "A" + cop_no, p.at)]),
        (CARRIER, "CEB509Message", [b.departure([p], "D" + cop_no, p.at)]),
    ]


def submit(api: Api, sender: str, message_type: str, docs: Sequence[ExportDocument]) -> int:
    response = api.submit(sender, xmessage(message_type, docs, sender))
    assert response.status_code == 202, response.text
    assert response.json()["documents"] == len(docs)
    return int(response.json()["messageId"])


def cleared(api: Api, sender: str, message_id: int) -> dict[str, Any]:
    done = api.wait_cleared(sender, message_id)
    assert done["status"] == "cleared", done
    return done


def receipt_statuses(api: Api, code: str, message_type: str, tag: str) -> list[str]:
    feed = [r for r in api.feed(code) if r["messageType"] == message_type]
    return [s for r in feed for s in statuses(r["xml"], tag)]


def list_status(api: Api, p: Parcel) -> str:
    view = export_list_view(api.ctx.engine, p.logistics_no)
    assert view is not None
    return str(view["status"])


def test_an_export_parcel_over_http_closes_with_its_receipts(make_api: Callable[..., Api]) -> None:
    """The parcel cleared in three steps: order, collection, waybill and list; arrival; departure.

    The worker is off and each step is cleared by :meth:`OnlineClearer.drain` (one batch per step),
    the order, collection, waybill and list together (the message-by-message case is tested below).
    """
    api = make_api(worker=False)
    p = export_parcel()
    ids = {
        "CEB303Message": submit(api, EBC, "CEB303Message", [b.order(p)]),
        "CEB403Message": submit(api, EBC, "CEB403Message", [b.collection(p)]),
        "CEB505Message": submit(api, CARRIER, "CEB505Message", [b.waybill(p)]),
        "CEB603Message": submit(api, AGENT, "CEB603Message", [b.export_list(p)]),
    }
    assert api.ctx.clearer.drain() == 4 and list_status(api, p) == "120"
    ids["CEB507Message"] = submit(api, OPERATOR, "CEB507Message", [b.arrival([p], "A0001", p.at)])
    assert api.ctx.clearer.drain() == 1 and list_status(api, p) == "800"
    ids["CEB509Message"] = submit(api, CARRIER, "CEB509Message", [b.departure([p], "D0001", p.at)])
    assert api.ctx.clearer.drain() == 1 and list_status(api, p) == "899"

    senders = {"CEB303Message": EBC, "CEB403Message": EBC, "CEB505Message": CARRIER,
               "CEB603Message": AGENT, "CEB507Message": OPERATOR, "CEB509Message": CARRIER}  # fmt: skip
    done = {m: cleared(api, senders[m], i) for m, i in ids.items()}
    assert receipt_statuses(api, AGENT, "CEB604Message", "InventoryReturn") == ["120", "800", "899"]
    for request, code, receipt, tag in [
        ("CEB303Message", EBC, "CEB304Message", "OrderReturn"),
        ("CEB403Message", EBC, "CEB404Message", "ReceiptsReturn"),
        ("CEB505Message", CARRIER, "CEB506Message", "LogisticsReturn"),
        ("CEB507Message", OPERATOR, "CEB508Message", "ArrivalReturn"),
        ("CEB509Message", CARRIER, "CEB510Message", "DepartureReturn"),
    ]:
        assert receipt_statuses(api, code, receipt, tag) == ["120"], receipt
        assert [r["messageType"] for r in done[request]["receipts"]] == [receipt]
    # the list's submission lists every CEB604 of the list, the later 800 and 899 included
    listed = done["CEB603Message"]["receipts"]
    assert [r["messageType"] for r in listed] == ["CEB604Message"] * 3
    assert {r["id"] for r in listed} == {r["id"] for r in api.feed(AGENT)}
    # receipts go to the transmitter only; another enterprise cannot follow the submission
    assert [r["messageType"] for r in api.feed(OPERATOR)] == ["CEB508Message"]
    assert api.get(CARRIER, f"/v1/messages/{ids['CEB603Message']}").status_code == 404


def test_an_export_parcel_cleared_message_by_message(api: Api) -> None:
    p = export_parcel()
    for sender, message_type, docs in parcel_messages(p, "0002"):
        cleared(api, sender, submit(api, sender, message_type, docs))
    assert list_status(api, p) == "899"


def test_after_departure_binding_summary_return_and_tally_over_http(make_api: Callable[..., Api]) -> None:
    api = make_api(worker=False)
    p = export_parcel()
    for sender, message_type, docs in parcel_messages(p, "0003"):
        submit(api, sender, message_type, docs)
    api.ctx.clearer.drain()
    view = export_list_view(api.ctx.engine, p.logistics_no)
    assert view is not None and view["status"] == "899"
    invt_no = str(view["invtNo"])
    later = ceb_now().replace(microsecond=0)
    steps: list[tuple[str, str, ExportDocument]] = [
        (AGENT, "CEB607Message", aftercare.binding([p], "MB0003", later, [invt_no])),
        (AGENT, "CEB701Message", aftercare.summary_apply(p, "S0003", later, [invt_no])),
        (EBC, "CEB213Message", aftercare.export_return(p, invt_no, "R0003", later)),
        (OPERATOR, "CEB215Message", aftercare.tally(p, "R0003", invt_no, later)),
    ]
    for sender, message_type, doc in steps:
        message_id = submit(api, sender, message_type, [doc])
        api.ctx.clearer.drain()
        assert cleared(api, sender, message_id)["receipts"], message_type
    assert receipt_statuses(api, AGENT, "CEB608Message", "WayBillReturn") == ["120"]
    assert receipt_statuses(api, AGENT, "CEB702Message", "SummaryReturn") == ["399"]
    assert receipt_statuses(api, EBC, "CEB214Message", "RefundReturn") == ["120", "800"]
    assert "CEB792Message" in {r["messageType"] for r in api.feed(AGENT)}
    assert "CEB216Message" in {r["messageType"] for r in api.feed(OPERATOR)}


NON_PARTIES = [
    ("CEB303Message", CARRIER, EBC, "ebpCode or ebcCode"),
    ("CEB403Message", AGENT, EBC, "ebcCode"),
    ("CEB505Message", EBC, CARRIER, "logisticsCode"),
    ("CEB603Message", CARRIER, AGENT, "agentCode or ebcCode"),
    ("CEB507Message", CARRIER, OPERATOR, "operatorCode"),
    ("CEB509Message", OPERATOR, CARRIER, "logisticsCode"),
    ("CEB605Message", CARRIER, AGENT, "agentCode or ebcCode"),
    ("CEB607Message", EBC, AGENT, "agentCode or logisticsCode"),
    ("CEB701Message", CARRIER, AGENT, "agentCode or ebcCode"),
    ("CEB213Message", CARRIER, AGENT, "agentCode or ebcCode"),
    ("CEB215Message", AGENT, OPERATOR, "operatorCode"),
]


def _document(message_type: str, p: Parcel) -> ExportDocument:
    invt_no = "224420240E000000001"
    if message_type == "CEB605Message":
        return aftercare.cancel(p, invt_no, p.at)
    if message_type == "CEB607Message":
        return aftercare.binding([p], "MB0009", p.at)
    if message_type == "CEB701Message":
        return aftercare.summary_apply(p, "S0009", p.at, [invt_no])
    if message_type == "CEB213Message":
        return aftercare.export_return(p, invt_no, "R0009", p.at)
    if message_type == "CEB215Message":
        return aftercare.tally(p, "R0009", invt_no, p.at)
    return next(docs[0] for _, name, docs in parcel_messages(p, "0009") if name == message_type)


@pytest.mark.parametrize(("message_type", "sender", "party", "field"), NON_PARTIES)
def test_a_non_party_is_refused(api: Api, message_type: str, sender: str, party: str, field: str) -> None:
    p = export_parcel()
    doc = _document(message_type, p)
    response = api.submit(sender, xmessage(message_type, [doc], sender))
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["field"] == field and body["caller"] == sender and body["document"] == 1
    # transmitting on behalf of the declared party is refused too (copCode is not the caller)
    forwarded = api.submit(sender, xmessage(message_type, [doc], party))
    assert forwarded.status_code == 403 and forwarded.json()["field"] == "BaseTransfer/copCode"
    with api.ctx.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(inbox)).scalar() == 0
    # the declared party itself is accepted
    assert api.submit(party, xmessage(message_type, [doc], party)).status_code == 202


def _export_outcomes(engine: Engine) -> dict[tuple[str, str], tuple[Any, ...]]:
    t = export_document.c
    columns = (t.status, t.info, t.pre_no, t.invt_no, t.released_at, t.closed_at, t.bill_no)
    with engine.connect() as conn:
        rows = conn.execute(select(t.kind, t.key, *columns)).all()
    return {(r.kind, r.key): tuple(r)[2:] for r in rows}


def _by_declared_party(sim: Path, out: Path) -> list[tuple[str, Path]]:
    """The simulated traffic re-sent by declared parties: each message split per submitter.

    The simulator transmits every consignor's CEB303/403 under one ``copCode``; through the API a
    consignor transmits its own documents only, so each file is split by the first party field of
    :data:`EXPORT_SUBMITTERS` (the simulator's sender when it is a party, else the last field).
    """
    out.mkdir()
    sent: list[tuple[str, Path]] = []
    for path in input_files([sim]):
        decoded = decode_message(path.read_bytes(), accept_export=True)
        assert isinstance(decoded, ExportDecoded)
        fields = EXPORT_SUBMITTERS[decoded.envelope.message_type]
        groups: dict[str, list[ExportDocument]] = {}
        for doc in decoded.export_documents:
            parties = field_values(doc, fields)
            sender = decoded.envelope.sender
            party = sender if sender in parties.values() else parties[fields[-1]]
            groups.setdefault(party, []).append(doc)
        for party, docs in groups.items():
            target = out / f"{len(sent):04d}_{path.stem}_{party}.xml"
            target.write_bytes(xmessage(decoded.envelope.message_type, docs, party))
            sent.append((party, target))
    return sent


@pytest.mark.parametrize(("batch_size", "max_messages"), [(2000, 100), (1, 1)])
def test_api_and_cbec_clear_give_the_same_export_states(
    tmp_path: Path, make_api: Callable[..., Api], batch_size: int, max_messages: int
) -> None:
    """Same traffic, same batches (one large batch, or one message per batch): same states.

    The worker is off so that the online batches are exactly the ones given (see the xfail above:
    today export outcomes depend on batch boundaries, in ``cbec clear`` as much as online).
    """
    truth = simulate_export(tmp_path / "sim", date(2024, 6, 3), 2, 12, 11)
    traffic = _by_declared_party(tmp_path / "sim", tmp_path / "traffic")
    batch_db = tmp_path / "batch.db"
    args = ["clear", "--signatures", "skip", "--batch-size", str(batch_size), "--db", str(batch_db)]
    result = CliRunner().invoke(cli, [*args, str(tmp_path / "traffic")])
    assert result.exit_code == 0, result.output

    api = make_api(clock="event", worker=False, batch_max_messages=max_messages)
    for sender, path in traffic:
        response = api.submit(sender, path.read_bytes())
        assert response.status_code == 202, (path.name, response.text)
    assert api.ctx.clearer.drain() == len(traffic)

    batch_engine = make_engine(str(batch_db))
    online, batch = _export_outcomes(api.ctx.engine), _export_outcomes(batch_engine)
    batch_engine.dispose()
    lists = [v for (kind, _), v in batch.items() if kind == "x_list"]
    assert len(lists) == sum(truth["days"].values())
    if batch_size > 1:
        assert {v[0] for v in lists} == {"899"}
    differing = {k: (online.get(k), batch.get(k)) for k in online.keys() | batch.keys()}
    differing = {k: v for k, v in differing.items() if v[0] != v[1]}
    assert not differing, "\n".join(
        f"{k}: online={v[0]}\n   batch={v[1]}" for k, v in list(differing.items())[:5]
    )
