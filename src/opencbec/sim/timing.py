"""When each document of a parcel is sent.

Usually order (at once), payment (minutes), waybill (minutes to an hour and a half), then the list
a few minutes after the waybill: all within two hours. *Out of order*: the list goes first and
the waybill (and sometimes order and payment) follows well inside the wait. *Late*: the waybill
comes after the wait. Every partner is sent at least ``margin`` away from the list's deadline,
so batching delays (the event time runs ahead of a document's ``appTime`` by at most one window)
can never change the outcome.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from opencbec.sim.plan import Timeline


class Clock:
    """Draws document times relative to the moment a parcel is ordered."""

    def __init__(self, rng: random.Random, wait: timedelta, window: timedelta) -> None:
        self._rng = rng
        self.wait = wait
        self.margin = max(timedelta(hours=2), 2 * window)
        #: Latest send time after the list that still clearly counts as within the wait.
        self.inside = min(timedelta(hours=12), wait - self.margin - timedelta(hours=1))

    def _after(self, at: datetime, low: float, high: float) -> datetime:
        """``at`` plus a whole number of seconds in [low, high]."""
        return at + timedelta(seconds=self._rng.randint(int(low), int(high)))

    def usual(self, at: datetime) -> Timeline:
        """Order, payment, waybill, list, all within about two hours."""
        order = self._after(at, 0, 60)
        paid = self._after(at, 10, 120)
        payment = self._after(paid, 5, 600)
        waybill = self._after(order, 180, 5400)
        return Timeline(order, paid, payment, waybill, self._after(waybill, 120, 900))

    def out_of_order(self, at: datetime) -> Timeline:
        """The list first; the waybill (and half the time order and payment) later, in time."""
        t = self.usual(at)
        t.inventory = self._after(at, 120, 600)
        span = self.inside.total_seconds()
        t.waybill = self._after(t.inventory, min(1200, span / 2), span)
        if self._rng.random() < 0.5:
            t.order = self._after(t.inventory, min(300, span / 2), min(6 * 3600, span))
            t.paid = self._after(at, 10, 120)
            t.payment = self._after(t.order, 5, 600)
        return t

    def late_waybill(self, at: datetime) -> Timeline:
        """The waybill only after the list's wait has run out."""
        t = self.usual(at)
        t.inventory = self._after(t.order, 300, 1200)
        late = (self.wait + self.margin).total_seconds()
        t.waybill = self._after(t.inventory, late, late + 10 * 3600)
        return t

    def without_payment(self, at: datetime) -> Timeline:
        """The payment is never sent."""
        t = self.usual(at)
        t.payment = None
        return t

    def with_duplicate(self, at: datetime) -> Timeline:
        """A second list for the same order, sent minutes to hours after the first."""
        t = self.usual(at)
        t.duplicate = self._after(t.inventory, 300, 6 * 3600)
        return t

    def split(self, at: datetime, part: int) -> Timeline:
        """Sub-order ``part`` (0-based) of a split purchase, a minute or two after the previous."""
        return self.usual(at + timedelta(seconds=part * self._rng.randint(20, 180)))
