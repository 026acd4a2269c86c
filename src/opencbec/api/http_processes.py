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
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess

log = logging.getLogger("opencbec.api")
#: Pause before restarting an HTTP process that exited on its own.
RESTART_PAUSE_SECONDS = 1.0
#: Connections waiting to be accepted, per process.
BACKLOG = 2048


def reuse_port_supported() -> bool:
    """True where sockets can share a port (``SO_REUSEPORT``: Linux, the BSDs, macOS)."""
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port`` that other processes may listen on too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=BACKLOG, reuse_port=True)
    sock.set_inheritable(True)
    return sock


def check_port(host: str, port: int) -> None:
    """Fail at once (``OSError``) if ``host:port`` cannot be listened on (in use by another server)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        probe.bind((host, port))  # bound, never listening: it takes no connection


def _serve(host: str, port: int) -> None:
    """One HTTP process: the app from the environment (``app_from_env``) on a socket of its own."""
    import uvicorn

    sock = listening_socket(host, port)
    config = uvicorn.Config("opencbec.api.app:app_from_env", factory=True, log_config=None)
    uvicorn.Server(config).run(sockets=[sock])


class HttpProcesses:
    """``count`` HTTP processes on ``host:port``, restarted when one exits on its own."""

    def __init__(self, host: str, port: int, count: int) -> None:
        self.host, self.port, self.count = host, port, count
        self._context = multiprocessing.get_context("spawn")
        self._processes: list[BaseProcess] = []
        self._stopping = threading.Event()

    def run(self) -> None:
        """Start the processes and watch them until :meth:`stop` is called."""
        check_port(self.host, self.port)
        self._processes = [self._start() for _ in range(self.count)]
        while not self._stopping.is_set():
            wait([p.sentinel for p in self._processes], timeout=0.5)
            for i, process in enumerate(self._processes):
                if process.exitcode is None or self._stopping.is_set():
                    continue
                log.error(
                    "HTTP process exited; restarting",
                    extra={"event": "http_process_exit", "code": process.exitcode, "pid": process.pid},
                )
                self._stopping.wait(RESTART_PAUSE_SECONDS)
                if not self._stopping.is_set():
                    self._processes[i] = self._start()
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
