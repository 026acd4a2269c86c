"""The online clearing worker as a process of its own: ``cbec work``.

``cbec serve --workers N`` (N > 1) runs N HTTP processes that only accept (decode, check, journal,
answer) and starts one ``cbec work`` process beside them that clears the queue and delivers the
webhooks. On a 2-core machine this keeps the clearing's share of the CPU from depending on how
the operating system happens to schedule the threads of busy HTTP processes: with a clearing
thread in each HTTP process, intake took most of the interpreter and the queue (so the time to a
release receipt) grew without bound under load. ``cbec serve`` restarts the worker if it dies.

On PostgreSQL (several hosts) run ``cbec serve`` with ``OPENCBEC_WORKER=false`` on the HTTP
hosts and ``cbec work`` where the clearing should run (several are safe: a batch claims its rows
under the clearing lock).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from opencbec.api.settings import Settings

log = logging.getLogger("opencbec.worker")
#: The worker looks for new submissions this often when idle (the HTTP processes cannot wake it).
WORKER_POLL_SECONDS = 0.02
#: Pause before restarting a worker that exited on its own.
RESTART_PAUSE_SECONDS = 1.0


def run_worker(settings: Settings) -> None:
    """Clear queued submissions (and deliver webhooks) until SIGTERM or SIGINT."""
    from opencbec.api.app import build_context, start_loops
    from opencbec.api.logs import configure_logging

    configure_logging(settings.log_format, settings.log_level)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    ctx = build_context(settings)
    loops = start_loops(ctx, poll_seconds=WORKER_POLL_SECONDS)
    log.info("worker started", extra={"event": "start", "role": "worker", "loops": [x.name for x in loops]})
    try:
        stop.wait()
    finally:
        for loop in loops:
            loop.stop()
        ctx.app.engine.dispose()
        log.info("worker stopped", extra={"event": "stop", "role": "worker"})


class WorkerProcess:
    """``cbec work`` as a child process of ``cbec serve``, restarted when it exits on its own."""

    def __init__(
        self,
        db: str,
        env_file: Path | None,
        env: dict[str, str],
        spawn: Callable[[list[str], dict[str, str]], subprocess.Popen[bytes]],
    ) -> None:
        self._env = env
        self._args = [sys.executable, "-m", "opencbec", "work", "--db", db]
        if env_file is not None:
            self._args += ["--env-file", str(env_file)]
        self._spawn = spawn
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._watch = threading.Thread(target=self._run, name="opencbec-worker-watch", daemon=True)

    def start(self) -> None:
        """Start the worker and watch it."""
        self._watch.start()

    def _run(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                self._proc = self._spawn(self._args, self._env)
                proc = self._proc
            code = proc.wait()
            if self._stopping.is_set():
                return
            log.error("clearing worker exited; restarting", extra={"event": "worker_exit", "code": code})
            self._stopping.wait(RESTART_PAUSE_SECONDS)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the worker (SIGTERM; SIGKILL after ``timeout`` seconds)."""
        self._stopping.set()
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._watch.join(timeout)


def spawn_worker(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start ``args`` with ``env`` (the settings); its logs go to our stderr."""
    return subprocess.Popen(args, env=env)
