"""The written messages: they decode, they are counted, they are in send order, amounts add up."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from opencbec.domain import resident_id
from opencbec.domain.documents import Inventory, Order, Payment, Waybill
from opencbec.rules import shipped_rulebook
from tests.unit.sim.conftest import Traffic, app_time

PLANTED_BAD_IDS = {"bad_buyer_id"}


def _first_copies(traffic: Traffic) -> list[tuple[int, bool]]:
    """(index, is_replay) per file: a replay has the same bytes as an earlier file."""
    seen: set[bytes] = set()
    out = []
    for i, f in enumerate(traffic.files):
        out.append((i, f.data in seen))
        seen.add(f.data)
    return out


def test_every_file_is_one_message_of_one_type_with_1_to_100_documents(traffic: Traffic) -> None:
    assert traffic.files
    for f in traffic.files:
        assert 1 <= len(f.documents) <= 100
        assert f.path.name.endswith(f"_{f.message_type}.xml")
        assert {type(d) for d in f.documents} <= {Order, Payment, Waybill, Inventory}
        assert len({type(d) for d in f.documents}) == 1


def test_the_summary_counts_what_the_files_hold(traffic: Traffic) -> None:
    summary = traffic.summary
    by_type = Counter[str]()
    for f in traffic.files:
        by_type[f.message_type] += len(f.documents)
    replays = [traffic.files[i] for i, again in _first_copies(traffic) if again]
    assert summary["messageFiles"] == len(traffic.files) == traffic.report.message_files
    assert summary["documents"] == sum(by_type.values()) == traffic.report.documents
    assert summary["documentsByType"] == dict(sorted(by_type.items()))
    assert summary["duplicates"]["files"] == len(replays) > 0
    assert summary["duplicates"]["documents"] == sum(len(f.documents) for f in replays)
    assert summary["parcels"] == len(traffic.truth) == traffic.report.parcels
    assert sum(summary["lists"]["byStatus"].values()) == len(traffic.truth)


def test_sorted_path_order_is_send_order_and_follows_app_time(traffic: Traffic) -> None:
    window = timedelta(minutes=traffic.summary["settings"]["windowMinutes"])
    origin = datetime(2024, 6, 12)
    last_window = -1
    for i, again in _first_copies(traffic):
        f = traffic.files[i]
        if again:
            continue  # a replay: old appTimes, must change nothing
        times = [app_time(d.head.app_time) for d in f.documents]
        windows = {(t - origin) // window for t in times}
        assert len(windows) == 1, f"{f.path.name} spans windows"
        (current,) = windows
        assert current >= last_window, f"{f.path.name} goes back in time"
        assert f.path.parent.name == (origin + current * window).strftime("%Y-%m-%d")
        last_window = current


def test_buyer_ids_are_valid_except_the_planted_ones(traffic: Traffic) -> None:
    truth = traffic.truth_by_order()
    checked = 0
    for f in traffic.files:
        for doc in f.documents:
            if isinstance(doc, Order | Inventory):
                labels = set(truth[doc.key]["labels"])
                number = doc.head.buyer_id_number
                assert resident_id.is_valid(number) != bool(labels & PLANTED_BAD_IDS), doc.key
                checked += 1
            elif isinstance(doc, Payment):
                labels = set(truth[f"{doc.head.ebp_code}/{doc.head.order_no}"]["labels"])
                valid = resident_id.is_valid(doc.head.payer_id_number)
                assert valid != bool(labels & PLANTED_BAD_IDS)
    assert checked > 2 * len(traffic.truth)


def test_amounts_add_up_and_the_four_documents_agree_on_clean_parcels(traffic: Traffic) -> None:
    truth = traffic.truth_by_order()
    orders: dict[str, Order] = {}
    payments: dict[str, Payment] = {}
    lists: dict[str, Inventory] = {}
    for f in traffic.files:
        for doc in f.documents:
            if isinstance(doc, Order):
                orders[doc.key] = doc
            elif isinstance(doc, Payment):
                payments[f"{doc.head.ebp_code}/{doc.head.order_no}"] = doc
            elif isinstance(doc, Inventory):
                lists.setdefault(doc.key, doc)
    rulebook = shipped_rulebook()
    for key, order in orders.items():
        h = order.head
        for line in order.lines:
            assert line.total_price == line.price * line.qty
        assert h.goods_value == sum(line.total_price for line in order.lines)
        assert h.actural_paid == h.goods_value + h.freight + h.tax_total - h.discount
        labels = set(truth[key]["labels"])
        if key in payments and "amount_mismatch" not in labels:
            assert payments[key].head.amount_paid == h.actural_paid
        inventory = lists[key]
        assert inventory.head.freight == h.freight
        assert [(ln.gnum, ln.gname, ln.qty, ln.total_price) for ln in inventory.lines] == [
            (ln.gnum, ln.item_name, ln.qty, ln.total_price) for ln in order.lines
        ]
        if labels & {"over_single_limit", "indivisible_over_limit"}:
            continue
        rules = rulebook.at(datetime.strptime(inventory.head.decl_time, "%Y%m%d").date())
        dutiable = h.goods_value + inventory.head.freight + inventory.head.insured_fee
        assert dutiable == Decimal(truth[key]["dutiableValue"])
        assert dutiable <= rules.single_transaction_limit


def test_trade_modes_carry_their_required_fields(traffic: Traffic) -> None:
    modes = Counter[str]()
    for f in traffic.files:
        for doc in f.documents:
            if not isinstance(doc, Inventory):
                continue
            h = doc.head
            modes[h.trade_mode] += 1
            if h.trade_mode == "9610":
                assert h.traf_no and h.voyage_no and h.bill_no and h.country != "142"
            else:
                assert h.ems_no and h.area_code and h.area_name and h.country == "142"
                assert all(line.item_record_no for line in doc.lines)
    assert modes["9610"] > 0 and modes["1210"] > 0


def test_codes_come_from_the_shipped_code_tables(traffic: Traffic) -> None:
    rules = shipped_rulebook().at(datetime(2024, 6, 12).date())
    for f in traffic.files:
        for doc in f.documents:
            if isinstance(doc, Inventory):
                h = doc.head
                assert rules.is_customs_office(h.customs_code) and rules.is_customs_office(h.port_code)
                assert rules.is_country(h.country) and rules.is_trade_mode(h.trade_mode)
                assert rules.is_code("transport-mode", h.traf_mode)
                for line in doc.lines:
                    assert rules.is_country(line.country)
                    assert rules.is_unit(line.unit) and rules.is_unit(line.unit1)
                    assert len(line.gcode) == 10 and line.gcode.isdigit()
