"""Speed of `cost --by path` against one aggregation pass over the same records.

Synthetic v5 records are generated directly in DuckDB (flow_records of a fresh store): 2,000 interfaces in three
AZs, 20,000 conversations (east-west logged at both ends, internet through the internet gateway, internet through
a NAT gateway whose own records are there too, S3 through a gateway endpoint with v5's pkt-*-aws-service) and
3% rejected internet noise from scattered addresses. Each run times, alternately:

  interface  SELECT interface_id, sum(bytes) FROM flows GROUP BY interface_id   (into Arrow): the cheapest pass
  pairs      SELECT interface_id, srcaddr, dstaddr, action, sum(bytes) FROM flows GROUP BY ALL (into Arrow): the
             one pass any per-conversation answer (top pairs, a path per record) cannot do without
  cost       vpcflow.cost.cost(store, "path") as a user runs it: the store keeps per-leg sums (vpcflow.cost.kept),
             so the cost-path named query reads them, then learns, classifies and prices
  cost from records  the same with the sums ignored: the two passes over every record (what Spark, a store that
             keeps nothing and `--by hour` run)

and prints the median and spread (min to max) of each, on the wall clock and on this process's CPU time (all of
DuckDB's threads: steadier when other work shares the cores), and the ratio of both costs to each baseline on both
(target: within 2x of one aggregation pass). Before the runs, `keep` sums the 10M records once from nothing (what
the first `vpcflow cost` after ingesting them pays) and is printed against `pairs` too. With --breakdown, the
statement's two passes over `flows` are timed alone as well (`legs pass`: nine keys, four max()es; `fields pass`:
per interface), and `legs keys`: the legs pass with its six keys, sum and count and nothing else.

    flock /tmp/vpcflow-bench.lock python bench/cost.py [--records 10000000] [--runs 5] [--breakdown]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from unittest import mock  # noqa: E402

from vpcflow.cost import cost, keep, kept  # noqa: E402
from vpcflow.cost.legs import fields_sql, legs_sql  # noqa: E402
from vpcflow.engines.queries import ALL_TIME  # noqa: E402
from vpcflow.fields import LogFormat  # noqa: E402
from vpcflow.store.ledger import clear_kept  # noqa: E402
from vpcflow.store.schema import arrow, ensure_columns  # noqa: E402
from vpcflow.store.store import Store  # noqa: E402

BASELINES = {
    "interface": "SELECT interface_id, CAST(sum(bytes) AS BIGINT) AS bytes FROM flows GROUP BY interface_id",
    "pairs": "SELECT interface_id, srcaddr, dstaddr, action, CAST(sum(bytes) AS BIGINT) AS bytes FROM flows "
             "GROUP BY interface_id, srcaddr, dstaddr, action",
}
# The legs pass without its fields: what is left of it when no max() is paid for
LEGS_KEYS = """SELECT interface_id, srcaddr, dstaddr, action, pkt_srcaddr, pkt_dstaddr, CAST(sum(bytes) AS BIGINT) AS bytes,
       count(*) AS records
FROM flows WHERE log_status = 'OK' AND "end" >= $since AND start < $until
GROUP BY interface_id, srcaddr, dstaddr, action, pkt_srcaddr, pkt_dstaddr"""
T0 = 1767571200
RATE = 500  # records a second, as in bench/detect_speed.py

_IP = "'10.0.' || CAST(({k}) // 250 AS VARCHAR) || '.' || CAST(({k}) % 250 + 4 AS VARCHAR)"
FILL = f"""
INSERT INTO flow_records (version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets,
                          bytes, start, "end", action, log_status, vpc_id, subnet_id, instance_id, pkt_srcaddr,
                          pkt_dstaddr, region, az_id, flow_direction, traffic_path, pkt_src_aws_service,
                          pkt_dst_aws_service, source_id)
WITH r AS (SELECT i, hash(i) AS h1, hash(i + 1000003) AS h2, {T0} + i // {RATE} AS t FROM range($n) t(i)),
c AS (
  SELECT i, t, h1 % 20000 AS conv, h2 % 4 AS leg, h1 % 100 < 3 AS noise, h2 % 50000 AS bytes_seed FROM r
),
k AS (
  SELECT c.*, conv % 1998 AS client, (conv * 7 + 13) % 1998 AS server, conv % 10 AS kind,
         '198.18.' || CAST(conv // 256 % 256 AS VARCHAR) || '.' || CAST(conv % 256 AS VARCHAR) AS internet,
         '52.216.' || CAST(conv % 256 AS VARCHAR) || '.' || CAST(conv // 256 % 256 AS VARCHAR) AS s3
  FROM c
),
legs AS (
  SELECT k.*, {_IP.format(k='client')} AS cip, {_IP.format(k='server')} AS sip, '10.0.7.253' AS natip,
    CASE WHEN noise THEN client WHEN kind < 5 THEN CASE WHEN leg IN (0, 3) THEN client ELSE server END
         WHEN kind IN (7, 8) AND leg >= 2 THEN 1999 ELSE client END AS iface
  FROM k
),
rec AS (
  SELECT l.*,
    CASE WHEN noise THEN '203.0.' || CAST(i % 251 AS VARCHAR) || '.' || CAST(i // 251 % 251 AS VARCHAR)
         WHEN kind < 5 THEN CASE WHEN leg IN (0, 1) THEN cip ELSE sip END
         WHEN kind IN (7, 8) THEN CASE leg WHEN 0 THEN cip WHEN 1 THEN internet WHEN 2 THEN cip ELSE natip END
         WHEN leg % 2 = 0 THEN cip WHEN kind = 9 THEN s3 ELSE internet END AS src,
    CASE WHEN noise THEN cip
         WHEN kind < 5 THEN CASE WHEN leg IN (0, 1) THEN sip ELSE cip END
         WHEN kind IN (7, 8) THEN CASE leg WHEN 0 THEN internet WHEN 1 THEN cip WHEN 2 THEN natip ELSE cip END
         WHEN leg % 2 = 1 THEN cip WHEN kind = 9 THEN s3 ELSE internet END AS dst,
    CASE WHEN noise THEN 'ingress'
         WHEN kind < 5 THEN CASE WHEN leg IN (0, 2) THEN 'egress' ELSE 'ingress' END
         WHEN kind IN (7, 8) THEN CASE WHEN leg IN (0, 3) THEN 'egress' ELSE 'ingress' END
         WHEN leg % 2 = 0 THEN 'egress' ELSE 'ingress' END AS direction
  FROM legs l
)
SELECT 5, '123456789012', 'eni-' || lpad(CAST(iface AS VARCHAR), 17, '0'), src, dst,
       CASE WHEN direction = 'egress' THEN 40000 + conv % 20000 ELSE 443 END,
       CASE WHEN direction = 'egress' THEN 443 ELSE 40000 + conv % 20000 END, 6, 1 + bytes_seed % 40,
       40 + bytes_seed * 20, t, t + 59, CASE WHEN noise THEN 'REJECT' ELSE 'ACCEPT' END, 'OK',
       'vpc-0bench000000000', 'subnet-' || CAST(iface // 250 AS VARCHAR),
       CASE WHEN iface = 1999 THEN NULL ELSE 'i-' || lpad(CAST(iface AS VARCHAR), 17, '0') END,
       CASE WHEN kind IN (7, 8) AND leg = 3 AND NOT noise THEN internet ELSE src END,
       CASE WHEN kind IN (7, 8) AND leg = 2 AND NOT noise THEN internet ELSE dst END,
       'us-east-1', 'use1-az' || CAST(iface % 3 + 1 AS VARCHAR), direction,
       CASE WHEN direction <> 'egress' THEN NULL WHEN noise THEN NULL WHEN kind < 5 THEN 1
            WHEN kind IN (7, 8) THEN 1 WHEN kind = 9 THEN 7 ELSE 8 END,
       CASE WHEN kind = 9 AND NOT noise AND direction = 'ingress' THEN 'S3' END,
       CASE WHEN kind = 9 AND NOT noise AND direction = 'egress' THEN 'S3' END, 1 + i // $per_source
FROM rec
"""
PER_SOURCE = 100_000  # records per ledger row: what an ingest of 5-minute objects of a busy VPC would leave
LEDGER = """INSERT INTO sources SELECT i, 'bench/' || i, 0, NULL, 'bench-' || i, 'v5', $per_source, 0, 'ok', NULL, now()
FROM range(1, 1 + ($n + $per_source - 1) // $per_source) t(i)"""


def build(path: Path, n: int) -> None:
    with Store(path) as store:
        ensure_columns(store.con, LogFormat.parse("v5").fields)
        store.con.execute("SET preserve_insertion_order = false")
        store.con.execute(FILL, {"n": n, "per_source": PER_SOURCE})
        store.con.execute(LEDGER, {"n": n, "per_source": PER_SOURCE})
        store.con.execute("CHECKPOINT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, help="reuse (or create) the store here")
    parser.add_argument("--breakdown", action="store_true", help="also time the statement's two passes alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.duckdb"
        if not db.exists():
            started = time.perf_counter()
            build(db, args.records)
            print(f"built {args.records:,} records in {time.perf_counter() - started:.1f} s")
        with Store(db) as store:  # the sums from nothing, as the first `vpcflow cost` after the ingest
            store.con.execute("BEGIN TRANSACTION")
            clear_kept(store.con)
            store.con.execute("COMMIT")
            started, used = time.perf_counter(), time.process_time()
            summed = keep(store)
            once = (time.perf_counter() - started, time.process_time() - used)
        passes = {"legs pass": legs_sql(), "legs keys": LEGS_KEYS, "fields pass": fields_sql()} if args.breakdown else {}
        costs = ("cost --by path", "cost from records")
        times: dict[str, list[float]] = {name: [] for name in BASELINES | passes} | {name: [] for name in costs}
        cpu: dict[str, list[float]] = {name: [] for name in times}
        with Store(db, read_only=True) as store:
            records = store.con.execute("SELECT count(*) FROM flows").fetchall()[0][0]
            result = cost(store, "path")  # warm: the first run reads the file from disk
            for _ in range(args.runs):  # alternate, so drift on a shared machine hits both alike
                for name, sql in (BASELINES | passes).items():
                    started, used = time.perf_counter(), time.process_time()
                    params = {**ALL_TIME, "monthly": False} if name == "legs pass" else dict(ALL_TIME)
                    arrow(store.con, sql, params if name in passes else None)
                    times[name].append(time.perf_counter() - started)
                    cpu[name].append(time.process_time() - used)
                for name in costs:
                    ignored = mock.patch.object(kept, "kept_through", return_value=None)  # as if none were kept
                    with ignored if name == "cost from records" else contextlib.nullcontext():
                        started, used = time.perf_counter(), time.process_time()
                        answer = cost(store, "path")
                        times[name].append(time.perf_counter() - started)
                        cpu[name].append(time.process_time() - used)
                    assert answer.rows == result.rows, "the sums and the records disagree"
    print(f"\ncost --by path against one aggregation pass ({records:,} records, {args.runs} alternating runs)")
    print(f"{'method':<18}{'median s':>10}{'min s':>9}{'max s':>9}{'records/s':>14}{'CPU s':>9}{'min':>7}{'max':>7}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<18}{med:>10.3f}{min(ts):>9.3f}{max(ts):>9.3f}{records / med:>14,.0f}"
              f"{statistics.median(cpu[name]):>9.3f}{min(cpu[name]):>7.2f}{max(cpu[name]):>7.2f}")
    print(f"{'keep (once)':<18}{once[0]:>10.3f}{'':>18}{records / once[0]:>14,.0f}{once[1]:>9.3f}"
          f"   ({summed} sources from nothing: what the first cost after ingesting them pays)")
    for name in BASELINES:
        for what in costs:
            ratio = statistics.median(times[what]) / statistics.median(times[name])
            on_cpu = statistics.median(cpu[what]) / statistics.median(cpu[name])
            print(f"ratio {what} / {name}: {ratio:.2f}x wall, {on_cpu:.2f}x CPU (target: within 2x)")
        print(f"ratio keep (once) / {name}: {once[0] / statistics.median(times[name]):.2f}x wall, "
              f"{once[1] / statistics.median(cpu[name]):.2f}x CPU")
    for name in passes:
        print(f"{name} / pairs: {statistics.median(cpu[name]) / statistics.median(cpu['pairs']):.2f}x CPU")
    print("paths:", ", ".join(f"{r['path']} {r['bytes']:,}" for r in result.rows))


if __name__ == "__main__":
    main()
