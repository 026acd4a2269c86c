"""``cbec bench``: one run, one traffic, every figure; JSON plus a Markdown table with machine facts."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import date
from pathlib import Path
from typing import Any

from opencbec.bench.child import run_child
from opencbec.bench.cost_floor import TARGET_SHARE, cost_floor
from opencbec.bench.floor import parse_floor
from opencbec.bench.online import OnlineResult, run_online
from opencbec.bench.traffic import Traffic, cached_traffic
from opencbec.store.engine import remove_sqlite_file

#: The parse floor is the fastest of this many passes over the traffic. One pass, as until
#: 2026-11-30, measured whatever the page cache and the machine's moment gave it (once 18.0 s,
#: where the same code took 6.9–9.8 s that day), while the batch runs after it read the files warm.
FLOOR_PASSES = 3
#: The closed-loop online run's connections. Until 2026-11-30 it was 16, which left the server's
#: two cores partly idle (its throughput was bounded by the round trip, not by the CPU; see
#: docs/performance.md, "Where the time goes now", seventeenth session); 32 keep them busy with
#: the acknowledgement p99 under 100 ms.
CLOSED_LOOP_CONNECTIONS = 32
#: The connections of the earlier tables' closed loop, run as well for comparison (``cbec bench``).
EARLIER_CONNECTIONS = 16


def bench(
    parcels: int,
    work: Path,
    *,
    online_seconds: float = 0.0,
    postgres_url: str | None = None,
    single_process: bool = True,
    large_parcels: int | None = None,
    batch_runs: int = 1,
    online_connections: int = CLOSED_LOOP_CONNECTIONS,
    compare_connections: int = 0,
    target_rate: int = 0,
    log: Any = print,
) -> dict[str, Any]:
    """Measure and return the figures (see docs/performance.md for their meaning).

    The 2-process SQLite batch row (the one the targets are about) is run ``batch_runs`` times, each
    into a fresh file, and reports the median run (see :func:`median_run`); every run's time, peak
    RSS and summary line are kept under ``batch_runs``.

    The closed-loop online run sends over ``online_connections`` connections; with
    ``compare_connections`` > 0 a second closed-loop run over that many follows
    (``online_compare_*``), for comparison with tables made with that load. After the paced run
    (80 % of the closed loop's throughput) a run paced at ``target_rate`` messages/s follows when
    it is > 0 (``online_target_*``): issue #6's online target read literally, the rate offered
    whatever the machine's hour.
    """
    work.mkdir(parents=True, exist_ok=True)
    log(f"traffic: {parcels:,} parcels (cached in {work})")
    traffic = cached_traffic(parcels, work)
    result: dict[str, Any] = {
        "date": date.today().isoformat(),
        "parcels": parcels,
        "messages": traffic.messages,
        "documents": traffic.documents,
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}",
    }
    log(f"parse floor ({FLOOR_PASSES} passes, the fastest counts) ...")
    passes = [parse_floor(traffic.files) for _ in range(FLOOR_PASSES)]
    floor_s, elements = min(passes)
    result.update(
        parse_floor_seconds=round(floor_s, 2),
        parse_floor_passes=[round(seconds, 2) for seconds, _ in passes],
        parse_floor_messages_per_s=round(traffic.messages / floor_s, 1),
        parse_floor_parcels_per_s=round(parcels / floor_s, 1),
        parse_floor_elements=elements,
    )
    workers = 2 if (os.cpu_count() or 1) >= 2 else 1
    result["batch_workers"] = workers
    db = work / "bench.db"
    repeats = max(1, batch_runs)
    batches = []
    for i in range(repeats):
        log(f"batch clearing on SQLite, {workers} process(es), run {i + 1} of {repeats} ...")
        remove_sqlite_file(db)
        batches.append(_batch(str(db), traffic, floor_s, "batch", workers))
    result.update(median_run(batches, "batch"))
    log("cost floor: the decoding worker's work and the last run's writes, each alone ...")
    result.update(cost_floor(traffic.files, db, floor_s, os.cpu_count() or 1))
    if workers > 1 and single_process:
        log("batch clearing on SQLite, 1 process ...")
        remove_sqlite_file(db)
        result.update(_batch(str(db), traffic, floor_s, "batch_1p", 1))
    if large_parcels:
        log(f"memory check: batch clearing {large_parcels:,} parcels on SQLite ...")
        large = cached_traffic(large_parcels, work)
        db = work / "bench-large.db"
        remove_sqlite_file(db)
        result.update(
            large_parcels=large_parcels, large_messages=large.messages, large_documents=large.documents
        )
        result.update(_batch(str(db), large, 0.0, "large", workers))
        remove_sqlite_file(db)  # tens of GB at a million parcels
        result["large_rss_ratio"] = round(result["large_peak_rss_mb"] / result["batch_peak_rss_mb"], 3)
    if postgres_url:
        log("batch clearing on PostgreSQL ...")
        result.update(_batch(postgres_url, traffic, floor_s, "batch_postgres", workers))
    if online_seconds > 0:
        log(f"online path for {online_seconds:g} s over {online_connections} connections, closed loop ...")
        online = run_online(traffic.directory, traffic.files, work, online_seconds, online_connections)
        result.update(_online("online", online), online_connections=online_connections)
        if compare_connections > 0:
            log(f"online path for {online_seconds:g} s over {compare_connections} connections ...")
            compare = run_online(traffic.directory, traffic.files, work, online_seconds, compare_connections)
            result.update(_online("online_compare", compare), online_compare_connections=compare_connections)
        rate = round(online.messages_per_s * PACED_SHARE)
        log(f"online path for {online_seconds:g} s at {rate} messages/s ...")
        files, seconds = traffic.files, online_seconds
        paced = run_online(traffic.directory, files, work, seconds, PACED_CONNECTIONS, rate=rate)
        result.update(_online("online_paced", paced), online_paced_rate=rate)
        if target_rate > 0:
            log(f"online path for {online_seconds:g} s at the target's {target_rate} messages/s ...")
            at_target = run_online(
                traffic.directory, files, work, seconds, PACED_CONNECTIONS, rate=target_rate
            )
            result.update(_online("online_target", at_target), online_target_rate=target_rate)
    return result


#: The paced online run offers this share of the most the closed-loop run got through ...
PACED_SHARE = 0.8
#: ... over this many connections (enough that waiting for acknowledgements does not slow the pace).
PACED_CONNECTIONS = 64


def median_run(runs: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    """The figures of the median of ``runs`` by wall time (of an even number, the slower of the
    two middle ones), with every run's seconds, peak RSS and summary line under ``{prefix}_runs``.

    One run of a 30-40 s batch drifts by 5-10 % on a shared machine; the median of a few is
    steadier than any one, and reporting all of them shows the spread.
    """
    if not runs:
        raise ValueError("no runs to take the median of")
    ordered = sorted(runs, key=lambda run: run[f"{prefix}_seconds"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen[f"{prefix}_runs"] = [
        {
            "seconds": run[f"{prefix}_seconds"],
            "peak_rss_mb": run[f"{prefix}_peak_rss_mb"],
            "summary": run.get(f"{prefix}_summary", ""),
            "cpu_s": run.get(f"{prefix}_cpu_s", {}),
        }
        for run in runs
    ]
    return chosen


def _online(prefix: str, online: OnlineResult) -> dict[str, Any]:
    return {
        f"{prefix}_seconds": online.seconds,
        f"{prefix}_messages": online.submitted,
        f"{prefix}_messages_per_s": online.messages_per_s,
        f"{prefix}_documents": online.documents,
        f"{prefix}_documents_per_s": online.documents_per_s,
        f"{prefix}_p50_ack_ms": online.ack_p50_ms,
        f"{prefix}_p99_ack_ms": online.ack_p99_ms,
        f"{prefix}_releases_measured": online.releases_measured,
        f"{prefix}_p50_release_ms": online.release_p50_ms,
        f"{prefix}_p99_release_ms": online.release_p99_ms,
    }


def _batch(db: str, traffic: Traffic, floor_s: float, prefix: str, workers: int) -> dict[str, Any]:
    """``cbec clear`` of the traffic into ``db`` (empty) with ``workers`` processes, measured."""
    parcels, messages = traffic.parcels, traffic.messages
    cmd = [sys.executable, "-m", "opencbec", "clear", "--signatures", "skip", "--workers", str(workers)]
    run = run_child([*cmd, "--db", db, str(traffic.directory)])
    if run.returncode != 0:
        raise RuntimeError(f"cbec clear failed ({run.returncode}): {run.stderr[-2000:]}")
    return {
        f"{prefix}_seconds": round(run.seconds, 2),
        f"{prefix}_parcels_per_s": round(parcels / run.seconds, 1),
        f"{prefix}_messages_per_s": round(messages / run.seconds, 1),
        f"{prefix}_peak_rss_mb": round(run.peak_rss_mb, 1),
        f"{prefix}_ratio_to_parse_floor": round(floor_s / run.seconds, 3) if floor_s else None,
        f"{prefix}_summary": run.stdout.strip().splitlines()[-1] if run.stdout.strip() else "",
        f"{prefix}_cpu_s": run.cpu,
        **database_size(db, parcels, prefix),
    }


def database_size(db: str, parcels: int, prefix: str) -> dict[str, Any]:
    """A SQLite run's database on disk (the file and its write-ahead log) in MB, and per parcel in
    KB; nothing for a PostgreSQL URL."""
    if "://" in db:
        return {}
    files = [Path(f"{db}{suffix}") for suffix in ("", "-wal")]
    size = sum(f.stat().st_size for f in files if f.exists())
    return {
        f"{prefix}_db_mb": round(size / 1e6, 1),
        f"{prefix}_db_kb_per_parcel": round(size / 1e3 / parcels, 2) if parcels else None,
    }


def markdown(r: dict[str, Any]) -> str:
    """The result as the Markdown table the README and docs/performance.md show."""
    rows = [
        (
            "parse floor (read + lxml parse + every element's text, 1 process)",
            f"{r['parse_floor_parcels_per_s']:,} parcels/s",
            f"{r['parse_floor_messages_per_s']:,} messages/s",
            "",
        ),
        _batch_row(r, "batch", "SQLite", r.get("batch_workers", 1)),
    ]
    if "cost_floor_budget_cpu_s" in r:
        rows.append(_cost_floor_row(r))
    if "batch_1p_seconds" in r:
        rows.append(_batch_row(r, "batch_1p", "SQLite", 1))
    if "batch_postgres_seconds" in r:
        rows.append(_batch_row(r, "batch_postgres", "PostgreSQL", r.get("batch_workers", 1)))
    if "large_seconds" in r:
        rows.append(
            (
                f"memory check: `cbec clear --workers {r.get('batch_workers', 1)}` of "
                f"{r['large_parcels']:,} parcels, SQLite",
                f"{r['large_parcels_per_s']:,} parcels/s",
                f"{r['large_messages_per_s']:,} messages/s",
                f"peak RSS {r['large_peak_rss_mb']} MB (all processes), "
                f"{r['large_rss_ratio']:.2f}× the figure for {r['parcels']:,} parcels"
                + (f"; database {r['large_db_mb']:,} MB" if r.get("large_db_mb") is not None else "")
                + cpu_note(r.get("large_cpu_s")),
            )
        )
    if "online_messages_per_s" in r:
        connections = r.get("online_connections", EARLIER_CONNECTIONS)
        rows.append(_online_row(r, "online", f"as fast as {connections} connections are answered"))
    if "online_compare_messages_per_s" in r:
        connections = r["online_compare_connections"]
        rows.append(_online_row(r, "online_compare", f"as fast as {connections} connections are answered"))
    if "online_paced_messages_per_s" in r:
        load = f"offered at {r['online_paced_rate']:,} messages/s over {PACED_CONNECTIONS} connections"
        rows.append(_online_row(r, "online_paced", load))
    if "online_target_messages_per_s" in r:
        rate = r["online_target_rate"]
        load = f"offered at the target's {rate:,} messages/s over {PACED_CONNECTIONS} connections"
        rows.append(_online_row(r, "online_target", load))
    lines = [
        f"Measured {r['date']} by `cbec bench --parcels {r['parcels']}`: {r['parcels']:,} parcels = "
        f"{r['messages']:,} messages, {r['documents']:,} documents; {r['cpus']} CPUs{_model(r)}, "
        f"{r['machine']}, Python {r['python']}.",
        "",
        "| path | throughput | | notes |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
    ]
    return "\n".join(lines) + "\n"


def _online_row(r: dict[str, Any], prefix: str, load: str) -> tuple[str, str, str, str]:
    return (
        f"online `cbec serve --workers 2` (SQLite), {r[prefix + '_seconds']} s of one-document "
        f"messages {load}",
        f"{r[prefix + '_messages_per_s']:,} messages/s "
        f"({r.get(prefix + '_documents_per_s', 0):,} documents/s)",
        f"ack p50 {r[prefix + '_p50_ack_ms']} ms, p99 {r[prefix + '_p99_ack_ms']} ms",
        f"last document → release receipt p50 {r[prefix + '_p50_release_ms']} ms, "
        f"p99 {r[prefix + '_p99_release_ms']} ms ({r[prefix + '_releases_measured']:,} parcels)",
    )


def _cost_floor_row(r: dict[str, Any]) -> tuple[str, str, str, str]:
    decoding, writes = r["cost_floor_decoding_cpu_s"], r["cost_floor_writes_cpu_s"]
    return (
        "cost floor (1 process): the decoding worker's work and the batch run's writes, each alone",
        f"{decoding + writes:.1f} s of CPU",
        f"{r['cost_floor_ratio_to_budget']:.1f}× what {TARGET_SHARE:.0%} of the parse floor allows",
        f"decoding {decoding} s (safe parse and XSD alone {r['cost_floor_xsd_cpu_s']} s), writes {writes} s; "
        f"{TARGET_SHARE:.0%} of the parse floor allows {r['cost_floor_budget_cpu_s']} s of CPU on "
        f"{r['cost_floor_cpus']} cores",
    )


def _batch_row(r: dict[str, Any], prefix: str, backend: str, workers: int) -> tuple[str, str, str, str]:
    processes = "1 process" if workers == 1 else f"{workers} processes"
    notes = (
        f"peak RSS {r[prefix + '_peak_rss_mb']} MB (all processes); "
        f"{r[prefix + '_ratio_to_parse_floor']:.0%} of the parse floor"
    )
    if r.get(prefix + "_db_mb") is not None:
        notes += f"; database {r[prefix + '_db_mb']:,} MB ({r[prefix + '_db_kb_per_parcel']} KB a parcel)"
    notes += cpu_note(r.get(prefix + "_cpu_s"))
    runs = r.get(prefix + "_runs") or []
    if len(runs) > 1:
        times = ", ".join(f"{run['seconds']:.1f}" for run in runs)
        notes += f"; the median of {len(runs)} runs ({times} s)"
    return (
        f"batch `cbec clear --workers {workers}`, {backend}, {processes}",
        f"{r[prefix + '_parcels_per_s']:,} parcels/s",
        f"{r[prefix + '_messages_per_s']:,} messages/s",
        notes,
    )


def cpu_note(cpu: dict[str, dict[str, float]] | None) -> str:
    """The CPU seconds of a batch run's processes (``bench.child``), for the table's notes: the
    clearing process's and the sum of the others' (the decoding workers and the receipt encoder),
    each user + system."""
    if not cpu:
        return ""
    own, others = cpu["command"], cpu["others"]
    note = f"; CPU: clearing process {own['user'] + own['system']:.1f} s"
    if others["user"] + others["system"] >= 1:
        note += f", other processes {others['user'] + others['system']:.1f} s"
    return note


def write(result: dict[str, Any], json_path: Path, markdown_path: Path | None) -> None:
    """Write the JSON (issue #6 field names included) and, if asked, the Markdown table."""
    out = dict(result)
    out["batch_peak_rss_mb"] = result.get("batch_peak_rss_mb")
    out["online_p99_ack_ms"] = result.get("online_p99_ack_ms")
    out["online_p99_release_ms"] = result.get("online_p99_release_ms")
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(out, indent=2, ensure_ascii=False))
    if markdown_path is not None:
        markdown_path.write_text(markdown(result), encoding="utf-8")


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str | None:
    """The processor's model name and clock (``/proc/cpuinfo``), or ``platform.processor()``: a
    table's figures are comparable with another's only on the same kind of processor."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return platform.processor() or None
    fields: dict[str, str] = {}
    for line in text.splitlines():  # the first processor's
        name, colon, value = line.partition(":")
        if colon:
            fields.setdefault(name.strip(), value.strip())
    model = fields.get("model name") or platform.processor()
    if not model:
        return None
    try:
        return f"{model} at {float(fields['cpu MHz']):,.0f} MHz"
    except (KeyError, ValueError):  # no clock given, or not a number
        return model


def _model(r: dict[str, Any]) -> str:
    return f" ({r['cpu_model']})" if r.get("cpu_model") else ""
