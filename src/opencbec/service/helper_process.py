"""What ``cbec clear``'s helper processes share: the decoding workers (``decode_workers``) and the
receipt encoder (``receipt_encoder``).

A helper lowers its CPU priority and watches for its clearing process to disappear
(``start_helper``); it answers each task by pickling its result into a spool file and sending only the
outcome (``answer_task``), so that neither process waits on the other to send; a failure travels back
with its traceback (``portable_error``, ``helper_failure``); one whose clearing process is gone
removes the spool directory and ends (``leave_orphaned``); and the clearing process stops it with
``end_helper``.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NoReturn

from opencbec.gc_tuning import tune_garbage_collector

#: How long ``end_helper`` waits for a helper to end after asking it to, before it is terminated.
STOP_SECONDS = 5.0
#: How often a helper checks that the clearing process is still there.
ORPHAN_CHECK_SECONDS = 1.0
#: Held while a helper writes an answer to the spool and while it removes the spool to end: an
#: answer written just after the removal would be left behind.
SPOOL_WRITE = threading.Lock()
#: How much lower the CPU priority (``nice``) of ``cbec clear``'s helper processes is (the decoding
#: workers and the receipt encoder), so that the clearing process, the one that sets the pace, gets
#: a core when all want one (docs/performance.md, nineteenth session); ``OPENCBEC_HELPER_NICE`` sets it.
HELPER_NICE = 10
HELPER_NICE_ENV = "OPENCBEC_HELPER_NICE"


def helper_nice(environ: Mapping[str, str] = os.environ) -> int:
    """The helpers' ``nice`` increment: ``OPENCBEC_HELPER_NICE`` (0 to 19) or :data:`HELPER_NICE`."""
    value = environ.get(HELPER_NICE_ENV, "").strip()
    if not value:
        return HELPER_NICE
    if not value.isdigit() or int(value) > 19:
        raise ValueError(f"{HELPER_NICE_ENV} must be a whole number from 0 to 19, like 10; got {value!r}")
    return int(value)


def lower_priority(nice: int) -> None:
    """Lower this process's CPU priority by ``nice`` (a helper's first step)."""
    if nice:
        os.nice(nice)


def start_helper(clearing_pid: int, spool: Path | None, nice: int) -> None:
    """A helper's first steps: its priority lowered by ``nice``, the garbage collector tuned, and a
    thread that ends the helper (removing ``spool``) when the clearing process is gone."""
    lower_priority(nice)
    tune_garbage_collector()
    threading.Thread(
        target=watch_clearing_process, args=(clearing_pid, spool), name="opencbec-orphan-watch", daemon=True
    ).start()


def end_helper(process: multiprocessing.process.BaseProcess, tasks: Connection, answers: Connection) -> None:
    """Wait for a helper process told to stop (terminated if it does not), and close its pipes."""
    process.join(STOP_SECONDS)
    if process.is_alive():
        process.terminate()
        process.join(STOP_SECONDS)
    tasks.close()
    answers.close()


def answer_task(
    answers: Connection, spool: Path, index: int, name: str, work: Callable[..., Any], *args: Any
) -> bool:
    """Do task ``index`` of a helper process: ``work(*args)``'s result pickled into ``spool / name``,
    then the outcome sent to the clearing process (``ok``, or ``failed`` with the error and its
    traceback); False when it failed. A helper whose clearing process is gone ends here."""
    try:
        data = pickle.dumps(work(*args), protocol=pickle.HIGHEST_PROTOCOL)
        with SPOOL_WRITE:  # not while the orphan watch removes the directory
            (spool / name).write_bytes(data)
    except BaseException as exc:
        answer: tuple[str, int, Any] = ("failed", index, portable_error(exc))
    else:
        answer = ("ok", index, None)
    try:
        answers.send(answer)
    except OSError:  # the clearing process's end of the pipe is closed: it was killed
        leave_orphaned(spool)
    return answer[0] == "ok"


def leave_orphaned(spool: Path | None) -> NoReturn:
    """End the worker whose clearing process is gone, removing the spool directory it cannot."""
    with SPOOL_WRITE:
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)
        os._exit(1)


def portable_error(exc: BaseException) -> tuple[BaseException | None, str]:
    """``exc`` (if it survives pickling) and its traceback, for the clearing process to raise."""
    text = traceback.format_exc()
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return None, text
    return exc, text


def helper_failure(error: RuntimeError, detail: Any) -> BaseException:
    """A helper's own exception (as ``concurrent.futures`` would raise it), with ``error`` and the
    helper's traceback as its cause; ``error`` with the traceback when the exception could not travel."""
    exc, text = detail if isinstance(detail, tuple) else (None, repr(detail))
    cause = type(error)(f"{error}:\n{text}")
    if isinstance(exc, BaseException):
        exc.__cause__ = cause
        return exc
    return cause


def watch_clearing_process(pid: int, spool: Path | None) -> None:
    """A helper's watch thread: end the helper (``leave_orphaned``) once process ``pid`` is gone."""
    while True:
        time.sleep(ORPHAN_CHECK_SECONDS)
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):  # gone (or the pid now is another user's)
            leave_orphaned(spool)
