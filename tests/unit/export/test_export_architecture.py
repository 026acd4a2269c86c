"""The export package is pure (no I/O imports, nothing from the outer layers) except its CLI."""

from __future__ import annotations

from pathlib import Path

from tests.unit.test_architecture import IO_MODULES, UPWARD, _imports

EXPORT = Path(__file__).resolve().parents[3] / "src" / "opencbec" / "export"


def test_the_export_core_is_pure() -> None:
    for path in EXPORT.glob("*.py"):
        if path.name == "cli.py":
            continue
        names = _imports(path)
        assert not {n for n in names if n.split(".")[0] in IO_MODULES}, path.name
        assert not {n for n in names if any(n == u or n.startswith(u + ".") for u in UPWARD)}, path.name


def test_modules_stay_under_300_lines() -> None:
    src = EXPORT.parent
    mine = [
        *EXPORT.glob("*.py"),
        *src.glob("messages/export_*.py"),
        *src.glob("sim/export_*.py"),
        src / "store" / "export_repo.py",
        src / "service" / "export_clear.py",
        src / "api" / "export_routes.py",
    ]
    assert {p.name: n for p in mine if (n := len(p.read_text(encoding="utf-8").splitlines())) >= 300} == {}
