"""Bulk writes of a clearing batch straight through the DBAPI cursor.

SQLAlchemy's ``executemany`` compiles the statement and processes every parameter of every row
each time; the big inserts of a batch (documents, status events, outbox, ledgers) spend more time
there than in the database. Here each statement is written once per dialect and rows go to the
driver as plain tuples, converted exactly as the columns' SQLAlchemy types would convert them
(their bind processors; on SQLite a naive ``datetime`` is formatted directly into the same text).
On PostgreSQL inserts go through ``COPY`` (same values, same types, same transaction).

Everything runs on the batch's connection, inside its transaction.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import DateTime, Table
from sqlalchemy.engine import Connection, Dialect

_Convert = Callable[[Any], Any]
_Column = Callable[[tuple[Any, ...]], list[Any]]
#: (sql, [(index, column converter)]) per (dialect, statement kind, table, columns).
_STATEMENTS: dict[tuple[str, str, str, tuple[str, ...]], tuple[str, tuple[tuple[int, _Column], ...]]] = {}
_NAIVE = {datetime, type(None)}
_TZINFO = attrgetter("tzinfo")


def _each(process: _Convert) -> _Column:
    def convert(values: tuple[Any, ...]) -> list[Any]:
        return list(map(process, values))

    return convert


def _sqlite_datetime(process: _Convert) -> _Column:
    """SQLAlchemy's SQLite ``DateTime`` bind processor on a column of values.

    Naive datetimes are formatted directly into the same text (``YYYY-MM-DD HH:MM:SS.ffffff``),
    each distinct value once (a batch's times repeat: its clock, the documents of a message).
    """

    def convert(values: tuple[Any, ...]) -> list[Any]:
        distinct = set(values)
        if set(map(type, distinct)) <= _NAIVE and not any(map(_TZINFO, filter(None, distinct))):
            text = {v: None if v is None else v.isoformat(" ", "microseconds") for v in distinct}
            return list(map(text.__getitem__, values))
        return list(map(process, values))

    return convert


def _converters(dialect: Dialect, table: Table, columns: Sequence[str]) -> tuple[tuple[int, _Column], ...]:
    out: list[tuple[int, _Column]] = []
    for i, name in enumerate(columns):
        column = table.c[name]
        process: _Convert | None = column.type._cached_bind_processor(dialect)
        if process is None:
            continue
        if dialect.name == "sqlite" and isinstance(column.type, DateTime):
            out.append((i, _sqlite_datetime(process)))
        else:
            out.append((i, _each(process)))
    return tuple(out)


def _statement(
    conn: Connection, kind: str, table: Table, columns: tuple[str, ...], where: tuple[str, ...] = ()
) -> tuple[str, tuple[tuple[int, _Column], ...]]:
    dialect = conn.dialect
    cache_key = (dialect.name, kind, table.name, columns + where)
    hit = _STATEMENTS.get(cache_key)
    if hit is not None:
        return hit
    q = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(q(c) for c in columns)
    if kind == "copy":
        sql = f"COPY {q(table.name)} ({names}) FROM STDIN"
    elif kind == "insert":
        sql = f"INSERT INTO {q(table.name)} ({names}) VALUES ({', '.join([mark] * len(columns))})"
    else:
        sets = ", ".join(f"{q(c)} = {mark}" for c in columns)
        conds = " AND ".join(f"{q(c)} = {mark}" for c in where)
        sql = f"UPDATE {q(table.name)} SET {sets} WHERE {conds}"
    hit = _STATEMENTS[cache_key] = (sql, _converters(dialect, table, columns + where))
    return hit


def _convert(rows: Sequence[Sequence[Any]], convs: tuple[tuple[int, _Column], ...]) -> Sequence[Any]:
    """``rows`` with the columns at the converters' positions converted (column by column)."""
    if not convs:
        return rows
    columns: list[Any] = list(zip(*rows, strict=True))
    for i, convert in convs:
        columns[i] = convert(columns[i])
    return list(zip(*columns, strict=True))


def insert(conn: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> None:
    """``INSERT`` ``rows`` (values in the order of ``columns``) into ``table``."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        sql, convs = _statement(conn, "copy", table, columns)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(sql) as copy:
            for row in _convert(rows, convs):
                copy.write_row(row)
        cursor.close()
        return
    sql, convs = _statement(conn, "insert", table, columns)
    _executemany(conn, sql, _convert(rows, convs))


def update(
    conn: Connection,
    table: Table,
    columns: tuple[str, ...],
    where: tuple[str, ...],
    rows: Sequence[Sequence[Any]],
) -> None:
    """``UPDATE table SET columns WHERE where``, once per row (values of ``columns`` then ``where``)."""
    if not rows:
        return
    sql, convs = _statement(conn, "update", table, columns, where)
    _executemany(conn, sql, _convert(rows, convs))


#: (row class, [(index, column result processor)]) per (dialect, table, columns).
_RESULTS: dict[tuple[str, str, tuple[str, ...]], tuple[Any, tuple[tuple[int, _Convert], ...]]] = {}
#: Values per ``IN`` list of :func:`select_in`.
IN_CHUNK = 500


def select_in(
    conn: Connection,
    table: Table,
    columns: tuple[str, ...],
    in_column: str,
    values: Iterable[Any],
    where: tuple[tuple[str, Any], ...] = (),
) -> Iterator[Any]:
    """Rows of ``table`` (named tuples of ``columns``) whose ``in_column`` is one of ``values``
    and whose columns equal the ``where`` values, read in sorted chunks of :data:`IN_CHUNK`.

    The rows' values are converted as the columns' SQLAlchemy types would convert them (their
    result processors: a SQLite ``DateTime`` text becomes a ``datetime``); the ``where`` values
    by their bind processors.
    """
    dialect = conn.dialect
    q = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    row_class, processors = _result_form(dialect, table, columns)
    fixed = []
    for name, value in where:
        process = table.c[name].type._cached_bind_processor(dialect)
        fixed.append(process(value) if process is not None else value)
    conds = "".join(f" AND {q(name)} = {mark}" for name, _ in where)
    head = f"SELECT {', '.join(q(c) for c in columns)} FROM {q(table.name)} WHERE {q(in_column)} IN ("
    ordered = sorted(values)
    cursor = conn.connection.cursor()
    try:
        for i in range(0, len(ordered), IN_CHUNK):
            chunk = ordered[i : i + IN_CHUNK]
            cursor.execute(f"{head}{', '.join([mark] * len(chunk))}){conds}", (*chunk, *fixed))
            rows = cursor.fetchall()
            if not rows:
                continue
            if processors:
                cols: list[Any] = list(zip(*rows, strict=True))
                for j, process in processors:
                    cols[j] = list(map(process, cols[j]))
                rows = list(zip(*cols, strict=True))
            yield from map(row_class._make, rows)
    finally:
        cursor.close()


def _result_form(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> tuple[Any, Any]:
    key = (dialect.name, table.name, columns)
    hit = _RESULTS.get(key)
    if hit is None:
        processors = []
        for i, name in enumerate(columns):
            process = table.c[name].type._cached_result_processor(dialect, None)
            if process is not None:
                processors.append((i, process))
        row_class = namedtuple(f"{table.name}_row", columns)  # type: ignore[misc]
        hit = _RESULTS[key] = (row_class, tuple(processors))
    return hit


def _executemany(conn: Connection, sql: str, rows: Sequence[Any]) -> None:
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()
