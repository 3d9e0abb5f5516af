"""Export: OCSF 1.1 Network Activity and ECS as JSON lines or Parquet, flat Parquet/CSV with AWS's columns."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.support import require
from vpcflow.interop.community_id import community_id
from vpcflow.interop.export import ExportError, export

SCHEMA = Path(__file__).with_name("ocsf_network_activity_1_1.schema.json")


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def by_src(events: list[dict], ip: str) -> dict:
    return next(e for e in events if e.get("src_endpoint", {}).get("ip") == ip)


@pytest.fixture
def ocsf_events(con, tmp_path) -> list[dict]:
    export(con, "ocsf", tmp_path / "ocsf.jsonl")
    return lines(tmp_path / "ocsf.jsonl")


def test_every_ocsf_event_validates_against_the_network_activity_schema(ocsf_events):
    try:
        import jsonschema
    except ImportError:
        jsonschema = None
    require(jsonschema is not None, "jsonschema", "pip install jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    for event in ocsf_events:
        errors = sorted(validator.iter_errors(event), key=str)
        assert not errors, errors[0].message


def test_ocsf_export_writes_one_event_per_record(con, ocsf_events):
    assert len(ocsf_events) == con.execute("SELECT count(*) FROM flows").fetchone()[0]


def test_ocsf_reject_is_refuse_blocked_denied(ocsf_events):
    event = by_src(ocsf_events, "172.31.9.69")
    assert (event["activity_id"], event["disposition_id"], event["action_id"], event["type_uid"]) == (5, 2, 2, 400105)


def test_ocsf_endpoint_takes_the_packet_address_and_keeps_the_interface_address_as_intermediate(ocsf_events):
    # the NAT gateway's interface: srcaddr 10.0.0.220, pkt-srcaddr 203.0.113.5
    event = next(e for e in ocsf_events if e["src_endpoint"].get("interface_uid") == "eni-0ffff000000000001")
    assert event["src_endpoint"]["ip"] == "203.0.113.5"
    assert event["src_endpoint"]["intermediate_ips"] == ["10.0.0.220"]


def test_ocsf_endpoint_without_an_intermediate_has_no_intermediate_ips(ocsf_events):
    assert "intermediate_ips" not in by_src(ocsf_events, "10.0.1.5")["src_endpoint"]


def test_ocsf_egress_puts_the_interface_on_the_source_and_maps_traffic_path_to_boundary(ocsf_events):
    event = by_src(ocsf_events, "10.0.1.5")
    assert event["src_endpoint"]["interface_uid"] == "eni-0a1b2c3d4e5f60718"
    assert (event["connection_info"]["direction_id"], event["connection_info"]["boundary_id"]) == (2, 11)


def test_ocsf_ingress_puts_the_interface_on_the_destination(ocsf_events):
    event = by_src(ocsf_events, "198.51.100.9")
    assert event["dst_endpoint"]["instance_uid"] == "i-0a1b2c3d4e5f60718"
    assert event["connection_info"]["direction_id"] == 1


def test_ocsf_times_are_milliseconds_of_start_and_end(ocsf_events):
    event = by_src(ocsf_events, "172.31.9.69")
    assert (event["time"], event["start_time"], event["end_time"]) == (1418530010000, 1418530010000, 1418530070000)


def test_ocsf_carries_the_community_id_of_its_endpoints(ocsf_events):
    event = by_src(ocsf_events, "203.0.113.12")
    assert event["connection_info"]["community_uid"] == "1:H//CCQJhRqDUJ9c23S0VrQ+drxU="


def test_ocsf_parquet_has_nested_columns(con, tmp_path):
    export(con, "ocsf", tmp_path / "ocsf.parquet")
    table = pq.read_table(tmp_path / "ocsf.parquet")
    assert table.schema.field("src_endpoint").type.get_field_index("intermediate_ips") >= 0
    assert table.num_rows == con.execute("SELECT count(*) FROM flows").fetchone()[0]


def test_ecs_document_nests_network_community_id(con, tmp_path):
    export(con, "ecs", tmp_path / "ecs.jsonl")
    doc = next(d for d in lines(tmp_path / "ecs.jsonl") if d.get("source", {}).get("port") == 20641)
    assert doc["network"]["community_id"] == community_id("172.31.16.139", "172.31.16.21", 20641, 22, 6)


def test_ecs_maps_action_protocol_and_end_time_as_elastic_does(con, tmp_path):
    export(con, "ecs", tmp_path / "ecs.jsonl")
    doc = next(d for d in lines(tmp_path / "ecs.jsonl") if d.get("source", {}).get("ip") == "172.31.9.69")
    assert (doc["event"]["outcome"], doc["network"]["transport"], doc["network"]["iana_number"]) == \
        ("failure", "tcp", "6")
    assert doc["@timestamp"] == "2014-12-14T04:07:50.000Z"


def test_flat_parquet_has_aws_column_names_and_types(con, tmp_path):
    export(con, "parquet", tmp_path / "flows.parquet")
    schema = pq.read_schema(tmp_path / "flows.parquet")
    assert (str(schema.field("srcport").type), str(schema.field("bytes").type), str(schema.field("account_id").type)) \
        == ("int32", "int64", "string")


def test_csv_header_names_the_chosen_format_columns(con, tmp_path):
    export(con, "csv", tmp_path / "flows.csv", log_format="default")
    with open(tmp_path / "flows.csv", newline="") as f:
        header = next(csv.reader(f))
    assert header[:4] == ["version", "account_id", "interface_id", "srcaddr"] and header[-1] == "log_status"


def test_since_and_until_bound_the_exported_records_by_start(con, tmp_path):
    result = export(con, "csv", tmp_path / "flows.csv", since=1700000000, until=1700000100)
    assert result.records == 3


def test_a_destination_suffix_the_kind_cannot_write_is_an_error(con, tmp_path):
    with pytest.raises(ExportError, match=r"ocsf export cannot write a \.txt file"):
        export(con, "ocsf", tmp_path / "ocsf.txt")


def test_an_unknown_kind_is_an_error(con, tmp_path):
    with pytest.raises(ExportError, match="unknown export kind 'splunk'"):
        export(con, "splunk", tmp_path / "out.jsonl")


def test_progress_reaches_one(con, tmp_path):
    seen = []
    export(con, "ecs", tmp_path / "ecs.jsonl", progress=seen.append)
    assert seen[-1] == 1.0


def test_export_reads_a_read_only_store(store_path, tmp_path):
    con = duckdb.connect(str(store_path), read_only=True)
    assert export(con, "ocsf", tmp_path / "o.jsonl").records > 0
