"""docs/receipt-codes.md documents every reason code the system can send."""

from __future__ import annotations

from pathlib import Path

from opencbec.domain.codes import R, Reason

DOC = Path(__file__).resolve().parents[2] / "docs" / "receipt-codes.md"


def test_every_reason_code_is_documented_with_its_description() -> None:
    text = DOC.read_text(encoding="utf-8")
    reasons = [v for v in vars(R).values() if isinstance(v, Reason)]
    assert len(reasons) > 30
    for reason in reasons:
        assert f"| `{reason.code}` | {reason.desc} |" in text, reason
