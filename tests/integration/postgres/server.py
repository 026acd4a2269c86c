"""A throwaway PostgreSQL server for the tests: initdb in a temporary directory, pg_ctl start.

Trust authentication, listening on 127.0.0.1 on a free port, its Unix socket in the temporary
directory, durability switched off (fsync, synchronous_commit, full_page_writes) because the
data is thrown away. As root the server runs as the ``postgres`` user (``initdb`` refuses root),
as docs in shared/docs/ecosystem.md describe.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg

PREFIX = "opencbec-pg-"
INITDB_OPTIONS = ("-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")


def find_bin_dir() -> Path | None:
    """``$PG_BIN`` if set, else the newest ``/usr/lib/postgresql/*/bin`` with initdb and pg_ctl."""
    if os.environ.get("PG_BIN"):
        candidates = [Path(os.environ["PG_BIN"])]
    else:
        versions = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()]
        candidates = sorted(versions, key=lambda p: int(p.parent.name), reverse=True)
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class TempServer:
    """A running throwaway server; :meth:`stop` ends it and deletes its files."""

    bin_dir: Path
    root: Path
    port: int
    run_as: list[str]

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        )

    def create_database(self) -> str:
        """A new empty database; returns its name."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # a generated name
        return name

    def drop_database(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        subprocess.run(
            [*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            check=False,
            timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def reap_orphans(bin_dir: Path) -> None:
    """Stop and delete servers left by test sessions that were killed before their teardown."""
    for owner in Path(tempfile.gettempdir()).glob(f"{PREFIX}*/owner.pid"):
        try:
            os.kill(int(owner.read_text()), 0)
            continue  # its session is still running
        except (ProcessLookupError, ValueError):
            pass
        except PermissionError:
            continue
        run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        TempServer(bin_dir, owner.parent, 0, run_as).stop()


def start(bin_dir: Path) -> TempServer:
    """initdb and start a server; raises RuntimeError with the server log if it cannot start."""
    reap_orphans(bin_dir)
    root = Path(tempfile.mkdtemp(prefix=PREFIX))  # short: the socket path must fit
    (root / "owner.pid").write_text(str(os.getpid()))
    run_as: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    data = root / "data"
    initdb = [*run_as, str(bin_dir / "initdb"), "-D", str(data), *INITDB_OPTIONS]
    init = subprocess.run(initdb, capture_output=True, text=True, check=False, timeout=120)
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stderr or init.stdout}")
    last = ""
    for _attempt in range(3):  # a free port can be taken between probing and binding
        port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=100"
        )
        pg_ctl = [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log")]
        start_cmd = [*pg_ctl, "-w", "-t", "60", "-o", options, "start"]
        started = subprocess.run(start_cmd, capture_output=True, text=True, check=False, timeout=90)
        if started.returncode == 0:
            server = TempServer(bin_dir, root, port, run_as)
            _wait_ready(server)
            return server
        log = root / "server.log"
        last = started.stderr + (log.read_text(errors="replace") if log.exists() else "")
    shutil.rmtree(root, ignore_errors=True)
    raise RuntimeError(f"pg_ctl start failed: {last}")


def _wait_ready(server: TempServer) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with server._admin():
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
