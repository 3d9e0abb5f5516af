"""Speed of the whole detection suite against one aggregation of the same table, at two sizes.

Synthetic rows are generated directly in DuckDB (flow_records of a fresh store). Prints, per size, the suite's
time, the baseline `SELECT srcaddr, dstaddr, dstport, action, count(*), sum(bytes) FROM flows GROUP BY ALL`,
their ratio (target <= 10x) and time per record; then how time per record grows with size (target <= 1.5x).

    python bench/detect_speed.py [--quick]      # quick: 1M and 5M records; full: 10M and 50M
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vpcflow.detect import load_threat_list, run  # noqa: E402
from vpcflow.store.store import Store  # noqa: E402

BASELINE = "SELECT srcaddr, dstaddr, dstport, action, count(*), sum(bytes) FROM flows GROUP BY ALL"

FILL = """
INSERT INTO flow_records (version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets,
                          bytes, start, "end", action, log_status)
SELECT 2, '123456789010', 'eni-' || lpad(CAST(i % 200 AS VARCHAR), 17, '0'),
       CASE WHEN i % 2 = 0 THEN '10.0.' || CAST((i // 7) % 200 AS VARCHAR) || '.' || CAST(i % 250 AS VARCHAR)
            ELSE '203.0.' || CAST((i // 11) % 250 AS VARCHAR) || '.' || CAST((i // 3) % 250 AS VARCHAR) END,
       CASE WHEN i % 2 = 0 THEN '198.51.' || CAST((i // 13) % 250 AS VARCHAR) || '.' || CAST(i % 97 AS VARCHAR)
            ELSE '10.0.' || CAST((i // 5) % 200 AS VARCHAR) || '.' || CAST(i % 250 AS VARCHAR) END,
       32768 + CAST(i % 28000 AS INTEGER), (ARRAY[443, 80, 22, 5432, 8080, 53, 3389, 25])[1 + CAST(i % 8 AS INTEGER)],
       CASE WHEN i % 17 = 0 THEN 17 ELSE 6 END, 1 + i % 40, 60 + (i * 7919) % 60000,
       1767571200 + CAST(i * $span // $n AS BIGINT), 1767571200 + CAST(i * $span // $n AS BIGINT) + i % 60,
       CASE WHEN i % 23 = 0 THEN 'REJECT' ELSE 'ACCEPT' END, 'OK'
FROM range($n) t(i)
"""


def measure(n: int, tmp: Path) -> dict:
    store = Store(tmp / f"speed-{n}.duckdb")
    store.con.execute(FILL, {"n": n, "span": 7 * 86400}).fetchall()
    threats = tmp / "threats.txt"
    threats.write_text("198.51.100.0/24\n")
    load_threat_list(store.con, threats)
    t = time.perf_counter()
    store.con.execute(BASELINE).fetchall()
    base = time.perf_counter() - t
    t = time.perf_counter()
    report = run(store.con, store=True)
    suite = time.perf_counter() - t
    store.close()
    return {"n": n, "base": base, "suite": suite, "findings": len(report.findings)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    sizes = (1_000_000, 5_000_000) if args.quick else (10_000_000, 50_000_000)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            r = measure(n, Path(tmp))
            results.append(r)
            print(f"{n:>11,} records: suite {r['suite']:7.2f}s, baseline aggregation {r['base']:6.2f}s, "
                  f"ratio {r['suite'] / r['base']:5.1f}x (target <= 10x), {r['suite'] / n * 1e9:7.0f} ns/record, "
                  f"{r['findings']} findings", flush=True)
    growth = (results[1]["suite"] / results[1]["n"]) / (results[0]["suite"] / results[0]["n"])
    print(f"time per record grows {growth:.2f}x from {sizes[0]:,} to {sizes[1]:,} records (target <= 1.5x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
