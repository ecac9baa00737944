"""Fetch a range of Daily Papers days into ``papers/``: concurrent, resumable, crash-safe.

Days are downloaded by a few threads at once but written strictly in date order by this
thread alone, so "a paper listed on two days is kept in its first listing" holds whatever
order the responses arrive in; across runs (an earlier day that failed, fetched after a
later one) the file moves to the earlier day. A run killed at any moment leaves what an
uninterrupted run would have written for every day before the one it was on. Each day is
recorded in the status file only after all of its papers are written; a day not recorded
is simply fetched again, and rewriting the same data changes no byte.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sys
import time
from collections import deque
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from generator.config import ClientSettings, Paths
from generator.sources.daily_papers import DailyPapersClient, FetchError
from generator.sources.items import ItemError, parse_item
from generator.sources.ratelimit import CONFIGURED, Policy
from generator.store.archive import Outcome, finish_interrupted_moves, index_ids, upsert
from generator.store.lock import archive_lock
from generator.store.paperfile import PaperFileError
from generator.store.status import (
    DayState,
    DayStatus,
    days_to_heal,
    load_status,
    save_status,
)

log = logging.getLogger(__name__)

# The newest days are fetched again on every run: their upvotes and comments still move.
RECENT_DAYS = 3
# Saving the status file after every day would cost a sync per day in a long backfill;
# a day written but not yet recorded is merely fetched again after a crash.
STATUS_SAVE_INTERVAL = 1.0  # seconds
# fsutil.write_atomic's temp files: ".<name>.<random>.tmp"
_TEMP_FILE = re.compile(r"\..+\.[A-Za-z0-9_]+\.tmp")


@dataclass
class FetchReport:
    requested: int = 0  # days in the range
    resumed: int = 0  # days skipped as already complete
    healed: list[dt.date] = field(default_factory=list)  # earlier days added to the range
    fetched: list[dt.date] = field(default_factory=list)
    empty: list[dt.date] = field(default_factory=list)
    failed: dict[dt.date, str] = field(default_factory=dict)
    counts: dict[Outcome, int] = field(default_factory=lambda: {o: 0 for o in Outcome})
    skipped_items: list[str] = field(default_factory=list)
    requests: int = 0
    limits: dict[str, Policy] = field(default_factory=dict)  # followed besides --budget

    def summary(self) -> str:
        papers = ", ".join(f"{n} {o.value}" for o, n in self.counts.items())
        parts = [
            f"fetched {len(self.fetched)} of {self.requested} days"
            f" ({len(self.empty)} empty, {len(self.failed)} failed,"
            f" {self.resumed} already complete)",
            f"papers: {papers}",
            f"{len(self.skipped_items)} items skipped",
            f"{self.requests} requests",
        ]
        if self.limits:
            followed = ", ".join(
                f"{name} {p.calls} per {round(p.window, 1):g} s"
                for name, p in sorted(self.limits.items())
            )
            parts.append(f"rate limits followed: {followed}")
        # A day retried during a long outage may fail again: it is not healed then.
        again = [d for d in self.healed if d in self.failed]
        if again:
            days = ", ".join(d.isoformat() for d in again)
            parts.insert(
                1, f"{len(again)} earlier failed or never-fetched days failed again: {days}"
            )
        if healed := [d for d in self.healed if d not in self.failed]:
            days = ", ".join(d.isoformat() for d in healed)
            parts.insert(1, f"healed {len(healed)} earlier failed or never-fetched days: {days}")
        return "; ".join(parts)


def days_to_fetch(
    first: dt.date,
    last: dt.date,
    statuses: dict[dt.date, DayStatus],
    *,
    today: dt.date,
    refresh: bool = False,
) -> list[dt.date]:
    """The days of the range that still need a fetch, oldest first.

    A day recorded complete or empty is final unless it is one of the last
    :data:`RECENT_DAYS` days or ``refresh`` asks for everything; a failed day is retried.
    """
    recent = today - dt.timedelta(days=RECENT_DAYS - 1)
    wanted = []
    for offset in range((last - first).days + 1):
        day = first + dt.timedelta(days=offset)
        status = statuses.get(day)
        if refresh or status is None or not status.done or day >= recent:
            wanted.append(day)
    return wanted


def fetch_range(
    paths: Paths,
    first: dt.date,
    last: dt.date,
    *,
    api_base: str,
    today: dt.date,
    settings: ClientSettings | None = None,
    concurrency: int = 4,
    refresh: bool = False,
    progress: bool | None = None,
    transport: httpx.BaseTransport | None = None,
    heal_days: int = 0,
) -> FetchReport:
    """Fetch ``first``..``last`` (inclusive) and write every listed paper; with
    ``heal_days``, also the earlier days :func:`days_to_heal` finds.

    A day that fails (after retries) is reported in ``report.failed`` and recorded as
    failed; the other days still complete. ``progress`` None shows a progress bar only
    when stderr is a terminal.
    """
    with archive_lock(paths.root):
        remove_stale_temp_files(paths.papers)
        finish_interrupted_moves(paths.papers)
        statuses = load_status(paths)
        healed = days_to_heal(statuses, before=first, today=today, within=heal_days)
        days = healed + days_to_fetch(first, last, statuses, today=today, refresh=refresh)
        report = FetchReport(requested=(last - first).days + 1 + len(healed), healed=healed)
        report.resumed = report.requested - len(days)
        if not days:
            return report
        writer = _DayWriter(paths, statuses, report, today)
        with ExitStack() as stack:
            client = stack.enter_context(
                DailyPapersClient(
                    api_base, settings, transport=transport, max_connections=concurrency
                )
            )
            bar = stack.enter_context(_progress_bar(len(days), progress))
            stack.callback(writer.flush)
            results = stack.enter_context(closing(_fetch_days(client, days, concurrency)))
            for day, outcome in results:
                writer.write_day(day, outcome)
                papers = sum(report.counts.values())
                bar.set_postfix(papers=papers, failed=len(report.failed), refresh=False)
                bar.update(1)
            report.requests = client.requests_sent
            report.limits = {k: p for k, p in client.budget.policies.items() if k != CONFIGURED}
        return report


def _fetch_days(
    client: DailyPapersClient, days: list[dt.date], concurrency: int
) -> Generator[tuple[dt.date, list[Any] | FetchError], None, None]:
    """Download with ``concurrency`` threads; yield results in date order.

    Waiting on the oldest unfinished day (rather than on whichever finishes first) is
    what keeps writes in date order; later days keep downloading meanwhile.
    """
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="fetch")
    try:
        # Popped as they are yielded, so a long backfill does not keep every day in memory.
        pending: deque[tuple[dt.date, Future[list[Any]]]] = deque(
            (day, pool.submit(client.fetch_day, day)) for day in days
        )
        while pending:
            day, future = pending.popleft()
            try:
                yield day, future.result()
            except FetchError as exc:
                yield day, exc
    finally:
        # On an error or Ctrl-C: drop queued days, wake waiting workers, let running ones end.
        pool.shutdown(wait=False, cancel_futures=True)
        client.close()
        pool.shutdown(wait=True)


class _DayWriter:
    """Writes one day's papers, then records the day; always called in date order."""

    def __init__(
        self,
        paths: Paths,
        statuses: dict[dt.date, DayStatus],
        report: FetchReport,
        today: dt.date,
    ) -> None:
        self.paths = paths
        self.statuses = statuses
        self.report = report
        self.today = today
        # Built once: later days see the papers that earlier days of this run wrote.
        self.index: dict[str, Path] = index_ids(paths.papers)
        self._unsaved = False
        self._saved_at = time.monotonic()

    def write_day(self, day: dt.date, outcome: list[Any] | FetchError) -> None:
        if isinstance(outcome, FetchError):
            self._fail(day, str(outcome))
            return
        papers: set[str] = set()
        skipped = 0
        problems: list[str] = []
        for n, item in enumerate(outcome, start=1):
            try:
                paper = parse_item(item, fallback_listed=day, fetched=self.today)
            except ItemError as exc:
                message = f"{day}: item {n}: skipped: {exc}"
                log.warning(message)
                self.report.skipped_items.append(message)
                skipped += 1
                continue
            if paper.id in papers:
                continue
            papers.add(paper.id)
            try:
                result, path = upsert(self.paths.papers, paper, self.index.get(paper.id))
            except PaperFileError as exc:
                # A file a human broke is left alone, and the day stays failed until fixed.
                problems.append(f"not updating {self._relative(exc.path)}: {exc.message}")
                continue
            self.index[paper.id] = path  # a move to an earlier day changes it
            self.report.counts[result] += 1
        if problems:
            self._fail(day, "; ".join(problems))
            return
        state = DayState.COMPLETE if outcome else DayState.EMPTY
        self.report.fetched.append(day)
        if state is DayState.EMPTY:
            self.report.empty.append(day)
        self._record(DayStatus(day, state, self.today, papers=len(papers), skipped=skipped))

    def _relative(self, path: Path) -> str:
        """Paths in the committed status file are relative, the same on every machine."""
        try:
            return path.relative_to(self.paths.root).as_posix()
        except ValueError:
            return path.as_posix()

    def _fail(self, day: dt.date, message: str) -> None:
        log.error("%s: fetch failed: %s", day, message)
        self.report.failed[day] = message
        previous = self.statuses.get(day)
        papers = previous.papers if previous else 0
        self._record(DayStatus(day, DayState.FAILED, self.today, papers=papers, error=message))

    def _record(self, status: DayStatus) -> None:
        self.statuses[status.day] = status
        self._unsaved = True
        if time.monotonic() - self._saved_at >= STATUS_SAVE_INTERVAL:
            self.flush()

    def flush(self) -> None:
        """Save the status file if a day was recorded since the last save."""
        if self._unsaved:
            save_status(self.paths, self.statuses)
            self._unsaved = False
            self._saved_at = time.monotonic()


def remove_stale_temp_files(root: Path) -> int:
    """Delete temp files a killed run left behind; safe only while holding the lock."""
    removed = 0
    if not root.is_dir():
        return removed
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            if _TEMP_FILE.fullmatch(name):
                Path(dirpath, name).unlink(missing_ok=True)
                removed += 1
    if removed:
        log.info("removed %d temp files left by an interrupted run", removed)
    return removed


@contextmanager
def _progress_bar(total: int, enabled: bool | None) -> Iterator[tqdm]:
    """Days done/total, papers, failures and ETA on stderr; off unless stderr is a TTY.

    While the bar shows, log lines go through tqdm so warnings do not tear it.
    """
    show = sys.stderr.isatty() if enabled is None else enabled
    with ExitStack() as stack:
        if show:
            stack.enter_context(logging_redirect_tqdm())
        yield stack.enter_context(
            tqdm(
                total=total,
                unit="day",
                desc="fetch",
                file=sys.stderr,
                disable=not show,
                dynamic_ncols=True,
            )
        )
