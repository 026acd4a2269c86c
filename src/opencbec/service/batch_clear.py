"""The batch driver behind ``cbec clear``: files in, receipts out, state in the store.

Reads files in sorted path order, decodes each message, feeds documents to the clearing core
in batches, applies the effects atomically, then writes the receipt files. The event-time
clock (``received_at``) is the largest ``appTime`` seen so far in the input, so the outcome
of a replay does not depend on the batch size or on when it is run.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from opencbec.clearing.config import ClearingConfig
from opencbec.clearing.numbering import DOCUMENT_IDS
from opencbec.clearing.ports import RulebookLike
from opencbec.clearing.state import Incoming
from opencbec.domain.documents import DecodedMessage, Inventory, parse_app_time
from opencbec.export.documents import ExportDecoded
from opencbec.export.state import XIncoming
from opencbec.gc_tuning import COLLECT_DOCUMENTS, PacedCollection
from opencbec.messages.encode import encode_ceb900
from opencbec.messages.errors import MessageRejected
from opencbec.messages.safe_xml import XmlLimits
from opencbec.service.commit_groups import COMMIT_DOCUMENTS, CommitGroups
from opencbec.service.core import clear_in_unit
from opencbec.service.decode_pool import Decoded, Verifier, decoded_files, spool_root_for
from opencbec.service.outbox import receipt_messages, write_files
from opencbec.service.receipt_encoder import OutboxBehind, ReceiptEncoder
from opencbec.store.repository import ClearingStore, MessageRow, OutboxRow
from opencbec.store.serialize import forget_json

READABLE_SUFFIXES = frozenset({".xml", ".json"})

#: Documents per clearing batch, and the weight at which a batch closes sooner (see ``BatchClearer``).
BATCH_DOCUMENTS = 5_000
BATCH_WEIGHT = 6_000

#: What an import list weighs in a batch: itself and the order, payment and waybill it is matched
#: with, which the batch loads from the store (see ``BatchClearer``'s ``batch_weight``).
LIST_WEIGHT = 4

EPOCH = datetime(2000, 1, 1)


def input_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Files to read: each PATH in the order given, directories recursively in sorted order.

    Inside directories only ``*.xml`` and ``*.json`` files are read (hidden files and the
    simulator's ``ground-truth*`` files are skipped); files named explicitly are always read.
    A directory is walked depth first with each directory's entries sorted by name, which is the
    order of ``sorted(directory.rglob("*"))``, but only one directory's names are held at a time,
    so listing a million files does not take memory in proportion.
    """
    for path in paths:
        if path.is_dir():
            yield from _walk(path)
        else:
            yield path


def _walk(directory: Path) -> Iterator[Path]:
    with os.scandir(directory) as it:
        entries = sorted((e.name, e.is_dir(follow_symlinks=False)) for e in it)
    for name, is_dir in entries:
        child = directory / name
        if is_dir:
            yield from _walk(child)
        elif (
            child.suffix.lower() in READABLE_SUFFIXES
            and not name.startswith((".", "ground-truth"))
            and child.is_file()
        ):
            yield child


@dataclass(slots=True)
class ClearSummary:
    """What a run did."""

    messages: int = 0
    rejected_messages: int = 0
    documents: int = 0
    replays: int = 0
    receipts: int = 0
    seconds: float = 0.0
    #: The run's own documents (not the whole store: a range of ids, however large the store) by
    #: ``kind:status``, as they stand at the end of the run.
    outcomes: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        """One-line summary for the terminal."""
        outcome = ", ".join(f"{k}={v}" for k, v in sorted(self.outcomes.items()))
        rate = self.documents / self.seconds if self.seconds else 0.0
        return (
            f"{self.messages} messages ({self.rejected_messages} refused by CEB900), "
            f"{self.documents} documents, {self.replays} replays; "
            f"this run's documents by status: {outcome or 'none'}; "
            f"{self.receipts} receipt messages; {self.seconds:.1f} s ({rate:,.0f} documents/s)"
        )


class BatchClearer:
    """Clears files of CEB messages into a store.

    A batch closes at ``batch_documents`` documents, or sooner when ``batch_weight`` is given and
    the batch's weight reaches it: a document weighs 1 and an import list ``LIST_WEIGHT``, for the
    three partners it brings from the store. Memory follows the weight, not the document count, so
    a stretch of traffic that is mostly lists (they come hours after their orders) cannot swell a
    batch. Outcomes do not depend on where batches close.

    Batches are committed in groups of at least ``commit_documents`` documents, each group's commit
    running behind while the next batch is gathered (``CommitGroups``); receipts go out once their
    batch is committed, and an error rolls back the group not yet committed.

    The garbage collector runs between batches, every ``collect_documents`` documents, not by
    allocation count (``gc_tuning.PacedCollection``; 0 leaves the process's thresholds alone).
    """

    def __init__(
        self,
        store: ClearingStore,
        rulebook: RulebookLike,
        config: ClearingConfig,
        outbox_dir: Path | None = None,
        *,
        batch_documents: int = BATCH_DOCUMENTS,
        batch_weight: int | None = None,
        require_signature: bool = False,
        limits: XmlLimits | None = None,
        verifier: Verifier | None = None,
        workers: int = 1,
        commit_documents: int = COMMIT_DOCUMENTS,
        collect_documents: int = COLLECT_DOCUMENTS,
    ) -> None:
        self.store = store
        self.rulebook = rulebook
        self.config = config
        self.outbox_dir = outbox_dir
        self.batch_documents = batch_documents
        self.batch_weight = batch_weight
        self.require_signature = require_signature
        self.limits = limits or XmlLimits()
        self.verifier = verifier
        self.workers = workers
        self.commit_documents = commit_documents
        self.collect_documents = collect_documents

    def run(self, paths: Sequence[Path], progress: Callable[[int], None] | None = None) -> ClearSummary:
        """Clear every message under ``paths``; ``progress`` is called with bytes read."""
        started = time.perf_counter()
        summary = ClearSummary()
        self._deliver_pending()
        last_before = self.store.counters().get(DOCUMENT_IDS, 0)  # the run's documents come after
        watermark = self.store.watermark() or EPOCH
        provisional = 0
        batch: list[Incoming] = []
        weight = 0
        weight_bound = self.batch_weight or 0
        export_batch: list[XIncoming] = []
        messages: list[MessageRow] = []
        rejections: list[OutboxRow] = []
        files = self._decoded(paths)
        # with decoding workers, the receipts are encoded by a process of their own too
        encoder = ReceiptEncoder(spool_root=spool_root_for(os.environ)) if self.workers > 1 else None
        self._outbox = None if encoder is None else OutboxBehind(encoder)
        self._groups = CommitGroups(
            self.store,
            self.commit_documents,
            self._deliver_pending,
            before_commit=None if self._outbox is None else self._outbox.before_commit,
            on_abandon=None if self._outbox is None else self._outbox.abandon,
        )
        self._collector = PacedCollection(self.collect_documents)
        try:
            self._collector.start()
            for item in files:
                path, size, data = item.path, item.size, item.data
                if progress:
                    progress(size)
                provisional += 1
                message_id = provisional  # replaced by the database id when the batch is stored
                summary.messages += 1
                try:
                    if isinstance(item.result, MessageRejected):
                        raise item.result
                    decoded = item.result
                except MessageRejected as exc:
                    summary.rejected_messages += 1
                    messages.append(_rejected_row(message_id, path, data, item.codec, exc, watermark))
                    xml = encode_ceb900(exc.info, exc.code, item.raw(), exc.message_type, exc.cop_msg_id)
                    rejections.append(OutboxRow("CEB900Message", _sender(exc) or "UNKNOWN", _guid(xml), xml))
                    continue
                env = decoded.envelope
                checked = item.checked  # the documents' own checks, when a decoding worker ran them
                for i, document in enumerate(decoded.documents):
                    watermark = max(watermark, _app_time(document.head.app_time) or watermark)
                    ahead = None if checked is None else (checked[i],)
                    batch.append(Incoming(document, env, message_id, watermark, ahead))
                    if weight_bound and isinstance(document, Inventory):
                        weight += LIST_WEIGHT - 1
                if isinstance(decoded, ExportDecoded):  # export requests go to the export core
                    for xdoc in decoded.export_documents:
                        watermark = max(watermark, _app_time(xdoc.head.app_time) or watermark)
                        export_batch.append(XIncoming(xdoc, env, message_id, watermark, list(decoded.quirks)))
                messages.append(
                    MessageRow(
                        message_id,
                        env.guid,
                        env.message_type,
                        env.sender,
                        env.cop_msg_id,
                        str(path),
                        watermark,
                        "accepted",
                        "",
                        len(decoded.documents) + _export_count(decoded),
                        data,
                        item.codec,
                    )
                )
                summary.documents += len(decoded.documents) + _export_count(decoded)
                size = len(batch) + len(export_batch)
                if size >= self.batch_documents or (weight_bound and size + weight >= weight_bound):
                    self._flush(batch, messages, rejections, watermark, summary, export_batch)
                    batch, messages, rejections, export_batch = [], [], [], []
                    weight = 0
            self._flush(batch, messages, rejections, watermark, summary, export_batch, last=True)
        except BaseException as exc:
            self._groups.abandon(exc)  # the batches not yet committed were not acknowledged either
            raise
        finally:
            files.close()
            forget_json()
            try:
                self._groups.close()
            finally:
                if encoder is not None:
                    encoder.close()
                self._collector.stop()
        self._deliver_pending()
        summary.outcomes.update(self.store.status_counts(after_document=last_before))
        summary.seconds = time.perf_counter() - started
        return summary

    def _decoded(self, paths: Sequence[Path]) -> Generator[Decoded, None, None]:
        return decoded_files(
            input_files(paths),
            require_signature=self.require_signature,
            limits=self.limits,
            workers=self.workers,
            verifier=self.verifier,
        )

    def _flush(
        self,
        batch: list[Incoming],
        messages: list[MessageRow],
        rejections: list[OutboxRow],
        watermark: datetime,
        summary: ClearSummary,
        export_batch: Sequence[XIncoming] = (),
        *,
        last: bool = False,
    ) -> None:
        unit = self._groups.unit()
        receipts = receipt_messages
        if self._outbox is not None:  # receipts encoded by the encoder, the outbox written at commit
            unit, receipts = self._outbox.hold(unit), self._outbox.receipts
        effects, outbox = clear_in_unit(
            unit, batch, messages, rejections, watermark, self.rulebook, self.config, export_batch, receipts
        )
        self._groups.cleared(len(batch) + len(export_batch), last=last)
        forget_json()  # serialisations remembered for documents of this batch that were not stored
        self._collector.cleared(len(batch) + len(export_batch))
        summary.replays += len(effects.replays)
        summary.receipts += len(outbox)

    def _deliver_pending(self) -> None:
        if self.outbox_dir is None:
            return
        directory = self.outbox_dir
        while self.store.deliver_pending(lambda rows: write_files(rows, directory)):
            pass


def _export_count(decoded: DecodedMessage) -> int:
    return len(decoded.export_documents) if isinstance(decoded, ExportDecoded) else 0


def _app_time(value: str) -> datetime | None:
    return parse_app_time(value)


def _guid(xml: bytes) -> str:
    start = xml.index(b'guid="') + 6
    return xml[start : xml.index(b'"', start)].decode()


def _rejected_row(
    message_id: int, path: Path, data: bytes, codec: str | None, exc: MessageRejected, at: datetime
) -> MessageRow:
    return MessageRow(
        message_id,
        exc.guid,
        exc.message_type,
        _sender(exc),
        exc.cop_msg_id,
        str(path),
        at,
        "rejected",
        f"[Code:{exc.code}] {exc.info}",
        0,
        data,
        codec,
    )


def _sender(exc: MessageRejected) -> str | None:
    sender = getattr(exc, "sender", None)
    return sender if isinstance(sender, str) else None
