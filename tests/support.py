"""Shared test helpers: a missing component skips locally and fails under CI=true."""

from __future__ import annotations

import os

import pytest


def require(available: bool, component: str, how: str) -> None:
    """Skip (or, under CI=true, fail) when a component the test needs is missing."""
    if available:
        return
    message = f"{component} is not available here: {how}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must provide it: {message}")
    pytest.skip(message)
