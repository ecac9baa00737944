"""The header search in a real browser: Debian's chromium driven by Playwright.

The sample archive is built (generate, mkdocs, Pagefind) into a temporary folder and served
by a real HTTP server on 127.0.0.1 under a sub-path, as on a GitHub Pages project site.
Requests that leave 127.0.0.1 are blocked, so the test never reaches the internet.
Screenshots are saved in the test's temporary folder; the path is printed.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bench.browser import CHROMIUM, CHROMIUM_ARGS
from generator.build import build_site
from generator.config import Paths
from generator.site import search
from generator.site.structure import Archive
from generator.store.archive import load_archive
from generator.topics import Taxonomy

REPO = Path(__file__).resolve().parents[1]
SUB_PATH = "/paper-archive/"
QUERY = "reasoning"
TARGET = "2210.01293"  # ThinkSum: Probabilistic reasoning over sets ...


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module", params=["one bundle", "shards"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """The sample site, once as one Pagefind bundle and once forced into shards of at most
    12 pages (three or more bundles), which the browser must merge for results, facets and sorts."""
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(REPO / "papers", root / "papers")
    shutil.copytree(
        REPO / "docs",
        root / "docs",
        ignore=lambda folder, names: (
            [n for n in names if n not in ("about.md", "annotate.md", "assets")]
            if Path(folder) == REPO / "docs"
            else []
        ),
    )
    for name in ("mkdocs.yml", "topics.yml"):
        shutil.copy(REPO / name, root / name)
    (root / "generator").symlink_to(REPO / "generator")  # theme and hook paths in mkdocs.yml
    paths = Paths(root)
    sharded = request.param == "shards"
    old = os.environ.get(search.SHARD_PAGES_ENV)
    os.environ[search.SHARD_PAGES_ENV] = "12" if sharded else str(search.SHARD_PAGES)
    try:
        build_site(paths)
    finally:
        if old is None:
            del os.environ[search.SHARD_PAGES_ENV]
        else:
            os.environ[search.SHARD_PAGES_ENV] = old
    extra = sorted(p.name for p in paths.site.glob("pagefind-*"))
    assert extra == [f"pagefind-{n}" for n in range(2, len(extra) + 2)]
    assert len(extra) >= 2 if sharded else not extra
    return paths


@pytest.fixture(scope="module")
def base_url(built: Paths) -> Iterator[str]:
    served = built.root / "served"
    served.mkdir()
    (served / SUB_PATH.strip("/")).symlink_to(built.site)
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{SUB_PATH}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.is_file(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots: {folder}")
    return folder


def _open(browser: Browser, url: str, scheme: str) -> tuple[Page, list[str], list[str]]:
    """A page that only talks to 127.0.0.1; records failed local requests and all URLs."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    failures: list[str] = []
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.route(
        re.compile(r"^(?!http://127\.0\.0\.1[:/]).*"),
        lambda route: route.abort(),
    )
    page.on(
        "response",
        lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("pageerror", lambda exc: failures.append(f"script error: {exc}"))
    page.goto(url)
    return page, failures, requested


def _search(page: Page, query: str) -> None:
    box = page.locator(".pa-search .pagefind-ui__search-input")
    box.click()
    box.press_sequentially(query, delay=20)
    expect(page.locator(".pagefind-ui__message")).to_contain_text(f"for {query}", timeout=15_000)


def _result_ids(page: Page) -> list[str]:
    hrefs = page.locator(".pagefind-ui__result-link").evaluate_all("els => els.map(e => e.href)")
    return [re.search(r"/papers/([^/]+)/$", h).group(1) for h in hrefs]


def _count(page: Page) -> int:
    """The result count the UI announces (only the first page of results is shown)."""
    message = page.locator(".pagefind-ui__message").inner_text()
    return int(re.match(r"(\d+) results? for", message).group(1))


def _archive(paths: Paths) -> Archive:
    return Archive.group(load_archive(paths.papers).papers, Taxonomy.load(paths.topics))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_header_search_facet_and_click_through(
    browser: Browser, base_url: str, built: Paths, shots: Path, scheme: str
) -> None:
    archive = _archive(built)
    target = next(p for p in archive.papers if p.id == TARGET)
    topic = archive.taxonomy.by_slug[archive.topics_of[TARGET][0]]
    in_topic = {p.id for p in archive.by_topic[topic.slug]}

    page, failures, requested = _open(browser, base_url, scheme)
    assert page.locator("body").get_attribute("data-md-color-scheme") == (
        "slate" if scheme == "dark" else "default"
    )
    _search(page, QUERY)
    page.locator(".pagefind-ui__result-link", has_text=target.title).wait_for()
    unfiltered = _result_ids(page)
    unfiltered_count = _count(page)
    assert TARGET in unfiltered
    assert all(
        f"{SUB_PATH}papers/" in h
        for h in page.locator(".pagefind-ui__result-link").evaluate_all(
            "els => els.map(e => new URL(e.href).pathname)"
        )
    )
    excerpt = page.locator(".pagefind-ui__result", has_text=target.title).locator("mark").first
    expect(excerpt).to_have_text(re.compile(QUERY, re.I))
    date_tag = page.locator(".pagefind-ui__result", has_text=target.title).locator(
        ".pagefind-ui__result-tag"
    )
    expect(date_tag).to_contain_text(target.listed.isoformat())
    page.screenshot(path=shots / f"results-{scheme}.png")

    # Facets load on demand: none of the filter index came with the query.
    assert not [u for u in requested if u.endswith(".pf_filter")]
    page.locator(".pa-search__facets").click()
    page.locator(".pagefind-ui__filter-name", has_text="Topic").click()
    assert [u for u in requested if u.endswith(".pf_filter")]
    page.locator(f'.pagefind-ui__filter-checkbox[name="topic"][value="{topic.name}"]').check()
    expect(page.locator(".pagefind-ui__message")).not_to_have_text(
        re.compile(rf"^{unfiltered_count} result"), timeout=10_000
    )
    page.wait_for_timeout(300)
    filtered = _result_ids(page)
    assert TARGET in filtered
    assert set(filtered) <= in_topic
    assert _count(page) < unfiltered_count
    page.screenshot(path=shots / f"facet-{scheme}.png")

    # Click through to the paper page.
    page.locator(".pagefind-ui__result-link", has_text=target.title).click()
    page.wait_for_url(f"{base_url}papers/{TARGET}/")
    expect(page.locator("article h1")).to_have_text(target.title)
    expect(page.locator(".pa-paper__meta time").last).to_have_text(target.listed.isoformat())
    expect(page.locator(".pa-search .pagefind-ui__search-input")).to_be_visible()
    assert page.locator(".md-sidebar, .md-tabs").count() == 0  # a paper page is lean
    # The BibTeX entry carries Material's copy button.
    expect(page.locator(".pa-bibtex .md-code__button")).to_have_count(1)
    assert f"eprint = {{{target.id}}}" in page.locator(".pa-bibtex code").inner_text()
    page.screenshot(path=shots / f"paper-{scheme}.png", full_page=True)
    assert failures == []


def _all_result_ids(page: Page) -> list[str]:
    """Every result, not only the first page: "Load more results" until it is gone."""
    more = page.locator(".pagefind-ui__button")
    total = _count(page)
    page.wait_for_function(  # results render a few at a time, the button after them
        "n => document.querySelectorAll('.pagefind-ui__result-link').length == n"
        " || document.querySelector('.pagefind-ui__button')",
        arg=total,
    )
    while more.count():
        shown = page.locator(".pagefind-ui__result-link").count()
        more.click()
        page.wait_for_function(
            "n => document.querySelectorAll('.pagefind-ui__result-link').length > n", arg=shown
        )
    expect(page.locator(".pagefind-ui__result-link")).to_have_count(total)
    return _result_ids(page)


def _resorted(page: Page, value: str, before: list[str]) -> None:
    page.select_option(".pa-search__sort", value)
    page.wait_for_function(
        "ids => { const now = [...document.querySelectorAll('.pagefind-ui__result-link')]"
        ".map(e => e.href.split('/').slice(-2)[0]); return now.length && now.join() !== ids }",
        arg=",".join(before),
        timeout=10_000,
    )


def test_sorts_order_every_match_across_bundles(
    browser: Browser, base_url: str, built: Paths
) -> None:
    """Newest and most upvoted order all matches (from every shard), not one page of them;
    the sort keys are fetched by the first sorted search, never by a best-match one."""
    archive = _archive(built)
    key = {p.id: (p.listed, p.upvotes or 0) for p in archive.papers}
    page, failures, requested = _open(browser, f"{base_url}days/", "light")
    _search(page, QUERY)
    matches = _all_result_ids(page)
    assert len(matches) > 8 and TARGET in matches  # more than one page of results
    assert not [u for u in requested if "/sort-keys." in u]

    _resorted(page, "date", matches)
    by_date = _all_result_ids(page)
    assert sorted(by_date) == sorted(matches)
    assert [key[i] for i in by_date] == sorted((key[i] for i in matches), reverse=True)
    assert len([u for u in requested if "/sort-keys." in u]) == 1

    _resorted(page, "upvotes", by_date)
    by_votes = _all_result_ids(page)
    assert sorted(by_votes) == sorted(matches)
    votes_first = [(key[i][1], key[i][0]) for i in by_votes]
    assert votes_first == sorted(votes_first, reverse=True)
    assert page.locator(".pagefind-ui__result-tag", has_text="upvotes").count() == 0
    assert len([u for u in requested if "/sort-keys." in u]) == 1  # fetched once
    assert failures == []


def test_sort_keys_list_every_paper_newest_first(built: Paths) -> None:
    """The file the browser sorts by: every paper page once, by (listed, upvotes) descending,
    with its upvotes, each id naming a fragment Pagefind wrote for that paper."""
    archive = _archive(built)
    bundles_js = (built.site / search.BUNDLES_JS).read_text()
    keys_path = json.loads(re.search(r"sortKeys = (.+);", bundles_js).group(1))
    keys = json.loads((built.site / keys_path).read_text())
    fragments = {f.stem: f for f in built.site.glob("pagefind*/fragment/*.pf_fragment")}
    paper_of = {}
    for fragment_id in keys["ids"]:
        text = gzip.decompress(fragments[fragment_id].read_bytes()).removeprefix(b"pagefind_dcd")
        paper_of[fragment_id] = json.loads(text)["url"].strip("/").split("/")[-1]
    ids = [paper_of[f] for f in keys["ids"]]
    assert sorted(ids) == sorted(p.id for p in archive.papers)
    by = {p.id: p for p in archive.papers}
    assert keys["upvotes"] == [by[i].upvotes or 0 for i in ids]
    order = [(by[i].listed, by[i].upvotes or 0) for i in ids]
    assert order == sorted(order, reverse=True)
