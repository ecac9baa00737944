"""The repository's sample archive built into a scratch folder and served on 127.0.0.1 the
way GitHub Pages serves a project site: under a sub-path, with 404.html for missing pages.

The browser tests and the Lighthouse benchmark both look at every page type of it; the
sample lacks some (no annotation, no thumbnail, no topic large enough to split, no fetch
record), so :func:`build_every_page_type` adds them to the copy before building.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

from generator.build import build_site
from generator.config import Paths
from generator.site import pages, urls
from generator.site.structure import Archive
from generator.store.archive import load_archive
from generator.store.paperfile import render
from generator.store.status import DayState, DayStatus, save_status
from generator.topics import Taxonomy

REPO = Path(__file__).resolve().parents[1]
SUB_PATH = "/paper-archive/"
THUMBNAILS = pages.THUMBNAILS  # Hugging Face's folder, which card lists name once
TAG = "retrieval"


def sample_root(root: Path) -> Paths:
    """A scratch copy of the sample archive, the config and the hand-written pages."""
    shutil.copytree(REPO / "papers", root / "papers")
    shutil.copytree(
        REPO / "docs",
        root / "docs",
        ignore=lambda folder, names: (
            [n for n in names if n not in ("about.md", "annotate.md")]
            if Path(folder) == REPO / "docs"
            else []
        ),
    )
    for name in ("mkdocs.yml", "topics.yml"):
        shutil.copy(REPO / name, root / name)
    (root / "generator").symlink_to(REPO / "generator")  # theme and hook paths in mkdocs.yml
    return Paths(root)


def grouped(paths: Paths) -> Archive:
    return Archive.group(load_archive(paths.papers).papers, Taxonomy.load(paths.topics))


def build_every_page_type(paths: Paths, thumbnails: str = THUMBNAILS) -> dict[str, str]:
    """Adds an annotated, tagged paper, two papers with thumbnails (on the home page, in view)
    at ``thumbnails``<id>.png, a fetch record with an empty and a failed day, and builds with
    topics split by month from 8 papers; returns {page type: URL relative to the site root}."""
    papers = sorted(load_archive(paths.papers).papers, key=lambda p: p.listed)
    annotated, *others = papers[-3:]
    human = f"annotation:\n  tldr: A short human summary.\n  tags: [{TAG}]\n"
    annotated.path.write_text(render(annotated, human, "Notes by a reader.\n"))
    for p in others:
        with_thumb = dataclasses.replace(p, thumbnail=f"{thumbnails}{p.id}.png")
        p.path.write_text(render(with_thumb))
    last = papers[-1].listed
    save_status(
        paths,
        {
            last: DayStatus(last, DayState.COMPLETE, last, papers=1),
            last - dt.timedelta(days=1): DayStatus(last, DayState.EMPTY, last),
            last - dt.timedelta(days=2): DayStatus(last, DayState.FAILED, last, error="HTTP 500"),
        },
    )
    limit = pages.TOPIC_PAGE_LIMIT
    pages.TOPIC_PAGE_LIMIT = 8  # so that a sample topic is split by month
    try:
        build_site(paths)
    finally:
        pages.TOPIC_PAGE_LIMIT = limit
    archive = grouped(paths)
    topic = max(archive.by_topic, key=lambda slug: len(archive.by_topic[slug]))
    split = max((p.listed.year, p.listed.month) for p in archive.by_topic[topic])
    org = min(path.parent.name for path in paths.site.glob("orgs/*/index.html"))
    return {
        "home": urls.home().url,
        "day": urls.day(last).url,
        "month": urls.month(last.year, last.month).url,
        "year": urls.year(last.year).url,
        "days index": urls.days().url,
        "topics index": urls.topics().url,
        "topic": urls.topic(topic).url,
        "topic month": urls.topic_month(topic, *split).url,
        "tags index": urls.tags().url,
        "tag": urls.tag(TAG).url,
        "paper": urls.paper(annotated.id).url,
        "annotated": urls.annotated().url,
        "weeks index": urls.weeks().url,
        "week": urls.week(last).url,
        "orgs index": urls.orgs().url,
        "org": urls.org(org).url,
        "trends": urls.trends().url,
        "feeds": urls.feeds().url,
        "status": urls.status().url,
        "about": "about/",
        "annotate": urls.annotate().url,
        "404": "no/such/page/",
    }


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves site/ as GitHub Pages does, its 404.html for any missing path."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        page = Path(self.directory) / SUB_PATH.strip("/") / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def served_folder(site: Path) -> Path:
    """What the server serves: ``site`` is its SUB_PATH; other files may sit beside it."""
    return site.parent / "served"


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """``site`` on a real HTTP server on 127.0.0.1; yields the base URL (with the sub-path)."""
    served = served_folder(site)
    served.mkdir(exist_ok=True)
    (served / SUB_PATH.strip("/")).symlink_to(site)
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{SUB_PATH}"
    finally:
        server.shutdown()
        thread.join()
