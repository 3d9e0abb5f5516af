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
