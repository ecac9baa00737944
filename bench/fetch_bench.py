"""How close a long backfill gets to the fastest pace the request budget allows.

Runs ``fetch_range`` over a generated year against the local test API server, which
enforces the same budget (fixed windows, 429 beyond it) and, in the faulty scenarios,
injects 10% failures (500, reset connections, answers slower than the timeout, truncated
JSON). The budget is Hugging Face's 500 calls per 300 s scaled down to seconds so a run
takes seconds; what matters is the ratio.

"least" is the time the budget itself imposes on the requests the run made: with N calls
per W seconds, R requests need at least floor((R - 1) / N) * W seconds. Target: ratio <= 1.25.

Two more rows run a client on default options (500 calls per 300 s) against a server
allowing far fewer (``--server-budget`` per ``--server-window``): once announcing its policy
on every answer, once saying nothing but 429 with Retry-After. There "least" is what the
server's policy imposes on the days fetched, and the target is ratio <= 1.5.

    .venv/bin/python bench/fetch_bench.py [--days 365] [--repeats 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from api_server import ApiServer, Budget, Faults, generated_days  # noqa: E402

from generator.config import ClientSettings, Paths  # noqa: E402
from generator.fetch import fetch_range  # noqa: E402

FIRST = dt.date(2025, 1, 1)


def run_once(
    days: int,
    budget: Budget,
    fault_rate: float,
    concurrency: int,
    seed: int,
    *,
    settings: ClientSettings | None = None,
    announce: bool = False,
    limit_headers: tuple[str, ...] = ("RateLimit", "RateLimit-Policy", "Retry-After"),
    allow_429: bool = False,
) -> tuple[int, float]:
    listing = generated_days(FIRST, days)
    faults = Faults(rate=fault_rate, seed=seed) if fault_rate else None
    settings = settings or ClientSettings(
        timeout=0.2,
        retries=5,
        backoff=0.02,
        backoff_max=0.2,
        budget_calls=budget.calls,
        budget_window=budget.window,
    )
    server = ApiServer(
        days=listing,
        budget=budget,
        faults=faults,
        slow_seconds=0.4,
        announce=announce,
        limit_headers=limit_headers,
    )
    with tempfile.TemporaryDirectory() as tmp, server:
        started = time.monotonic()
        report = fetch_range(
            Paths(Path(tmp)),
            FIRST,
            FIRST + dt.timedelta(days=days - 1),
            api_base=server.url,
            today=dt.date(2026, 1, 1),
            settings=settings,
            concurrency=concurrency,
            progress=False,
        )
        elapsed = time.monotonic() - started
        late_429 = [
            h for h in server.hits if h.status == 429 and h.at - server._t0 >= 2 * budget.window
        ]
        if report.failed or (late_429 if allow_429 else 429 in server.statuses()):
            raise SystemExit(f"bench run went wrong: {report.summary()} {server.statuses()}")
    return report.requests, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--budget", type=int, default=100, help="calls per window")
    parser.add_argument("--window", type=float, default=2.0, help="seconds")
    parser.add_argument("--server-days", type=int, default=120)
    parser.add_argument("--server-budget", type=int, default=40, help="the server's calls")
    parser.add_argument("--server-window", type=float, default=10.0, help="seconds")
    args = parser.parse_args()
    budget = Budget(args.budget, args.window)

    print(f"budget {budget.calls} calls / {budget.window:g} s; medians of {args.repeats} runs")
    print(f"| {'scenario':<24} | days | requests | total s | least s | ratio |")
    print(f"| {'-' * 24} | ---: | -------: | ------: | ------: | ----: |")
    for fault_rate in (0.0, 0.1):
        for concurrency in (4, 8):
            runs = [
                run_once(args.days, dataclasses.replace(budget), fault_rate, concurrency, seed)
                for seed in range(args.repeats)
            ]
            name = f"{fault_rate:.0%} faults, {concurrency} threads"
            row(name, args.days, runs, lambda requests: least(requests, budget))
    server = Budget(args.server_budget, args.server_window)
    print(f"\nserver {server.calls} calls / {server.window:g} s, client on default options")
    for name, announce, headers in (
        ("server announces policy", True, ("RateLimit", "RateLimit-Policy")),
        ("429 + Retry-After only", False, ("Retry-After",)),
    ):
        runs = [
            run_once(
                args.server_days,
                dataclasses.replace(server),
                0.0,
                4,
                seed,
                settings=ClientSettings(),
                announce=announce,
                limit_headers=headers,
                allow_429=True,
            )
            for seed in range(args.repeats)
        ]
        # The server's policy bounds the days, not the requests (429s are ours to avoid).
        row(name, args.server_days, runs, lambda _requests: least(args.server_days, server))


def least(requests: int, budget: Budget) -> float:
    return (requests - 1) // budget.calls * budget.window


def row(
    name: str, days: int, runs: list[tuple[int, float]], least_of: Callable[[int], float]
) -> None:
    requests = int(statistics.median(r for r, _ in runs))
    total = statistics.median(t for _, t in runs)
    fastest = least_of(requests)
    ratio = total / fastest if fastest else float("nan")
    print(
        f"| {name:<24} | {days:>4} | {requests:>8} | {total:>7.2f} "
        f"| {fastest:>7.2f} | {ratio:>5.2f} |",
        flush=True,
    )


if __name__ == "__main__":
    main()
