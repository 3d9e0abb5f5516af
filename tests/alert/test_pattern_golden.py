# ruff: noqa: E501  (patterns are kept as written)
"""Golden cases: each pattern's tree, its SQL, and which records it matches, from AWS's documented examples.

Regenerate after a deliberate change with VPCFLOW_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpcflow.alert.evaluate import compile_predicate, matches
from vpcflow.alert.pattern import parse
from vpcflow.alert.sql import compile_sql, line_of
from vpcflow.fields import DEFAULT

from ..support import assert_golden
from .records import LINES, make_store

GOLDEN = Path(__file__).parent / "golden" / "patterns.json"

PATTERNS = [
    # Section 4.3 of the spec (AWS: "Publish flow logs to CloudWatch Logs", metric filter examples)
    "[version, accountid, interfaceid, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, end, "
    "action, logstatus]",
    "[version, accountid, interfaceid, srcaddr = 10.0.0.1, dstaddr, srcport, dstport, protocol, packets, bytes, "
    "start, end, action, logstatus]",
    "[version, accountid, interfaceid, srcaddr = 10.0.2.*, dstaddr, srcport, dstport, protocol, packets, bytes, "
    "start, end, action, logstatus]",
    "[version, accountid, interfaceid, srcaddr, dstaddr, srcport, dstport = 80 || dstport = 8080, protocol, "
    "packets, bytes >= 400, start, end, action = REJECT, logstatus]",
    '[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, '
    'windowstart, windowend, action="REJECT", flowlogstatus]',
    # FilterAndPatternSyntax shapes on flow-log fields
    '[..., action="REJECT", logstatus]',
    '[version, account, ..., logstatus="NODATA"]',
    "[..., bytes > 1000, start, end, action, status]",
    '[v, account, eni, src = "10.0.*", ...]',
    "[v, account, eni, src, dst, srcport, dstport != 22, ...]",
    "[v, account, eni, src, dst, srcport, dstport, proto, packets, bytes <= 400 && packets < 5, ...]",
    "[v, account = 000123456789, ...]",
    '[v, account = "000123456789", ...]',
    "[v, account, eni = %eni-0a1b%, ...]",
    "[v, account, eni, src, dst, srcport, dstport = 22 || dstport = 3389, ..., action = REJECT, status]",
    "[v, account, eni, src, dst, srcport = *, ...]",
    "[..., action != ACCEPT, status = OK]",
    "[v, account, eni, src, dst, srcport, dstport, proto = 1 || proto = 17, ...]",
    "[v, account, eni, src = %^10\\.0\\.%, ...]",
    # term patterns
    "REJECT",
    '"REJECT OK"',
    "OK -REJECT",
    "?NODATA ?SKIPDATA",
    "%eni-1235b8ca%",
    '""',
    "22",
    "-ACCEPT",
    "123456789010 ?REJECT ?SKIPDATA",
]


def case(pattern: str, con) -> dict:
    parsed = parse(pattern)
    sql = compile_sql(parsed, DEFAULT)
    return {
        "pattern": pattern,
        "tree": parsed.describe(),
        "sql": {"where": sql.where, "params": list(sql.params)},
        "matches": [i for i, line in enumerate(LINES) if matches(parsed, line)],
    }


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    con = make_store(tmp_path_factory.mktemp("store") / "flows.duckdb")
    yield con
    con.close()


def test_golden_file_holds_every_pattern_as_computed_now(store):
    """Runs first: under VPCFLOW_UPDATE_GOLDEN=1 it rewrites the file the tests below read."""
    assert_golden(GOLDEN, json.dumps([case(p, store) for p in PATTERNS], indent=1) + "\n")


@pytest.fixture(scope="module")
def golden():
    return {c["pattern"]: c for c in json.loads(GOLDEN.read_text())}


@pytest.mark.parametrize("pattern", PATTERNS)
def test_parse_tree_matches_golden(pattern, golden):
    assert parse(pattern).describe() == golden[pattern]["tree"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_generated_sql_matches_golden(pattern, golden):
    sql = compile_sql(pattern, DEFAULT)
    assert {"where": sql.where, "params": list(sql.params)} == golden[pattern]["sql"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_line_evaluator_matches_golden(pattern, golden):
    assert [i for i, line in enumerate(LINES) if matches(pattern, line)] == golden[pattern]["matches"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_compiled_predicate_agrees_with_reference(pattern, golden):
    predicate = compile_predicate(pattern)
    assert [i for i, line in enumerate(LINES) if predicate(line)] == golden[pattern]["matches"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_store_sql_agrees_with_reference(pattern, golden, store):
    where, params = compile_sql(pattern, DEFAULT).select(line_of(DEFAULT))
    found = {row[0] for row in store.con.execute(where, params).fetchall()}
    assert sorted(LINES.index(line) for line in found) == golden[pattern]["matches"]
