"""`vpcflow read`: records printed straight from their sources, bad lines on stderr, exit codes for scripts."""

from __future__ import annotations

import csv
import io

import pytest

from tests.store.test_fast_path import GOOD

RDP = GOOD.replace(" 20641 22 ", " 49761 3389 ").replace("ACCEPT", "REJECT")
BAD = GOOD.replace(" 20 4249 ", " twenty 4249 ")


@pytest.fixture
def logs(tmp_path):
    (tmp_path / "two.log").write_text(f"{RDP}\n{BAD}\n{GOOD}\n")
    return tmp_path / "two.log"


def test_json_is_one_array_of_typed_records_named_by_the_field_table(cli, logs):
    result = cli("read", logs, "-o", "json")
    rows = result.json()
    assert result.code == 0 and [r["dstport"] for r in rows] == [3389, 22]
    assert rows[0]["account_id"] == "123456789010" and rows[0]["packets"] == 20


def test_a_bad_line_is_named_on_stderr_with_its_location_and_the_rest_is_printed(cli, logs):
    result = cli("read", logs, "-o", "csv")
    assert list(csv.DictReader(io.StringIO(result.out)))[1]["dstport"] == "22"
    assert f"not a record: {logs}:2: packets: not an integer: twenty" in result.err


def test_strict_stops_at_the_first_bad_line_with_exit_code_1(cli, logs):
    result = cli("read", logs, "--strict", "-o", "json")
    assert result.code == 1 and result.out == ""
    assert f"error: {logs}:2: packets: not an integer: twenty" in result.err


def test_limit_stops_after_that_many_records(cli, logs):
    assert len(cli("read", logs, "-n", "1", "-o", "json").json()) == 1


def test_a_missing_path_fails_with_exit_code_1_and_reads_the_others(cli, logs, tmp_path):
    result = cli("read", tmp_path / "nowhere", logs, "-o", "json")
    assert result.code == 1 and len(result.json()) == 2
    assert f"error: {tmp_path / 'nowhere'}: no such file or directory" in result.err


def test_the_table_leaves_out_columns_without_a_value(cli, logs):
    result = cli("read", logs)
    top = next(line for line in result.out.splitlines() if line.startswith("┏"))
    assert "2 records" in result.out and top.count("┳") + 1 == 14  # the fields; no event_time, no log_stream


def test_csv_quotes_only_when_a_value_needs_it_and_gives_times_as_cloudwatch_writes_them(cli, tmp_path):
    (tmp_path / "stamped.log").write_text(f"2026-03-10T12:00:07.000Z {GOOD}\n2026-03-10T12:00:08.250Z {RDP}\n")
    plain = cli("read", tmp_path / "stamped.log", "-o", "csv").out.splitlines()
    assert plain[1].startswith("2,123456789010,eni-1235b8ca123456789,") and '"' not in plain[1]
    assert plain[2].endswith(",2026-03-10T12:00:08.250Z,")
    (tmp_path / "quoted.log").write_text(GOOD.replace("eni-1235b8ca123456789", '"eni-1"') + "\n")
    [row] = list(csv.DictReader(io.StringIO(cli("read", tmp_path / "quoted.log", "-o", "csv").out)))
    assert row["interface_id"] == '"eni-1"' and row["dstport"] == "22"
