"""Fetches run in parallel; `done_first` hands each over as it finishes, so a slow one holds back no other."""

from __future__ import annotations

import threading
import time

import pytest

from vpcflow.aws.prefetch import done_first, ordered_map


def test_a_slow_fetch_does_not_hold_back_the_ones_listed_after_it():
    slow_may_finish = threading.Event()

    def fetch(name: str) -> str:
        if name == "slow":
            assert slow_may_finish.wait(5)
        return name.upper()

    got = []
    for _, result in done_first(fetch, ["slow", "a", "b", "c"], workers=4, window=4):
        got.append(result)
        if len(got) == 3:
            slow_may_finish.set()
    assert sorted(got[:3]) == ["A", "B", "C"] and got[3] == "SLOW"


def test_every_item_is_fetched_once_within_the_window():
    running, most = set(), [0]
    lock = threading.Lock()

    def fetch(i: int) -> int:
        with lock:
            running.add(i)
            most[0] = max(most[0], len(running))
        time.sleep(0.002)  # long enough for fetches to overlap
        with lock:
            running.discard(i)
        return i * i

    pairs = list(done_first(fetch, range(50), workers=8, window=3))
    assert sorted(pairs) == [(i, i * i) for i in range(50)]
    assert 1 < most[0] <= 3


def test_a_failed_fetch_raises_where_it_is_handed_over():
    def fetch(i: int) -> int:
        if i == 2:
            raise ConnectionError("stream 2 failed")
        return i

    with pytest.raises(ConnectionError, match="stream 2"):
        list(done_first(fetch, range(4), workers=1, window=1))


def test_ordered_map_keeps_the_listing_order():
    assert [r for _, r in ordered_map(lambda i: -i, range(20), workers=4, window=5)] == [-i for i in range(20)]
