"""Importing an official positive list (CSV/XLSX) into a real SQLite file, and its effect by date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, create_engine

from opencbec.rules.positive_list_import import PositiveListFileError, read_positive_list_file
from opencbec.rules.remarks import parse_remark
from opencbec.store.positive_list_repo import (
    ImportReport,
    effective_rulebook,
    import_positive_list,
    load_versions,
    rules_status,
)

CSV_2023 = """\ufeff跨境电子商务零售进口商品清单（测试）
 序 号 ,"税则号列\n(8位)", 货品名称 ,备 注
1,0402.9100,浓缩但未加糖的非固状乳及奶油,
2,4021000,脂肪含量<1.5%固状乳及奶油,仅限网购保税
3,17019910,砂糖,个人年度累计购买不超过2千克
4,32151900,其他印刷油墨,仅限家用打印机墨水
5,04100041,鲜蜂王浆,依法不属于普通食品或依法需要注册备案管理的特殊食品除外
"""


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'cbec.db'}")
    yield engine
    engine.dispose()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(engine: Engine, path: Path, valid_from: date, replace: bool, n: int = 1) -> ImportReport:
    return import_positive_list(engine, path, valid_from, replace, imported_at=datetime(2023, 1, n))


def test_csv_import_fixes_lines_and_parses_remarks(engine: Engine, tmp_path: Path) -> None:
    report = _import(engine, _write(tmp_path, "list.csv", CSV_2023), date(2023, 1, 1), False)
    assert report.stored and report.version_id == 1 and report.line_count == 5
    assert report.mode == "add" and report.rejected == ()
    assert report.warnings == (
        "row 3: tariff line '0402.9100' written with dots, read as 04029100",
        "row 4: tariff line 4021000 lost its leading zero (number cell?), read as 04021000",
    )
    rules = effective_rulebook(engine).at(date(2023, 1, 1))
    powder = rules.positive_list_entry("0402100000")
    assert powder is not None and powder.bonded_only and powder.remark == "仅限网购保税"
    sugar = rules.positive_list_entry("1701991000")
    assert sugar is not None
    assert (sugar.per_person_annual_qty, sugar.qty_unit) == (Decimal(2), "千克")
    ink = rules.positive_list_entry("3215190000")
    assert ink is not None and ink.name_whitelist == ("家用打印机墨水",)
    jelly = rules.positive_list_entry("0410004100")
    assert jelly is not None and jelly.excluded_note == jelly.remark
    assert jelly.list_version == "import#1 add 2023-01-01 (list.csv)"


def test_add_supersedes_from_its_date_only(engine: Engine, tmp_path: Path) -> None:
    _import(engine, _write(tmp_path, "list.csv", CSV_2023), date(2023, 1, 1), False)
    book = effective_rulebook(engine)
    before = book.at(date(2022, 12, 31))
    assert before.positive_list_entry("0402100000").bonded_only is False  # type: ignore[union-attr]
    assert before.positive_list_entry("1701991000") is None
    assert before.positive_list_entry("0402910000").list_version == "2016-1"  # type: ignore[union-attr]
    after = book.at(date(2023, 1, 1))
    assert after.positive_list_entry("0402910000").list_version.startswith("import#1")  # type: ignore[union-attr]
    assert after.positive_list_entry("0403100000") is not None  # shipped line kept by "add"


def test_replace_ends_every_earlier_line_the_day_before(engine: Engine, tmp_path: Path) -> None:
    _import(engine, _write(tmp_path, "list.csv", CSV_2023), date(2023, 1, 1), False, 1)
    whole = "序号,税则号列,货品名称,备注\n1,04029100,浓缩乳,\n2,95061100,滑雪屐,\n"
    report = _import(engine, _write(tmp_path, "whole.csv", whole), date(2024, 1, 1), True, 2)
    assert report.stored and report.mode == "replace" and report.line_count == 2
    book = effective_rulebook(engine)
    last_day = book.at(date(2023, 12, 31))
    assert last_day.positive_list_entry("0403100000") is not None
    assert last_day.positive_list_entry("1701991000") is not None
    first_day = book.at(date(2024, 1, 1))
    assert first_day.positive_list_entry("0403100000") is None
    assert first_day.positive_list_entry("1701991000") is None
    assert first_day.positive_list_entry("0402910000").name == "浓缩乳"  # type: ignore[union-attr]
    assert first_day.positive_list_entry("9506110000") is not None


def test_status_is_complete_once_a_replace_is_in_force(engine: Engine, tmp_path: Path) -> None:
    whole = "序号,税则号列,货品名称,备注\n1,04029100,浓缩乳,\n2,95061100,滑雪屐,\n"
    _import(engine, _write(tmp_path, "清单2024.csv", whole), date(2024, 1, 1), True)
    before = {s.table: s for s in rules_status(engine, date(2023, 12, 31))}
    assert before["positive-list"].completeness == "partial"
    after = {s.table: s for s in rules_status(engine, date(2024, 1, 1))}
    pl = after["positive-list"]
    assert (pl.completeness, pl.source, pl.rows, pl.official_total) == (
        "complete", "清单2024.csv", 2, 1476,
    )  # fmt: skip
    assert pl.note == (
        "imported whole list in force from 2024-01-01; 2 lines in force, official version 2022 has 1476"
    )
    assert {s.table for s in rules_status(None, date(2024, 1, 1))} >= {"positive-list", "country"}


def test_xlsx_import_with_number_cells_and_title_rows(engine: Engine, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["附件：跨境电子商务零售进口商品清单（2022年版）"])
    sheet.append([])
    sheet.append(["序号", "税则号列", "货品名称", "备注"])
    sheet.append(["一、食品"])
    sheet.append([1, 4029100, "浓缩但未加糖的非固状乳及奶油", None])
    sheet.append([2, "03061700", "冻虾", "仅限网购保税"])
    sheet.append([3, 95045020.0, "视频游戏控制器", None])
    path = tmp_path / "list.xlsx"
    book.save(path)
    report = _import(engine, path, date(2022, 3, 1), True)
    assert report.stored and report.line_count == 3
    assert report.warnings == (
        "row 5: tariff line 4029100 lost its leading zero (number cell?), read as 04029100",
    )
    assert report.notes == ("row 4: skipped heading row '一、食品'",)
    rules = effective_rulebook(engine).at(date(2022, 3, 1))
    assert rules.positive_list_entry("0306170000").bonded_only  # type: ignore[union-attr]
    assert rules.positive_list_entry("9504502000") is not None
    assert rules.positive_list_entry("0403100000") is None  # replaced


def test_malformed_rows_are_rejected_and_nothing_is_stored(engine: Engine, tmp_path: Path) -> None:
    bad = (
        "序号,税则号列,货品名称,备注\n"
        "1,04029100,浓缩乳,\n"
        "2,0402A100,坏编码,\n"
        "3,040291,太短,\n"
        "4,04031000,,\n"
        "5,04029100,重复,\n"
        "6,,酸乳,备注\n"
        "7,0402910000,十位,\n"
    )
    report = _import(engine, _write(tmp_path, "bad.csv", bad), date(2023, 1, 1), False)
    assert not report.stored and report.version_id is None
    assert report.rejected == (
        "row 3: tariff line '0402A100' is not an 8-digit number",
        "row 4: tariff line '040291' has 6 digits; the list uses 8-digit lines",
        "row 5: 货品名称 is empty for tariff line 04031000",
        "row 6: duplicate tariff line 04029100 (first at row 2)",
        "row 7: 税则号列 is empty",
        "row 8: tariff line '0402910000' has 10 digits; the list uses 8-digit lines",
    )
    assert load_versions(engine) == []


def test_file_without_header_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(PositiveListFileError, match="no header row with 税则号列 and 货品名称"):
        read_positive_list_file(path)


def test_gb18030_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("序号,商品编码,商品名称,备注\n1,04029100,浓缩乳,\n".encode("gb18030"))
    assert [ln.tariff_line for ln in read_positive_list_file(path).lines] == ["04029100"]


@pytest.mark.parametrize(
    ("remark", "bonded", "names", "excluded", "qty", "unit", "unparsed"),
    [
        ("", False, None, None, None, None, ()),
        ("仅限网购保税", True, None, None, None, None, ()),
        ("仅限网购保税商品", True, None, None, None, None, ()),
        ("仅限家用打印机墨水", False, ("家用打印机墨水",), None, None, None, ()),
        ("仅限足贴、足膜", False, ("足贴", "足膜"), None, None, None, ()),
        ("限网购保税，个人年度累计购买不超过20公斤", True, None, None, Decimal(20), "千克", ()),
        ("仅限网购保税；个人年度购买量不超过2千克", True, None, None, Decimal(2), "千克", ()),
        (
            "列入《进出口野生动植物种商品目录》的商品除外；依法不属于普通食品的除外",
            False,
            None,
            "列入《进出口野生动植物种商品目录》的商品除外；依法不属于普通食品的除外",
            None,
            None,
            (),
        ),
        ("需符合国家标准", False, None, None, None, None, ("需符合国家标准",)),
    ],
)
def test_remark_parsing(
    remark: str,
    bonded: bool,
    names: tuple[str, ...] | None,
    excluded: str | None,
    qty: Decimal | None,
    unit: str | None,
    unparsed: tuple[str, ...],
) -> None:
    r = parse_remark(remark)
    assert (r.bonded_only, r.name_whitelist, r.excluded_note) == (bonded, names, excluded)
    assert (r.per_person_annual_qty, r.qty_unit, r.unparsed) == (qty, unit, unparsed)
