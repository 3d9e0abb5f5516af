"""Benchmark: vpcflow's named queries on Spark local[1] vs local[2], DuckDB vs Spark, and cost per record as
the data grows 5x: all over the same Parquet lake (vpcflow's layout), measured in the same run.

    .venv/bin/python bench/spark_scale.py --quick     # 1M and 5M records
    .venv/bin/python bench/spark_scale.py             # 10M and 50M records (run once: the machine is shared)

    .venv/bin/python bench/spark_scale.py --sizes 2000000   # one size, while developing

Workload per engine: top-pair, rejected-traffic, traffic-over-time, protocol-mix and the ssh-brute-force
detection (which builds the 10-minute flow_windows aggregate), run back to back. Session start is not timed.
Spark runs the workload over the whole lake 1 + WARM_PASSES times: the first pass is printed as "cold" (the
JIT compiles Spark's generated code during it), the targets use the fastest warm pass, as a long-running job
would be warm. Each Spark master runs in its own process (a JVM keeps its master), with
vpcflow.engines.spark.parallel_conf for its cores and the lake's size; the cores its JVM used (CPU time / wall
time) are printed beside each run.

The machine's own headroom is measured in the same run: a CPU-bound loop in 1 process, then in 2 at once. On a
machine whose other users hold a core, no engine can reach 2x; read Spark's speed-up against that figure.
Targets: local[2] / local[1] >= 1.6x; seconds per record at 5N within 1.5x of N on both engines.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PINNED = "local[1]/1cpu"  # local[1] with its whole JVM (JIT, GC) held to one CPU: a true one-core baseline
ENGINES = ("duckdb", "local[1]", PINNED, "local[2]")
WORKLOAD = ["top-pair", "rejected-traffic", "traffic-over-time", "protocol-mix", "ssh-brute-force"]
DAYS = 16  # records spread over this many day partitions, so the lake has many files to split
# a bounded population, as in a real VPC: 20,011 sources, each talking to at most 16 destinations, so
# conversations repeat (the first full run drew a new address pair for nearly every record: see docs/scale.md)
HOSTS, PEERS = 20011, 16
# Spark's first pass over the whole lake is printed as "cold" (the JIT compiles the generated code then: on the
# idle second core in local[1], against the task threads in local[2]); the targets use the best of the warm passes
WARM_PASSES = 2
SPIN = 20_000_000  # iterations of the headroom loop: about a second of one core

SYNTHETIC = """
COPY (
  SELECT 2 AS version, '123456789012' AS account_id, 'eni-0' || (i % 997)::VARCHAR AS interface_id,
         '10.' || (h % 7)::VARCHAR || '.' || ((h // 7) % 256)::VARCHAR || '.' || (h % 251)::VARCHAR AS srcaddr,
         '172.31.' || ((h * 13 + k) % 256)::VARCHAR || '.' || ((h * 7 + k) % 253)::VARCHAR AS dstaddr,
         ((i * 7919) % 64511 + 1024)::INTEGER AS srcport,
         (CASE WHEN i % 5 = 0 THEN 22 WHEN i % 5 = 1 THEN 443 ELSE (i * 31) % 65536 END)::INTEGER AS dstport,
         (CASE WHEN i % 10 = 0 THEN 17 ELSE 6 END)::INTEGER AS protocol,
         (1 + i % 50)::BIGINT AS packets, (40 + (i * 37) % 90000)::BIGINT AS bytes,
         (1767225600 + (i * {span}) // {n})::BIGINT AS start, (1767225600 + (i * {span}) // {n} + 60)::BIGINT AS "end",
         CASE WHEN i % 7 = 0 THEN 'REJECT' ELSE 'ACCEPT' END AS action, 'OK' AS log_status,
         strftime(make_timestamp((1767225600 + (i * {span}) // {n}) * 1000000), '%Y-%m-%d') AS day
  FROM (SELECT i, i % {hosts} AS h, (i // {hosts}) % {peers} AS k FROM range({n}) AS r(i))
) TO '{dest}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day), ROW_GROUP_SIZE 1000000)
"""


def make_lake(n: int, dest: Path) -> float:
    import duckdb

    began = time.perf_counter()
    con = duckdb.connect()
    con.execute(SYNTHETIC.format(n=n, span=DAYS * 86400, dest=str(dest), hosts=HOSTS, peers=PEERS))
    con.close()
    return time.perf_counter() - began


def run_duckdb(lake: Path, threads: int) -> dict:
    import duckdb

    from vpcflow.engines import DuckDBEngine, run_query
    from vpcflow.fields import FIELDS

    con = duckdb.connect(config={"threads": threads})
    present = {r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet($p, hive_partitioning = true)",
                                         {"p": f"{lake}/*/*.parquet"}).fetchall()}
    cols = [f'"{f.column}"' if f.column in present else f'NULL::{f.duckdb_type} AS "{f.column}"' for f in FIELDS]
    cols += ["NULL::TIMESTAMPTZ AS event_time", "NULL::VARCHAR AS log_stream", "NULL::BIGINT AS source_id"]
    con.execute(f"CREATE VIEW flows AS SELECT {', '.join(cols)} FROM read_parquet('{lake}/*/*.parquet', "
                "hive_partitioning = true)")
    engine = DuckDBEngine(con)
    return _timed(lambda name: run_query(engine, name))


def run_spark(lake: Path, master: str) -> dict:
    from vpcflow.engines import run_query
    from vpcflow.engines.spark import SparkEngine, read_lake, session

    spark = session(master, app="vpcflow-bench", conf={"spark.driver.memory": "6g"})
    engine = SparkEngine(spark, read_lake(spark, str(lake)))
    jvm = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
    passes = [_timed(lambda name: run_query(engine, name), lambda: _cpu_seconds(jvm)) for _ in range(1 + WARM_PASSES)]
    spark.stop()
    cold, warm = passes[0], min(passes[1:], key=lambda p: p["seconds"])
    return {**warm, "cold": cold["seconds"], "cold_cores": cold["cores_used"]}


def _cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) of a process so far."""
    if pid is None:
        t = os.times()
        return t.user + t.system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(run, cpu=_cpu_seconds) -> dict:
    times = {}
    cpu0 = cpu()
    for name in WORKLOAD:
        began = time.perf_counter()
        run(name)
        times[name] = time.perf_counter() - began
    wall = sum(times.values())
    return {"seconds": wall, "queries": times, "cores_used": (cpu() - cpu0) / wall}


def _spin(n: int) -> int:
    x = 0
    for i in range(n):
        x += i * i
    return x


def headroom() -> float:
    """How much more CPU work 2 processes get done than 1, right now (2.0 on an idle 2-core box)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_spin, [1000, 1000]))  # both workers started before timing
        took = {}
        for procs in (1, 2):
            began = time.perf_counter()
            list(pool.map(_spin, [SPIN] * procs))
            took[procs] = time.perf_counter() - began
    return 2 * took[1] / took[2]


def worker(args) -> None:
    lake = Path(args.lake)
    result = run_duckdb(lake, 2) if args.worker == "duckdb" else run_spark(lake, args.worker)
    print(json.dumps(result))


def measure(engine: str, lake: Path) -> dict:
    """One engine in a fresh process, so a Spark master or DuckDB's caches do not carry over."""
    pin = ["taskset", "-c", "0"] if engine == PINNED else []
    worker = "local[1]" if engine == PINNED else engine
    out = subprocess.run([*pin, sys.executable, __file__, "--worker", worker, "--lake", str(lake)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1M and 5M records instead of 10M and 50M")
    parser.add_argument("--sizes", help="comma-separated record counts (e.g. 2000000), instead of the defaults")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--lake", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    sizes = (1_000_000, 5_000_000) if args.quick else (10_000_000, 50_000_000)
    if args.sizes:
        sizes = tuple(int(n) for n in args.sizes.split(","))
    results: dict = {}
    rooms: dict = {}
    colds: dict = {}
    with tempfile.TemporaryDirectory(prefix="vpcflow-spark-bench-") as tmp:
        for n in sizes:
            lake = Path(tmp) / f"lake-{n}"
            made = make_lake(n, lake)
            size = sum(p.stat().st_size for p in lake.rglob("*.parquet"))
            print(f"\n{n:,} records: lake {size / 1e6:,.0f} MB in {made:.1f} s", flush=True)
            row, cold = {}, {}
            room = [headroom()]
            for engine in ENGINES:
                r = measure(engine, lake)
                row[engine] = r["seconds"]
                cold[engine] = r.get("cold", r["seconds"])
                per = ", ".join(f"{k} {v:.2f}" for k, v in r["queries"].items())
                warm = f", cold pass {r['cold']:.1f} s on {r['cold_cores']:.2f} cores" if "cold" in r else ""
                print(f"  {engine:13s} {r['seconds']:7.2f} s  {n / r['seconds'] / 1e6:6.2f} M records/s  "
                      f"{r['cores_used']:.2f} cores used{warm}  ({per})", flush=True)
            room.append(headroom())
            rooms[n] = room
            print(f"  machine headroom (CPU loop, 2 processes / 1): {room[0]:.2f}x before, {room[1]:.2f}x after; "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
            results[n] = row
            colds[n] = cold
    print("\nratios (same run, same machine):")
    for n, row in results.items():
        print(f"  {n:>11,}: Spark local[2] / local[1] speed-up {row['local[1]'] / row['local[2]']:.2f}x (target >= 1.6; "
              f"the machine's headroom {min(rooms[n]):.2f}x to {max(rooms[n]):.2f}x; warm passes); "
              f"DuckDB vs Spark local[2]: DuckDB {row['local[2]'] / row['duckdb']:.1f}x faster")
        print(f"  {'':>11}  local[2] / local[1] held to one CPU: {row[PINNED] / row['local[2]']:.2f}x "
              "(local[1] alone compiles and collects garbage on the second core)")
        print(f"  {'':>11}  cold first pass: local[2] / local[1] {colds[n]['local[1]'] / colds[n]['local[2]']:.2f}x "
              f"({colds[n]['local[1]']:.1f} s / {colds[n]['local[2]']:.1f} s, JIT compiling included)")
    if len(sizes) < 2:
        return
    small, large = sizes[:2]
    for engine in ENGINES:
        a = results[small][engine] / small
        b = results[large][engine] / large
        print(f"  cost per record {engine}: {b / a:.2f}x at {large // small}x the data (target within 1.5x; "
              f"{a * 1e9:.0f} -> {b * 1e9:.0f} ns/record)")
    for engine, cores in (("local[1]", 1), (PINNED, 1), ("local[2]", 2), ("duckdb", 2)):
        print(f"  throughput per core {engine}: {large / results[large][engine] / cores / 1e6:.2f} M records/s "
              f"for the {len(WORKLOAD)}-query workload")


if __name__ == "__main__":
    main()
