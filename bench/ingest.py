"""Ingest speed and memory, as ratios against DuckDB's own read_csv measured in the same run.

    python bench/ingest.py                  # both shapes, five alternating runs each
    python bench/ingest.py --quick          # smaller inputs, three runs
    python bench/ingest.py --extras         # also flowlogs-reader and vpcflow.read, once per shape
    python bench/ingest.py --shape none --memory   # only peak memory: a 2 GB file, 20,000 small objects

Two shapes: one large `.log.gz`, and 160 objects of 5,000 records in an S3-style folder (the shape S3 delivery
and CloudWatch streams really have). The baseline is DuckDB's `read_csv` of the same files into a typed table
in a database file (what a user could hand-roll in one line, without validation, ledger or quarantine). The two
take turns, the first of each run changing sides, so a busy spell of this shared machine does not fall on one;
each run's ratio is the baseline's time over vpcflow's, and the median and the spread of the runs are printed.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from isal import igzip

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, default_lines, log_gz, report, timer  # noqa: E402
from vpcflow.fields import DEFAULT  # noqa: E402
from vpcflow.reader import read  # noqa: E402
from vpcflow.sources.layouts import key_for  # noqa: E402
from vpcflow.store import Store  # noqa: E402

TYPES = {f.column: f.duckdb_type for f in DEFAULT.fields}


def s3_folder(objects: int, records: int, seed: int = 1) -> Path:
    """A cached folder laid out as AWS delivers to S3: `objects` .log.gz of `records` each, five minutes apart."""
    root = DATA / f"s3_{objects}x{records}_{seed}"
    if root.exists():
        return root
    tmp = root.with_name(root.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    lines = default_lines(objects * records, seed)
    t0 = datetime(2023, 11, 14, tzinfo=UTC)
    for i in range(objects):
        key = key_for("123456789012", "us-east-1", "fl-0123456789abcdef0", t0 + timedelta(minutes=5 * i), f"{i:08x}")
        path = tmp / key
        path.parent.mkdir(parents=True, exist_ok=True)
        with igzip.open(path, "wt", compresslevel=1) as fh:
            fh.write(DEFAULT.header() + "\n")
            fh.writelines(next(lines) for _ in range(records))
    tmp.rename(root)
    return root


def duckdb_read_csv(files: str | list[str], db: Path) -> int:
    con = duckdb.connect(str(db))
    con.execute(f"CREATE TABLE flows AS SELECT * FROM read_csv(?, delim=' ', header=true, nullstr='-', "
                f"columns={TYPES!r})", [files])
    n = con.execute("SELECT count(*) FROM flows").fetchall()[0][0]
    con.close()
    return n


def vpcflow_ingest(target: Path, db: Path) -> int:
    with Store(db) as store:
        result = store.ingest(target)
        assert result.quarantined == 0 and not result.errors, result.as_dict()
        return result.records


def alternating(title: str, target: Path, files: str | list[str], records: int, runs: int) -> list[float]:
    """`runs` runs of read_csv and vpcflow ingest, taking turns at going first; each run's ratio."""
    print(f"\n{title} ({records:,} records), {runs} alternating runs")
    print(f"{'run':<5}{'first':<10}{'read_csv s':>12}{'vpcflow s':>12}{'ratio':>9}")
    ratios = []
    for run in range(runs):
        tmp = Path(tempfile.mkdtemp(prefix="vpcflow-bench-"))
        try:
            seconds: dict[str, float] = {}
            order = [("read_csv", lambda tmp=tmp: duckdb_read_csv(files, tmp / "csv.duckdb")),
                     ("vpcflow", lambda tmp=tmp: vpcflow_ingest(target, tmp / "vpcflow.duckdb"))]
            for name, fn in order if run % 2 == 0 else order[::-1]:
                started = time.perf_counter()
                assert fn() == records, name
                seconds[name] = time.perf_counter() - started
        finally:
            shutil.rmtree(tmp)
        ratios.append(seconds["read_csv"] / seconds["vpcflow"])
        print(f"{run + 1:<5}{'read_csv' if run % 2 == 0 else 'vpcflow':<10}{seconds['read_csv']:>12.2f}"
              f"{seconds['vpcflow']:>12.2f}{ratios[-1]:>8.2f}x", flush=True)
    print(f"vpcflow ingest vs duckdb read_csv -> table: median {statistics.median(ratios):.2f}x, "
          f"spread {min(ratios):.2f}x to {max(ratios):.2f}x (target: median at least 1.0x, no run below 0.85x)")
    return ratios


def flowlogs_reader_parse(paths: list[Path]) -> int:
    """flowlogs-reader's S3 path: a header line, then FlowRecord per line."""
    from flowlogs_reader import FlowRecord

    n = 0
    for path in paths:
        with gzip.open(path, "rt") as fh:
            header = fh.readline().split()
            for line in fh:
                FlowRecord(dict(zip(header, line.split(), strict=False)))
                n += 1
    return n


def duckdb_read_csv_arrow(files: str | list[str]) -> int:
    con = duckdb.connect()
    table = con.execute(f"SELECT * FROM read_csv(?, delim=' ', header=true, nullstr='-', columns={TYPES!r})",
                        [files]).to_arrow_table()
    con.close()
    return table.num_rows


def vpcflow_read(target: Path) -> int:
    parts = list(read(target))
    assert not any(p.quarantined or p.error for p in parts)
    return sum(p.records.num_rows for p in parts)


def extras(title: str, target: Path, files: str | list[str], paths: list[Path], records: int) -> None:
    """Once each: flowlogs-reader's parsing, and reading without a store against read_csv into Arrow."""
    seconds: dict[str, float] = {}
    with timer(seconds, "flowlogs-reader parse"):
        assert flowlogs_reader_parse(paths) == records
    with timer(seconds, "duckdb read_csv -> arrow"):
        assert duckdb_read_csv_arrow(files) == records
    with timer(seconds, "vpcflow read -> arrow (checked)"):
        assert vpcflow_read(target) == records
    report(f"{title}: reading", records, seconds, "duckdb read_csv -> arrow")


def peak(code: str, target: Path) -> tuple[str, float]:
    """Run `code` in a child process over `target`; its output and its own peak memory in MiB (VmHWM: ru_maxrss
    would carry over the high-water mark of this parent it forked from)."""
    code += "; print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))"
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-c", code, str(target), os.path.join(tmp, "m.duckdb")],
                             capture_output=True, text=True, check=True)
    counts, peak_kib = out.stdout.strip().splitlines()
    return counts, int(peak_kib) / 1024


INGEST = ("import sys; from vpcflow.store import Store; "
          "r = Store(sys.argv[2]).ingest(sys.argv[1]); print(r.records, r.quarantined)")
READ = ("import sys; from vpcflow import read; parts = [(p.records.num_rows, len(p.quarantined)) "
        "for p in read(sys.argv[1])]; print(sum(a for a, _ in parts), sum(b for _, b in parts))")


def peak_memory(gb: float, objects: int) -> None:
    """Ingest, then read, a plain file of about `gb` GB; then ingest `objects` small objects; peak memory of each."""
    big = DATA / f"plain_{gb}gb.log"
    if not big.exists():
        with gzip.open(log_gz(2_000_000), "rb") as fh:
            chunk = fh.read()
        with open(big, "wb") as out:
            while out.tell() < gb * (1 << 30):
                out.write(chunk)
    size = big.stat().st_size
    for what, code in (("ingesting", INGEST), ("reading (vpcflow.read, each part dropped)", READ)):
        counts, mib = peak(code, big)
        print(f"\npeak memory {what} {size / (1 << 30):.2f} GB uncompressed: {mib:,.0f} MiB "
              f"(records, quarantined: {counts}; target under 1024 MiB)")
    folder = s3_folder(objects, 200, seed=7)
    counts, mib = peak(INGEST, folder)
    print(f"\npeak memory ingesting {objects:,} objects of 200 records: {mib:,.0f} MiB "
          f"(records, quarantined: {counts}; target under 1024 MiB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small inputs, three runs")
    ap.add_argument("--runs", type=int, help="alternating runs per shape (default 5, 3 with --quick)")
    ap.add_argument("--shape", choices=("one", "many", "both", "none"), default="both")
    ap.add_argument("--extras", action="store_true", help="flowlogs-reader and vpcflow.read, once per shape")
    ap.add_argument("--memory", action="store_true", help="peak memory of a 2 GB file and 20,000 small objects")
    args = ap.parse_args()
    runs = args.runs or (3 if args.quick else 5)
    n, objects = (200_000, 40) if args.quick else (1_000_000, 160)
    if args.shape in ("one", "both"):
        one = log_gz(n)
        alternating(f"one {one.name}", one, str(one), n, runs)
        if args.extras:
            extras(f"one {one.name}", one, str(one), [one], n)
    if args.shape in ("many", "both"):
        folder = s3_folder(objects, 5_000)
        paths = sorted(folder.rglob("*.log.gz"))
        glob = str(folder / "**" / "*.log.gz")
        alternating(f"{objects} objects of 5,000 records in an S3-style folder", folder, glob, objects * 5_000, runs)
        if args.extras:
            extras(f"{objects} objects", folder, glob, paths, objects * 5_000)
    if args.memory:
        peak_memory(2.0, 20_000)


if __name__ == "__main__":
    main()
