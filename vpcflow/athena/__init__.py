"""Athena: CREATE TABLE for a flow-log layout, the transpiled SQL of every analysis and detection, and runs."""

from .ddl import FILE_FORMATS, LAYOUTS, TableSpec, create_table
from .run import AthenaError, athena_sql, results, run

__all__ = ["FILE_FORMATS", "LAYOUTS", "AthenaError", "TableSpec", "athena_sql", "create_table", "results", "run"]
