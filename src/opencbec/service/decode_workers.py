"""Decoding processes that run ahead of the clearing process, each with a pipe of its own.

``cbec clear --workers N`` decodes in ``N - 1`` worker processes. Chunk ``i`` of the input goes
to worker ``i % (N - 1)`` through that worker's task pipe; the worker decodes it, writes the
pickled answer to a spool file and sends back only the chunk's number. The clearing process
reads each answer in one read, in input order, when it needs it.

Why not a ``ProcessPoolExecutor``: its tasks reach a worker through a queue only two deep, and
its answers come back through a 64 KiB pipe, both handled by a thread of the clearing process
that must win the GIL from the clearing thread for every task and every 64 KiB. The workers sat
idle for want of tasks while the clearing thread waited for answers (docs/performance.md, "Tenth
session", "Feeding the decoding worker"). Here a worker holds every task sent to it, its answers
wait in files, and nothing runs in the clearing process between two of its own reads.

The spool directory is a new directory under ``spool_root`` (``decode_pool.spool_root_for``:
``OPENCBEC_DECODE_SPOOL``, else ``/dev/shm`` when it has room, else the system's temporary
directory), removed when decoding ends, however it ends. A worker that dies or fails stops the run
with an error naming it; a worker whose clearing process is gone (seen by ``warm_up``'s watch, or
because its answer cannot be sent) ends itself and removes the spool directory.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import queue
import shutil
import tempfile
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from opencbec.clearing.checks import own_checks
from opencbec.domain.documents import DecodedMessage
from opencbec.messages.safe_xml import XmlLimits
from opencbec.service import record_pickle
from opencbec.service.decoded import Decoded, Verifier, read_and_decode
from opencbec.service.helper_process import (
    answer_task,
    end_helper,
    helper_failure,
    helper_nice,
    leave_orphaned,
    start_helper,
)
from opencbec.store.record_arrays import document_data

# decoded documents travel from the workers in their compact pickled form: importing record_pickle
# registers it in both processes; this call (a no-op then) states the dependency
record_pickle.register()

#: What a worker's inbox gets when its task pipe closes without the word to stop.
_GONE = "gone"
#: The verifier of a worker process (set once by ``warm_up``).
_WORKER_VERIFIER: Verifier | None = None


class DecodingWorkerError(RuntimeError):
    """A decoding worker died, or failed on a chunk in a way that is not a message's refusal."""


@dataclass(slots=True)
class _Worker:
    process: multiprocessing.process.BaseProcess
    tasks: Connection
    answers: Connection


class DecodingWorkers:
    """``count`` decoding processes; ``submit`` chunks in order and ``take`` their answers in order."""

    def __init__(
        self,
        count: int,
        *,
        require_signature: bool,
        limits: XmlLimits,
        verifier: Verifier | None = None,
        spool_root: str | None = None,
        context: BaseContext | None = None,
    ) -> None:
        if count < 1:
            raise ValueError(f"decoding workers: need at least 1, got {count}")
        ctx = context or multiprocessing.get_context("forkserver")
        self.spool = Path(tempfile.mkdtemp(prefix="opencbec-decode-", dir=spool_root))
        self.workers: list[_Worker] = []
        self.submitted = 0
        self.taken = 0
        nice, pid = helper_nice(), os.getpid()
        try:
            for number in range(count):
                task_out, task_in = ctx.Pipe(duplex=False)
                answer_out, answer_in = ctx.Pipe(duplex=False)
                process = ctx.Process(  # type: ignore[attr-defined]
                    target=_serve,
                    args=(task_out, answer_in, self.spool, require_signature, limits, verifier, pid, nice),
                    name=f"opencbec-decoder-{number}",
                    daemon=True,
                )
                process.start()
                task_out.close()  # the worker's ends: a dead worker then reads as end of file
                answer_in.close()
                self.workers.append(_Worker(process, task_in, answer_out))
        except BaseException:
            self.close()
            raise

    def submit(self, paths: list[Path]) -> None:
        """Send the next chunk (its files in order) to its worker."""
        index = self.submitted
        worker = self.workers[index % len(self.workers)]
        try:
            worker.tasks.send((index, [str(p) for p in paths]))
        except OSError as exc:  # the worker is gone
            raise self._lost(worker) from exc
        self.submitted += 1

    def take(self) -> list[Decoded]:
        """The answer to the oldest chunk not yet taken (waits for it)."""
        if self.taken >= self.submitted:
            raise IndexError("decoding workers: no chunk submitted that was not taken")
        index = self.taken
        worker = self.workers[index % len(self.workers)]
        try:
            status, number, detail = worker.answers.recv()
        except (EOFError, OSError) as exc:
            raise self._lost(worker) from exc
        if status != "ok" or number != index:
            raise _failure(worker, number, detail)
        path = self.spool / f"{index}.pickle"
        data = path.read_bytes()
        path.unlink()
        self.taken += 1
        items: list[Decoded] = pickle.loads(data)
        return items

    def _lost(self, worker: _Worker) -> DecodingWorkerError:
        worker.process.join(1.0)
        return DecodingWorkerError(
            f"decoding worker {worker.process.name} (pid {worker.process.pid}) ended "
            f"with exit code {worker.process.exitcode}"
        )

    def close(self) -> None:
        """Stop the workers and remove the spool directory. Workers with chunks still to answer
        (decoding ended early, on an error) are terminated; the others are told to stop, and
        terminated if they do not."""
        unanswered = self.submitted > self.taken
        for worker in self.workers:
            if unanswered:
                worker.process.terminate()
                continue
            with contextlib.suppress(OSError):
                worker.tasks.send(None)
        for worker in self.workers:
            end_helper(worker.process, worker.tasks, worker.answers)
        shutil.rmtree(self.spool, ignore_errors=True)

    def __enter__(self) -> DecodingWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve(
    tasks: Connection,
    answers: Connection,
    spool: Path,
    require_signature: bool,
    limits: XmlLimits,
    verifier: Verifier | None,
    clearing_pid: int,
    nice: int = 0,
) -> None:
    """A worker's life: decode each chunk sent, until told to stop or the clearing process is gone.

    A thread takes the tasks off the pipe as they come, so that the clearing process never waits
    to send one while the worker decodes.
    """
    warm_up(verifier, clearing_pid, spool, nice)
    inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
    threading.Thread(target=_receive, args=(tasks, inbox), name="opencbec-decoder-inbox", daemon=True).start()
    while True:
        task = inbox.get()
        if task is None:
            return
        if task is _GONE:  # the clearing process's end closed without a word: it was killed
            leave_orphaned(spool)
        index, names = task
        paths = [Path(name) for name in names]
        name = f"{index}.pickle"
        if not answer_task(answers, spool, index, name, decode_chunk, paths, require_signature, limits):
            return


def _failure(worker: _Worker, number: int, detail: Any) -> BaseException:
    error = DecodingWorkerError(f"decoding worker {worker.process.name} failed on chunk {number}")
    return helper_failure(error, detail)


def decode_chunk(paths: list[Path], require_signature: bool, limits: XmlLimits) -> list[Decoded]:
    """Runs in a worker: decode the files, serialise their documents for storage and run their
    own checks too, and compress the files' bytes for storage (work taken off the clearing process).

    A message whose documents all read back equal from their stored text sends them only as that
    text, their array form (``store.record_arrays``; ``Decoded.kinds`` set, ``result.documents``
    emptied): pickling the documents cost the worker more than rebuilding them from the arrays costs
    the clearing process (``decode_pool.rebuild_documents``).
    """
    out = [read_and_decode(p, require_signature, limits, _WORKER_VERIFIER) for p in paths]
    for item in out:
        item.pack()
        result = item.result
        if isinstance(result, DecodedMessage):
            docs = result.documents
            item.stored_json = tuple(map(document_data, docs))
            item.checked = tuple(map(own_checks, docs))
            # the array form is given only to documents that read back equal from it
            if docs and type(docs) is list and all(text.startswith("[") for text in item.stored_json):
                item.kinds = tuple(d.kind.value for d in docs)
                result.documents = []
    return out


def warm_up(verifier: Verifier | None, clearing_pid: int, spool: Path | None = None, nice: int = 0) -> None:
    """Lower the worker's priority by ``nice``, load the schemas once, before the first task, and
    keep its verifier.

    A worker also ends itself when the clearing process is gone (killed: nobody would take its
    results), instead of decoding on as an orphan, and removes the ``spool`` directory the
    clearing process could not.
    """
    from opencbec.messages.schema import import_schema

    global _WORKER_VERIFIER
    _WORKER_VERIFIER = verifier
    start_helper(clearing_pid, spool, nice)
    import_schema(False)
    import_schema(True)


def _receive(tasks: Connection, inbox: queue.SimpleQueue[Any]) -> None:
    while True:
        try:
            task = tasks.recv()
        except (EOFError, OSError):  # the clearing process closed its end
            task = _GONE
        inbox.put(task)
        if task is None or task is _GONE:
            return
