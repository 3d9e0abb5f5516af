"""A small store for the interop tests: AWS's documented example records plus a few v5 records.

Built from vpcflow.store.schema.DDL with bound INSERTs (the store's own ingest is not needed here).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from vpcflow.fields import PRESETS, LogFormat
from vpcflow.store import schema
from vpcflow.store.schema import DDL, quote

DEFAULT_LINES = """\
2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK
2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK
2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA
2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA
2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK
2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK
2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 \
34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK
2 123456789010 eni-1235b8ca123456789 198.51.100.7 172.31.16.139 5353 53 17 3 300 1432917200 1432917260 ACCEPT OK
"""

V5 = LogFormat.parse("v5")
V5_LINES = """\
5 123456789010 eni-0a1b2c3d4e5f60718 10.0.1.5 203.0.113.5 49152 443 6 10 1200 1700000000 1700000060 ACCEPT OK \
vpc-0a1b2c3d subnet-0a1b2c3d i-0a1b2c3d4e5f60718 2 IPv4 10.0.1.5 203.0.113.5 us-east-1 use1-az4 - - - AMAZON \
egress 8
5 123456789010 eni-0a1b2c3d4e5f60718 203.0.113.5 10.0.1.5 443 49152 6 8 5400 1700000000 1700000060 ACCEPT OK \
vpc-0a1b2c3d subnet-0a1b2c3d i-0a1b2c3d4e5f60718 18 IPv4 203.0.113.5 10.0.1.5 us-east-1 use1-az4 - - AMAZON - \
ingress -
5 123456789010 eni-0ffff000000000001 10.0.0.220 10.0.1.5 443 49152 6 8 5400 1700000010 1700000060 ACCEPT OK \
vpc-0a1b2c3d subnet-0feedbeef - 0 IPv4 203.0.113.5 10.0.1.5 us-east-1 use1-az4 - - - - egress 1
5 123456789010 eni-0a1b2c3d4e5f60718 198.51.100.9 10.0.1.5 51515 22 6 1 40 1700000120 1700000180 REJECT OK \
vpc-0a1b2c3d subnet-0a1b2c3d i-0a1b2c3d4e5f60718 2 IPv4 198.51.100.9 10.0.1.5 us-east-1 use1-az4 - - - - \
ingress -
"""


def rows_of(lines: str, fmt: LogFormat) -> list[dict]:
    rows = []
    for line in lines.splitlines():
        tokens = line.split()
        assert len(tokens) == len(fmt), line
        row = {}
        for f, tok in zip(fmt.fields, tokens, strict=True):
            row[f.column] = None if tok == "-" else (int(tok) if f.is_integer else tok)
        rows.append(row)
    return rows


def create_schema(con: duckdb.DuckDBPyConnection) -> str:
    """Create the store's tables; returns the table records are inserted into."""
    for ddl in DDL:
        con.execute(ddl)
    if hasattr(schema, "ensure_columns"):  # flows is a view over flow_records, widened per format
        schema.ensure_columns(con, PRESETS["all"].fields)
        return "flow_records"
    return "flows"


def insert(con: duckdb.DuckDBPyConnection, rows: list[dict], table: str = "flows",
           log_stream_of=lambda r: f"{r['interface_id']}-all"):
    for row in rows:
        row = {**row, "log_stream": log_stream_of(row)}
        cols = list(row)
        con.execute(f"INSERT INTO {table} ({', '.join(quote(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))})",
                    [row[c] for c in cols])


def make_store(path: Path) -> Path:
    con = duckdb.connect(str(path))
    table = create_schema(con)
    insert(con, rows_of(DEFAULT_LINES, LogFormat.parse("default")), table)
    insert(con, rows_of(V5_LINES, V5), table)
    con.close()
    return path


@pytest.fixture(scope="session")
def store_path(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("interop") / "store.duckdb")


@pytest.fixture
def con(store_path):
    connection = duckdb.connect(str(store_path), read_only=True)
    yield connection
    connection.close()
