"""Ranked weeks, months and years, the weekly digest, organizations and trends, on a real
``mkdocs build --strict``, read back with BeautifulSoup, feedparser and the JSON Feed schema."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import feedparser
import jsonschema
import pytest
from bs4 import BeautifulSoup
from sitekit import CARDS, REPO, TITLES, make_root, page, paper, resolve, write_paper

from generator.build import build_site
from generator.ids import SLUG, slugify
from generator.model import Paper
from generator.site import outputs, pages, structure, trends
from generator.site.structure import group_orgs

SCHEMA = json.loads((REPO / "tests" / "data" / "jsonfeed-1.1.schema.json").read_text("utf-8"))
HOSTILE = "<script>alert(1)</script>"
ORG_NAMES = {  # name -> slug
    "MHUGLab": "mhuglab",
    "../../x": "x",
    HOSTILE: "script-alert-1-script",
    "Zürich AI": "zurich-ai",
}
CJK = "模型实验室"
NEW_KEYWORD = "Diffusion Transformers"  # on 3 papers of March 2026, never before


def _org(name: str, fullname: str | None = None) -> dict[str, str]:
    return {"name": name, "fullname": fullname} if fullname else {"name": name}


def _papers() -> list[Paper]:
    return [
        # ISO week 2026-W10 (Mon 2 – Sun 8 March)
        paper(
            "2603.00001",
            "2026-03-02",
            upvotes=5,
            title=f"Hostile {HOSTILE}",
            organization=_org(HOSTILE, f"<b>{HOSTILE}</b> Inc"),
            ai_keywords=[NEW_KEYWORD, "benchmark"],
        ),
        paper(
            "2603.00002",
            "2026-03-06",
            upvotes=50,
            organization=_org("MHUGLab", "Multimedia Group"),
            ai_keywords=[NEW_KEYWORD.lower(), "benchmark"],
        ),
        paper("2603.00003", "2026-03-06", upvotes=20, organization=_org("../../x")),
        paper("2603.00004", "2026-03-06", upvotes=0, organization=_org("Zürich AI")),
        # 2026-W11
        paper(
            "2603.00005",
            "2026-03-09",
            upvotes=7,
            organization=_org(CJK),
            ai_keywords=[f"  {NEW_KEYWORD}  ", "rare thing"],
        ),
        paper("2603.00006", "2026-03-10", upvotes=9, organization=_org("MHUGLab")),
        # 2026-W12: the latest day, a week in progress
        paper("2603.00007", "2026-03-16", upvotes=99, ai_keywords=["rare thing", "benchmark"]),
        # February and January: the months before, for the rising keywords
        paper("2602.00001", "2026-02-10", organization=_org("MHUGLab"), ai_keywords=["benchmark"]),
        *(
            paper(f"2602.0000{n}", "2026-02-10", ai_keywords=["benchmark"], organization=org)
            for n, org in zip(range(2, 7), [_org("MHUGLab"), None, None, None, None], strict=True)
        ),
        paper("2601.00001", "2026-01-12", organization=_org("Meta-AI"), ai_keywords=["benchmark"]),
        # Two names, one slug: the one listed first keeps it.
        paper("2603.00008", "2026-03-02", upvotes=1, organization=_org("meta_ai")),
        # 30 December 2024 is in ISO week 1 of 2025.
        paper("2412.00001", "2024-12-30", upvotes=3),
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = make_root(tmp_path_factory.mktemp("discovery"))
    for p in _papers():
        write_paper(root, p)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pages, "WEEK_CARD_LIMIT", 2)  # so a week has a compact remainder
        patch.setattr(pages, "MONTH_TOP", 3)
        patch.setattr(pages, "TOPIC_PAGE_LIMIT", 3)  # so MHUGLab (4 papers) splits by month
        build_site(root)
    return root.root


def _site(built: Path) -> Path:
    return built / "site"


def _titles(html, select: str = TITLES) -> list[str]:
    return [a.get_text() for a in html.select(select)]


def _links_resolve(site: Path, url: str, soup_) -> None:
    for a in soup_.select("article a[href], .pa-list a[href]"):
        target = resolve(site, url, a["href"])
        assert target is None or target.is_file(), (url, a["href"])


# -- weeks -----------------------------------------------------------------------------


def test_week_page_ranks_its_papers_and_links_its_days_and_neighbours(built):
    site = _site(built)
    html = page(site, "weeks/2026-W10")
    assert _titles(html, f"{CARDS} > p:first-of-type > a") == [
        "Paper 2603.00002",
        "Paper 2603.00003",
    ]  # 50, 20 upvotes
    rest = [li.a.get_text() for li in html.select("ol.pa-rest li")]
    assert rest == [f"Hostile {HOSTILE}", "Paper 2603.00008", "Paper 2603.00004"]  # 5, 1, 0
    assert html.select_one("ol.pa-rest")["start"] == "3"
    nav = {a.get_text(): a["href"] for a in html.select(".pa-nav a")}
    assert nav["← previous week"] == "../../weeks/2026-W07/"  # the previous week that has papers
    assert nav["next week →"] == "../../weeks/2026-W11/"
    days_line = next(p for p in html.select(".pa-list > p") if "Days:" in p.get_text())
    assert [a["href"] for a in days_line.select("a")] == [
        "../../days/2026/03/02/",
        "../../days/2026/03/06/",
    ]
    _links_resolve(site, "weeks/2026-W10/", html)
    day = page(site, "days/2026/03/06")
    assert day.find("a", string="week 10")["href"] == "../../../../weeks/2026-W10/"


def test_weeks_index_lists_every_week_newest_first(built):
    html = page(_site(built), "weeks")
    rows = [tr.td.get_text() for tr in html.select("tbody tr")]
    assert rows == ["2026-W12", "2026-W11", "2026-W10", "2026-W07", "2026-W03", "2025-W01"]
    assert (_site(built) / "weeks/2025-W01/index.html").is_file()


def test_month_and_year_pages_show_their_most_upvoted(built):
    site = _site(built)
    month = page(site, "days/2026/03")
    assert _titles(month, f"{CARDS} > p:first-of-type > a") == [
        "Paper 2603.00007",
        "Paper 2603.00002",
        "Paper 2603.00003",
    ]
    year = page(site, "days/2026")
    titles = _titles(year, "ol.pa-rows > li > a")
    assert titles[:2] == ["Paper 2603.00007", "Paper 2603.00002"]
    assert len(titles) == 15  # every 2026 paper: fewer than YEAR_TOP
    _links_resolve(site, "days/2026/", year)


# -- the weekly digest -----------------------------------------------------------------


def test_weekly_digest_has_one_entry_per_finished_week(built):
    docs = built / "docs"
    rss = feedparser.parse((docs / "weekly.xml").read_bytes())
    atom = feedparser.parse((docs / "weekly.atom").read_bytes())
    assert not rss.bozo and not atom.bozo
    for feed in (rss, atom):
        links = [e.link for e in feed.entries]
        # W12 is in progress (its Sunday is after the latest day): not in the digest yet.
        assert links == [
            f"https://example.github.io/paper-archive/weeks/{w}/"
            for w in ("2026-W11", "2026-W10", "2026-W07", "2026-W03", "2025-W01")
        ]
        first = feed.entries[1]  # 2026-W10, dated its Sunday
        assert first.published_parsed[:3] == (2026, 3, 8)
        body = soup_of(first.get("content", [{}])[0].get("value") or first.description)
        assert [a.get_text() for a in body.select("li a")] == [
            "Paper 2603.00002",
            "Paper 2603.00003",
            f"Hostile {HOSTILE}",
            "Paper 2603.00008",
            "Paper 2603.00004",
        ]
        assert body.find("script") is None and body.find("b") is None
    data = json.loads((docs / "weekly.json").read_text("utf-8"))
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert [i["date_published"] for i in data["items"]][:2] == [
        "2026-03-15T00:00:00Z",
        "2026-03-08T00:00:00Z",
    ]
    assert "1. Paper 2603.00002 (▲ 50)" in data["items"][1]["content_text"]


def soup_of(text: str):
    return BeautifulSoup(text, "html.parser")


def test_weekly_digest_is_in_the_opml_list_and_on_the_feeds_page(built):
    opml = ElementTree.parse(built / "docs" / "feeds.opml")
    feeds = [o.get("xmlUrl") for o in opml.iter("outline")]
    assert "https://example.github.io/paper-archive/weekly.xml" in feeds
    assert not [f for f in feeds if "/orgs/" in f]  # organizations: on their own pages
    html = page(_site(built), "feeds")
    assert "https://example.github.io/paper-archive/weekly.xml" in html.get_text()


def test_weekly_digest_leaves_a_week_out_until_a_later_day_is_listed():
    from generator.topics import Taxonomy

    taxonomy = Taxonomy.load(REPO / "topics.yml")
    sunday = paper("2603.00001", "2026-03-08")
    archive = structure.Archive.group([sunday], taxonomy)
    assert outputs.weekly_digest(archive) == []
    archive = structure.Archive.group([sunday, paper("2603.00002", "2026-03-09")], taxonomy)
    assert [e.day for e in outputs.weekly_digest(archive)] == [dt.date(2026, 3, 8)]


# -- organizations ---------------------------------------------------------------------


def test_every_organization_has_a_page_at_its_safe_slug(built):
    site = _site(built)
    listed = {
        a["href"].removeprefix("../orgs/").rstrip("/")
        for a in page(site, "orgs").select("tbody a[href$='/']")
    }
    cjk = "org-" + hashlib.sha256(CJK.encode("utf-8")).hexdigest()[:8]
    expected = {*ORG_NAMES.values(), cjk, "meta-ai"}
    assert len(listed) == len(expected) + 1  # meta_ai came second: its slug is hashed
    assert expected <= listed
    for slug in listed:
        assert SLUG.fullmatch(slug), slug
        assert (site / "orgs" / slug / "index.html").is_file()
        assert (site / "orgs" / slug / "feed.xml").is_file()
    # Nothing escaped the orgs/ folder or named a file after the raw names.
    assert not (built / "x").exists() and not (site / "x").exists()
    assert not list(site.rglob("*<*")) and not list((built / "docs").rglob("*<*"))


def test_organizations_are_listed_by_paper_count(built):
    rows = page(_site(built), "orgs").select("tbody tr")
    counts = [int(tr.select("td")[1].get_text()) for tr in rows]
    assert counts == sorted(counts, reverse=True)
    assert rows[0].a.get_text() == "Multimedia Group"


def test_organization_page_escapes_names_and_links_back(built):
    site = _site(built)
    # Parsed as browsers do: <title> holds text only (RCDATA), where the minifier leaves "<"
    # unescaped; Python's html.parser would take that text for tags.
    text = (site / "orgs/script-alert-1-script/index.html").read_text(encoding="utf-8")
    html = BeautifulSoup(text, "lxml")
    assert html.find("script", string=lambda s: s and "alert(1)" in s) is None
    assert html.h1.find("b") is None
    assert html.h1.get_text() == f"<b>{HOSTILE}</b> Inc"
    assert html.find("code").get_text() == HOSTILE
    _links_resolve(site, "orgs/script-alert-1-script/", html)


def test_cards_and_paper_pages_link_the_organization(built):
    site = _site(built)
    day = page(site, "days/2026/03/06")
    link = day.find("a", string="Multimedia Group")
    assert resolve(site, "days/2026/03/06/", link["href"]) == site / "orgs/mhuglab/index.html"
    paper_page = page(site, "papers/2603.00001")
    org = paper_page.select_one("a.pa-org")
    assert org.get_text() == f"<b>{HOSTILE}</b> Inc"
    assert org["href"] == "../../orgs/script-alert-1-script/"
    assert org["data-pagefind-filter"] == "organization"


def test_a_large_organization_is_split_by_month(built):
    site = _site(built)
    html = page(site, "orgs/mhuglab")
    months = [a["href"] for a in html.select(".pa-months a")]
    assert months == ["../../orgs/mhuglab/2026-03/", "../../orgs/mhuglab/2026-02/"]
    march = page(site, "orgs/mhuglab/2026-03")
    assert _titles(march, ".pa-rows > li > a") == ["Paper 2603.00006", "Paper 2603.00002"]


def test_organization_feed_parses(built):
    feed = feedparser.parse((built / "docs/orgs/mhuglab/feed.xml").read_bytes())
    assert not feed.bozo
    ids = [e.link.rsplit("/", 2)[-2] for e in feed.entries]
    assert ids[:2] == ["2603.00006", "2603.00002"] and len(ids) == 4
    data = json.loads((built / "docs/orgs/mhuglab/feed.json").read_text("utf-8"))
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)


def _with_org(pid: str, day: str, name: str) -> Paper:
    return paper(pid, day, organization=_org(name))


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("a/b\\c", "a-b-c"),
        ("Ünïcödé Lab", "unicode-lab"),  # accents fold
        # Letters that are no base letter plus an accent fold too.
        ("Łódź Tech", "lodz-tech"),
        ("Københavns Universitet", "kobenhavns-universitet"),
        ("Technische Universität Straße", "technische-universitat-strasse"),
        ("ŒUVRE Æsir Þing", "oeuvre-aesir-thing"),
        ("  MIT  ", "mit"),
        ("x" * 300, "x" * structure.SLUG_MAX),
    ],
)
def test_slug_rule(name, slug):
    orgs = group_orgs([_with_org("2603.00001", "2026-03-02", name)])
    assert list(orgs) == [slug]


def test_a_name_empty_after_slugging_gets_a_hashed_slug_and_blank_names_none():
    orgs = group_orgs(
        [
            _with_org("2603.00001", "2026-03-02", "!!!"),
            _with_org("2603.00002", "2026-03-02", CJK),
            _with_org("2603.00003", "2026-03-02", "   "),
        ]
    )
    assert len(orgs) == 2 and all(s.startswith("org-") and SLUG.fullmatch(s) for s in orgs)
    assert {o.name for o in orgs.values()} == {"!!!", CJK}
    assert slugify(CJK) == ""


def test_colliding_names_keep_their_slugs_whatever_comes_later():
    early = _with_org("2601.00001", "2026-01-05", "Meta-AI")
    late = _with_org("2603.00001", "2026-03-02", "meta_ai")
    newest_first = sorted([early, late], key=structure.newest_first)
    orgs = group_orgs(newest_first)
    assert orgs["meta-ai"].name == "Meta-AI"
    (other,) = (s for s in orgs if s != "meta-ai")
    assert other.startswith("meta-ai-") and SLUG.fullmatch(other)
    # A newcomer never moves a published page: the early name keeps its slug alone too.
    assert list(group_orgs([early])) == ["meta-ai"]


# -- trends ----------------------------------------------------------------------------


def test_trends_page_has_a_chart_and_a_table_for_the_archive_and_each_topic(built):
    site = _site(built)
    html = page(site, "trends")
    figures = html.select("section.pa-chart")
    assert figures[0]["id"] == "archive" and figures[1]["id"].startswith("topic-")
    assert len(figures) >= 2  # the archive and at least one topic
    months = 2026 * 12 + 3 - (2024 * 12 + 12) + 1  # Dec 2024 to Mar 2026, empty months too
    for figure in figures:
        img = figure.img
        assert img["alt"].startswith("Bar chart of papers per month")
        svg_path = resolve(site, "trends/", img["src"])
        svg = ElementTree.parse(svg_path).getroot()
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        title = svg.find("{http://www.w3.org/2000/svg}title")
        assert title is not None and title.text.endswith("papers per month")
        assert svg.find(".//{http://www.w3.org/2000/svg}script") is None
        rows = figure.select("table tbody tr")
        assert len(rows) == months
        assert sum(int(r.select("td")[1].get_text()) for r in rows) == int(
            figure.figcaption.get_text().rsplit(": ", 1)[1].split()[0]
        )
    whole = {r.td.get_text(): r.select("td")[1].get_text() for r in figures[0].select("tbody tr")}
    assert whole["Mar 2026"] == "8" and whole["Feb 2026"] == "6" and whole["Apr 2025"] == "0"


def test_trends_lists_rising_keywords_with_a_minimum_count(built):
    html = page(_site(built), "trends")
    table = html.find("h2", id="rising").find_next("table")
    rows = [[td.get_text() for td in tr.select("td")] for tr in table.select("tbody tr")]
    # 3 of 8 March papers; 0 of the 7 papers of Dec–Feb, counted as 1: (3/8) / (1/7).
    assert rows[0][:3] == [NEW_KEYWORD, "3", "0"]
    assert float(rows[0][3]) == pytest.approx(3 / 8 * 7, abs=0.01)
    keywords = [r[0] for r in rows]
    assert "rare thing" not in keywords  # would score 1.75, but is on 2 papers this month
    assert "benchmark" not in keywords  # on every paper before: not rising


def test_rising_score_and_window():
    from generator.topics import Taxonomy

    taxonomy = Taxonomy.load(REPO / "topics.yml")
    now = [paper(f"2603.0000{i}", "2026-03-02", ai_keywords=["new idea"]) for i in range(1, 5)]
    before = [paper(f"2512.0000{i}", "2025-12-01", ai_keywords=["old"]) for i in range(1, 3)]
    too_old = [paper("2511.00001", "2025-11-30", ai_keywords=["new idea"])]  # outside the 3
    rising = trends.rising_keywords(structure.Archive.group(now + before + too_old, taxonomy))
    assert rising.month == (2026, 3)
    assert rising.before == [(2025, 12), (2026, 1), (2026, 2)]
    assert rising.rows == [("new idea", 4, 0, 2.0)]  # (4/4) / ((0+1)/2)
    alone = structure.Archive.group(now, taxonomy)
    assert trends.rising_keywords(alone) is None  # nothing to compare with


def test_charts_are_byte_identical_across_processes():
    code = (
        "from generator.site.trends import chart_svg;"
        "import sys; sys.stdout.write(chart_svg('T', [(2026, m) for m in range(1, 13)], "
        "list(range(12))))"
    )
    outs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
        ).stdout
        for seed in ("1", "2")
    ]
    assert outs[0] == outs[1] and "<svg" in outs[0]
    assert "dc:date" not in outs[0] and "Matplotlib v" not in outs[0]
