"""The simulation run: order times -> planned parcels -> message files and ground truth."""

from __future__ import annotations

import random
import time
from dataclasses import asdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from opencbec.rules import Rulebook, shipped_rulebook
from opencbec.sim import documents
from opencbec.sim.calendar import daily_counts, order_times, window_minutes
from opencbec.sim.mix import TrafficMix
from opencbec.sim.outbox import Outbox
from opencbec.sim.plan import ParcelPlan
from opencbec.sim.planner import ParcelPlanner
from opencbec.sim.report import GroundTruth, SimulationReport
from opencbec.sim.truth import Policy

MIN_WAIT_HOURS = 6


def simulate(
    parcels: int,
    start: date,
    days: int,
    seed: int,
    out: Path,
    *,
    inspection_rate: Decimal = Decimal("0.02"),
    inspection_seed: str = "opencbec",
    partner_wait_hours: int = 24,
    mix: TrafficMix | None = None,
    rulebook: Rulebook | None = None,
) -> SimulationReport:
    """Write ``parcels`` parcels ordered over ``days`` days from ``start`` into ``out``.

    ``out/messages/<date>/<serial>_<type>.xml`` hold the messages (sorted path order = send
    order); ``out/ground-truth.jsonl`` and ``out/ground-truth-summary.json`` what the clearing
    core must decide with the same ``inspection_rate``, ``inspection_seed`` and
    ``partner_wait_hours``. The same arguments give byte-identical output.
    """
    if parcels < 0 or days < 1:
        raise ValueError(f"need parcels >= 0 and days >= 1, got {parcels} and {days}")
    if partner_wait_hours < MIN_WAIT_HOURS:
        raise ValueError(f"partner_wait_hours must be at least {MIN_WAIT_HOURS}")
    if not Decimal(0) <= inspection_rate <= Decimal(1):
        raise ValueError(f"inspection_rate must be in [0, 1], got {inspection_rate}")
    out = Path(out)
    messages = out / "messages"
    if messages.exists() and any(messages.iterdir()):
        raise FileExistsError(f"{messages} is not empty; simulate into a fresh directory")
    mix = mix or TrafficMix()
    book = rulebook or shipped_rulebook()
    book.at(start)  # raises RulesNotInForce before the CBEC regime
    began = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)

    counts = daily_counts(parcels, start, days)
    active = [i for i, n in enumerate(counts) if n]
    last_day = start + timedelta(days=active[-1] if active else 0)
    window = timedelta(minutes=window_minutes(parcels, days))
    policy = Policy(inspection_rate, inspection_seed, timedelta(hours=partner_wait_hours))
    rng = random.Random(f"opencbec-sim:{seed}")
    planner = ParcelPlanner(rng, book, mix, policy, window, last_day)
    origin = datetime(start.year, start.month, start.day)
    outbox = Outbox(out, origin, window, random.Random(f"opencbec-sim:{seed}:outbox"), mix.file_replay)
    truth = GroundTruth(out)

    skip, left, serial = 0, parcels, 0
    for at in order_times(counts, start, random.Random(f"opencbec-sim:{seed}:calendar")):
        if skip:
            skip -= 1
            continue
        outbox.send_until(at)
        planned = planner.plan(at, left)
        skip, left = len(planned) - 1, left - len(planned)
        for plan, outcome in planned:
            serial += 1
            plan.parcel_id = f"P{serial:08d}"
            truth.add(plan, outcome, _send(plan, outbox, rng))
    outbox.close()
    settings: dict[str, Any] = {
        "seed": seed,
        "start": start.isoformat(),
        "days": days,
        "windowMinutes": int(window.total_seconds() // 60),
        "inspectionRate": str(inspection_rate),
        "inspectionSeed": inspection_seed,
        "partnerWaitHours": partner_wait_hours,
        "mix": {k: (dict(v) if isinstance(v, dict) else v) for k, v in asdict(mix).items()},
    }
    summary = truth.close(outbox.sent, settings)
    return SimulationReport(
        out=out,
        parcels=truth.parcels,
        message_files=outbox.sent.files,
        documents=outbox.sent.total_documents,
        replayed_files=outbox.sent.replayed_files,
        window_minutes=settings["windowMinutes"],
        seconds=time.perf_counter() - began,
        summary=summary,
    )


def _send(plan: ParcelPlan, outbox: Outbox, rng: random.Random) -> dict[str, str | None]:
    """Queue the parcel's documents at their send times; return their guids."""
    t, p = plan.times, plan.parties
    guids: dict[str, str | None] = {
        "order": documents.new_guid(rng),
        "payment": documents.new_guid(rng) if t.payment is not None else None,
        "waybill": documents.new_guid(rng),
        "list": documents.new_guid(rng),
    }
    order = partial(documents.order, plan, _g(guids, "order"))
    outbox.schedule(t.order, "CEB311Message", p.platform.firm, order)
    if t.payment is not None:
        payment = partial(documents.payment, plan, _g(guids, "payment"))
        outbox.schedule(t.payment, "CEB411Message", p.payment_firm, payment)
    waybill = partial(documents.waybill, plan, _g(guids, "waybill"))
    outbox.schedule(t.waybill, "CEB511Message", p.carrier.firm, waybill)
    broker = p.site.broker
    inventory = partial(documents.inventory, plan, _g(guids, "list"), None)
    outbox.schedule(t.inventory, "CEB621Message", broker, inventory)
    if t.duplicate is not None:
        guids["duplicateList"] = guid = documents.new_guid(rng)
        again = partial(documents.inventory, plan, guid, t.duplicate.strftime("%Y%m%d%H%M%S"))
        outbox.schedule(t.duplicate, "CEB621Message", broker, again)
    return guids


def _g(guids: dict[str, str | None], kind: str) -> str:
    guid = guids[kind]
    assert guid is not None
    return guid
