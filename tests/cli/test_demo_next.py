"""The demo's closing hint is a query that works and shows columns with values; its notes print as text."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("demo") / "demo"
    done = subprocess.run([sys.executable, "-m", "vpcflow.cli.main", "demo", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_demo_suggests_a_query_whose_columns_all_have_values(cli, demo_out):
    (line,) = [ln for ln in demo_out.splitlines() if ln.startswith("next: vpcflow ")]
    rows = cli(*shlex.split(line.removeprefix("next: vpcflow ")), "-o", "json").json()
    assert len(rows) == 5
    assert [c for c in rows[0] if all(r[c] is None for r in rows)] == []


def test_demo_notes_print_detector_names_as_text(demo_out):
    assert "cannot-run" in demo_out or "degraded" in demo_out
    assert not re.search(r"\[/?yellow\]", demo_out)
