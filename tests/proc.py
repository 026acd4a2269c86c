"""Process facts for tests that start servers and pools, read from ``/proc``."""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")


def _stat(pid: int) -> list[str]:
    """The fields of ``/proc/PID/stat`` after the command name (state first); empty if it is gone."""
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the processes whose parent is ``pid``."""
    out = []
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) and int(fields[1]) == pid:
            try:
                out.append((int(entry.name), (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
            except OSError:
                continue
    return out


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``."""
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for parent in frontier for child, _cmd in children(parent)} - found
        found |= frontier
    return found


def state(pid: int) -> str:
    """The process state letter (``Z`` for a zombie, and for a process that is gone)."""
    fields = _stat(pid)
    return fields[0] if fields else "Z"


def nice(pid: int) -> int:
    """The process's nice value."""
    return int(_stat(pid)[16])
