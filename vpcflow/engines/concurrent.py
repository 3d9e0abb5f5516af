"""Independent queries run a few at a time, as if one after another: results in their order, the first one's
error raised, Ctrl-C stopping every running query.

One aggregation keeps DuckDB's workers busy; a suite of short queries leaves them idle between and within its
queries' small pipelines, so two at once (each on a cursor of its own, vpcflow.engines.engine's `cursors`) keep
the cores busy. An engine without cursors (Spark, a store reached through its holder) runs them in turn.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")
AT_ONCE = 2  # measured on 2 cores at 10M records (docs/detections.md, speed): 3 at once was no faster than 2
RECHECK = 0.05  # seconds between interrupts while stopping: one sent before a query began would be lost


def each(engine, jobs: Sequence[Callable[[object], T]], *, at_once: int = AT_ONCE,
         finished: Callable[[int, T], None] | None = None) -> list[T]:
    """`job(engine)` for every job, up to `at_once` at a time, each on an engine of its own; the results in
    the jobs' order. `finished(i, result)` is called in the caller's thread as each job finishes (in the order
    they finish). As in a loop, the first job (in order) that fails raises its error, and no job after it
    starts; a KeyboardInterrupt (or an error from `finished`) interrupts every running query and is raised."""
    cursors = getattr(engine, "cursors", None)
    if cursors is None or at_once < 2 or len(jobs) < 2:
        return _in_turn([engine], jobs, finished)
    with cursors(min(at_once, len(jobs))) as engines:
        return _in_turn(engines, jobs, finished) if len(engines) < 2 else _at_once(engines, jobs, finished)


def _in_turn(engines: list, jobs: Sequence[Callable[[object], T]], finished) -> list[T]:
    results = []
    for i, job in enumerate(jobs):
        results.append(job(engines[0]))
        if finished is not None:
            finished(i, results[-1])
    return results


def _at_once(engines: list, jobs: Sequence[Callable[[object], T]], finished) -> list[T]:
    free: queue.SimpleQueue = queue.SimpleQueue()  # a DuckDB connection serves one thread at a time
    for engine in engines:
        free.put(engine)
    running: dict[int, object] = {}  # job index -> the engine running it
    lock = threading.Lock()

    def job(i: int) -> T:
        engine = free.get()
        with lock:
            running[i] = engine
        try:
            return jobs[i](engine)
        finally:
            with lock:
                del running[i]
            free.put(engine)

    with ThreadPoolExecutor(len(engines), thread_name_prefix="vpcflow-query") as pool:
        futures = [pool.submit(job, i) for i in range(len(jobs))]
        try:
            failed = _collect(futures, finished, lambda after: _stop(futures, after, running, lock))
        except BaseException:  # Ctrl-C, or `finished` raised: stop every query before raising it
            _stop(futures, -1, running, lock)
            raise
    if failed is not None:
        futures[failed].result()  # raises the first failing job's own error, as a loop would
    return [f.result() for f in futures]


def _collect(futures: list[Future], finished, stop_after: Callable[[int], None]) -> int | None:
    """Wait for every job; the index of the first one (in order) that failed, or None."""
    index = {f: i for i, f in enumerate(futures)}
    failed: int | None = None
    pending = set(futures)
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for f in sorted(done, key=index.__getitem__):
            i = index[f]
            if failed is not None and i > failed:
                continue
            if f.cancelled() or f.exception() is not None:
                failed = i
                stop_after(i)  # what a loop would not have reached
                pending = {p for p in pending if index[p] < i}
            elif finished is not None:
                finished(i, f.result())
    return failed


def _stop(futures: list[Future], after: int, running: dict, lock: threading.Lock) -> None:
    """Cancel the jobs after index `after` that have not begun and interrupt those running, until all ended."""
    later = futures[after + 1:]
    for f in later:
        f.cancel()
    while not all(f.done() for f in later):
        with lock:
            for i, engine in running.items():
                if i > after:
                    engine.interrupt()
        wait([f for f in later if not f.done()], timeout=RECHECK)
