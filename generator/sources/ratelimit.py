"""A request budget shared by every thread, and the server's rate-limit headers.

Hugging Face allows 500 anonymous API calls per 5-minute window (fixed windows whose phase
a client cannot see). :class:`RequestBudget` keeps a client under any such limit without
knowing the phase: at most ``calls`` requests in any ``window`` seconds, counting a request
from the moment it is sent until ``window`` seconds after its response ended. Since the
server saw the request somewhere between those two moments, no window of the server's,
fixed or sliding, can ever hold more than ``calls`` of our requests.
"""

from __future__ import annotations

import collections
import email.utils
import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx


class BudgetClosed(RuntimeError):
    """The budget was closed (the run is stopping) while a request waited for a slot."""


class RequestBudget:
    """At most ``calls`` requests in any ``window`` seconds, shared by all threads."""

    def __init__(
        self, calls: int, window: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if calls < 1 or window <= 0:
            raise ValueError(f"a budget needs calls >= 1 and window > 0, got {calls}/{window}")
        self.calls = calls
        self.window = window
        self.sent = 0
        self._clock = clock
        self._finished: collections.deque[float] = collections.deque()
        self._in_flight = 0
        self._paused_until = 0.0
        self._closed = False
        self._cond = threading.Condition()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one request's place in the budget for as long as the request runs."""
        self._acquire()
        try:
            yield
        finally:
            with self._cond:
                self._in_flight -= 1
                self._finished.append(self._clock())
                self._cond.notify_all()

    def _acquire(self) -> None:
        with self._cond:
            while True:
                if self._closed:
                    raise BudgetClosed("the request budget was closed")
                now = self._clock()
                while self._finished and self._finished[0] <= now - self.window:
                    self._finished.popleft()
                if self._paused_until > now:
                    self._cond.wait(self._paused_until - now)
                elif len(self._finished) + self._in_flight < self.calls:
                    self._in_flight += 1
                    self.sent += 1
                    return
                elif self._finished:
                    self._cond.wait(self._finished[0] + self.window - now)
                else:  # every slot is a request still running: wait for one to end
                    self._cond.wait()

    def pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (the server said the quota is spent)."""
        with self._cond:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
            self._cond.notify_all()

    def tighten(self, calls: int, window: float) -> None:
        """Adopt a server policy where it is stricter than ours; never loosen."""
        with self._cond:
            self.calls = max(1, min(self.calls, calls))
            self.window = max(self.window, window)

    def close(self) -> None:
        """Wake every waiting thread with :class:`BudgetClosed` so a stopping run exits."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


@dataclass(frozen=True)
class RateLimitInfo:
    """What a response says about the quota; every part is optional."""

    remaining: int | None = None  # requests left in the server's window
    reset: float | None = None  # seconds until that window resets
    quota: int | None = None  # requests allowed per window (policy)
    window: float | None = None  # window length in seconds (policy)
    retry_after: float | None = None  # seconds, from Retry-After

    def wait_hint(self) -> float | None:
        """Seconds to send nothing, or None when the headers do not say."""
        hints = [h for h in (self.retry_after, self.reset if self.remaining == 0 else None) if h]
        return max(hints) if hints else None


_PARAM = re.compile(r'([A-Za-z][A-Za-z0-9_-]*)\s*=\s*("[^"]*"|[^;,\s]+)')


def _members(value: str) -> list[dict[str, str]]:
    """Split a structured-field list (``"a";r=1;t=2, "b";r=5``) into parameter maps.

    Older drafts send one dictionary (``limit=100, remaining=0, reset=30``); it is kept
    as a single member so its keys stay together.
    """
    if "remaining=" in value or "limit=" in value:
        parts = [value]
    else:
        parts = re.split(r',(?=(?:[^"]*"[^"]*")*[^"]*$)', value)
    members = []
    for part in parts:
        params = {k.lower(): v.strip('"') for k, v in _PARAM.findall(part)}
        bare = re.match(r"\s*(\d+)\s*(?:;|$)", part)  # draft-01 policy: "100;w=60"
        if bare and "q" not in params:
            params["q"] = bare.group(1)
        members.append(params)
    return members


def _number(params: dict[str, str], *keys: str) -> float | None:
    for key in keys:
        try:
            value = float(params[key])
        except (KeyError, ValueError):
            continue
        if math.isfinite(value) and value >= 0:
            return value
    return None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: either delay-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def parse_rate_limit(headers: httpx.Headers, *, now: float | None = None) -> RateLimitInfo:
    """Read ``RateLimit``, ``RateLimit-Policy`` and ``Retry-After`` (IETF httpapi drafts).

    With several policies listed, the most restrictive one counts: the fewest remaining
    calls, the latest reset, the smallest quota.
    """
    remaining = reset = quota = window = None
    for params in _members(headers.get("ratelimit", "")):
        left = _number(params, "r", "remaining")
        if left is None:
            continue
        wait = _number(params, "t", "reset")
        if remaining is None or left < remaining:
            remaining, reset = int(left), wait
        elif left == remaining and wait is not None:
            reset = max(reset or 0.0, wait)
    for params in _members(headers.get("ratelimit-policy", "")):
        q = _number(params, "q", "limit")
        if q is not None and (quota is None or q < quota):
            quota, window = int(q), _number(params, "w", "window")
    return RateLimitInfo(
        remaining=remaining,
        reset=reset,
        quota=quota,
        window=window,
        retry_after=parse_retry_after(headers.get("retry-after"), now=now),
    )
