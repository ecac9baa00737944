"""arXiv enrichment against a real HTTP server on 127.0.0.1 that speaks arXiv's Atom."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.config import Paths
from generator.enrich import enrich_archive
from generator.model import Paper
from generator.store.archive import Outcome, paper_path, upsert
from generator.store.paperfile import human_regions, read_paper, render, split

TODAY = dt.date(2026, 3, 10)
FETCHED = dt.date(2026, 3, 7)

HUMAN = """\
# A contributor's comment, kept as written
annotation:
  tldr: "Few-shot prompting makes LMMs competitive — even with CLIP ✓"
  tags: &t [in-context-learning, classification]
  topics: *t
  links:
    - {title: Notes, url: 'https://example.org/n?a=1&b=2'}
reviewed_by: someone   # a key fetch does not own
"""
NOTES = "\nNotes with a fake front matter line:\n\n---\nid: '9999.99999'\n---\n\n* ünïcödé\n"


# -- a fake arXiv API ---------------------------------------------------------------------


@dataclass
class Request:
    ids: list[str]
    max_results: int
    port: int
    arrived: float
    answered: float = 0.0


@dataclass
class FakeArxiv:
    entries: dict[str, dict] = field(default_factory=dict)
    faults: dict[int, str] = field(default_factory=dict)  # request number -> fault name
    requests: list[Request] = field(default_factory=list)
    open_connections: int = 0
    max_open: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    base: str = ""

    def feed(self, ids: list[str]) -> bytes:
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom"'
            ' xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
            ' xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
            f"  <link href={quoteattr('http://arxiv.org/api/query?id_list=' + ','.join(ids))}"
            ' rel="self" type="application/atom+xml"/>\n'
            '  <title type="html">ArXiv Query: id_list</title>\n'
            "  <id>http://arxiv.org/api/Yk4e0cBpnuUjq7kyUJNKn3nM0Ac</id>\n"
            "  <updated>2026-03-10T00:00:00-05:00</updated>\n"
            f"  <opensearch:totalResults>{len(ids)}</opensearch:totalResults>\n"
            "  <opensearch:startIndex>0</opensearch:startIndex>\n"
            f"  <opensearch:itemsPerPage>{len(ids)}</opensearch:itemsPerPage>\n"
        ]
        for paper_id in ids:
            data = self.entries.get(paper_id)
            parts.append(entry_xml(paper_id, data) if data else error_xml(paper_id))
        parts.append("</feed>\n")
        return "".join(parts).encode()


def entry_xml(paper_id: str, data: dict) -> str:
    """One entry laid out as arXiv's API User Manual documents it."""
    v = f"{paper_id}v{data['version']}"
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{v}</id>",
        f"    <updated>{data['updated']}</updated>",
        "    <published>2026-02-26T18:59:59Z</published>",
        f"    <title>Paper {paper_id}</title>",
        "    <summary>  An abstract\n  over two lines.\n</summary>",
        "    <author><name>Marco Garosi</name></author>",
    ]
    if data.get("doi"):
        lines.append(f"    <arxiv:doi>{escape(data['doi'])}</arxiv:doi>")
        doi_url = quoteattr("http://dx.doi.org/" + data["doi"])
        lines.append(f'    <link title="doi" href={doi_url} rel="related"/>')
    if data.get("comment"):
        lines.append(f"    <arxiv:comment>{escape(data['comment'])}</arxiv:comment>")
    if data.get("journal_ref"):
        lines.append(f"    <arxiv:journal_ref>{escape(data['journal_ref'])}</arxiv:journal_ref>")
    lines += [
        f'    <link href="http://arxiv.org/abs/{v}" rel="alternate" type="text/html"/>',
        f'    <link title="pdf" href="http://arxiv.org/pdf/{v}" rel="related"'
        ' type="application/pdf"/>',
        f'    <arxiv:primary_category term="{data["categories"][0]}"'
        ' scheme="http://arxiv.org/schemas/atom"/>',
    ]
    for term in data["categories"]:
        lines.append(f'    <category term="{term}" scheme="http://arxiv.org/schemas/atom"/>')
    lines.append("  </entry>")
    return "\n".join(lines) + "\n"


def error_xml(paper_id: str) -> str:
    anchor = f"http://arxiv.org/api/errors#incorrect_id_format_for_{paper_id}"
    return (
        "  <entry>\n"
        f"    <id>{anchor}</id>\n"
        "    <title>Error</title>\n"
        f"    <summary>incorrect id format for {paper_id}</summary>\n"
        "    <updated>2026-03-10T00:00:00-05:00</updated>\n"
        f'    <link href="{anchor}" rel="alternate" type="text/html"/>\n'
        "    <author><name>arXiv api core</name></author>\n"
        "  </entry>\n"
    )


def make_handler(api: FakeArxiv) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, so "one connection" is observable

        def setup(self) -> None:
            super().setup()
            with api.lock:
                api.open_connections += 1
                api.max_open = max(api.max_open, api.open_connections)

        def finish(self) -> None:
            with api.lock:
                api.open_connections -= 1
            super().finish()

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            ids = query.get("id_list", [""])[0].split(",")
            size = int(query.get("max_results", ["10"])[0])
            request = Request(ids, size, self.client_address[1], time.monotonic())
            with api.lock:
                api.requests.append(request)
                fault = api.faults.get(len(api.requests))
            if url.path != "/api/query":
                self.reply(404, b"not found", "text/plain")
            elif fault == "503":
                self.reply(503, b"Service Unavailable", "text/plain")
            elif fault == "html":
                self.reply(200, b"<html><body>Rate exceeded.", "text/html")
            elif fault == "empty":
                self.reply(200, api.feed([]), "application/atom+xml; charset=utf-8")
            else:
                if fault == "slow":
                    time.sleep(1.0)
                self.reply(200, api.feed(ids), "application/atom+xml; charset=utf-8")
            request.answered = time.monotonic()

        def reply(self, status: int, body: bytes, kind: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@pytest.fixture
def arxiv() -> Iterator[FakeArxiv]:
    api = FakeArxiv()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(api))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    api.base = f"http://127.0.0.1:{server.server_address[1]}/api"
    yield api
    server.shutdown()
    server.server_close()


# -- an archive on disk -------------------------------------------------------------------


def new_id(n: int) -> str:
    return f"2602.{20000 + n:05d}"


def write_paper(root: Path, paper_id: str, listed: dt.date = dt.date(2026, 3, 6), **extra) -> Path:
    paper = Paper(
        id=paper_id,
        title=f"Paper {paper_id}",
        listed=listed,
        authors=["Marco Garosi", "Elisa Ricci"],
        upvotes=10,
        fetched=FETCHED,
        **extra,
    )
    path = paper_path(root / "papers", paper_id, listed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(paper, HUMAN, NOTES), encoding="utf-8")
    return path


def arxiv_data(version: int = 3, **changes) -> dict:
    data = {
        "version": version,
        "updated": "2026-04-02T17:59:59Z",
        "categories": ["cs.CV", "cs.AI", "68T07", "I.2.10"],
        "comment": "Accepted at ICLR 2026.\n      Code: https://github.com/x/y",
        "journal_ref": "Proc. ICLR & Friends 2026",
        "doi": "10.48550/arXiv.2602.23229",
    }
    data.update(changes)
    return data


def run(root: Path, arxiv: FakeArxiv, **kwargs):
    kwargs.setdefault("interval", 0.05)
    kwargs.setdefault("timeout", 5.0)
    kwargs.setdefault("today", TODAY)
    return enrich_archive(Paths(root), api_base=arxiv.base, **kwargs)


def snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted((root / "papers").rglob("*.md"))}


# -- tests --------------------------------------------------------------------------------


def test_enrich_stores_arxiv_fields_and_keeps_human_bytes(tmp_path: Path, arxiv: FakeArxiv) -> None:
    path = write_paper(tmp_path, "2602.23229")
    arxiv.entries["2602.23229"] = arxiv_data()

    report = run(tmp_path, arxiv)

    assert report.enriched == ["2602.23229"] and not report.failed
    paper = read_paper(path)
    assert paper.categories == ["cs.CV", "cs.AI"]  # MSC and ACM classes are not categories
    assert paper.primary_category == "cs.CV"
    assert paper.arxiv_comment == "Accepted at ICLR 2026. Code: https://github.com/x/y"
    assert paper.journal_ref == "Proc. ICLR & Friends 2026"
    assert paper.doi == "10.48550/arXiv.2602.23229"
    assert paper.version == 3
    assert paper.updated == dt.date(2026, 4, 2)
    assert paper.enriched == TODAY
    assert paper.fetched == FETCHED  # enrichment is not news from Hugging Face
    assert paper.listed == dt.date(2026, 3, 6) and paper.upvotes == 10
    parts = split(path.read_text(encoding="utf-8"), path)
    assert human_regions(parts.front, path) == HUMAN
    assert parts.body == NOTES
    assert arxiv.requests[0].ids == ["2602.23229"]


def test_enrich_keeps_crlf_notes_and_every_other_human_byte(
    tmp_path: Path, arxiv: FakeArxiv
) -> None:
    """As a Windows editor leaves a file: CRLF, tabs, trailing blanks, no final newline."""
    path = write_paper(tmp_path, "2602.23229")
    machine = split(path.read_text(encoding="utf-8"), path).front.split("# A contributor")[0]
    human = (
        "annotation:  \r\n  tldr: 'Tabs\tand CRLF'\t# why\r\n  tags: [a]\r\n# after the block \r\n"
    )
    notes = (
        "Notes \t\r\n\r\n---\r\n```yaml\r\nannotation:\r\n  tldr: not this one\r\n```"
        "\r\n<!-- a comment -->\r\nno final newline  "
    )
    path.write_bytes(f"---\r\n{machine}{human}---\r\n{notes}".encode())
    path.chmod(0o640)
    arxiv.entries["2602.23229"] = arxiv_data()

    report = run(tmp_path, arxiv)

    assert report.enriched == ["2602.23229"]
    after = path.read_bytes().decode("utf-8")
    # The machine lines follow the file's own line ends (its opening line's).
    assert after.startswith("---\r\nid: '2602.23229'\r\n")
    assert "\n" not in after.split(human)[0].replace("\r\n", "")
    assert after.endswith(f"{human}---\r\n{notes}")
    assert read_paper(path).doi == "10.48550/arXiv.2602.23229"
    assert path.stat().st_mode & 0o777 == 0o640


def test_enrich_refuses_a_file_whose_human_part_it_cannot_keep(
    tmp_path: Path, arxiv: FakeArxiv
) -> None:
    """An indented front matter is valid YAML, but the re-emitted machine keys would not be."""
    path = write_paper(tmp_path, "2602.23229")
    parts = split(path.read_text(encoding="utf-8"), path)
    indented = "".join(" " + line for line in parts.front.splitlines(keepends=True))
    text = f"---\n{indented}---\n{parts.body}"
    path.write_text(text, encoding="utf-8")
    assert read_paper(path).tldr
    arxiv.entries["2602.23229"] = arxiv_data()

    report = run(tmp_path, arxiv)

    assert report.errors and str(path) in report.errors[0]
    assert "not rewriting" in report.errors[0]
    assert path.read_text(encoding="utf-8") == text


def test_a_refused_file_is_named_once_and_the_run_says_so(
    tmp_path: Path, arxiv: FakeArxiv, caplog: pytest.LogCaptureFixture
) -> None:
    """The error already names its file: prefixing the path again doubled it."""
    path = write_paper(tmp_path, "2602.23229")
    parts = split(path.read_text(encoding="utf-8"), path)
    indented = "".join(" " + line for line in parts.front.splitlines(keepends=True))
    path.write_text(f"---\n{indented}---\n{parts.body}", encoding="utf-8")
    arxiv.entries["2602.23229"] = arxiv_data()

    report = run(tmp_path, arxiv)

    (error,) = report.errors
    assert error.startswith(f"{path}: not rewriting") and error.count(str(path)) == 1
    logged = [r.getMessage() for r in caplog.records if "not enriched" in r.getMessage()]
    assert logged and all(m.count(str(path)) == 1 for m in logged)


def test_unchanged_recheck_writes_nothing_and_new_version_is_recorded(
    tmp_path: Path, arxiv: FakeArxiv
) -> None:
    path = write_paper(tmp_path, "2602.23229")
    arxiv.entries["2602.23229"] = arxiv_data()
    run(tmp_path, arxiv)
    before = snapshot(tmp_path)

    again = run(tmp_path, arxiv, today=TODAY + dt.timedelta(days=1))
    assert (again.enriched, again.refreshed, again.unchanged) == ([], [], 1)
    assert snapshot(tmp_path) == before

    later = TODAY + dt.timedelta(days=5)
    arxiv.entries["2602.23229"] = arxiv_data(version=4, updated="2026-04-20T09:00:00Z", doi="")
    report = run(tmp_path, arxiv, today=later)
    assert report.refreshed == ["2602.23229"]
    paper = read_paper(path)
    assert (paper.version, paper.updated, paper.enriched) == (4, dt.date(2026, 4, 20), later)
    assert paper.doi is None  # arXiv no longer gives one
    assert paper.listed == dt.date(2026, 3, 6) and paper.fetched == FETCHED
    parts = split(path.read_text(encoding="utf-8"), path)
    assert human_regions(parts.front, path) == HUMAN and parts.body == NOTES


def test_recheck_window_and_limit(tmp_path: Path, arxiv: FakeArxiv) -> None:
    old_day = TODAY - dt.timedelta(days=40)
    recent_day = TODAY - dt.timedelta(days=3)
    write_paper(tmp_path, new_id(1), old_day, enriched=old_day, version=1)
    write_paper(tmp_path, new_id(2), recent_day, enriched=recent_day, version=1)
    write_paper(tmp_path, new_id(3), old_day)  # never enriched: looked up whatever its age
    write_paper(tmp_path, new_id(4), recent_day)
    for n in range(1, 5):
        arxiv.entries[new_id(n)] = arxiv_data()

    run(tmp_path, arxiv, limit=3)
    # Unenriched first (newest listing first), then recent re-checks; the old one never.
    assert arxiv.requests[-1].ids == [new_id(4), new_id(3), new_id(2)]

    run(tmp_path, arxiv, recheck_days=0)
    assert len(arxiv.requests) == 1  # nothing left unenriched, re-checks turned off


def test_250_ids_take_three_paced_requests_over_one_connection(
    tmp_path: Path, arxiv: FakeArxiv
) -> None:
    ids = [new_id(n) for n in range(250)]
    for paper_id in ids:
        write_paper(tmp_path, paper_id)
        arxiv.entries[paper_id] = arxiv_data()

    report = run(tmp_path, arxiv, interval=0.3)

    assert len(report.enriched) == 250 and not report.failed
    assert [len(r.ids) for r in arxiv.requests] == [100, 100, 50]
    assert [r.max_results for r in arxiv.requests] == [100, 100, 50]
    assert sorted(i for r in arxiv.requests for i in r.ids) == sorted(ids)
    for before, after in zip(arxiv.requests, arxiv.requests[1:], strict=False):
        assert after.arrived - before.arrived >= 0.3  # arXiv's rule, measured at the server
    assert arxiv.max_open == 1
    assert len({r.port for r in arxiv.requests}) == 1


@pytest.mark.parametrize("fault", ["503", "slow", "html", "empty"])
def test_failed_batch_leaves_papers_unenriched_until_next_run(
    tmp_path: Path, arxiv: FakeArxiv, fault: str
) -> None:
    ids = [new_id(n) for n in range(150)]
    for paper_id in ids:
        write_paper(tmp_path, paper_id)
        arxiv.entries[paper_id] = arxiv_data()
    arxiv.faults[1] = fault
    before = snapshot(tmp_path)

    report = run(tmp_path, arxiv, timeout=0.3)

    assert report.failed and len(report.failures) == 1
    failed = set(report.failures[0].ids)
    assert len(failed) == 100 and len(report.enriched) == 50
    assert failed.isdisjoint(report.enriched)
    expected = {"503": "HTTP 503", "slow": "timed out", "html": "not XML", "empty": "empty feed"}[
        fault
    ]
    assert expected in report.failures[0].reason and expected in report.summary()
    for path, data in before.items():
        if path.stem in failed:
            assert path.read_bytes() == data
        else:
            assert read_paper(path).enriched == TODAY

    retry = run(tmp_path, arxiv, today=TODAY + dt.timedelta(days=1), recheck_days=0)
    assert sorted(retry.enriched) == sorted(failed) and not retry.failed
    assert all(read_paper(p).version == 3 for p in before)


def test_unknown_id_gets_an_error_entry_without_breaking_the_batch(
    tmp_path: Path, arxiv: FakeArxiv
) -> None:
    known, unknown = new_id(1), new_id(2)
    write_paper(tmp_path, known)
    unknown_path = write_paper(tmp_path, unknown)
    arxiv.entries[known] = arxiv_data()
    before = unknown_path.read_bytes()

    report = run(tmp_path, arxiv)

    assert report.enriched == [known] and report.missing == [unknown]
    assert not report.failed
    assert "1 unknown to arXiv (2602.20002)" in report.summary()
    # Only the day of the lookup is added, as the last machine field before ``fetched``.
    text = unknown_path.read_text(encoding="utf-8")
    assert text == before.decode().replace(
        "fetched: 2026-03-07\n", "arxiv_unknown: 2026-03-10\nfetched: 2026-03-07\n"
    )
    paper = read_paper(unknown_path)
    assert (paper.arxiv_unknown, paper.enriched, paper.fetched) == (TODAY, None, FETCHED)


def requested_on(arxiv: FakeArxiv, paper_id: str, days: dict[int, int]) -> list[int]:
    """The days (offsets) on which ``paper_id`` was asked for; ``days`` maps request -> day."""
    return [days[n] for n, r in enumerate(arxiv.requests) if paper_id in r.ids]


def test_unknown_id_is_retried_with_growing_waits_then_given_up(
    tmp_path: Path, arxiv: FakeArxiv
) -> None:
    unknown, known = new_id(1), new_id(2)
    unknown_path = write_paper(tmp_path, unknown, listed=TODAY)
    known_path = write_paper(tmp_path, known, listed=TODAY)
    arxiv.entries[known] = arxiv_data()
    day_of_request: dict[int, int] = {}
    last_bytes = unknown_path.read_bytes()
    for offset in range(101):
        today = TODAY + dt.timedelta(days=offset)
        seen = len(arxiv.requests)
        assert not run(tmp_path, arxiv, today=today).failed
        after_first = snapshot(tmp_path)
        assert not run(tmp_path, arxiv, today=today).failed
        assert snapshot(tmp_path) == after_first  # a second run on the same day writes nothing
        for n in range(seen, len(arxiv.requests)):
            day_of_request[n] = offset
        now = unknown_path.read_bytes()
        if offset in requested_on(arxiv, unknown, day_of_request):
            assert read_paper(unknown_path).arxiv_unknown == today
        else:
            assert now == last_bytes, offset  # nothing asked, nothing written
        last_bytes = now
        parts = split(now.decode(), unknown_path)
        assert human_regions(parts.front, unknown_path) == HUMAN and parts.body == NOTES

    # Waits of 1, 2, 4 ... days (at most 30) from the listing day; none after 90 days.
    assert requested_on(arxiv, unknown, day_of_request) == [0, 1, 2, 4, 8, 16, 32, 62]
    # The known paper keeps its re-check window (on every run), and is never marked unknown.
    assert requested_on(arxiv, known, day_of_request) == sorted(2 * list(range(30)))
    paper = read_paper(known_path)
    assert (paper.enriched, paper.arxiv_unknown, paper.version) == (TODAY, None, 3)
    gone = read_paper(unknown_path)
    assert (gone.arxiv_unknown, gone.enriched) == (TODAY + dt.timedelta(days=62), None)
    assert (gone.listed, gone.fetched, gone.upvotes) == (TODAY, FETCHED, 10)


def test_an_id_arxiv_announces_late_is_enriched_at_its_next_retry(
    tmp_path: Path, arxiv: FakeArxiv
) -> None:
    path = write_paper(tmp_path, "2602.23229", listed=TODAY)
    for offset in (0, 1, 2):
        run(tmp_path, arxiv, today=TODAY + dt.timedelta(days=offset))
    arxiv.entries["2602.23229"] = arxiv_data()  # announced on day 3
    assert run(tmp_path, arxiv, today=TODAY + dt.timedelta(days=3)).enriched == []
    assert len(arxiv.requests) == 3  # day 3 is not a retry day

    day4 = TODAY + dt.timedelta(days=4)
    report = run(tmp_path, arxiv, today=day4)

    assert report.enriched == ["2602.23229"] and not report.missing
    paper = read_paper(path)
    assert (paper.enriched, paper.arxiv_unknown, paper.version) == (day4, None, 3)
    assert "arxiv_unknown" not in path.read_text(encoding="utf-8")
    parts = split(path.read_text(encoding="utf-8"), path)
    assert human_regions(parts.front, path) == HUMAN and parts.body == NOTES
    before = snapshot(tmp_path)
    again = run(tmp_path, arxiv, today=day4 + dt.timedelta(days=1))  # now a plain re-check
    assert again.unchanged == 1 and len(arxiv.requests) == 5
    assert snapshot(tmp_path) == before


def test_a_failed_retry_of_an_unknown_id_is_repeated_on_the_next_run(
    tmp_path: Path, arxiv: FakeArxiv
) -> None:
    path = write_paper(tmp_path, new_id(1), listed=TODAY)
    run(tmp_path, arxiv)
    marked = path.read_bytes()
    assert read_paper(path).arxiv_unknown == TODAY

    day1 = TODAY + dt.timedelta(days=1)
    arxiv.faults[2] = "503"
    failed = run(tmp_path, arxiv, today=day1)
    assert failed.failed and not failed.missing
    assert path.read_bytes() == marked  # a failure is not an answer: nothing recorded

    retry = run(tmp_path, arxiv, today=day1)  # the very next run, same day
    assert [r.ids for r in arxiv.requests] == [[new_id(1)]] * 3
    assert retry.missing == [new_id(1)] and not retry.failed
    assert read_paper(path).arxiv_unknown == day1


def test_a_known_paper_missing_from_an_answer_is_not_marked_unknown(
    tmp_path: Path, arxiv: FakeArxiv
) -> None:
    day = TODAY - dt.timedelta(days=2)
    path = write_paper(tmp_path, new_id(1), day, enriched=day, version=1)
    before = path.read_bytes()

    report = run(tmp_path, arxiv)

    assert report.missing == [new_id(1)]
    assert path.read_bytes() == before
    run(tmp_path, arxiv)  # still re-checked on every run inside the window, as before
    assert len(arxiv.requests) == 2


def archive_for_ordering(root: Path) -> list[str]:
    """Papers in every state; returns the ids a run should ask for, in order."""

    def day(n: int) -> dt.date:
        return TODAY - dt.timedelta(days=n)

    write_paper(root, new_id(1), day(1))  # never looked up
    write_paper(root, new_id(2), day(20))  # never looked up, older
    write_paper(root, new_id(3), day(8), arxiv_unknown=day(4))  # due: waited 4 of 4 days
    write_paper(root, new_id(4), day(2), arxiv_unknown=day(1))  # due: waited 1 of 1 day
    write_paper(root, new_id(5), day(8), arxiv_unknown=day(2))  # waits 6 days, until day(-4)
    write_paper(root, new_id(6), day(95), arxiv_unknown=day(40))  # listed too long ago
    write_paper(root, new_id(7), day(0), enriched=day(0), version=1)  # re-check
    write_paper(root, new_id(8), day(3), enriched=day(3), version=1)  # re-check, older
    write_paper(root, new_id(9), day(40), enriched=day(40), version=1)  # too old to re-check
    return [new_id(n) for n in (1, 2, 4, 3, 7, 8)]


@pytest.mark.parametrize("limit", [None, 2, 3, 5])
def test_limit_takes_new_papers_then_due_retries_then_rechecks(
    tmp_path: Path, arxiv: FakeArxiv, limit: int | None
) -> None:
    order = archive_for_ordering(tmp_path)
    run(tmp_path, arxiv, limit=limit)
    assert [r.ids for r in arxiv.requests] == [order[:limit]]


def test_enrich_command(tmp_path: Path, arxiv: FakeArxiv) -> None:
    path = write_paper(tmp_path, "2602.23229")
    arxiv.entries["2602.23229"] = arxiv_data()
    arxiv.faults[1] = "503"
    runner = CliRunner()
    args = ["--root", str(tmp_path), "enrich"]
    env = {"PAPER_ARCHIVE_ARXIV_API": arxiv.base}

    failed = runner.invoke(cli, args, env=env)
    assert failed.exit_code == 1, failed.output
    assert "1 failed batches" in failed.output and read_paper(path).enriched is None

    ok = runner.invoke(cli, [*args, "--api", arxiv.base, "--limit", "1"], env={})
    assert ok.exit_code == 0, ok.output
    assert "1 enriched" in ok.output and read_paper(path).version == 3

    too_fast = runner.invoke(cli, [*args, "--interval", "0.5"], env=env)
    assert too_fast.exit_code == 2 and "--interval" in too_fast.output


def test_a_later_fetch_keeps_the_arxiv_fields(tmp_path: Path, arxiv: FakeArxiv) -> None:
    path = write_paper(tmp_path, "2602.23229")
    arxiv.entries["2602.23229"] = arxiv_data()
    run(tmp_path, arxiv)
    later = TODAY + dt.timedelta(days=1)
    fresh = Paper(id="2602.23229", title="Paper 2602.23229", listed=dt.date(2026, 3, 6), upvotes=42)
    fresh.fetched = later

    outcome, written = upsert(tmp_path / "papers", fresh, existing=path)

    assert outcome is Outcome.UPDATED and written == path
    paper = read_paper(path)
    assert (paper.upvotes, paper.fetched) == (42, later)
    assert (paper.version, paper.primary_category, paper.enriched) == (3, "cs.CV", TODAY)
    parts = split(path.read_text(encoding="utf-8"), path)
    assert human_regions(parts.front, path) == HUMAN and parts.body == NOTES


def test_fetch_enriches_what_it_fetched_and_never_fails_for_arxiv(tmp_path, api, arxiv):
    from test_fetch import items_for

    day, next_day = dt.date(2026, 3, 6), dt.date(2026, 3, 7)
    items = items_for(day, 2)
    server = api(days={day.isoformat(): items, next_day.isoformat(): items_for(next_day, 1, 3)})
    known, unknown = (item["paper"]["id"] for item in items)
    arxiv.entries[known] = arxiv_data()
    result = CliRunner().invoke(
        cli,
        ["--root", str(tmp_path), "fetch", "--date", f"{day}", "--api", server.url]
        + ["--arxiv-api", arxiv.base, "--no-progress"],
    )
    assert result.exit_code == 0, result.output
    assert [set(r.ids) for r in arxiv.requests] == [{known, unknown}]
    enriched = read_paper(paper_path(tmp_path / "papers", known, day))
    assert enriched.version == 3 and enriched.primary_category == "cs.CV"
    unknown_paper = read_paper(paper_path(tmp_path / "papers", unknown, day))
    assert unknown_paper.enriched is None and unknown_paper.arxiv_unknown is not None

    # arXiv down: the fetch still succeeds, and says the lookups will be retried.
    result = CliRunner().invoke(
        cli,
        ["--root", str(tmp_path), "fetch", "--date", f"{next_day}", "--api", server.url]
        + ["--arxiv-api", "http://127.0.0.1:9/api", "--no-progress"],
    )
    assert result.exit_code == 0, result.output
    assert "next run retries" in result.output
