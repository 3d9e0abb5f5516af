"""Reading flow logs from S3 and CloudWatch Logs: vpcflow against flowlogs-reader, same data, same endpoint.

Both read the same emulated records from one moto server (a separate process on 127.0.0.1, so the server
does not share the readers' interpreter). vpcflow's figure is end to end: list, look the listed objects up in
the store's ledger, download, parse and store in DuckDB (`Store.ingest` of the URI with a session, as a user's
ingest runs); "read" is `vpcflow.read`, the records parsed to typed Arrow columns and checked but not stored,
which is what flowlogs-reader does (iterating its parsed records), record for record; and "fetch" is the
sources alone (records fetched and counted, not parsed). flowlogs-reader is measured with its default (no
threads) and with a thread pool like vpcflow's.
Each row also gives the CPU seconds this process and moto's server spent on it, and "local ingest" is the store
reading the same S3 objects from disk: the floor for an S3 ingest that no download speed can beat. The ratios
come three times: records per second (wall clock); the CPU seconds of both processes, which a loaded machine's
wall-clock ratio falls toward (each session gets its share of the cores, and vpcflow's runs use both while
flowlogs-reader's use about one); and the readers' CPU alone, what that ratio would be against a real endpoint,
whose CPU is not spent on this machine.

    .venv/bin/python bench/aws_read.py --quick     # seconds
    .venv/bin/python bench/aws_read.py             # a day of the enterprise scenario
    .venv/bin/python bench/aws_read.py --only s3 --busy 1   # with a core taken, as another session's work would
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import botocore.config

from vpcflow.aws.deliver import replay_cloudwatch_export, upload_tree
from vpcflow.aws.session import AwsSession, AwsSettings
from vpcflow.aws.sources import resolve
from vpcflow.emulate.engine import simulate
from vpcflow.fields import DEFAULT
from vpcflow.reader import read
from vpcflow.store.store import Store

REGION = "us-east-1"
THREADS = 16


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto_server did not start")


@contextmanager
def busy_cores(loops: int) -> Iterator[None]:
    """`loops` busy loops, each in a session of its own (as another user's work is), for a loaded run on purpose."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True) for _ in range(loops)]
    try:
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    """User plus system CPU time of this process, every thread."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def best(table: list[tuple[str, object]], repeat: int, server: int) -> dict[str, tuple[float, int, float, float]]:
    """Per row: (fastest seconds, records, the server's CPU seconds in that run, this process's CPU seconds in
    that run) over `repeat` rounds. The rows take turns, round after round, so a busy spell of this shared
    machine does not fall on one row."""
    fastest: dict[str, tuple[float, int, float, float]] = {}
    for _ in range(repeat):
        for name, fn in table:
            c0, o0, t0 = cpu_seconds(server), own_cpu(), time.perf_counter()
            n = fn()
            run = (time.perf_counter() - t0, n, cpu_seconds(server) - c0, own_cpu() - o0)
            fastest[name] = min(fastest.get(name, run), run)
    return fastest


def vpcflow_ingest(session, uri: str, tmp: Path, **kw) -> int:
    db = tmp / f"bench-{time.monotonic_ns()}.duckdb"
    with Store(db) as store:
        result = store.ingest(uri, session=session, **kw)
    db.unlink()
    return result.records


def vpcflow_read(session, uri: str, **kw) -> int:
    """Records parsed, typed and checked, not stored."""
    return sum(part.records.num_rows for part in read(uri, session=session, **kw))


def vpcflow_fetch(session, uri: str) -> int:
    """Lines fetched without parsing: what the readers alone cost."""
    n = 0
    for source in resolve(uri, session):
        data = source.opener().read()
        if data[:2] == b"\x1f\x8b":
            import gzip

            data = gzip.decompress(data)
        n += data.count(b"\n") - (1 if source.identity.startswith("s3://") else 0)
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 hours of data, one run each")
    ap.add_argument("--scenario", default="enterprise")
    ap.add_argument("--repeat", type=int, help="rounds over the rows, the fastest kept (default 1 quick, 3 full)")
    ap.add_argument("--only", nargs="+", choices=("s3", "cwl"), default=("s3", "cwl"), help="the sources to measure")
    ap.add_argument("--busy", type=int, default=0, metavar="N", help="N busy loops in other sessions while measuring")
    args = ap.parse_args()
    duration, repeat = ("3h", 1) if args.quick else ("24h", 3)
    repeat = args.repeat or repeat

    from importlib.metadata import version

    import flowlogs_reader

    proc, url = start_moto()
    try:
        creds = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": REGION}
        boto = boto3.Session(**creds)
        session = AwsSession(AwsSettings(region=REGION, endpoint_url=url), boto_session=boto)
        cfg = botocore.config.Config(max_pool_connections=THREADS, s3={"addressing_style": "path"})
        s3 = boto.client("s3", endpoint_url=url, config=cfg)
        logs = boto.client("logs", endpoint_url=url, config=cfg)
        with tempfile.TemporaryDirectory() as tmp_dir:
            tmp = Path(tmp_dir)
            s3.create_bucket(Bucket="bench-flows")
            boto.client("ec2", endpoint_url=url).describe_flow_logs()  # moto builds its EC2 backend on first use
            sim = simulate(args.scenario, tmp / "s3", duration=duration, destination="s3")
            upload_tree(session, tmp / "s3", "bench-flows")
            simulate(args.scenario, tmp / "cw", duration=duration, destination="cloudwatch")
            writer = replay_cloudwatch_export(session, tmp / "cw" / "cloudwatch", "bench-flows")
            print(
                f"data: {args.scenario} {duration}: {sim.records:,} records in {len(sim.files)} S3 objects; "
                f"{writer.events:,} CloudWatch events in {len(list((tmp / 'cw').rglob('*.gz')))} streams; "
                f"flowlogs-reader {version('flowlogs-reader')}, moto {version('moto')}"
            )

            s3_start, s3_end = sim.start.replace(tzinfo=None), sim.end.replace(tzinfo=None) + timedelta(hours=1)
            now = datetime.now(UTC).replace(tzinfo=None)
            cw_start, cw_end = now - timedelta(days=2), now + timedelta(hours=1)

            def flr_s3(threads: int):
                return lambda: sum(
                    1
                    for _ in flowlogs_reader.S3FlowLogsReader(
                        "bench-flows", start_time=s3_start, end_time=s3_end, boto_client=s3, thread_count=threads
                    )
                )

            def flr_cwl(threads: int):
                return lambda: sum(
                    1
                    for _ in flowlogs_reader.FlowLogsReader(
                        "bench-flows", start_time=cw_start, end_time=cw_end, boto_client=logs, thread_count=threads
                    )
                )

            def local_ingest() -> int:
                db = tmp / f"local-{time.monotonic_ns()}.duckdb"
                with Store(db) as store:
                    n = store.ingest([tmp / "s3"]).records
                db.unlink()
                return n

            table = [
                ("s3   local ingest (same objects from disk)", local_ingest),
                (
                    "s3   vpcflow ingest (list+get+parse+store)",
                    lambda: vpcflow_ingest(session, "s3://bench-flows", tmp),
                ),
                ("s3   vpcflow read (list+get+parse+check)", lambda: vpcflow_read(session, "s3://bench-flows")),
                ("s3   vpcflow fetch only", lambda: vpcflow_fetch(session, "s3://bench-flows")),
                ("s3   flowlogs-reader (default, no threads)", flr_s3(0)),
                (f"s3   flowlogs-reader (thread_count={THREADS})", flr_s3(THREADS)),
                (
                    "cwl  vpcflow ingest (get+parse+store)",
                    lambda: vpcflow_ingest(session, "cwl://bench-flows", tmp, format=DEFAULT),
                ),
                (
                    "cwl  vpcflow read (get+parse+check)",
                    lambda: vpcflow_read(session, "cwl://bench-flows", format=DEFAULT),
                ),
                ("cwl  vpcflow fetch only", lambda: vpcflow_fetch(session, "cwl://bench-flows")),
                ("cwl  flowlogs-reader (default, no threads)", flr_cwl(0)),
                (f"cwl  flowlogs-reader (thread_count={THREADS})", flr_cwl(THREADS)),
            ]
            table = [(name, fn) for name, fn in table if name.split()[0] in args.only]
            rows = []
            if args.busy:
                print(f"measuring with {args.busy} busy loop(s) in other sessions")
            with busy_cores(args.busy):
                measured = best(table, repeat, proc.pid)
            for name, (seconds, n, server, own) in measured.items():
                rows.append((name, n, seconds, n / seconds, own + server, own))
                print(
                    f"  {name:<48} {n:>9,} records {seconds:8.2f} s {n / seconds:>12,.0f} rec/s"
                    f"   CPU {own:5.2f} s, moto's {server:5.2f} s",
                    flush=True,
                )
            keys = [" ".join(r[0].split()[:3]) for r in rows]  # "s3 vpcflow ingest", "s3 flowlogs-reader (default,"
            rate = {k: r[3] for k, r in zip(keys, rows, strict=True)}
            # under load a run gets its session's share of the cores, so the wall-clock ratio falls toward this one
            work = {k: r[4] for k, r in zip(keys, rows, strict=True)}
            # against a real endpoint the server's CPU is not on this machine: the client's alone is what a user's
            # loaded machine would see
            client = {k: r[5] for k, r in zip(keys, rows, strict=True)}
            print("ratios, records per second (vpcflow / flowlogs-reader):")
            for kind in args.only:
                for mine in ("vpcflow fetch", "vpcflow read", "vpcflow ingest"):
                    for base, label in (
                        ("flowlogs-reader (default,", "default"),
                        (f"flowlogs-reader (thread_count={THREADS})", f"{THREADS} threads"),
                    ):
                        ratio = rate[f"{kind} {mine}"] / rate[f"{kind} {base}"]
                        cpu = work[f"{kind} {base}"] / work[f"{kind} {mine}"]
                        alone = client[f"{kind} {base}"] / client[f"{kind} {mine}"]
                        print(
                            f"  {kind:<4} {mine:<15} vs flowlogs-reader {label:<11} {ratio:6.1f}x"
                            f"   CPU with moto's {cpu:5.1f}x, without {alone:5.1f}x"
                        )
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
