"""Fixtures shared by every area: a store in a temporary DuckDB file, and the CLI run in-process."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.support")  # assert_golden's failures show the diff

from vpcflow.store import Store  # noqa: E402

pytest_plugins = ["tests.fixtures.moto_server"]  # moto's server over HTTP, for every area that talks to AWS


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "vpcflow.duckdb"


@pytest.fixture
def store(db_path: Path):
    with Store(db_path) as s:
        yield s


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def json(self):
        import json

        return json.loads(self.out)


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `vpcflow ARGS...` in this process; returns exit code, stdout and stderr."""
    from vpcflow.cli.main import main

    def run(*args: str, stdin: bytes | None = None) -> CliResult:
        capsys.readouterr()
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
