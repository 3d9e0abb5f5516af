"""docs/rules.md's status table is vpcflow.rules.STATUSES, word for word."""

from __future__ import annotations

from pathlib import Path

from vpcflow.rules import STATUSES

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_the_status_table_is_the_vocabulary():
    text = DOC.read_text()
    rows = [line for line in text.splitlines() if line.startswith("| `") and line.count("|") == 3]
    assert rows == [f"| `{name}` | {meaning} |" for name, meaning in STATUSES.items()]
