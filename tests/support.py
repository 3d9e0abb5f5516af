"""Shared test helpers: a missing component skips locally and fails under CI=true; golden files are compared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
# AWS's documented example flow-log records, kept with the tests so a bare clone carries its own data.
AWS_DOC_EXAMPLES = FIXTURES / "aws-doc-examples.txt"


def require(available: bool, component: str, how: str) -> None:
    """Skip (or, under CI=true, fail) when a component the test needs is missing."""
    if available:
        return
    message = f"{component} is not available here: {how}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must provide it: {message}")
    pytest.skip(message)


UPDATE_GOLDEN = "VPCFLOW_UPDATE_GOLDEN"  # exactly "1" rewrites golden files; .ci/run refuses to run with it set


def assert_golden(path: Path, actual: str | bytes) -> None:
    """Compare `actual` with the golden file at `path`; a missing file fails; only VPCFLOW_UPDATE_GOLDEN=1 writes."""
    if os.environ.get(UPDATE_GOLDEN) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(actual, bytes):
            path.write_bytes(actual)
        else:
            path.write_text(actual)
        return
    if not path.exists():
        pytest.fail(f"golden file {path} is missing: create it with {UPDATE_GOLDEN}=1 .venv/bin/python -m pytest "
                    f"<this test>, then review and commit it", pytrace=False)
    expected = path.read_bytes() if isinstance(actual, bytes) else path.read_text()
    assert actual == expected, f"{path} differs; if the change is deliberate, rerun with {UPDATE_GOLDEN}=1 and review"
