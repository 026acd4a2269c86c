"""Receipt messages encoded by a process of their own, and written just before their batches commit.

Encoding a batch's receipts and tax notes as XML, and compressing them for the outbox, took the
clearing process of ``cbec clear`` about a tenth of its time (docs/performance.md, nineteenth
session). With decoding workers, the clearing process now only plans each receipt message (its
type, receiver, guid and entries, ``outbox.plan_receipts``) and hands the plans, in their wire form
(``outbox.wire_plan``), to an encoding process; the outbox rows of a transaction group are held in
order and written, with the encoded bytes, just before the group commits (``OutboxBehind``). So the
outbox rows, their ids and their bytes are those of encoding in the clearing process (tested), and a
group commits with its receipts or not at all.

Plans and answers travel as files in a spool directory (``decode_pool.spool_root_for``); the pipes
carry only their numbers, so neither process waits on the other to send (``helper_process``, which
the decoding workers share). The process ends itself if the clearing process is killed, and a
failure in it stops the run with its traceback.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack, suppress
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from opencbec.clearing.state import Effects
from opencbec.service.helper_process import (
    answer_task,
    end_helper,
    helper_failure,
    helper_nice,
    leave_orphaned,
    start_helper,
)
from opencbec.service.outbox import encode_wire, plan_receipts, wire_plan
from opencbec.store.codec import compress
from opencbec.store.repository import ClearingUnit, OutboxRow


class ReceiptEncoderError(RuntimeError):
    """The receipt encoding process died, or failed on a task."""


class ReceiptEncoder:
    """The encoding process: ``submit`` plans, ``take`` their compressed messages, both in order."""

    def __init__(self, *, spool_root: str | None = None, context: BaseContext | None = None) -> None:
        ctx = context or multiprocessing.get_context("forkserver")
        self.spool = Path(tempfile.mkdtemp(prefix="opencbec-receipts-", dir=spool_root))
        self.submitted = 0
        self.taken = 0
        task_out, self._tasks = ctx.Pipe(duplex=False)
        self._answers, answer_in = ctx.Pipe(duplex=False)
        self.process = ctx.Process(  # type: ignore[attr-defined]
            target=_serve,
            args=(task_out, answer_in, self.spool, os.getpid(), helper_nice()),
            name="opencbec-receipt-encoder",
            daemon=True,
        )
        try:
            self.process.start()
        except BaseException:
            shutil.rmtree(self.spool, ignore_errors=True)
            raise
        task_out.close()  # the process's ends: a dead process then reads as end of file
        answer_in.close()

    def submit(self, wires: Sequence[tuple[str, str, bytes]]) -> int:
        """Send the next task (wire forms of receipt messages); returns its number."""
        index = self.submitted
        (self.spool / f"{index}.task").write_bytes(pickle.dumps(list(wires), pickle.HIGHEST_PROTOCOL))
        try:
            self._tasks.send(index)
        except OSError as exc:
            raise self._lost() from exc
        self.submitted += 1
        return index

    def take(self, index: int) -> list[bytes]:
        """The messages of task ``index``, encoded and compressed (``store.codec``), in order; tasks
        are taken in the order they were submitted."""
        if index != self.taken or index >= self.submitted:
            raise IndexError(f"receipt encoder: task {index} is not the next to take ({self.taken})")
        try:
            status, number, detail = self._answers.recv()
        except (EOFError, OSError) as exc:
            raise self._lost() from exc
        if status != "ok" or number != index:
            raise helper_failure(ReceiptEncoderError(f"receipt encoder failed on task {number}"), detail)
        path = self.spool / f"{index}.answer"
        answer: list[bytes] = pickle.loads(path.read_bytes())
        path.unlink()
        self.taken += 1
        return answer

    def _lost(self) -> ReceiptEncoderError:
        self.process.join(1.0)
        return ReceiptEncoderError(
            f"receipt encoder (pid {self.process.pid}) ended with exit code {self.process.exitcode}"
        )

    def close(self) -> None:
        """Stop the process (terminated if it has tasks left, or does not stop) and remove the spool."""
        if self.submitted > self.taken:
            self.process.terminate()
        else:
            with suppress(OSError):
                self._tasks.send(None)
        end_helper(self.process, self._tasks, self._answers)
        shutil.rmtree(self.spool, ignore_errors=True)


def encode_task(wires: Sequence[tuple[str, str, bytes]]) -> list[bytes]:
    """What the encoding process does with a task: each message encoded, then compressed."""
    return [compress(encode_wire(*wire)) for wire in wires]


def _serve(tasks: Any, answers: Any, spool: Path, clearing_pid: int, nice: int) -> None:
    start_helper(clearing_pid, spool, nice)
    while True:
        try:
            index = tasks.recv()
        except (EOFError, OSError):  # the clearing process's end closed without a word: it was killed
            leave_orphaned(spool)
        if index is None:
            return
        task = spool / f"{index}.task"
        if not answer_task(answers, spool, index, f"{index}.answer", _encode_spooled, task):
            return


def _encode_spooled(task: Path) -> list[bytes]:
    wires = pickle.loads(task.read_bytes())
    task.unlink()
    return encode_task(wires)


class OutboxBehind:
    """The outbox rows of the open transaction group, held in order until it commits.

    ``receipts`` (the core's receipt step) plans a batch's receipt messages and submits them to the
    encoder; ``hold`` sets the group's clearing unit to keep its outbox rows, not write them;
    ``before_commit`` (registered on the group's transaction) takes the encoded bytes and writes the
    rows in the order the unit was given them, so the ids are those of writing them at once.
    """

    def __init__(self, encoder: ReceiptEncoder) -> None:
        self.encoder = encoder
        self._rows: list[OutboxRow] = []
        self._pending: list[tuple[int, list[OutboxRow]]] = []

    def receipts(self, effects: Effects) -> list[OutboxRow]:
        """The outbox rows of ``effects``' receipts, their bytes to come from the encoder."""
        plans = plan_receipts(effects)
        rows = [OutboxRow(p.message_type, p.receiver, p.guid, b"") for p in plans]
        if plans:
            self._pending.append((self.encoder.submit([wire_plan(p) for p in plans]), rows))
        return rows

    def hold(self, unit: ClearingUnit) -> ClearingUnit:
        """``unit``, set to keep the outbox rows it is given for ``before_commit``."""
        unit.held_outbox = self._rows
        return unit

    def before_commit(self, transaction: ExitStack, unit: ClearingUnit) -> None:
        """Have ``transaction`` write the held rows into ``unit`` just before it commits (not when
        it rolls back), and start holding afresh for the next group."""
        rows, pending = self._rows, self._pending
        self._rows, self._pending = [], []

        def write(exc_type: type[BaseException] | None, *_exc: object) -> bool:
            if exc_type is None:
                for index, encoded in pending:
                    for row, packed in zip(encoded, self.encoder.take(index), strict=True):
                        row.packed = packed
                unit.held_outbox = None
                unit.apply(Effects(), rows, {}, None)
            return False

        transaction.push(write)

    def abandon(self) -> None:
        """Forget the rows of a group rolled back (their answers taken and dropped, so that the next
        group's come next; an encoder that failed is left to fail the next take)."""
        pending = self._pending
        self._rows, self._pending = [], []
        for index, _rows in pending:
            try:
                self.encoder.take(index)
            except Exception:  # the error being handled is the caller's; this one shows at the next take
                return
