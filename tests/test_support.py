"""The golden-file helper: only compares, fails on a missing file, and rewrites only under VPCFLOW_UPDATE_GOLDEN=1."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .support import UPDATE_GOLDEN, assert_golden


@pytest.fixture(autouse=True)
def no_update_switch(monkeypatch):
    monkeypatch.delenv(UPDATE_GOLDEN, raising=False)


def test_a_deleted_golden_file_fails_and_says_how_to_create_it(tmp_path):
    path = tmp_path / "deleted.sql"
    with pytest.raises(pytest.fail.Exception, match=f"is missing: create it with {UPDATE_GOLDEN}=1"):
        assert_golden(path, "SELECT 1\n")
    assert not path.exists()


def test_a_drifted_golden_file_fails(tmp_path):
    path = tmp_path / "drifted.sql"
    path.write_text("SELECT 1\n")
    with pytest.raises(AssertionError, match="differs"):
        assert_golden(path, "SELECT 2\n")
    assert path.read_text() == "SELECT 1\n"


def test_a_matching_golden_file_passes(tmp_path):
    path = tmp_path / "same.bin"
    path.write_bytes(b"\x00flows")
    assert_golden(path, b"\x00flows")


@pytest.mark.parametrize("value", ["", "0", "true", "yes", "2"])
def test_only_the_exact_value_1_rewrites(tmp_path, monkeypatch, value):
    monkeypatch.setenv(UPDATE_GOLDEN, value)
    path = tmp_path / "missing.sql"
    with pytest.raises(pytest.fail.Exception):
        assert_golden(path, "SELECT 1\n")
    assert not path.exists()


def test_the_switch_set_to_1_writes_the_golden_file(tmp_path, monkeypatch):
    monkeypatch.setenv(UPDATE_GOLDEN, "1")
    path = tmp_path / "new" / "written.sql"
    assert_golden(path, "SELECT 1\n")
    assert path.read_text() == "SELECT 1\n"


@pytest.mark.parametrize("value", ["1", "0", ""])
def test_ci_refuses_to_run_with_the_update_switch_set(value):
    ci = Path(__file__).resolve().parents[1] / ".ci" / "run"
    # no PATH: were the refusal gone, the script would stop at its first command instead of running the suite
    done = subprocess.run(["/bin/bash", str(ci)], env={UPDATE_GOLDEN: value, "PATH": "/nonexistent"},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == ("CI refuses to run with VPCFLOW_UPDATE_GOLDEN set: it would rewrite golden files "
                           "instead of comparing them\n")
