"""Filter-pattern speed: the 14-field SSH-reject pattern over stored records, against a per-line evaluator.

Prints records per second for (a) the pattern compiled to SQL over the store's `flows`, (b) the reference
per-line evaluator (`vpcflow.alert.evaluate.matches`) and (c) the compiled line predicate, measured in the
same run; (b) and (c) run on a sample of the same records rebuilt as lines, and their match counts are
checked against the store's on that sample.

    .venv/bin/python bench/filter_patterns.py --quick      # 500k records, seconds
    .venv/bin/python bench/filter_patterns.py              # 10M records
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from vpcflow.alert.evaluate import compile_predicate, matches
from vpcflow.alert.pattern import parse
from vpcflow.alert.sql import compile_sql, line_of
from vpcflow.fields import DEFAULT
from vpcflow.store.store import Store

PATTERN = ('[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, '
           'bytes, windowstart, windowend, action="REJECT", flowlogstatus]')

# Synthetic records: 1 in 7 to port 22, 1 in 3 rejected, 1 in 5 UDP, 1 in 50 NODATA.
FILL = """
INSERT INTO flow_records (version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol,
                          packets, bytes, "start", "end", action, log_status)
SELECT 2, '123456789010', 'eni-0a1b2c3d4e5f' || lpad(CAST(i % 997 AS VARCHAR), 5, '0'),
       CASE WHEN i % 50 = 0 THEN NULL
            ELSE '198.51.' || CAST(i % 251 AS VARCHAR) || '.' || CAST(i % 199 AS VARCHAR) END,
       CASE WHEN i % 50 = 0 THEN NULL
            ELSE '10.0.' || CAST(i % 13 AS VARCHAR) || '.' || CAST(i % 211 AS VARCHAR) END,
       CASE WHEN i % 50 = 0 THEN NULL ELSE 1024 + i % 60000 END,
       CASE WHEN i % 50 = 0 THEN NULL WHEN i % 7 = 0 THEN 22 ELSE [443, 80, 3389, 8080, 53][i % 5 + 1] END,
       CASE WHEN i % 50 = 0 THEN NULL WHEN i % 5 = 0 THEN 17 ELSE 6 END,
       CASE WHEN i % 50 = 0 THEN NULL ELSE 1 + i % 40 END,
       CASE WHEN i % 50 = 0 THEN NULL ELSE 40 + (i * 37) % 100000 END,
       1700000000 + i // 1000, 1700000060 + i // 1000,
       CASE WHEN i % 50 = 0 THEN NULL WHEN i % 3 = 0 THEN 'REJECT' ELSE 'ACCEPT' END,
       CASE WHEN i % 50 = 0 THEN 'NODATA' ELSE 'OK' END
FROM range(?) t(i)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="500k records instead of 10M")
    ap.add_argument("--records", type=int, default=None)
    ap.add_argument("--sample", type=int, default=None, help="lines for the Python evaluators")
    args = ap.parse_args()
    n = args.records or (500_000 if args.quick else 10_000_000)
    sample = args.sample or (50_000 if args.quick else 300_000)

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.duckdb")
        t = time.perf_counter()
        store.con.execute(FILL, [n])
        print(f"built {n:,} records in {time.perf_counter() - t:.1f}s")

        where = compile_sql(parse(PATTERN), DEFAULT)
        sql, params = where.select("count(*)")
        store.con.execute(sql, params).fetchall()  # warm the file cache once
        t = time.perf_counter()
        [(store_count,)] = store.con.execute(sql, params).fetchall()
        store_s = time.perf_counter() - t

        lines = [r[0] for r in store.con.execute(
            f"SELECT {line_of(DEFAULT)} FROM flows LIMIT ?", [sample]).fetchall()]
        sample_sql, sample_params = where.select("count(*)", table="(SELECT * FROM flows LIMIT ?)")
        [(sample_store,)] = store.con.execute(sample_sql, [sample, *sample_params]).fetchall()
        store.close()

    parsed = parse(PATTERN)
    t = time.perf_counter()
    reference = sum(1 for line in lines if matches(parsed, line))
    reference_s = time.perf_counter() - t
    predicate = compile_predicate(parsed)
    t = time.perf_counter()
    compiled = sum(1 for line in lines if predicate(line))
    compiled_s = time.perf_counter() - t
    assert reference == compiled == sample_store, (reference, compiled, sample_store)

    rates = {
        "store (SQL over flows)": n / store_s,
        "per-line reference evaluator": len(lines) / reference_s,
        "compiled line predicate": len(lines) / compiled_s,
    }
    base = rates["per-line reference evaluator"]
    print(f"pattern matched {store_count:,} of {n:,} stored records; "
          f"{reference:,} of {len(lines):,} sample lines")
    for name, rate in rates.items():
        print(f"{name:32s} {rate:14,.0f} records/s   {rate / base:8.1f}x the per-line evaluator")


if __name__ == "__main__":
    main()
