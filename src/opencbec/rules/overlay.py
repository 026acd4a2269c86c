"""Overlay imported positive-list versions on the shipped list (pure; no database here).

Semantics, applied in order of ``valid_from`` (then import order):

* ``add``: the file's lines are on the list from ``valid_from`` (like the official 调整表). A line
  already on the list is superseded from that date (its earlier entry ends the day before).
* ``replace``: the file is the whole list from ``valid_from``; every earlier line ends the day before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from opencbec.rules.model import PositiveListEntry, ReplaceImport
from opencbec.rules.remarks import RemarkRestrictions

MODES = ("add", "replace")


@dataclass(frozen=True, slots=True)
class ImportedLine:
    """One line of an imported list file, with its parsed remark."""

    seq: int | None
    tariff_line: str
    name: str
    remark: str
    restrictions: RemarkRestrictions


@dataclass(frozen=True, slots=True)
class ImportedVersion:
    """A stored import: the dated version and its lines."""

    version_id: int
    valid_from: date
    mode: str  # add | replace
    source_file: str
    imported_at: datetime
    lines: tuple[ImportedLine, ...]

    @property
    def label(self) -> str:
        return f"import#{self.version_id} {self.mode} {self.valid_from.isoformat()} ({self.source_file})"


def apply_versions(
    base: Iterable[PositiveListEntry], versions: Sequence[ImportedVersion]
) -> tuple[list[PositiveListEntry], list[ReplaceImport]]:
    """The effective entries after the imports, plus the replace imports (for status)."""
    entries = list(base)
    replaces: list[ReplaceImport] = []
    for version in sorted(versions, key=lambda v: (v.valid_from, v.imported_at, v.version_id)):
        start = version.valid_from
        if version.mode == "replace":
            entries = _end_before(entries, start, lambda _line: True)
            replaces.append(ReplaceImport(start, version.source_file, len(version.lines)))
        elif version.mode == "add":
            lines = {line.tariff_line for line in version.lines}
            entries = _end_before(entries, start, lines.__contains__)
        else:
            raise ValueError(f"import #{version.version_id}: unknown mode {version.mode!r}")
        entries.extend(_entry(line, version) for line in version.lines)
    return entries, replaces


def _end_before(
    entries: list[PositiveListEntry], start: date, affected: Callable[[str], bool]
) -> list[PositiveListEntry]:
    day_before = start - timedelta(days=1)
    out = []
    for entry in entries:
        if not affected(entry.tariff_line) or (entry.valid_to is not None and entry.valid_to < start):
            out.append(entry)
        elif entry.valid_from < start:
            out.append(dataclasses.replace(entry, valid_to=day_before))
    return out


def _entry(line: ImportedLine, version: ImportedVersion) -> PositiveListEntry:
    r = line.restrictions
    return PositiveListEntry(
        tariff_line=line.tariff_line,
        name=line.name,
        remark=line.remark,
        list_version=version.label,
        valid_from=version.valid_from,
        valid_to=None,
        bonded_only=r.bonded_only,
        name_whitelist=r.name_whitelist,
        excluded_note=r.excluded_note,
        per_person_annual_qty=r.per_person_annual_qty,
        qty_unit=r.qty_unit,
        source=version.source_file,
    )
