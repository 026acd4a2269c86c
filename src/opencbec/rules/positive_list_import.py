"""Read an official positive-list file (CSV or XLSX: 序号 | 税则号列 | 货品名称 | 备注).

Header variants and whitespace are tolerated; tariff lines written with dots (``0402.9100``) or as
numbers that lost their leading zero (``4029100``) are fixed with a warning. Malformed rows are
rejected with their row number (spreadsheet numbering, the first row is 1) and the reason.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from opencbec.rules.overlay import ImportedLine
from opencbec.rules.remarks import parse_remark

HEADER_SCAN_ROWS = 20
_SPACE = re.compile(r"\s+")
_HEADERS = {
    "seq": ("序号",),
    "tariff_line": ("税则号列", "税则号", "税号", "商品编码", "商品编号", "hs编码", "hscode"),
    "name": ("货品名称", "商品名称", "品名", "名称"),
    "remark": ("备注",),
}


class PositiveListFileError(ValueError):
    """The file cannot be read as a positive list at all (no header, unknown format)."""


@dataclass(frozen=True, slots=True)
class RowIssue:
    """A warning, rejection or note about one row of the imported file."""

    row: int
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


@dataclass(frozen=True, slots=True)
class ParsedList:
    """The lines read from a file, with warnings (fixed), rejections and notes (unparsed remarks)."""

    source_file: str
    lines: tuple[ImportedLine, ...]
    warnings: tuple[RowIssue, ...]
    rejected: tuple[RowIssue, ...]
    notes: tuple[RowIssue, ...]


def read_positive_list_file(path: Path) -> ParsedList:
    """Read a ``.csv`` or ``.xlsx`` file in the official layout."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows: Iterable[tuple[int, Sequence[object]]] = _csv_rows(path.read_bytes())
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        raise PositiveListFileError(f"{path.name}: unsupported file type {suffix!r}; use .csv or .xlsx")
    return parse_rows(path.name, rows)


def _csv_rows(data: bytes) -> Iterator[tuple[int, Sequence[object]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise PositiveListFileError("the CSV file is neither UTF-8 nor GB18030 text")
    yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)


def _xlsx_rows(path: Path) -> Iterator[tuple[int, Sequence[object]]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        book.close()


def _norm(cell: object) -> str:
    return _SPACE.sub("", str(cell)).lower() if cell is not None else ""


def _find_header(rows: Iterator[tuple[int, Sequence[object]]], file: str) -> dict[str, int]:
    for number, row in rows:
        found: dict[str, int] = {}
        for index, cell in enumerate(row):
            text = _norm(cell)
            for key, names in _HEADERS.items():
                if key not in found and any(text.startswith(n) for n in names):
                    found[key] = index
                    break
        if "tariff_line" in found and "name" in found:
            return found
        if number >= HEADER_SCAN_ROWS:
            break
    raise PositiveListFileError(
        f"{file}: no header row with 税则号列 and 货品名称 in the first {HEADER_SCAN_ROWS} rows"
    )


def parse_rows(file: str, rows: Iterable[tuple[int, Sequence[object]]]) -> ParsedList:
    """Parse numbered rows (header first) into lines, warnings, rejections and notes."""
    it = iter(rows)
    cols = _find_header(it, file)
    lines: list[ImportedLine] = []
    warnings: list[RowIssue] = []
    rejected: list[RowIssue] = []
    notes: list[RowIssue] = []
    seen: dict[str, int] = {}

    def cell(row: Sequence[object], key: str) -> object:
        index = cols.get(key)
        return row[index] if index is not None and index < len(row) else None

    for number, row in it:
        filled = [c for c in row if c is not None and str(c).strip()]
        if not filled:
            continue
        raw = cell(row, "tariff_line")
        name = str(cell(row, "name") or "").strip()
        if raw is None or not str(raw).strip():
            if len(filled) == 1:
                notes.append(RowIssue(number, f"skipped heading row {str(filled[0]).strip()!r}"))
            else:
                rejected.append(RowIssue(number, "税则号列 is empty"))
            continue
        line, problem, warning = fix_tariff_line(raw)
        if line is None:
            rejected.append(RowIssue(number, problem))
            continue
        if not name:
            rejected.append(RowIssue(number, f"货品名称 is empty for tariff line {line}"))
            continue
        if line in seen:
            rejected.append(RowIssue(number, f"duplicate tariff line {line} (first at row {seen[line]})"))
            continue
        seen[line] = number
        if warning:
            warnings.append(RowIssue(number, warning))
        remark = str(cell(row, "remark") or "").strip()
        restrictions = parse_remark(remark)
        if restrictions.unparsed:
            kept = "；".join(restrictions.unparsed)
            notes.append(RowIssue(number, f"{line}: remark kept as text, not parsed: {kept}"))
        lines.append(ImportedLine(_seq(cell(row, "seq")), line, name, remark, restrictions))
    return ParsedList(file, tuple(lines), tuple(warnings), tuple(rejected), tuple(notes))


def fix_tariff_line(raw: object) -> tuple[str | None, str, str]:
    """Return (8-digit line or None, rejection reason, warning) for a 税则号列 cell.

    >>> fix_tariff_line("0402.9100")
    ('04029100', '', "tariff line '0402.9100' written with dots, read as 04029100")
    >>> fix_tariff_line(4029100)
    ('04029100', '', 'tariff line 4029100 lost its leading zero (number cell?), read as 04029100')
    >>> fix_tariff_line("04A29100")[1]
    "tariff line '04A29100' is not an 8-digit number"
    """
    if isinstance(raw, bool):
        return None, f"tariff line {raw!r} is not an 8-digit number", ""
    if isinstance(raw, float):
        if not raw.is_integer():
            return None, f"tariff line {raw!r} is a decimal number; write it as text", ""
        raw = int(raw)
    text = str(raw).strip()
    warning = ""
    if re.fullmatch(r"\d{4}\.\d{2}\.?\d{2}", text):
        fixed = text.replace(".", "")
        warning = f"tariff line {text!r} written with dots, read as {fixed}"
        text = fixed
    if not text.isdigit():
        return None, f"tariff line {text!r} is not an 8-digit number", ""
    if len(text) == 7:
        fixed = "0" + text
        warning = f"tariff line {text} lost its leading zero (number cell?), read as {fixed}"
        text = fixed
    if len(text) != 8:
        return None, f"tariff line {text!r} has {len(text)} digits; the list uses 8-digit lines", ""
    return text, "", warning


def _seq(value: object) -> int | None:
    try:
        return int(str(value).strip()) if value is not None and str(value).strip() else None
    except ValueError:
        return None
