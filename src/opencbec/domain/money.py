"""Money in yuan, with the customs rounding rule (half-up to the fen)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal(0)


def to_fen(amount: Decimal) -> Decimal:
    """Round an amount half-up to the fen (0.01 yuan).

    >>> to_fen(Decimal("37.31"))
    Decimal('37.31')
    >>> to_fen(Decimal("0.005"))
    Decimal('0.01')
    >>> to_fen(Decimal("2.675"))
    Decimal('2.68')
    """
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def from_fen(fen: int) -> Decimal:
    """A whole number of fen as yuan, always with two places, as amounts computed in yuan have.

    Dividing by 100 would drop them for whole yuan, so the same sum would read ``24080`` when it
    comes from the store and ``24080.00`` when added up in memory.

    >>> from_fen(2408000), from_fen(301), from_fen(0)
    (Decimal('24080.00'), Decimal('3.01'), Decimal('0.00'))
    """
    return Decimal(int(fen)).scaleb(-2)


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``total`` (already in fen) over lines in proportion to ``weights``.

    Each share is rounded half-up to the fen and the last line takes the remainder,
    so the shares always add up to ``total`` exactly.

    >>> allocate(Decimal("10.00"), [Decimal(1), Decimal(1), Decimal(1)])
    [Decimal('3.33'), Decimal('3.33'), Decimal('3.34')]
    >>> allocate(Decimal("5"), [Decimal(0), Decimal(0)])
    [Decimal('2.50'), Decimal('2.50')]
    """
    if not weights:
        return []
    total = to_fen(total)
    weight_sum = sum(weights, ZERO)
    if weight_sum == ZERO:
        weights = [Decimal(1)] * len(weights)
        weight_sum = Decimal(len(weights))
    shares = [to_fen(total * w / weight_sum) for w in weights[:-1]]
    shares.append(total - sum(shares, ZERO))
    return shares
