"""rules audit against one aggregation pass over the same records (the baseline, measured in the same run).

    .venv/bin/python bench/rules_audit.py [RECORDS]

The rules-zoo scenario's records are copied, shifted by a day and to other client ports each time, up to
RECORDS (default 10M) in a DuckDB store; the baseline is one GROUP BY over the 5-tuple and action of `flows`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from vpcflow.emulate import simulate
from vpcflow.network import load_topology
from vpcflow.rules import audit, judge, traffic
from vpcflow.store import Store

# one aggregation pass, its groups summed inside DuckDB (fetching millions of groups into Python would time that)
BASELINE = """SELECT count(*), sum(n), sum(b) FROM (
  SELECT interface_id, srcaddr, dstaddr, srcport, dstport, protocol, action, count(*) AS n, sum(bytes) AS b
  FROM flows GROUP BY ALL)"""


def main(records: int) -> None:
    out = Path(tempfile.mkdtemp(prefix="vpcflow-bench-rules-"))
    try:
        measure(out, records)
    finally:
        shutil.rmtree(out)


def measure(out: Path, records: int) -> None:
    simulate("rules-zoo", out / "logs")
    with Store(out / "s.duckdb") as store:
        store.ingest([out / "logs"])
        con = store.con
        seed = con.execute("SELECT count(*) FROM flow_records").fetchone()[0]
        copies = max(1, records // seed)
        con.execute("CREATE TEMP TABLE seed AS SELECT * FROM flow_records")
        # each copy a day later, its clients on other ephemeral ports (both directions alike), so the
        # connections stay distinct as in real logs and the reply rows the ACLs see grow with them
        con.execute("""INSERT INTO flow_records SELECT s.* REPLACE (
                         s.start + 86400 * t.k AS start, s."end" + 86400 * t.k AS "end",
                         CASE WHEN s.srcport >= 32768 THEN 32768 + (s.srcport - 32768 + 7919 * t.k) % 32768
                              ELSE s.srcport END AS srcport,
                         CASE WHEN s.dstport >= 32768 THEN 32768 + (s.dstport - 32768 + 7919 * t.k) % 32768
                              ELSE s.dstport END AS dstport)
                       FROM seed s, range(1, $n) t(k)""", {"n": copies})
        total = con.execute("SELECT count(*) FROM flows").fetchone()[0]
    model = load_topology("rules-zoo")
    with Store(out / "s.duckdb", read_only=True) as store:
        audit(store, model)  # the registry's first load, outside the timing
        t0 = time.perf_counter()
        store.con.execute(BASELINE).fetchall()
        base = time.perf_counter() - t0
        t0 = time.perf_counter()
        usage = traffic(store, model)
        query = time.perf_counter() - t0
        judge(model, usage)
        took = time.perf_counter() - t0
    print(f"records {total:,}: one aggregation pass {base:.2f}s, rules audit {took:.2f}s (the rule-usage query "
          f"{query:.2f}s, {len(usage):,} rows judged in {took - query:.2f}s), ratio {took / base:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
