"""The dashboard's overview API under load, as a ratio against DuckDB answering the same queries directly.

    python bench/serve_load.py            # 10M records, 20 clients
    python bench/serve_load.py --quick    # 1M records

The store is generated directly in DuckDB (a week of records over 50 interfaces). `vpcflow serve` runs in a
subprocess on 127.0.0.1; 20 client threads each send a bounded number of GET /api/overview requests.
Two loads: every client asks for the same range (the dashboard's usual case: the first answer is computed
once and cached, since the store cannot change while served read-only) and every request asks for a different
range (nothing cached: the worst case). Baseline: `vpcflow.report.overview.overview()` on a read-only
connection in this process, median of 5, i.e. the overview's queries straight in DuckDB.
Target: p95 under load at most 5x the baseline.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vpcflow.report.overview import Window, bounds, overview  # noqa: E402
from vpcflow.store import Store  # noqa: E402

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
WEEK = 7 * 86400
GENERATE = """
INSERT INTO flow_records (version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets,
                          bytes, start, "end", action, log_status)
SELECT 2, '123456789012', 'eni-' || lpad(to_hex((hash(i, 1) % 50)::BIGINT), 17, '0'),
       '10.0.' || (hash(i, 2) % 4) || '.' || (hash(i, 3) % 256),
       CASE WHEN hash(i, 4) % 4 = 0 THEN '10.0.' || (hash(i, 5) % 4) || '.' || (hash(i, 6) % 256)
            ELSE '52.' || (hash(i, 5) % 8) || '.' || (hash(i, 6) % 256) || '.7' END,
       (hash(i, 7) % 64512 + 1024)::INTEGER, [443, 80, 22, 53, 123, 3389, 8080, 5432][(hash(i, 8) % 8 + 1)::BIGINT],
       CASE WHEN hash(i, 9) % 10 = 0 THEN 17 ELSE 6 END, (hash(i, 10) % 100 + 1)::BIGINT,
       (hash(i, 11) % 100000 + 40)::BIGINT, t, t + 60,
       CASE WHEN hash(i, 12) % 5 = 0 THEN 'REJECT' ELSE 'ACCEPT' END, 'OK'
FROM (SELECT range AS i, ? + range * ? // ? AS t FROM range(?))
"""


def build(path: Path, records: int) -> None:
    with Store(path) as store:
        store.con.execute(GENERATE, [T0, WEEK, records, records])
        store.con.execute("CHECKPOINT")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "vpcflow.cli.main", "serve", "--db", str(db), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/summary", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the server did not start: {proc.stderr.read().decode()[-500:]}")


def load(base: str, clients: int, per_client: int, ranges, deadline_s: float) -> tuple[list[float], int]:
    """`clients` threads, each sending `per_client` requests (bounded also by a deadline); latencies, errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + deadline_s

    def client(k: int) -> None:
        with httpx.Client(base_url=base, timeout=120) as http:
            for j in range(per_client):
                if time.monotonic() > stop:
                    return
                params = ranges(k, j)
                started = time.perf_counter()
                try:
                    ok = http.get("/api/overview", params=params).status_code == 200
                except httpx.HTTPError:
                    ok = False
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took)
                    errors[0] += not ok

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1M records instead of 10M")
    ap.add_argument("--records", type=int, help="records to generate (overrides --quick)")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=10, help="requests per client per load")
    args = ap.parse_args()
    records = args.records or (1_000_000 if args.quick else 10_000_000)

    with tempfile.TemporaryDirectory(prefix="vpcflow-serve-bench-") as tmp:
        db = Path(tmp) / "flows.duckdb"
        started = time.perf_counter()
        build(db, records)
        print(f"generated {records:,} records in {time.perf_counter() - started:.1f} s")

        with Store(db, read_only=True) as store:
            b = bounds(store.con)
            direct = []
            for _ in range(5):
                s = time.perf_counter()
                overview(store.con, Window(), b)
                direct.append(time.perf_counter() - s)
        baseline = statistics.median(direct)

        port = free_port()
        server = start_server(db, port)
        base = f"http://127.0.0.1:{port}"
        try:
            same = load(base, args.clients, args.requests, lambda k, j: {}, 600)
            # A different `until` for every request, one minute apart: no two share a cache entry.
            distinct = load(base, args.clients, max(2, args.requests // 5),
                            lambda k, j: {"until": str(T0 + WEEK - 60 * (1 + k * 1000 + j))}, 600)
        finally:
            server.terminate()
            server.wait(10)

    print(f"\noverview API under {args.clients} concurrent clients ({records:,} records)")
    print(f"baseline: overview() directly in DuckDB, median of 5: {baseline * 1000:.1f} ms")
    print(f"{'load':<28}{'requests':>9}{'errors':>8}{'median ms':>11}{'p95 ms':>9}{'p95/baseline':>14}")
    for name, (lat, errs) in (("same range (cached)", same), ("distinct ranges (uncached)", distinct)):
        print(f"{name:<28}{len(lat):>9}{errs:>8}{statistics.median(lat) * 1000:>11.1f}{pct(lat, 95) * 1000:>9.1f}"
              f"{pct(lat, 95) / baseline:>13.2f}x")
    print("(target: p95/baseline at most 5x, no errors)")


if __name__ == "__main__":
    main()
