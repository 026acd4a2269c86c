"""Running the API (``cbec serve``) and the demo data a newcomer sees on an empty database."""

from __future__ import annotations

import logging
import os
import signal
import tempfile
from datetime import date
from pathlib import Path

import uvicorn
from sqlalchemy import func, select

from opencbec import bootstrap
from opencbec.api.coalescing import CoalescingHttpToolsProtocol
from opencbec.api.http_processes import HttpProcesses, reuse_port_supported
from opencbec.api.settings import Settings
from opencbec.api.worker import WorkerProcess, spawn_worker
from opencbec.service.batch_clear import ClearSummary
from opencbec.store import schema as t

log = logging.getLogger("opencbec.api")
DEMO_PARCELS = 1000
DEMO_START = date(2024, 6, 1)
#: ``nice`` of the HTTP processes beside a clearing worker: intake yields the CPU to the clearing.
HTTP_NICE = 5


def is_empty(db: str) -> bool:
    """True when the database holds no message at all."""
    app = bootstrap.build(db)
    try:
        with app.engine.connect() as conn:
            return not conn.execute(select(func.count()).select_from(t.message)).scalar()
    finally:
        app.engine.dispose()


def load_demo_data(db: str, parcels: int = DEMO_PARCELS, seed: int = 7) -> ClearSummary:
    """Simulate a day of traffic and clear it into ``db`` (``cbec clear --signatures skip``)."""
    from opencbec.sim import simulate

    app = bootstrap.build(db)
    try:
        with tempfile.TemporaryDirectory(prefix="opencbec-demo-") as tmp:
            simulate(parcels, DEMO_START, 1, seed, Path(tmp))
            clearer = bootstrap.batch_clearer(app, None, verify_signatures=False)
            return clearer.run([Path(tmp) / "messages"])
    finally:
        app.engine.dispose()


def serve(
    db: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    *,
    demo_data: bool | None = None,
    env_file: Path | None = None,
) -> None:
    """Run the API with uvicorn on ``db`` (default ``$OPENCBEC_DB`` or ``./opencbec.db``).

    ``demo_data`` (default: on only for the default SQLite database) loads a simulated day into
    an empty database first. Settings other than the database come from ``OPENCBEC_*``
    environment variables or ``env_file``. With ``workers > 1`` each HTTP process builds the app
    from the environment and only accepts; one ``cbec work`` process started beside them (and
    restarted if it dies) clears the queue and delivers webhooks (:mod:`opencbec.api.worker`).
    """
    from opencbec.api.settings import load_settings

    settings = load_settings(env_file, **({"db": db} if db else {}))
    if demo_data is None:
        demo_data = db is None and "OPENCBEC_DB" not in os.environ
    if demo_data and is_empty(settings.db):
        summary = load_demo_data(settings.db)
        log.info("demo data loaded", extra={"event": "demo_data", "summary": summary.line()})
    if workers > 1:
        _serve_with_worker(settings, host, port, workers, env_file)
        return
    from opencbec.api.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, http=CoalescingHttpToolsProtocol)


def _serve_with_worker(settings: Settings, host: str, port: int, workers: int, env_file: Path | None) -> None:
    """``workers`` HTTP processes that only accept, and one ``cbec work`` process that clears."""
    os.environ["OPENCBEC_DB"] = settings.db
    if env_file is not None:
        os.environ.setdefault("OPENCBEC_ENV_FILE", str(env_file))
    worker = None
    if settings.worker or settings.webhooks:
        worker = WorkerProcess(settings.db, env_file, dict(os.environ), spawn_worker)
        worker.start()
        os.environ["OPENCBEC_WORKER"] = os.environ["OPENCBEC_WEBHOOKS"] = "false"  # for the HTTP processes
        os.environ.setdefault("OPENCBEC_HTTP_NICE", str(HTTP_NICE))
    try:
        if reuse_port_supported():
            _run_http_processes(HttpProcesses(host, port, workers))
        else:  # one socket shared by uvicorn's processes
            uvicorn.run(
                "opencbec.api.app:app_from_env",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_config=None,
                http=CoalescingHttpToolsProtocol,
            )
    finally:
        if worker is not None:
            worker.stop()


def _run_http_processes(processes: HttpProcesses) -> None:
    """Run ``processes`` until SIGTERM or SIGINT (then stop them, letting requests in progress end)."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    for sig in previous:
        signal.signal(sig, lambda *_: processes.stop())
    log.info(
        "serving",
        extra={"event": "start", "role": "http", "processes": processes.count, "port": processes.port},
    )
    try:
        processes.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
