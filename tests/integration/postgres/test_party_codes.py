"""Look-ups by order or waybill number go through the key indexes (``party_code``, ``store.numbers``,
migration 0012), on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from alembic import command
from sqlalchemy import inspect, select, text

from opencbec import bootstrap
from opencbec.api.queries import documents
from opencbec.bootstrap import App
from opencbec.domain.documents import Document
from opencbec.service.export_clear import export_list_view
from opencbec.service.inspection import parcel_rows
from opencbec.store import schema as t
from opencbec.store.engine import make_engine
from opencbec.store.migrations import alembic_config, upgrade
from tests.parcels import Parcel, make_parcel, with_head
from tests.sql_plans import statements
from tests.units import SENDER, clear_message

EBP, CARRIER = "3301960001", "1101180326"  # the codes of ``make_parcel``


def under(parcel: Parcel, ebp: str, carrier: str, order_no: str, logistics_no: str) -> list[Document]:
    """``parcel``'s four documents under platform ``ebp`` and carrier ``carrier``, with these numbers."""
    return [
        with_head(parcel.order, ebp_code=ebp, order_no=order_no),
        with_head(parcel.payment, ebp_code=ebp, order_no=order_no),
        with_head(parcel.waybill, logistics_code=carrier, logistics_no=logistics_no, order_no=order_no),
        with_head(
            parcel.inventory,
            ebp_code=ebp,
            order_no=order_no,
            logistics_code=carrier,
            logistics_no=logistics_no,
        ),
    ]


def codes(app: App) -> list[tuple[str, str]]:
    with app.store.engine.connect() as conn:
        return sorted((r.role, r.code) for r in conn.execute(select(t.party_code)))


def test_clearing_records_each_platform_and_carrier_once(db_url: str) -> None:
    app = bootstrap.build(db_url, inspection_rate=Decimal(0))
    assert codes(app) == []
    first = make_parcel()
    clear_message(app, *first.documents())
    assert codes(app) == [("ebp", EBP), ("logistics", CARRIER)]
    clear_message(app, *make_parcel().documents())  # known codes: nothing added, nothing fails
    assert codes(app) == [("ebp", EBP), ("logistics", CARRIER)]
    # a list whose waybill has not come yet still records its carrier
    other = make_parcel()
    clear_message(app, *under(other, "E2", "L2", "SO-E2", "W-L2")[3:])
    assert codes(app) == sorted([("ebp", "E2"), ("ebp", EBP), ("logistics", "L2"), ("logistics", CARRIER)])


def test_numbers_are_found_under_every_platform_and_carrier(db_url: str) -> None:
    app = bootstrap.build(db_url, inspection_rate=Decimal(0))
    first = make_parcel()
    order_no, logistics_no = first.order.head.order_no, first.waybill.head.logistics_no
    clear_message(app, *first.documents())
    # the same order and waybill numbers under another platform and carrier
    clear_message(app, *under(make_parcel(), "E2", "L2", order_no, logistics_no))
    clear_message(app, *make_parcel().documents())  # a bystander

    by_order = {(h.kind, h.key) for h in app.store.history(order_no)}
    assert by_order == {
        (kind, f"{ebp}/{order_no}") for kind in ("order", "payment", "inventory") for ebp in (EBP, "E2")
    }
    by_waybill = {(h.kind, h.key) for h in app.store.history(logistics_no)}
    assert by_waybill == {("waybill", f"{CARRIER}/{logistics_no}"), ("waybill", f"L2/{logistics_no}")}
    assert {h.key for h in app.store.history(f"E2/{order_no}")} == {f"E2/{order_no}"}  # a whole key
    assert app.store.history(order_no[2:]) == []  # the end of a number is not the number
    assert app.store.history("%") == []

    engine = app.store.engine
    found = documents(engine, "orderNo", order_no, SENDER)
    assert sorted((v.kind, v.key) for v in found) == sorted(by_order)
    found = documents(engine, "logisticsNo", logistics_no, SENDER)
    assert {(v.kind, v.key) for v in found} == by_waybill | {
        ("inventory", f"{EBP}/{order_no}"),
        ("inventory", f"E2/{order_no}"),
    }
    rows, _ = parcel_rows(engine, logistics_no)
    assert rows["inventory"].link_key.endswith(f"/{logistics_no}")
    assert rows["waybill"].key == rows["inventory"].link_key


def test_an_order_number_with_a_slash_is_matched_whole(db_url: str) -> None:
    app = bootstrap.build(db_url, inspection_rate=Decimal(0))
    clear_message(app, *under(make_parcel(), EBP, CARRIER, "SO/2024/7", "W/7"))
    assert {h.kind for h in app.store.history("SO/2024/7")} == {"order", "payment", "inventory"}
    assert {h.kind for h in app.store.history("W/7")} == {"waybill"}
    assert app.store.history("7") == [] and app.store.history("2024/7") == []


def test_0012_fills_the_codes_from_stored_documents_and_back(db_url: str) -> None:
    app = bootstrap.build(db_url, inspection_rate=Decimal(0))
    clear_message(app, *make_parcel().documents())
    clear_message(app, *under(make_parcel(), "E2", "L2", "SO-2", "W-2"))
    clear_message(app, *under(make_parcel(), "E3", "L3", "SO-3", "W-3")[3:])  # a list alone: its link
    expected = codes(app)
    assert len(expected) == 6
    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0011")
    assert "party_code" not in inspect(engine).get_table_names()
    columns = "id, kind, key, guid, status, info, received_at, sender, waybill_key, order_key, data"
    with engine.begin() as conn:  # an export list: its waybill's carrier and its order's platform
        conn.execute(
            text(
                f"INSERT INTO export_document ({columns}) VALUES (999, 'x_list', 'X', 'G', '2', '', "
                "'2024-06-18 00:00:00', 'S', 'XL/W1', 'XE/O1', '{}')"
            )
        )
    upgrade(engine)
    assert codes(app) == sorted([*expected, ("ebp", "XE"), ("logistics", "XL")])
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0011")
    assert "party_code" not in inspect(engine).get_table_names()
    upgrade(engine)
    engine.dispose()
    app.store.engine.dispose()


def test_postgresql_probes_the_indexes_on_a_large_table(pg_url: str) -> None:
    app = bootstrap.build(pg_url, inspection_rate=Decimal(0))
    parcel = make_parcel()
    clear_message(app, *parcel.documents())
    engine = app.store.engine
    with (
        engine.begin() as conn
    ):  # 200,000 other documents (and 50,000 export lists) of five platforms and carriers
        conn.execute(
            text(
                "INSERT INTO document (id, kind, key, guid, guid_hash, seq, message_id, sender, is_current,"
                " status, info, received_at, link_key, invt_no, data)"
                " SELECT 1000 + i, (ARRAY['order', 'payment', 'waybill', 'inventory'])[i % 4 + 1],"
                " CASE WHEN i % 4 = 2 THEN 'L' || i % 5 || '/W' || i ELSE 'E' || i % 5 || '/O' || i END,"
                " 'G' || i, i, i, 1, 'S', true, '2', '', now(),"
                " CASE WHEN i % 4 = 3 THEN 'L' || i % 5 || '/W' || i END,"
                " CASE WHEN i % 4 = 3 THEN 'I' || i END, '{}' FROM generate_series(1, 200000) i"
            )
        )
        conn.execute(
            text(
                "INSERT INTO party_code SELECT 'ebp', 'E' || i FROM generate_series(0, 4) i"
                " UNION ALL SELECT 'logistics', 'L' || i FROM generate_series(0, 4) i"
            )
        )
        conn.execute(
            text(
                "INSERT INTO export_document (id, kind, key, guid, status, info, received_at, sender,"
                " invt_no, waybill_key, data) SELECT i, 'x_list', 'X' || i, 'G' || i, '2', '', now(), 'S',"
                " 'XI' || i, 'L' || i % 5 || '/XW' || i, '{}' FROM generate_series(1, 50000) i"
            )
        )
        conn.execute(text("ANALYZE"))
    order_no, logistics_no = parcel.order.head.order_no, parcel.waybill.head.logistics_no
    look_ups = [
        lambda: app.store.history(order_no),
        lambda: app.store.history(logistics_no),
        lambda: parcel_rows(engine, order_no),
        lambda: parcel_rows(engine, logistics_no),
        lambda: documents(engine, "orderNo", order_no, SENDER),
        lambda: documents(engine, "logisticsNo", logistics_no, SENDER),
        lambda: export_list_view(engine, logistics_no),
    ]
    for look_up in look_ups:
        with statements(engine) as seen:
            look_up()
        for sql, params in seen:
            if sql.lstrip().upper().startswith("SELECT"):
                with engine.connect() as conn:
                    explained = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}", params))
                assert "Seq Scan on document" not in explained, explained
                assert "Seq Scan on export_document" not in explained, explained
    assert len(app.store.history(order_no)) >= 3
    engine.dispose()
