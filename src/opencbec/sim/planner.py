"""Planning parcels: parties, buyer, goods, amounts, times and the planted anomaly."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from opencbec.domain.money import ZERO, to_fen
from opencbec.rules import Rulebook, RulesAt
from opencbec.sim import truth
from opencbec.sim.buyers import BuyerBook, Spender
from opencbec.sim.catalogue import Catalogue, Product
from opencbec.sim.goods import Shelf, shop_price, under_price
from opencbec.sim.mix import ANNUAL_LIMIT_EXCEEDED, INSPECTION, OUT_OF_ORDER, Anomaly, TrafficMix
from opencbec.sim.parties import (
    PLATFORMS,
    WEIHAI_EXPRESS,
    Platform,
    Site,
    scramble,
    waybill_number,
)
from opencbec.sim.people import Person, PersonFactory, with_wrong_check
from opencbec.sim.plan import GoodsLine, ParcelPlan, Parties, Timeline
from opencbec.sim.timing import Clock

A = Anomaly
_FRESH_BUYER = frozenset({A.BAD_BUYER_ID, A.OVER_SINGLE_LIMIT, A.INDIVISIBLE_OVER_LIMIT, A.SPLIT_ORDER})
_COUPONS = tuple(Decimal(c) for c in (5, 10, 20, 30, 50, 100))
_GAPS = tuple(Decimal(g) for g in (-5, -10, -20, 8, 12))

Planned = tuple[ParcelPlan, truth.Outcome]


class ParcelPlanner:
    """Plans parcels one order time after another (deterministic for a random generator)."""

    def __init__(
        self,
        rng: random.Random,
        rulebook: Rulebook,
        mix: TrafficMix,
        policy: truth.Policy,
        window: timedelta,
        last_traffic_day: date,
    ) -> None:
        self._rng = rng
        self._rulebook = rulebook
        self._mix = mix
        self._policy = policy
        self._draws = mix.cumulative()
        self._clock = Clock(rng, policy.partner_wait, window)
        self.people = PersonFactory(rng)
        self._buyers = BuyerBook(rng, self.people, mix.returning_buyers, window)
        self._shelf = Shelf(rng, Catalogue())
        self._platforms = list(accumulate(p.weight for p in PLATFORMS))
        self._last_payment_day = last_traffic_day - timedelta(days=2)
        self._orders = 0
        self._waybills: dict[str, int] = {}

    def plan(self, at: datetime, slots_left: int) -> list[Planned]:
        """The parcel(s) ordered at ``at``: one, or several for a split purchase."""
        anomaly = self._draw()
        if anomaly is A.SPLIT_ORDER:
            return self._split(at, min(slots_left, self._rng.randint(2, 4)))
        if anomaly is A.ID_REUSE:
            return self._id_reuse(at, min(slots_left, self._rng.randint(3, 4)))
        times = self._timeline(at, anomaly)
        if anomaly is A.MISSING_PAYMENT and times.inventory.date() > self._last_payment_day:
            anomaly, times = None, self._clock.usual(at)  # no later traffic to pass its deadline
        if anomaly is None and self._rng.random() < self._mix.out_of_order:
            times = self._clock.out_of_order(at)
        return [self._decide(*self._parcel(at, anomaly, times, self._platform(), None))]

    # --- one parcel -----------------------------------------------------------------------------
    def _parcel(
        self,
        at: datetime,
        anomaly: Anomaly | None,
        times: Timeline,
        platform: Platform,
        split: tuple[str, int, ParcelPlan] | None,
        reused: Person | None = None,
    ) -> tuple[ParcelPlan, Spender | None]:
        rng = self._rng
        rules = self._rulebook.at(times.inventory.date())
        year = times.inventory.year
        mode = split[2].trade_mode if split else "1210" if rng.random() < platform.bonded_share else "9610"
        freight, insured = self._charges(mode)
        limit = rules.single_transaction_limit
        lines, dispatch = self._goods(rules, mode, anomaly, limit - freight - insured)
        spender = None
        used = ZERO
        if split is not None:
            buyer = split[2].buyer
        elif reused is not None:
            buyer = reused
        elif anomaly is A.ANNUAL_LIMIT:
            spender = self._buyers.spender(at, int(rules.annual_limit / (limit * Decimal("0.85"))) + 2)
            buyer, used = spender.person, spender.used.get(year, ZERO)
        elif anomaly in _FRESH_BUYER:
            buyer = self.people.person()
        else:
            buyer = self._buyers.customer(year, limit, rules.annual_limit)
        consignee = buyer if rng.random() < 0.85 else self.people.relative(buyer)
        if split is not None:
            consignee = split[2].consignee
        if anomaly is A.LIST_BUYER_MISMATCH and consignee is buyer:
            consignee = self.people.relative(buyer)
        if anomaly is A.ID_REUSE:
            consignee = self.people.person()  # a stranger: own name, phone and address
        self._orders += 1
        order_no = f"{platform.order_prefix}{at:%y%m%d}{scramble(self._orders, 10)}"
        if split is not None:
            order_no = f"{split[0]}-{split[1]}"
        parties = Parties(
            platform,
            split[2].parties.seller if split else rng.choice(platform.sellers),
            split[2].parties.payment_firm if split else rng.choice(platform.payers),
            rng.choice(platform.carriers),
            self._site(platform, mode, dispatch),
        )
        plan = ParcelPlan(
            parcel_id="",
            parties=parties,
            trade_mode=mode,
            dispatch=dispatch,
            order_no=order_no,
            logistics_no=self._waybill_no(parties),
            pay_transaction_id=(
                f"{times.paid:%Y%m%d}{parties.payment_firm.code[-4:]}{scramble(self._orders * 7 + 3, 12)}"
            ),
            buyer=buyer,
            buyer_id=with_wrong_check(buyer.id_number, rng) if anomaly is A.BAD_BUYER_ID else buyer.id_number,
            payer=self.people.relative(buyer) if anomaly is A.PAYER_MISMATCH else buyer,
            consignee=consignee,
            list_buyer=consignee if anomaly is A.LIST_BUYER_MISMATCH else buyer,
            lines=lines,
            freight=freight,
            insured_fee=insured,
            times=times,
            rules=rules,
            anomaly=anomaly,
            ledger_used=used,
        )
        plan.tax_total = sum(truth.taxes(plan), ZERO)
        coupons = [c for c in _COUPONS if c * 3 < plan.goods_value]
        if coupons and rng.random() < 0.35:
            plan.discount = rng.choice(coupons)
        if anomaly is A.AMOUNT_MISMATCH:
            plan.payment_gap = rng.choice(_GAPS)
        if anomaly is not None:
            plan.labels.append(anomaly.value)
        if times.inventory < times.waybill and anomaly is not A.LATE_WAYBILL:
            plan.labels.append(OUT_OF_ORDER)
        if spender is not None:
            self._buyers.spender_ordered(spender, at)
        return plan, spender

    def _decide(self, plan: ParcelPlan, spender: Spender | None) -> Planned:
        """Predict the outcome and book it where the simulator keeps a ledger."""
        outcome = truth.predict(plan, self._policy)
        year = plan.times.inventory.year
        if outcome.inventory == truth.INSPECTION:
            plan.labels.append(INSPECTION)
        if plan.anomaly is A.ANNUAL_LIMIT:
            if outcome.reason == "1313":
                plan.labels.append(ANNUAL_LIMIT_EXCEEDED)
            if spender is not None and outcome.inventory in truth.ACCEPTED:
                spender.used[year] = spender.used.get(year, ZERO) + outcome.dutiable_value
        else:
            self._buyers.plan_spending(plan.buyer, year, outcome.dutiable_value)
        return plan, outcome

    def _split(self, at: datetime, parts: int) -> list[Planned]:
        """One purchase split into ``parts`` lists under the single limit (same buyer, same day)."""
        if parts < 2:
            return [self._decide(*self._parcel(at, None, self._clock.usual(at), self._platform(), None))]
        platform = self._platform()
        first, _ = self._parcel(at, A.SPLIT_ORDER, self._clock.split(at, 0), platform, None)
        base = first.order_no
        first.order_no = f"{base}-1"
        plans = [first]
        for part in range(1, parts):
            times = self._clock.split(at, part)
            plans.append(self._parcel(at, A.SPLIT_ORDER, times, platform, (base, part + 1, first))[0])
        for plan in plans:
            plan.split_group = base
        return [self._decide(plan, None) for plan in plans]

    def _id_reuse(self, at: datetime, parts: int) -> list[Planned]:
        """One bought buyer ID used for ``parts`` parcels within about two hours, each to a stranger.

        The buyer is new (not a returning customer) and ``parts`` <= 4 lists under the single limit
        stay well under the annual limit, so the ledger needs no bookkeeping.
        """
        if parts < 3:
            return [self._decide(*self._parcel(at, None, self._clock.usual(at), self._platform(), None))]
        buyer, when, plans = self.people.person(), at, []
        for part in range(parts):
            if part:
                when += timedelta(seconds=self._rng.randint(300, 2400))
            times = self._clock.usual(when)
            plans.append(self._parcel(when, A.ID_REUSE, times, self._platform(), None, buyer)[0])
        return [self._decide(plan, None) for plan in plans]

    # --- choices ----------------------------------------------------------------------------------
    def _draw(self) -> Anomaly | None:
        u = self._rng.random()
        for bound, anomaly in self._draws:
            if u < bound:
                return anomaly
        return None

    def _timeline(self, at: datetime, anomaly: Anomaly | None) -> Timeline:
        clock = self._clock
        if anomaly is A.LATE_WAYBILL:
            return clock.late_waybill(at)
        if anomaly is A.MISSING_PAYMENT:
            return clock.without_payment(at)
        if anomaly is A.DUPLICATE_LIST:
            return clock.with_duplicate(at)
        return clock.usual(at)

    def _platform(self) -> Platform:
        return self._rng.choices(PLATFORMS, cum_weights=self._platforms)[0]

    def _charges(self, mode: str) -> tuple[Decimal, Decimal]:
        rng = self._rng
        freight = ZERO
        if rng.random() < (0.4 if mode == "9610" else 0.25):
            freight = Decimal(rng.randint(10, 45) if mode == "9610" else rng.randint(5, 15))
        insured = ZERO
        if rng.random() < 0.15:
            insured = to_fen(Decimal(rng.randint(50, 500)) / 100)
        return freight, insured

    def _goods(
        self, rules: RulesAt, mode: str, anomaly: Anomaly | None, cap: Decimal
    ) -> tuple[list[GoodsLine], str]:
        shelf, rng = self._shelf, self._rng
        cat = shelf.catalogue
        limit = rules.single_transaction_limit
        first: tuple[Product, str] | None = None
        if anomaly is A.OFF_LIST_GOODS:
            first = shelf.pick(cat.off_list(rules), None)
        elif anomaly is A.INDIVISIBLE_OVER_LIMIT:
            first = shelf.pick(cat.premium(rules, mode), None)
        first = first or shelf.pick(cat.offer(rules, mode), None)
        if first is None:
            raise ValueError(f"no goods on the positive list on {rules.as_of} under {mode}")
        if anomaly is A.INDIVISIBLE_OVER_LIMIT:
            lines, dispatch = shelf.basket(rules, mode, first, lines=1)
            lines[0].qty = Decimal(1)
            lines[0].price = shop_price(rng, float(limit) * 1.05, float(limit) * 1.8)
            return lines, dispatch
        wanted = rng.randint(2, 4) if anomaly is A.OVER_SINGLE_LIMIT else None
        lines, dispatch = shelf.basket(rules, mode, first, wanted)
        if anomaly is A.OVER_SINGLE_LIMIT:
            shelf.fill(lines, cap + limit * Decimal(rng.uniform(0.05, 0.6)))
            return lines, dispatch
        margin_cap = cap - limit * Decimal("0.02")
        lines = shelf.trim(lines, margin_cap)
        if anomaly is A.ANNUAL_LIMIT:
            shelf.fill(lines, limit * Decimal(rng.uniform(0.72, 0.95)) - (limit - cap), margin_cap)
        elif anomaly is A.SPLIT_ORDER:
            shelf.fill(lines, limit * Decimal(rng.uniform(0.4, 0.85)) - (limit - cap), margin_cap)
        elif anomaly is A.UNDER_VALUATION:
            for line in lines:
                line.price = under_price(rng, line.product)
        return lines, dispatch

    def _site(self, platform: Platform, mode: str, dispatch: str) -> Site:
        rng = self._rng
        if mode != "9610":
            return rng.choice(platform.bonded_sites)
        sites = [s for s in platform.direct_sites if s is not WEIHAI_EXPRESS or dispatch == "133"]
        return rng.choice(sites)

    def _waybill_no(self, parties: Parties) -> str:
        code = parties.carrier.firm.code
        serial = self._waybills[code] = self._waybills.get(code, 0) + 1
        return waybill_number(parties.carrier, serial)
