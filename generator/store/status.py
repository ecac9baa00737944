"""``papers/status.json``: what fetch knows about each day, committed beside the papers.

It lets a reader tell "no papers that day" from "the fetch failed", and lets a backfill
resume where it stopped. One day per line, days in order, keys sorted: a run that learns
nothing new rewrites nothing, and a run that does shows up as a small, readable diff.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from generator.config import Paths
from generator.errors import ArchiveError
from generator.fsutil import write_if_changed

STATUS_NAME = "status.json"
FORMAT = 1


class DayState(Enum):
    COMPLETE = "complete"  # fetched, at least one item listed
    EMPTY = "empty"  # fetched, Daily Papers listed nothing that day
    FAILED = "failed"  # the last attempt failed; the next run retries it


@dataclass(frozen=True)
class DayStatus:
    day: dt.date
    state: DayState
    fetched: dt.date  # the (UTC) day of the run that last fetched it
    papers: int = 0  # valid papers listed that day
    skipped: int = 0  # items rejected (no id, no title, an invalid id)
    error: str | None = None  # why it failed, for FAILED

    @property
    def done(self) -> bool:
        return self.state is not DayState.FAILED


class StatusError(ArchiveError, ValueError):
    """The status file is unreadable; the message names the file and line."""


def days_to_heal(
    statuses: dict[dt.date, DayStatus], *, before: dt.date, today: dt.date, within: int
) -> list[dt.date]:
    """Failed and never-fetched days before ``before``, oldest first, so that a run after
    missed runs or a long outage closes the hole instead of leaving it for ever.

    Only days from the first one the file records count (a fresh archive has no hole, just
    no history), and only the last ``within`` days before ``today`` (a fork whose schedule
    was off for a year does not start a year's backfill unasked). Empty days are done.
    """
    if within <= 0 or not statuses:
        return []
    start = max(min(statuses), today - dt.timedelta(days=within))
    days = (start + dt.timedelta(days=n) for n in range((before - start).days))
    return [day for day in days if day not in statuses or not statuses[day].done]


def status_path(paths: Paths) -> Path:
    return paths.papers / STATUS_NAME


def load_status(paths: Paths) -> dict[dt.date, DayStatus]:
    """Every recorded day, in date order; an archive never fetched has none.

    This is the public read side: the site's status page renders from it.
    """
    path = status_path(paths)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StatusError(
            f"{path}:{exc.lineno}: not valid JSON: {exc.msg}", path=path, line=exc.lineno
        ) from None
    days = data.get("days") if isinstance(data, dict) else None
    if not isinstance(days, dict):
        raise StatusError(f'{path}: expected an object with a "days" mapping', path=path)
    out: dict[dt.date, DayStatus] = {}
    for key in sorted(days):
        try:
            status = _from_json(key, days[key])
        except (TypeError, ValueError, KeyError) as exc:
            line = _line_of(text, key)
            raise StatusError(f"{path}:{line}: day {key}: {exc}", path=path, line=line) from None
        out[status.day] = status
    return out


def save_status(paths: Paths, statuses: dict[dt.date, DayStatus]) -> bool:
    """Write the file if its content changed; returns whether it did."""
    lines = [
        f"    {json.dumps(day.isoformat())}: {json.dumps(_to_json(s), sort_keys=True)}"
        for day, s in sorted(statuses.items())
    ]
    days = "{\n" + ",\n".join(lines) + "\n  }" if lines else "{}"
    text = f'{{\n  "days": {days},\n  "format": {FORMAT}\n}}\n'
    return write_if_changed(status_path(paths), text, durable=True)


def _to_json(status: DayStatus) -> dict[str, Any]:
    out: dict[str, Any] = {
        "state": status.state.value,
        "fetched": status.fetched.isoformat(),
        "papers": status.papers,
    }
    if status.skipped:
        out["skipped"] = status.skipped
    if status.error:
        out["error"] = status.error
    return out


def _from_json(key: str, entry: Any) -> DayStatus:
    if not isinstance(entry, dict):
        raise TypeError("expected an object")
    papers, skipped = entry.get("papers", 0), entry.get("skipped", 0)
    counts = (papers, skipped)
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in counts):
        raise ValueError("papers and skipped must be whole numbers >= 0")
    error = entry.get("error")
    if error is not None and not isinstance(error, str):
        raise TypeError("error must be text")
    return DayStatus(
        day=dt.date.fromisoformat(key),
        state=DayState(entry["state"]),
        fetched=dt.date.fromisoformat(entry["fetched"]),
        papers=papers,
        skipped=skipped,
        error=error,
    )


def _line_of(text: str, key: str) -> int:
    index = text.find(json.dumps(key))
    return text.count("\n", 0, index) + 1 if index >= 0 else 1
