"""The simulator's building blocks: calendar, people, numbers, mix, timing."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest

from opencbec.domain import resident_id
from opencbec.sim import Anomaly, TrafficMix
from opencbec.sim.calendar import daily_counts, day_weight, order_times
from opencbec.sim.parties import HUAYOU, PLATFORMS, ROUTES, SHUNDA, s10_check, waybill_number
from opencbec.sim.people import PersonFactory, with_wrong_check
from opencbec.sim.timing import Clock


def test_days_get_exactly_the_parcels_and_double_11_gets_the_most() -> None:
    counts = daily_counts(10_000, date(2024, 11, 1), 20)
    assert sum(counts) == 10_000
    assert max(range(20), key=counts.__getitem__) == 10  # 11 November


def test_the_spring_festival_is_a_dip_and_618_a_peak() -> None:
    assert day_weight(date(2025, 1, 30)) < 0.5 * day_weight(date(2025, 3, 5))
    assert day_weight(date(2024, 6, 18)) > 3 * day_weight(date(2024, 7, 10))


def test_order_times_ascend_with_more_in_the_evening_than_at_night() -> None:
    times = list(order_times([20_000], date(2024, 5, 7), random.Random(1)))
    assert times == sorted(times) and len(times) == 20_000
    evening = sum(1 for t in times if 20 <= t.hour < 23)
    night = sum(1 for t in times if 2 <= t.hour < 5)
    assert evening > 5 * night > 0


def test_people_have_distinct_valid_ids_and_typos_are_invalid() -> None:
    factory = PersonFactory(random.Random(3))
    people = [factory.person() for _ in range(5000)]
    assert len({p.id_number for p in people}) == 5000
    assert all(resident_id.is_valid(p.id_number) for p in people)
    assert all(1965 <= int(p.id_number[6:10]) <= 2004 for p in people)
    rng = random.Random(4)
    assert not any(resident_id.is_valid(with_wrong_check(p.id_number, rng)) for p in people)


def test_waybill_numbers_are_distinct_per_carrier_and_ems_numbers_carry_the_s10_check() -> None:
    shunda = {waybill_number(SHUNDA, n) for n in range(1, 20_001)}
    assert len(shunda) == 20_000 and all(len(x) == 15 for x in shunda)
    ems = waybill_number(HUAYOU, 7)
    assert ems.endswith("CN") and ems[10] == s10_check(ems[2:10])


def test_every_platform_can_ship_direct_and_bonded() -> None:
    for platform in PLATFORMS:
        assert platform.direct_sites and platform.bonded_sites
        assert all(s.bonded and s.ems_no and s.area for s in platform.bonded_sites)
        assert len(platform.firm.code) == 10
    assert "116" in ROUTES and "133" in ROUTES


def test_a_mix_is_validated() -> None:
    with pytest.raises(ValueError, match="more than 1"):
        TrafficMix(shares=dict.fromkeys(Anomaly, 0.2))
    with pytest.raises(ValueError, match="out_of_order"):
        TrafficMix(out_of_order=1.5)
    assert TrafficMix().with_shares(bad_buyer_id=0.5).shares[Anomaly.BAD_BUYER_ID] == 0.5


def test_partners_are_always_sent_far_from_the_deadline() -> None:
    wait, window = timedelta(hours=24), timedelta(minutes=60)
    clock = Clock(random.Random(5), wait, window)
    at = datetime(2024, 6, 1, 12)
    for _ in range(2000):
        for t in (clock.usual(at), clock.out_of_order(at), clock.late_waybill(at)):
            deadline = t.inventory + wait
            for sent in (t.order, t.payment, t.waybill):
                assert sent is not None and abs(sent - deadline) >= clock.margin
