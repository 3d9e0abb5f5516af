"""Apache Spark as a vpcflow engine: a session (local mode or a cluster), and the `flows` view over a lake.

The view has the same columns and types as the store's `flows` (every field of the field table, NULL where
the data has no such field, then event_time, log_stream, source_id), so the same named query runs unchanged.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa

from ..errors import VpcFlowError
from ..fields import FIELDS, INT_32, INT_64
from ..store.schema import META_COLUMNS

SPARK_TYPES = {INT_32: "INT", INT_64: "BIGINT"}
META_SPARK = {"TIMESTAMPTZ": "TIMESTAMP", "VARCHAR": "STRING", "BIGINT": "BIGINT"}

# Local by default: loopback only, no UI; a local master also gets parallel_conf for its cores.
BASE_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.adaptive.enabled": "true",
}


TASKS_PER_CORE = 3  # a few tasks per core per stage: a slow task or a busy core does not leave the others idle


def local_cores(master: str) -> int | None:
    """The cores a local master uses (local, local[N], local[*]); None for a cluster."""
    m = re.fullmatch(r"local(?:\[(\d+|\*)(?:,\s*\d+)?\])?", master.strip())
    if m is None:
        return None
    return (os.cpu_count() or 1) if m[1] == "*" else int(m[1] or 1)


def parallel_conf(cores: int, input_bytes: int | None = None) -> dict[str, str]:
    """Settings that keep `cores` busy in every stage: input files split into several tasks per core,
    shuffles sized to the cores (not merged by AQE into one task), and a throughput garbage collector."""
    tasks = max(2, cores * TASKS_PER_CORE)
    conf = {
        "spark.default.parallelism": str(tasks),
        "spark.sql.shuffle.partitions": str(tasks),
        # AQE would coalesce a small shuffle into a single task: one busy core while the others wait
        "spark.sql.adaptive.coalescePartitions.enabled": "false",
        "spark.sql.files.openCostInBytes": str(1 << 20),  # small files are not packed into one task
        "spark.driver.extraJavaOptions": "-XX:+UseParallelGC",
    }
    if input_bytes:
        conf["spark.sql.files.maxPartitionBytes"] = str(max(1 << 20, min(128 << 20, input_bytes // tasks)))
    return conf


class SparkUnavailable(VpcFlowError):
    """PySpark or a Java 17+ runtime is missing."""


def spark_type(kind: str) -> str:
    return SPARK_TYPES.get(kind, "STRING")


def java_version() -> int | None:
    """The major version of `java` on PATH, or None when there is none."""
    java = shutil.which("java")
    if java is None:
        return None
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        return None
    major = int(m[1])
    return int(m[2]) if major == 1 and m[2] else major


def available() -> tuple[bool, str]:
    """Whether Spark can start here, and why not."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False, "pyspark is not installed (pip install 'vpcflow[spark]')"
    v = java_version()
    if v is None:
        return False, "no Java runtime on PATH (apt-get install openjdk-17-jre-headless)"
    if v < 17:
        return False, f"Java {v} is too old: PySpark 4 needs Java 17+"
    return True, ""


def session(master: str = "local[*]", *, app: str = "vpcflow", conf: dict | None = None):
    """A SparkSession (the active one is reused by Spark when the master matches)."""
    ok, why = available()
    if not ok:
        raise SparkUnavailable(f"Spark cannot start: {why}")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName(app)
    cores = local_cores(master)
    tuned = parallel_conf(cores) if cores else {}
    for k, v in {**BASE_CONF, **tuned, **(conf or {})}.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    # pyspark logs each failed query's full plan as JSON; vpcflow reports the error itself, in one line
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    # the ingest checks' CASE outgrows Java's 64 KB method limit; Spark then interprets it (same results)
    jvm = spark.sparkContext._jvm
    jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(
        "org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator", jvm.org.apache.logging.log4j.Level.OFF)
    return spark


def flows_projection(present: dict[str, str]) -> list[str]:
    """Spark SQL select-list giving the store's `flows` columns from a frame whose columns are `present`
    (name -> anything); absent fields are typed NULLs."""
    cols = []
    for f in FIELDS:
        t = spark_type(f.kind)
        src = f"`{f.column}`" if f.column in present else "NULL"
        cols.append(f"CAST({src} AS {t}) AS `{f.column}`")
    for name, kind in META_COLUMNS:
        src = f"`{name}`" if name in present else "NULL"
        cols.append(f"CAST({src} AS {META_SPARK[kind]}) AS `{name}`")
    return cols


def as_flows(df):
    """A DataFrame with the `flows` view's columns, from any frame that has some of the fields."""
    return df.selectExpr(*flows_projection({c: "" for c in df.columns}))


def read_lake(spark, path: str | list[str]):
    """The records of a Parquet lake (vpcflow's export or AWS's own Parquet with Hive prefixes) as `flows`."""
    paths = [path] if isinstance(path, str) else list(path)
    size_splits(spark, paths)
    try:
        df = spark.read.option("mergeSchema", "true").parquet(*paths)
    except Exception as exc:  # Spark's AnalysisException: path missing or not Parquet
        raise VpcFlowError(f"Spark cannot read the lake: {str(exc).splitlines()[0]}", location=", ".join(paths),
                           hint="point --lake at a directory written by `vpcflow export parquet DIR`") from exc
    return as_flows(df)


def size_splits(spark, paths: list[str]) -> None:
    """On a local master, split local input into a few tasks per core (a cluster keeps its own settings)."""
    cores = local_cores(spark.sparkContext.master)
    local = [Path(p) for p in paths if "://" not in p]
    if not cores or len(local) != len(paths) or not all(p.exists() for p in local):
        return
    size = sum(f.stat().st_size for p in local for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file())
    if size:
        spark.conf.set("spark.sql.files.maxPartitionBytes",
                       parallel_conf(cores, size)["spark.sql.files.maxPartitionBytes"])


class SparkEngine:
    """Runs named queries and SQL on Spark over a `flows` temp view."""

    name = "spark"
    dialect = "spark"

    def __init__(self, spark, flows=None):
        self.spark = spark
        self.materialized: dict[str, dict] = {}
        self._cached: dict = {}
        if flows is not None:
            self.use(flows)

    def use(self, flows, side_tables: dict | None = None) -> None:
        """Make `flows` (and the declared side tables: given Arrow tables, else empty) visible to SQL."""
        from .queries import side_tables as declared
        from .sql import transpile

        flows.createOrReplaceTempView("flows")
        for name, table in declared().items():
            given = (side_tables or {}).get(name)
            if given is not None and given.num_rows:
                self.spark.createDataFrame(given.to_pandas()).createOrReplaceTempView(name)
            else:
                self.spark.sql(transpile(table.empty_sql(), "spark").sql).createOrReplaceTempView(name)

    def columns(self) -> set[str]:
        return set(self.spark.table("flows").columns)

    def materialize(self, name: str, sql: str, params: dict) -> None:
        """A cached temp view: computed once by the first query that reads it."""
        frame = self.spark.sql(sql, args=params or None).cache()
        frame.createOrReplaceTempView(name)
        self._cached[name] = frame

    def release(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)
        frame = self._cached.pop(name, None)
        if frame is not None:
            frame.unpersist()

    def sql(self, sql: str, params: dict | None = None) -> pa.Table:
        """Run Spark SQL with `:name` markers bound from params; the result as Arrow."""
        try:
            return self.spark.sql(sql, args=params or None).toArrow()
        except Exception as exc:  # py4j and pyspark errors: one line, the error class first
            raise VpcFlowError(f"Spark failed: {short(exc)}") from exc


def short(exc: BaseException, limit: int = 300) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first if len(first) <= limit else first[:limit] + " ..."
