"""PostgreSQL specifics: the URL form (psycopg 3) and the engine's connection pool.

The store runs on PostgreSQL through SQLAlchemy with the psycopg 3 driver. URLs look like
``postgresql+psycopg://user:password@host:5432/opencbec``; the plain ``postgresql://`` and
``postgres://`` forms (as printed by many tools) are read as psycopg URLs too, because
SQLAlchemy would otherwise pick psycopg2, which is not installed.
"""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import Engine

DRIVER_SCHEME = "postgresql+psycopg"
_PLAIN_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL database (any driver)."""
    return url.startswith(("postgresql", "postgres:"))


def normalise_url(url: str) -> str:
    """``url`` with the psycopg 3 driver when no driver is named.

    >>> normalise_url("postgres://cbec@db.internal/opencbec")
    'postgresql+psycopg://cbec@db.internal/opencbec'
    >>> normalise_url("postgresql+psycopg://cbec@127.0.0.1:5432/opencbec")
    'postgresql+psycopg://cbec@127.0.0.1:5432/opencbec'
    """
    for plain in _PLAIN_SCHEMES:
        if url.startswith(plain):
            return f"{DRIVER_SCHEME}://{url[len(plain) :]}"
    return url


def engine_options() -> dict[str, Any]:
    """``create_engine`` keywords for PostgreSQL.

    A small pool per process (a clearing worker uses one connection at a time; the CLI and its
    readers a few), connections checked before use (a restarted server or a dropped idle
    connection does not fail a batch) and recycled every 30 minutes, a bounded connect time,
    and the application name shown in ``pg_stat_activity``.
    """
    return {
        "pool_size": 5,
        "max_overflow": 5,
        "pool_pre_ping": True,
        "pool_recycle": 1800,
        "connect_args": {"connect_timeout": 10, "application_name": "opencbec"},
    }


def close_pool_on_collect(engine: Engine) -> None:
    """Close the engine's pooled connections when the engine is garbage-collected or at exit.

    Callers such as the CLI drop their engine without ``dispose()``; without this the idle
    connections would be closed by the garbage collector (psycopg warns) or cut at exit.
    """
    weakref.finalize(engine, engine.pool.dispose)
