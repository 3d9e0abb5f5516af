"""A Parquet lake of the store's records, the layout Spark and Athena read at scale.

One Hive partition per UTC day of the record's start (`day=YYYY-MM-DD/`), columns named and typed as in AWS's
own Parquet delivery (field names with '-' as '_', INT_32/INT_64/STRING): what `vpcflow export parquet DIR`
writes when DIR is a directory. DuckDB writes it in one streaming COPY.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ..errors import VpcFlowError
from ..fields import LogFormat
from ..interop.export import present_fields, window_sql
from ..store.schema import quote

PARTITION = "day"  # Hive partition column: the UTC date of the record's start, YYYY-MM-DD


@dataclass(frozen=True)
class LakeResult:
    dest: str
    records: int
    days: int

    def as_dict(self) -> dict:
        return {"dest": self.dest, "records": self.records, "days": self.days}


def lake_sql(columns: LogFormat, where: str = "") -> str:
    cols = ", ".join(f"{quote(f.column)}::{f.duckdb_type} AS {quote(f.column)}" for f in columns.fields)
    day = "strftime(make_timestamp(start * 1000000), '%Y-%m-%d')"
    return f"SELECT {cols}, {day} AS {PARTITION} FROM flows{where}"


def export_lake(con, dest: str | Path, since: datetime | int | None = None, until: datetime | int | None = None,
                *, log_format: LogFormat | str | None = None, overwrite: bool = False) -> LakeResult:
    """Write the store's records (start in [since, until)) as Hive-partitioned Parquet under DEST."""
    con = getattr(con, "con", con)
    where, params = window_sql(since, until)
    columns = LogFormat.parse(log_format) if isinstance(log_format, str) else log_format
    columns = columns or present_fields(con, where, params)
    dest = str(dest)
    if Path(dest).exists() and any(Path(dest).iterdir()) and not overwrite:
        raise VpcFlowError("the lake directory is not empty", location=dest,
                           hint="choose an empty directory, or pass overwrite=True to replace its days")
    Path(dest).mkdir(parents=True, exist_ok=True)
    mode = "OVERWRITE" if overwrite else "OVERWRITE_OR_IGNORE"
    sql = (f"COPY ({lake_sql(columns, where)}) TO $dest "
           f"(FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({PARTITION}), {mode})")
    try:
        records = con.execute(sql, {**params, "dest": dest}).fetchone()[0]
    except duckdb.Error as exc:
        raise VpcFlowError(f"cannot write the lake: {str(exc).splitlines()[0]}", location=dest) from exc
    days = sum(1 for p in Path(dest).iterdir() if p.name.startswith(f"{PARTITION}="))
    return LakeResult(dest, int(records), days)
