"""One rule for every step that uses the cores (generator/workers.py)."""

from __future__ import annotations

import os

import pytest

from generator import workers
from generator.config import PARALLEL_MIN


@pytest.mark.parametrize(
    ("items", "cap", "expected"),
    [
        (0, 2, 1),
        (PARALLEL_MIN - 1, 2, 1),  # below the threshold a fork costs more than it saves
        (PARALLEL_MIN, 2, 2),
        (30_000, 2, 2),  # never more than the cores
        (30_000, 8, 8),
        (5 * PARALLEL_MIN // 2, 8, 3),  # one more process per PARALLEL_MIN items
        (30_000, 1, 1),
    ],
)
def test_count(items, cap, expected):
    assert workers.count(items, cap=cap) == expected


def test_count_defaults_to_the_cores_and_takes_another_threshold():
    assert workers.count(10**9) == (os.cpu_count() or 1)
    assert workers.count(34, cap=2, per_process=1) == 2  # the hook's test setting
    assert workers.count(34, cap=2, per_process=1_000_000) == 1


def test_threshold_is_read_when_counting(monkeypatch):
    monkeypatch.setattr(workers, "PARALLEL_MIN", 4)
    assert workers.count(12, cap=2) == 2


@pytest.mark.parametrize(("items", "processes"), [(1, 2), (7, 2), (30_001, 2), (100, 3)])
def test_chunks_cover_every_item_once_in_order(items, processes):
    data = list(range(items))
    parts = workers.chunks(data, processes)
    assert [x for part in parts for x in part] == data
    assert len(parts) <= processes * workers.CHUNKS_PER_PROCESS
    assert max(map(len, parts)) - min(map(len, parts[:-1] or parts)) <= 1


def test_chunks_of_a_range_are_ranges():
    parts = workers.chunks(range(10), 2)
    assert [(p.start, p.stop) for p in parts] == [(0, 2), (2, 4), (4, 6), (6, 8), (8, 10)]
    assert workers.chunks([], 2) == []


def test_shares_deal_items_round_robin():
    assert workers.shares(list(range(7)), 3) == [[0, 3, 6], [1, 4], [2, 5]]


_parked = None


def _read_parked(_: int) -> object:
    return _parked


def test_forked_workers_inherit_what_was_set_before_the_fork():
    global _parked
    _parked = {"set": "before the fork"}
    try:
        with workers.pool(2) as pool:
            assert list(pool.map(_read_parked, range(2))) == [_parked, _parked]
    finally:
        _parked = None
