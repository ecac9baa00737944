"""The header search in a real browser: Debian's chromium driven by Playwright.

The sample archive is built (generate, mkdocs, Pagefind) into a temporary folder and served
by a real HTTP server on 127.0.0.1 under a sub-path, as on a GitHub Pages project site.
Requests that leave 127.0.0.1 are blocked, so the test never reaches the internet.
Screenshots are saved in the test's temporary folder; the path is printed.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from bench.browser import OFF_SITE
from bench.sample_site import (
    SUB_PATH,
    grouped,
    sample_root,
    serve,
)
from generator.build import build_site
from generator.config import Paths
from generator.site import search

REPO = Path(__file__).resolve().parents[1]
QUERY = "reasoning"
TARGET = "2210.01293"  # ThinkSum: Probabilistic reasoning over sets ...
# arXiv primary categories given to the sample (which was never enriched): cs.CL for the rest.
CATEGORIES = {"2311.01282": "cs.AR", "2409.17870": "cs.AR", "2507.22853": "cs.SE"}


@pytest.fixture(scope="module", params=["one bundle", "shards"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """The sample site, once as one Pagefind bundle and once forced into bundles per period
    of at most 12 pages (one per listing year, 2024 and 2025 in months), of which the first
    search covers the newest holding 3 pages; the browser must merge the older ones on
    request for results, facets and sorts."""
    paths = sample_root(tmp_path_factory.mktemp("site"))
    root = paths.root
    for file in (root / "papers").glob("*/*/*/*.md"):
        category = CATEGORIES.get(file.stem, "cs.CL")
        text = file.read_text(encoding="utf-8")
        file.write_text(text.replace("\nfetched:", f"\nprimary_category: {category}\nfetched:"))
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
    extra = list(paths.site.glob("pagefind-*"))
    assert len(extra) >= 4 if sharded else not extra
    return paths


@pytest.fixture(scope="module")
def base_url(built: Paths) -> Iterator[str]:
    with serve(built.site) as url:
        yield url


def _open(
    browser: Browser, url: str, scheme: str, width: int = 1280
) -> tuple[Page, list[str], list[str]]:
    """A page that only talks to 127.0.0.1; records failed local requests and all URLs."""
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    failures: list[str] = []
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.route(
        OFF_SITE,
        lambda route: route.abort(),
    )
    page.on(
        "response",
        lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("pageerror", lambda exc: failures.append(f"script error: {exc}"))
    page.goto(url)
    return page, failures, requested


def _search(page: Page, query: str, everything: bool = True) -> None:
    """Type ``query``; with ``everything``, also search every older period of the archive
    (the "Search older papers too" button, shown while a period is left)."""
    box = page.locator(".pa-search .pagefind-ui__search-input")
    box.click()
    box.press_sequentially(query, delay=20)
    _settled(page, query)
    while everything and _search_older(page):
        pass


def _search_older(page: Page) -> bool:
    """Click "Search older papers too" if it is there; wait for the wider search."""
    searched = "() => document.querySelector('.pa-search').getAttribute('data-pa-searched')"
    page.wait_for_function(searched)  # set once the results are drawn
    button = page.locator(".pa-search__older button")
    if not button.count():
        return False
    before = int(page.evaluate(searched))
    button.click()
    page.wait_for_function(f"n => ({searched})() > n", arg=before, timeout=15_000)
    _settled(page, "")
    return True


def _settled(page: Page, query: str) -> None:
    """Wait for the count of a finished search ("Searching for ..." while it runs)."""
    done = re.compile(rf"^(\d+ results?|No results) for {re.escape(query)}")
    expect(page.locator(".pagefind-ui__message")).to_have_text(done, timeout=15_000)


def _result_ids(page: Page) -> list[str]:
    if page.locator(".pagefind-ui__message").inner_text().startswith("No results"):
        return []
    hrefs = page.locator(".pagefind-ui__result-link").evaluate_all("els => els.map(e => e.href)")
    return [re.search(r"/papers/([^/]+)/$", h).group(1) for h in hrefs]


def _count(page: Page) -> int:
    """The result count the UI announces (only the first page of results is shown)."""
    message = page.locator(".pagefind-ui__message").inner_text()
    if message.startswith("No results"):
        return 0
    return int(re.match(r"(\d+) results? for", message).group(1))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_header_search_facet_and_click_through(
    browser: Browser, base_url: str, built: Paths, shots: Path, scheme: str
) -> None:
    archive = grouped(built)
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
        '[data-pagefind-ui-meta="date"]'
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
    filtered_count = _count(page)
    assert filtered_count < unfiltered_count
    page.screenshot(path=shots / f"facet-{scheme}.png")

    # A new sort keeps the filter, in sight: its group stays open, the box checked.
    _resorted(page, "upvotes", filtered)
    chosen = page.locator(".pagefind-ui__filter-checkbox:checked")
    expect(chosen).to_have_count(1)
    expect(chosen).to_be_visible()
    assert chosen.get_attribute("value") == topic.name
    assert _count(page) == filtered_count
    assert set(_result_ids(page)) <= in_topic

    # Click through to the paper page.
    page.locator(".pagefind-ui__result-link", has_text=target.title).click()
    page.wait_for_url(f"{base_url}papers/{TARGET}/")
    expect(page.locator("article h1")).to_have_text(target.title)
    expect(page.locator(".pa-paper__meta time").last).to_have_text(target.listed.isoformat())
    expect(page.locator(".pa-search .pagefind-ui__search-input")).to_be_visible()
    assert page.locator(".md-sidebar").count() == 0  # a paper page is lean
    expect(page.locator(".md-tabs")).to_be_visible()  # but a reader can move on
    expect(page.locator(".md-footer")).to_be_visible()
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
    archive = grouped(built)
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
    assert len([u for u in requested if "/sort-keys." in u]) == len(_bundles(built.site))

    _resorted(page, "upvotes", by_date)
    by_votes = _all_result_ids(page)
    assert sorted(by_votes) == sorted(matches)
    votes_first = [(key[i][1], key[i][0]) for i in by_votes]
    assert votes_first == sorted(votes_first, reverse=True)
    shown = page.locator('[data-pagefind-ui-meta="upvotes"]').all_inner_texts()
    assert [int(s.split(":")[1]) for s in shown] == [key[i][1] for i in by_votes]
    assert len([u for u in requested if "/sort-keys." in u]) == len(_bundles(built.site))
    assert failures == []


def _bundles(site: Path) -> list[dict]:
    text = (site / search.BUNDLES_JS).read_text()
    return json.loads(re.search(r"bundles = (.+);", text).group(1))


def test_sort_keys_list_every_paper_newest_first(built: Paths) -> None:
    """The files the browser sorts by, one per bundle, newest bundle first: every paper page
    once, by (listed, upvotes) descending, with its upvotes, each id naming a fragment
    Pagefind wrote for that paper in that bundle; periods do not overlap."""
    archive = grouped(built)
    by = {p.id: p for p in archive.papers}
    ids = []
    for bundle in _bundles(built.site):
        keys = json.loads((built.site / bundle["keys"]).read_text())
        paper_of = {}
        for fragment in (built.site / bundle["path"] / "fragment").glob("*.pf_fragment"):
            text = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
            paper_of[fragment.stem] = json.loads(text)["url"].strip("/").split("/")[-1]
        mine = [paper_of[f] for f in keys["ids"]]
        assert keys["upvotes"] == [by[i].upvotes or 0 for i in mine]
        assert {by[i].listed for i in mine} <= {
            d for d in archive.days if bundle["first"] <= d.isoformat() <= bundle["last"]
        }
        assert bundle["pages"] == len(mine)
        ids += mine
    assert sorted(ids) == sorted(by)
    order = [(by[i].listed, by[i].upvotes or 0) for i in ids]
    assert order == sorted(order, reverse=True)


SORT_IN_THE_BROWSER = """async (module) => {
  const api = await import(module);
  // Two bundles, newest first: en_same is a paper in each; en_gone is in neither (stale).
  const keys = [
    api.decodeKeys({
      ids: ["en_new", "en_same"], upvotes: [1, 5], clashes: {en_same: {"2603.00002": 1}},
    }),
    api.decodeKeys({
      ids: ["en_mid", "en_same"], upvotes: [9, 2], clashes: {en_same: {"2401.00004": 1}},
    }),
  ];
  const result = (id, paper) => ({id, data: async () => ({url: `/sub/papers/${paper}/`})});
  const results = [
    result("en_same", "2401.00004"), result("en_gone", "2312.00009"),
    result("en_mid", "2602.00003"), result("en_new", "2604.00001"),
    result("en_same", "2603.00002"),
  ];
  const ids = async (key, direction) => Promise.all(
    (await api.sortResults(results, keys, key, direction)).map(async (r) => (await r.data()).url)
  );
  return {
    newest: await ids("date", "desc"),
    oldest: await ids("date", "asc"),
    upvoted: await ids("upvotes", "desc"),
  };
}"""


def test_sorting_tells_apart_one_id_in_two_bundles(
    browser: Browser, base_url: str, built: Paths
) -> None:
    """Pagefind's ids are unique within one run only; the sort must not give two papers
    that share one the same place, and pages missing from the keys go last either way."""
    page, failures, _ = _open(browser, base_url, "light")
    orders = page.evaluate(SORT_IN_THE_BROWSER, f"{base_url}assets/pagefind-lazy/pagefind.js")
    assert [u.split("/")[-2] for u in orders["newest"]] == [
        "2604.00001",
        "2603.00002",
        "2602.00003",
        "2401.00004",
        "2312.00009",
    ]
    assert [u.split("/")[-2] for u in orders["oldest"]] == [
        "2401.00004",
        "2602.00003",
        "2603.00002",
        "2604.00001",
        "2312.00009",
    ]
    assert [u.split("/")[-2] for u in orders["upvoted"]] == [
        "2602.00003",
        "2603.00002",
        "2401.00004",
        "2604.00001",
        "2312.00009",
    ]
    assert failures == []


def test_a_sort_after_a_redeploy_finds_the_renamed_sort_keys(
    browser: Browser, base_url: str, built: Paths
) -> None:
    """The sort keys are named by content, bundles.js is not: a page loaded before a deploy
    holds a bundles.js naming keys that are gone. It reads bundles.js again."""
    archive = grouped(built)
    listed = {p.id: p.listed for p in archive.papers}
    module = built.site / search.BUNDLES_JS
    original = module.read_text()
    old_name = _bundles(built.site)[0]["keys"]
    new_name = old_name.replace("sort-keys.", "sort-keys.redeployed-")
    page, failures, requested = _open(browser, f"{base_url}days/", "light")
    _search(page, QUERY)  # bundles.js and the old name are loaded now
    matches = _all_result_ids(page)
    try:
        (built.site / old_name).rename(built.site / new_name)  # the deploy
        module.write_text(original.replace(old_name, new_name))
        _resorted(page, "date", matches)
        by_date = _all_result_ids(page)
    finally:
        (built.site / new_name).rename(built.site / old_name)
        module.write_text(original)
    assert [listed[i] for i in by_date] == sorted((listed[i] for i in matches), reverse=True)
    assert [u for u in requested if "bundles.js?at=" in u]
    assert [f for f in failures if not f.startswith("404 ")] == []


def test_a_paper_page_on_a_phone_still_links_home(
    browser: Browser, base_url: str, shots: Path
) -> None:
    """Material hides the logo on narrow screens, where the drawer leads home; paper pages
    have no drawer, so the logo stays."""
    page, failures, _ = _open(browser, f"{base_url}papers/{TARGET}/", "light", width=390)
    logo = page.locator(".md-header .md-logo")
    expect(logo).to_be_visible()
    page.screenshot(path=shots / "paper-phone.png")
    logo.click()
    page.wait_for_url(base_url)
    expect(page.locator("label.md-header__button[for=__drawer]")).to_be_visible()
    assert failures == []


def test_a_paper_page_palette_toggle_and_copy_button_work(
    browser: Browser, base_url: str, shots: Path
) -> None:
    """The paper template is not Material's base.html; Material's script still runs it: the
    palette toggle switches and remembers the scheme, the copy button copies and says so."""
    page, failures, _ = _open(browser, f"{base_url}papers/{TARGET}/", "light")
    body = page.locator("body")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    page.locator(".md-header__option label:not([hidden])").click()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    page.reload()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator(".pa-bibtex").hover()
    page.locator(".pa-bibtex .md-code__button").click()
    expect(page.locator(".md-dialog")).to_contain_text("Copied to clipboard")
    assert f"eprint = {{{TARGET}}}" in page.evaluate("navigator.clipboard.readText()")
    page.screenshot(path=shots / "paper-dark-toggled.png")
    assert failures == []


def test_arxiv_category_filter(browser: Browser, base_url: str, built: Paths) -> None:
    archive = grouped(built)
    assert {p.primary_category for p in archive.papers} == {"cs.CL", "cs.AR", "cs.SE"}
    page, failures, _ = _open(browser, base_url, "light")
    _search(page, "inference")
    unfiltered = _count(page)
    # The older bundles' filter chunks arrive late, as on a slow connection: the search run
    # meanwhile must not count their values as 0 (and leave them out of the filters).
    held: list[Route] = []
    older = "**/pagefind-*/filter/*.pf_filter"
    page.route(older, lambda route: held.append(route))
    page.locator(".pa-search__facets").click()
    page.wait_for_timeout(1_500)
    page.unroute(older)
    assert bool(held) == bool(_bundles(built.site)[1:]), "older filters were not asked for"
    for route in held:
        route.continue_()
    # The UI is mounted again with filters and repeats the search: wait until it has.
    group = page.locator(".pagefind-ui__filter-name", has_text="arXiv category")
    expect(group).to_be_visible(timeout=15_000)
    expect(page.locator(".pagefind-ui__message")).to_have_text(
        re.compile(rf"^{unfiltered} results? for inference"), timeout=15_000
    )
    box = page.locator('.pagefind-ui__filter-checkbox[name="arXiv category"][value="cs.AR"]')
    for attempt in range(2):  # a click during the UI's last re-render opens the old group
        group.click()
        try:
            expect(box).to_be_visible(timeout=15_000)
            break
        except AssertionError:
            if attempt:
                raise
    box.check()
    expect(page.locator(".pagefind-ui__message")).not_to_have_text(
        re.compile(rf"^{unfiltered} result"), timeout=10_000
    )
    page.wait_for_timeout(300)
    filtered = _all_result_ids(page)
    assert "2311.01282" in filtered  # FlashDecoding++: "inference" is in its title
    assert set(filtered) <= {i for i, c in CATEGORIES.items() if c == "cs.AR"}
    assert failures == []


def test_an_author_name_links_to_a_search_for_that_author(
    browser: Browser, base_url: str, built: Paths, shots: Path
) -> None:
    paper = "2311.18677"  # Splitwise, whose authors include Íñigo Goiri
    page, failures, _ = _open(browser, f"{base_url}papers/{paper}/", "light")
    authors = page.locator(".pa-paper__authors a")
    assert authors.count() == len(next(p for p in grouped(built).papers if p.id == paper).authors)
    authors.filter(has_text="Íñigo Goiri").click()
    page.wait_for_url(re.compile(r"\?q=%22%C3%8D%C3%B1igo%20Goiri%22$"))
    expect(page.locator(".pa-search .pagefind-ui__search-input")).to_have_value('"Íñigo Goiri"')
    # The first search covers the newest periods; the paper may be older, as a reader who
    # finds no result there is offered, so search every period.
    _settled(page, '"Íñigo Goiri"')
    while _search_older(page):
        pass
    expect(page.locator(".pagefind-ui__message")).to_contain_text("1 result", timeout=15_000)
    assert _result_ids(page) == [paper]
    page.screenshot(path=shots / "author-search.png")


def test_a_linked_search_widens_by_itself_until_it_finds_something(
    browser: Browser, base_url: str, built: Paths
) -> None:
    """An author link (?q=) whose papers are all older than the newest periods shows them
    without a click; a link that matches nothing searches every period, then says so. A
    query typed in the box still widens only on request."""
    periods = len(_bundles(built.site))
    searched = "() => Number(document.querySelector('.pa-search').getAttribute('data-pa-searched'))"
    older = ".pa-search__older button"
    page, failures, _ = _open(browser, f"{base_url}?q=%22%C3%8D%C3%B1igo%20Goiri%22", "light")
    expect(page.locator(".pagefind-ui__message")).to_have_text(
        re.compile('^1 result for "Íñigo Goiri"'), timeout=30_000
    )
    # Listed 2023, in an older period if sharded. (A result's link comes after the count.)
    link = page.locator(".pagefind-ui__result-link")
    expect(link).to_have_attribute("href", re.compile(r"/papers/2311\.18677/$"))
    page.close()
    page, more_failures, _ = _open(browser, f"{base_url}?q=qqxyzzy", "light")
    page.wait_for_function(f"n => ({searched})() === n", arg=periods, timeout=30_000)
    _settled(page, "qqxyzzy")
    expect(page.locator(".pagefind-ui__message")).to_have_text(re.compile("^No results"))
    expect(page.locator(older)).to_have_count(0)
    page.close()
    page, typed_failures, _ = _open(browser, f"{base_url}days/", "light")
    _search(page, "qqxyzzy", everything=False)
    page.wait_for_function(searched)
    expect(page.locator(older)).to_have_count(1 if periods > 1 else 0)
    assert failures == more_failures == typed_failures == []


def test_a_search_covers_the_newest_periods_and_older_ones_on_request(
    browser: Browser, base_url: str, built: Paths
) -> None:
    """The first search loads only the bundles bundles.js names as initial (the newest
    periods), so its cost does not grow with the archive; each click on "Search older
    papers too" merges the next older period, and "Newest" stays exact: the matches of the
    periods searched first are the newest of all, and older ones come after them."""
    listed = {p.id: p.listed for p in grouped(built).papers}
    bundles = _bundles(built.site)
    text = (built.site / search.BUNDLES_JS).read_text()
    initial = int(re.search(r"initial = (\d+);", text).group(1))
    page, failures, requested = _open(browser, f"{base_url}days/", "light")

    def fetched() -> list[str]:
        return [b["path"] for b in bundles if any(f"/{b['path']}" in u for u in requested)]

    _search(page, QUERY, everything=False)
    page.select_option(".pa-search__sort", "date")
    page.wait_for_timeout(500)  # the UI is mounted again, sorted
    _settled(page, QUERY)
    first = _all_result_ids(page)
    assert fetched() == [b["path"] for b in bundles[:initial]]
    oldest_searched = bundles[initial - 1]["first"]
    assert all(listed[i].isoformat() >= oldest_searched for i in first)
    assert [listed[i] for i in first] == sorted((listed[i] for i in first), reverse=True)
    if initial == len(bundles):  # one bundle: nothing older to offer
        assert page.locator(".pa-search__older").count() == 0
        assert failures == []
        return
    assert initial < len(bundles) and [p for p in fetched() if p != bundles[0]["path"]] == [
        b["path"] for b in bundles[1:initial]
    ]
    older = bundles[initial]
    expect(page.locator(".pa-search__older button")).to_contain_text(older["first"])
    assert _search_older(page)
    assert fetched() == [b["path"] for b in bundles[: initial + 1]]
    wider = _all_result_ids(page)
    assert wider[: len(first)] == first
    assert [listed[i] for i in wider] == sorted((listed[i] for i in wider), reverse=True)
    while _search_older(page):
        pass
    assert fetched() == [b["path"] for b in bundles]
    everything = _all_result_ids(page)
    assert everything[: len(wider)] == wider and TARGET in everything
    assert page.locator(".pa-search__older").count() == 0
    assert failures == []


def test_a_topic_pages_bibtex_download_holds_its_papers_in_order(
    browser: Browser, base_url: str, built: Paths
) -> None:
    """The topic download is put together from the day files: exactly the page's papers,
    in page order, each entry byte for byte its paper's own .bib file."""
    archive = grouped(built)
    topic = max(archive.by_topic, key=lambda slug: len(archive.by_topic[slug]))
    page, failures, _ = _open(browser, f"{base_url}topics/{topic}/", "light")
    shown = _card_ids(page)
    assert len(shown) > 1
    with page.expect_download() as download:
        page.locator("a[data-pa-bib]").click()
    assert download.value.suggested_filename == f"{topic}.bib"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    expected = [(built.site / f"papers/{i}.bib").read_text(encoding="utf-8") for i in shown]
    assert text == "\n".join(expected)
    # Material looks for a sitemap beside every rel=alternate link; the topic feed's is not
    # there (a request in the background, on every topic page, before this change too).
    assert [f for f in failures if not f.endswith(f"/topics/{topic}/sitemap.xml")] == []


def _card_ids(page: Page) -> list[str]:
    hrefs = page.locator(".pa-rows > li > a").evaluate_all("els => els.map(e => e.href)")
    return [re.search(r"/papers/([^/]+)/$", h).group(1) for h in hrefs]


ID_CASES = json.loads((REPO / "tests/data/arxiv_id_inputs.json").read_text())["cases"]


def test_an_arxiv_id_in_any_form_leads_to_its_paper(
    browser: Browser, base_url: str, built: Paths, shots: Path
) -> None:
    """The box reads an id the way generator/ids.py does (the same cases), shows the paper
    it names instead of Pagefind's matches for its digits, and Enter opens it."""
    archive = {p.id: p for p in grouped(built).papers}
    page, failures, _ = _open(browser, f"{base_url}days/", "light")
    box = page.locator(".pa-search .pagefind-ui__search-input")
    exact = page.locator(".pa-search__exact")
    for raw, expected in ID_CASES:
        box.fill(raw)
        if expected is None:
            expect(exact).to_be_empty()
            continue
        expect(exact.locator("a")).to_have_count(1)
        link = exact.locator("a")
        if expected in archive:
            expect(link).to_have_text(archive[expected].title)
            assert link.get_attribute("href") == f"{base_url}papers/{expected}/", raw
            expect(exact).to_contain_text(f"Date: {archive[expected].listed.isoformat()}")
            expect(exact).to_contain_text(f"Upvotes: {archive[expected].upvotes or 0}")
        else:
            expect(link).to_have_text(f"arXiv {expected}")
            assert link.get_attribute("href") == f"https://arxiv.org/abs/{expected}", raw
        expect(page.locator(".pagefind-ui__drawer")).to_be_hidden()
    box.fill("arXiv:2405.04086v2")
    expect(exact.locator("a")).to_have_text(archive["2405.04086"].title)
    page.screenshot(path=shots / "search-id.png")
    box.press("Enter")
    page.wait_for_url(f"{base_url}papers/2405.04086/")
    missing = {f"404 {base_url}papers/{i}/" for _, i in ID_CASES if i and i not in archive}
    assert set(failures) == missing  # the lookups of ids the archive does not have


def test_an_id_the_archive_lacks_costs_no_404_page(browser: Browser, base_url: str) -> None:
    """The lookup asks with HEAD first, so an unknown id downloads no 404 page; a known id
    then gets its page."""
    page, failures, _ = _open(browser, f"{base_url}days/", "light")
    asked: list[tuple[str, str]] = []
    page.on("request", lambda r: asked.append((r.method, r.url)))
    box = page.locator(".pa-search .pagefind-ui__search-input")
    exact = page.locator(".pa-search__exact")
    box.fill("2501.99999")
    expect(exact).to_contain_text("Not in this archive: arXiv 2501.99999")
    box.fill(TARGET)
    expect(exact.locator("a")).to_have_attribute("href", f"{base_url}papers/{TARGET}/")
    looked_up = [a for a in asked if "/papers/" in a[1]]
    assert looked_up == [
        ("HEAD", f"{base_url}papers/2501.99999/"),
        ("HEAD", f"{base_url}papers/{TARGET}/"),
        ("GET", f"{base_url}papers/{TARGET}/"),
    ]
    assert failures == [f"404 {base_url}papers/2501.99999/"]


def test_an_organization_is_searchable_by_name(browser: Browser, base_url: str) -> None:
    page, failures, _ = _open(browser, base_url, "light")
    for name in ("TongyiLab", "AlibabaTongyiLab"):  # its full name and its short name
        page.locator(".pa-search .pagefind-ui__search-input").fill("")
        _search(page, name, everything=False)  # the newest periods, as a reader first sees
        # First: a shard without the word answers with loose matches of its own after it.
        assert _result_ids(page)[0] == "2603.01425", name
    assert failures == []


def test_a_result_shows_title_date_topics_upvotes_and_a_clean_excerpt(
    browser: Browser, base_url: str, built: Paths
) -> None:
    archive = grouped(built)
    by = {p.id: p for p in archive.papers}
    page, failures, _ = _open(browser, base_url, "light")
    _search(page, QUERY)
    results = page.locator(".pagefind-ui__result")
    expect(results.first).to_be_visible()
    for n in range(results.count()):
        result = results.nth(n)
        href = result.locator(".pagefind-ui__result-link").get_attribute("href")
        paper = by[href.strip("/").split("/")[-1]]
        expect(result.locator(".pagefind-ui__result-link")).to_have_text(paper.title)
        tags = result.locator(".pagefind-ui__result-tag").all_inner_texts()
        topics = ", ".join(archive.taxonomy.by_slug[s].name for s in archive.topics_of[paper.id])
        assert tags == [
            f"Date: {paper.listed.isoformat()}",
            f"Topics: {topics}",
            f"Upvotes: {paper.upvotes or 0}",
        ]
        text = result.locator(".pagefind-ui__result-excerpt").inner_text()
        words = paper.title.split()
        assert " ".join(words[:4]) not in text, text  # the title is not repeated
        assert paper.authors[0] not in text and "TL;DR" not in text
        assert text.removeprefix("… ").split()[0] in paper.abstract  # cut from the abstract
    assert failures == []


def test_the_search_box_is_labelled_opens_on_slash_and_closes(
    browser: Browser, base_url: str
) -> None:
    page, failures, _ = _open(browser, f"{base_url}topics/", "light")
    box = page.get_by_label("Search papers", exact=True)
    expect(box).to_have_class(re.compile("pagefind-ui__search-input"))
    page.locator("article h1").click()
    page.keyboard.press("/")
    expect(box).to_be_focused()
    drawer = page.locator(".pagefind-ui__drawer")
    _search(page, QUERY)
    expect(drawer).to_be_visible()
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    _search(page, QUERY)
    expect(drawer).to_be_visible()
    page.mouse.click(5, 850)  # outside the panel
    expect(drawer).to_be_hidden()
    box.click()  # the query is still there: the panel comes back
    expect(drawer).to_be_visible()
    assert failures == []


def test_on_a_phone_the_results_come_before_the_filters(
    browser: Browser, base_url: str, shots: Path
) -> None:
    page, failures, _ = _open(browser, base_url, "light", width=390)
    _search(page, QUERY, everything=False)
    page.locator(".pa-search__facets").click()
    filters = page.locator(".pagefind-ui__filter-panel")
    expect(filters).to_contain_text("Topic")
    results = page.locator(".pagefind-ui__results-area")
    assert results.bounding_box()["y"] < filters.bounding_box()["y"]
    page.screenshot(path=shots / "search-phone.png")
    assert failures == []


def test_the_abstract_reads_at_about_seventy_characters_a_line(
    browser: Browser, base_url: str
) -> None:
    page, failures, _ = _open(browser, f"{base_url}papers/{TARGET}/", "light", width=1366)
    chars = page.evaluate(
        """() => {
          const abstract = document.querySelector('.pa-abstract');
          const ch = document.createElement('span');
          ch.style.width = '1ch';
          ch.style.display = 'inline-block';
          abstract.appendChild(ch);
          const width = ch.getBoundingClientRect().width;
          ch.remove();
          return abstract.getBoundingClientRect().width / width;
        }"""
    )
    article = page.locator("article.pa-paper").bounding_box()["width"]
    assert 60 <= chars <= 72 and article > page.locator(".pa-abstract").bounding_box()["width"]
    assert failures == []
