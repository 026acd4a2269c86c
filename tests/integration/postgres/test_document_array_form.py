"""Documents are stored in their array form (``store.record_arrays``, migration 0014) on SQLite and
PostgreSQL; rows of either form read back; the downgrade writes the named form again."""

from __future__ import annotations

from decimal import Decimal

from alembic import command
from sqlalchemy import select, update

from opencbec import bootstrap
from opencbec.domain.documents import DocumentKind
from opencbec.store import schema as t
from opencbec.store.migrations import alembic_config, upgrade
from opencbec.store.record_arrays import LAYOUT
from opencbec.store.rows import stored_doc
from opencbec.store.serialize import document_to_json
from tests.parcels import make_parcel
from tests.units import clear_message


def test_cleared_documents_are_stored_as_arrays_and_made_named_by_a_downgrade(db_url: str) -> None:
    app = bootstrap.build(db_url, inspection_rate=Decimal(0))
    parcel = make_parcel()
    documents = {
        "order": parcel.order,
        "payment": parcel.payment,
        "waybill": parcel.waybill,
        "inventory": parcel.inventory,
    }
    clear_message(app, *documents.values())
    engine = app.store.engine
    d = t.document.c
    with engine.connect() as conn:
        rows = conn.execute(select(t.document).order_by(d.id)).all()
    assert sorted(r.kind for r in rows) == sorted(documents)
    for row in rows:
        assert row.data.startswith(f'["{LAYOUT}",'), row.data[:40]
        assert stored_doc(row).document == documents[row.kind]
    # a row written before the array form (named) sits beside them and reads too
    order_id = next(r.id for r in rows if r.kind == "order")
    with engine.begin() as conn:
        conn.execute(update(t.document).where(d.id == order_id).values(data=document_to_json(parcel.order)))
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0013")
    with engine.connect() as conn:
        after = conn.execute(select(d.kind, d.data).order_by(d.id)).all()
    assert [data for _kind, data in after] == [document_to_json(documents[kind]) for kind, _data in after]
    upgrade(engine)
    with engine.connect() as conn:
        back = conn.execute(select(t.document).order_by(d.id)).all()
    assert all(stored_doc(row).document == documents[row.kind] for row in back)
    assert DocumentKind.ORDER.value in {row.kind for row in back}
    engine.dispose()
