"""Completeness report of the rule tables on a date (``cbec rules status``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from opencbec.rules.model import TableStatus

if TYPE_CHECKING:
    from opencbec.rules.rulebook import Rulebook


def table_status(book: Rulebook, as_of: date, positive_lines: int) -> list[TableStatus]:
    """Status of the parameters, tax tables, positive list and code tables on ``as_of``."""
    out = [
        TableStatus(
            "parameters",
            len(book.parameters),
            len(book.parameters),
            "complete",
            "opencbec/data/parameters/*.yaml (财关税〔2016〕18号, 〔2018〕49号, VAT notices)",
            "limits, duty rate, tax factor and VAT rates, each value dated with its reference",
        ),
    ]
    for key, rows in (
        ("vat-lower-rate-scopes", len(book.vat_scopes)),
        ("consumption-tax", len({c.item for c in book.consumption_taxes})),
    ):
        meta = book.manifests.get(key, {})
        total = meta.get("official_total")
        out.append(
            TableStatus(
                key,
                rows,
                total if isinstance(total, int) else None,
                str(meta.get("completeness", "unknown")),
                str(meta.get("source", "")),
                str(meta.get("note", "")),
            )
        )
    out.append(_positive_list(book, as_of, positive_lines))
    for table in book.code_tables.values():
        out.append(
            TableStatus(
                table.name,
                table.rows,
                table.official_total,
                table.completeness,
                table.source,
                table.note,
            )
        )
    return out


def _positive_list(book: Rulebook, as_of: date, lines: int) -> TableStatus:
    official = [v for v in book.positive_list_versions if v.valid_from <= as_of]
    total = official[-1].official_lines if official else None
    version = official[-1].list_version if official else "none"
    replaced = [r for r in book.replace_imports if r.valid_from <= as_of]
    if replaced:
        last = replaced[-1]
        note = f"imported whole list in force from {last.valid_from.isoformat()}"
        if total is not None and total != lines:
            note += f"; {lines} lines in force, official version {version} has {total}"
        return TableStatus("positive-list", lines, total, "complete", last.source_file, note)
    note = (
        f"PARTIAL: {lines} of {total if total is not None else '?'} lines of official version "
        f"{version} in force on {as_of.isoformat()}. {book.positive_list_note}"
    )
    return TableStatus("positive-list", lines, total, "partial", "opencbec/data/positive_list", note.strip())
