"""Everything the emulator writes reads back through the store's ingest with nothing quarantined."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from vpcflow.emulate import simulate
from vpcflow.sources.layouts import parse_key
from vpcflow.store import Store

LAYOUTS = [
    ("cloudwatch", "text", "default", False, False),
    ("cloudwatch", "text", "v8", False, False),
    ("s3", "text", "default", False, False),
    ("s3", "text", "v5", True, False),
    ("s3", "text", "v3", False, True),
    ("s3", "parquet", "v8", True, True),
    ("s3", "parquet", "default", False, False),
    ("firehose", "text", "v5", False, False),
]


@pytest.mark.parametrize(("destination", "file_format", "log_format", "hive", "per_hour"), LAYOUTS)
def test_every_layout_ingests_with_nothing_quarantined(tmp_path, destination, file_format, log_format, hive,
                                                       per_hour):
    summary = simulate("seed-demo", tmp_path / "out", duration="2h", destination=destination,
                       file_format=file_format, format=log_format, hive=hive, per_hour=per_hour)
    with Store.open(tmp_path / "db.duckdb") as store:
        result = store.ingest([tmp_path / "out"], format=None if destination == "s3" else log_format)
        stored = store.con.execute("SELECT count(*) FROM flows").fetchone()[0]
    assert result.quarantined == 0
    assert stored == summary.records > 0


def test_cloudwatch_export_layout_has_one_stream_per_interface(tmp_path):
    simulate("seed-demo", tmp_path, duration="1h")
    streams = sorted(p.parent.name for p in (tmp_path / "cloudwatch").glob("*/*/*/000000.gz"))
    assert len(streams) == 2 and all(re.fullmatch(r"eni-[0-9a-f]{17}-all", s) for s in streams)


def test_cloudwatch_lines_start_with_the_record_start_as_iso_milliseconds(tmp_path):
    simulate("seed-demo", tmp_path, duration="1h")
    path = next((tmp_path / "cloudwatch").glob("*/*/*/000000.gz"))
    lines = gzip.open(path, "rt").read().splitlines()
    stamp, version, *_rest = lines[0].split(" ")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", stamp) and version == "2"
    assert all(a.split(" ")[0] <= b.split(" ")[0] for a, b in zip(lines, lines[1:], strict=False))


def test_s3_text_objects_are_five_minute_files_with_a_header(tmp_path):
    simulate("seed-demo", tmp_path, duration="1h", destination="s3", format="v5")
    files = sorted((tmp_path / "AWSLogs").rglob("*.log.gz"))
    assert len(files) >= 12
    info = parse_key(str(files[0].relative_to(tmp_path)))
    assert info.account == "123456789010" and info.region == "us-east-1" and info.stamp.minute % 5 == 0
    first = gzip.open(files[0], "rt").readline().split()
    assert first[:3] == ["version", "account-id", "interface-id"] and first[-1] == "traffic-path"


def test_s3_hive_per_hour_prefix(tmp_path):
    simulate("seed-demo", tmp_path, duration="1h", destination="s3", hive=True, per_hour=True)
    key = str(next((tmp_path / "AWSLogs").rglob("*.log.gz")).relative_to(tmp_path))
    assert re.match(r"AWSLogs/aws-account-id=123456789010/aws-service=vpcflowlogs/aws-region=us-east-1/"
                    r"year=2026/month=01/day=05/hour=00/", key)


def test_hive_parquet_objects_read_back_with_pyarrow(tmp_path):
    summary = simulate("seed-demo", tmp_path, duration="1h", destination="s3", file_format="parquet", hive=True)
    files = sorted((tmp_path / "AWSLogs").rglob("*.log.parquet"))
    assert sum(pq.read_table(p).num_rows for p in files) == summary.records


def test_parquet_columns_have_aws_names_and_types_with_nulls_for_dashes(tmp_path):
    simulate("seed-demo", tmp_path, duration="1h", destination="s3", file_format="parquet", format="v5")
    tables = [pq.read_table(p) for p in sorted((tmp_path / "AWSLogs").rglob("*.log.parquet"))]
    schema = tables[0].schema
    assert str(schema.field("version").type) == "int32" and str(schema.field("packets").type) == "int64"
    assert str(schema.field("account_id").type) == "string" and str(schema.field("tcp_flags").type) == "int32"
    nodata = [r for t in tables for r in t.to_pylist() if r["log_status"] == "NODATA"]
    assert nodata and nodata[0]["srcaddr"] is None and nodata[0]["packets"] is None


def test_firehose_files_are_plain_lines_without_header(tmp_path):
    simulate("seed-demo", tmp_path, duration="1h", destination="firehose")
    files = sorted((tmp_path / "firehose").rglob("vpc-flow-logs-1-*"))
    assert files and re.search(r"firehose/vpc-flow-logs/2026/01/05/00/", str(files[0]))
    assert files[0].read_text().splitlines()[0].startswith("2 123456789010 eni-")


def test_accept_only_flow_log_has_no_rejects_but_keeps_nodata(tmp_path):
    simulate("seed-demo", tmp_path, duration="5h", destination="firehose", traffic_type="ACCEPT")
    lines = [line for p in (tmp_path / "firehose").rglob("vpc-flow-logs-1-*") for line in p.read_text().splitlines()]
    actions = {line.split()[12] for line in lines}
    assert "REJECT" not in actions and "ACCEPT" in actions and "-" in actions


def _digest(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("destination", ["cloudwatch", "s3"])
def test_same_seed_gives_byte_identical_output(tmp_path, destination):
    simulate("attack-zoo", tmp_path / "a", duration="3h", destination=destination, seed=5)
    simulate("attack-zoo", tmp_path / "b", duration="3h", destination=destination, seed=5)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_another_seed_gives_other_traffic(tmp_path):
    simulate("seed-demo", tmp_path / "a", duration="1h", seed=1)
    simulate("seed-demo", tmp_path / "b", duration="1h", seed=2)
    assert _digest(tmp_path / "a") != _digest(tmp_path / "b")


def test_parquet_output_is_byte_identical_too(tmp_path):
    for name in "ab":
        simulate("seed-demo", tmp_path / name, duration="1h", destination="s3", file_format="parquet")
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_labels_file_has_one_object_per_event(tmp_path):
    summary = simulate("seed-demo", tmp_path)
    labels = [json.loads(line) for line in (tmp_path / "labels.jsonl").read_text().splitlines()]
    assert len(labels) == summary.labels == 3
    assert {k for label in labels for k in label} >= {"kind", "src", "dst", "dst_port", "start", "end",
                                                       "expected_detector"}
