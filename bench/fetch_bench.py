"""How close a long backfill gets to the fastest pace the request budget allows.

Runs ``fetch_range`` over a generated year against the local test API server, which
enforces the same budget (fixed windows, 429 beyond it) and, in the faulty scenarios,
injects 10% failures (500, reset connections, answers slower than the timeout, truncated
JSON). The budget is Hugging Face's 500 calls per 300 s scaled down to seconds so a run
takes seconds; what matters is the ratio.

"least" is the time the budget itself imposes on the requests the run made: with N calls
per W seconds, R requests need at least floor((R - 1) / N) * W seconds. Target: ratio <= 1.25.

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from api_server import ApiServer, Budget, Faults, generated_days  # noqa: E402

from generator.config import ClientSettings, Paths  # noqa: E402
from generator.fetch import fetch_range  # noqa: E402

FIRST = dt.date(2025, 1, 1)


def run_once(
    days: int, budget: Budget, fault_rate: float, concurrency: int, seed: int
) -> tuple[int, float]:
    listing = generated_days(FIRST, days)
    faults = Faults(rate=fault_rate, seed=seed) if fault_rate else None
    settings = ClientSettings(
        timeout=0.2,
        retries=5,
        backoff=0.02,
        backoff_max=0.2,
        budget_calls=budget.calls,
        budget_window=budget.window,
    )
    with (
        tempfile.TemporaryDirectory() as tmp,
        ApiServer(days=listing, budget=budget, faults=faults, slow_seconds=0.4) as server,
    ):
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
        if report.failed or 429 in server.statuses():
            raise SystemExit(f"bench run went wrong: {report.summary()} {server.statuses()}")
    return report.requests, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--budget", type=int, default=100, help="calls per window")
    parser.add_argument("--window", type=float, default=2.0, help="seconds")
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
            requests = int(statistics.median(r for r, _ in runs))
            total = statistics.median(t for _, t in runs)
            least = (requests - 1) // budget.calls * budget.window
            name = f"{fault_rate:.0%} faults, {concurrency} threads"
            print(
                f"| {name:<24} | {args.days:>4} | {requests:>8} | {total:>7.2f} "
                f"| {least:>7.2f} | {total / least if least else float('nan'):>5.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
