"""The migrations build exactly the schema the code declares, on SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import importlib
import pkgutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, create_engine, func, inspect, select

import opencbec.store
from opencbec.store import schema
from opencbec.store.enterprise_repo import add_enterprise, list_enterprises
from opencbec.store.migrations import current_revision, head, target_metadata, upgrade
from opencbec.store.positive_list_repo import import_positive_list, load_versions
from opencbec.store.sql import make_engine


def differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), target_metadata()))


def test_a_new_database_is_migrated_to_exactly_the_declared_schema(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_revision(engine) == head()
    assert differences(engine) == []  # a table or column without a migration fails here
    assert set(target_metadata().tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_every_table_declared_in_the_store_package_has_a_migration() -> None:
    migrated = set(target_metadata().tables)
    missing: dict[str, list[str]] = {}
    for info in pkgutil.iter_modules(opencbec.store.__path__, "opencbec.store."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, MetaData) and set(value.tables) - migrated:
                missing[f"{info.name}.{name}"] = sorted(set(value.tables) - migrated)
    assert not missing, (
        f"tables without a migration: {missing}; add each MetaData to "
        "opencbec.store.migrations.target_metadata() and write a revision in migrations/versions/"
    )


def test_opening_again_changes_nothing(db_url: str) -> None:
    make_engine(db_url).dispose()
    engine = make_engine(db_url)
    upgrade(engine)
    assert current_revision(engine) == head()
    engine.dispose()


def test_a_sqlite_file_made_by_create_all_is_adopted_with_its_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = create_engine(url)
    schema.metadata.create_all(old)  # how the store created files before migrations
    with old.begin() as conn:
        conn.execute(schema.meta.insert().values(key="watermark", value="2024-06-01T10:00:00"))
    old.dispose()
    engine = make_engine(url)
    assert current_revision(engine) == head()
    assert differences(engine) == []
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.meta)).scalar() == 1
    engine.dispose()


def test_downgrade_to_base_removes_every_table(db_url: str) -> None:
    engine = make_engine(db_url)
    from alembic import command

    from opencbec.store.migrations import alembic_config

    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert differences(engine) == []
    engine.dispose()


def test_every_column_type_round_trips(db_url: str, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    from tests.unit.signatures.keys import certificate, rsa_key

    engine = make_engine(db_url)
    cert = certificate(rsa_key("agent"))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    now = datetime(2024, 6, 1, 8, 30, tzinfo=UTC)
    add_enterprise(engine, "330766K00Q", "某报关行", pem, now=now)
    (record,) = list_enterprises(engine)
    assert record.added_at == now  # timezone-aware timestamps
    assert record.certificates[0].not_after == cert.not_valid_after_utc
    csv = tmp_path / "list.csv"
    csv.write_text("序号,税则号列,货品名称,备注\n1,04022100,全脂奶粉,仅限网购保税\n", encoding="utf-8")
    report = import_positive_list(engine, csv, date(2024, 1, 1), replace=False)
    assert report.stored, report.rejected
    (version,) = load_versions(engine)
    assert version.valid_from == date(2024, 1, 1)
    assert version.lines[0].restrictions.bonded_only is True
    raw = base64.b64decode(base64.b64encode(bytes(range(256))))
    with engine.begin() as conn:  # binary, boolean, big integers, naive timestamps
        conn.execute(
            schema.outbox.insert().values(
                message_type="CEB622Message", receiver="X", guid="G", xml=raw, delivered=False
            )
        )
        conn.execute(schema.counter.insert().values(name="seq", value=2**62))
        row = conn.execute(select(schema.outbox)).one()
        assert (row.xml, row.delivered) == (raw, False)
        assert conn.execute(select(schema.counter.c.value)).scalar() == 2**62
    engine.dispose()


@pytest.mark.postgres
def test_plain_postgres_urls_use_psycopg(pg_url: str) -> None:
    from opencbec.store.sql import database_url

    plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
    assert database_url(plain) == pg_url
    engine = make_engine(plain)
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_upgrade_database_reports_the_revisions(db_url: str) -> None:
    from opencbec.store.migrations import upgrade_database

    assert upgrade_database(db_url) == (None, head())
    assert upgrade_database(db_url) == (head(), head())


def test_0008_compressed_messages_are_made_plain_again_by_a_downgrade(db_url: str) -> None:
    import zstandard
    from alembic import command
    from sqlalchemy import text

    from opencbec.store.codec import ZSTD
    from opencbec.store.migrations import alembic_config

    engine = make_engine(db_url)
    plain, packed = b"<plain/>", b"<packed>" + b"x" * 1000 + b"</packed>"
    with engine.begin() as conn:
        conn.execute(
            schema.message.insert(),
            [
                {"id": 1, "outcome": "accepted", "documents": 0, "raw": plain, "raw_codec": None},
                {
                    "id": 2,
                    "outcome": "accepted",
                    "documents": 0,
                    "raw": zstandard.ZstdCompressor().compress(packed),
                    "raw_codec": ZSTD,
                },
            ],
        )
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0007")
    assert "raw_codec" not in {c["name"] for c in inspect(engine).get_columns("message")}
    with engine.connect() as conn:
        rows = [(i, bytes(raw)) for i, raw in conn.execute(text("SELECT id, raw FROM message ORDER BY id"))]
    assert rows == [(1, plain), (2, packed)]
    upgrade(engine)
    with engine.connect() as conn:
        codecs = (
            conn.execute(select(schema.message.c.raw_codec).order_by(schema.message.c.id)).scalars().all()
        )
    assert codecs == [None, None]  # rows from before the column: as received
    engine.dispose()


def test_0009_the_list_status_index_replaces_the_waiting_index_and_back(db_url: str) -> None:
    from alembic import command

    from opencbec.store.migrations import alembic_config

    engine = make_engine(db_url)

    def document_indexes() -> dict[str, list[str | None]]:
        return {str(i["name"]): list(i["column_names"]) for i in inspect(engine).get_indexes("document")}

    assert document_indexes()["ix_document_list_status"] == ["status", "app_time"]
    assert "ix_document_waiting" not in document_indexes()
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0008")
    assert document_indexes()["ix_document_waiting"] == ["kind", "status", "app_time"]
    assert "ix_document_list_status" not in document_indexes()
    upgrade(engine)
    assert "ix_document_waiting" not in document_indexes()
    assert differences(engine) == []
    engine.dispose()


def test_0010_compressed_receipts_are_made_plain_again_by_a_downgrade(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from opencbec.store.codec import ZSTD, compress
    from opencbec.store.migrations import alembic_config

    engine = make_engine(db_url)
    plain, packed = b"<plain/>", b"<packed>" + b"x" * 1000 + b"</packed>"
    rows = [(plain, None), (compress(packed), ZSTD)]
    with engine.begin() as conn:
        conn.execute(
            schema.outbox.insert(),
            [
                {"message_type": "M", "receiver": "R", "guid": "G", "xml": x, "xml_codec": c}
                | {"delivered": False}
                for x, c in rows
            ],
        )
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0009")
    assert "xml_codec" not in {c["name"] for c in inspect(engine).get_columns("outbox")}
    with engine.connect() as conn:
        stored = [bytes(x) for (x,) in conn.execute(text("SELECT xml FROM outbox ORDER BY id"))]
    assert stored == [plain, packed]
    upgrade(engine)
    assert differences(engine) == []
    with engine.connect() as conn:
        codecs = conn.execute(select(schema.outbox.c.xml_codec).order_by(schema.outbox.c.id)).scalars().all()
    assert codecs == [None, None]  # rows from before the column: as encoded
    engine.dispose()
