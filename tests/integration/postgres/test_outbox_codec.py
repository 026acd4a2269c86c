"""Receipt messages are stored compressed and handed out as XML, on SQLite and PostgreSQL.

Clearing writes each receipt message compressed (``outbox.xml_codec = 'zstd'``, migration 0010).
Every reader gives the XML back exactly as it was encoded: delivery to files, the API's feed and
single receipts, the index of receipts by reference. Rows written before the column (``NULL``)
are read as they are.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from lxml import etree
from sqlalchemy import insert, select

from opencbec import bootstrap
from opencbec.api.queries import feed_and_highest, receipt_xml
from opencbec.bootstrap import App
from opencbec.service.outbox import write_files
from opencbec.store import schema as t
from opencbec.store.api_repo import index_receipts, receipt_ref
from opencbec.store.codec import ZSTD
from opencbec.store.repository import OutboxRow
from tests.parcels import make_parcel
from tests.units import clear_message

SENDER = "330766K00Q"


def _clear_parcel(app: App) -> list[OutboxRow]:
    """Clear one whole parcel in a clearing unit (committed); the receipt messages it wrote."""
    parcel = make_parcel()
    documents = [parcel.order, parcel.payment, parcel.waybill, parcel.inventory]
    return clear_message(app, *documents, sender=SENDER)[1]


def _stored(app: App) -> list[tuple[int, str, bytes, str | None]]:
    o = t.outbox.c
    with app.store.engine.connect() as conn:
        rows = conn.execute(select(o.id, o.receiver, o.xml, o.xml_codec).order_by(o.id)).all()
    return [(i, r, bytes(x), c) for i, r, x, c in rows]


def test_receipts_are_stored_compressed_and_delivered_as_encoded(db_url: str, tmp_path: Path) -> None:
    app = bootstrap.build(db_url, inspection_rate=Decimal(0))
    written = _clear_parcel(app)
    assert len(written) >= 4  # one receipt message per document type at least
    stored = _stored(app)
    assert [codec for *_, codec in stored] == [ZSTD] * len(written)
    for (_, _, xml, _), row in zip(stored, written, strict=True):
        assert xml != row.xml and not xml.startswith(b"<")  # not the XML itself
        etree.fromstring(row.xml)  # what was encoded is XML
    assert [o.xml for o in app.store.pending_outbox()] == [o.xml for o in written]

    out = tmp_path / "out"
    assert app.store.deliver_pending(lambda rows: write_files(rows, out)) == len(written)
    files = sorted(out.glob("*.xml"))
    assert [f.read_bytes() for f in files] == [o.xml for o in written]  # file names start with the id
    assert app.store.pending_outbox() == []


def test_the_api_reads_compressed_receipts_as_xml(db_url: str) -> None:
    app = bootstrap.build(db_url, inspection_rate=Decimal(0))
    written = _clear_parcel(app)
    engine = app.store.engine
    stored = _stored(app)
    receiver = stored[0][1]
    mine = [o for o, (_, r, _, _) in zip(written, stored, strict=True) if r == receiver]
    ids = [i for i, r, _, _ in stored if r == receiver]

    feed, highest = feed_and_highest(engine, receiver, 0, 100, with_xml=True)
    assert highest == stored[-1][0]
    assert [(r.id, r.xml) for r in feed] == [(i, o.xml.decode()) for i, o in zip(ids, mine, strict=True)]
    assert receipt_xml(engine, ids[0], receiver) == mine[0].xml
    assert receipt_xml(engine, ids[0], "SOMEONE-ELSE") is None

    with engine.begin() as conn:  # the receipt index reads references out of the stored XML
        assert index_receipts(conn) == len(stored)
        refs = set(conn.execute(select(receipt_ref.c.ref)).scalars())
    parcel_guids = {etree.fromstring(o.xml).findtext(".//{*}guid") for o in written}
    assert parcel_guids <= refs


def test_rows_from_before_the_codec_are_read_as_they_are(db_url: str, tmp_path: Path) -> None:
    app = bootstrap.build(db_url, inspection_rate=Decimal(0))
    old = b'<?xml version="1.0"?><ceb:CEB312Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"/>'
    with app.store.engine.begin() as conn:
        conn.execute(
            insert(t.outbox).values(
                message_type="CEB312Message", receiver=SENDER, guid="OLD", xml=old, delivered=False
            )
        )
    written = _clear_parcel(app)
    assert [codec for *_, codec in _stored(app)] == [None] + [ZSTD] * len(written)
    out = tmp_path / "out"
    app.store.deliver_pending(lambda rows: write_files(rows, out))
    assert [f.read_bytes() for f in sorted(out.glob("*.xml"))] == [old, *(o.xml for o in written)]
    assert receipt_xml(app.store.engine, 1, SENDER) == old
