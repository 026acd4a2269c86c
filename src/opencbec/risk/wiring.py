"""Building the risk assessor from files and the database (used by the composition root)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from opencbec.risk import parcels, rule_files
from opencbec.risk.assessor import RiskAssessor, SelectionPolicy
from opencbec.risk.dataset import LabelledSet
from opencbec.risk.model import RiskModel
from opencbec.risk.rules import RuleSet, parse_rules
from opencbec.store import risk_repo


def effective_definitions(engine: Engine | None, rules_path: Path | None = None) -> list[dict[str, Any]]:
    """The rule file's rules, where officers' stored versions replace the file's rules of that id."""
    base = rule_files.parse_text(
        rules_path.read_text(encoding="utf-8") if rules_path else rule_files.default_rules_text()
    )
    stored: list[dict[str, Any]] = []
    if engine is not None:
        with engine.connect() as conn:
            stored = risk_repo.stored_rules(conn)
    changed = {d["id"] for d in stored}
    clean = [{k: v for k, v in d.items() if k not in ("changed_by", "changed_at")} for d in stored]
    return [d for d in base if d.get("id") not in changed] + clean


def effective_rules(engine: Engine | None, rules_path: Path | None = None) -> RuleSet:
    """The rules in force: file + stored versions."""
    return parse_rules(effective_definitions(engine, rules_path))


def build_assessor(
    engine: Engine | None,
    *,
    rules_path: Path | None = None,
    model_path: Path | None = None,
    policy: SelectionPolicy | None = None,
) -> RiskAssessor:
    """The assessor to put in ``ClearingConfig(risk=...)``."""
    model = RiskModel.load(model_path) if model_path else None
    if model is not None and model.format != parcels.SCHEMA.name:
        raise ValueError(f"the clearing core scores parcels; {model_path} is a {model.format} model")
    return RiskAssessor(effective_rules(engine, rules_path), model, policy)


def labelled_parcels(engine: Engine) -> tuple[LabelledSet, list[dict[str, str]]]:
    """Selections whose outcome is recorded, as a labelled set (and as CSV rows)."""
    rows: list[dict[str, str]] = []
    with engine.connect() as conn:
        for invt_no, facts, status, revenue in risk_repo.labelled(conn):
            label = parcels.label_of(status)
            if label is None:
                continue
            rows.append({"id": invt_no, "label": str(label), "revenue": repr(revenue), **parcels.row(facts)})
    return parcels.from_rows(rows), rows
