"""The clearing of one batch inside a clearing unit: the one path shared by every driver."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.pipeline import Reach, clear
from opencbec.clearing.ports import RulebookLike
from opencbec.clearing.state import Effects, Incoming
from opencbec.export.state import XIncoming
from opencbec.service.export_clear import clear_export_in_unit
from opencbec.service.outbox import receipt_messages
from opencbec.store.repository import ClearingUnit, MessageRow, OutboxRow

#: Lists past their deadline settled per step ahead of a batch (see ``_settle_expired``).
EXPIRED_GROUP = 500

#: A batch's receipt messages from its effects (``outbox.receipt_messages``, or rows whose bytes an
#: encoding process gives later: ``receipt_encoder.OutboxBehind.receipts``).
Receipts = Callable[[Effects], list[OutboxRow]]


def clear_in_unit(
    unit: ClearingUnit,
    batch: list[Incoming],
    messages: Sequence[MessageRow],
    rejections: Sequence[OutboxRow],
    watermark: datetime,
    rulebook: RulebookLike,
    config: ClearingConfig,
    export_batch: Sequence[XIncoming] = (),
    receipts: Receipts = receipt_messages,
) -> tuple[Effects, list[OutboxRow]]:
    """The clearing of one batch inside a clearing unit, shared by ``cbec clear`` and the API.

    Stores ``messages`` (provisional ids in ``Incoming.message_id`` are renumbered to the database
    ids; an id that is not one of ``messages``' is taken as the database id of a message stored
    before), settles the lists past their deadline that the batch does not concern in bounded groups
    (``_settle_expired``), reads the state, runs the clearing core and applies its effects and
    receipts (``_clear_documents``), then writes ``rejections`` to the outbox. Returns the batch's
    effects (with the replays of every part when it was split) and every outbox row written.

    Export documents (``export_batch``, from messages decoded with ``accept_export``) are cleared
    by the export core in the same transaction, after the import batch; their receipts join the
    outbox.
    """
    provisional = [m.id for m in messages]
    renumber = dict(zip(provisional, unit.insert_messages(messages), strict=True))
    for inc in batch:  # documents of a message stored by an earlier unit keep its database id
        inc.message_id = renumber.get(inc.message_id, inc.message_id)
    for xinc in export_batch:
        xinc.message_id = renumber.get(xinc.message_id, xinc.message_id)
    floor = unit.watermark()
    watermark = max(watermark, floor or watermark)
    effects, written = _clear_documents(unit, batch, watermark, floor, rulebook, config, receipts)
    outbox = list(rejections)
    if export_batch:
        outbox += clear_export_in_unit(unit, export_batch, watermark)[1]
    unit.apply(Effects(), outbox, {}, watermark)
    return effects, [*written, *outbox]


def _clear_documents(
    unit: ClearingUnit,
    batch: Sequence[Incoming],
    watermark: datetime,
    floor: datetime | None,
    rulebook: RulebookLike,
    config: ClearingConfig,
    receipts: Receipts,
) -> tuple[Effects, list[OutboxRow]]:
    """Settle the expired lists, then clear ``batch`` and apply its effects and receipts.

    When the batch concerns more than ``EXPIRED_GROUP`` expired lists (late partners of lists
    whose wait ran out, all in one batch), it is cleared as two halves, each as if a batch had
    closed there (the first at its last document's time), so that no state read holds more than
    about that many of them with their partners. Where batches close does not change outcomes.
    """
    settled, concerned = _settle_expired(unit, batch, watermark, rulebook, config, receipts)
    if concerned > EXPIRED_GROUP and len(batch) > 1:
        first, second = batch[: len(batch) // 2], batch[len(batch) // 2 :]
        at = min(watermark, max(inc.received_at for inc in first))
        at = max(at, floor or at)
        early, written = _clear_documents(unit, first, at, floor, rulebook, config, receipts)
        effects, later = _clear_documents(unit, second, watermark, floor, rulebook, config, receipts)
        effects.replays[:0] = early.replays
        return effects, [*settled, *written, *later]
    counters = unit.counters()
    state = unit.load_state(
        batch, watermark, config.partner_wait, counters, risk_history=config.risk is not None
    )
    effects = clear(batch, state, rulebook, config, watermark)
    rows = receipts(effects)
    unit.apply(effects, rows, counters, None)
    return effects, [*settled, *rows]


def _settle_expired(
    unit: ClearingUnit,
    batch: Sequence[Incoming],
    watermark: datetime,
    rulebook: RulebookLike,
    config: ClearingConfig,
    receipts: Receipts,
) -> tuple[list[OutboxRow], int]:
    """Settle the lists whose deadline has passed by ``watermark`` and that ``batch`` does not
    concern, ``EXPIRED_GROUP`` at a time, in the unit's transaction; returns their receipts and
    how many expired lists the batch concerns.

    When the event clock jumps (a quiet night, the last hours of a run), thousands of lists can
    pass their deadline at once; loaded with the batch they and their partners would all be held
    together. Settled in groups first, only one group is held at a time, and the batch then loads
    just the waiting lists it concerns. The outcome is the one ``clear`` gives in the batch.
    """
    outbox: list[OutboxRow] = []
    concerned = 0
    after = 0
    reach = Reach.of(batch)
    while True:
        counters = unit.counters()
        state = unit.load_expired(watermark, config.partner_wait, counters, after, EXPIRED_GROUP)
        if not state.due_lists:
            return outbox, concerned
        after = state.due_lists[-1].doc_id
        found = len(state.due_lists)
        state.due_lists = reach.unconcerned(state.due_lists)
        concerned += found - len(state.due_lists)
        effects = clear((), state, rulebook, config, watermark)
        rows = receipts(effects)
        unit.apply(effects, rows, counters, None)
        outbox += rows
        if found < EXPIRED_GROUP:
            return outbox, concerned
