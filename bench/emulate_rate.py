"""Emulator generation rate, as a ratio to DuckDB writing the same number of rows to a gzip CSV (the write floor).

    .venv/bin/python bench/emulate_rate.py --quick     # enterprise, 6 hours (seconds)
    .venv/bin/python bench/emulate_rate.py             # enterprise, one day and one week (a few minutes)

Both sides write gzip text of default-format records; the ratio is emulator records/s over DuckDB rows/s.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from vpcflow.emulate import simulate

_ROWS = """
CREATE TABLE floor AS SELECT 2 AS version, '210987654321' AS account_id,
  'eni-0' || lpad(CAST(i % 54 AS VARCHAR), 16, '0') AS interface_id,
  '10.20.' || CAST(i % 250 AS VARCHAR) || '.' || CAST(i % 200 AS VARCHAR) AS srcaddr,
  '100.64.' || CAST(i % 97 AS VARCHAR) || '.' || CAST(i % 13 AS VARCHAR) AS dstaddr,
  (i * 7) % 65535 AS srcport, 443 AS dstport, 6 AS protocol, i % 100 AS packets, (i * 31) % 100000 AS bytes,
  1767571227 + i // 10 AS "start", 1767571232 + i // 10 AS "end", 'ACCEPT' AS action, 'OK' AS log_status
FROM range(?) r(i)
"""


def duckdb_floor(rows: int, folder: Path) -> float:
    """Rows per second DuckDB writes to a gzip CSV (space-delimited, no header)."""
    con = duckdb.connect()
    con.execute(_ROWS, [rows])
    target = str(folder / "floor.csv.gz")
    began = time.perf_counter()
    con.execute(f"COPY floor TO '{target}' (FORMAT csv, DELIMITER ' ', HEADER false, COMPRESSION gzip)")
    return rows / (time.perf_counter() - began)


def emulator_rate(duration: str, folder: Path) -> tuple[int, float]:
    began = time.perf_counter()
    summary = simulate("enterprise", folder / duration, duration=duration, destination="s3", interval=60,
                       format="default", file_format="text")
    return summary.records, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="six hours of enterprise only")
    args = parser.parse_args()
    durations = ["6h"] if args.quick else ["1d", "7d"]
    folder = Path(tempfile.mkdtemp(prefix="vpcflow-bench-"))
    try:
        per_day = {}
        for duration in durations:
            records, seconds = emulator_rate(duration, folder)
            rate = records / seconds
            floor = duckdb_floor(records, folder)
            per_day[duration] = seconds
            print(f"enterprise {duration:>3} at 60 s: {records:>9,} records in {seconds:6.1f} s = {rate:>9,.0f}/s; "
                  f"DuckDB gzip CSV floor {floor:>9,.0f} rows/s; ratio {rate / floor:.2f}x")
        if "1d" in per_day and "7d" in per_day:
            print(f"cost growth one day -> one week: {per_day['7d'] / per_day['1d']:.2f}x the time for 7x the span")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
