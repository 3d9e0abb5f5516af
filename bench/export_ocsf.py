"""Benchmark: OCSF export against DuckDB's own COPY ... TO JSON of the same rows (the write floor), same run.

    .venv/bin/python bench/export_ocsf.py --quick      # 1M records, seconds
    .venv/bin/python bench/export_ocsf.py              # 10M records

Prints records/second for each and the ratio OCSF / floor (target: at least 0.5x). Also times ECS and the
Community ID expression alone. Data: synthetic v5 records made in DuckDB (random addresses, ports, actions).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vpcflow.fields import PRESETS  # noqa: E402
from vpcflow.interop.community_id import community_id_sql, ip_hex_sql  # noqa: E402
from vpcflow.interop.export import export  # noqa: E402
from vpcflow.store import schema  # noqa: E402

SYNTHETIC = """
INSERT INTO {table} (version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes,
                   start, "end", action, log_status, vpc_id, subnet_id, instance_id, tcp_flags, "type", pkt_srcaddr,
                   pkt_dstaddr, region, az_id, flow_direction, traffic_path, log_stream)
SELECT 5, '123456789012', 'eni-0' || (i % 97)::VARCHAR, s, d, sp, dp, p, 1 + i % 50, 40 + (i * 37) % 90000,
       1700000000 + i // 100, 1700000000 + i // 100 + 60, CASE WHEN i % 7 = 0 THEN 'REJECT' ELSE 'ACCEPT' END,
       'OK', 'vpc-0abc', 'subnet-0' || (i % 5)::VARCHAR, 'i-0' || (i % 97)::VARCHAR, (i % 4)::INTEGER, 'IPv4',
       CASE WHEN i % 11 = 0 THEN '198.51.100.' || (i % 200)::VARCHAR ELSE s END, d, 'us-east-1', 'use1-az4',
       CASE WHEN i % 2 = 0 THEN 'ingress' ELSE 'egress' END, CASE WHEN i % 2 = 1 THEN 1 + i % 8 END,
       'eni-0' || (i % 97)::VARCHAR || '-all'
FROM (SELECT range AS i,
             '10.' || (range % 7)::VARCHAR || '.' || ((range // 7) % 256)::VARCHAR || '.' || (range % 251)::VARCHAR AS s,
             '172.31.' || ((range * 13) % 256)::VARCHAR || '.' || ((range * 7) % 253)::VARCHAR AS d,
             ((range * 7919) % 64511 + 1024)::INTEGER AS sp,
             (CASE range % 4 WHEN 0 THEN 443 WHEN 1 THEN 22 WHEN 2 THEN 53 ELSE 8080 END)::INTEGER AS dp,
             (CASE WHEN range % 4 = 2 THEN 17 WHEN range % 97 = 0 THEN 1 ELSE 6 END)::INTEGER AS p
      FROM range(?))
"""


def timed(fn) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1M records instead of 10M")
    parser.add_argument("--records", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    n = args.records or (1_000_000 if args.quick else 10_000_000)
    with tempfile.TemporaryDirectory(prefix="vpcflow-bench-") as tmp:
        db = Path(tmp) / "store.duckdb"
        con = duckdb.connect(str(db))
        con.execute(f"SET threads = {int(args.threads)}")
        for ddl in schema.DDL:
            con.execute(ddl)
        table = "flows"
        if hasattr(schema, "ensure_columns"):  # flows is a view over flow_records, widened per format
            schema.ensure_columns(con, PRESETS["v5"].fields)
            table = "flow_records"
        made = timed(lambda: con.execute(SYNTHETIC.format(table=table), [n]))
        print(f"made {n:,} synthetic v5 records in {made:.1f}s")
        out = Path(tmp)
        floor = timed(lambda: con.execute(f"COPY (SELECT * FROM flows) TO '{out / 'floor.jsonl'}' (FORMAT json)"))
        ocsf = timed(lambda: export(con, "ocsf", out / "ocsf.jsonl"))
        ecs = timed(lambda: export(con, "ecs", out / "ecs.jsonl"))
        cid = community_id_sql("_sh", "_dh", "srcport", "dstport", "protocol")
        hexed = f"SELECT *, {ip_hex_sql('srcaddr')} AS _sh, {ip_hex_sql('dstaddr')} AS _dh FROM flows"
        community = timed(lambda: con.execute(f"SELECT count({cid}) FROM ({hexed})").fetchone())
        export(con, "parquet", out / "flat.parquet")  # its columns: the fields that hold values
        names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{out / 'flat.parquet'}'").fetchall()]
        columns = ", ".join(f'"{c}"' for c in names)
        narrow = timed(lambda: con.execute(f"COPY (SELECT {columns} FROM flows) TO '{out / 'narrow.jsonl'}' "
                                           "(FORMAT json)"))
        sizes = {name: (out / name).stat().st_size / n for name in ("floor.jsonl", "ocsf.jsonl", "ecs.jsonl")}
        con.close()
    print(f"{'what':<34}{'seconds':>9}{'records/s':>14}{'bytes/rec':>11}")
    for label, secs, size in (("DuckDB COPY flows -> JSON (floor)", floor, sizes["floor.jsonl"]),
                              ("DuckDB COPY v5 columns -> JSON", narrow, 0),
                              ("vpcflow export ocsf -> JSON lines", ocsf, sizes["ocsf.jsonl"]),
                              ("vpcflow export ecs -> JSON lines", ecs, sizes["ecs.jsonl"]),
                              ("Community ID expression alone", community, 0)):
        print(f"{label:<34}{secs:>9.2f}{n / secs:>14,.0f}{size:>11.0f}")
    print(f"ratio ocsf/floor (records/s): {floor / ocsf:.2f}x  (target >= 0.5x)")
    print(f"ratio ecs/floor  (records/s): {floor / ecs:.2f}x")
    print(f"ratio ocsf/(COPY of only the non-empty columns): {narrow / ocsf:.2f}x")


if __name__ == "__main__":
    main()
