"""Athena: CREATE TABLE per layout (golden files), `athena sql`, and `athena run` over moto's server.

Moto gap: moto's Athena does not execute SQL. It records the query and answers with results seeded through
its /moto-api/static/athena/query-results endpoint, so these tests check what vpcflow sends and how it
prints what comes back, not that Athena accepts the SQL.
"""

from __future__ import annotations

import pytest
import requests

from vpcflow.athena import LAYOUTS, TableSpec, athena_sql, create_table
from vpcflow.errors import VpcFlowError
from vpcflow.fields import LogFormat

from ..support import assert_golden
from .test_transpile import GOLDEN

CASES = [(layout, fmt) for layout in LAYOUTS for fmt in ("text", "parquet") if not (layout == "lake" and fmt == "text")]


@pytest.mark.parametrize(("layout", "file_format"), CASES)
def test_create_table_matches_golden(layout, file_format):
    spec = TableSpec("flow-log-bucket", "prod", "123456789012", ("us-east-1", "eu-west-1"), layout, file_format,
                     LogFormat.parse("v5"))
    assert_golden(GOLDEN / "ddl" / f"{layout}-{file_format}.sql", create_table(spec))


def test_text_table_skips_the_header_line_and_splits_on_spaces():
    ddl = create_table(TableSpec("b"))
    assert "ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '" in ddl
    assert "'skip.header.line.count' = '1'" in ddl


def test_ddl_types_follow_aws_int_bigint_string():
    ddl = create_table(TableSpec("b", log_format=LogFormat.parse("v3")))
    for line in ("  srcport int,", "  protocol bigint,", "  `end` bigint,", "  tcp_flags int,", "  account_id string,"):
        assert line in ddl


def test_the_region_field_keeps_its_place_among_the_columns_of_a_text_table():
    ddl = create_table(TableSpec("b", log_format=LogFormat.parse("v5")))
    columns = [line.split()[0].strip("`") for line in ddl.splitlines()[1:] if line.startswith("  ")]
    assert columns[:len(LogFormat.parse("v5").columns)] == LogFormat.parse("v5").columns
    assert "PARTITIONED BY (aws_region string, day string)" in ddl
    assert "'storage.location.template' = 's3://b/AWSLogs/123456789012/vpcflowlogs/${aws_region}/${day}/'" in ddl


@pytest.mark.parametrize("bucket", ["bad'bucket", "a b", "x;DROP"])
def test_ddl_refuses_a_bucket_that_would_break_the_text(bucket):
    with pytest.raises(VpcFlowError, match="invalid bucket"):
        create_table(TableSpec(bucket))


def test_lake_layout_must_be_parquet():
    with pytest.raises(VpcFlowError, match="vpcflow's lake is Parquet"):
        create_table(TableSpec("b", layout="lake"))


def test_athena_sql_command_prints_the_transpiled_query(cli):
    result = cli("athena", "sql", "rejected-ports", "--table", "logs.flows_pq", "-p", "n=3")
    assert result.code == 0
    assert result.out.strip() == athena_sql("rejected-ports", {"n": 3}, table="logs.flows_pq") + ";"


def test_athena_ddl_command_prints_create_table(cli):
    result = cli("athena", "ddl", "--bucket", "b", "--layout", "hive", "--file-format", "parquet",
                 "--account", "111122223333", "--region", "eu-west-3")
    assert result.code == 0
    assert result.out.startswith("CREATE EXTERNAL TABLE IF NOT EXISTS default.vpc_flow_logs (")
    assert "AWSLogs/aws-account-id=111122223333/" in result.out and "'eu-west-3'" in result.out


def test_athena_ddl_takes_the_account_and_region_from_the_callers_aws_identity(cli, aws_env, monkeypatch):
    for k, v in aws_env.environ.items():
        monkeypatch.setenv(k, v)
    result = cli("athena", "ddl", "--bucket", "b")
    assert result.code == 0, result.err
    assert f"LOCATION 's3://b/AWSLogs/{aws_env.account}/vpcflowlogs/'" in result.out
    assert f"'projection.aws_region.values' = '{aws_env.region}'" in result.out


def test_athena_ddl_without_an_aws_identity_says_so_instead_of_a_placeholder(cli, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: STS cannot be asked
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = cli("athena", "ddl", "--bucket", "b")
    assert result.code == 1
    assert "sts:GetCallerIdentity" in result.err and result.out == ""


def _seed(endpoint: str, columns: list[tuple[str, str]], rows: list[list[str]]) -> None:
    info = [{"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": n, "Label": n, "Type": t,
             "Precision": 0, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": False} for n, t in columns]
    data = [{"Data": [{"VarCharValue": n} for n, _ in columns]}] + [{"Data": [{"VarCharValue": v} for v in r]} for r in rows]
    body = {"account_id": "123456789012", "region": "us-east-1", "results": [{"rows": data, "column_info": info}]}
    requests.post(f"{endpoint}/moto-api/static/athena/query-results", json=body, timeout=10).raise_for_status()


def test_athena_run_prints_rows_like_the_local_engine(aws_env, cli):
    _seed(aws_env.endpoint_url, [("dstport", "integer"), ("flows", "bigint")], [["22", "120"], ["3389", "7"]])
    result = cli("athena", "run", "rejected-ports", "--output-location", "s3://results/", "-o", "json")
    assert result.code == 0, result.err
    assert result.json() == [{"dstport": 22, "flows": 120}, {"dstport": 3389, "flows": 7}]


def test_athena_run_sends_the_transpiled_query(aws_env, cli):
    _seed(aws_env.endpoint_url, [("n", "bigint")], [["1"]])
    assert cli("athena", "run", "top-src", "-p", "n=4", "--table", "db.t", "--output-location", "s3://r/").code == 0
    athena = aws_env.client("athena")
    qid = athena.list_query_executions()["QueryExecutionIds"][0]
    sent = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Query"]
    assert sent == athena_sql("top-src", {"n": 4}, table="db.t", pretty=False)
