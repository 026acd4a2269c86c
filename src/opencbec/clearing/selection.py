"""The deterministic random draw used to pick lists for inspection or manual review.

A draw is a function of the seed and the list's business key, so a replay of the same traffic
selects the same lists, and a simulator can predict the selection exactly.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

_SCALE = 16**13


def draw(seed: str, ebp_code: str, order_no: str, salt: str = "") -> float:
    """A uniform number in [0, 1) for the list ``ebp_code``/``order_no``.

    >>> 0 <= draw("opencbec", "3301960001", "SO1") < 1
    True
    """
    text = f"{seed}{salt}|{ebp_code}|{order_no}".encode()
    return int(hashlib.sha256(text).hexdigest()[:13], 16) / _SCALE


def selected(rate: Decimal, seed: str, ebp_code: str, order_no: str, salt: str = "") -> bool:
    """Whether the draw falls under ``rate``."""
    return rate > 0 and draw(seed, ebp_code, order_no, salt) < float(rate)
