"""Ingest speed and memory, as ratios against baselines measured in the same run.

    python bench/ingest.py            # 2M-line file, 16-file run, 2 GB memory check
    python bench/ingest.py --quick    # 200k lines, 4 files, no memory check

Baselines: flowlogs-reader's record parsing of the same file, and DuckDB's own read_csv of it into a typed
table in a database file (what a user could hand-roll, without validation, ledger or quarantine). Reading
without a store (`vpcflow.read`, typed Arrow out, every value checked) is measured against read_csv into Arrow.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA, log_gz, report, timer  # noqa: E402
from vpcflow.fields import DEFAULT  # noqa: E402
from vpcflow.reader import read  # noqa: E402
from vpcflow.store import Store  # noqa: E402


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


def duckdb_read_csv(paths: list[Path], db: Path) -> int:
    types = {f.column: f.duckdb_type for f in DEFAULT.fields}
    con = duckdb.connect(str(db))
    con.execute(f"CREATE TABLE flows AS SELECT * FROM read_csv(?, delim=' ', header=true, nullstr='-', "
                f"columns={types!r})", [[str(p) for p in paths]])
    n = con.execute("SELECT count(*) FROM flows").fetchall()[0][0]
    con.close()
    return n


def duckdb_read_csv_arrow(paths: list[Path]) -> int:
    types = {f.column: f.duckdb_type for f in DEFAULT.fields}
    con = duckdb.connect()
    table = con.sql(f"SELECT * FROM read_csv({[str(p) for p in paths]!r}, delim=' ', header=true, nullstr='-', "
                    f"columns={types!r})").to_arrow_table()
    con.close()
    return table.num_rows


def vpcflow_read(paths: list[Path]) -> int:
    parts = list(read(paths))
    assert not any(p.quarantined or p.error for p in parts)
    return sum(p.records.num_rows for p in parts)


def vpcflow_ingest(paths: list[Path], db: Path) -> int:
    with Store(db) as store:
        result = store.ingest(paths)
        assert result.quarantined == 0, result.as_dict()
        return result.records


def run(paths: list[Path], records: int, title: str, with_reader: bool) -> None:
    seconds: dict[str, float] = {}
    tmp = Path(tempfile.mkdtemp(prefix="vpcflow-bench-"))
    try:
        if with_reader:
            with timer(seconds, "flowlogs-reader parse"):
                assert flowlogs_reader_parse(paths) == records
        with timer(seconds, "duckdb read_csv -> table"):
            assert duckdb_read_csv(paths, tmp / "csv.duckdb") == records
        with timer(seconds, "vpcflow ingest (validated, ledger)"):
            assert vpcflow_ingest(paths, tmp / "vpcflow.duckdb") == records
        with timer(seconds, "duckdb read_csv -> arrow"):
            assert duckdb_read_csv_arrow(paths) == records
        with timer(seconds, "vpcflow read -> arrow (checked)"):
            assert vpcflow_read(paths) == records
    finally:
        shutil.rmtree(tmp)
    report(title, records, seconds, "duckdb read_csv -> table")
    print(f"vpcflow read vs duckdb read_csv -> arrow: "
          f"{seconds['duckdb read_csv -> arrow'] / seconds['vpcflow read -> arrow (checked)']:.2f}x")
    if with_reader:
        print(f"vpcflow vs flowlogs-reader: {seconds['flowlogs-reader parse'] / seconds['vpcflow ingest (validated, ledger)']:.1f}x")


def peak_memory(gb: float) -> None:
    """Ingest, then read, a plain file of about `gb` GB, each in a child process, and print its peak memory."""
    big = DATA / f"plain_{gb}gb.log"
    if not big.exists():
        src = log_gz(2_000_000)
        with gzip.open(src, "rb") as fh:
            chunk = fh.read()
        with open(big, "wb") as out:
            while out.tell() < gb * (1 << 30):
                out.write(chunk)
    # the child's own peak (VmHWM, KiB): ru_maxrss would carry over the high-water mark of this parent it forked from
    peak = "; print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))"
    ingest = ("import sys; from vpcflow.store import Store; "
              "r = Store(sys.argv[2]).ingest(sys.argv[1]); print(r.records, r.quarantined)" + peak)
    reading = ("import sys; from vpcflow import read; parts = [(p.records.num_rows, len(p.quarantined)) "
               "for p in read(sys.argv[1])]; print(sum(a for a, _ in parts), sum(b for _, b in parts))" + peak)
    size = big.stat().st_size
    for what, code in (("ingesting", ingest), ("reading (vpcflow.read, each part dropped)", reading)):
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run([sys.executable, "-c", code, str(big), os.path.join(tmp, "m.duckdb")],
                                 capture_output=True, text=True, check=True)
        counts, peak_kib = out.stdout.strip().splitlines()
        print(f"\npeak memory {what} {size / (1 << 30):.2f} GB uncompressed: {int(peak_kib) / 1024:,.0f} MiB "
              f"(records, quarantined: {counts}; target under 1024 MiB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small inputs, seconds not minutes")
    args = ap.parse_args()
    n, files = (200_000, 4) if args.quick else (2_000_000, 16)
    one = log_gz(n)
    run([one], n, f"one {one.name}", with_reader=True)
    many = [log_gz(n // 8 if args.quick else n // 8, seed=s) for s in range(1, files + 1)]
    run(many, sum(n // 8 for _ in many), f"{files} files", with_reader=True)
    if not args.quick:
        peak_memory(2.0)


if __name__ == "__main__":
    main()
