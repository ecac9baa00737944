"""The whole-request deadline: a server that sends headers and then trickles the body (each
read well within the per-read timeout) is given up on at the deadline, by the Daily Papers
client and by the arXiv client, against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from api_server import make_item
from click.testing import CliRunner
from fetch_helpers import FAST, snapshot
from test_enrich import FakeArxiv, arxiv_data

from generator.cli import cli
from generator.config import Paths
from generator.fetch import fetch_range
from generator.sources.arxiv import ArxivClient
from generator.store.archive import paper_path
from generator.store.paperfile import read_paper
from generator.store.status import DayState, load_status

TODAY = dt.date(2026, 3, 1)
DAY = dt.date(2026, 2, 27)  # one of the recent days, fetched again on every run
# Per-read timeout 0.2 s, a byte every 0.02 s: only the 0.3 s deadline can end an attempt.
SETTINGS = dataclasses.replace(FAST, timeout=0.2, deadline=0.3, retries=2)


def _items() -> list:
    return [make_item("2602.01234", DAY, 1), make_item("2602.01235", DAY, 2)]


def test_a_trickling_day_fails_at_the_deadline_after_its_retries(tmp_path, api):
    paths = Paths(tmp_path)
    good = api(days={f"{DAY}": _items()})
    first = fetch_range(paths, DAY, DAY, api_base=good.url, today=TODAY, settings=SETTINGS)
    assert not first.failed and len(good.hits) == 1  # a prompt answer: the deadline is no bother
    before = snapshot(paths.papers / "2026")
    assert len(before) == 2

    slow = api(days={f"{DAY}": _items()}, broken={f"{DAY}": "trickle"})
    whole_body = len(slow._page(f"{DAY}", 100, 0)) * slow.trickle_interval
    assert whole_body > 20  # seconds the trickle would take: far past any bound below
    started = time.monotonic()
    report = fetch_range(paths, DAY, DAY, api_base=slow.url, today=TODAY, settings=SETTINGS)
    elapsed = time.monotonic() - started

    attempts = SETTINGS.retries + 1
    assert len(slow.hits) == attempts
    # Each attempt ends at its deadline, plus at most one (capped) read and the backoffs.
    assert attempts * SETTINGS.deadline <= elapsed < attempts * 2 * SETTINGS.deadline + 0.5
    reason = report.failed[DAY]
    assert "0.3 s deadline" in reason and f"after {attempts} attempts" in reason
    assert "ReadTimeout" not in reason  # the per-read timeout never fired: the deadline did
    status = load_status(paths)[DAY]
    assert status.state is DayState.FAILED and status.error == reason
    assert status.papers == 2  # what the last good fetch found is kept
    assert snapshot(paths.papers / "2026") == before  # bytes and mtimes


def test_an_answer_within_the_deadline_is_unaffected(tmp_path, api):
    paths = Paths(tmp_path)
    server = api(days={f"{DAY}": _items()}, delay=0.15)  # half the deadline
    report = fetch_range(paths, DAY, DAY, api_base=server.url, today=TODAY, settings=SETTINGS)
    assert not report.failed and report.fetched == [DAY]
    assert len(server.hits) == 1  # no retry
    stored = read_paper(paper_path(paths.papers, "2602.01235", DAY))
    assert stored.title == _items()[1]["paper"]["title"]


def test_the_deadline_option_of_fetch(tmp_path, api):
    server = api(days={f"{DAY}": _items()}, broken={f"{DAY}": "trickle"})
    args = ["--root", str(tmp_path), "fetch", "--date", f"{DAY}", "--api", server.url]
    args += ["--no-enrich", "--no-progress", "--timeout", "0.2", "--retries", "0"]
    started = time.monotonic()
    result = CliRunner().invoke(cli, [*args, "--deadline", "0.25"])
    assert time.monotonic() - started < 3  # the whole trickle would take over 20 s
    assert result.exit_code == 1, result.output
    assert f"{DAY}: page 1: DeadlineExceeded" in result.output
    assert "0.25 s deadline" in result.output and len(server.hits) == 1

    bad = CliRunner().invoke(cli, [*args, "--deadline", "0"])
    assert bad.exit_code == 2 and "--deadline" in bad.output


# -- arXiv --------------------------------------------------------------------------------


@pytest.fixture
def trickling_arxiv() -> Iterator[tuple[str, FakeArxiv, list[str]]]:
    """arXiv's Atom feed, trickled a byte every 20 ms for the ids in ``slow``."""
    api = FakeArxiv()
    slow: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            ids = parse_qs(urlsplit(self.path).query)["id_list"][0].split(",")
            with api.lock:
                api.requests.append(ids)
            body = api.feed(ids)
            self.send_response(200)
            self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            step = 1 if set(ids) & set(slow) else len(body)
            try:
                for n in range(0, len(body), step):
                    if step == 1:
                        time.sleep(0.02)
                    self.wfile.write(body[n : n + step])
            except OSError:  # the client gave up
                self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api", api, slow
    server.shutdown()
    server.server_close()


def test_a_trickling_arxiv_batch_fails_at_the_deadline_and_the_next_batch_goes_on(
    trickling_arxiv, caplog
):
    base, api, slow = trickling_arxiv
    first, second = "2602.20001", "2602.20002"
    api.entries = {first: arxiv_data(), second: arxiv_data(version=5)}
    slow.append(first)
    caplog.set_level(logging.WARNING, logger="generator.sources.arxiv")
    started = time.monotonic()
    with ArxivClient(base, interval=0.01, timeout=0.2, deadline=0.3, batch_size=1) as client:
        result = client.lookup([first, second])
    elapsed = time.monotonic() - started

    assert len(api.feed([first])) * 0.02 > 20  # what the whole trickle would have taken
    assert 0.3 <= elapsed < 1.5
    assert [f.ids for f in result.failures] == [(first,)]
    assert result.failures[0].reason.startswith("timed out")
    assert "0.3 s deadline" in result.failures[0].reason
    assert list(result.records) == [second] and result.records[second].version == 5
    assert api.requests == [[first], [second]]
    assert f"batch of 1 ids ({first} ... {first}) failed" in caplog.text
