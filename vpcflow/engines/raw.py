"""Raw flow logs on Spark: S3 text files (header line, gzip) and AWS Parquet, in any key layout, checked like ingest.

The checks are the store's (vpcflow.parse.transform): each line is split into the header's fields, each value
typed, bounded and checked against its choices, and a line that fails gets the same reason text. Bad lines
are kept aside in `quarantine` (source, line, reason, text), never dropped. Files are read whole
(`wholetext`), so line numbers are exact; AWS caps a delivered file at 75 MB.

Gaps against the store's reader, each a documented difference: a corrupt gzip file fails the Spark job
(Spark has no partial read of a truncated stream); a headerless file is read in the given format (default:
AWS's default format) and lines with another field count are quarantined, where the store refuses the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import FormatError, VpcFlowError
from ..fields import DEFAULT, Field, LogFormat
from ..parse.chunks import MAX_LINE
from ..parse.transform import MS_THRESHOLD
from ..store.schema import QUARANTINE_TEXT_LIMIT
from .spark import as_flows, spark_type

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


def _typed(f: Field, raw: str) -> str:
    value = f"nullif({raw}, '-')"
    if not f.is_integer:
        return value
    cast = f"try_cast({value} AS {spark_type(f.kind)})"
    if f.name in ("start", "end"):
        return f"(CASE WHEN {cast} > {MS_THRESHOLD} THEN {cast} DIV 1000 ELSE {cast} END)"
    return cast


def _checks(f: Field, col: str, raw: str) -> list[str]:
    """The store's reasons, word for word (vpcflow.parse.transform._checks)."""
    name = _lit(f.name + ": ")
    arms = []
    if f.is_integer:
        arms.append(f"WHEN {col} IS NULL AND {raw} <> '-' THEN concat({name}, 'not an integer: ', left({raw}, 40))")
        if f.low is not None:
            arms.append(f"WHEN {col} < {f.low} THEN concat({name}, 'below {f.low}: ', {raw})")
        if f.high is not None:
            arms.append(f"WHEN {col} > {f.high} THEN concat({name}, 'above {f.high}: ', {raw})")
    if f.choices:
        allowed = ", ".join(_lit(c) for c in f.choices)
        arms.append(f"WHEN {col} NOT IN ({allowed}) THEN concat({name}, 'not one of {'/'.join(f.choices)}: ', "
                    f"left({raw}, 40))")
    return arms


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
    raws = [f"try_element_at(t, {i + 1})" for i in range(len(fmt))]
    typed = [f"{_typed(f, r)} AS c{i}" for i, (f, r) in enumerate(zip(fmt.fields, raws, strict=True))]
    arms = ["WHEN trim(line) = '' THEN 'blank'", *_line_checks()]
    if header is not None:
        arms.append(f"WHEN n = 1 AND line = {_lit(header)} THEN 'header'")
    arms.append(f"WHEN nt <> {len(fmt)} THEN concat(CAST(nt AS STRING), ' fields, format has {len(fmt)}')")
    for i, (f, r) in enumerate(zip(fmt.fields, raws, strict=True)):
        arms += _checks(f, f"c{i}", r)
    cols = ", ".join(f"c{i}" for i in range(len(fmt)))
    # AWS writes single spaces; anything else (runs of blanks, tabs) takes the regex split, as in the store
    tokens = ("CASE WHEN line RLIKE '^[^ \\t]+( [^ \\t]+)*$' THEN split(line, ' ') "
              "ELSE split(trim(regexp_replace(line, '[ \\t]+', ' ')), ' ') END")
    return (f"SELECT source, n, line, CASE {' '.join(arms)} ELSE NULL END AS reason, {cols} FROM ("
            f"SELECT source, n, line, t, size(t) AS nt, {', '.join(typed)} FROM ("
            f"SELECT source, n, line, {tokens} AS t FROM raw_lines WHERE {where}))")


def stage_parquet_sql(fmt: LogFormat) -> str:
    """Spark SQL over view `raw_rows(source, n, <columns>)`: AWS Parquet values re-checked like text."""
    raws = [f"CAST(`{f.column}` AS STRING)" for f in fmt.fields]
    typed = [f"{_typed(f, r)} AS c{i}" for i, (f, r) in enumerate(zip(fmt.fields, raws, strict=True))]
    arms = []
    for i, (f, r) in enumerate(zip(fmt.fields, raws, strict=True)):
        arms += _checks(f, f"c{i}", f"coalesce({r}, '-')")
    line = "concat_ws(' ', " + ", ".join(f"coalesce({r}, '-')" for r in raws) + ")"
    reason = f"CASE {' '.join(arms)} ELSE NULL END" if arms else "CAST(NULL AS STRING)"
    cols = ", ".join(f"c{i}" for i in range(len(fmt)))
    return (f"SELECT source, n, line, {reason} AS reason, {cols} FROM ("
            f"SELECT source, n, {line} AS line, {', '.join(typed)}, {', '.join(f'`{f.column}`' for f in fmt.fields)} "
            f"FROM raw_rows)")


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
