"""Reading ahead stops at its byte budget, yet one item heavier than the budget still passes; order holds."""

from __future__ import annotations

import threading

import pytest

from vpcflow.store.readahead import ReadAhead


def _items(n: int, produced: list[int], reached: dict[int, threading.Event]):
    for i in range(n):
        produced.append(i)
        if i in reached:
            reached[i].set()
        yield i


def test_the_reader_waits_once_the_items_waiting_weigh_the_budget():
    produced: list[int] = []
    reached = {2: threading.Event(), 3: threading.Event()}
    ahead = ReadAhead(_items(10, produced, reached), depth=100, weight=lambda _: 10, budget=25)
    assert reached[2].wait(5)  # two items (20) wait; the third (30 > 25) is read but cannot be handed over
    assert not reached[3].wait(0.3)
    assert list(ahead) == list(range(10))


def test_an_item_heavier_than_the_budget_is_still_handed_over():
    ahead = ReadAhead(iter([1, 2, 3]), depth=100, weight=lambda _: 1000, budget=10)
    assert list(ahead) == [1, 2, 3]


def test_without_a_budget_depth_bounds_the_items_waiting():
    produced: list[int] = []
    reached = {4: threading.Event(), 5: threading.Event()}
    ahead = ReadAhead(_items(8, produced, reached), depth=4)
    assert reached[4].wait(5)
    assert not reached[5].wait(0.3)
    assert list(ahead) == list(range(8))


def test_an_error_in_the_reader_reaches_the_consumer_after_the_items_before_it():
    def failing():
        yield 1
        raise OSError("disk gone")

    got = []
    with pytest.raises(OSError, match="disk gone"):
        for item in ReadAhead(failing(), depth=4):
            got.append(item)
    assert got == [1]


def _trickle(release: threading.Event):
    yield 1
    yield 2
    release.wait(5)  # the third item is slow to arrive, like a download
    yield 3


def test_batches_hand_over_what_has_arrived_without_waiting_for_a_full_batch():
    release = threading.Event()
    batches = ReadAhead(_trickle(release), depth=64).batches(64)
    first = next(batches)
    while first != [1, 2]:  # the reader may not have queued the second item yet
        first = first + next(batches)
    assert not release.is_set()  # handed over while the third was still on its way
    release.set()
    assert list(batches) == [[3]]


def test_batches_keep_order_and_size_and_pass_an_error_on_after_the_items_before_it():
    def failing():
        yield from range(5)
        raise OSError("listing failed")

    ahead = ReadAhead(failing(), depth=64)
    ahead.thread.join(5)  # everything waiting at once: batches are as full as allowed
    got = []
    with pytest.raises(OSError, match="listing failed"):
        for batch in ahead.batches(2):
            assert len(batch) <= 2
            got += batch
    assert got == list(range(5))
