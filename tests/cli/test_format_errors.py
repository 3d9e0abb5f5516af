"""A misspelt --format is an error naming the presets, in every command that takes one; nothing is stored."""

from __future__ import annotations

import pytest

RECORD = "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK"
MESSAGE = "unknown format 'defualt' (did you mean 'default'?)"


@pytest.fixture
def one_log(tmp_path):
    path = tmp_path / "one.log"
    path.write_text(RECORD + "\n")
    return path


def test_ingest_refuses_a_misspelt_preset_and_stores_nothing(cli, one_log, db_path):
    result = cli("ingest", one_log, "--db", db_path, "--format", "defualt")
    assert (result.code, MESSAGE in result.err) == (1, True)
    assert cli("query", "SELECT count(*) AS n FROM sources", "--db", db_path, "-o", "json").json() == [{"n": 0}]


def test_read_refuses_a_misspelt_preset(cli, one_log):
    result = cli("read", one_log, "--format", "defualt")
    assert (result.code, MESSAGE in result.err) == (1, True)


def test_export_refuses_a_misspelt_preset(cli, one_log, db_path, tmp_path):
    assert cli("ingest", one_log, "--db", db_path).code == 0
    result = cli("export", "csv", tmp_path / "out.csv", "--db", db_path, "--format", "defualt")
    assert (result.code, MESSAGE in result.err, (tmp_path / "out.csv").exists()) == (1, True, False)


def test_athena_ddl_refuses_a_misspelt_preset(cli):
    result = cli("athena", "ddl", "--bucket", "flows", "--format", "defualt")
    assert (result.code, MESSAGE in result.err) == (1, True)


def test_an_unknown_field_in_a_format_string_is_named(cli, one_log):
    result = cli("read", one_log, "--format", "${version} ${acount-id}")
    assert result.code == 1
    assert "unknown field 'acount-id' in the format (did you mean 'account-id'?)" in result.err
