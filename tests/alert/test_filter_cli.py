"""`vpcflow filter PATTERN PATH... | --db STORE`: matching records as they were written."""

from __future__ import annotations

import gzip
import json

import pytest
import typer
from typer.testing import CliRunner

from vpcflow.cli import alert
from vpcflow.errors import VpcFlowError

from .records import LINES, make_store

SSH_REJECTS = ('[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, '
               'bytes, windowstart, windowend, action="REJECT", flowlogstatus]')
HEADER = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
          "action log-status")


def run(*args: str):
    app = typer.Typer()
    alert.register(app)

    @app.callback()
    def _root() -> None:  # keeps `filter` a subcommand
        pass

    return CliRunner().invoke(app, list(args), catch_exceptions=True)


@pytest.fixture
def log_gz(tmp_path):
    path = tmp_path / "123456789010_vpcflowlogs_us-east-1_fl-1_20231101T0000Z_0a1b2c3d.log.gz"
    path.write_bytes(gzip.compress((HEADER + "\n" + "\n".join(LINES) + "\n").encode()))
    return path


def test_filter_prints_matching_lines_as_they_were(log_gz):
    result = run("filter", SSH_REJECTS, str(log_gz))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [LINES[7]]


def test_filter_skips_the_header_line(log_gz):
    result = run("filter", '""', str(log_gz))
    assert result.stdout.splitlines() == LINES


def test_filter_reads_plain_files_in_a_directory(tmp_path):
    (tmp_path / "a.log").write_text(LINES[1] + "\n" + LINES[2] + "\n")
    (tmp_path / "b.log").write_text(LINES[5] + "\n")
    result = run("filter", "REJECT", str(tmp_path))
    assert result.stdout.splitlines() == [LINES[1], LINES[5]]


def test_filter_json_gives_source_line_and_message(log_gz):
    result = run("filter", "?NODATA ?SKIPDATA", str(log_gz), "--output", "json")
    rows = json.loads(result.stdout)
    assert rows == [
        {"source": str(log_gz), "line": 4, "message": LINES[2]},
        {"source": str(log_gz), "line": 5, "message": LINES[3]},
    ]


def test_filter_on_the_store_rebuilds_lines_in_the_format(tmp_path):
    make_store(tmp_path / "flows.duckdb").close()
    db = str(tmp_path / "flows.duckdb")
    result = run("filter", "[..., bytes > 1000, start, end, action, status]", "--db", db)
    assert result.stdout.splitlines() == [LINES[0], LINES[1], LINES[6], LINES[9]]


def test_filter_on_the_store_maps_names_through_the_given_format(tmp_path):
    make_store(tmp_path / "flows.duckdb").close()
    result = run("filter", "[dstport = 22, action = REJECT]", "--db", str(tmp_path / "flows.duckdb"),
                 "--format", "${dstport} ${action}")
    assert result.stdout.splitlines() == ["22 REJECT"]


def test_filter_with_an_invalid_pattern_raises_a_positioned_error(log_gz):
    result = run("filter", "[a, a]", str(log_gz))
    assert isinstance(result.exception, VpcFlowError)
    assert str(result.exception) == "filter pattern, column 5: field 'a' is named twice"


def test_filter_of_a_missing_file_says_so(tmp_path):
    result = run("filter", "REJECT", str(tmp_path / "nope.log"))
    assert isinstance(result.exception, VpcFlowError)
    assert "no such file or directory" in str(result.exception)
