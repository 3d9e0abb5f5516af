"""Live latency: from a delivery landing to the dashboard showing it and to its alarm's webhook, while a reader
hammers the dashboard's API.

One `vpcflow serve` process follows a local folder and an S3 prefix (moto's server on 127.0.0.1) with a rules
file whose alarm flips on every delivery (a webhook on 127.0.0.1 receives each change). Deliveries land one at
a time at a random phase of the poll: a file written elsewhere and renamed into place, or an object put. For each,
the time until /api/live counts its records, and until the webhook receives the change. Meanwhile reader threads
ask /api/overview, /api/findings and /api/query in a loop (bounded: at most --reads requests in all).

Baseline in the same run: the poll interval (a delivery waits half of it on average).

    python bench/live_latency.py            # 30 deliveries per source
    python bench/live_latency.py --quick    # 8
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3  # noqa: E402
import yaml  # noqa: E402

from tests.alert.servers import WebhookReceiver  # noqa: E402
from tests.alert.watching import SSH, land, minute_file  # noqa: E402

BUCKET = "live-bench"


def flip_file(i: int, records: int) -> str:
    """Even minutes breach (5 SSH rejects), odd ones do not: every delivery changes the alarm's state."""
    return minute_file(i, rejects=5 if i % 2 == 0 else 1, records=records)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def hammer(base: str, stop: threading.Event, budget: list[int], lock: threading.Lock, done: list[float]) -> None:
    """A dashboard user refreshing the heavy pages as fast as the server answers, within the shared budget."""
    paths = ["/api/overview?since=1h", "/api/findings", None]
    k = 0
    while not stop.is_set():
        with lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
        t = time.perf_counter()
        path = paths[k % 3]
        if path is None:
            get(base + "/api/query", {"sql": "SELECT dstport, count(*) FROM flows GROUP BY ALL ORDER BY 2 DESC LIMIT 5"})
        else:
            get(base + path)
        done.append(time.perf_counter() - t)
        k += 1


def rules_file(path: Path, hook: str) -> Path:
    rules = {
        "cooldown": 0,
        "metric_filters": [{"name": "ssh", "pattern": SSH, "metric": "SshRejects", "value": 1, "default": 0}],
        "alarms": [{"name": "ssh-brute-force", "metric": "SshRejects", "statistic": "Sum", "period": 60,
                    "threshold": 3, "comparison": "GreaterThanOrEqualToThreshold", "notify": ["hook"]}],
        "notifiers": [{"name": "hook", "type": "webhook", "url": hook}],
    }
    path.write_text(yaml.safe_dump(rules, sort_keys=False))
    return path


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="8 deliveries per source instead of 30")
    ap.add_argument("--deliveries", type=int, default=None)
    ap.add_argument("--poll", type=float, default=1.0)
    ap.add_argument("--records", type=int, default=500, help="records per delivery")
    ap.add_argument("--readers", type=int, default=2, help="threads hammering the API")
    ap.add_argument("--reads", type=int, default=20_000, help="most API requests the readers make in all")
    args = ap.parse_args()
    n = args.deliveries or (8 if args.quick else 30)
    rng = random.Random(22)
    tmp = Path(tempfile.mkdtemp(prefix="vpcflow-live-bench-"))

    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    endpoint = "http://{}:{}".format(*moto.get_host_and_port())
    aws = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": endpoint}
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    s3.create_bucket(Bucket=BUCKET)
    hook = WebhookReceiver()
    folder = tmp / "in"
    folder.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "vpcflow.cli.main", "serve", "--db", str(tmp / "live.duckdb"), "--port", str(port),
         "--follow", str(folder), "--follow", f"s3://{BUCKET}/flows/", "--rules", str(rules_file(tmp / "r.yaml", hook.url)),
         "--poll", str(args.poll), "--settle", "0"],
        stdout=subprocess.DEVNULL, stderr=open(tmp / "serve.log", "w"), text=True, env={**os.environ, **aws})
    deadline = time.monotonic() + 120
    while True:
        try:
            get(base + "/api/live")
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"vpcflow serve did not start: {(tmp / 'serve.log').read_text()}") from None
            time.sleep(0.2)

    stop, lock, budget, reads = threading.Event(), threading.Lock(), [args.reads], []
    readers = [threading.Thread(target=hammer, args=(base, stop, budget, lock, reads), daemon=True)
               for _ in range(args.readers)]
    for r in readers:
        r.start()
    results: dict[str, tuple[list[float], list[float]]] = {"local folder": ([], []), "S3 (moto)": ([], [])}
    records = shown = 0
    try:
        for phase, (to_dashboard, to_alarm) in results.items():
            for i in range(n):
                minute = i if phase == "local folder" else n + n % 2 + i  # S3 starts on a breach too
                text = flip_file(minute, args.records)
                records += len(text.splitlines())
                calls = len(hook.received)
                time.sleep(rng.uniform(0, args.poll))  # land at a random phase of the poll
                if phase == "local folder":
                    land(folder, minute, text)
                else:
                    s3.put_object(Bucket=BUCKET, Key=f"flows/{minute:04d}.log", Body=text.encode())
                landed = time.perf_counter()
                seen_at = alarm_at = None
                while seen_at is None or alarm_at is None:
                    now = time.perf_counter()
                    if now - landed > 60 or proc.poll() is not None:
                        raise SystemExit(f"{phase} delivery {i}: within 60 s shown {seen_at is not None}, alarm "
                                         f"{alarm_at is not None}; serve: {'running' if proc.poll() is None else (tmp / 'serve.log').read_text()}")
                    if seen_at is None and get(base + "/api/live")["records"] >= records:
                        seen_at = time.perf_counter()
                    if alarm_at is None and len(hook.received) > calls:
                        alarm_at = time.perf_counter()
                    time.sleep(0.01)
                to_dashboard.append(seen_at - landed)
                to_alarm.append(alarm_at - landed)
                shown = records
    finally:
        stop.set()
        for r in readers:
            r.join(60)
        proc.terminate()
        code = proc.wait(60)
        hook.close()
        moto.stop()
        os.environ.get("KEEP") or shutil.rmtree(tmp, ignore_errors=True)

    print(f"deliveries: {n} per source, {args.records + 3} records each ({shown:,} records shown in all); "
          f"poll {args.poll:.1f} s; serve exit code {code}")
    print(f"readers: {args.readers} threads, {len(reads):,} API requests during the run, median "
          f"{statistics.median(reads) * 1000:.0f} ms, p95 {percentile(reads, 0.95) * 1000:.0f} ms each")
    for phase, (to_dashboard, to_alarm) in results.items():
        for what, values, target in (("dashboard", to_dashboard, 5.0), ("alarm webhook", to_alarm, 10.0)):
            med, p95 = statistics.median(values), percentile(values, 0.95)
            print(f"{phase:>12} -> {what:<13}: median {med:5.2f} s, p95 {p95:5.2f} s, worst {max(values):5.2f} s "
                  f"(target p95 < {target:.0f} s: {'met' if p95 < target else 'MISSED'}); "
                  f"median / poll interval {med / args.poll:.2f}")


if __name__ == "__main__":
    main()
