"""``cbec clear`` end to end on a real SQLite file: files in, receipt files out, state kept."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from opencbec.cli import app
from opencbec.domain.ceb_records import BaseTransfer
from opencbec.domain.documents import MESSAGE_TYPE, Document
from opencbec.messages.encode import check_output, encode_message
from tests.parcels import Parcel, buyer_id, cancel_for, make_parcel

runner = CliRunner()
SENDER = BaseTransfer(cop_code="330766K00Q", cop_name="某报关行", dxp_mode="DXP", dxp_id="DXPENT0000000001")
NS = {"ceb": "http://www.chinaport.gov.cn/ceb"}


def write(directory: Path, name: str, *docs: Document) -> Path:
    """Write documents of one kind as one message file."""
    directory.mkdir(parents=True, exist_ok=True)
    xml = encode_message(
        MESSAGE_TYPE[docs[0].kind],
        list(docs),
        SENDER,
        placeholder_signature=docs[0].kind.value in ("inventory", "cancel", "refund"),
    )
    path = directory / name
    path.write_bytes(xml)
    return path


def write_parcel(directory: Path, prefix: str, parcel: Parcel) -> None:
    for i, doc in enumerate(parcel.documents()):
        write(directory, f"{prefix}_{i}_{doc.kind.value}.xml", doc)


def clear(tmp_path: Path, *inputs: Path) -> str:
    result = runner.invoke(
        app,
        [
            "clear",
            "--signatures",
            "skip",
            "--inspection-rate",
            "0",
            "--db",
            str(tmp_path / "cbec.db"),
            "--outbox",
            str(tmp_path / "out"),
            *map(str, inputs),
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output


def receipts(tmp_path: Path) -> list[etree._Element]:
    return [etree.fromstring(p.read_bytes()) for p in sorted((tmp_path / "out").glob("*.xml"))]


def statuses(tmp_path: Path, receipt_tag: str) -> list[str]:
    return [
        s.text or ""
        for root in receipts(tmp_path)
        for s in root.iterfind(f".//ceb:{receipt_tag}/ceb:returnStatus", NS)
    ]


def test_a_directory_of_messages_is_cleared_and_every_receipt_validates(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    for n in range(5):
        write_parcel(inbox, f"p{n}", make_parcel(buyer=buyer_id(n)))
    output = clear(tmp_path, inbox)
    assert "20 messages (0 refused by CEB900), 20 documents" in output
    assert "inventory:800=5" in output
    for path in sorted((tmp_path / "out").glob("*.xml")):
        check_output(path.read_bytes())
    assert statuses(tmp_path, "InventoryReturn").count("800") == 5
    notes = [root for root in receipts(tmp_path) if etree.QName(root).localname == "CEB816Message"]
    assert sum(len(root.findall("ceb:Tax", NS)) for root in notes) == 5


def test_hostile_xml_gets_a_ceb900_and_does_not_disturb_other_documents(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    write_parcel(inbox, "a", make_parcel())
    (inbox / "b_laughs.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">&lol2;</ceb:CEB311Message>'
    )
    (inbox / "c_xxe.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>'
    )
    (inbox / "d_big.xml").write_bytes(b"<x>" + b"a" * (11 * 1024 * 1024) + b"</x>")
    (inbox / "e_garbage.json").write_text("{not json")
    output = clear(tmp_path, inbox)
    assert "8 messages (4 refused by CEB900)" in output
    assert "inventory:800=1" in output
    ceb900 = [r for r in receipts(tmp_path) if etree.QName(r).localname == "CEB900Message"]
    assert len(ceb900) == 4
    for root in ceb900:
        check_output(etree.tostring(root))
        assert root.findtext(".//ceb:returnStatus", namespaces=NS) == "0001"
        assert "root:x:0:0" not in etree.tostring(root).decode()


def test_a_second_run_continues_the_same_ledger(tmp_path: Path) -> None:
    buyer = buyer_id(42)
    first, second = tmp_path / "day1", tmp_path / "day2"
    for n in range(5):
        write_parcel(first, f"p{n}", make_parcel(prices=[Decimal("4990")], buyer=buyer))
    write_parcel(second, "p9", make_parcel(prices=[Decimal("4990")], buyer=buyer))
    assert "inventory:800=5" in clear(tmp_path, first)
    output = clear(tmp_path, second)  # its summary counts its own documents only
    assert (
        "this run's documents by status: inventory:100=1, order:120=1, payment:120=1, waybill:120=1;"
        in output
    )
    assert statuses(tmp_path, "InventoryReturn")[-1] == "100"
    quota = runner.invoke(app, ["quota", buyer, "--year", "2024", "--db", str(tmp_path / "cbec.db")])
    assert quota.exit_code == 0
    assert "used 25,000.00 of 26,000.00" in quota.output


def test_replaying_the_same_files_counts_nothing_twice(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    parcel = make_parcel(buyer=buyer_id(77))
    write_parcel(inbox, "p", parcel)
    clear(tmp_path, inbox)
    output = clear(tmp_path, inbox)
    assert "4 replays" in output
    quota = runner.invoke(app, ["quota", buyer_id(77), "--year", "2024", "--db", str(tmp_path / "cbec.db")])
    assert "used 210.00" in quota.output


def test_a_cancel_in_a_later_run_restores_the_quota_and_history_shows_it(tmp_path: Path) -> None:
    parcel = make_parcel(buyer=buyer_id(88))
    write_parcel(tmp_path / "in", "p", parcel)
    clear(tmp_path, tmp_path / "in")
    db = str(tmp_path / "cbec.db")
    status = runner.invoke(app, ["status", parcel.inventory.head.order_no, "--db", db])
    invt_no = next(w for w in status.output.split() if w.startswith("29242024I"))
    write(tmp_path / "cancel", "c.xml", cancel_for(parcel, invt_no, at=parcel_time(parcel)))
    clear(tmp_path, tmp_path / "cancel")
    quota = runner.invoke(app, ["quota", buyer_id(88), "--year", "2024", "--db", db])
    assert "used 0.00" in quota.output
    status = runner.invoke(app, ["status", invt_no, "--db", db], env={"COLUMNS": "200"})
    assert "399" in status.output
    assert "cancelled by CEB623" in status.output


def parcel_time(parcel: Parcel):  # type: ignore[no-untyped-def]
    from datetime import datetime, timedelta

    return datetime.strptime(parcel.inventory.head.app_time, "%Y%m%d%H%M%S") + timedelta(days=1)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_verify_mode_clears_signed_lists_and_refuses_unsigned_ones(tmp_path: Path, workers: str) -> None:
    """With ``--workers 2`` the signatures are checked in the decoding process, on a snapshot."""
    from cryptography.hazmat.primitives import serialization

    from opencbec.signatures import sign_message
    from tests.unit.signatures.keys import certificate, rsa_key

    key = rsa_key("agent")
    cert = certificate(key, valid_to=datetime.now(UTC) + timedelta(days=30))
    pem = tmp_path / "agent.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    db = str(tmp_path / "cbec.db")
    added = runner.invoke(
        app, ["enterprise", "add", SENDER.cop_code, "--name", "某报关行", "--cert", str(pem), "--db", db]
    )
    assert added.exit_code == 0, added.output
    signed, unsigned = make_parcel(buyer=buyer_id(61)), make_parcel(buyer=buyer_id(62))
    inbox = tmp_path / "in"
    for prefix, parcel in (("a", signed), ("b", unsigned)):
        write_parcel(inbox, prefix, parcel)
    list_file = inbox / "a_3_inventory.xml"
    list_file.write_bytes(sign_message(list_file.read_bytes(), key, cert))
    out = str(tmp_path / "out")
    args = ["clear", "--inspection-rate", "0", "--workers", workers, "--db", db, "--outbox", out, str(inbox)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "8 messages (1 refused by CEB900)" in result.output
    assert "inventory:800=1" in result.output
    ceb900 = [r for r in receipts(tmp_path) if etree.QName(r).localname == "CEB900Message"]
    assert [r.findtext(".//ceb:returnStatus", namespaces=NS) for r in ceb900] == ["1001"]


def test_a_missing_input_path_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["clear", "--signatures", "skip", "--db", str(tmp_path / "x.db"), str(tmp_path / "nope")]
    )
    assert result.exit_code == 2
    assert "no such file or directory" in result.output


@pytest.mark.parametrize("args", [["--help"], ["clear", "--help"]])
def test_the_cbec_entry_point_runs(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "opencbec", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout


def test_the_partner_wait_is_configurable(tmp_path: Path) -> None:
    from datetime import datetime

    waiting = make_parcel(buyer=buyer_id(91), at=datetime(2024, 6, 1, 10))
    later = make_parcel(buyer=buyer_id(92), at=datetime(2024, 6, 1, 12, 30))
    inbox = tmp_path / "in"
    no_payment: list[Document] = [waiting.order, waiting.waybill, waiting.inventory]
    for i, doc in enumerate(no_payment):
        write(inbox, f"a{i}.xml", doc)
    write_parcel(inbox, "b", later)
    db = str(tmp_path / "cbec.db")
    result = runner.invoke(
        app, ["clear", "--signatures", "skip", "--partner-wait-hours", "2", "--db", db, str(inbox)]
    )
    assert result.exit_code == 0, result.output
    status = runner.invoke(
        app, ["status", waiting.inventory.head.order_no, "--db", db], env={"COLUMNS": "300"}
    )
    assert "[Code:9001;" in status.output
    assert "payment not received" in status.output


@pytest.mark.parametrize(("files", "expected"), [(64, 1), (65, 2)])
def test_the_default_workers_follow_the_file_count_without_counting_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: int, expected: int
) -> None:
    import opencbec.cli as cli
    from opencbec import bootstrap

    inbox = tmp_path / "in"
    for n in range((files + 3) // 4):
        write_parcel(inbox, f"p{n:03d}", make_parcel())
    for extra in sorted(inbox.iterdir())[files:]:
        extra.unlink()
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    chosen: list[int] = []
    real = bootstrap.batch_clearer

    def spy(*args: object, **kwargs: object) -> object:
        chosen.append(int(kwargs["workers"]))  # type: ignore[call-overload]
        return real(*args, **{**kwargs, "workers": 1})  # type: ignore[arg-type]

    monkeypatch.setattr(bootstrap, "batch_clearer", spy)
    assert "messages" in clear(tmp_path, inbox)
    assert chosen == [expected]
    counted = cli._files([inbox], at_most=cli.AUTO_WORKERS_FILES + 1)
    assert counted[0] == min(files, 65)
    assert counted[1] == sum(p.stat().st_size for p in sorted(inbox.iterdir())[:65])
