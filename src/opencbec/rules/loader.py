"""Load and validate the rule data directory into an immutable :class:`Rulebook`.

The shipped data lives in ``opencbec/data``. Every file is validated on load; a bad file raises
:class:`~opencbec.rules.errors.RulesDataError` naming the file, the row and the field.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

from opencbec.rules.errors import RulesDataError
from opencbec.rules.fields import read_rows
from opencbec.rules.model import (
    CodeTable,
    ConsumptionTax,
    ListVersionInfo,
    PositiveListEntry,
    VatScope,
)
from opencbec.rules.parameters import Parameter, parse_parameter
from opencbec.rules.rulebook import Rulebook

PARAMETERS = (
    "single_transaction_limit",
    "annual_limit",
    "duty_rate_within_limit",
    "tax_factor",
    "vat_general_rate",
    "vat_lower_rate",
)
CODE_TABLES = (
    "country",
    "currency",
    "unit",
    "customs-district",
    "trade-mode",
    "transport-mode",
    "wrap-type",
    "ceb-enum-codes",
)
COMPLETENESS = ("complete", "partial", "indicative", "unknown")


@functools.cache
def shipped_rulebook() -> Rulebook:
    """The rulebook built from the data shipped in the package (loaded once per process)."""
    return load_rulebook(resources.files("opencbec") / "data")


def load_rulebook(root: Traversable | Path) -> Rulebook:
    """Load and validate every rule file under ``root``."""
    params = {n: _parameter(root, f"parameters/{n}.yaml", n) for n in PARAMETERS}
    vat_manifest = _manifest(root, "tax/vat_lower_rate_scopes.yaml")
    ct_manifest = _manifest(root, "tax/consumption_tax.yaml")
    pl_manifest = _manifest(root, "positive_list/positive_list.yaml")
    tables = {name: _code_table(root, name) for name in CODE_TABLES}
    return Rulebook(
        parameters=params,
        vat_scopes=_vat_scopes(root, "tax/vat_lower_rate_scopes.csv"),
        consumption_taxes=_consumption_taxes(root, "tax/consumption_tax.csv"),
        positive_list=_positive_list(root, "positive_list/positive_list.csv"),
        positive_list_versions=_list_versions("positive_list/positive_list.yaml", pl_manifest),
        positive_list_note=str(pl_manifest.get("note", "")),
        code_tables=tables,
        manifests={"vat-lower-rate-scopes": vat_manifest, "consumption-tax": ct_manifest},
    )


def _read(root: Traversable | Path, rel: str) -> str:
    node = root.joinpath(rel)
    if not node.is_file():
        raise RulesDataError(rel, "file not found in the rule data directory")
    try:
        return node.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RulesDataError(rel, "is not valid UTF-8 text") from None


def _yaml(root: Traversable | Path, rel: str) -> object:
    try:
        return yaml.safe_load(_read(root, rel))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise RulesDataError(rel, "is not valid YAML", row=row) from None
    except ValueError as exc:  # e.g. an impossible date such as 2019-13-01
        raise RulesDataError(rel, f"is not valid YAML: {exc}") from None


def _parameter(root: Traversable | Path, rel: str, name: str) -> Parameter:
    return parse_parameter(rel, name, _yaml(root, rel))


def _manifest(root: Traversable | Path, rel: str) -> Mapping[str, object]:
    doc = _yaml(root, rel)
    if not isinstance(doc, Mapping):
        raise RulesDataError(rel, "a table manifest must be a mapping")
    for key in ("table", "file", "source", "as_of", "completeness"):
        if key not in doc or doc[key] in (None, ""):
            raise RulesDataError(rel, f"manifest field '{key}' is required", field=key)
    if not isinstance(doc["as_of"], date):
        raise RulesDataError(rel, "must be a date in YYYY-MM-DD form", field="as_of")
    if doc["completeness"] not in COMPLETENESS:
        raise RulesDataError(rel, f"must be one of {', '.join(COMPLETENESS)}", field="completeness")
    total = doc.get("official_total")
    if total is not None and (isinstance(total, bool) or not isinstance(total, int)):
        raise RulesDataError(rel, "must be a whole number or null", field="official_total")
    return doc


def _code_table(root: Traversable | Path, name: str) -> CodeTable:
    meta = _manifest(root, f"codes/{name}.yaml")
    rel = f"codes/{meta['file']}"
    key = meta.get("key", "code")
    keys = [str(k) for k in key] if isinstance(key, list) else [str(key)]
    accept = meta.get("accept_status")
    start_col = meta.get("valid_from_column")
    required = [*keys, *(["status"] if accept else []), *([str(start_col)] if start_col else [])]
    codes: dict[str, int] = {}
    accepted: set[str] = set()
    starts: dict[str, date] = {}
    for row in read_rows(rel, _read(root, rel), required):
        code = ":".join(row.text(k, required=True) for k in keys)
        if code in codes:
            raise row.error(keys[-1], f"duplicate code {code!r} (first at row {codes[code]})")
        codes[code] = row.number
        if isinstance(accept, list) and row.text("status") not in accept:
            continue
        accepted.add(code)
        if start_col:
            start = row.day(str(start_col), required=False)
            if start is not None:
                starts[code] = start
    total = meta.get("official_total")
    return CodeTable(
        name=name,
        file=rel,
        rows=len(codes),
        codes=frozenset(accepted),
        code_starts=starts,
        official_total=total if isinstance(total, int) else None,
        completeness=str(meta["completeness"]),
        source=str(meta["source"]),
        as_of=meta["as_of"] if isinstance(meta["as_of"], date) else None,
        note=str(meta.get("note", "")),
    )


def _vat_scopes(root: Traversable | Path, rel: str) -> tuple[VatScope, ...]:
    cols = ("hs_prefix", "band", "goods_group", "confidence", "reference")
    scopes: dict[str, int] = {}
    out = []
    for row in read_rows(rel, _read(root, rel), cols):
        (prefix,) = row.hs_prefixes("hs_prefix") or ("",)
        if prefix in scopes:
            raise row.error("hs_prefix", f"duplicate prefix {prefix!r} (first at row {scopes[prefix]})")
        scopes[prefix] = row.number
        band = row.choice("band", ("lower", "general"))
        confidence = row.choice("confidence", ("verified", "indicative"))
        out.append(
            VatScope(
                prefix,
                band == "lower",
                row.text("goods_group", required=True),
                confidence == "verified",
                row.text("reference", required=True),
            )
        )
    return tuple(out)


def _consumption_taxes(root: Traversable | Path, rel: str) -> tuple[ConsumptionTax, ...]:
    cols = (
        "item_zh",
        "hs_prefixes",
        "ad_valorem",
        "specific_rate",
        "specific_unit",
        "import_levy",
        "thresholds",
        "threshold_text",
        "valid_from",
        "valid_to",
        "reference",
    )
    out = []
    for row in read_rows(rel, _read(root, rel), cols):
        item = row.text("item_zh", required=True)
        prefixes = row.hs_prefixes("hs_prefixes")
        ad_valorem = row.rate("ad_valorem")
        specific = row.decimal("specific_rate", required=False)
        unit = row.optional("specific_unit")
        if (specific is None) != (unit is None):
            raise row.error("specific_unit", "specific_rate and specific_unit must be given together")
        thresholds = row.thresholds("thresholds")
        valid_from, valid_to = row.validity("valid_from", "valid_to")
        reference = row.text("reference", required=True)
        if not row.flag("import_levy"):
            continue
        for prefix in prefixes:
            out.append(
                ConsumptionTax(
                    item,
                    prefix,
                    ad_valorem,
                    specific,
                    unit,
                    thresholds,
                    row.optional("threshold_text"),
                    valid_from,
                    valid_to,
                    reference,
                )
            )
    return tuple(out)


def _positive_list(root: Traversable | Path, rel: str) -> tuple[PositiveListEntry, ...]:
    cols = (
        "tariff_line",
        "name_zh",
        "remark_zh",
        "list_version",
        "valid_from",
        "valid_to",
        "bonded_only",
        "name_whitelist",
        "excluded_note",
        "per_person_annual_qty",
        "qty_unit",
    )
    out = []
    for row in read_rows(rel, _read(root, rel), cols):
        line = row.text("tariff_line", required=True)
        if len(line) != 8 or not line.isdigit():
            raise row.error("tariff_line", f"{line!r} is not an 8-digit tariff line")
        qty = row.decimal("per_person_annual_qty", required=False)
        unit = row.optional("qty_unit")
        if (qty is None) != (unit is None):
            raise row.error("qty_unit", "per_person_annual_qty and qty_unit must be given together")
        whitelist = tuple(n.strip() for n in row.text("name_whitelist").split("|") if n.strip())
        valid_from, valid_to = row.validity("valid_from", "valid_to")
        out.append(
            PositiveListEntry(
                tariff_line=line,
                name=row.text("name_zh", required=True),
                remark=row.text("remark_zh"),
                list_version=row.text("list_version", required=True),
                valid_from=valid_from,
                valid_to=valid_to,
                bonded_only=row.flag("bonded_only"),
                name_whitelist=whitelist or None,
                excluded_note=row.optional("excluded_note"),
                per_person_annual_qty=qty,
                qty_unit=unit,
                source=row.text("source") if "source" in row.values else "",
            )
        )
    _check_overlaps(rel, out)
    return tuple(out)


def _check_overlaps(rel: str, entries: list[PositiveListEntry]) -> None:
    by_line: dict[str, list[PositiveListEntry]] = {}
    for entry in entries:
        by_line.setdefault(entry.tariff_line, []).append(entry)
    for line, group in by_line.items():
        group.sort(key=lambda e: e.valid_from)
        for before, after in itertools.pairwise(group):
            if before.valid_to is None or before.valid_to >= after.valid_from:
                raise RulesDataError(rel, f"line {line} has overlapping validity periods", field="valid_from")


def _list_versions(rel: str, manifest: Mapping[str, object]) -> tuple[ListVersionInfo, ...]:
    versions = manifest.get("versions")
    if not isinstance(versions, list):
        raise RulesDataError(rel, "must list the official versions", field="versions")
    out = []
    for i, item in enumerate(versions):
        if not isinstance(item, Mapping):
            raise RulesDataError(rel, f"versions[{i}] must be a mapping", field="versions")
        start, lines = item.get("valid_from"), item.get("official_lines")
        if not isinstance(start, date) or not isinstance(lines, int):
            raise RulesDataError(
                rel,
                f"versions[{i}] needs valid_from (date) and official_lines (int)",
                field="versions",
            )
        out.append(ListVersionInfo(str(item.get("list_version", "")), start, lines))
    return tuple(sorted(out, key=lambda v: v.valid_from))
