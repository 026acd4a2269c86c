"""The ``cbec`` console script imports a light entry module, so its worker processes stay light."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: A script of the same shape as the console script pip generates for ``cbec``, which starts a
#: forkserver process (as ``cbec clear`` does for its decoding workers) and asks it what it loaded.
SCRIPT = """\
import sys
from {module} import main
if __name__ == "__main__":
    import functools
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        probe = functools.partial(eval, "sorted(m for m in ('opencbec.cli', 'typer') "
                                        "if m in __import__('sys').modules)")
        print(pool.submit(probe).result())
"""


def _worker_modules(tmp_path: Path, module: str) -> str:
    script = tmp_path / "cbec"
    script.write_text(SCRIPT.format(module=module))
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_console_script_points_at_the_light_entry() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["cbec"] == "opencbec.entry:main"


def test_a_worker_of_the_console_script_does_not_load_the_command_line(tmp_path: Path) -> None:
    assert _worker_modules(tmp_path, "opencbec.entry") == "[]"
    # the reason for the light entry: with the command line as the entry, every worker loads it
    assert _worker_modules(tmp_path, "opencbec.cli") == "['opencbec.cli', 'typer']"


RUN_HELP = "import sys; from opencbec.entry import main; sys.argv = ['cbec', '--help']; main()"


def test_the_entry_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-c", RUN_HELP],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "clear" in done.stdout
