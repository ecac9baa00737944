"""A server's own rate limit, announced or only enforced, paces a backfill on default options
close to the fastest that limit allows, against the real client and the local server."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from api_server import ApiServer, Budget, generated_days

from generator.config import ClientSettings, Paths
from generator.fetch import fetch_range
from generator.sources.ratelimit import (
    CONFIGURED,
    INFERRED,
    BudgetClosed,
    Policy,
    RequestBudget,
)

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
    # Bare 429s: the first window's tell when it resets, the second's end the whole window
    # the limit is learnt from; none after that.
    late = [h for h in server.hits if h.status == 429 and h.at - server._t0 >= 2 * budget.window]
    assert not late, f"{len(late)} answers of 429 after the second window"
    if announce:
        assert 429 not in server.statuses()
    # The summary names the limit that paced the run, announced or learnt. A limit only
    # enforced is learnt from the 429 that ends a second window; a client slowed below the
    # limit (a loaded machine) never meets one and has nothing to learn.
    refused_in = {(h.at - server._t0) // budget.window for h in server.hits if h.status == 429}
    taught = len(refused_in) >= 2
    if announce or taught:
        limit = report.limits[INFERRED] if not announce else Policy(budget.calls, budget.window)
        assert limit in report.limits.values() and limit.calls == budget.calls
    assert "rate limits followed: " in report.summary()


WINDOW = 0.3  # seconds: short, so the tests below wait on the real clock


def _slots(budget: RequestBudget, count: int) -> float:
    """Seconds ``count`` requests took to get their slots, one after another."""
    started = time.monotonic()
    for _ in range(count):
        with budget.slot():
            pass
    return time.monotonic() - started


def _blocks(budget: RequestBudget) -> bool:
    """Whether the next request waits: still waiting after a second, it gets BudgetClosed
    when the budget is closed (as here, at the end)."""
    outcome: list[BaseException] = []

    def request() -> None:
        try:
            _slots(budget, 1)
        except BudgetClosed as exc:
            outcome.append(exc)

    thread = threading.Thread(target=request)
    thread.start()
    thread.join(1.0)
    waiting = thread.is_alive()
    budget.close()
    thread.join(5.0)
    return waiting and len(outcome) == 1


def test_every_policy_is_its_own_constraint_and_none_borrows_another_window():
    budget = RequestBudget(500, 300)
    budget.adopt("api", 4, WINDOW)
    assert _slots(budget, 4) < WINDOW  # 4 per 0.3 s: all at once
    # The fifth waits for the server's 0.3 s, not our 300 s.
    assert WINDOW * 0.9 <= _slots(budget, 1) < 30
    time.sleep(WINDOW)
    budget.adopt("api", 2, WINDOW)  # a policy announced again replaces its earlier self
    assert WINDOW * 0.9 <= _slots(budget, 3) < 30  # the third waits
    budget.adopt("day", 8, 86_400)  # a second policy: both must allow
    assert _blocks(budget)  # 8 finished within the day, all counted


def test_a_429_without_a_policy_pauses_every_request_until_its_reset():
    budget = RequestBudget(500, 300)
    with budget.slot() as slot:
        slot.refused = True
    budget.refused(WINDOW)
    assert WINDOW * 0.9 <= _slots(budget, 1) < 30
    assert INFERRED not in budget.policies  # no call accepted: nothing to learn a quota from


def _answers(budget: RequestBudget, now: list[float]):
    def answers(accepted: int, refused_at: float, retry_after: float) -> None:
        for _ in range(accepted):
            with budget.slot():
                pass
        now[0] = refused_at
        with budget.slot() as slot:
            slot.refused = True
        budget.refused(retry_after)

    return answers


def test_a_limit_only_enforced_is_learnt_from_one_whole_window_between_two_resets():
    now = [0.0]
    budget = RequestBudget(500, 300, clock=lambda: now[0])
    answers = _answers(budget, now)

    # The server's 10 s window had begun 6 s before our first request: the first 429
    # tells only when it resets.
    answers(40, refused_at=0.5, retry_after=3.5)
    assert INFERRED not in budget.policies
    now[0] = 0.6
    budget.refused(3.4)  # another 429 of the same window teaches nothing new
    assert INFERRED not in budget.policies
    # From that reset to the next is one whole window (a second for rounding).
    now[0] = 4.0
    answers(40, refused_at=4.7, retry_after=9.3)
    assert budget.policies[INFERRED] == Policy(40, 11.0)
    assert budget.policies[CONFIGURED] == Policy(500, 300)


def test_a_call_counts_in_the_window_it_was_sent_in_not_the_one_its_answer_came_in():
    """Requests run concurrently: one sent before a 429 may be answered after it. Counted
    when answered, a call of the window before would join the one learnt from (the CI
    failure that learnt 21 calls of a server allowing 20), and a call of the window
    learnt from would be lost."""
    now = [0.0]
    budget = RequestBudget(500, 300, clock=lambda: now[0])
    answers = _answers(budget, now)

    with budget.slot():  # sent in the first window, answered after its 429
        answers(19, refused_at=0.5, retry_after=3.5)
        now[0] = 4.0
    with budget.slot():  # sent in the window learnt from, answered after the 429 closing it
        answers(38, refused_at=4.7, retry_after=9.3)
        assert budget.policies[INFERRED] == Policy(38, 11.0)
        now[0] = 14.0
    assert budget.policies[INFERRED] == Policy(39, 11.0)
    now[0] = 16.0  # the learnt limit's window has passed: a place is free at once
    with budget.slot():  # the next window: not the learnt one's
        pass
    assert budget.policies[INFERRED] == Policy(39, 11.0)


def test_a_quota_an_earlier_run_had_mostly_spent_is_not_learnt_as_the_limit():
    """Hugging Face's 500 per 5 minutes, with 480 spent before this run began: the 20
    calls before the first 429 are not the quota, or the run would crawl at 20 per
    window for good (no 429 would ever come to correct it)."""
    now = [0.0]
    budget = RequestBudget(10_000, 1, clock=lambda: now[0])
    answers = _answers(budget, now)

    answers(20, refused_at=100.0, retry_after=200.0)  # the server's window resets at 300
    assert INFERRED not in budget.policies
    now[0] = 300.0
    answers(500, refused_at=301.0, retry_after=299.0)
    assert budget.policies[INFERRED] == Policy(500, 301.0)
    now[0] = 600.0
    assert not _blocks(budget)  # the next window's 500 may go
