"""The CLI contracts other tools rely on: ingest, query, top, quarantine, stats, fields; exit codes."""

from __future__ import annotations

import csv
import io

import pytest

SSH = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"
RDP = "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK"
BIG = "2 123456789010 eni-0000000000000000a 10.0.0.5 52.95.128.179 40000 443 6 900 900000 1418530010 1418530070 ACCEPT OK"


@pytest.fixture
def loaded(cli, db_path, tmp_path):
    (tmp_path / "a.log").write_text("\n".join([SSH, RDP, BIG, SSH.replace("20641", "20642"), "not a record"]) + "\n")
    result = cli("ingest", tmp_path / "a.log", "--db", db_path, "--output", "json")
    assert result.code == 0
    return result.json()


def test_ingest_json_has_the_contract_keys(loaded):
    assert {"records": 4, "quarantined": 1, "sources": 1, "skipped_sources": 0}.items() <= loaded.items()


def test_ingest_again_counts_the_source_as_skipped(cli, db_path, tmp_path, loaded):
    again = cli("ingest", tmp_path / "a.log", "--db", db_path, "-o", "json").json()
    assert (again["records"], again["sources"], again["skipped_sources"]) == (0, 0, 1)


def test_query_json_is_an_array_of_rows_named_by_the_field_table(cli, db_path, loaded):
    rows = cli("query", "SELECT srcaddr, dstport, account_id FROM flows ORDER BY dstport", "--db", db_path,
               "-o", "json").json()
    assert rows[0] == {"srcaddr": "172.31.16.139", "dstport": 22, "account_id": "123456789010"}


def test_query_refuses_to_write(cli, db_path, loaded):
    result = cli("query", "DELETE FROM flow_records", "--db", db_path)
    assert result.code == 1
    assert "only read-only queries are allowed here, not DELETE" in result.err


def test_query_errors_are_one_line(cli, db_path, loaded):
    result = cli("query", "SELECT nope FROM flows", "--db", db_path)
    assert result.code == 1 and "Traceback" not in result.err and 'column "nope"' in result.err.lower()


def test_top_by_pair_is_largest_first(cli, db_path, loaded):
    rows = cli("top", "--by", "pair", "--metric", "bytes", "-n", "2", "--db", db_path, "-o", "json").json()
    assert [(r["srcaddr"], r["dstaddr"]) for r in rows] == [("10.0.0.5", "52.95.128.179"), ("172.31.16.139", "172.31.16.21")]
    assert rows[1]["flows"] == 2 and rows[1]["bytes"] == 8498


def test_top_filters_by_action(cli, db_path, loaded):
    rows = cli("top", "--by", "dstport", "--metric", "flows", "--action", "REJECT", "--db", db_path, "-o", "json").json()
    assert rows == [{"dstport": 3389, "bytes": 4249, "packets": 20, "flows": 1}]


def test_top_honours_since_and_until(cli, db_path, loaded):
    rows = cli("top", "--since", "2015-01-01", "--db", db_path, "-o", "json").json()
    assert rows == []


def test_top_rejects_an_unknown_key_with_the_choices(cli, db_path, loaded):
    result = cli("top", "--by", "colour", "--db", db_path)
    assert result.code == 1 and "cannot group by 'colour'" in result.err and "pair" in result.err


def test_quarantine_json_has_source_line_reason_text(cli, db_path, loaded, tmp_path):
    rows = cli("quarantine", "--db", db_path, "-o", "json").json()
    assert rows == [{"source": str((tmp_path / "a.log").resolve()), "line": 5,
                     "reason": "3 fields, format has 14", "text": "not a record"}]


def test_stats_says_what_the_store_holds(cli, db_path, loaded):
    stats = cli("stats", "--db", db_path, "-o", "json").json()
    assert (stats["records"], stats["sources"], stats["quarantined"], stats["interfaces"]) == (4, 1, 1, 2)
    assert stats["first_start"] == "2014-12-14T04:06:50Z"


def test_csv_output_has_a_header_row(cli, db_path, loaded):
    out = cli("top", "--by", "src", "--db", db_path, "-o", "csv").out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["srcaddr"] == "10.0.0.5" and rows[0]["bytes"] == "900000"


def test_fields_lists_every_field_with_its_column_and_type(cli):
    rows = cli("fields", "-o", "json").json()
    tcp = next(r for r in rows if r["name"] == "tcp-flags")
    assert (tcp["column"], tcp["version"], tcp["type"]) == ("tcp_flags", 3, "INT_32")


def test_reading_a_store_that_does_not_exist_says_what_to_do(cli, tmp_path):
    result = cli("stats", "--db", tmp_path / "none.duckdb")
    assert result.code == 1 and "vpcflow ingest" in result.err


def test_the_db_comes_from_vpcflow_db_when_no_flag(cli, db_path, loaded, monkeypatch):
    monkeypatch.setenv("VPCFLOW_DB", str(db_path))
    assert cli("stats", "-o", "json").json()["records"] == 4


def test_vpcflow_toml_names_the_db_and_the_flag_wins(cli, db_path, loaded, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "vpcflow.toml").write_text(f'db = "{db_path}"\n')
    assert cli("stats", "-o", "json").json()["records"] == 4
    assert cli("stats", "--db", tmp_path / "other.duckdb").code == 1


def test_a_bad_vpcflow_toml_is_named(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "vpcflow.toml").write_text("colour = 'blue'\n")
    result = cli("stats")
    assert result.code == 1 and "vpcflow.toml: unknown setting 'colour'" in result.err
