"""Engines: the same named queries on DuckDB (the store), Apache Spark, and Athena (as SQL)."""

from .engine import ENGINES, DuckDBEngine, SparkInput, run_query, run_sql, spark_engine
from .queries import ANALYSES, NamedQuery, get, registry
from .sql import Transpiled, TranspileError, transpile

__all__ = ["ANALYSES", "ENGINES", "DuckDBEngine", "NamedQuery", "SparkInput", "TranspileError", "Transpiled",
           "get", "registry", "run_query", "run_sql", "spark_engine", "transpile"]
