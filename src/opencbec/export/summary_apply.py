"""Summary applications (CEB701) and their results (CEB702, CEB792). Pure.

A CEB701 names its lists in the body, or gives ``startTime``/``endTime`` (then the body is
ignored and every eligible list of the consignor closed in the window is taken). Eligible: closed
(899), ``statisticsFlag`` B, same ``ebcCode``, not yet summarised. Any named list that is not
eligible refuses the application (9116). The accepted application gets CEB702 399 with its
``sumNo`` and one CEB792 per generated declaration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from opencbec.clearing.numbering import Numbering
from opencbec.domain import ceb_export_records as x
from opencbec.domain.codes import R
from opencbec.domain.documents import parse_app_time
from opencbec.export import documents as d
from opencbec.export.receipts import return_time
from opencbec.export.state import XDoc, XIncoming, XReceipt, XStatus
from opencbec.export.summary import ClosedList, Declaration, build_declarations


@dataclass(slots=True)
class ResultNote:
    """One CEB792 ``SummaryResult``: a declaration's head and its list lines."""

    head: x.SummaryResultHead
    lines: list[x.SummaryResultList] = field(default_factory=list)


@dataclass(slots=True)
class SummaryOutcome:
    """What one summary produced."""

    sum_no: str
    declarations: list[Declaration]
    decl_seq_nos: list[str]
    results: list[ResultNote]


def eligible(lst: XDoc, ebc_code: str) -> str | None:
    """Why ``lst`` cannot be summarised for ``ebc_code`` (None if it can)."""
    doc_ = lst.document
    if not isinstance(doc_, d.ExportList):
        return "not a list"
    if doc_.head.ebc_code != ebc_code:
        return f"consignor {doc_.head.ebc_code}, not {ebc_code}"
    if doc_.head.statistics_flag != "B":
        return "statisticsFlag A (simplified: statistics only, never summarised)"
    if lst.status != XStatus.CLOSED or lst.closed_at is None:
        return f"status {lst.status}, not closed (899)"
    if lst.sum_no:
        return f"already summarised in {lst.sum_no}"
    return None


def summarize(
    lists: Sequence[XDoc],
    summary_flag: str,
    item_name_flag: str,
    numbers: Numbering,
    customs_code: str,
    at: datetime,
    decl_agent: tuple[str, str] | None = None,
) -> SummaryOutcome:
    """Build the declarations of ``lists``, number them and mark the lists summarised."""
    closed = [ClosedList(lst.invt_no or "", lst.document, lst.closed_at or at) for lst in lists]  # type: ignore[arg-type]
    declarations = build_declarations(closed, summary_flag, item_name_flag)
    sum_no = f"{customs_code}{at.year}S{numbers.next(f'xsum:{customs_code}:{at.year}'):09d}"
    seq_nos: list[str] = []
    results: list[ResultNote] = []
    for decl in declarations:
        seq = f"{customs_code}{at.year}D{numbers.next(f'xdecl:{customs_code}:{at.year}'):09d}"
        seq_nos.append(seq)
        agent_code, agent_name = decl_agent or (decl.agent_code, decl.agent_name)
        head = x.SummaryResultHead(
            guid=_guid(seq),
            customs_code=customs_code,
            sum_no=sum_no,
            op_date=return_time(at),
            decl_seq_no=seq,
            dec_state="A",
            agent_code=decl.agent_code,
            agent_name=decl.agent_name,
            ebc_code=decl.key.ebc_code,
            ebc_name=decl.ebc_name,
            decl_agent_code=agent_code,
            decl_agent_name=agent_name,
            gross_weight=decl.gross_weight,
            net_weight=decl.net_weight,
            msg_count=1,
            msg_seq_no=1,
        )
        lines = [
            x.SummaryResultList(
                invt_no=s.invt_no, logistics_no=s.logistics_no, gseqno=item.gseqno, gnum=s.gnum, gcode=s.gcode
            )
            for item in decl.items
            for s in item.sources
        ]
        results.append(ResultNote(head, lines))
    for lst in lists:
        lst.sum_no = sum_no
    return SummaryOutcome(sum_no, declarations, seq_nos, results)


def _guid(seed: str) -> str:
    """A deterministic uppercase 36-character guid for a generated result."""
    import hashlib
    import uuid

    return str(uuid.UUID(hashlib.md5(seed.encode(), usedforsecurity=False).hexdigest())).upper()


def handle_summary(work: object, doc: XDoc, inc: XIncoming) -> None:
    """CEB701 in the export core."""
    from opencbec.export.flow import XWork

    assert isinstance(work, XWork)
    at, app = inc.received_at, doc.document
    assert isinstance(app, d.SummaryApply)
    h = app.head
    if h.summary_flag not in ("1", "2"):
        work.refuse(doc, R.X_SUMMARY_FLAG, f"summaryFlag {h.summary_flag!r} must be 1 or 2", at)
        return
    if bool(h.start_time) != bool(h.end_time):
        work.refuse(doc, R.X_SUMMARY_FLAG, "startTime and endTime must be given together", at)
        return
    if h.start_time and h.end_time:
        start, end = parse_app_time(h.start_time), parse_app_time(h.end_time)
        if start is None or end is None or end < start:
            work.refuse(doc, R.X_SUMMARY_FLAG, f"window {h.start_time}..{h.end_time}", at)
            return
        pool = work.state.window_lists.get(app.key, [])
        lists = [
            lst
            for lst in pool
            if eligible(lst, h.ebc_code) is None
            and lst.closed_at is not None
            and start <= lst.closed_at <= end
        ]
    else:
        lists = []
        for line in app.lines:
            lst = work.state.lists_by_invt.get(line.invt_no)
            why = "unknown list" if lst is None else eligible(lst, h.ebc_code)
            if why or lst is None:
                work.refuse(doc, R.X_SUMMARY_LIST, f"list {line.invt_no}: {why}", at)
                return
            if lst not in lists:
                lists.append(lst)
    if not lists:
        work.refuse(doc, R.X_SUMMARY_NONE, f"summary {app.key}", at)
        return
    outcome = summarize(
        lists,
        h.summary_flag,
        h.item_name_flag,
        work.numbers,
        h.customs_code,
        at,
        (h.decl_agent_code, h.decl_agent_name),
    )
    for lst in lists:
        work.touch(lst)
    for seq, decl in zip(outcome.decl_seq_nos, outcome.declarations, strict=True):
        work.effects.declarations.append((seq, outcome.sum_no, decl))
    doc.sum_no = outcome.sum_no
    detail = f"{len(lists)} list(s) in {len(outcome.declarations)} declaration(s)"
    work.set(doc, XStatus.CONCLUDED, R.APPROVED.info(detail), at)
    for note in outcome.results:
        work.effects.receipts.append(XReceipt(d.SUMMARY_RESULT, doc.sender, note))
