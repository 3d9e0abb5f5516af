"""Engines: the same named queries on DuckDB (the store), Apache Spark, and Athena (as SQL)."""

from .engine import ENGINES, DuckDBEngine, SparkInput, as_engine, materialized, run_query, run_sql, spark_engine
from .queries import NamedQuery, Relation, SideTable, get, register, registry, relation, side_table
from .sql import Transpiled, TranspileError, transpile

__all__ = ["ENGINES", "DuckDBEngine", "NamedQuery", "Relation", "SideTable", "SparkInput", "TranspileError",
           "Transpiled", "as_engine", "get", "materialized", "register", "registry", "relation", "run_query",
           "run_sql", "side_table", "spark_engine", "transpile"]
