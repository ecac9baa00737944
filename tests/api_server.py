"""A real HTTP server on 127.0.0.1 that speaks the Daily Papers API, for tests and the bench.

It serves items from a dict (day -> list of items), pages them like Hugging Face
(``limit``/``p``), and can misbehave on purpose: a fixed answer for some days (a 500, a
truncated body), a request budget per fixed window answered with 429 and the IETF
``RateLimit``/``RateLimit-Policy`` headers plus ``Retry-After`` (and, with ``announce``,
the first two on every answer, as Hugging Face does), and random faults (500,
reset connections, responses slower than the client's timeout, truncated JSON). Random
faults never hit the same URL more than ``max_in_a_row`` times running, so a client with
enough retries always gets through, which is what makes "identical to a fault-free run"
testable.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import random
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

FAULT_KINDS = ("500", "reset", "slow", "cut", "badjson")


@dataclass
class Faults:
    rate: float = 0.1
    kinds: tuple[str, ...] = FAULT_KINDS
    max_in_a_row: int = 2
    seed: int = 1


@dataclass
class Budget:
    calls: int
    window: float


@dataclass
class Hit:
    at: float  # time.monotonic() when the request line was read
    date: str | None
    page: int | None
    status: int | str  # HTTP status, or the fault injected


@dataclass
class ApiServer:
    """Start with :meth:`start` (or as a context manager); ``url`` is the API base."""

    days: dict[str, list[Any]] = field(default_factory=dict)
    # day -> "500" | "cut" | "badjson" | "slow" | "reset" | "404" | "object" | "trickle":
    # always that
    broken: dict[str, str] = field(default_factory=dict)
    budget: Budget | None = None
    faults: Faults | None = None
    delay: float = 0.0  # seconds added to every answer (to make a run last)
    slow_seconds: float = 0.5  # how long a "slow" fault waits: set it past the client timeout
    day_delay: dict[str, float] = field(default_factory=dict)  # per-day extra delay
    trickle_interval: float = 0.02  # a "trickle" answer sends one body byte this often
    # which of the rate-limit headers a 429 carries
    limit_headers: tuple[str, ...] = ("RateLimit", "RateLimit-Policy", "Retry-After")
    announce: bool = False  # RateLimit and RateLimit-Policy on every answer, not only a 429
    hits: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(self.faults.seed if self.faults else 0)
        self._in_a_row: Counter[str] = Counter()
        self._windows: Counter[int] = Counter()
        self._t0 = time.monotonic()
        self._httpd: ThreadingHTTPServer | None = None

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> ApiServer:
        handler = _make_handler(self)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler, bind_and_activate=False)
        httpd.daemon_threads = True
        httpd.request_queue_size = 128
        httpd.allow_reuse_address = True
        httpd.server_bind()
        httpd.server_activate()
        httpd.handle_error = lambda request, address: None  # faults break sockets on purpose
        self._httpd = httpd
        threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
        self._t0 = time.monotonic()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/api"

    # -- statistics ------------------------------------------------------------------
    def statuses(self) -> Counter[int | str]:
        with self._lock:
            return Counter(h.status for h in self.hits)

    def max_in_any_window(self, window: float) -> int:
        """The most requests that arrived within any ``window`` seconds (sliding)."""
        times = sorted(h.at for h in self.hits)
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    # -- answering -------------------------------------------------------------------
    def _decide(self, key: str, date: str | None) -> tuple[str, dict[str, str]]:
        """What to do with a request: 'ok', '429' (with headers) or a fault kind."""
        now = time.monotonic()
        with self._lock:
            announced: dict[str, str] = {}
            if self.budget is not None:
                index = math.floor((now - self._t0) / self.budget.window)
                self._windows[index] += 1
                used = self._windows[index]
                reset = (index + 1) * self.budget.window - (now - self._t0)
                seconds = max(1, math.ceil(reset))
                headers = {
                    "RateLimit": f'"api";r={max(0, self.budget.calls - used)};t={seconds}',
                    "RateLimit-Policy": (
                        f'"fixed window";"api";q={self.budget.calls};'
                        f"w={math.ceil(self.budget.window)}"
                    ),
                    "Retry-After": str(seconds),
                }
                if used > self.budget.calls:
                    return "429", {k: v for k, v in headers.items() if k in self.limit_headers}
                if self.announce:
                    del headers["Retry-After"]
                    announced = headers
            if date in self.broken:
                return self.broken[date], {}
            faults = self.faults
            if (
                faults is not None
                and self._in_a_row[key] < faults.max_in_a_row
                and self._rng.random() < faults.rate
            ):
                self._in_a_row[key] += 1
                return self._rng.choice(faults.kinds), {}
            self._in_a_row[key] = 0
            return "ok", announced

    def _page(self, date: str | None, limit: int, page: int) -> bytes:
        items = self.days.get(date or "", [])
        return json.dumps(items[page * limit : (page + 1) * limit]).encode()

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)


def _make_handler(server: ApiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like the real API

        def log_message(self, *args: Any) -> None:
            pass

        def finish(self) -> None:
            with contextlib.suppress(OSError):
                super().finish()

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            arrived = time.monotonic()
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            date = query.get("date", [None])[0]
            try:
                limit = int(query.get("limit", ["50"])[0])
                page = int(query.get("p", ["0"])[0])
            except ValueError:
                self._send(400, b'{"error": "bad query"}')
                return
            if url.path != "/api/daily_papers":
                server._record(Hit(arrived, date, page, 404))
                self._send(404, b'{"error": "not found"}')
                return
            action, headers = server._decide(self.path, date)
            status = 200 if action == "ok" else int(action) if action.isdigit() else action
            server._record(Hit(arrived, date, page, status))
            delay = server.delay + server.day_delay.get(date or "", 0.0)
            if delay:
                time.sleep(delay)
            body = server._page(date, limit, page)
            try:
                getattr(self, f"_answer_{action}")(body, headers)
            except OSError:  # the client gave up first (a slow answer past its timeout)
                self.close_connection = True

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _answer_ok(self, body: bytes, headers: dict[str, str]) -> None:
            self._send(200, body, headers)

        def _answer_429(self, body: bytes, headers: dict[str, str]) -> None:
            self._send(429, b'{"error": "rate limited"}', headers)

        def _answer_500(self, body: bytes, headers: dict[str, str]) -> None:
            self._send(500, b'{"error": "internal"}')

        def _answer_404(self, body: bytes, headers: dict[str, str]) -> None:
            self._send(404, b'{"error": "not found"}')

        def _answer_object(self, body: bytes, headers: dict[str, str]) -> None:
            self._send(200, b'{"items": []}')

        def _answer_badjson(self, body: bytes, headers: dict[str, str]) -> None:
            """A complete HTTP response whose JSON stops half-way."""
            self._send(200, body[: max(1, len(body) // 2)])

        def _answer_cut(self, body: bytes, headers: dict[str, str]) -> None:
            """Promise the whole body, send half, hang up: an incomplete response."""
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

        def _answer_reset(self, body: bytes, headers: dict[str, str]) -> None:
            """Close with RST (SO_LINGER 0): the client sees 'connection reset by peer'."""
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()

        def _answer_trickle(self, body: bytes, headers: dict[str, str]) -> None:
            """Headers at once, then the body a byte at a time: every read is quick, the
            whole answer is not (a slow-drip server that per-read timeouts never catch)."""
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            for n in range(len(body)):
                time.sleep(server.trickle_interval)
                self.wfile.write(body[n : n + 1])
                self.wfile.flush()

        def _answer_slow(self, body: bytes, headers: dict[str, str]) -> None:
            time.sleep(server.slow_seconds)
            self._send(200, body)

    return Handler


# -- generated archives ----------------------------------------------------------------
def make_item(arxiv_id: str, day: dt.date, n: int, **paper: Any) -> dict[str, Any]:
    """An item shaped like the real API's, with every field the parser reads."""
    fields: dict[str, Any] = {
        "id": arxiv_id,
        "title": f"Paper {n} of {day}: a study of things",
        "authors": [{"name": f"Author {n}-{k}", "hidden": False} for k in range(3)],
        "publishedAt": f"{day - dt.timedelta(days=3)}T17:08:18.000Z",
        "submittedOnDailyAt": f"{day}T03:55:12.777Z",
        "summary": f"An abstract for paper {n}, listed on {day}.",
        "upvotes": (n * 7) % 50,
        "githubRepo": f"https://github.com/example/repo{n}",
        "githubStars": n,
        "ai_summary": "A machine summary.",
        "ai_keywords": ["things", "study"],
        "organization": {"name": "org", "fullname": "An Organization"},
        "submittedOnDailyBy": {"user": f"user{n}"},
    }
    fields.update(paper)
    return {
        "paper": fields,
        "numComments": n % 4,
        "thumbnail": f"https://cdn.example/{arxiv_id}.png",
    }


def generated_days(first: dt.date, count: int, *, seed: int = 7) -> dict[str, list[Any]]:
    """``count`` days of plausible listings: weekends mostly empty, some papers on two days,
    some items without ``submittedOnDailyAt`` (filed under the requested day)."""
    rng = random.Random(seed)
    days: dict[str, list[Any]] = {}
    previous: list[Any] = []
    serial = 0
    for offset in range(count):
        day = first + dt.timedelta(days=offset)
        weekend = day.weekday() >= 5
        size = rng.choice([0, 0, 1]) if weekend else rng.randint(1, 4)
        items = []
        for _ in range(size):
            serial += 1
            yymm = f"{day:%y%m}"
            item = make_item(f"{yymm}.{10000 + serial}", day, serial)
            if rng.random() < 0.1:
                del item["paper"]["submittedOnDailyAt"]
            items.append(item)
        if previous and items and rng.random() < 0.05:
            items.append(previous[0])  # listed again: must stay in its first day's folder
        days[day.isoformat()] = items
        previous = items or previous
    return days
