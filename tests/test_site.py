"""The real pipeline: paper files → generate → ``mkdocs build --strict`` → parsed HTML."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import html
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sitekit import (
    CARDS,
    TITLES,
    card_parts,
    make_root,
    page,
    paper,
    paper_content,
    resolve,
    soup,
    write_paper,
)

from generator.build import BuildError, build_site, generate
from generator.site import pages

HOSTILE_TITLE = (
    "<script>alert(1)</script> {{ 7*7 }} {% raw %} $x_1$ **bold** [a](javascript:alert(1)) "
    'Ünïcødé 模型 & "quotes"'
)
HOSTILE_ABSTRACT = "<img src=x onerror=alert(1)> {% if %} # heading\n\n* item `code` $$\\alpha$$"
HOSTILE_NOTES = """\
Real **notes** with a [good link](https://example.org).

<script>alert('notes')</script>
<a href="javascript:alert(2)" onclick="alert(3)">click</a>
<img src="https://example.org/x.png" onerror="alert(4)">
[bad](javascript:alert(5))

---
title: not front matter
---
"""
ANNOTATION = """\
annotation:
  tldr: Few-shot prompting makes it <b>competitive</b>.
  tags: [in-context-learning, classification]
  status: reproduced
  contributors: [octocat, "evil\\"><script>"]
  links:
    - {title: Notes, url: "https://example.org/notes"}
    - {title: Bad, url: "javascript:alert(6)"}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    root = make_root(tmp_path_factory.mktemp("site"))
    papers = {
        "hostile": paper(
            "2603.00001",
            "2026-03-06",
            title=HOSTILE_TITLE,
            abstract=HOSTILE_ABSTRACT,
            upvotes=5,
            github="https://github.com/a/b",
            github_stars=9,
            organization={"name": "Org", "fullname": "<b>Org</b> Inc"},
            ai_summary="Machine summary <i>here</i>.",
            ai_keywords=["diffusion", "<svg onload=alert(1)>"],
        ),
        "top": paper("2603.00002", "2026-03-06", title="Diffusion models for video", upvotes=50),
        "low": paper("2603.00003", "2026-03-06", title="A tiny benchmark", upvotes=0),
        "prev": paper("2603.00004", "2026-03-05", title="Reasoning the day before"),
        "next": paper("2603.00005", "2026-03-09", title="Robot arms after the weekend"),
        "other": paper(
            "2603.00006", "2026-03-09", title="Something unrelated", abstract="Nothing to see."
        ),
    }
    for key, p in papers.items():
        if key == "hostile":
            write_paper(root, p, ANNOTATION, HOSTILE_NOTES)
        else:
            write_paper(root, p)
    report = build_site(root)
    return root, {"report": report, **papers}


def test_every_generated_page_and_feed_exists(built):
    root, papers = built
    site = root.site
    for url in (
        "",
        "days/",
        "days/2026/",
        "days/2026/03/",
        "days/2026/03/06/",
        "topics/",
        "topics/video/",
        "topics/other/",
        "annotated/",
        "tags/",
        "tags/in-context-learning/",
        "feeds/",
        "papers/2603.00001/",
        "about/",
        "annotate/",
    ):
        assert (site / url / "index.html").is_file(), url
    assert (site / "feed.xml").is_file()
    assert papers["report"].papers == 6


def test_hostile_text_is_literal_on_the_paper_page(built):
    root, _ = built
    html = (root.site / "papers/2603.00001/index.html").read_text(encoding="utf-8")
    # Parsed as browsers and Zotero do: <title> holds text only (RCDATA), where the minifier
    # leaves "<" unescaped; Python's html.parser would take that text for tags.
    doc = BeautifulSoup(html, "lxml")
    assert html.count("</title") == 1  # the title cannot be closed early
    # The LaTeX math in it is MathML now (see test_paper_page.py); everything else literal.
    assert doc.find("h1").get_text() == HOSTILE_TITLE.replace("$x_1$", "x1")
    assert doc.find("h1").find("math")
    assert doc.title.get_text().startswith(HOSTILE_TITLE)
    assert doc.find("meta", property="og:title")["content"] == HOSTILE_TITLE
    assert doc.find("meta", attrs={"name": "citation_title"})["content"] == HOSTILE_TITLE
    abstract = doc.find(class_="pa-abstract")
    for br in abstract.find_all("br"):  # its line breaks are markup (the minifier keeps them)
        br.replace_with("\n")
    lines = [line.strip() for line in abstract.get_text().split("\n")]
    assert lines == HOSTILE_ABSTRACT.replace("$$\\alpha$$", "α").split("\n")
    assert "Org</b> Inc" in doc.find(class_="pa-org").get_text()
    # Nothing untrusted became an element, a handler or a javascript: URL.
    for tag in doc.find_all(True):
        assert not any(attr.startswith("on") for attr in tag.attrs), tag
        for attr in ("href", "src"):
            assert not str(tag.get(attr, "")).strip().lower().startswith("javascript:"), tag
    for script in doc.find_all("script"):
        assert "alert" not in script.get_text()
    assert not doc.find("svg", onload=True)
    assert doc.find("img", src="x") is None
    assert "alert(1)" in html  # present, but only as escaped text


def test_notes_render_as_sanitised_markdown(built):
    root, _ = built
    doc = page(root.site, "papers/2603.00001")
    notes = doc.find(class_="pa-notes")
    assert notes.find("strong").get_text() == "notes"
    assert notes.find("a", href="https://example.org")["rel"] == ["nofollow", "noopener", "ugc"]
    assert notes.find("script") is None
    assert "title: not front matter" in notes.get_text()


def test_annotation_block_is_shown(built):
    root, _ = built
    doc = page(root.site, "papers/2603.00001")
    ann = doc.find(class_="pa-annotation")
    assert ann.find(class_="pa-tldr").get_text() == (
        "TL;DR Few-shot prompting makes it <b>competitive</b>."
    )
    assert [a.get_text() for a in ann.find(class_="pa-tags").find_all("a")] == [
        "classification",
        "in-context-learning",
    ]
    assert ann.find(class_="pa-status").get_text(strip=True) == "Status:reproduced"
    contributors = ann.find(class_="pa-contributors").find_all("a")
    assert [a["href"] for a in contributors] == ["https://github.com/octocat"]
    assert [a["href"] for a in ann.select(".pa-annotation__links a")] == [
        "https://example.org/notes"
    ]
    edit = doc.find(class_="pa-edit").find("a")
    assert edit["href"].endswith("/edit/main/papers/2026/03/06/2603.00001.md")


def test_day_page_orders_by_upvotes_and_links_neighbours(built):
    root, _ = built
    doc = page(root.site, "days/2026/03/06")
    titles = [a.get_text() for a in doc.select(TITLES)]
    assert titles == ["Diffusion models for video", HOSTILE_TITLE, "A tiny benchmark"]
    nav = {a.get_text(): a["href"] for a in doc.find(class_="pa-nav").find_all("a")}
    assert resolve(root.site, "days/2026/03/06", nav["← 2026-03-05"]) == (
        root.site / "days/2026/03/05/index.html"
    )
    assert resolve(root.site, "days/2026/03/06", nav["2026-03-09 →"]) == (
        root.site / "days/2026/03/09/index.html"
    )
    card = doc.select(CARDS)[1]
    assert card.find(class_="pa-badge").get_text() == "annotated"
    assert card_parts(card)["text"].get_text() == (
        "TL;DR Few-shot prompting makes it <b>competitive</b>."
    )


def test_month_and_year_pages_count(built):
    root, _ = built
    month = page(root.site, "days/2026/03")
    rows = month.select("table tbody tr")
    assert [r.find_all("td")[1].get_text() for r in rows] == ["2", "3", "1"]
    year = page(root.site, "days/2026")
    assert year.select("table tbody tr")[0].find_all("td")[2].get_text() == "6"


def test_home_shows_latest_day_week_and_counts(built):
    root, _ = built
    home = page(root.site, "")
    counts = home.find(class_="pa-counts").get_text()
    assert counts.startswith("6 papers · 3 days")
    first_list = home.find(class_="pa-cards")
    assert {a.get_text() for a in first_list.select(TITLES)} == {
        "Robot arms after the weekend",
        "Something unrelated",
    }
    week = home.find_all(class_="pa-cards")[1].select(TITLES)
    assert week[0].get_text() == "Diffusion models for video"
    # The week's list leaves out the latest day, shown in full above it: no paper twice.
    shown = [a["href"] for a in home.select(TITLES)]
    assert len(shown) == len(set(shown)) == 6


def test_cards_show_thumbnail_summary_upvotes_and_code(tmp_path):
    """A card: the thumbnail named in a data attribute (the file name in Hugging Face's
    folder, which the list names once; another checked URL whole; no image markup or
    handler), the TL;DR else the AI summary else the abstract, cut short, the upvotes first,
    a code link. Unsafe URLs are dropped."""
    root = make_root(tmp_path)
    long = "word " * 200
    thumb = "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2603.00011.png"
    write_paper(
        root,
        paper(
            "2603.00011",
            "2026-03-06",
            thumbnail=thumb,
            ai_summary="A machine summary.",
            abstract=long,
            github="https://github.com/a/b",
            upvotes=42,
        ),
    )
    elsewhere = "https://img.example.org/t/2603.00012.png?v=2&s=1"
    write_paper(
        root, paper("2603.00012", "2026-03-06", abstract=long, upvotes=3, thumbnail=elsewhere)
    )
    write_paper(
        root,
        paper("2603.00013", "2026-03-06", thumbnail="javascript:alert(1)", github="javascript:x"),
    )
    build_site(root)
    day = page(root.site, "days/2026/03/06")
    assert (
        day.select_one(".pa-cards")["data-th"]
        == pages.THUMBNAILS
        == thumb[: -len("2603.00011.png")]
    )
    assert not day.select(".pa-cards img, [onerror]")
    with_thumb, abstract_only, hostile = (card_parts(c) | {"li": c} for c in day.select(CARDS))
    assert with_thumb["li"]["data-th"] == "2603.00011.png"
    assert with_thumb["text"].get_text() == "AI summary A machine summary."
    votes = with_thumb["meta"].contents[0]
    assert votes.name == "b" and votes.get_text() == "▲ 42"
    code = with_thumb["links"].find("a", string="Code")
    assert code["href"] == "https://github.com/a/b" and code.parent.name == "b"
    text = abstract_only["text"].get_text()
    assert text.startswith("word word") and text.endswith("…") and len(text) <= 280
    assert abstract_only["li"]["data-th"] == elsewhere  # escaped once, read back whole
    assert "data-th" not in hostile["li"].attrs  # unsafe URLs are dropped
    assert hostile["links"].find("a", string="Code") is None


@pytest.mark.parametrize("url", ["days", "days/2026", "days/2026/03", "topics", "feeds"])
def test_tables_scroll_in_a_focusable_frame_with_numbers_right(built, url):
    root, _ = built
    doc = page(root.site, url)
    tables = doc.select("table")
    assert tables
    for table in tables:
        frame = table.parent
        assert frame["class"] == ["pa-table-wrap"] and frame["tabindex"] == "0"
        assert frame["role"] == "region" and frame["aria-label"]
        heads = table.select("thead th")
        for row in table.select("tbody tr"):
            for head, cell in zip(heads, row.find_all("td"), strict=True):
                number = cell.a is None and cell.get_text().strip().isdigit()  # a count
                assert ("pa-num" in cell.get("class", [])) == number, (url, cell)
                assert ("pa-num" in head.get("class", [])) == number, (url, head)


def test_topics_by_size_and_feeds_of_empty_topics_unlisted(built):
    root, _ = built
    archive = _grouped(root)
    rows = page(root.site, "topics").select("tbody tr")
    sizes = [int(r.find_all("td")[1].get_text()) for r in rows]
    assert sizes == sorted(sizes, reverse=True) and all(sizes)
    empty = [slug for slug, papers in archive.by_topic.items() if not papers]
    full = [slug for slug, papers in archive.by_topic.items() if papers]
    assert empty and full
    feeds_page = page(root.site, "feeds").get_text()
    opml = (root.site / "feeds.opml").read_text()
    for slug in empty:
        assert f"topics/{slug}/feed" not in feeds_page and f"topics/{slug}/feed" not in opml
        assert (root.site / f"topics/{slug}/feed.xml").is_file()  # its topic page links it
    for slug in full:
        assert f"topics/{slug}/feed.xml" in feeds_page and f"topics/{slug}/feed.xml" in opml


def _grouped(root):
    from generator.site.structure import Archive
    from generator.store.archive import load_archive
    from generator.topics import Taxonomy

    return Archive.group(load_archive(root.papers).papers, Taxonomy.load(root.topics))


def test_topics_and_other(built):
    root, _ = built
    other = page(root.site, "topics/other")
    assert [a.get_text() for a in other.select(TITLES)] == ["Something unrelated"]
    video = page(root.site, "topics/video")
    assert "Diffusion models for video" in [a.get_text() for a in video.select(TITLES)]


def test_every_internal_link_resolves(built):
    root, _ = built
    site = root.site
    checked = 0
    for index in site.rglob("index.html"):
        url = index.parent.relative_to(site).as_posix()
        url = "" if url == "." else url
        for tag in soup(index).find_all(["a", "link"], href=True):
            target = resolve(site, url, tag["href"])
            if target is not None:
                assert target.exists(), f"{url}: broken link {tag['href']}"
                checked += 1
    assert checked > 100


def test_related_papers_link_pages_with_literal_titles_outside_the_index(built):
    root, papers = built
    site = root.site
    listed, links = 0, set()
    for key in ("hostile", "top", "low", "prev", "next"):
        url = f"papers/{papers[key].id}"
        doc = page(site, url)
        section = doc.select_one("section.pa-related")
        assert section is not None, url
        assert doc.select_one("[data-pagefind-body] section.pa-related") is None, url
        for item in section.select("li"):
            link = item.find("a")
            links.add(resolve(site, url, link["href"]))
            target = soup(resolve(site, url, link["href"]))
            listed_id = resolve(site, url, link["href"]).parent.name
            title = next(p.title for k, p in papers.items() if k != "report" and p.id == listed_id)
            assert link.get_text() == title  # the title, as text (the h1 renders its LaTeX)
            listed += link.get_text() == HOSTILE_TITLE
            date = target.find("time", attrs={"data-pagefind-meta": "date"}).get_text()
            assert f" · {date} · shared: " in item.get_text()
    assert listed  # the hostile title is listed somewhere, and stayed text
    assert site / "papers/2603.00005/index.html" in links
    # Pagefind indexed no related title: "Robot arms" is only on its own page.
    fragments = [
        json.loads(gzip.decompress(f.read_bytes()).removeprefix(b"pagefind_dcd"))
        for f in (site / "pagefind/fragment").glob("*.pf_fragment")
    ]
    robots = [f["url"] for f in fragments if "Robot arms" in f["content"]]
    assert len(fragments) == 6 and len(robots) == 1 and robots[0].endswith("2603.00005/")


def test_every_page_links_the_rss_feed(built):
    root, _ = built
    for url in ("", "days/2026/03/06", "papers/2603.00002", "topics/video"):
        feeds = page(root.site, url).find_all("link", rel="alternate", type="application/rss+xml")
        hrefs = [resolve(root.site, url, f["href"]) for f in feeds]
        assert root.site / "feed.xml" in hrefs
    topic = page(root.site, "topics/video").find_all("link", rel="alternate")
    assert root.site / "topics/video/feed.xml" in [
        resolve(root.site, "topics/video", f["href"]) for f in topic
    ]


def test_paper_pages_stay_out_of_the_navigation(built):
    root, _ = built
    for url in ("", "papers/2603.00002"):
        # The pager of a paper page's own day is the one nav that links papers.
        nav_links = [a["href"] for a in page(root.site, url).select("nav:not(.pa-pager) a[href]")]
        assert not any("papers/" in h for h in nav_links), url


def test_paper_pages_carry_no_site_chrome_they_do_not_need(built):
    """Tens of thousands of paper pages: no sidebars, drawer button or repository widget
    (the page links its own source file); list pages keep them. The header tabs and the
    footer are the same as on every other page, so a reader can move on."""
    root, _ = built
    home, paper_page = page(root.site, ""), page(root.site, "papers/2603.00002")
    chrome = ".md-sidebar, .md-source, label.md-header__button[for=__drawer]"
    assert len(home.select(chrome)) >= 3
    assert paper_page.select(chrome) == []
    for shared in ("nav.md-tabs", "footer.md-footer"):
        assert paper_page.select_one(shared).get_text() == home.select_one(shared).get_text()
    tabs = [
        resolve(root.site, "papers/2603.00002", a["href"]) for a in paper_page.select(".md-tabs a")
    ]
    assert tabs == [
        root.site / u / "index.html" for u in ("", "days", "topics", "annotated", "about")
    ]
    assert paper_page.select_one(".pa-edit a[href*='/edit/main/papers/']")


def test_rebuild_is_deterministic_and_writes_nothing(built):
    root, _ = built
    before = {p: p.read_bytes() for p in root.docs.rglob("*") if p.is_file()}
    report = generate(root)
    assert report.written == 0 and report.removed == 0
    after = {p: p.read_bytes() for p in root.docs.rglob("*") if p.is_file()}
    assert before == after


def test_broken_paper_file_fails_with_path_and_line_and_writes_nothing(tmp_path):
    root = make_root(tmp_path)
    good = write_paper(root, paper("2603.00010", "2026-03-06"))
    generate(root)
    before = {p: p.read_bytes() for p in root.docs.rglob("*") if p.is_file()}
    bad = write_paper(root, paper("2603.00011", "2026-03-06"))
    bad.write_text(bad.read_text().replace("upvotes: 1", "upvotes: [1"), encoding="utf-8")
    wrong = write_paper(root, paper("2603.00012", "2026-03-07"))
    wrong.write_text(wrong.read_text().replace("upvotes: 1", "upvotes: many"), encoding="utf-8")
    with pytest.raises(BuildError) as info:
        generate(root)
    message = str(info.value)
    line_of = {
        path: next(
            n
            for n, line in enumerate(path.read_text().splitlines(), 1)
            if line.startswith("upvotes")
        )
        for path in (bad, wrong)
    }
    assert re.search(
        rf"{re.escape(str(wrong))}:{line_of[wrong]}: upvotes: expected a whole number", message
    )
    assert f"{bad}:" in message and "broken YAML" in message
    assert good.exists()
    assert before == {p: p.read_bytes() for p in root.docs.rglob("*") if p.is_file()}


def test_topic_split_by_month_when_large(tmp_path, monkeypatch):
    from generator.site import pages

    monkeypatch.setattr(pages, "TOPIC_PAGE_LIMIT", 3)
    root = make_root(tmp_path)
    start = dt.date(2026, 1, 30)
    for n in range(6):
        day = start + dt.timedelta(days=n)
        write_paper(root, paper(f"2601.{n:05d}", day.isoformat(), title=f"Video model {n}"))
    generate(root)
    topic = root.docs / "topics/video"
    assert sorted(p.name for p in topic.iterdir()) == [
        "2026-01.md",
        "2026-02.md",
        "feed.atom",
        "feed.json",
        "feed.xml",
        "index.md",
    ]


def test_feeds_in_the_built_site_parse_and_keep_text_literal(built):
    import feedparser

    root, _ = built
    main = feedparser.parse((root.site / "feed.xml").read_bytes())
    assert main.bozo == 0
    assert [e.title for e in main.entries][:2] == [
        "Robot arms after the weekend",
        "Something unrelated",
    ]
    hostile = next(e for e in main.entries if e.id == "https://arxiv.org/abs/2603.00001")
    # RSS titles are ambiguous; feedparser reports HTML-looking ones as text/html, and a
    # reader then shows them unescaped: the literal title, with no element in it.
    assert hostile.title_detail.type == "text/html"
    assert html.unescape(hostile.title) == HOSTILE_TITLE
    atom = feedparser.parse((root.site / "feed.atom").read_bytes())
    assert next(e.title for e in atom.entries if e.id.endswith("2603.00001")) == HOSTILE_TITLE
    topic = feedparser.parse((root.site / "topics/video/feed.xml").read_bytes())
    assert topic.bozo == 0 and "Diffusion models for video" in [e.title for e in topic.entries]
    opml = (root.site / "feeds.opml").read_text()
    assert "topics/video/feed.xml" in opml


def test_citations_bibtex_on_the_page_and_as_files(built):
    import bibtexparser

    root, _ = built
    doc = page(root.site, "papers/2603.00002")
    shown = doc.select_one(".pa-bibtex code").get_text()
    download = resolve(root.site, "papers/2603.00002", doc.select_one(".pa-cite-links a")["href"])
    assert download.read_text() == shown
    entry = bibtexparser.parse_string(shown).entries[0]
    assert entry["eprint"] == "2603.00002" and entry["author"] == "Ada Lovelace and Alan Turing"
    day = bibtexparser.parse_string((root.site / "days/2026/03/06.bib").read_text())
    assert [e["eprint"] for e in day.entries] == ["2603.00002", "2603.00001", "2603.00003"]
    # A topic page's download names the day files and ids it takes (pa-bib.js joins them).
    topic = page(root.site, "topics/video")
    link = topic.select_one("a[data-pa-bib]")
    shown = [a["href"].split("/")[-2] for a in topic.select(TITLES)]
    sources = [run.split(":") for run in link["data-pa-bib"].split()]
    assert [i for _, ids in sources for i in ids.split(",")] == shown
    for day, ids in sources:
        in_day = bibtexparser.parse_string((root.site / day).read_text())
        assert set(ids.split(",")) <= {e["eprint"] for e in in_day.entries}
    assert not list(root.site.glob("topics/*/papers.bib"))  # entries are not stored again
    keys = [
        e.key
        for p in root.site.glob("papers/*.bib")
        for e in bibtexparser.parse_string(p.read_text()).entries
    ]
    assert len(keys) == len(set(keys)) == 6
    # Every .bib the site publishes parses cleanly, and a paper has one key everywhere.
    key_of: dict[str, str] = {}
    for bib in root.site.rglob("*.bib"):
        library = bibtexparser.parse_string(bib.read_text())
        assert not library.failed_blocks, bib
        for e in library.entries:
            assert key_of.setdefault(e["eprint"], e.key) == e.key, bib
            assert e["author"] == "Ada Lovelace and Alan Turing", bib


def test_paper_head_has_citation_and_open_graph_tags(built):
    root, _ = built
    doc = page(root.site, "papers/2603.00002")
    meta = {
        m.get("name") or m.get("property"): m["content"]
        for m in doc.find_all("meta")
        if m.get("content") is not None
    }
    assert meta["citation_arxiv_id"] == "2603.00002"
    assert meta["citation_pdf_url"] == "https://arxiv.org/pdf/2603.00002"
    assert meta["citation_date"] == "2026/03/06"
    authors = [m["content"] for m in doc.find_all("meta", attrs={"name": "citation_author"})]
    assert authors == ["Ada Lovelace", "Alan Turing"]
    assert meta["og:url"] == "https://example.github.io/paper-archive/papers/2603.00002/"
    assert doc.find("link", rel="canonical")["href"] == meta["og:url"]


def test_open_data_export_is_published_gzipped(built):
    root, _ = built
    published = (root.site / "data/papers-2026.jsonl.gz").read_bytes()
    # A reproducible gzip member: no file name (FLG.FNAME unset), mtime 0.
    assert published[:3] == b"\x1f\x8b\x08"
    assert not published[3] & 0x08
    assert published[4:8] == bytes(4)
    text = gzip.decompress(published).decode("utf-8")
    assert text.endswith("\n")
    records = [json.loads(line) for line in text.splitlines()]
    assert [r["id"] for r in records] == [
        "2603.00004",
        "2603.00001",
        "2603.00002",
        "2603.00003",
        "2603.00005",
        "2603.00006",
    ]
    hostile = records[1]
    assert hostile["title"] == HOSTILE_TITLE and hostile["annotation"]["status"] == "reproduced"
    index = json.loads((root.site / "data/index.json").read_text())
    assert index["records"] == 6
    [entry] = index["files"]
    assert (root.site / entry["path"]).read_bytes() == published
    assert entry["url"] == "https://example.github.io/paper-archive/" + entry["path"]
    assert entry["uncompressed_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert not list(root.site.glob("data/*.jsonl"))


def test_new_arxiv_version_and_venue_show_without_relisting(tmp_path):
    root = make_root(tmp_path)
    write_paper(
        root,
        paper(
            "2603.00020",
            "2026-03-06",
            title="Versioned",
            version=3,
            updated=dt.date(2026, 4, 2),
            published=dt.date(2026, 3, 1),
            arxiv_comment="Accepted at ICLR 2026. 12 pages",
            doi="10.1000/xyz123",
            primary_category="cs.LG",
            categories=["cs.LG", "cs.CL"],
        ),
    )
    build_site(root)
    doc = page(root.site, "papers/2603.00020")
    venue = doc.find(class_="pa-paper__venue")
    assert venue.find(class_="pa-version").get_text() == "v3, updated 2026-04-02"
    assert venue.find(class_="pa-venue").get_text() == "Accepted at ICLR 2026. 12 pages"
    assert doc.find("meta", attrs={"name": "citation_doi"})["content"] == "10.1000/xyz123"
    assert "primaryClass = {cs.LG}" in doc.select_one(".pa-bibtex code").get_text()
    # Still listed once, on its first listing day (and as its month's and year's top paper).
    shown = {
        p.parent.relative_to(root.site).as_posix()
        for p in (root.site / "days").rglob("index.html")
        if "Versioned" in p.read_text()
    }
    assert shown == {"days/2026/03/06", "days/2026/03", "days/2026"}


def test_status_page_tells_empty_days_from_failed_ones(tmp_path):
    from generator.store.status import DayState, DayStatus, save_status

    root = make_root(tmp_path)
    write_paper(root, paper("2603.00030", "2026-03-06"))
    run = dt.date(2026, 3, 10)
    save_status(
        root,
        {
            dt.date(2026, 3, 6): DayStatus(dt.date(2026, 3, 6), DayState.COMPLETE, run, papers=1),
            dt.date(2026, 3, 7): DayStatus(dt.date(2026, 3, 7), DayState.EMPTY, run),
            dt.date(2026, 3, 9): DayStatus(
                dt.date(2026, 3, 9), DayState.FAILED, run, error="HTTP 500 <b>bad</b>"
            ),
        },
    )
    build_site(root)
    doc = page(root.site, "status")
    counts = doc.find(class_="pa-counts").get_text()
    assert "Last update 2026-03-10" in counts and "1 failed" in counts
    rows = [[td.get_text() for td in tr.find_all("td")][:3] for tr in doc.select("tbody tr")]
    assert rows == [
        ["2026-03-09", "failed", "0"],
        ["2026-03-07", "no papers (weekend)", "0"],
        ["2026-03-06", "papers", "1"],
    ]
    assert (
        doc.find("h2", string="Failed days")
        .find_next("li")
        .get_text()
        .startswith("2026-03-09: HTTP 500 <b>bad</b>")
    )
    assert doc.find("h2", string="Never fetched").find_next("p").get_text() == "2026-03-08"


def test_unreadable_status_file_fails_the_build_by_name(tmp_path):
    root = make_root(tmp_path)
    write_paper(root, paper("2603.00031", "2026-03-06"))
    (root.papers / "status.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(BuildError, match="status.json") as info:
        generate(root)
    # The build's error keeps what the status reader knew: the file and its line.
    assert info.value.path == root.papers / "status.json"
    assert info.value.line == 1


def test_an_empty_archive_builds(tmp_path):
    root = make_root(tmp_path)
    report = build_site(root)
    assert report.papers == 0
    home = page(root.site, "")
    assert "The archive is empty" in home.get_text()
    assert not (root.site / "pagefind").exists()


def test_two_files_with_one_id_fail_the_build_naming_both(tmp_path):
    root = make_root(tmp_path)
    one = write_paper(root, paper("2603.00040", "2026-03-06"))
    two = write_paper(root, paper("2603.00040", "2026-03-07"))
    with pytest.raises(BuildError) as info:
        generate(root)
    assert f"2603.00040: {one} and {two}" in str(info.value)
    assert not (root.docs / "papers").exists()


def test_edit_link_names_the_file_even_under_a_folder_called_papers(tmp_path):
    base = tmp_path / "papers" / "papers"  # a fork named "papers", checked out by Actions
    base.mkdir(parents=True)
    root = make_root(base)
    write_paper(root, paper("2603.00041", "2026-03-06"))
    generate(root)
    text = paper_content(root, "2603.00041")
    assert "/edit/main/papers/2026/03/06/2603.00041.md" in text
    assert "<code>papers/2026/03/06/2603.00041.md</code>" in text


def test_one_papers_notes_leave_nothing_in_the_next(tmp_path):
    """Notes share one Markdown converter: footnotes, abbreviations and link references of
    one paper's notes must not reach another's."""
    from generator.site.markup import render_notes

    first = "Fast[^1], see [the code][c]. *[LLM]: Large Language Model\n\n[^1]: a note\n\n"
    first += "[c]: https://example.org/code"
    second = "An LLM paper, with [the code][c]."
    alone = render_notes(second)
    assert "footnote" in render_notes(first) and "Large Language Model" in render_notes(first)
    assert render_notes(second) == alone
    assert "footnote" not in alone and "abbr" not in alone and "example.org" not in alone


def test_notes_cannot_load_images(tmp_path):
    from generator.site.markup import render_notes

    html = render_notes('![pixel](https://tracker.example/p.gif) <img src="x" onerror="a()">')
    assert "<img" not in html and "onerror" not in html


def test_annotation_with_only_invalid_values_does_not_count(tmp_path):
    """A file pushed without ``validate`` may hold values the site cannot show; they are
    left out, and a paper with nothing else shows no badge and is not listed as annotated."""
    root = make_root(tmp_path)
    invalid = """\
annotation:
  tags: ["Not A Slug", 7, "../x"]
  status: ["read"]
  links: [{title: Bad, url: "javascript:alert(1)"}, "https://example.org/plain-string"]
  contributors: [octocat]
"""
    write_paper(root, paper("2603.00051", "2026-03-06"), invalid)
    write_paper(root, paper("2603.00052", "2026-03-06"), "annotation:\n  tags: [fine, 'Not OK']\n")
    generate(root)
    bad = paper_content(root, "2603.00051")
    assert 'class="pa-annotation"' not in bad and "annotated:yes" not in bad
    good = paper_content(root, "2603.00052")
    assert 'href="../../tags/fine/"' in good and "Not OK" not in good and "annotated:yes" in good
    annotated = (root.docs / "annotated/index.md").read_text()
    assert "2603.00052" in annotated and "2603.00051" not in annotated
    day = (root.docs / "days/2026/03/06.md").read_text()
    assert day.count('class="pa-badge">annotated') == 1


def test_empty_states_say_what_the_page_is_for_and_what_to_do(tmp_path):
    """/annotated/, /tags/ and /status/ with nothing to list, and the 404 page: each says
    what it is for and links what to do next (annotate, the latest day, topics)."""
    root = make_root(tmp_path)
    write_paper(root, paper("2603.00040", "2026-03-05"))
    write_paper(root, paper("2603.00041", "2026-03-06"))
    build_site(root)
    site = root.site
    latest = site / "days/2026/03/06/index.html"
    annotate = site / "annotate/index.html"

    def links(url):
        doc = page(site, url)
        return doc, {resolve(site, url, a["href"]) for a in doc.select("article a[href]")}

    doc, targets = links("annotated")
    assert "No paper has a human annotation yet" in doc.find(class_="pa-empty").get_text()
    assert "Annotate this paper" in doc.find("ol").get_text()
    assert {latest, annotate} <= targets

    doc, targets = links("tags")
    assert "No paper has a tag yet" in doc.find(class_="pa-empty").get_text()
    assert "tags: [in-context-learning]" in doc.get_text()
    assert {annotate, site / "topics/index.html"} <= targets

    doc, targets = links("status")  # no papers/status.json: imported from a file
    text = " ".join(doc.get_text().split())
    assert "no submissions at weekends" in text and "expected, not failures" in text
    assert site / "days/index.html" in targets  # not the latest day: a new day rewrites less

    missing = soup(site / "404.html")
    assert missing.find("h1").get_text() == "Page not found"
    hrefs = {a["href"] for a in missing.select("article a[href]")}
    # Served for any missing path, so its links start at the site root, not beside it.
    assert hrefs == {
        "/paper-archive/",
        "/paper-archive/days/",
        "/paper-archive/topics/",
        "/paper-archive/annotate/",
    }


def test_the_archive_feed_carries_abstracts_and_subject_feeds_summaries(tmp_path):
    """The archive's feed gives each paper's abstract; its topic's and organization's feeds
    (many, and more every month) its AI summary, and the feeds page says so."""
    import feedparser

    root = make_root(tmp_path)
    abstract = "We study reasoning in large language models. " * 12
    write_paper(
        root,
        paper(
            "2603.00021",
            "2026-03-06",
            abstract=abstract,
            ai_summary="Reasoning, summed up.",
            organization={"name": "Org", "fullname": "Org Lab"},
        ),
    )
    build_site(root)
    archive = feedparser.parse((root.site / "feed.xml").read_bytes())
    assert [e.summary for e in archive.entries] == [abstract.strip()]
    subjects = [*root.site.glob("topics/*/feed.atom"), root.site / "orgs/org/feed.atom"]
    summaries = [[e.summary for e in feedparser.parse(f.read_bytes()).entries] for f in subjects]
    shown = [s for s in summaries if s]
    assert len(shown) >= 2 and all(s == ["Reasoning, summed up."] for s in shown)
    text = " ".join(page(root.site, "feeds").get_text().split())
    assert "the latest 50 papers with their abstracts" in text
    assert "organization's feed the latest 20, each with its summary" in text


def test_topic_org_tag_and_annotated_pages_list_one_row_per_paper(built):
    """Pages that list hundreds of papers show a row each, in a real list: the title link,
    upvotes, date and organization (not on the organization's own page), and the TL;DR
    when a person wrote one; all of it literal text."""
    root, _ = built
    expected = "▲ 5 · 2026-03-06 · <b>Org</b> Inc"
    for url in ("tags/classification", "annotated", "orgs/org"):
        doc = page(root.site, url)
        assert not doc.select(".pa-cards")
        (row,) = doc.select("ul.pa-rows > li")
        link, meta = row.find_all(recursive=False)[:2]
        assert resolve(root.site, url, link["href"]) == root.site / "papers/2603.00001/index.html"
        assert link.get_text() == HOSTILE_TITLE
        assert meta.get_text() == (expected if url != "orgs/org" else "▲ 5 · 2026-03-06")
        assert row.p.get_text() == "TL;DR Few-shot prompting makes it <b>competitive</b>."
        assert not row.select("b, script, svg")
    video = page(root.site, "topics/video")
    rows = {li.a.get_text(): li for li in video.select("ul.pa-rows > li")}
    assert rows["Diffusion models for video"].small.get_text() == "▲ 50 · 2026-03-06"
    assert rows["Diffusion models for video"].p is None  # no TL;DR, no text


@pytest.mark.parametrize(
    ("thumbnail", "ref"),
    [
        (f"{pages.THUMBNAILS}2603.00011.png", "2603.00011.png"),
        (f"{pages.THUMBNAILS}sub/2603.00011.png", f"{pages.THUMBNAILS}sub/2603.00011.png"),
        # a colon would make the name read as a URL scheme of its own: written whole
        (f"{pages.THUMBNAILS}x:y.png", f"{pages.THUMBNAILS}x:y.png"),
        ("https://img.example.org/2603.00011.png", "https://img.example.org/2603.00011.png"),
        ("javascript:alert(1)", ""),
        ('https://x.example/"><script>', ""),
        (None, ""),
    ],
)
def test_a_cards_thumbnail_is_its_file_name_in_the_folder_else_the_checked_url(thumbnail, ref):
    assert pages.thumb_ref(paper("2603.00011", "2026-03-06", thumbnail=thumbnail)) == ref


def test_generated_list_pages_carry_no_navigation_drawer(built):
    """Day, week, topic, organization and tag pages, out of the nav and thousands of them,
    have no navigation tree and no button for it (the logo leads home, as on paper pages);
    pages in the nav keep the drawer."""
    root, _ = built
    for url in ("days/2026/03/06", "days/2026/03", "days/2026", "weeks/2026-W10",
                "topics/video", "orgs/org", "tags/classification"):  # fmt: skip
        doc = page(root.site, url)
        assert not doc.select(".md-nav--primary, label[for='__drawer'].md-header__button"), url
        assert "pa-header--nodrawer" in doc.header["class"], url
        assert doc.find(class_="pa-nav").find("a"), url  # the page's own way on
    for url in ("", "days", "topics", "annotated"):
        doc = page(root.site, url)
        assert doc.select(".md-nav--primary") and "pa-header--nodrawer" not in doc.header["class"]
