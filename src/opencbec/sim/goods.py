"""Filling a parcel with goods: products, origins, quantities and shop prices."""

from __future__ import annotations

import random
from decimal import ROUND_DOWN, Decimal
from itertools import accumulate

from opencbec.domain.money import ZERO
from opencbec.rules import RulesAt
from opencbec.sim.catalogue import Catalogue, Product
from opencbec.sim.parties import HUBS
from opencbec.sim.plan import GoodsLine

BONDED_COUNTRY = "142"
_QTYS, _QTY_WEIGHTS = (1, 2, 3, 4, 6), (62, 24, 9, 3, 2)
_LINES, _LINE_WEIGHTS = (1, 2, 3, 4), (55, 27, 12, 6)


def dispatch_of(origin: str) -> str:
    """The dispatch country of goods of ``origin`` sent direct (through a hub if needed)."""
    return HUBS.get(origin, origin)


def shop_price(rng: random.Random, low: float, high: float) -> Decimal:
    """A shop price in [low, high]: 39.90 under 100 yuan, 289 above.

    >>> shop_price(random.Random(1), 150, 400)
    Decimal('189')
    """
    value = rng.uniform(low, high)
    if value < 100:
        return Decimal(int(value)) + Decimal("0.9")
    return Decimal(int(value) // 10 * 10 + 9)


def under_price(rng: random.Random, product: Product) -> Decimal:
    """An under-declared unit price: 20-40 % of ``product``'s lowest usual shop price (to the jiao).

    >>> from opencbec.sim.catalogue import PRODUCTS
    >>> under_price(random.Random(1), PRODUCTS[0])
    Decimal('34.0')
    """
    share = Decimal(str(round(rng.uniform(0.2, 0.4), 4)))
    return max(Decimal("0.1"), (product.low * share).quantize(Decimal("0.1"), ROUND_DOWN))


class Shelf:
    """Picks products for parcels, by declaration date, trade mode and dispatch country."""

    def __init__(self, rng: random.Random, catalogue: Catalogue) -> None:
        self._rng = rng
        self.catalogue = catalogue
        self._pools: dict[tuple[object, ...], tuple[tuple[Product, ...], list[float]]] = {}

    def pick(self, pool: tuple[Product, ...], dispatch: str | None) -> tuple[Product, str] | None:
        """A product of ``pool`` (by popularity) and its origin; ``dispatch`` restricts origins."""
        key = (id(pool), dispatch)
        found = self._pools.get(key)
        if found is None:
            usable = tuple(
                p for p in pool if dispatch is None or any(dispatch_of(o) == dispatch for o in p.origins)
            )
            found = self._pools[key] = (usable, list(accumulate(p.popularity for p in usable)))
        usable, cumulative = found
        if not usable:
            return None
        product = self._rng.choices(usable, cum_weights=cumulative)[0]
        origins = [o for o in product.origins if dispatch is None or dispatch_of(o) == dispatch]
        return product, self._rng.choice(origins)

    def line(self, gnum: int, product: Product, origin: str, qty: int | None = None) -> GoodsLine:
        """A goods line at a shop price with a typical quantity."""
        rng = self._rng
        price = shop_price(rng, product.low, product.high)
        if qty is None:
            qty = 1 if price > 1000 else rng.choices(_QTYS, weights=_QTY_WEIGHTS)[0]
        return GoodsLine(gnum, product, rng.choice(product.brands), origin, Decimal(qty), price)

    def basket(
        self, rules: RulesAt, trade_mode: str, first: tuple[Product, str], lines: int | None = None
    ) -> tuple[list[GoodsLine], str]:
        """Lines starting with ``first``, and the list's country (dispatch, or 142 bonded)."""
        dispatch = BONDED_COUNTRY if trade_mode != "9610" else dispatch_of(first[1])
        wanted = lines or self._rng.choices(_LINES, weights=_LINE_WEIGHTS)[0]
        basket = [self.line(1, *first)]
        offer = self.catalogue.offer(rules, trade_mode)
        restrict = None if trade_mode != "9610" else dispatch
        for _ in range(wanted - 1):
            picked = self.pick(offer, restrict)
            if picked is None or any(ln.product is picked[0] for ln in basket):
                continue
            basket.append(self.line(len(basket) + 1, *picked))
        return basket, dispatch

    def trim(self, lines: list[GoodsLine], cap: Decimal) -> list[GoodsLine]:
        """Fewer units, then fewer lines, then a lower price until the goods value <= ``cap``."""
        while sum((ln.total for ln in lines), ZERO) > cap:
            biggest = max(lines, key=lambda ln: ln.total)
            if biggest.qty > 1:
                biggest.qty -= 1
            elif len(lines) > 1:
                lines.remove(biggest)
            else:
                biggest.price = shop_price(self._rng, float(cap) * 0.4, float(cap) * 0.9)
        for gnum, line in enumerate(lines, start=1):
            line.gnum = gnum
        return lines

    def fill(self, lines: list[GoodsLine], target: Decimal, cap: Decimal | None = None) -> None:
        """More units of the lines until the goods value exceeds ``target`` (staying <= ``cap``)."""
        total = sum((ln.total for ln in lines), ZERO)
        while total <= target:
            fitting = [ln for ln in lines if cap is None or total + ln.price <= cap]
            if not fitting:
                return
            line = self._rng.choice(fitting)
            line.qty += 1
            total += line.price
