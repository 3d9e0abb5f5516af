"""The ingest checks are built once from the field table (vpcflow.fields.checks): the store and Spark give the
same reason, at the same line, for every field's every kind of bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpcflow.engines.raw import read_raw, spark_sql
from vpcflow.fields import FIELDS, PRESETS
from vpcflow.fields.checks import check_arms, reason_sql, typed_sql
from vpcflow.parse import transform
from vpcflow.store import Store

# integer text the two engines' casts might read differently, and values just outside each bound
ODD_INTEGERS = ["abc", "+7", "-0", "007", "12abc", "99999999999999999999999", "\u0663", "5-"]
ODD_CHOICES = ["maybe", "accept", "OK\u00a0"]
ODD_ADDRESSES = ["999.999.999.999", "not-an-ip", "10.0.0", "01.2.3.4x"]
# DuckDB's TRY_CAST reads these (2, 31, 1000, 1000, 1); Spark's refuses them: a known difference until the
# shared builder checks the integer grammar (see docs/scale.md, "Known differences")
DUCKDB_LENIENT = ["1.5", "0x1f", "1e3", "1_000", "0b1"]


def _good(f) -> str:
    if f.choices:
        return f.choices[0]
    if f.address:
        return "10.0.0.1"
    if f.name in ("start", "end"):
        return "1767657600"
    if f.is_integer:
        return str(f.low if f.low is not None else 0)
    return "x"


def _odd_values(f) -> list[str]:
    if f.choices:
        return ODD_CHOICES
    if f.address:
        return ODD_ADDRESSES
    values = ODD_INTEGERS + DUCKDB_LENIENT
    if f.low is not None:
        values.append(str(f.low - 1))
    if f.high is not None:
        values.append(str(f.high + 1))
    return values


def _lines(preset: str) -> list[tuple[str, str | None]]:
    """(line, the odd value in it) for a header, a good line and one line per field and odd value."""
    fmt = PRESETS[preset]
    good = [_good(f) for f in fmt.fields]
    lines = [(" ".join(f.name for f in fmt.fields), None), (" ".join(good), None)]
    for i, f in enumerate(fmt.fields):
        if f.is_integer or f.choices or f.address:
            lines += [(" ".join(good[:i] + [value] + good[i + 1:]), value) for value in _odd_values(f)]
    return lines


def _lenient_lines() -> set[tuple[str, int]]:
    return {(f"{p}.log", n) for p in ("all", "tgw") for n, (_, v) in enumerate(_lines(p), 1) if v in DUCKDB_LENIENT}


def _named(rows: list[dict], lenient: bool) -> list[dict]:
    """Rows with the file's name as source, only the lenient lines or only the others."""
    out = [{**r, "source": Path(r["source"]).name} for r in rows]
    return [r for r in out if ((r["source"], r["line"]) in _lenient_lines()) == lenient]


@pytest.fixture(scope="module")
def both(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("checks")
    logs = root / "logs"
    logs.mkdir()
    for preset in ("all", "tgw"):
        (logs / f"{preset}.log").write_text("\n".join(line for line, _ in _lines(preset)) + "\n")
    with Store(root / "s.duckdb") as store:
        store.ingest([logs])
        bad = store.query("SELECT source, line, reason FROM quarantine ORDER BY source, line").to_pylist()
        good = store.query("SELECT count(*) AS n FROM flows").to_pylist()[0]["n"]
    report = read_raw(spark, [str(logs)])
    spark_bad = sorted(report.quarantine.selectExpr("source", "line", "reason").toArrow().to_pylist(),
                       key=lambda r: (r["source"], r["line"]))
    return (good, bad), (report.flows.count(), spark_bad, report.failed)


def test_every_checked_field_is_covered_by_the_bad_lines(both):
    (_, bad), _ = both
    checked = {f.name for f in FIELDS if f.is_integer or f.choices or f.address}
    in_formats = {f.name for p in ("all", "tgw") for f in PRESETS[p].fields}
    named = {r["reason"].split(":")[0] for r in bad}
    assert named == checked & in_formats


def test_store_and_spark_quarantine_the_same_lines_with_the_same_reasons(both):
    (_, bad), (_, spark_bad, failed) = both
    assert failed == []
    assert len(_named(bad, False)) > 150
    assert _named(spark_bad, False) == _named(bad, False)


def test_store_and_spark_agree_on_integers_written_unlike_aws(both):
    """1.5, 0x1f, 1e3, 1_000 and 0b1 are not integers to either (DuckDB's cast alone would read them)."""
    (_, bad), (_, spark_bad, _) = both
    assert _named(spark_bad, True) == _named(bad, True)


def test_spark_quarantines_integers_written_unlike_aws(both):
    _, (_, spark_bad, _) = both
    assert len(_named(spark_bad, True)) == len(_lenient_lines())


def test_the_store_stages_with_the_shared_checks():
    """transform.py builds its staging SQL from the shared builder, not a copy of it."""
    assert transform.check_arms is check_arms and transform.typed_sql is typed_sql


def test_spark_reason_sql_is_the_duckdb_one_transpiled():
    f = next(f for f in FIELDS if f.name == "dstport")
    spark = spark_sql(reason_sql([f], ["c0"], ["r0"]))
    assert spark.startswith("CASE WHEN c0 IS NULL AND r0 <> '-' THEN 'dstport: ' || 'not an integer: '")
    assert "WHEN c0 > 65535 THEN 'dstport: ' || 'above 65535: ' || r0" in spark


def test_store_and_spark_keep_the_same_good_records(both):
    """Every good line is kept by both, except the lenient ones only the store reads as records."""
    (good, bad), (spark_good, _, _) = both
    store_read_lenient = len(_lenient_lines()) - len(_named(bad, True))
    assert spark_good == good - store_read_lenient
    assert spark_good >= 2
