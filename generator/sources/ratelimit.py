"""A request budget shared by every thread, and the server's rate-limit headers.

Hugging Face allows 500 anonymous API calls per 5-minute window (fixed windows whose phase
a client cannot see). :class:`RequestBudget` keeps a client under any such limit without
knowing the phase: at most ``calls`` requests in any ``window`` seconds, counting a request
from the moment it is sent until ``window`` seconds after its response ended. Since the
server saw the request somewhere between those two moments, no window of the server's,
fixed or sliding, can ever hold more than ``calls`` of our requests. Every policy known
(the configured one, each the server announces, one its bare 429s imply) is kept that way
on its own, and a request goes only when all of them allow it.
"""

from __future__ import annotations

import bisect
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


CONFIGURED = "configured"  # the key of the policy the user configured
INFERRED = "learnt from 429s"  # the key of the policy learnt from 429s that announced none
# Retry-After in delay-seconds is rounded to whole seconds; a window measured between two
# of them may come out this much short.
_ROUNDING = 1.0


@dataclass(frozen=True)
class Policy:
    """At most ``calls`` requests in any ``window`` seconds."""

    calls: int
    window: float


class _Slot:
    refused = False  # set when the server answered 429: not a call it accepted

    def __init__(self, sent_at: float) -> None:
        self.sent_at = sent_at  # when it got its place: which server window it fell in


class RequestBudget:
    """Every known policy at once, shared by all threads: a request waits until each allows it.

    The policies are the configured one and each the server announced (keyed by its name,
    so a policy announced again replaces its earlier self) or that its 429s imply. Each is
    a quota with its own window; one policy's quota is never paired with another's window.
    """

    def __init__(
        self, calls: int, window: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if calls < 1 or window <= 0:
            raise ValueError(f"a budget needs calls >= 1 and window > 0, got {calls}/{window}")
        self.sent = 0
        self._policies: dict[str, Policy] = {CONFIGURED: Policy(calls, window)}
        self._clock = clock
        self._finished: list[float] = []  # when each request ended, oldest first
        self._in_flight = 0
        self._paused_until = 0.0
        self._closed = False
        self._cond = threading.Condition()
        # What 429s without a policy teach: when the server's window resets, and how many
        # calls sent since the previous reset it accepted. A call counts by when it was
        # sent, not when its answer came: one sent before a 429 and answered after it
        # belongs to the window that 429 closed.
        self._reset_at: float | None = None
        self._accepted = 0
        self._learnt_from: tuple[float, float] | None = None  # sends the learnt limit counts

    @property
    def policies(self) -> dict[str, Policy]:
        """Every policy followed, by key: :data:`CONFIGURED`, each announced one's
        :attr:`AnnouncedPolicy.key`, :data:`INFERRED`. The fetch summary names them, so a
        reader sees which limit paced a run (a learnt one may be stricter than the server's)."""
        with self._cond:
            return dict(self._policies)

    @property
    def longest_window(self) -> float:
        with self._cond:
            return self._longest_window()

    def _longest_window(self) -> float:
        return max(p.window for p in self._policies.values())

    @contextmanager
    def slot(self) -> Iterator[_Slot]:
        """Hold one request's place in every policy for as long as the request runs;
        set ``refused`` on the yielded slot when the server answered 429."""
        slot = _Slot(self._acquire())
        try:
            yield slot
        finally:
            with self._cond:
                self._in_flight -= 1
                self._finished.append(self._clock())
                if not slot.refused:
                    self._count_accepted(slot.sent_at)
                self._cond.notify_all()

    def _count_accepted(self, sent_at: float) -> None:
        if self._reset_at is None or sent_at >= self._reset_at:
            self._accepted += 1
        elif self._learnt_from is not None and INFERRED in self._policies:
            start, end = self._learnt_from
            if start <= sent_at < end:  # answered after the 429 that closed its window
                learnt = self._policies[INFERRED]
                self._policies[INFERRED] = Policy(learnt.calls + 1, learnt.window)

    def _wait(self, now: float) -> float:
        """Seconds until every policy allows one more request (inf: until one ends)."""
        horizon = bisect.bisect_right(self._finished, now - self._longest_window())
        del self._finished[:horizon]
        wait = max(0.0, self._paused_until - now)
        for policy in self._policies.values():
            if self._in_flight >= policy.calls:
                return math.inf
            start = bisect.bisect_right(self._finished, now - policy.window)
            over = len(self._finished) - start + self._in_flight - policy.calls
            if over >= 0:  # the oldest ``over + 1`` of its window must age out first
                wait = max(wait, self._finished[start + over] + policy.window - now)
        return wait

    def _acquire(self) -> float:
        """Wait for a place; return when it was given."""
        with self._cond:
            while True:
                if self._closed:
                    raise BudgetClosed("the request budget was closed")
                now = self._clock()
                wait = self._wait(now)
                if wait <= 0:
                    self._in_flight += 1
                    self.sent += 1
                    return now
                self._cond.wait(None if math.isinf(wait) else wait)

    def pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (the server said the quota is spent)."""
        with self._cond:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
            self._cond.notify_all()

    def adopt(self, name: str, calls: int, window: float) -> None:
        """Keep a policy the server announced, beside every other; never the configured."""
        if name == CONFIGURED or calls < 1 or window <= 0:
            return
        with self._cond:
            self._policies[name] = Policy(calls, window)
            self._cond.notify_all()

    def refused(self, seconds: float) -> None:
        """A 429 that announced no policy, with the server's wait: pause, and learn the
        limit it implies once it has been measured over one whole server window.

        The first 429 only tells when the server's window resets: the calls accepted
        before it say nothing of the quota, since an earlier run (or another client of the
        same address) may have spent most of it, and a limit learnt from them could be far
        too strict with no later 429 to correct it. From that reset to the reset the next
        429 announces is one whole window: the calls accepted in it are the quota.
        """
        with self._cond:
            now = self._clock()
            reset = now + seconds
            self._paused_until = max(self._paused_until, reset)
            self._cond.notify_all()
            if self._reset_at is not None and now < self._reset_at:
                return  # another answer from the window already learnt from
            if self._reset_at is not None and self._accepted >= 1:
                window = reset - self._reset_at + _ROUNDING
                self._policies[INFERRED] = Policy(self._accepted, window)
                self._learnt_from = (self._reset_at, now)
            self._reset_at = reset
            self._accepted = 0

    def close(self) -> None:
        """Wake every waiting thread with :class:`BudgetClosed` so a stopping run exits."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


@dataclass(frozen=True)
class AnnouncedPolicy:
    """One member of ``RateLimit-Policy``; ``name`` is None in drafts that had none."""

    name: str | None
    calls: int
    window: float

    @property
    def key(self) -> str:
        """What names it in the budget: a policy announced again replaces its earlier self."""
        return (
            f"server {self.name!r}"
            if self.name is not None
            else f"server {self.calls}/{self.window:g}"
        )


@dataclass(frozen=True)
class RateLimitInfo:
    """What a response says about the quota; every part is optional."""

    remaining: int | None = None  # requests left in the server's window
    reset: float | None = None  # seconds until that window resets
    policies: tuple[AnnouncedPolicy, ...] = ()  # every policy announced, in header order
    retry_after: float | None = None  # seconds, from Retry-After

    def wait_hint(self) -> float | None:
        """Seconds to send nothing, or None when the headers do not say."""
        hints = [h for h in (self.retry_after, self.reset if self.remaining == 0 else None) if h]
        return max(hints) if hints else None


_BARE_STRING = re.compile(r'(?:^|;)\s*"([^"]*)"')
_NAME = " name"  # cannot clash with a parameter key
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
        # The name is the member's last bare string: HF sends '"fixed window";"api";q=..'
        # and names the same policy "api" in RateLimit.
        names = _BARE_STRING.findall(part)
        if names:
            params[_NAME] = names[-1]
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

    Every policy is returned, each with its own quota and window. Of the ``RateLimit``
    members, the most restrictive counts: the fewest remaining calls, the latest reset.
    """
    remaining = reset = None
    for params in _members(headers.get("ratelimit", "")):
        left = _number(params, "r", "remaining")
        if left is None:
            continue
        wait = _number(params, "t", "reset")
        if remaining is None or left < remaining:
            remaining, reset = int(left), wait
        elif left == remaining and wait is not None:
            reset = max(reset or 0.0, wait)
    policies = []
    for params in _members(headers.get("ratelimit-policy", "")):
        quota, window = _number(params, "q", "limit"), _number(params, "w", "window")
        if quota is not None and quota >= 1 and window:
            policies.append(AnnouncedPolicy(params.get(_NAME), int(quota), window))
    return RateLimitInfo(
        remaining=remaining,
        reset=reset,
        policies=tuple(policies),
        retry_after=parse_retry_after(headers.get("retry-after"), now=now),
    )
