"""``cbec rules``: status of the rule tables and loading an official positive list that clearing uses."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from opencbec.cli import app
from tests.integration.test_cbec_clear import write_parcel
from tests.parcels import MILK, buyer_id, make_parcel

runner = CliRunner()
SEAFOOD = ("0306149000", "其他冻蟹", MILK[2], "035")


def test_rules_status_says_the_shipped_positive_list_is_partial(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["rules", "status", "--db", str(tmp_path / "c.db"), "--as-of", "2024-06-01"],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "positive" in x)
    assert "partial" in line
    assert "1476" in line.replace(",", "")


def test_an_imported_bonded_only_line_refuses_direct_purchase_and_accepts_bonded(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    table = tmp_path / "adjustment.csv"
    table.write_text("序号,税则号列,货品名称,备注\n1,03061490,其他冻蟹,仅限网购保税商品\n", encoding="utf-8")
    result = runner.invoke(
        app, ["rules", "import-positive-list", "--db", db, "--valid-from", "2024-01-01", str(table)]
    )
    assert result.exit_code == 0, result.output
    assert "imported 1 lines" in result.output
    direct = make_parcel(goods=[SEAFOOD], buyer=buyer_id(301))
    bonded = make_parcel(goods=[SEAFOOD], buyer=buyer_id(302), trade_mode="1210")
    write_parcel(tmp_path / "in", "a", direct)
    write_parcel(tmp_path / "in", "b", bonded)
    cleared = runner.invoke(
        app, ["clear", "--signatures", "skip", "--inspection-rate", "0", "--db", db, str(tmp_path / "in")]
    )
    assert cleared.exit_code == 0, cleared.output
    assert "inventory:100=1" in cleared.output
    assert "inventory:800=1" in cleared.output
    status = runner.invoke(
        app, ["status", direct.inventory.head.order_no, "--db", db], env={"COLUMNS": "300"}
    )
    assert "[Code:9011;" in status.output


def test_a_replace_import_makes_the_list_complete_and_removes_other_lines(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    table = tmp_path / "list.csv"
    table.write_text("序号,税则号列,货品名称,备注\n1,04022100,粉状乳,\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["rules", "import-positive-list", "--db", db, "--valid-from", "2024-01-01", "--replace", str(table)],
    )
    assert result.exit_code == 0, result.output
    nuts = make_parcel(goods=[("0802320000", "去壳核桃", MILK[2], "035")], buyer=buyer_id(303))
    write_parcel(tmp_path / "in", "a", nuts)
    cleared = runner.invoke(app, ["clear", "--signatures", "skip", "--db", db, str(tmp_path / "in")])
    assert "inventory:100=1" in cleared.output


def test_a_malformed_positive_list_is_refused_and_nothing_is_imported(tmp_path: Path) -> None:
    table = tmp_path / "bad.csv"
    table.write_text("序号,税则号列,货品名称,备注\n1,ABC,坏行,\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "rules",
            "import-positive-list",
            "--db",
            str(tmp_path / "c.db"),
            "--valid-from",
            "2024-01-01",
            str(table),
        ],
    )
    assert result.exit_code == 1
    assert "nothing imported" in result.output
