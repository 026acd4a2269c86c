"""Starting the decoding workers' fork server early, while the command line is still loading.

``cbec clear --workers N`` (N > 1) decodes in worker processes forked from a ``forkserver``
(``decode_workers``). Started on first use, the fork server and then each worker imported the
decoding code (lxml, the message layouts, the domain) only after the clearing process had loaded
its own and opened the store. :func:`start_forkserver` starts the fork server at once, from the
light entry point (``opencbec.entry``), with that code preloaded, so that it loads while the
clearing process loads its own, and each worker starts with it loaded: the first chunk's answer
came 0.02-0.03 s after it was asked for instead of 0.11-0.12 s (ad hoc, two runs each). This
module imports only the standard library.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from multiprocessing import forkserver

#: What the fork server loads before it forks the first worker.
PRELOAD = ("opencbec.service.decode_workers",)


def decodes_in_workers(args: Sequence[str]) -> bool:
    """Whether the command line ``args`` (without the program) is a ``clear`` that may decode in
    workers: not with ``--workers 1``, and not on a single CPU (``--workers 0``, the default,
    chooses 2 processes on two or more CPUs when there are enough files)."""
    words = [a for a in args if not a.startswith("-")]
    if not words or words[0] != "clear" or (os.cpu_count() or 1) < 2:
        return False
    for i, arg in enumerate(args):
        value = arg.split("=", 1)[1] if arg.startswith("--workers=") else None
        if arg == "--workers" and i + 1 < len(args):
            value = args[i + 1]
        if value is not None:
            return not value.isdigit() or int(value) != 1
    return True


def start_forkserver() -> None:
    """Start the fork server now, preloading the decoding code (see the module doc)."""
    multiprocessing.set_forkserver_preload(list(PRELOAD))
    forkserver.ensure_running()
