"""When parcels are ordered: a daily curve and the shopping seasons, as weights.

Parcels are spread over the simulated days in proportion to a day weight (618 in June, 双11 on
11 November with its pre-sale, 双12, 女王节, the Spring Festival dip when couriers stop) and,
within a day, over the minutes in proportion to an hourly curve (evening peak, quiet nights,
a midnight rush on the big festival days). Days get their exact share by largest remainder;
minutes and seconds are drawn at random. Nothing is rejected: the shape is only weights.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import accumulate

#: 春节 (first day of the lunar year).
SPRING_FESTIVAL = {
    2016: date(2016, 2, 8), 2017: date(2017, 1, 28), 2018: date(2018, 2, 16),
    2019: date(2019, 2, 5), 2020: date(2020, 1, 25), 2021: date(2021, 2, 12),
    2022: date(2022, 2, 1), 2023: date(2023, 1, 22), 2024: date(2024, 2, 10),
    2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
    2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
}  # fmt: skip

#: Relative orders per hour of day (0..23).
HOURLY = (
    0.9, 0.5, 0.3, 0.2, 0.15, 0.15, 0.25, 0.5, 0.8, 1.0, 1.1, 1.1,
    1.2, 1.1, 1.0, 1.0, 1.0, 1.0, 1.1, 1.3, 1.6, 1.9, 2.0, 1.5,
)  # fmt: skip
_JUNE = {16: 2.0, 17: 2.0, 18: 3.5, 19: 1.2, 20: 1.2}  # 618
_WINDOWS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)  # divisors of a day, in minutes


def day_weight(day: date) -> float:
    """Relative order volume of ``day``.

    >>> day_weight(date(2024, 11, 11)) > 5 * day_weight(date(2024, 11, 20))
    True
    >>> day_weight(date(2024, 2, 12)) < day_weight(date(2024, 3, 12))
    True
    """
    weight = 1.08 if day.weekday() >= 5 else 1.0
    md = (day.month, day.day)
    if day.month == 6:
        weight *= _JUNE.get(day.day, 1.3 if day.day < 16 else 1.0)
    elif md == (11, 11):
        weight *= 6.0
    elif day.month == 11:
        weight *= 1.5 if day.day <= 10 else 1.6 if day.day <= 13 else 1.0
    elif day.month == 10 and day.day > 20:
        weight *= 1.2
    elif md == (12, 12):
        weight *= 2.5
    elif md in ((12, 10), (12, 11), (12, 13)):
        weight *= 1.3
    elif md == (3, 8):
        weight *= 1.6
    festival = SPRING_FESTIVAL.get(day.year)
    if festival is not None:
        offset = (day - festival).days
        if -10 <= offset < 0:
            weight *= 0.6
        elif 0 <= offset <= 6:
            weight *= 0.3
        elif 7 <= offset <= 14:
            weight *= 0.75
    return weight


def hour_weights(day: date) -> list[float]:
    """The hourly curve of ``day`` (a midnight rush on 618 and 双11)."""
    weights = list(HOURLY)
    if (day.month, day.day) in ((6, 18), (11, 11)):
        weights[0] *= 6
        weights[1] *= 3
    return weights


def daily_counts(parcels: int, start: date, days: int) -> list[int]:
    """Parcels per day, proportional to :func:`day_weight` (largest remainder, exact total).

    >>> daily_counts(10, date(2024, 11, 10), 3)
    [2, 6, 2]
    """
    weights = [day_weight(start + timedelta(days=i)) for i in range(days)]
    total = sum(weights)
    shares = [parcels * w / total for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(days), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: parcels - sum(counts)]:
        counts[i] += 1
    return counts


def order_times(counts: list[int], start: date, rng: random.Random) -> Iterator[datetime]:
    """The creation time of every parcel, in ascending order."""
    minutes = range(1440)
    for offset, count in enumerate(counts):
        day = start + timedelta(days=offset)
        midnight = datetime(day.year, day.month, day.day)
        cumulative = list(accumulate(w for w in hour_weights(day) for _ in range(60)))
        per_minute = [0] * 1440
        left = count
        while left:
            chunk = min(left, 50_000)
            for minute in rng.choices(minutes, cum_weights=cumulative, k=chunk):
                per_minute[minute] += 1
            left -= chunk
        for minute, n in enumerate(per_minute):
            if n:
                base = midnight + timedelta(minutes=minute)
                for second in sorted(rng.randrange(60) for _ in range(n)):
                    yield base + timedelta(seconds=second)


def window_minutes(parcels: int, days: int) -> int:
    """Batching window of the senders: about 40 documents per file on an average day.

    >>> window_minutes(100_000, 30), window_minutes(1_000_000, 1)
    (30, 1)
    """
    per_minute = 4 * parcels / (days * 1440)
    wanted = 40 * 12 / per_minute if per_minute else 60
    return max([w for w in _WINDOWS if w <= wanted] or [1])
