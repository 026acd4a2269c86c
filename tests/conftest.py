"""Database fixtures: a throwaway PostgreSQL server for the session and a fresh database per test.

Tests that use ``pg_url`` are skipped when no PostgreSQL binaries are found under
``/usr/lib/postgresql/*/bin`` (or ``$PG_BIN``), unless ``OPENCBEC_REQUIRE_POSTGRES=1`` (set by
CI), in which case a missing or broken server fails them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.integration.postgres import server as pg

REQUIRE = os.environ.get("OPENCBEC_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg.TempServer]:
    """A PostgreSQL server started for this test session, stopped and deleted at its end."""
    bin_dir = pg.find_bin_dir()
    if bin_dir is None:
        reason = "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin); apt-get install postgresql"
        if REQUIRE:
            pytest.fail(f"OPENCBEC_REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    try:
        server = pg.start(bin_dir)
    except Exception as exc:  # any failure to start: say why (and fail under CI)
        if REQUIRE:
            pytest.fail(f"OPENCBEC_REQUIRE_POSTGRES=1 but the server did not start: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL did not start: {exc}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: pg.TempServer) -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty database on the session's server (dropped afterwards)."""
    name = pg_server.create_database()
    yield pg_server.url(name)
    pg_server.drop_database(name)
