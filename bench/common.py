"""Shared by the benchmarks: deterministic flow-log data, timing, and the ratio table they all print."""

from __future__ import annotations

import random
import time
from contextlib import contextmanager
from pathlib import Path

from isal import igzip

from vpcflow.fields import DEFAULT

DATA = Path(__file__).resolve().parent / "data"  # generated inputs are cached here (git-ignored)


def default_lines(n: int, seed: int = 1):
    """n records in the default format, with realistic spread of addresses, ports and times."""
    r = random.Random(seed)
    t0 = 1_700_000_000
    for i in range(n):
        t = t0 + i // 200
        yield (f"2 123456789012 eni-{r.randrange(1 << 32):08x} 10.0.{r.randrange(256)}.{r.randrange(256)} "
               f"52.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(256)} {r.randrange(65536)} "
               f"{r.choice((22, 80, 443, 3389, 53))} {r.choice((6, 6, 6, 17))} {r.randrange(1, 100)} "
               f"{r.randrange(40, 100_000)} {t} {t + 60} {r.choice(('ACCEPT', 'ACCEPT', 'REJECT'))} OK\n")


def log_gz(n: int, name: str | None = None, seed: int = 1) -> Path:
    """A cached .log.gz with a header line and n default-format records."""
    DATA.mkdir(exist_ok=True)
    path = DATA / (name or f"default_{n}_{seed}.log.gz")
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with igzip.open(tmp, "wt", compresslevel=1) as fh:
            fh.write(DEFAULT.header() + "\n")
            fh.writelines(default_lines(n, seed))
        tmp.rename(path)
    return path


@contextmanager
def timer(results: dict, name: str):
    started = time.perf_counter()
    yield
    results[name] = time.perf_counter() - started


def report(title: str, records: int, seconds: dict[str, float], baseline: str) -> None:
    """Print records/s per method and the ratio to the baseline measured in the same run."""
    print(f"\n{title} ({records:,} records)")
    print(f"{'method':<34}{'seconds':>10}{'records/s':>14}{'ratio':>9}")
    for name, s in seconds.items():
        print(f"{name:<34}{s:>10.2f}{records / s:>14,.0f}{seconds[baseline] / s:>8.2f}x")
    print(f"(ratio = {baseline} time / method time; above 1 is faster than the baseline)")
