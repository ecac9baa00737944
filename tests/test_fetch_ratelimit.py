"""A server's own rate limit, announced or only enforced, paces a backfill on default options
close to the fastest that limit allows, against the real client and the local server."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from api_server import ApiServer, Budget, generated_days

from generator.config import ClientSettings, Paths
from generator.fetch import fetch_range
from generator.sources.ratelimit import CONFIGURED, Policy, RequestBudget

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


def test_a_limit_only_enforced_is_learnt_from_its_429s_and_measured_again_between_resets():
    now = [0.0]
    budget = RequestBudget(500, 300, clock=lambda: now[0])

    def answers(accepted: int, refused_at: float, retry_after: float) -> None:
        for _ in range(accepted):
            with budget.slot():
                pass
        now[0] = refused_at
        with budget.slot() as slot:
            slot.refused = True
        budget.refused(retry_after)

    # The server's 10 s window had begun 6 s before our first request: it looks like 4 s.
    answers(40, refused_at=0.5, retry_after=3.5)
    assert budget.policies["inferred"] == Policy(40, 4.0)
    assert budget.wait_time() == pytest.approx(3.5)  # paused until the reset
    now[0] = 0.6
    budget.refused(3.4)  # another 429 of the same window teaches nothing new
    assert budget.policies["inferred"] == Policy(40, 4.0)
    # The next window's 429 measures it between two resets (a second for rounding).
    # 40 per 4 s lets 40 go at 4.6 and the next at 8.6, still in the server's window: a
    # 429 whose reset, 10 s after the last, gives the real window.
    now[0] = 4.6
    answers(40, refused_at=8.6, retry_after=5.4)
    assert budget.policies["inferred"] == Policy(40, 11.0)
    assert budget.policies[CONFIGURED] == Policy(500, 300)
