"""The traffic mix: which share of parcels carries which planted anomaly.

Each parcel carries at most one anomaly (labels in ground truth); the default shares add up to about
11 % of draws (split orders and ID reuse plant several parcels per draw). ``out_of_order`` (list
sent before its order or waybill, within the wait) and ``file_replay`` (a message file sent twice)
are not refusals: they must change nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields


class Anomaly(enum.StrEnum):
    """Planted anomalies, with the outcome the clearing core must give (docs/clearing-rules.md)."""

    AMOUNT_MISMATCH = "amount_mismatch"  # payment amountPaid != order acturalPaid -> list 100 9002
    PAYER_MISMATCH = "payer_mismatch"  # payer is not the buyer -> list 100 1327
    LIST_BUYER_MISMATCH = "list_buyer_mismatch"  # list buyer != order buyer -> list 100 13127
    OFF_LIST_GOODS = "off_list_goods"  # a line not on the positive list -> list 100 9010
    BAD_BUYER_ID = "bad_buyer_id"  # wrong ID check character -> list 100 1300 on arrival
    OVER_SINGLE_LIMIT = "over_single_limit"  # several lines above the limit -> 100 -621005
    INDIVISIBLE_OVER_LIMIT = "indivisible_over_limit"  # one line, qty 1, above -> 300 9014
    ANNUAL_LIMIT = "annual_limit"  # a big spender's orders; those crossing the limit -> 100 1313
    SPLIT_ORDER = "split_order"  # one purchase split in lists under the limit -> clears
    DUPLICATE_LIST = "duplicate_list"  # a 2nd list, same order, new guid -> that doc 100 -621004
    LATE_WAYBILL = "late_waybill"  # waybill after the wait -> list 100 9001, waybill 120
    MISSING_PAYMENT = "missing_payment"  # payment never sent -> list 100 9001
    #: One buyer ID on 3-4 parcels within about two hours, each to a different stranger (consignee,
    #: phone, address): bought personal data. Clears (800, or 500 if drawn); for risk targeting.
    ID_REUSE = "id_reuse"
    #: Every line declared at 20-40 % of the goods' lowest usual shop price, amounts consistent.
    #: Clears (800, or 500 if drawn); for risk targeting (reference-price rule).
    UNDER_VALUATION = "under_valuation"


#: Other ground-truth labels (not anomalies).
OUT_OF_ORDER = "out_of_order"
INSPECTION = "inspection"
ANNUAL_LIMIT_EXCEEDED = "annual_limit_exceeded"


def _default_shares() -> dict[Anomaly, float]:
    return {
        Anomaly.AMOUNT_MISMATCH: 0.008,
        Anomaly.PAYER_MISMATCH: 0.008,
        Anomaly.LIST_BUYER_MISMATCH: 0.005,
        Anomaly.OFF_LIST_GOODS: 0.010,
        Anomaly.BAD_BUYER_ID: 0.010,
        Anomaly.OVER_SINGLE_LIMIT: 0.010,
        Anomaly.INDIVISIBLE_OVER_LIMIT: 0.004,
        Anomaly.ANNUAL_LIMIT: 0.010,
        Anomaly.SPLIT_ORDER: 0.012,
        Anomaly.DUPLICATE_LIST: 0.005,
        Anomaly.LATE_WAYBILL: 0.008,
        Anomaly.MISSING_PAYMENT: 0.008,
        Anomaly.ID_REUSE: 0.005,
        Anomaly.UNDER_VALUATION: 0.005,
    }


@dataclass(frozen=True, slots=True)
class TrafficMix:
    """Shares of parcels per anomaly, of clean parcels sent out of order, and of replayed files.

    >>> round(sum(TrafficMix().shares.values()), 3)
    0.108
    >>> TrafficMix.clean().shares[Anomaly.BAD_BUYER_ID]
    0.0
    """

    shares: dict[Anomaly, float] = field(default_factory=_default_shares)
    out_of_order: float = 0.03
    file_replay: float = 0.005
    returning_buyers: float = 0.3

    def __post_init__(self) -> None:
        for anomaly, share in self.shares.items():
            if not isinstance(anomaly, Anomaly) or not 0 <= share <= 1:
                raise ValueError(f"share of {anomaly!r} must be an Anomaly in [0, 1], got {share}")
        if sum(self.shares.values()) > 1:
            raise ValueError("anomaly shares add up to more than 1")
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float) and not 0 <= value <= 1:
                raise ValueError(f"{f.name} must be in [0, 1], got {value}")

    @classmethod
    def clean(cls) -> TrafficMix:
        """Traffic with no anomaly at all (still out of order and with replays)."""
        return cls(shares=dict.fromkeys(Anomaly, 0.0))

    def with_shares(self, **shares: float) -> TrafficMix:
        """A copy with some anomaly shares changed, by label (``bad_buyer_id=0.05``)."""
        merged = dict(self.shares)
        merged.update({Anomaly(k): v for k, v in shares.items()})
        return TrafficMix(merged, self.out_of_order, self.file_replay, self.returning_buyers)

    def cumulative(self) -> list[tuple[float, Anomaly]]:
        """(upper bound, anomaly) pairs for drawing one anomaly with a uniform number."""
        out, running = [], 0.0
        for anomaly in Anomaly:
            running += self.shares.get(anomaly, 0.0)
            out.append((running, anomaly))
        return out
