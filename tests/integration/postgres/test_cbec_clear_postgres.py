"""``cbec clear --db postgresql+psycopg://...`` end to end, as tests/integration does on SQLite."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from opencbec.clearing.config import ClearingConfig
from opencbec.cli import app
from opencbec.messages.encode import check_output
from opencbec.rules import shipped_rulebook
from opencbec.service.batch_clear import BatchClearer
from opencbec.store.sql import SqlStore, make_engine
from tests.integration.test_cbec_clear import NS, write, write_parcel
from tests.integration.test_crash_recovery import CrashingStore
from tests.parcels import Parcel, buyer_id, cancel_for, make_parcel

pytestmark = pytest.mark.postgres
runner = CliRunner()
CONFIG = ClearingConfig(inspection_rate=Decimal(0))


def cbec(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def clear(db: str, out: Path, *inputs: Path) -> str:
    return cbec(
        "clear", "--signatures", "skip", "--inspection-rate", "0", "--db", db, "--outbox", str(out),
        *map(str, inputs),
    )  # fmt: skip


def return_statuses(out: Path) -> list[str]:
    return [
        s.text or ""
        for p in sorted(out.glob("*.xml"))
        for s in etree.fromstring(p.read_bytes()).iterfind(".//ceb:InventoryReturn/ceb:returnStatus", NS)
    ]


def test_parcels_are_cleared_and_every_receipt_validates(pg_url: str, tmp_path: Path) -> None:
    for n in range(5):
        write_parcel(tmp_path / "in", f"p{n}", make_parcel(buyer=buyer_id(n)))
    output = clear(pg_url, tmp_path / "out", tmp_path / "in")
    assert "20 messages (0 refused by CEB900), 20 documents" in output
    assert "inventory:800=5" in output
    for path in sorted((tmp_path / "out").glob("*.xml")):
        check_output(path.read_bytes())
    assert return_statuses(tmp_path / "out").count("800") == 5


def test_hostile_input_is_refused_and_stored(pg_url: str, tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    write_parcel(inbox, "a", make_parcel())
    (inbox / "b_xxe.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>'
    )
    (inbox / "c_garbage.json").write_text("{not json\x00")
    (inbox / "d_binary.xml").write_bytes(b"\x00\xff\xfe" * 100)
    output = clear(pg_url, tmp_path / "out", inbox)
    assert "7 messages (3 refused by CEB900)" in output
    assert "inventory:800=1" in output


def test_a_second_run_continues_the_ledger_and_a_replay_counts_nothing(pg_url: str, tmp_path: Path) -> None:
    buyer = buyer_id(42)
    for n in range(5):
        write_parcel(tmp_path / "day1", f"p{n}", make_parcel(prices=[Decimal("4990")], buyer=buyer))
    write_parcel(tmp_path / "day2", "p9", make_parcel(prices=[Decimal("4990")], buyer=buyer))
    assert "inventory:800=5" in clear(pg_url, tmp_path / "out", tmp_path / "day1")
    output = clear(pg_url, tmp_path / "out", tmp_path / "day2")  # its summary counts its own documents
    assert (
        "this run's documents by status: inventory:100=1, order:120=1, payment:120=1, waybill:120=1;"
        in output
    )
    assert return_statuses(tmp_path / "out")[-1] == "100"
    replay = clear(pg_url, tmp_path / "out", tmp_path / "day1", tmp_path / "day2")
    assert "24 replays" in replay
    assert "used 25,000.00 of 26,000.00" in cbec("quota", buyer, "--year", "2024", "--db", pg_url)


def test_a_cancel_in_a_later_run_restores_the_quota(pg_url: str, tmp_path: Path) -> None:
    parcel: Parcel = make_parcel(buyer=buyer_id(88))
    write_parcel(tmp_path / "in", "p", parcel)
    clear(pg_url, tmp_path / "out", tmp_path / "in")
    status = cbec("status", parcel.inventory.head.order_no, "--db", pg_url)
    invt_no = next(w for w in status.split() if w.startswith("29242024I"))
    at = datetime.strptime(parcel.inventory.head.app_time, "%Y%m%d%H%M%S") + timedelta(days=1)
    write(tmp_path / "cancel", "c.xml", cancel_for(parcel, invt_no, at=at))
    clear(pg_url, tmp_path / "out", tmp_path / "cancel")
    assert "used 0.00" in cbec("quota", buyer_id(88), "--year", "2024", "--db", pg_url)
    assert "cancelled by CEB623" in cbec("status", invt_no, "--db", pg_url)


def test_a_crash_mid_run_then_a_rerun_gives_the_same_outcome_once(pg_url: str, tmp_path: Path) -> None:
    buyer = buyer_id(11)
    for n in range(6):
        write_parcel(tmp_path / "in", f"p{n}", make_parcel(prices=[Decimal("4990")], buyer=buyer))
    crashing = CrashingStore(pg_url, crash_on=3)
    clearer = BatchClearer(
        crashing, shipped_rulebook(), CONFIG, tmp_path / "out", batch_documents=4, commit_documents=1
    )  # each batch committed on its own
    with pytest.raises(RuntimeError, match="simulated crash"):
        clearer.run([tmp_path / "in"])
    crashing.engine.dispose()
    delivered_before = {p.name for p in (tmp_path / "out").glob("*.xml")}
    assert delivered_before
    store = SqlStore(make_engine(pg_url))
    summary = BatchClearer(store, shipped_rulebook(), CONFIG, tmp_path / "out", batch_documents=4).run(
        [tmp_path / "in"]
    )
    assert summary.replays == 8
    counts = store.status_counts()
    assert (counts["inventory:800"], counts["inventory:100"]) == (5, 1)
    assert sum(line.amount_fen for line in store.ledger(buyer, 2024)) == 25_000_00
    assert delivered_before <= {p.name for p in (tmp_path / "out").glob("*.xml")}
    assert store.pending_outbox() == []
    store.engine.dispose()
