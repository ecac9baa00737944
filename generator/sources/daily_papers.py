"""The Hugging Face Daily Papers API: every page of one day, politely, despite the network.

Retries use ``tenacity`` (exponential backoff with jitter) rather than a loop of our own;
an attempt that outlasts its whole-request deadline (:mod:`generator.sources.deadline`) is
a timeout like any other. The pacing lives in
:class:`~generator.sources.ratelimit.RequestBudget`, which every attempt of every thread
goes through, so retries can never push us over the quota.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from typing import Any

import httpx
import tenacity

from generator.config import ClientSettings
from generator.errors import ArchiveError
from generator.sources.deadline import get_within
from generator.sources.ratelimit import RequestBudget, parse_rate_limit

log = logging.getLogger(__name__)

# A day never has anywhere near this many papers; a server that ignores ``p`` would.
MAX_PAGES = 50


class FetchError(ArchiveError):
    """A day that could not be fetched; the message says which page and why."""


class _Transient(Exception):
    """A failure worth another attempt (network, 5xx, 429, a cut-off body)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class _Cancelled(Exception):
    """The client was closed while a request waited to be retried."""


class _Backoff(tenacity.wait.wait_base):
    """Exponential backoff with jitter, but never shorter than the server asked for."""

    def __init__(self, settings: ClientSettings) -> None:
        self._exponential = tenacity.wait_exponential(
            multiplier=settings.backoff, max=settings.backoff_max
        ) + tenacity.wait_random(0, settings.backoff)

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        wait = self._exponential(retry_state)
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, _Transient) and error.retry_after:
            wait = max(wait, error.retry_after)
        return wait


class DailyPapersClient:
    """Thread-safe: one client (one connection pool, one budget) serves every worker.

    Pass ``client`` or ``transport`` to swap the HTTP layer (a proxy, a mirror, a test);
    the client owns and closes only an ``httpx.Client`` it created itself.
    """

    def __init__(
        self,
        api_base: str,
        settings: ClientSettings | None = None,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        budget: RequestBudget | None = None,
        max_connections: int = 8,
    ) -> None:
        self.settings = settings or ClientSettings()
        self.url = f"{api_base.rstrip('/')}/daily_papers"
        self.budget = budget or RequestBudget(
            self.settings.budget_calls, self.settings.budget_window
        )
        self._owns_http = client is None
        self._http = client or httpx.Client(
            transport=transport,
            timeout=self.settings.timeout,
            limits=httpx.Limits(max_connections=max_connections),
            headers={"User-Agent": "paper-archive"},
            follow_redirects=True,
        )
        self._closing = threading.Event()
        self._retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.settings.retries + 1),
            wait=_Backoff(self.settings),
            retry=tenacity.retry_if_exception_type(_Transient),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )

    def __enter__(self) -> DailyPapersClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop: waiting workers wake up and give up, then the pool is closed."""
        self._closing.set()
        self.budget.close()
        if self._owns_http:
            self._http.close()

    @property
    def requests_sent(self) -> int:
        return self.budget.sent

    def fetch_day(self, day: dt.date) -> list[Any]:
        """Every item listed on ``day``, page after page until a short page.

        Raises :class:`FetchError` (message without the day: the caller names it) once a
        page has failed every attempt, or at once for an answer that retrying cannot fix.
        """
        items: list[Any] = []
        limit = self.settings.page_limit
        for page in range(MAX_PAGES):
            params = {"date": day.isoformat(), "limit": str(limit), "p": str(page)}
            try:
                batch = self._retrying(self._get_page, params)
            except _Transient as exc:
                attempts = self.settings.retries + 1
                raise FetchError(f"page {page + 1}: {exc} (after {attempts} attempts)") from None
            except FetchError as exc:
                raise FetchError(f"page {page + 1}: {exc}") from None
            items.extend(batch)
            if len(batch) < limit:
                return items
        raise FetchError(f"more than {MAX_PAGES} pages of {limit}: the server ignores 'p'?")

    def _get_page(self, params: dict[str, str]) -> list[Any]:
        with self.budget.slot() as slot:
            try:
                response, body = get_within(
                    self._http, self.url, self.settings.deadline, params=params
                )
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise FetchError(f"bad API URL: {exc}") from None
            except (httpx.TransportError, httpx.DecodingError) as exc:
                raise _Transient(_describe(exc)) from None
            slot.refused = response.status_code == 429
        hint = self._heed_rate_limit(response)
        status = response.status_code
        if status == 429 or status >= 500:
            raise _Transient(f"HTTP {status} {response.reason_phrase}".rstrip(), hint)
        if status != 200:
            raise FetchError(f"HTTP {status} {response.reason_phrase}".rstrip())
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _Transient(f"response is not valid JSON (truncated?): {exc}") from None
        if not isinstance(data, list):
            raise FetchError(f"expected a JSON array of items, got {type(data).__name__}")
        return data

    def _heed_rate_limit(self, response: httpx.Response) -> float | None:
        """Keep every policy the server announces, stop sending while its quota is spent,
        and learn the limit from a 429 that announces none; returns the server's wait."""
        info = parse_rate_limit(response.headers)
        for policy in info.policies:
            self.budget.adopt(policy.key, policy.calls, policy.window)
        hint = self._longest_wait(info.wait_hint())
        if hint is not None and (response.status_code == 429 or info.remaining == 0):
            log.info("rate limited: sending nothing for %.1f s", hint)
            if response.status_code == 429 and not info.policies:
                self.budget.refused(hint)
            else:
                self.budget.pause(hint)
        return hint

    def _longest_wait(self, hint: float | None) -> float | None:
        """A server hint, capped at one budget window: a ``Retry-After`` of a day would
        otherwise hang a scheduled run until its job timeout; past the cap the remaining
        retries fail the day instead."""
        if hint is None:
            return None
        return min(hint, max(self.budget.longest_window, self.settings.backoff_max))

    def _sleep(self, seconds: float) -> None:
        if self._closing.wait(seconds):
            raise _Cancelled("client closed")

    def _log_retry(self, state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        params = state.args[0] if state.args else {}
        log.debug(
            "%s page %s: %s; retry %d in %.2f s",
            params.get("date"),
            params.get("p"),
            error,
            state.attempt_number,
            state.upcoming_sleep,
        )


def _describe(exc: httpx.HTTPError) -> str:
    """httpx timeouts often carry an empty message; the class name is the useful part."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
