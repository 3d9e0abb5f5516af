"""What an s3:// URI names, for read and ingest alike: an object's whole key is that object, anything else is a
folder, and a name that holds no flow-log object is an error that says where."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from vpcflow.aws.sources import resolve
from vpcflow.cli.main import main
from vpcflow.errors import VpcFlowError
from vpcflow.store.store import Store

from .records import records

DAY = int(datetime(2026, 3, 10, tzinfo=UTC).timestamp())
KEY = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/03/10/one.log"
OTHER = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/03/10/two.log"


def _lines(count: int, seed: int) -> str:
    return "".join(r.line + "\n" for r in records(count, DAY, seed=seed))


@pytest.fixture
def bucket(aws_env):
    """Two objects in one folder: 3 records in KEY, 5 in OTHER."""
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="flows")
    s3.put_object(Bucket="flows", Key=KEY, Body=_lines(3, seed=1).encode())
    s3.put_object(Bucket="flows", Key=OTHER, Body=_lines(5, seed=2).encode())
    return s3


def _run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_objects_whole_key_resolves_to_that_object_alone(session, bucket):
    assert [s.identity for s in resolve(f"s3://flows/{KEY}", session)] == [f"s3://flows/{KEY}"]


def test_a_folder_without_its_trailing_slash_is_still_a_folder(session, bucket):
    folder = KEY.rpartition("/")[0]
    assert sorted(s.identity for s in resolve(f"s3://flows/{folder}", session)) == [
        f"s3://flows/{KEY}", f"s3://flows/{OTHER}"]


def test_a_key_that_is_also_a_folder_is_the_object(session, bucket):
    bucket.put_object(Bucket="flows", Key=f"{KEY}/inner.log", Body=_lines(2, seed=3).encode())
    assert [s.identity for s in resolve(f"s3://flows/{KEY}", session)] == [f"s3://flows/{KEY}"]
    assert [s.identity for s in resolve(f"s3://flows/{KEY}/", session)] == [f"s3://flows/{KEY}/inner.log"]


def test_read_of_one_objects_key_prints_its_records(aws_env, bucket, capsys):
    code, out, err = _run(capsys, "read", f"s3://flows/{KEY}", "--output", "json")
    assert code == 0, err
    assert len(json.loads(out)) == 3


def test_ingest_of_one_objects_key_stores_its_records(aws_env, bucket, capsys, tmp_path):
    code, _, err = _run(capsys, "ingest", f"s3://flows/{KEY}", "--db", tmp_path / "v.duckdb")
    assert code == 0, err
    with Store(tmp_path / "v.duckdb") as store:
        assert store.con.execute("SELECT count(*) FROM flows").fetchone()[0] == 3


def test_a_prefix_holding_nothing_raises_with_its_location(session, bucket):
    with pytest.raises(VpcFlowError, match="no object has this key, and none is under it") as raised:
        list(resolve("s3://flows/AWSLog", session))
    assert raised.value.location == "s3://flows/AWSLog/"
    assert "aws s3 ls s3://flows/AWSLog/" in raised.value.hint


def test_a_prefix_holding_no_flow_log_file_says_so(session, bucket):
    bucket.put_object(Bucket="flows", Key="notes/readme.md", Body=b"hello")
    with pytest.raises(VpcFlowError, match=r"none of the 1 object\(s\) under it is a flow-log file"):
        list(resolve("s3://flows/notes", session))


def test_a_prefix_whose_objects_are_outside_the_window_is_no_error(session, bucket):
    since = datetime(2026, 4, 1, tzinfo=UTC)
    assert list(resolve("s3://flows", session, since=since)) == []


def test_read_of_a_prefix_holding_nothing_exits_1_and_names_it(aws_env, bucket, capsys):
    code, _, err = _run(capsys, "read", "s3://flows/nothing-here")
    assert code == 1
    assert "s3://flows/nothing-here/" in err and "no object has this key" in err


def test_ingest_of_a_prefix_holding_nothing_exits_1_and_names_it(aws_env, bucket, capsys, tmp_path):
    code, _, err = _run(capsys, "ingest", "s3://flows/nothing-here", "--db", tmp_path / "v.duckdb")
    assert code == 1
    assert "s3://flows/nothing-here/" in err and "no object has this key" in err
