"""Speed of the whole detection suite against one aggregation of the same table, at two sizes.

Synthetic rows are generated directly in DuckDB (flow_records of a fresh store): mostly benign conversations, a
little rejected internet noise and three attacks, 500 records a second (so the span grows with the size). Prints, per size, the suite's
time, the baseline `SELECT srcaddr, dstaddr, dstport, action, count(*), sum(bytes) FROM flows GROUP BY ALL`,
their ratio (target <= 5x) and time per record; then how time per record grows with size (target <= 1.5x).
The baseline's result goes into Arrow, as the suite's do.

    python bench/detect_speed.py [--quick] [--sizes 10000000] [--at-once N]   # quick: 1M and 5M; full: 10M and 50M

`--at-once 1` runs the detections one after another (the default runs `vpcflow.detect.run`'s default at once).

Measured after the third round (2 shared cores, load average 2 to 4), `--sizes 10000000,50000000`: 10M records:
suite 9.89 s, baseline 1.72 s, 5.7x (CPU 9.61 s against 2.03 s, 4.7x); 50M: suite 34.33 s, baseline 6.98 s, 4.9x
(CPU 59.59 s against 12.10 s, 4.9x); time per record grows 0.69x (1.24x in CPU, the baseline's 1.19x). 10M again
(load average 2): 4.4x (CPU 4.6x). The second round: 10M 4.6x (CPU 4.1x), 50M 5.6x (CPU 5.4x, beaconing 51 s of
117 s) at load average 7 to 11. docs/detections.md has the per-change CPU measurements.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vpcflow.detect import load_threat_list, run  # noqa: E402
from vpcflow.engines.concurrent import AT_ONCE  # noqa: E402
from vpcflow.store.schema import arrow  # noqa: E402
from vpcflow.store.store import Store  # noqa: E402

BASELINE = "SELECT srcaddr, dstaddr, dstport, action, count(*), sum(bytes) FROM flows GROUP BY ALL"

T0 = 1767571200
RATE = 500  # records a second: the span grows with the record count, as a VPC's logs grow with time
CONVERSATIONS = 20000

# Mostly benign traffic: a skewed mix of conversations between 1000 instances and their peers (web and DNS to the
# internet, databases east-west, web and SSH in), each record one leg (request or reply, ephemeral client port);
# 3% internet background noise rejected at random instances. A few attacks are added by ATTACKS.
FILL = """
INSERT INTO flow_records (version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets,
                          bytes, start, "end", action, log_status)
WITH r AS (
  SELECT i, hash(i) AS h1, hash(i + 1000003) AS h2 FROM range($n) t(i)
),
c AS (
  SELECT i, h1, h2, CAST(power((h1 % 1000003) / 1000003.0, 2) * $conversations AS BIGINT) AS conv,
         h2 % 2 = 1 AS reply, h1 % 100 < 3 AS noise,
         $t0 + i * $span // $n AS t
  FROM r
),
k AS (
  SELECT c.*, conv % 1000 AS host, conv % 10 AS kind,
         32768 + CAST(CASE WHEN conv % 10 >= 6 THEN (conv * 7 + (h2 // 2) % 4) % 28000  -- pooled, long sessions
                           ELSE (h2 // 2) % 28000 END AS INTEGER) AS eph,
         (ARRAY[443, 443, 443, 80, 53, 123, 5432, 6379, 443, 22])[1 + CAST(conv % 10 AS INTEGER)] AS port
  FROM c
),
p AS (
  SELECT k.*, '10.0.' || CAST(host // 250 AS VARCHAR) || '.' || CAST(host % 250 + 4 AS VARCHAR) AS me,
         CASE WHEN kind < 6 THEN '52.' || CAST((conv // 10) % 40 AS VARCHAR) || '.'
                                 || CAST((conv // 400) % 250 AS VARCHAR) || '.' || CAST(conv % 7 + 10 AS VARCHAR)
              WHEN kind < 8 THEN '10.0.' || CAST(4 + (conv // 10) % 4 AS VARCHAR) || '.'
                                 || CAST((conv // 40) % 250 + 4 AS VARCHAR)
              WHEN kind = 8 THEN '81.' || CAST((conv // 10) % 250 AS VARCHAR) || '.'
                                 || CAST((conv // 2500) % 250 AS VARCHAR) || '.9'
              ELSE '10.0.9.' || CAST(10 + conv % 5 AS VARCHAR) END AS peer,
         '45.' || CAST(h2 % 250 AS VARCHAR) || '.' || CAST((h2 // 250) % 250 AS VARCHAR) || '.'
               || CAST((h2 // 62500) % 250 AS VARCHAR) AS scanner
  FROM k
),
legs AS (
  SELECT p.*, CASE WHEN kind < 8 THEN me ELSE peer END AS client, CASE WHEN kind < 8 THEN peer ELSE me END AS server
  FROM p
)
SELECT 2, '123456789010', 'eni-' || lpad(CAST(host AS VARCHAR), 17, '0'),
       CASE WHEN noise THEN scanner WHEN reply THEN server ELSE client END,
       CASE WHEN noise THEN me WHEN reply THEN client ELSE server END,
       CASE WHEN noise THEN eph WHEN reply THEN port ELSE eph END,
       CASE WHEN noise THEN (ARRAY[23, 445, 3389, 22, 1433, 8080])[1 + CAST(h2 % 6 AS INTEGER)]
            WHEN reply THEN eph ELSE port END,
       CASE WHEN port IN (53, 123) AND NOT noise THEN 17 ELSE 6 END,
       CASE WHEN noise THEN 1 ELSE 1 + h1 % 30 END,
       CASE WHEN noise THEN 44 WHEN reply THEN (1 + h1 % 30) * (60 + h2 % 1400) ELSE (1 + h1 % 30) * (60 + h2 % 400) END,
       t, t + 5 + h1 % 55, CASE WHEN noise THEN 'REJECT' ELSE 'ACCEPT' END, 'OK'
FROM legs
"""

# The attacks: SSH brute force, a vertical port scan, an exfiltration to a new address; the threat list names the
# brute-forcing and exfiltration peers' /24 among 10,000 other entries (a list the size of Tor's relays), so the
# list joins are timed at a real list's size.
ATTACKS = [
    """INSERT INTO flow_records (version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol,
                                 packets, bytes, start, "end", action, log_status)
       SELECT 2, '123456789010', 'eni-' || lpad('0', 17, '0'), '198.51.100.23', '10.0.0.4', 40000 + i, 22, 6, 12,
              2400, $t0 + $span // 2 + i, $t0 + $span // 2 + i + 5, 'ACCEPT', 'OK' FROM range(300) t(i)""",
    """INSERT INTO flow_records (version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol,
                                 packets, bytes, start, "end", action, log_status)
       SELECT 2, '123456789010', 'eni-' || lpad('251', 17, '0'), '203.0.113.50', '10.0.1.5', 51000, 1 + i, 6, 1,
              44, $t0 + $span // 3 + i // 4, $t0 + $span // 3 + i // 4 + 1, 'REJECT', 'OK' FROM range(1000) t(i)""",
    """INSERT INTO flow_records (version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol,
                                 packets, bytes, start, "end", action, log_status)
       SELECT 2, '123456789010', 'eni-' || lpad('502', 17, '0'), '10.0.2.6', '198.51.100.200', 45000 + i, 443, 6,
              14000, 20000000, $t0 + $span * 2 // 3 + 10 * i, $t0 + $span * 2 // 3 + 10 * i + 9, 'ACCEPT', 'OK'
       FROM range(50) t(i)""",
]


def timed(f) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all of DuckDB's threads: they run in this process) of f()."""
    wall, cpu = time.perf_counter(), time.process_time()
    f()
    return time.perf_counter() - wall, time.process_time() - cpu


def baseline(con) -> tuple[float, float]:
    """One aggregation pass into Arrow, as the suite's results arrive (fetchall() into Python tuples was 90% of it)."""
    return timed(lambda: arrow(con, BASELINE))


def measure(n: int, tmp: Path, at_once: int) -> dict:
    store = Store(tmp / f"speed-{n}.duckdb")
    span = n // RATE
    store.con.execute(FILL, {"n": n, "span": span, "t0": T0, "conversations": CONVERSATIONS}).fetchall()
    for attack in ATTACKS:
        store.con.execute(attack, {"t0": T0, "span": span}).fetchall()
    threats = tmp / "threats.txt"
    threats.write_text("198.51.100.0/24\n" + "".join(f"240.{i >> 8 & 255}.{i & 255}.{i % 7}\n" for i in range(9500))
                       + "".join(f"2001:db8:ffff::{i:x}\n" for i in range(500)))
    load_threat_list(store.con, threats)
    before = baseline(store.con)
    reports = []
    suite, suite_cpu = timed(lambda: reports.append(run(store.con, store=True, at_once=at_once)))
    after = baseline(store.con)  # before and after: the machine is shared, its load drifts
    store.close()
    return {"n": n, "base": (before[0] + after[0]) / 2, "suite": suite, "base_cpu": (before[1] + after[1]) / 2,
            "suite_cpu": suite_cpu, "findings": len(reports[0].findings), "seconds": reports[0].seconds}


def breakdown(seconds: dict[str, float], suite: float, top: int = 6) -> str:
    """The largest parts of a run (DetectReport.seconds), the rest summed; what is left is the field check,
    the threat-list count and storing the findings."""
    ranked = sorted(seconds.items(), key=lambda kv: -kv[1])
    parts = [f"{name} {s:.2f}s" for name, s in ranked[:top]]
    parts.append(f"{len(ranked) - top} others {sum(s for _, s in ranked[top:]):.2f}s")
    if sum(seconds.values()) <= suite:  # with detections run at once their seconds overlap
        parts.append(f"outside the queries {suite - sum(seconds.values()):.2f}s")
    return ", ".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sizes", help="record counts, comma-separated")
    ap.add_argument("--at-once", type=int, default=AT_ONCE, help="detections run at a time")
    args = ap.parse_args()
    sizes = (1_000_000, 5_000_000) if args.quick else (10_000_000, 50_000_000)
    if args.sizes:
        sizes = tuple(int(n) for n in args.sizes.split(","))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            r = measure(n, Path(tmp), args.at_once)
            results.append(r)
            print(f"{n:>11,} records: suite {r['suite']:7.2f}s, baseline aggregation {r['base']:6.2f}s, "
                  f"ratio {r['suite'] / r['base']:5.1f}x (target <= 5x), {r['suite'] / n * 1e9:7.0f} ns/record, "
                  f"{r['findings']} findings", flush=True)
            print(f"    CPU time (what other jobs' load does not inflate): suite {r['suite_cpu']:.2f}s, baseline "
                  f"{r['base_cpu']:.2f}s, ratio {r['suite_cpu'] / r['base_cpu']:.1f}x", flush=True)
            print("    where the suite's time went: " + breakdown(r["seconds"], r["suite"]), flush=True)
    if len(results) < 2:
        return 0
    growth = (results[1]["suite"] / results[1]["n"]) / (results[0]["suite"] / results[0]["n"])
    base_growth = (results[1]["base"] / results[1]["n"]) / (results[0]["base"] / results[0]["n"])
    print(f"time per record grows {growth:.2f}x from {sizes[0]:,} to {sizes[1]:,} records (target <= 1.5x); "
          f"the baseline's own grows {base_growth:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
