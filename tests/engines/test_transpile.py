"""Each named query, written once in DuckDB's dialect, transpiled to Spark SQL and Athena: golden files hold
the generated SQL, and parameters are bound or written as literals by sqlglot, never pasted in."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpcflow.athena import athena_sql
from vpcflow.engines import registry, transpile
from vpcflow.engines.queries import get
from vpcflow.engines.sql import TranspileError, parameters
from vpcflow.errors import NotFound, VpcFlowError

from ..support import assert_golden

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", sorted(registry()))
def test_spark_sql_matches_golden(name):
    q = get(name)
    assert_golden(GOLDEN / "spark" / f"{name}.sql", transpile(q.statement(), "spark", pretty=True).sql + "\n")


@pytest.mark.parametrize("name", sorted(registry()))
def test_athena_sql_matches_golden(name):
    assert_golden(GOLDEN / "athena" / f"{name}.sql", athena_sql(name) + "\n")


def test_spark_keeps_named_markers_and_binds_values():
    t = transpile("SELECT * FROM flows WHERE action = $action LIMIT $n", "spark", {"action": "REJECT", "n": 5})
    assert t.sql == "SELECT * FROM flows WHERE action = :action LIMIT :n"
    assert t.params == {"action": "REJECT", "n": 5}


def test_inlined_string_is_quoted_by_sqlglot_not_pasted():
    hostile = "x' OR '1'='1"
    sql = transpile("SELECT * FROM flows WHERE action = $action", "athena", {"action": hostile}, inline=True).sql
    assert sql == "SELECT * FROM flows WHERE action = 'x'' OR ''1''=''1'"


def test_inlined_list_becomes_an_array_literal():
    sql = transpile("SELECT * FROM flows WHERE list_contains($ports, dstport)", "athena", {"ports": [22, 2222]},
                    inline=True).sql
    assert "ARRAY[22, 2222]" in sql


def test_inline_without_a_value_names_the_parameter():
    with pytest.raises(TranspileError, match=r"no value for parameter \$n"):
        transpile("SELECT * FROM flows LIMIT $n", "athena", {}, inline=True)


def test_exact_percentile_stays_exact_on_spark():
    sql = transpile("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY bytes) FROM flows", "spark").sql
    assert sql.startswith("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY bytes")


def test_parameters_lists_each_name_once():
    assert parameters("SELECT $a, $b, $a FROM flows") == ("a", "b")


def test_unknown_engine_dialect_is_refused():
    with pytest.raises(TranspileError, match="unknown engine dialect"):
        transpile("SELECT 1", "oracle")


def test_unknown_parameter_is_refused_with_the_known_ones():
    with pytest.raises(VpcFlowError, match=r"top-pair has no parameter 'bogus' \(its parameters: action, metric"):
        get("top-pair").bind({"bogus": 1})


def test_parameter_text_is_converted_to_the_default_type():
    assert get("top-pair").bind({"n": "3"})["n"] == 3
    assert get("ssh-brute-force").bind({"ports": "22,2222"})["ports"] == [22, 2222]


def test_unknown_query_name_lists_the_choices():
    with pytest.raises(NotFound, match="no analysis or detection named 'nope'"):
        get("nope")


def test_athena_sql_reads_the_named_table():
    assert "FROM logs.vpc_flow_logs" in athena_sql("protocol-mix", table="logs.vpc_flow_logs", pretty=False)


def test_every_detection_is_in_the_registry():
    from vpcflow.detect import detections

    assert {d.id for d in detections()} <= set(registry())


def test_a_nested_cte_reusing_an_outer_name_is_renamed_for_spark():
    sql = ("WITH hits AS (WITH marked AS (SELECT srcaddr FROM flows) SELECT marked.srcaddr FROM marked), "
           "marked AS (SELECT * FROM hits) SELECT * FROM marked")
    out = transpile(sql, "spark").sql
    assert out == ("WITH marked_2 AS (SELECT srcaddr FROM flows), hits AS (SELECT marked_2.srcaddr FROM marked_2), "
                   "marked AS (SELECT * FROM hits) SELECT * FROM marked")
