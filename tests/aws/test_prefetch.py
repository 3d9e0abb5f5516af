"""Reads run in parallel; `as_emitted` hands over each piece as it comes, so a long read holds back no other,
and `ordered_map` keeps the listing order."""

from __future__ import annotations

import threading
import time

import pytest

from vpcflow.aws.prefetch import as_emitted, ordered_map


def test_a_long_read_does_not_hold_back_the_ones_listed_after_it():
    long_may_finish = threading.Event()

    def read(name: str, emit, stop) -> None:
        emit(f"{name}-1")
        if name == "long":
            assert long_may_finish.wait(5)
            emit(f"{name}-2")

    got = []
    for piece in as_emitted(read, ["long", "a", "b", "c"], workers=4):
        got.append(piece)
        if len(got) == 4:
            long_may_finish.set()
    assert sorted(got[:4]) == ["a-1", "b-1", "c-1", "long-1"] and got[4] == "long-2"


def test_every_piece_of_every_read_is_handed_over_once():
    def read(i: int, emit, stop) -> None:
        for j in range(i % 4):
            time.sleep(0.001)  # long enough for reads to interleave
            emit((i, j))

    got = list(as_emitted(read, range(40), workers=8, queued=3))
    assert sorted(got) == [(i, j) for i in range(40) for j in range(i % 4)]


def test_readers_wait_while_the_queued_pieces_are_not_taken():
    emitted = []

    def read(i: int, emit, stop) -> None:
        for j in range(10):
            emit(j)
            emitted.append(j)

    pieces = as_emitted(read, [0], workers=1, queued=3)
    assert next(pieces) == 0
    time.sleep(0.3)
    assert len(emitted) <= 5  # three waiting, one taken, one being put
    assert list(pieces) == list(range(1, 10))


def test_the_first_failure_is_raised_and_the_reads_under_way_are_told_to_stop():
    started, stopped = threading.Event(), threading.Event()

    def read(i: int, emit, stop) -> None:
        if i == 0:
            assert started.wait(5)
            raise ConnectionError("stream 0 failed")
        started.set()
        while not stop.is_set():  # a long read, paging until told to stop
            time.sleep(0.01)
        stopped.set()

    with pytest.raises(ConnectionError, match="stream 0"):
        list(as_emitted(read, range(2), workers=2))
    assert stopped.wait(5)


def test_ordered_map_keeps_the_listing_order():
    assert [r for _, r in ordered_map(lambda i: -i, range(20), workers=4, window=5)] == [-i for i in range(20)]
