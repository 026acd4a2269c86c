"""Who buys: new customers, returning customers, and big spenders who hit the annual limit.

The core refuses a list that would take its buyer's annual total above the limit (1313), so the
ground truth must know each buyer's total. Memory stays flat: only two small sets of buyers are
remembered.

* Returning customers (a bounded pool) are offered only while their planned spending, counted
  for every list whatever its outcome, plus one more list at the single limit stays within the
  annual limit. They therefore can never reach the limit, in whatever order their lists complete.
* Big spenders place one large order every few hours, so their lists complete in the order they
  were planned; their ledger is kept exactly (accepted lists only), like the core's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from opencbec.domain.money import ZERO
from opencbec.sim.people import Person, PersonFactory

POOL_SIZE = 5000
#: Longest time from ordering to the list being complete (order, payment, waybill, list).
PARCEL_SPAN = timedelta(hours=2)


@dataclass(slots=True)
class Spender:
    """A buyer who keeps placing orders near the single limit."""

    person: Person
    orders_left: int
    next_order: datetime
    used: dict[int, Decimal] = field(default_factory=dict)  # accepted dutiable value per year


@dataclass(slots=True)
class _Regular:
    person: Person
    planned: dict[int, Decimal] = field(default_factory=dict)  # per year, every list counted


class BuyerBook:
    """Hands out buyers and remembers what the ledger-relevant ones spent."""

    def __init__(
        self,
        rng: random.Random,
        people: PersonFactory,
        returning_share: float,
        window: timedelta,
    ) -> None:
        self._rng = rng
        #: Time between two orders of one big spender: its list is complete, even with the
        #: batching delay of the senders, before the next order is placed.
        self.spender_gap = PARCEL_SPAN + 2 * window
        self.people = people
        self._returning_share = returning_share
        self._pool: list[_Regular] = []
        self._by_id: dict[str, _Regular] = {}
        self._spenders: list[Spender] = []

    def customer(self, year: int, single_limit: Decimal, annual_limit: Decimal) -> Person:
        """A returning customer with room for one more list in ``year``, or a new one."""
        rng = self._rng
        if self._pool and rng.random() < self._returning_share:
            regular = self._pool[rng.randrange(len(self._pool))]
            if regular.planned.get(year, ZERO) + single_limit <= annual_limit:
                return regular.person
        person = self.people.person()
        regular = _Regular(person)
        if len(self._pool) < POOL_SIZE:
            self._pool.append(regular)
        else:
            slot = rng.randrange(POOL_SIZE)
            del self._by_id[self._pool[slot].person.id_number]
            self._pool[slot] = regular
        self._by_id[person.id_number] = regular
        return person

    def plan_spending(self, person: Person, year: int, amount: Decimal) -> None:
        """Count a planned list of a returning customer (whatever its outcome)."""
        regular = self._by_id.get(person.id_number)
        if regular is not None:
            regular.planned[year] = regular.planned.get(year, ZERO) + amount

    def spender(self, at: datetime, orders: int) -> Spender:
        """A big spender free to order at ``at`` (a new one if all are busy)."""
        for spender in self._spenders:
            if spender.next_order <= at:
                return spender
        spender = Spender(self.people.person(), orders, at)
        self._spenders.append(spender)
        return spender

    def spender_ordered(self, spender: Spender, at: datetime) -> None:
        """Note that ``spender`` ordered at ``at``."""
        spender.orders_left -= 1
        spender.next_order = at + self.spender_gap
        if spender.orders_left <= 0:
            self._spenders.remove(spender)
