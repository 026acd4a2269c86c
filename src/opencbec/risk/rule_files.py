"""Reading and writing rule files (YAML, or JSON which is YAML too)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from opencbec.risk.rules import RuleError, RuleSet, parse_rules


def default_rules_text() -> str:
    """The rules shipped with the package (``opencbec/data/risk/rules.yaml``)."""
    return resources.files("opencbec").joinpath("data/risk/rules.yaml").read_text(encoding="utf-8")


def parse_text(text: str) -> list[dict[str, Any]]:
    """Rule definitions from YAML text: a list of mappings."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleError(f"not valid YAML: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise RuleError("a rule file is a list of rules (mappings)")
    return data


def load(path: Path | None = None) -> RuleSet:
    """Rules from ``path`` (default: the shipped file)."""
    text = path.read_text(encoding="utf-8") if path else default_rules_text()
    return parse_rules(parse_text(text))


def dump(definitions: list[dict[str, Any]]) -> str:
    """Rule definitions as YAML text."""
    return yaml.safe_dump(definitions, allow_unicode=True, sort_keys=False)
