"""Emulator generation rate, as a ratio to DuckDB writing the same number of rows to a gzip CSV (the write floor).

    .venv/bin/python bench/emulate_rate.py --quick     # enterprise, 6 hours (seconds)
    .venv/bin/python bench/emulate_rate.py             # enterprise, one day and one week (a few minutes)

Both sides write gzip text of default-format records (space-delimited, no header); the ratio is emulator
records/s over DuckDB rows/s for the same number of rows. Two floors are printed:

- `COPY .csv.gz`: DuckDB's own gzip writer, the floor issue #3 sets the 0.5x target against. DuckDB picks its
  gzip level itself (its files come out the size of zlib level 6); the emulator writes isal level 1, so this
  floor spends more on compression than the emulator does.
- `COPY .csv + isal 1`: DuckDB writes plain CSV and the file is gzipped with the emulator's compressor and level,
  so both sides pay the same compression: the like-for-like floor.

Each floor is the best of three runs (the fastest floor, the least flattering ratio); the emulator runs once.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
from isal import igzip

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
_CSV = "FORMAT csv, DELIMITER ' ', HEADER false"
_EMULATOR_LEVEL = 1  # vpcflow/deliver/s3.py writes isal level 1
_TRIES = 3


def floors(rows: int, folder: Path) -> tuple[float, float]:
    """Rows per second: DuckDB COPY to .csv.gz, and DuckDB COPY to .csv then gzip at the emulator's level."""
    con = duckdb.connect()
    con.execute(_ROWS, [rows])
    gz, plain = folder / "floor.csv.gz", folder / "floor.csv"
    own, like = float("inf"), float("inf")
    for _ in range(_TRIES):
        began = time.perf_counter()
        con.execute(f"COPY floor TO '{gz}' ({_CSV}, COMPRESSION gzip)")
        own = min(own, time.perf_counter() - began)
        began = time.perf_counter()
        con.execute(f"COPY floor TO '{plain}' ({_CSV}, COMPRESSION none)")
        with open(plain, "rb") as src, open(folder / "floor.isal.csv.gz", "wb") as dst:
            dst.write(igzip.compress(src.read(), compresslevel=_EMULATOR_LEVEL, mtime=0))
        like = min(like, time.perf_counter() - began)
    con.close()
    return rows / own, rows / like


def emulator_rate(duration: str, folder: Path) -> tuple[int, float]:
    began = time.perf_counter()
    summary = simulate("enterprise", folder / duration, duration=duration, destination="s3", interval=60,
                       format="default", file_format="text")
    seconds = time.perf_counter() - began
    shutil.rmtree(folder / duration, ignore_errors=True)
    return summary.records, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="six hours of enterprise only")
    args = parser.parse_args()
    durations = ["6h"] if args.quick else ["1d", "7d"]
    folder = Path(tempfile.mkdtemp(prefix="vpcflow-bench-"))
    try:
        runs = {}
        for duration in durations:
            records, seconds = emulator_rate(duration, folder)
            rate = records / seconds
            own, like = floors(records, folder)
            runs[duration] = (records, seconds)
            print(f"enterprise {duration:>3} at 60 s: {records:>9,} records in {seconds:6.1f} s = {rate:>9,.0f}/s "
                  f"({seconds / records * 1e6:.2f} us/record)")
            print(f"    floor DuckDB COPY .csv.gz         {own:>11,.0f} rows/s  ratio {rate / own:.2f}x  (issue #3 target 0.5x)")
            print(f"    floor DuckDB COPY .csv + isal {_EMULATOR_LEVEL}   {like:>11,.0f} rows/s  ratio {rate / like:.2f}x  "
                  "(same gzip level as the emulator)")
        if "1d" in runs and "7d" in runs:
            (r1, s1), (r7, s7) = runs["1d"], runs["7d"]
            print(f"one day -> one week: {r7 / r1:.2f}x the records (weekends are quieter) in {s7 / s1:.2f}x the time; "
                  f"{s1 / r1 * 1e6:.2f} -> {s7 / r7 * 1e6:.2f} us/record")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
