"""Customs numbers: ``preNo`` (E-Port number) and ``invtNo`` (list number), from counters."""

from __future__ import annotations

from datetime import datetime

#: The counter documents are numbered from (their ``StoredDoc.doc_id``).
DOCUMENT_IDS = "doc_id"


class Numbering:
    """Hands out serial numbers from a counters dict (changes are kept in ``changed``)."""

    def __init__(self, counters: dict[str, int]) -> None:
        self.counters = counters
        self.changed: dict[str, int] = {}

    def next(self, name: str) -> int:
        """The next value of counter ``name`` (starting at 1)."""
        value = self.counters.get(name, 0) + 1
        self.counters[name] = value
        self.changed[name] = value
        return value

    def pre_no(self, at: datetime) -> str:
        """``B`` + yyyymmdd + 9-digit serial (18 characters).

        >>> Numbering({}).pre_no(datetime(2024, 6, 1))
        'B20240601000000001'
        """
        day = at.strftime("%Y%m%d")
        return f"B{day}{self.next('pre:' + day) % 1_000_000_000:09d}"

    def invt_no(self, customs_code: str, year: int) -> str:
        """Customs code + year + ``I`` + 9-digit serial (18 characters).

        >>> Numbering({}).invt_no("2924", 2024)
        '29242024I000000001'
        """
        serial = self.next(f"invt:{customs_code}{year}") % 1_000_000_000
        return f"{customs_code[:4]:0>4}{year:04d}I{serial:09d}"
