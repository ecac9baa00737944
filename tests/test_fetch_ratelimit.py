"""A server's own rate limit, announced or only enforced, paces a backfill on default options
close to the fastest that limit allows, against the real client and the local server."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from api_server import ApiServer, Budget, generated_days

from generator.config import ClientSettings, Paths
from generator.fetch import fetch_range
from generator.sources.ratelimit import RequestBudget

FIRST = dt.date(2025, 1, 1)
DAYS = 60
TODAY = dt.date(2026, 1, 1)


def least_seconds(requests: int, budget: Budget) -> float:
    """What q calls per w seconds (fixed windows) impose on ``requests`` calls at best."""
    return (requests - 1) // budget.calls * budget.window


@pytest.mark.parametrize(
    ("announce", "sent"),
    [
        (True, ("RateLimit", "RateLimit-Policy", "Retry-After")),  # headers on every answer
        (False, ("Retry-After",)),  # says nothing until a 429
    ],
    ids=["announced", "retry-after-only"],
)
def test_a_server_limit_paces_a_default_backfill_near_its_fastest(tmp_path, api, announce, sent):
    budget = Budget(calls=20, window=2.0)  # far below the default 500 per 300 s
    server: ApiServer = api(
        days=generated_days(FIRST, DAYS), budget=budget, announce=announce, limit_headers=sent
    )
    started = time.monotonic()
    report = fetch_range(
        Paths(tmp_path),
        FIRST,
        FIRST + dt.timedelta(days=DAYS - 1),
        api_base=server.url,
        today=TODAY,
        settings=ClientSettings(),  # default options: only the server's answers can slow us
        progress=False,
    )
    elapsed = time.monotonic() - started
    assert not report.failed and len(report.fetched) == DAYS
    least = least_seconds(DAYS, budget)
    # Generous for a shared machine; bench/fetch_bench.py has the figures.
    assert elapsed <= 1.5 * least + 5, f"{elapsed:.1f} s, the server allows {least:.1f} s"
    late = [h for h in server.hits if h.status == 429 and h.at - server._t0 >= budget.window]
    assert not late, f"{len(late)} answers of 429 after the first window"
    if announce:
        assert 429 not in server.statuses()


def test_every_policy_is_its_own_constraint_and_none_borrows_another_window():
    now = [0.0]
    budget = RequestBudget(500, 300, clock=lambda: now[0])
    budget.adopt("api", 4, 1.0)
    for _ in range(4):
        with budget.slot():
            pass
    assert budget.wait_time() == pytest.approx(1.0)  # the server's 1 s, not our 300 s
    now[0] = 1.0
    assert budget.wait_time() == 0
    budget.adopt("api", 2, 1.0)  # a policy announced again replaces its earlier self
    for _ in range(2):
        with budget.slot():
            pass
    assert budget.wait_time() == pytest.approx(1.0)
    budget.adopt("day", 7, 86_400)  # a second policy: both must allow
    now[0] = 2.0
    with budget.slot():
        pass
    assert budget.wait_time() > 80_000  # 7 finished within the day, all counted
