"""Commands over the store: --since counts back from the store's newest record, an empty answer says what the
store holds, an empty folder or store is said once, and DuckDB's whole message reaches the user."""

from __future__ import annotations

from pathlib import Path

import pytest

T0 = 1767571200  # 2026-01-05T00:00:00Z: old logs, far from now
ENI = "eni-0a1b2c3d4e5f60718"


def _lines(hours: int = 6) -> list[str]:
    """A record a minute for `hours` hours, from T0."""
    return [f"2 123456789010 {ENI} 203.0.113.{k % 50} 10.0.0.5 {40000 + k} 443 6 10 840 {T0 + 60 * k} "
            f"{T0 + 60 * k + 59} ACCEPT OK" for k in range(60 * hours)]


@pytest.fixture
def old_store(cli, tmp_path) -> Path:
    path = tmp_path / "flows.log"
    path.write_text("\n".join(_lines()) + "\n")
    db = tmp_path / "v.duckdb"
    assert cli("ingest", path, "--db", db).code == 0
    return db


def test_insights_counts_a_span_back_from_the_newest_record_as_report_does(cli, old_store, tmp_path):
    insights = cli("insights", "stats count(*) as n", "--db", old_store, "--since", "1h", "--output", "json")
    report = cli("report", "--html", tmp_path / "r.html", "--db", old_store, "--since", "1h", "--output", "json")
    assert insights.code == 0 and report.code == 0, insights.err + report.err
    assert insights.json()[0]["n"] == 60
    assert report.json()["since"] == "2026-01-05T04:59:59Z" and report.json()["records"] in (60, 61)


def test_top_counts_a_span_back_from_the_newest_record(cli, old_store):
    rows = cli("top", "--db", old_store, "--since", "1h", "--by", "dstport", "--output", "json").json()
    assert rows and sum(r["flows"] for r in rows) in (60, 61)


@pytest.mark.parametrize("command", [["top"], ["insights", "stats count(*) as n"], ["detect"]])
def test_an_empty_window_says_what_range_the_store_holds(cli, old_store, command):
    result = cli(*command, "--db", old_store, "--since", "2020-01-01", "--until", "2020-01-02", "--output", "json")
    assert result.code == 0, result.err
    assert ("no records from 2020-01-01T00:00:00Z to 2020-01-02T00:00:00Z; the store holds "
            "2026-01-05T00:00:00Z .. 2026-01-05T05:59:59Z") in result.err


def test_a_window_with_records_says_nothing_about_the_range(cli, old_store):
    result = cli("top", "--db", old_store, "--since", "1h", "--output", "json")
    assert "the store holds" not in result.err


def test_an_empty_folder_is_a_warning_and_exit_0(cli, tmp_path):
    folder = tmp_path / "deliveries"
    folder.mkdir()
    result = cli("ingest", folder, "--db", tmp_path / "v.duckdb", "--output", "json")
    assert result.code == 0
    assert f"no flow-log files found in {folder}" in result.err.replace("\n", "")
    assert result.json()["warnings"] == [{"source": str(folder), "warning": "no flow-log files found in it"}]


def test_a_folder_with_files_has_no_such_warning(cli, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.log").write_text("\n".join(_lines(1)) + "\n")
    result = cli("ingest", tmp_path / "in", "--db", tmp_path / "v.duckdb")
    assert result.code == 0 and "no flow-log files" not in result.err


def test_detect_on_an_empty_store_says_so_once(cli, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    db = tmp_path / "v.duckdb"
    assert cli("ingest", folder, "--db", db).code == 0
    result = cli("detect", "--db", db, "--output", "json")
    assert result.code == 0 and result.json() == []
    assert result.err.count("the store holds no records") == 1
    assert "records lack" not in result.err


def test_an_unknown_column_keeps_duckdbs_candidate_bindings(cli, old_store):
    result = cli("query", "select srcadr from flows", "--db", old_store)
    assert result.code == 1
    assert 'Referenced column "srcadr" not found' in result.err
    assert 'Candidate bindings: "srcaddr"' in result.err


def test_the_since_help_says_where_a_span_counts_from(cli):
    shown = " ".join(cli("top", "--help").out.split())
    assert "back from the store's newest record" in shown and "back from now" in shown


def test_diagnose_keeps_to_the_window_counting_a_span_from_the_newest_record(cli, tmp_path):
    early = [f"2 123456789010 {ENI} 198.51.100.9 10.0.0.5 40000 3306 6 1 40 {T0} {T0 + 59} REJECT OK"]
    late = [f"2 123456789010 {ENI} 198.51.100.10 10.0.0.5 40001 5432 6 1 40 {T0 + 7200} {T0 + 7259} REJECT OK"]
    path = tmp_path / "f.log"
    path.write_text("\n".join(early + late) + "\n")
    db = tmp_path / "v.duckdb"
    assert cli("ingest", path, "--db", db).code == 0
    rows = cli("diagnose", "--db", db, "--since", "1h", "--output", "json").json()
    assert [r["src"] for r in rows] == ["198.51.100.10"]
    assert len(cli("diagnose", "--db", db, "--output", "json").json()) == 2
