"""Follow-mode latency: from a file landing in a watched directory to its alert firing.

A `vpcflow watch` process follows a directory at a 1-second poll. Files land one at a time (written elsewhere,
renamed into place) at a random phase of the poll; each one flips the alarm, so each should fire exactly one
JSON-lines notification. Latency is the time from the rename to that line appearing in the file.

Baselines measured in the same run: the poll interval itself (a file waits half of it on average), and the
work per file (ingest, evaluate, checkpoint, notify) timed in-process on a fresh store.

    python bench/watch_latency.py            # 100 files (about 2 minutes)
    python bench/watch_latency.py --quick    # 10 files
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.alert.watching import land, minute_file, write_rules  # noqa: E402
from vpcflow.alert.follow import DirectoryFollower  # noqa: E402
from vpcflow.alert.rules import load_rules  # noqa: E402
from vpcflow.alert.watch import Watcher  # noqa: E402
from vpcflow.store.store import Store  # noqa: E402


def flip_file(i: int, records: int) -> str:
    """Even minutes breach (5 SSH rejects), odd ones do not: every file changes the alarm's state."""
    return minute_file(i, rejects=5 if i % 2 == 0 else 1, records=records)


def work_per_file(tmp: Path, records: int, n: int = 5) -> float:
    """Median seconds to take one file in and notify, with no waiting: the floor under the latency."""
    (tmp / "floor").mkdir()
    rules = load_rules(write_rules(tmp / "floor.yaml", tmp / "floor.jsonl"))
    times = []
    with Store.open(tmp / "floor.duckdb") as store:
        watcher = Watcher(store, DirectoryFollower(tmp / "floor"), rules)
        watcher.poll()
        for i in range(n):
            land(tmp / "floor", i, flip_file(i, records))
            t = time.perf_counter()
            watcher.poll()
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def lines_in(path: Path) -> int:
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except FileNotFoundError:
        return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10 files instead of 100")
    ap.add_argument("--files", type=int, default=None)
    ap.add_argument("--poll", type=float, default=1.0)
    ap.add_argument("--records", type=int, default=500, help="records per file")
    args = ap.parse_args()
    n = args.files or (10 if args.quick else 100)
    rng = random.Random(1)
    tmp = Path(tempfile.mkdtemp(prefix="vpcflow-watch-bench-"))
    floor = work_per_file(tmp, args.records)

    folder, alerts = tmp / "in", tmp / "alerts.jsonl"
    folder.mkdir()
    rules = write_rules(tmp / "rules.yaml", alerts)
    proc = subprocess.Popen(
        [sys.executable, "-m", "vpcflow.cli.main", "watch", str(folder), "--rules", str(rules),
         "--db", str(tmp / "watch.duckdb"), "--poll", str(args.poll), "--quiet", "--report-every", "3600"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    proc.stderr.readline()  # the first (idle) poll is done: the watcher is up
    latencies = []
    try:
        for i in range(n):
            time.sleep(rng.uniform(0, args.poll))  # land at a random phase of the poll
            land(folder, i, flip_file(i, args.records))
            landed = time.perf_counter()
            deadline = landed + 30
            while lines_in(alerts) < i + 1:
                if time.perf_counter() > deadline or proc.poll() is not None:
                    raise SystemExit(f"file {i}: no alert within 30 s")
                time.sleep(0.002)
            latencies.append(time.perf_counter() - landed)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    latencies.sort()
    median, worst = statistics.median(latencies), latencies[-1]
    p90 = latencies[int(0.9 * (len(latencies) - 1))]
    expected = args.poll / 2 + floor
    print(f"files: {n} ({args.records + 3} records each), poll {args.poll:.1f}s, watcher exit code {code}")
    print(f"baseline: work per file in-process {floor * 1000:.1f} ms; poll interval {args.poll * 1000:.0f} ms")
    print(f"landing -> alert: median {median * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms, worst {worst * 1000:.0f} ms")
    print(f"ratios: median / poll interval {median / args.poll:.2f}; worst / poll interval {worst / args.poll:.2f}; "
          f"median / (poll/2 + work) {median / expected:.2f}; median / work {median / floor:.1f}x")
    os.environ.get("KEEP") or __import__("shutil").rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
