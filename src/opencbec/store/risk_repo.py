"""Risk targeting's tables: selections with their reasons, party history, and versioned rules.

``load_history`` fills ``StateView.risk`` for a batch (called by the SQL store while it loads the
batch state); ``apply`` stores a batch's ``Effects.risk_records`` in the batch transaction.
Outcomes are not copied: a selection's outcome is the current status of its list (800 released,
501/502/503/599 detained, 700 returned abroad), read when precision or labels are asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    or_,
    select,
)
from sqlalchemy.engine import Connection

from opencbec.clearing.list_clearing import declaration_date
from opencbec.clearing.risk_port import ListFacts, Observation, RiskRecord
from opencbec.clearing.state import StateView
from opencbec.domain.documents import Document, Inventory, Order
from opencbec.store import schema as t

metadata = MetaData()
_ID = BigInteger().with_variant(Integer, "sqlite")

risk_selection = Table(
    "risk_selection",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("invt_no", String(20), nullable=False),
    Column("document_id", BigInteger),
    Column("customs_code", String(8), nullable=False),
    Column("selected_at", DateTime, nullable=False),
    Column("day", Date, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(8), nullable=False),
    Column("reason_code", String(8), nullable=False),
    Column("score", Float),
    Column("revenue_at_stake", Float),
    Column("model_version", String(64)),
    Column("rules", Text, nullable=False),
    Column("reasons", Text, nullable=False),
    Column("facts", Text, nullable=False),
    Column("outcome", String(8)),
    Column("outcome_at", DateTime),
    Index("ix_risk_selection_invt", "invt_no"),
    Index("ix_risk_selection_day", "customs_code", "day"),
)

risk_observation = Table(
    "risk_observation",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("invt_no", String(20), nullable=False),
    Column("customs_code", String(8), nullable=False),
    Column("day", Date, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("buyer_id", String(64), nullable=False),
    Column("consignee", String(200), nullable=False),
    Column("phone", String(64), nullable=False),
    Column("address", String(255), nullable=False),
    Column("payer_id", String(64), nullable=False),
    Column("ebc_code", String(32), nullable=False),
    Column("value_fen", BigInteger, nullable=False),
    Column("score", Float),
    Index("ix_risk_obs_buyer", "buyer_id", "day"),
    Index("ix_risk_obs_phone", "phone", "day"),
    Index("ix_risk_obs_address", "address", "day"),
    Index("ix_risk_obs_office_day", "customs_code", "day"),
    Index("ix_risk_obs_ebc", "ebc_code"),
)

risk_rule = Table(
    "risk_rule",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("rule_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("definition", Text, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("enabled", Boolean, nullable=False),
    Column("changed_by", String(64), nullable=False),
    Column("changed_at", DateTime, nullable=False),
    UniqueConstraint("rule_id", "version", name="uq_risk_rule_version"),
    Index("ix_risk_rule_id", "rule_id"),
)

#: How far back the party history reaches.
WINDOW = timedelta(days=31)
_CHUNK = 500
#: Lists counted per enterprise at most (enough for the ``new_enterprise`` rule).
ENTERPRISE_CAP = 1000
REASON_CODES = {"targeted": "9070", "random": "9040", "review": "9071"}


def _chunks(items: Sequence[str]) -> list[Sequence[str]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def load_history(conn: Connection, state: StateView, batch: Iterable[Document] = ()) -> None:
    """Fill ``state.risk`` for the lists in ``state`` and ``batch`` (buyers, phones, addresses, offices)."""
    buyers, phones, addresses, firms, offices = set(), set(), set(), set(), set()
    days: set[date] = set()
    for d in [*(doc.document for doc in state.current.values()), *batch]:
        if isinstance(d, Inventory):
            buyers.add(d.head.buyer_id_number)
            firms.add(d.head.ebc_code)
            offices.add(d.head.customs_code)
            try:
                days.add(declaration_date(d))
            except ValueError:
                continue
        elif isinstance(d, Order):
            phones.add(d.head.consignee_telephone)
            addresses.add(d.head.consignee_address)
    if not buyers:
        return
    risk = state.risk
    o = risk_observation.c
    if not days:
        return
    since = min(days) - WINDOW
    seen: set[int] = set()
    for column, values in ((o.buyer_id, buyers), (o.phone, phones), (o.address, addresses)):
        for chunk in _chunks(sorted(values)):
            for row in conn.execute(select(risk_observation).where(column.in_(chunk), o.day >= since)):
                if row.id not in seen:
                    seen.add(row.id)
                    risk.observations.append(_observation(row))
    for firm in sorted(firms):  # counted up to a cap, so the query stays cheap
        capped = select(o.id).where(o.ebc_code == firm).limit(ENTERPRISE_CAP).subquery()
        risk.enterprise_lists[firm] = int(
            conn.execute(select(func.count()).select_from(capped)).scalar() or 0
        )
    for chunk in _chunks(sorted(offices)):
        counts = (
            select(o.customs_code, o.day, func.count())
            .where(o.customs_code.in_(chunk), o.day.in_(sorted(days)))
            .group_by(o.customs_code, o.day)
        )
        for office, day, n in conn.execute(counts):
            risk.assessed[(office, day)] = int(n)
        s = risk_selection.c
        picks = (
            select(s.customs_code, s.day, s.kind, func.count())
            .where(s.customs_code.in_(chunk), s.day.in_(sorted(days)))
            .group_by(s.customs_code, s.day, s.kind)
        )
        for office, day, kind, n in conn.execute(picks):
            risk.selected[(office, day, kind)] = int(n)


def _observation(row: Any) -> Observation:
    return Observation(
        invt_no=row.invt_no,
        customs_code=row.customs_code,
        day=row.day,
        at=row.at,
        buyer_id=row.buyer_id,
        consignee=row.consignee,
        phone=row.phone,
        address=row.address,
        payer_id=row.payer_id,
        ebc_code=row.ebc_code,
        value=Decimal(row.value_fen) / 100,
        score=row.score,
    )


def apply(conn: Connection, records: Sequence[RiskRecord]) -> None:
    """Store a batch's risk records: every accepted list as history, selections with reasons."""
    if not records:
        return
    conn.execute(
        risk_observation.insert(),
        [
            {
                "invt_no": r.invt_no,
                "customs_code": r.facts.customs_code,
                "day": r.facts.declared_on,
                "at": r.at,
                "buyer_id": r.facts.buyer_id,
                "consignee": r.facts.consignee[:200],
                "phone": r.facts.phone[:64],
                "address": r.facts.address[:255],
                "payer_id": r.facts.payer_id,
                "ebc_code": r.facts.ebc_code,
                "value_fen": int((r.facts.goods_value + r.facts.freight) * 100),
                "score": r.assessment.score,
            }
            for r in records
        ],
    )
    picked = [r for r in records if r.decision.kind is not None]
    if picked:
        conn.execute(
            risk_selection.insert(),
            [
                {
                    "invt_no": r.invt_no,
                    "document_id": r.facts.doc_id,
                    "customs_code": r.facts.customs_code,
                    "selected_at": r.at,
                    "day": r.facts.declared_on,
                    "kind": r.decision.kind.value if r.decision.kind else "",
                    "status": r.status,
                    "reason_code": REASON_CODES[r.decision.kind.value if r.decision.kind else "random"],
                    "score": r.assessment.score,
                    "revenue_at_stake": r.assessment.revenue,
                    "model_version": r.model_version,
                    "rules": json.dumps([rid for rid, _ in r.assessment.rules]),
                    "reasons": json.dumps(list(r.decision.reasons), ensure_ascii=False),
                    "facts": json.dumps(facts_json(r.facts), ensure_ascii=False),
                }
                for r in picked
            ],
        )


def facts_json(facts: ListFacts) -> dict[str, Any]:
    """``ListFacts`` as JSON-able data."""
    data = asdict(facts)
    return json.loads(json.dumps(data, default=str))  # type: ignore[no-any-return]


def facts_from_json(data: dict[str, Any]) -> ListFacts:
    """The inverse of :func:`facts_json`."""
    from opencbec.clearing.risk_port import LineFacts

    d = dict(data)
    d["declared_on"] = date.fromisoformat(d["declared_on"])
    d["at"] = datetime.fromisoformat(d["at"])
    for name in ("goods_value", "freight", "single_limit", "annual_used"):
        d[name] = Decimal(str(d[name]))
    d["lines"] = tuple(
        LineFacts(
            int(ln["gnum"]),
            ln["gcode"],
            ln["gname"],
            ln["country"],
            Decimal(str(ln["qty"])),
            Decimal(str(ln["unit_price"])),
            Decimal(str(ln["total_price"])),
        )
        for ln in d["lines"]
    )
    return ListFacts(**d)


def selections(
    conn: Connection, invt_no: str | None = None, open_only: bool = False, limit: int = 200
) -> list[dict[str, Any]]:
    """Selections (newest first) with their reasons and the list's current status (the outcome)."""
    s, d = risk_selection.c, t.document.c
    query = (
        select(risk_selection, d.status.label("current_status"))
        .select_from(risk_selection.outerjoin(t.document, (d.invt_no == s.invt_no) & d.is_current.is_(True)))
        .order_by(s.id.desc())
        .limit(limit)
    )
    if invt_no is not None:
        query = query.where(s.invt_no == invt_no)
    if open_only:
        query = query.where(or_(d.status.in_(["500", "300"]), d.status.is_(None)))
    out = []
    for row in conn.execute(query):
        out.append(
            {
                "invt_no": row.invt_no,
                "customs_code": row.customs_code,
                "day": row.day.isoformat(),
                "selected_at": row.selected_at.isoformat(),
                "kind": row.kind,
                "status": row.status,
                "reason_code": row.reason_code,
                "score": row.score,
                "revenue_at_stake": row.revenue_at_stake,
                "model_version": row.model_version,
                "rules": json.loads(row.rules),
                "reasons": json.loads(row.reasons),
                "current_status": row.current_status,
            }
        )
    return out


def labelled(conn: Connection) -> list[tuple[str, ListFacts, str, float]]:
    """(invtNo, facts, current status, revenue) of every selection; the status is the outcome."""
    s, d = risk_selection.c, t.document.c
    query = select(s.invt_no, s.facts, s.revenue_at_stake, d.status).select_from(
        risk_selection.join(t.document, (d.invt_no == s.invt_no) & d.is_current.is_(True))
    )
    return [
        (row.invt_no, facts_from_json(json.loads(row.facts)), row.status, float(row.revenue_at_stake or 0))
        for row in conn.execute(query.order_by(s.id))
    ]


def precision(conn: Connection) -> dict[str, dict[str, float]]:
    """Precision of past selections from recorded outcomes: per rule, for the model, at random."""
    from opencbec.risk.parcels import label_of

    s, d = risk_selection.c, t.document.c
    query = select(s.kind, s.rules, s.score, d.status).select_from(
        risk_selection.join(t.document, (d.invt_no == s.invt_no) & d.is_current.is_(True))
    )
    tally: dict[str, list[int]] = {}

    def add(name: str, label: int) -> None:
        cell = tally.setdefault(name, [0, 0])
        cell[0] += label
        cell[1] += 1

    for row in conn.execute(query):
        label = label_of(row.status)
        if label is None:
            continue
        add(f"kind:{row.kind}", label)
        for rule in json.loads(row.rules):
            add(f"rule:{rule}", label)
        if row.score is not None and row.kind == "targeted":
            add("model", label)
    return {
        k: {"selected": v[1], "positive": v[0], "precision": v[0] / v[1]} for k, v in sorted(tally.items())
    }


# --- rules stored by officers ---------------------------------------------------------------
def stored_rules(conn: Connection) -> list[dict[str, Any]]:
    """Every stored rule version, oldest first (definitions as data)."""
    r = risk_rule.c
    return [
        {**json.loads(row.definition), "changed_by": row.changed_by, "changed_at": row.changed_at.isoformat()}
        for row in conn.execute(select(risk_rule).order_by(r.rule_id, r.version))
    ]


def save_rule(conn: Connection, definition: dict[str, Any], officer: str, at: datetime) -> dict[str, Any]:
    """Store a new version of a rule; returns the definition.

    The version is one more than both the latest stored version and the version being changed (so an
    officer's first change of a shipped rule ``v1`` becomes ``v2``, never another ``v1``).
    """
    r = risk_rule.c
    latest = conn.execute(select(func.max(r.version)).where(r.rule_id == definition["id"])).scalar()
    changed = int(definition.get("version") or 0)
    definition = {**definition, "version": max(int(latest or 0), changed) + 1}
    conn.execute(
        risk_rule.insert().values(
            rule_id=definition["id"],
            version=definition["version"],
            definition=json.dumps(definition, ensure_ascii=False, default=str),
            valid_from=date.fromisoformat(str(definition["valid_from"])),
            valid_to=date.fromisoformat(str(definition["valid_to"])) if definition.get("valid_to") else None,
            enabled=bool(definition.get("enabled", True)),
            changed_by=officer,
            changed_at=at,
        )
    )
    return definition
