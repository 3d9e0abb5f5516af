"""Raw flow logs on Spark: S3 text files (header line, gzip) and AWS Parquet, in any key layout, checked like ingest.

The checks are the store's: each line is split into the header's fields, and each value typed, bounded and
checked against its choices by the SQL vpcflow.fields.checks builds from the field table, transpiled to Spark
by sqlglot, so a line that fails gets the same reason text. Bad lines
are kept aside in `quarantine` (source, line, reason, text), never dropped. Files are read whole
(`wholetext`), so line numbers are exact; AWS caps a delivered file at 75 MB.

Gaps against the store's reader, each a documented difference: a corrupt gzip file fails the Spark job
(Spark has no partial read of a truncated stream); a headerless file is read in the given format (default:
AWS's default format) and lines with another field count are quarantined, where the store refuses the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import FormatError, VpcFlowError
from ..fields import DEFAULT, LogFormat
from ..fields.checks import reason_sql, typed_sql
from ..parse.chunks import MAX_LINE
from ..store.schema import QUARANTINE_TEXT_LIMIT
from .spark import as_flows, size_splits
from .sql import transpile

TEXT_GLOB = "*.{log,gz,txt}"
PARQUET_GLOB = "*.parquet"
_HEADER_RE = "^[a-z][a-z0-9_-]*( [a-z][a-z0-9_-]*)*$"


@dataclass
class ReadReport:
    """What Spark read: the good records (as `flows`), the quarantined lines, and files it refused."""

    flows: object  # DataFrame with the flows view's columns
    quarantine: object  # DataFrame (source, line, reason, text)
    failed: list[tuple[str, str]]  # (file, why)


def _lit(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def spark_sql(expression: str) -> str:
    """An expression of the shared checks (DuckDB's dialect) in Spark SQL, by sqlglot."""
    return transpile(f"SELECT {expression}", "spark").sql.removeprefix("SELECT ")


def _fields_sql(fmt: LogFormat, raws: list[str]) -> tuple[list[str], str]:
    """Spark's typed columns c0..cN and the reason CASE over them: the store's checks (vpcflow.fields.checks),
    transpiled by sqlglot, so both engines give the same reason for the same value."""
    typed = [f"{spark_sql(typed_sql(f, r))} AS c{i}" for i, (f, r) in enumerate(zip(fmt.fields, raws, strict=True))]
    return typed, spark_sql(reason_sql(list(fmt.fields), [f"c{i}" for i in range(len(fmt))], raws))


def _line_checks() -> list[str]:
    """What the store's line reader refuses before parsing (vpcflow.parse.chunks)."""
    return [
        f"WHEN octet_length(line) > {MAX_LINE} THEN 'line is over {MAX_LINE:,} bytes: not a flow-log record'",
        "WHEN instr(line, '\\u0000') > 0 THEN 'binary data (NUL byte) in a text line'",
        # Spark decodes bad bytes to U+FFFD; its position is the store's byte offset while the line is ASCII
        "WHEN instr(line, '\\uFFFD') > 0 THEN concat('not UTF-8 text (byte ', instr(line, '\\uFFFD'), ')')",
    ]


def stage_text_sql(fmt: LogFormat, header: str | None, where: str = "TRUE") -> str:
    """Spark SQL over view `raw_lines(source, n, line)` (rows matching `where`): reason (NULL when good) and
    typed columns c0..cN."""
    raws = [f"r{i}" for i in range(len(fmt))]
    typed, fields_reason = _fields_sql(fmt, raws)
    arms = ["WHEN trim(line) = '' THEN 'blank'", *_line_checks()]
    if header is not None:
        arms.append(f"WHEN n = 1 AND line = {_lit(header)} THEN 'header'")
    arms.append(f"WHEN nt <> {len(fmt)} THEN concat(CAST(nt AS STRING), ' fields, format has {len(fmt)}')")
    cols = ", ".join(f"c{i}" for i in range(len(fmt)))
    picked = ", ".join(f"try_element_at(t, {i + 1}) AS r{i}" for i in range(len(fmt)))
    # AWS writes single spaces; anything else (runs of blanks, tabs) takes the regex split, as in the store
    tokens = ("CASE WHEN line RLIKE '^[^ \\t]+( [^ \\t]+)*$' THEN split(line, ' ') "
              "ELSE split(trim(regexp_replace(line, '[ \\t]+', ' ')), ' ') END")
    return (f"SELECT source, n, line, CASE {' '.join(arms)} ELSE {fields_reason} END AS reason, {cols} FROM ("
            f"SELECT source, n, line, nt, {', '.join(raws)}, {', '.join(typed)} FROM ("
            f"SELECT source, n, line, size(t) AS nt, {picked} FROM ("
            f"SELECT source, n, line, {tokens} AS t FROM raw_lines WHERE {where})))")


def stage_parquet_sql(fmt: LogFormat) -> str:
    """Spark SQL over view `raw_rows(source, n, <columns>)`: AWS Parquet values re-checked like text."""
    texts = ", ".join(f"CAST(`{f.column}` AS STRING) AS r{i}" for i, f in enumerate(fmt.fields))
    raws = [f"r{i}" for i in range(len(fmt))]
    typed = [f"{spark_sql(typed_sql(f, r))} AS c{i}" for i, (f, r) in enumerate(zip(fmt.fields, raws, strict=True))]
    reason = spark_sql(reason_sql(list(fmt.fields), [f"c{i}" for i in range(len(fmt))],
                                  [f"coalesce({r}, '-')" for r in raws]))
    line = "concat_ws(' ', " + ", ".join(f"coalesce({r}, '-')" for r in raws) + ")"
    cols = ", ".join(f"c{i}" for i in range(len(fmt)))
    return (f"SELECT source, n, line, {reason} AS reason, {cols} FROM ("
            f"SELECT source, n, {line} AS line, {', '.join(raws)}, {', '.join(typed)} FROM ("
            f"SELECT source, n, {texts} FROM raw_rows))")


def _source(col: str) -> str:
    """Spark's file URI as the store names a source: a plain path for local files, the URI otherwise."""
    return f"regexp_replace({col}, '^file:(//)?', '')"


def _split(spark, staged, fmt: LogFormat):
    good = staged.where("reason IS NULL").selectExpr(
        *[f"c{i} AS `{f.column}`" for i, f in enumerate(fmt.fields)])
    bad = staged.where("reason IS NOT NULL AND reason NOT IN ('blank', 'header')").selectExpr(
        "source", "CAST(n AS BIGINT) AS line", "reason",
        f"replace(left(line, {QUARANTINE_TEXT_LIMIT}), '\\u0000', '\\\\0') AS text")
    return good, bad


def read_text(spark, paths: list[str], given: LogFormat | None = None) -> ReadReport:
    """Raw S3 text flow logs (gzip or plain), every key layout below `paths`."""
    files = (spark.read.text(paths, wholetext=True, recursiveFileLookup=True, pathGlobFilter=TEXT_GLOB)
             .selectExpr(f"{_source('_metadata.file_path')} AS source", "value"))
    lines = files.selectExpr("source", "posexplode(split(value, '\\n')) AS (pos, line)").selectExpr(
        "source", "pos + 1 AS n", "regexp_replace(line, '\\r$', '') AS line")
    lines.createOrReplaceTempView("raw_lines")
    # the few distinct headers decide the formats; each file is read in its own header's format
    heads = spark.sql(f"SELECT line AS header, collect_list(source) AS files FROM raw_lines "
                      f"WHERE n = 1 AND line RLIKE '{_HEADER_RE}' GROUP BY line").collect()
    failed: list[tuple[str, str]] = []
    parts = []
    with_header: list[str] = []
    for row in heads:
        try:
            fmt = LogFormat.parse(row["header"])
        except FormatError as exc:
            failed += [(f, f"header is not a flow-log format: {exc.message}") for f in row["files"]]
            with_header += row["files"]
            continue
        with_header += row["files"]
        if given is not None and fmt.columns != given.columns:
            failed += [(f, "header disagrees with the given format") for f in row["files"]]
            continue
        parts.append((fmt, row["header"], row["files"]))
    headerless_fmt = given or DEFAULT
    files_df = spark.createDataFrame([(f,) for f in with_header] or [("",)], "source STRING")
    files_df.createOrReplaceTempView("raw_headed")
    goods, bads = [], []
    for k, (fmt, header, sources) in enumerate(parts):
        spark.createDataFrame([(s,) for s in sources], "source STRING").createOrReplaceTempView(f"raw_these_{k}")
        staged = spark.sql(stage_text_sql(fmt, header, f"source IN (SELECT source FROM raw_these_{k})"))
        good, bad = _split(spark, staged, fmt)
        goods.append(good)
        bads.append(bad)
    staged = spark.sql(stage_text_sql(headerless_fmt, None, "source NOT IN (SELECT source FROM raw_headed)"))
    good, bad = _split(spark, staged, headerless_fmt)
    goods.append(good)
    bads.append(bad)
    return ReadReport(_union(goods), _union(bads), failed)


def read_parquet(spark, paths: list[str]) -> ReadReport:
    """AWS's Parquet flow logs (any key layout), values checked like text; n is the row in its file."""
    size_splits(spark, paths)
    try:
        df = (spark.read.option("recursiveFileLookup", "true").option("pathGlobFilter", PARQUET_GLOB)
              .option("mergeSchema", "true").parquet(*paths))
    except Exception as exc:
        raise VpcFlowError(f"Spark cannot read Parquet flow logs: {str(exc).splitlines()[0][:200]}",
                           location=", ".join(paths)) from exc
    fmt = LogFormat.parse(" ".join(df.columns))
    df.selectExpr(f"{_source('_metadata.file_path')} AS source", "_metadata.row_index + 1 AS n",
                  *[f"`{c}`" for c in df.columns]).createOrReplaceTempView("raw_rows")
    good, bad = _split(spark, spark.sql(stage_parquet_sql(fmt)), fmt)
    return ReadReport(as_flows(good), bad, [])


def _union(frames):
    out = frames[0]
    for f in frames[1:]:
        out = out.unionByName(f, allowMissingColumns=True)
    return out


def read_raw(spark, paths: list[str], format: str | LogFormat | None = None) -> ReadReport:
    """Text and Parquet flow logs below `paths`, together: one `flows` frame and one quarantine."""
    given = LogFormat.parse(format) if isinstance(format, str) else format
    text = read_text(spark, paths, given)
    flows, quarantine, failed = as_flows(text.flows), text.quarantine, list(text.failed)
    try:
        pq = read_parquet(spark, paths)
    except VpcFlowError:
        return ReadReport(flows, quarantine, failed)  # no Parquet files below the paths
    return ReadReport(flows.unionByName(pq.flows), quarantine.unionByName(pq.quarantine), failed)
