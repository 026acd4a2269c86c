"""The house rules of the architecture, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "opencbec"
IO_MODULES = {
    "sqlalchemy",
    "lxml",
    "typer",
    "rich",
    "fastapi",
    "socket",
    "sqlite3",
    "requests",
    "httpx",
    "yaml",
}
PURE_PACKAGES = ["domain", "clearing"]
UPWARD = {"opencbec.store", "opencbec.service", "opencbec.cli", "opencbec.bootstrap", "opencbec.messages"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_the_domain_and_the_clearing_core_import_no_io_library(package: str) -> None:
    for path in (SRC / package).rglob("*.py"):
        bad = {n for n in _imports(path) if n.split(".")[0] in IO_MODULES}
        assert not bad, f"{path.relative_to(SRC)} imports {bad}"


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_the_core_never_imports_upward(package: str) -> None:
    for path in (SRC / package).rglob("*.py"):
        bad = {n for n in _imports(path) if any(n == u or n.startswith(u + ".") for u in UPWARD)}
        assert not bad, f"{path.relative_to(SRC)} imports {bad}"


def test_modules_stay_small() -> None:
    too_long = {
        str(p.relative_to(SRC)): n
        for p in SRC.rglob("*.py")
        if p.name not in {"ceb_records.py", "ceb_export_records.py"}  # generated from the XSDs
        and (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not too_long
