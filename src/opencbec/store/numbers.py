"""Look-ups by order or waybill number through the key indexes (``party_code``, migration 0012).

Stored keys are ``ebpCode/orderNo`` (orders, payments, import lists) and
``logisticsCode/logisticsNo`` (waybills, an import list's link to its waybill, an export list's
waybill). A search by a bare number used to match the end of the key (``LIKE '%/N'``), which no
index serves: every such look-up read the whole document table, and a national day's store is tens
of gigabytes (docs/operations.md).

Storing a document records the enterprise code its keys begin with, by role (:data:`EBP` or
:data:`LOGISTICS`), in ``party_code``: a few rows, one per platform or carrier, written only when a
code is new. A look-up asks for ``key IN (code || '/' || number, for each code of the role)``: one
probe of the key index per code, whatever the size of the store (so the table should hold only
codes of real enterprises: every code costs each look-up one probe). A code is the text before the
key's first ``/`` (enterprise codes have none; an order number may, and is matched whole).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Engine, and_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from opencbec.clearing.state import StoredDoc
from opencbec.domain.documents import DocumentKind, Inventory
from opencbec.export.documents import ExportList
from opencbec.export.state import XDoc
from opencbec.store.schema import party_code

#: The e-commerce platform of ``ebpCode/orderNo`` keys.
EBP = "ebp"
#: The logistics enterprise of ``logisticsCode/logisticsNo`` keys.
LOGISTICS = "logistics"

Code = tuple[str, str]

#: Every import document kind: ``kind IN IMPORT_KINDS`` lets the (kind, key) index serve a key alone.
IMPORT_KINDS = tuple(k.value for k in DocumentKind)

_EBP_KINDS = frozenset({DocumentKind.ORDER, DocumentKind.PAYMENT, DocumentKind.INVENTORY})


def code_of(key: str) -> str:
    """The enterprise code a key begins with: the text before its first ``/``."""
    return key.partition("/")[0]


def import_codes(docs: Iterable[StoredDoc]) -> set[Code]:
    """The (role, code) pairs the keys of import documents ``docs`` begin with."""
    codes: set[Code] = set()
    for d in docs:
        kind = d.kind
        if kind in _EBP_KINDS:
            codes.add((EBP, code_of(d.key)))
            if kind is DocumentKind.INVENTORY:
                doc = d.document
                assert isinstance(doc, Inventory)
                codes.add((LOGISTICS, code_of(doc.waybill_key)))
        elif kind is DocumentKind.WAYBILL:
            codes.add((LOGISTICS, code_of(d.key)))
    return codes


def export_codes(docs: Iterable[XDoc]) -> set[Code]:
    """The (role, code) pairs of export lists' waybill and order keys (what export look-ups match)."""
    codes: set[Code] = set()
    for x in docs:
        doc = x.document
        if isinstance(doc, ExportList):
            codes.add((LOGISTICS, code_of(doc.waybill_key)))
            codes.add((EBP, code_of(doc.order_key)))
    return codes


def record(conn: Connection, codes: set[Code]) -> None:
    """Add the codes not yet known (in the caller's transaction; known ones are left untouched).

    Sorted, so that two transactions adding the same new codes take their locks in one order."""
    if not codes:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(party_code).on_conflict_do_nothing()
    conn.execute(statement, [{"role": role, "code": code} for role, code in sorted(codes)])


def keys_for(bind: Engine | Connection, number: str, *roles: str, whole: bool = False) -> list[str]:
    """The keys ``code/number`` for every recorded code of ``roles`` (and ``number`` itself, if
    ``whole``), for a ``key IN (...)`` look-up.

    The codes are read first, in a statement of their own: as a subquery inside an ``OR``
    PostgreSQL would test every row of the document table against it instead of probing the index
    (``numbers`` tests the plans)."""
    c = party_code.c
    query = select(c.code).where(c.role.in_(roles)).order_by(c.role, c.code)
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            codes = conn.execute(query).scalars().all()
    else:
        codes = bind.execute(query).scalars().all()
    return [*([number] if whole else []), *(f"{code}/{number}" for code in codes)]


def key_starts(column: ColumnElement[str], prefix: str, dialect: str) -> ColumnElement[bool]:
    """``column`` begins with ``prefix`` (a return's key ``invtNo/copNo`` by its list number).

    On SQLite a range of the key index (its binary collation orders every key that begins with
    ``prefix`` between ``prefix`` and the prefix with its last character's successor); a ``LIKE``
    with a bound pattern uses no index there. On PostgreSQL ``LIKE 'prefix%'``: a range would be
    wrong under a linguistic collation, where '/' is ignored at first."""
    if dialect != "sqlite":
        return column.startswith(prefix, autoescape=True)
    return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))
