"""`vpcflow insights` and `vpcflow export` from the command line: the contracts scripts rely on."""

from __future__ import annotations

import json


def test_insights_json_is_an_array_of_row_objects(cli, store_path):
    query = "stats sum(packets) as packetsTransferred by srcAddr, dstAddr | sort packetsTransferred desc | limit 2"
    result = cli("insights", query, "--db", store_path, "-o", "json")
    assert result.code == 0, result.err
    rows = result.json()
    assert len(rows) == 2 and set(rows[0]) == {"srcAddr", "dstAddr", "packetsTransferred"}
    assert rows[0]["packetsTransferred"] >= rows[1]["packetsTransferred"]


def test_insights_show_sql_prints_the_translation(cli, store_path):
    result = cli("insights", "filter action = 'REJECT' | stats count(*) as n", "--db", store_path, "--show-sql")
    assert result.code == 0 and "SELECT" in result.out.upper() and "flows" in result.out


def test_an_unsupported_insights_command_names_it_and_its_position(cli, store_path):
    result = cli("insights", "fields srcAddr | unmask @message", "--db", store_path)
    assert result.code == 1 and "unmask" in result.err and "Traceback" not in result.err


def test_export_ocsf_writes_nested_json_lines(cli, store_path, tmp_path):
    dest = tmp_path / "out.jsonl"
    result = cli("export", "ocsf", dest, "--db", store_path, "-o", "json")
    assert result.code == 0, result.err
    first = json.loads(dest.read_text().splitlines()[0])
    assert first["class_uid"] == 4001 and "community_uid" in first["connection_info"]


def test_export_ecs_has_network_community_id(cli, store_path, tmp_path):
    dest = tmp_path / "out.json"
    assert cli("export", "ecs", dest, "--db", store_path).code == 0
    first = json.loads(dest.read_text().splitlines()[0])
    assert first["network"]["community_id"].startswith("1:")


def test_export_refuses_an_unknown_kind_before_opening_the_store(cli, tmp_path):
    result = cli("export", "xml", tmp_path / "x.xml", "--db", tmp_path / "none.duckdb")
    assert result.code == 1 and "xml" in result.err
