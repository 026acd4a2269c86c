"""Imported positive-list versions in the project database (SQLAlchemy 2 Core; SQLite/PostgreSQL).

Each import is a dated version (``valid_from``, ``imported_at``, source file, mode ``add`` or
``replace``, line count) with its lines. The effective rulebook is the shipped data overlaid with
the stored versions (see :mod:`opencbec.rules.overlay` for the add/replace semantics).

The CLI calls :func:`import_positive_list` (``cbec rules import-positive-list``) and
:func:`rules_status` (``cbec rules status``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    inspect,
    select,
)

from opencbec.rules import Rulebook, TableStatus, shipped_rulebook
from opencbec.rules.overlay import ImportedLine, ImportedVersion
from opencbec.rules.positive_list_import import read_positive_list_file
from opencbec.rules.remarks import RemarkRestrictions

metadata = MetaData()

version_table = Table(
    "positive_list_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("valid_from", Date, nullable=False),
    Column("imported_at", DateTime, nullable=False),
    Column("source_file", String(255), nullable=False),
    Column("mode", String(8), nullable=False),
    Column("line_count", Integer, nullable=False),
)

line_table = Table(
    "positive_list_line",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version_id", Integer, ForeignKey("positive_list_version.id"), nullable=False, index=True),
    Column("seq", Integer),
    Column("tariff_line", String(8), nullable=False),
    Column("name", Text, nullable=False),
    Column("remark", Text, nullable=False),
    Column("bonded_only", Boolean, nullable=False),
    Column("name_whitelist", Text),  # names joined with "|"
    Column("excluded_note", Text),
    Column("per_person_annual_qty", String(32)),  # decimal as text (exact on every backend)
    Column("qty_unit", String(16)),
)


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Outcome of an import. Nothing is stored when any row was rejected (``stored`` is False)."""

    source_file: str
    valid_from: date
    mode: str
    stored: bool
    version_id: int | None
    line_count: int
    warnings: tuple[str, ...]
    rejected: tuple[str, ...]
    notes: tuple[str, ...]


def import_positive_list(
    engine: Engine,
    path: Path,
    valid_from: date,
    replace: bool,
    *,
    imported_at: datetime | None = None,
) -> ImportReport:
    """Read ``path`` (CSV/XLSX) and store it as a version in force from ``valid_from``.

    Without ``replace`` the lines are added to the list in force; with ``replace`` the file is the
    whole list from ``valid_from``. A file with rejected rows, or with no lines, is not stored.
    """
    parsed = read_positive_list_file(Path(path))
    mode = "replace" if replace else "add"
    rejected = [str(r) for r in parsed.rejected]
    if not parsed.lines and not rejected:
        rejected.append("the file has no tariff lines")
    version_id = None
    if not rejected:
        when = imported_at or datetime.now(UTC).replace(tzinfo=None)
        version_id = _store(engine, parsed.source_file, valid_from, mode, when, parsed.lines)
    return ImportReport(
        source_file=parsed.source_file,
        valid_from=valid_from,
        mode=mode,
        stored=version_id is not None,
        version_id=version_id,
        line_count=len(parsed.lines),
        warnings=tuple(str(w) for w in parsed.warnings),
        rejected=tuple(rejected),
        notes=tuple(str(n) for n in parsed.notes),
    )


def _store(
    engine: Engine,
    source_file: str,
    valid_from: date,
    mode: str,
    imported_at: datetime,
    lines: Sequence[ImportedLine],
) -> int:
    metadata.create_all(engine)
    with engine.begin() as conn:
        result = conn.execute(
            insert(version_table).values(
                valid_from=valid_from,
                imported_at=imported_at,
                source_file=source_file,
                mode=mode,
                line_count=len(lines),
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        version_id = int(key[0])
        conn.execute(insert(line_table), [_line_row(version_id, line) for line in lines])
    return version_id


def _line_row(version_id: int, line: ImportedLine) -> dict[str, object]:
    r = line.restrictions
    qty = r.per_person_annual_qty
    return {
        "version_id": version_id,
        "seq": line.seq,
        "tariff_line": line.tariff_line,
        "name": line.name,
        "remark": line.remark,
        "bonded_only": r.bonded_only,
        "name_whitelist": "|".join(r.name_whitelist) if r.name_whitelist else None,
        "excluded_note": r.excluded_note,
        "per_person_annual_qty": str(qty) if qty is not None else None,
        "qty_unit": r.qty_unit,
    }


def load_versions(engine: Engine) -> list[ImportedVersion]:
    """Every stored import with its lines, in import order (empty if the tables do not exist)."""
    if not inspect(engine).has_table(version_table.name):
        return []
    with engine.connect() as conn:
        versions = conn.execute(select(version_table).order_by(version_table.c.id)).all()
        rows = conn.execute(select(line_table).order_by(line_table.c.id)).all()
    lines: dict[int, list[ImportedLine]] = {}
    for row in rows:
        qty = row.per_person_annual_qty
        restrictions = RemarkRestrictions(
            bonded_only=bool(row.bonded_only),
            name_whitelist=tuple(row.name_whitelist.split("|")) if row.name_whitelist else None,
            excluded_note=row.excluded_note,
            per_person_annual_qty=Decimal(qty) if qty is not None else None,
            qty_unit=row.qty_unit,
        )
        lines.setdefault(row.version_id, []).append(
            ImportedLine(row.seq, row.tariff_line, row.name, row.remark, restrictions)
        )
    return [
        ImportedVersion(
            version_id=v.id,
            valid_from=v.valid_from,
            mode=v.mode,
            source_file=v.source_file,
            imported_at=v.imported_at,
            lines=tuple(lines.get(v.id, ())),
        )
        for v in versions
    ]


def effective_rulebook(engine: Engine | None) -> Rulebook:
    """The shipped rulebook overlaid with the positive-list versions stored in ``engine``."""
    book = shipped_rulebook()
    versions = load_versions(engine) if engine is not None else []
    return book.with_positive_list_versions(versions) if versions else book


def rules_status(engine: Engine | None, as_of: date) -> list[TableStatus]:
    """Per rule table on ``as_of``: rows, official total if known, completeness, source, note."""
    return effective_rulebook(engine).at(as_of).table_status()
