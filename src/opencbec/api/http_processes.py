"""The HTTP processes of ``cbec serve --workers N``, each with a listening socket of its own.

With one listening socket shared by N processes (uvicorn's ``--workers``), the process that wakes
first accepts every connection waiting at that moment (an event loop accepts up to its backlog in
one go). Connections opened together, such as an enterprise system's or a reverse proxy's pool of
keep-alive connections, then mostly end up in one process, which is saturated while the others
idle. Here every process listens on the same port through its own socket (``SO_REUSEPORT``), and
the kernel spreads new connections evenly across them.

:class:`HttpProcesses` starts the N processes, restarts one that exits on its own and stops them all
on :meth:`HttpProcesses.stop`. Where ``SO_REUSEPORT`` does not exist, ``cbec serve`` falls back to
uvicorn's shared socket.
"""

from __future__ import annotations

import logging
import multiprocessing
import socket
import threading
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess

log = logging.getLogger("opencbec.api")
#: Pause before restarting an HTTP process that exited on its own.
RESTART_PAUSE_SECONDS = 1.0
#: Connections waiting to be accepted, per process.
BACKLOG = 2048
#: A process that exits within this many seconds of its start failed to start ...
QUICK_EXIT_SECONDS = 10.0
#: ... and after this many such exits in a row ``cbec serve`` gives up instead of restarting forever.
QUICK_EXITS_TO_GIVE_UP = 5


class ServeError(RuntimeError):
    """The HTTP processes cannot run (the port is taken, or they keep failing at start)."""


def reuse_port_supported() -> bool:
    """True where sockets can share a port (``SO_REUSEPORT``: Linux, the BSDs, macOS)."""
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port`` that other processes may listen on too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=BACKLOG, reuse_port=True)


def check_port(host: str, port: int) -> None:
    """Fail at once (``OSError``) if anything listens on ``host:port`` already.

    The probe binds without ``SO_REUSEPORT``, so it fails for any listener, a second ``cbec serve``
    on the same port included (which ``SO_REUSEPORT`` alone would let share the port unnoticed), and
    with ``SO_REUSEADDR``, so connections of an earlier run in TIME_WAIT do not count. It is bound,
    never listening, and closed before the HTTP processes start.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _serve(host: str, port: int) -> None:
    """One HTTP process: the app from the environment (``app_from_env``) on a socket of its own."""
    import uvicorn

    from opencbec.api.coalescing import CoalescingHttpToolsProtocol

    sock = listening_socket(host, port)
    config = uvicorn.Config(
        "opencbec.api.app:app_from_env", factory=True, log_config=None, http=CoalescingHttpToolsProtocol
    )
    uvicorn.Server(config).run(sockets=[sock])


class HttpProcesses:
    """``count`` HTTP processes on ``host:port``, restarted when one exits on its own."""

    def __init__(self, host: str, port: int, count: int) -> None:
        self.host, self.port, self.count = host, port, count
        self._context = multiprocessing.get_context("spawn")
        self._processes: list[BaseProcess] = []
        self._started: list[float] = []
        self._stopping = threading.Event()

    def run(self) -> None:
        """Start the processes and watch them until :meth:`stop` is called.

        Raises :class:`ServeError` if the port cannot be listened on, or (after stopping the
        others) when processes keep exiting right after they start.
        """
        try:
            check_port(self.host, self.port)
        except OSError as exc:
            raise ServeError(f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}") from exc
        self._processes = [self._start() for _ in range(self.count)]
        self._started = [time.monotonic()] * self.count
        quick_exits = 0
        try:
            while not self._stopping.is_set():
                wait([p.sentinel for p in self._processes], timeout=0.5)
                for i, process in enumerate(self._processes):
                    if process.exitcode is None or self._stopping.is_set():
                        continue
                    lived = time.monotonic() - self._started[i]
                    quick_exits = quick_exits + 1 if lived < QUICK_EXIT_SECONDS else 0
                    log.error(
                        "HTTP process exited; restarting",
                        extra={"event": "http_process_exit", "code": process.exitcode, "pid": process.pid},
                    )
                    if quick_exits >= QUICK_EXITS_TO_GIVE_UP:
                        raise ServeError(
                            f"HTTP processes exited {quick_exits} times in a row within "
                            f"{QUICK_EXIT_SECONDS:.0f} s of starting; stopped (their errors are above)"
                        )
                    self._stopping.wait(RESTART_PAUSE_SECONDS)
                    if not self._stopping.is_set():
                        self._processes[i] = self._start()
                        self._started[i] = time.monotonic()
        finally:
            self._terminate()

    def stop(self) -> None:
        """Ask :meth:`run` to stop the processes and return (callable from a signal handler)."""
        self._stopping.set()

    def pids(self) -> list[int | None]:
        """The process ids of the running processes."""
        return [p.pid for p in self._processes]

    def _start(self) -> BaseProcess:
        process = self._context.Process(target=_serve, args=(self.host, self.port), name="opencbec-http")
        process.start()
        return process

    def _terminate(self, timeout: float = 30.0) -> None:
        for process in self._processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in progress
        for process in self._processes:
            process.join(timeout)
            if process.is_alive():
                process.kill()
                process.join()
