"""Every page type of the site in a real browser (Debian's chromium through Playwright):
accessible (axe-core) in both palettes on a desktop and a phone, quiet (nothing requested off
the site), keyboard-usable, with thumbnails and tables that hold their layout.

The sample archive, plus what it lacks for some page types (bench/sample_site.py), is built
and served on 127.0.0.1 under a sub-path; requests that leave 127.0.0.1 are blocked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bench.browser import AXE, OFF_SITE
from bench.sample_site import SUB_PATH, THUMBNAILS, build_every_page_type, sample_root, serve

STATES = [  # (palette, viewport)
    ("light", {"width": 1366, "height": 900}),
    ("dark", {"width": 1366, "height": 900}),
    ("light", {"width": 390, "height": 844}),
    ("dark", {"width": 390, "height": 844}),
]
KEY_PAGES = ("home", "day", "topic", "paper", "annotated", "status", "404")


@pytest.fixture(scope="module")
def every_page_type(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    """The sample archive plus what it lacks for some page types (see bench/sample_site.py),
    served; yields the base URL and {page type: URL}."""
    paths = sample_root(tmp_path_factory.mktemp("pages"))
    urls = build_every_page_type(paths)
    with serve(paths.site) as base:
        yield base, urls


def test_the_status_page_counts_one_day_as_one_day(
    browser: Browser, every_page_type: tuple[str, dict]
) -> None:
    """The sample's fetch record has one day with papers and one without."""
    base, urls = every_page_type
    page = browser.new_page()
    page.route(OFF_SITE, lambda route: route.abort())
    page.goto(base + urls["status"])
    counts = page.locator(".pa-counts")
    expect(counts).to_contain_text("· 1 day with papers · 1 day with no Daily Papers batch ·")


def _audit(page: Page, url: str, state: str, status: int, shot: Path | None) -> list[str]:
    """Serious and critical axe-core violations, script errors and requests off the site
    (but lazy CDN thumbnails) while ``url`` loads in ``page``."""
    problems: list[str] = []
    requested: list[tuple[str, str]] = []
    page.on("request", lambda r: requested.append((r.url, r.resource_type)))
    page.on("pageerror", lambda exc: problems.append(f"{state}: script error {exc}"))
    response = page.goto(url, wait_until="load")
    assert response.status == status, state
    eager = page.evaluate(
        "t => [...document.images].filter(i => i.src.startsWith(t) && i.loading !== 'lazy')"
        ".map(i => i.outerHTML)",
        THUMBNAILS,
    )
    problems += [f"{state}: not lazy: {tag}" for tag in eager]
    result = page.evaluate("axe.run({resultTypes: ['violations']})")
    problems += [
        f"{state}: {v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    site = url[: url.index(SUB_PATH) + len(SUB_PATH)]
    for href, kind in requested:
        thumbnail = href.startswith(THUMBNAILS) and kind == "image"
        if not href.startswith(site) and not thumbnail or "sitemap" in href:
            problems.append(f"{state}: requested {href}")
    if shot:
        page.screenshot(path=shot, full_page=True)
    return problems


@pytest.mark.parametrize(
    ("scheme", "viewport"), STATES, ids=[f"{s}-{v['width']}px" for s, v in STATES]
)
def test_every_page_type_is_accessible_and_quiet(
    browser: Browser, every_page_type: tuple[str, dict], shots: Path, scheme: str, viewport: dict
) -> None:
    """axe-core finds no serious or critical violation on any page type, in both palettes, on
    a desktop and a phone; loading a page requests nothing off the site but the lazy
    thumbnails from Hugging Face's CDN, and no sitemap.xml."""
    base, urls = every_page_type
    assert AXE.is_file(), f"{AXE} is missing: run `make browser-deps`"
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    context.add_init_script(AXE.read_text(encoding="utf-8"))  # in every page, run on demand
    context.route(OFF_SITE, lambda route: route.abort())
    problems: list[str] = []
    for kind, url in urls.items():
        name = f"{kind}-{scheme}-{viewport['width']}.png"
        page = context.new_page()
        problems += _audit(
            page,
            base + url,
            f"{kind} ({scheme}, {viewport['width']}px)",
            404 if kind == "404" else 200,
            shots / name if kind in KEY_PAGES else None,
        )
        page.close()
    context.close()
    assert problems == []


def test_skip_link_and_headings(browser: Browser, every_page_type: tuple[str, dict]) -> None:
    """The first Tab reaches "Skip to content", which moves focus past the header; the H1
    is the largest and boldest heading on the page."""
    base, urls = every_page_type
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.route(OFF_SITE, lambda route: route.abort())
    for kind in ("home", "day", "paper", "about", "404"):
        page.goto(base + urls[kind])
        page.keyboard.press("Tab")
        skip = page.locator(":focus")
        expect(skip).to_have_text(re.compile("Skip to content"))
        skip.press("Enter")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.closest('header, .md-tabs') === null")
        assert focused, f"{kind}: the skip link left focus in the header"
        h1, *others = page.evaluate(
            """() => [...document.querySelectorAll('article h1, article h2, article h3')]
                .map(h => { const s = getComputedStyle(h);
                  return [h.tagName, parseFloat(s.fontSize), parseInt(s.fontWeight)]; })"""
        )
        assert h1[0] == "H1", kind
        assert all(h1[1] > size and h1[2] >= weight for _, size, weight in others), kind


BOX = "e => { const s = getComputedStyle(e, '::before'); return [s.width, s.height]; }"


def test_a_thumbnail_that_fails_leaves_its_box(
    browser: Browser, every_page_type: tuple[str, dict], shots: Path
) -> None:
    """Thumbnails in view load at once (lazily: those further down wait); one that fails
    (here every one: the CDN is out of reach) is removed, and its sized box stays, so the
    card neither shifts nor shows a broken image. Card text is at most three lines."""
    base, urls = every_page_type
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.route(OFF_SITE, lambda route: route.abort())
    page.goto(base + urls["home"])
    boxes = page.locator(".pa-cards > li.pa-th")
    expect(page.locator(".pa-cards img")).to_have_count(0)
    assert boxes.count() >= 1
    assert len([u for u in requested if u.startswith(THUMBNAILS)]) == boxes.count()
    for box in boxes.all():
        assert box.evaluate(BOX) == ["160px", "84px"]
    for text in page.locator(".pa-cards > li > p:nth-of-type(3):not(:last-child)").all():
        line = float(text.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
        assert text.bounding_box()["height"] <= 3 * line + 1
    page.screenshot(path=shots / "home-thumbnails-failed.png")


# A 1x1 GIF: what the route below answers for a thumbnail, so none leaves the machine.
PIXEL = bytes.fromhex(
    "47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b"
)
HOSTILE_THUMBS = """(folder) => {
  const list = document.createElement("ul");
  list.className = "pa-cards";
  list.dataset.th = folder;
  for (const value of ["javascript:alert(1)", "data:image/gif;base64,R0lGOD",
      '"><img src=x onerror="window.hacked=1">', "vbscript:x", "//[bad"]) {
    const item = document.createElement("li");
    item.dataset.th = value;
    list.append(item);
  }
  document.querySelector("article").append(list);
  const again = document.createElement("script");
  again.src = document.querySelector("script[src$='pa-cards.js']").src + "?again";
  document.body.append(again);
  return new Promise((done) => { again.onload = done; });
}"""


def test_card_thumbnails_come_from_their_data_attribute(
    browser: Browser, every_page_type: tuple[str, dict], shots: Path
) -> None:
    """Each card with a thumbnail gets it from its data attribute (resolved against its
    list's folder): a lazy, decorative image of the box's size laid over the box, clear of
    the card's text. A value that is no http(s) URL never becomes an image or markup."""
    base, urls = every_page_type
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.route(OFF_SITE, lambda route: route.abort())
    page.route(f"{THUMBNAILS}**", lambda route: route.fulfill(body=PIXEL, content_type="image/gif"))
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base + urls["home"])
    cards = page.locator(".pa-cards > li.pa-th")
    assert cards.count() >= 1
    for card in cards.all():
        href = card.locator("p:first-of-type > a").get_attribute("href")
        pid = re.search(r"papers/([^/]+)/$", href).group(1)
        img = card.locator("> img")
        expect(img).to_have_attribute("src", f"{THUMBNAILS}{pid}.png")
        assert img.evaluate("i => [i.alt, i.loading, i.complete && i.naturalWidth]") == [
            "",
            "lazy",
            1,
        ]
        box = img.bounding_box()
        assert (round(box["width"]), round(box["height"])) == (160, 84)
        assert card.evaluate(BOX) == ["160px", "84px"]
        overlaps = card.evaluate(
            """(li, b) => [...li.querySelectorAll("p")].flatMap((p) => {
                 const r = document.createRange(); r.selectNodeContents(p);
                 return [...r.getClientRects()]; })
               .filter((t) => t.width && t.left < b.x + b.width && t.right > b.x
                 && t.top < b.y + b.height && t.bottom > b.y).length""",
            box,
        )
        assert overlaps == 0
    page.screenshot(path=shots / "home-thumbnails.png")
    shown = page.locator(".pa-cards img").count()
    page.evaluate(HOSTILE_THUMBS, THUMBNAILS)
    srcs = page.locator(".pa-cards img").evaluate_all("els => els.map(e => e.src)")
    assert srcs[shown:] == [f"{THUMBNAILS}%22%3E%3Cimg%20src=x%20onerror=%22window.hacked=1%22%3E"]
    assert page.evaluate("window.hacked") is None and dialogs == []
    assert page.locator(".pa-cards img[onerror], .pa-cards li > img:not([alt=''])").count() == 0


BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll(".pa-table th, .pa-table td")) {
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      for (const word of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(word[0]);
      }
    }
  }
  return broken;
}"""


def test_tables_on_a_phone_break_no_word(
    browser: Browser, every_page_type: tuple[str, dict], shots: Path
) -> None:
    """At 390 px no word in a table cell is split over two lines and the page itself does
    not scroll sideways: a wide table scrolls inside its frame, which takes keyboard focus."""
    base, urls = every_page_type
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.route(OFF_SITE, lambda route: route.abort())
    for kind in ("days index", "year", "month", "topics index", "feeds", "status"):
        page.goto(base + urls[kind])
        assert page.locator(".pa-table").count(), kind
        assert page.evaluate(BROKEN_WORDS) == [], kind
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{kind}: the page is {width} px wide"
        frame = page.locator(".pa-table-wrap").first
        frame.focus()
        expect(frame).to_be_focused()
        page.screenshot(path=shots / f"table-{kind.replace(' ', '-')}-phone.png", full_page=True)
