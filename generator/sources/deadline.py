"""A whole-request deadline on top of httpx's per-operation timeouts.

httpx's timeouts bound connecting and each single read, so a server that trickles a byte
every few seconds can hold a request open for as long as it likes (encode/httpx#1450;
#776 points synchronous callers to streaming). Following that advice, the body is
streamed and a monotonic deadline is checked once the headers are in and after every
chunk. Each per-operation timeout (pool, connect, write, each read) is also capped at the
deadline, so once the body streams an attempt ends at most one read after its deadline, and
a server slow in every phase before the headers can stretch it to a few deadlines at worst:
bounded, however slowly the server sends, with no thread to interrupt from outside.
"""

from __future__ import annotations

import time
from typing import Any

import httpx


class DeadlineExceeded(httpx.TimeoutException):
    """The whole response did not arrive in time: a timeout like httpx's own, for retries."""


def get_within(
    http: httpx.Client, url: str, seconds: float, **kwargs: Any
) -> tuple[httpx.Response, bytes]:
    """GET ``url`` and read its whole (decoded) body within ``seconds``, or raise
    :class:`DeadlineExceeded`; httpx's own errors pass through unchanged.

    The returned response is closed; its body is the returned bytes.
    """
    deadline = time.monotonic() + seconds
    timeout = _capped(http.timeout, seconds)
    with http.stream("GET", url, timeout=timeout, **kwargs) as response:
        chunks = []
        _check(deadline, seconds, response.request)
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            _check(deadline, seconds, response.request)
    return response, b"".join(chunks)


def _check(deadline: float, seconds: float, request: httpx.Request) -> None:
    if time.monotonic() > deadline:
        raise DeadlineExceeded(
            f"the response was not complete within the {seconds:g} s deadline", request=request
        )


def _capped(timeout: httpx.Timeout, seconds: float) -> httpx.Timeout:
    def cap(value: float | None) -> float:
        return seconds if value is None else min(value, seconds)

    return httpx.Timeout(
        connect=cap(timeout.connect),
        read=cap(timeout.read),
        write=cap(timeout.write),
        pool=cap(timeout.pool),
    )
