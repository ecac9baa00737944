"""Feeds are checked the way a reader sees them: parsed by feedparser (RSS, Atom), by
jsonschema against the JSON Feed 1.1 schema, and by an XML parser (OPML)."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import html
import json
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import jsonschema
import pytest

from generator.model import Paper
from generator.site import feeds
from generator.site.feeds import FEED_LIMIT, SUBJECT_FEED_LIMIT, FeedSpec
from generator.site.markup import clean_text
from generator.site.pages import CARD_TEXT, card_text
from generator.sources.items import parse_item

SAMPLES = Path(__file__).parent / "data"
SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8")
)
SITE = "https://example.github.io/paper-archive/"
SPEC = FeedSpec(
    title="Daily Papers archive — Reasoning",
    description="Newest papers on reasoning",
    site_url=SITE,
    page_path="topics/reasoning/",
    feed_path="topics/reasoning/feed",
)
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{ x }} and {% raw %} and {# c #}",
    "$x_1$ and $$\\frac{a}{b}$$",
    "]]> then <![CDATA[ x ]]>",
    "Tom & Jerry &amp; &lt;b&gt; &#60;i&#62;",
    "Ünïcödé — 日本語 — emoji 🧪 — right-to-left עברית",
    '"quoted" and \'single\' <a href="javascript:x">link</a>',
    "**bold** _em_ [link](http://x) # heading",
]
CONTROL = "keep\ttab\x00null\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x1f end"
CONTROL_CLEAN = "keep\ttabnull end"


def seed_papers() -> list[Paper]:
    items = json.loads((SAMPLES / "seed_papers.json").read_text(encoding="utf-8"))
    papers = [
        parse_item(item, fallback_listed=dt.date(2026, 1, 1), fetched=dt.date(2026, 1, 2))
        for item in items
    ]
    # Listed on distinct days so that order and dates are observable.
    papers = [
        p.replace(listed=dt.date(2026, 3, 1) - dt.timedelta(days=i)) for i, p in enumerate(papers)
    ]
    return papers


def hostile_papers() -> list[Paper]:
    return [
        Paper(
            id=f"2603.{10000 + i}",
            title=text,
            listed=dt.date(2026, 3, 6),
            authors=[text, "José García-López"],
            abstract=text,
        )
        for i, text in enumerate(HOSTILE)
    ]


def hostile_topics(papers: list[Paper]) -> dict[str, list[str]]:
    return {p.id: [p.title, "Reasoning"] for p in papers}


def midnight_struct(day: dt.date) -> tuple[int, int, int, int, int, int]:
    return (day.year, day.month, day.day, 0, 0, 0)


def entry_day(entry) -> tuple[int, ...]:
    return tuple(entry.published_parsed[:6])


def rss_text(detail_value: str, detail_type: str) -> str:
    """What a reader displays: feedparser reports RSS text it takes for HTML as text/html."""
    return html.unescape(detail_value) if detail_type == "text/html" else detail_value


# -- RSS ---------------------------------------------------------------------------------


def test_rss_parses_cleanly_with_item_fields():
    papers = seed_papers()
    papers[1] = papers[1].replace(annotation={"tldr": "A short human summary."})
    topics = {papers[0].id: ["Reasoning", "Data"]}
    raw = feeds.render_rss(SPEC, papers, topics=topics)
    parsed = feedparser.parse(raw)

    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == SPEC.title
    assert parsed.feed.link == SITE + "topics/reasoning/"
    assert len(parsed.entries) == len(papers)
    for paper, entry in zip(papers, parsed.entries, strict=True):
        assert rss_text(entry.title, entry.title_detail.type) == paper.title
        assert entry.link == f"{SITE}papers/{paper.id}/"
        assert entry.id == f"https://arxiv.org/abs/{paper.id}"
        assert entry_day(entry) == midnight_struct(paper.listed)
        assert [a["name"] for a in entry.authors] == paper.authors
        expected = paper.tldr or paper.abstract
        assert rss_text(entry.summary, entry.summary_detail.type) == expected
    assert [t.term for t in parsed.entries[0].tags] == ["Reasoning", "Data"]
    assert "tags" not in parsed.entries[2]
    assert parsed.entries[1].summary == "A short human summary."


def test_rss_guid_is_a_permalink_and_channel_dates_come_from_the_newest_paper():
    papers = seed_papers()
    root = ElementTree.fromstring(feeds.render_rss(SPEC, papers).encode("utf-8"))
    guids = root.findall("./channel/item/guid")
    assert [g.text for g in guids] == [p.arxiv_url for p in papers]
    assert {g.get("isPermaLink") for g in guids} == {"true"}
    parsed = feedparser.parse(feeds.render_rss(SPEC, papers))
    newest = max(p.listed for p in papers)
    assert tuple(parsed.feed.updated_parsed[:6]) == midnight_struct(newest)
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [SITE + "topics/reasoning/feed.xml"]


def test_rss_hostile_text_comes_out_as_literal_text():
    papers = hostile_papers()
    raw = feeds.render_rss(SPEC, papers, topics=hostile_topics(papers))
    parsed = feedparser.parse(raw)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    for text, entry in zip(HOSTILE, parsed.entries, strict=True):
        assert rss_text(entry.title, entry.title_detail.type) == text
        assert rss_text(entry.summary, entry.summary_detail.type) == text
        assert entry.authors[0]["name"] == text
        assert entry.tags[0].term == text
    # Nothing in the document is markup other than the RSS vocabulary itself.
    root = ElementTree.fromstring(raw.encode("utf-8"))
    tags = {el.tag.rsplit("}", 1)[-1] for el in root.iter()}
    assert tags <= {
        "rss", "channel", "title", "link", "description", "docs", "generator", "language",
        "lastBuildDate", "item", "guid", "category", "pubDate", "creator",
    }  # fmt: skip


# -- Atom --------------------------------------------------------------------------------


def test_atom_parses_cleanly_with_entry_fields():
    papers = seed_papers()
    papers[0] = papers[0].replace(annotation={"tldr": "Human TL;DR <b>not bold</b>."})
    topics = {p.id: ["Efficient inference"] for p in papers}
    parsed = feedparser.parse(feeds.render_atom(SPEC, papers, topics=topics))

    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id == SITE + "topics/reasoning/feed.atom"
    assert parsed.feed.link == SITE + "topics/reasoning/"
    newest = max(p.listed for p in papers)
    assert tuple(parsed.feed.updated_parsed[:6]) == midnight_struct(newest)
    for paper, entry in zip(papers, parsed.entries, strict=True):
        assert entry.id == paper.arxiv_url
        assert entry.link == f"{SITE}papers/{paper.id}/"
        assert entry.title == paper.title
        assert entry.summary == (paper.tldr or paper.abstract)
        assert entry.summary_detail.type == "text/plain"
        assert entry_day(entry) == midnight_struct(paper.listed)
        assert [a["name"] for a in entry.authors] == paper.authors
        assert [t.term for t in entry.tags] == ["Efficient inference"]
    assert parsed.entries[0].summary == "Human TL;DR <b>not bold</b>."


def test_atom_hostile_text_comes_out_as_literal_text():
    papers = hostile_papers()
    parsed = feedparser.parse(feeds.render_atom(SPEC, papers, topics=hostile_topics(papers)))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    for text, entry in zip(HOSTILE, parsed.entries, strict=True):
        assert entry.title == text
        assert entry.title_detail.type == "text/plain"
        assert entry.summary == text
        assert entry.authors[0]["name"] == text
        assert entry.tags[0].term == text


# -- JSON Feed ---------------------------------------------------------------------------


def validate_json_feed(raw: str) -> dict:
    feed = json.loads(raw)
    jsonschema.validate(feed, SCHEMA, cls=jsonschema.Draft202012Validator)
    # What the schema language cannot say: absolute URLs, RFC 3339 dates, no next_url loop.
    for item in feed["items"]:
        assert dt.datetime.fromisoformat(item["date_published"]).tzinfo is not None
        for key in ("url", "external_url"):
            assert item[key].startswith("https://")
    assert feed.get("next_url") != feed.get("feed_url")
    return feed


def test_json_feed_validates_against_the_json_feed_schema():
    papers = seed_papers()
    papers[2] = papers[2].replace(annotation={"tldr": "Human summary."})
    topics = {papers[0].id: ["Reasoning", "Agents"]}
    feed = validate_json_feed(feeds.render_json_feed(SPEC, papers, topics=topics))

    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == SPEC.title
    assert feed["home_page_url"] == SITE + "topics/reasoning/"
    assert feed["feed_url"] == SITE + "topics/reasoning/feed.json"
    assert len(feed["items"]) == len(papers)
    for paper, item in zip(papers, feed["items"], strict=True):
        assert item["id"] == paper.arxiv_url
        assert item["url"] == f"{SITE}papers/{paper.id}/"
        assert item["title"] == paper.title
        assert item["content_text"] == (paper.tldr or paper.abstract)
        assert item["date_published"] == f"{paper.listed.isoformat()}T00:00:00Z"
        assert [a["name"] for a in item["authors"]] == paper.authors
    assert feed["items"][0]["tags"] == ["Reasoning", "Agents"]
    assert feed["items"][2]["content_text"] == "Human summary."


def test_schema_rejects_what_the_spec_forbids():
    """The schema itself must be able to fail, or validating against it proves nothing."""
    good = json.loads(feeds.render_json_feed(SPEC, seed_papers()[:1]))
    jsonschema.validate(good, SCHEMA)
    broken = [
        {k: v for k, v in good.items() if k != "version"},
        {**good, "version": "https://jsonfeed.org/version/1"},
        {**good, "items": [{k: v for k, v in good["items"][0].items() if k != "id"}]},
        {**good, "items": [{k: v for k, v in good["items"][0].items() if k != "content_text"}]},
        {**good, "items": [{**good["items"][0], "authors": [{}]}]},
        {**good, "items": [{**good["items"][0], "id": 1}]},
        {**good, "titel": "typo"},
    ]
    for doc in broken:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(doc, SCHEMA)
    jsonschema.validate({**good, "_ext": {"about": "x"}}, SCHEMA)


def test_json_feed_hostile_text_round_trips():
    papers = hostile_papers()
    feed = validate_json_feed(feeds.render_json_feed(SPEC, papers, topics=hostile_topics(papers)))
    for text, item in zip(HOSTILE, feed["items"], strict=True):
        assert item["title"] == text
        assert item["content_text"] == text
        assert item["authors"][0]["name"] == text
        assert item["tags"][0] == text
        assert "content_html" not in item


# -- shared behaviour --------------------------------------------------------------------

RENDERERS = [feeds.render_rss, feeds.render_atom, feeds.render_json_feed]


def item_ids(render, raw: str) -> list[str]:
    if render is feeds.render_json_feed:
        return [item["id"] for item in json.loads(raw)["items"]]
    return [entry.id for entry in feedparser.parse(raw).entries]


@pytest.mark.parametrize("render", RENDERERS)
def test_only_the_first_feed_limit_papers_in_the_given_order(render):
    base = seed_papers()
    papers = [
        base[i % len(base)].replace(id=f"2602.{20000 + i}", listed=dt.date(2026, 2, 1))
        for i in range(FEED_LIMIT + 13)
    ]
    ids = item_ids(render, render(SPEC, papers))
    assert ids == [f"https://arxiv.org/abs/2602.{20000 + i}" for i in range(FEED_LIMIT)]


def item_texts(render, raw: str) -> list[str]:
    if render is feeds.render_json_feed:
        return [item["content_text"] for item in validate_json_feed(raw)["items"]]
    parsed = feedparser.parse(raw)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return [rss_text(e.summary, e.summary_detail.type) for e in parsed.entries]


@pytest.mark.parametrize("render", RENDERERS)
def test_a_subject_feed_holds_fewer_papers_each_with_its_summary(render):
    """A topic's, tag's or organization's feed: the newest SUBJECT_FEED_LIMIT papers, each with
    the TL;DR, else the AI summary, else the abstract cut short; the archive's feed (SPEC's
    defaults) keeps the whole abstract."""
    base = seed_papers()
    summary = "A machine summary of the paper."
    papers = [
        base[i % len(base)].replace(
            id=f"2602.{20000 + i}",
            listed=dt.date(2026, 2, 1),
            ai_summary=summary if i % 3 == 1 else None,
            annotation={"tldr": "A human TL;DR."} if i % 3 == 2 else None,
        )
        for i in range(SUBJECT_FEED_LIMIT + 7)
    ]
    subject = dataclasses.replace(SPEC, limit=SUBJECT_FEED_LIMIT, abstracts=False)
    raw = render(subject, papers)
    assert item_ids(render, raw) == [p.arxiv_url for p in papers[:SUBJECT_FEED_LIMIT]]
    texts = item_texts(render, raw)
    for paper, text in zip(papers, texts, strict=False):
        if paper.tldr:
            assert text == "A human TL;DR."
        elif paper.ai_summary:
            assert text == summary
        else:
            assert text == card_text(paper) and text.endswith("…") and len(text) <= CARD_TEXT
            assert len(text) < len(" ".join(paper.abstract.split()))
    full = item_texts(render, render(SPEC, papers))
    assert len(full) == len(papers) and full[0] == clean_text(papers[0].abstract)
    assert full[1] == clean_text(papers[1].abstract)  # the AI summary only in subject feeds


@pytest.mark.parametrize("render", RENDERERS)
def test_output_is_deterministic_and_free_of_the_clock(render):
    papers = seed_papers()
    first = render(SPEC, papers, topics={papers[0].id: ["Reasoning"]})
    again = render(SPEC, [p.replace() for p in papers], topics={papers[0].id: ["Reasoning"]})
    assert first == again
    assert str(dt.datetime.now(dt.UTC).year + 1) not in first
    today = dt.datetime.now(dt.UTC).date()
    assert today.isoformat() not in first
    assert today.strftime("%d %b %Y") not in first


@pytest.mark.parametrize("render", RENDERERS)
def test_xml_forbidden_control_characters_are_stripped(render):
    paper = Paper(
        id="2603.00001",
        title=CONTROL,
        listed=dt.date(2026, 3, 6),
        authors=[CONTROL],
        abstract=CONTROL,
    )
    raw = render(SPEC, [paper], topics={paper.id: [CONTROL]})
    if render is feeds.render_json_feed:
        item = validate_json_feed(raw)["items"][0]
        title, summary, author, tag = (
            item["title"], item["content_text"], item["authors"][0]["name"], item["tags"][0]
        )  # fmt: skip
    else:
        parsed = feedparser.parse(raw)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        entry = parsed.entries[0]
        title, author, tag = entry.title, entry.authors[0]["name"], entry.tags[0].term
        summary = rss_text(entry.summary, entry.summary_detail.type)
    assert title == summary == author == tag == CONTROL_CLEAN


@pytest.mark.parametrize("render", RENDERERS)
def test_empty_feed_is_still_valid(render):
    raw = render(SPEC, [])
    if render is feeds.render_json_feed:
        assert validate_json_feed(raw)["items"] == []
    else:
        parsed = feedparser.parse(raw)
        assert parsed.bozo == 0
        assert parsed.entries == []
        assert parsed.feed.title == SPEC.title


def test_paper_without_abstract_falls_back_to_its_title():
    paper = Paper(id="2603.00002", title="Only a title", listed=dt.date(2026, 3, 6))
    assert feedparser.parse(feeds.render_atom(SPEC, [paper])).entries[0].summary == "Only a title"
    item = validate_json_feed(feeds.render_json_feed(SPEC, [paper]))["items"][0]
    assert item["content_text"] == "Only a title"
    assert "authors" not in item


def test_pub_date_is_midnight_utc_of_the_listing_day():
    paper = seed_papers()[0].replace(listed=dt.date(2024, 2, 29))
    entry = feedparser.parse(feeds.render_rss(SPEC, [paper])).entries[0]
    assert calendar.timegm(entry.published_parsed) == calendar.timegm((2024, 2, 29, 0, 0, 0))


def test_feed_spec_paths_and_validation():
    assert SPEC.rss_url == SITE + "topics/reasoning/feed.xml"
    assert SPEC.atom_url == SITE + "topics/reasoning/feed.atom"
    assert SPEC.json_url == SITE + "topics/reasoning/feed.json"
    with pytest.raises(ValueError, match="end with '/'"):
        FeedSpec("t", "d", "https://example.org", "", "feed")
    with pytest.raises(ValueError, match="site-relative"):
        FeedSpec("t", "d", SITE, "/topics/x/", "topics/x/feed")


# -- OPML --------------------------------------------------------------------------------


def test_opml_lists_every_feed_with_its_urls():
    specs = [
        FeedSpec("Daily Papers archive", "Everything", SITE, "", "feed"),
        SPEC,
        FeedSpec(HOSTILE[0], HOSTILE[5], SITE, "tags/x/", "tags/x/feed"),
    ]
    raw = feeds.render_opml(specs, title="Daily Papers archive feeds & more", site_url=SITE)
    assert raw == feeds.render_opml(specs, title="Daily Papers archive feeds & more", site_url=SITE)
    root = ElementTree.fromstring(raw.encode("utf-8"))
    assert root.tag == "opml"
    assert root.get("version") == "2.0"
    assert root.findtext("./head/title") == "Daily Papers archive feeds & more"
    outlines = root.findall("./body/outline")
    assert [o.get("xmlUrl") for o in outlines] == [
        SITE + "feed.xml",
        SITE + "topics/reasoning/feed.xml",
        SITE + "tags/x/feed.xml",
    ]
    assert [o.get("htmlUrl") for o in outlines] == [
        SITE,
        SITE + "topics/reasoning/",
        SITE + "tags/x/",
    ]
    assert {o.get("type") for o in outlines} == {"rss"}
    assert outlines[2].get("text") == HOSTILE[0]
    assert outlines[2].get("description") == HOSTILE[5]
    assert list(outlines[2]) == []


def test_rss_plain_titles_with_ampersands_are_not_double_escaped():
    """Plain-text readers would show '&amp;' for 'R&D' if every title were HTML-escaped."""
    paper = seed_papers()[0].replace(title="R&D for Q&A: 5 > 3")
    raw = feeds.render_rss(SPEC, [paper])
    root = ElementTree.fromstring(raw.encode("utf-8"))
    assert root.findtext("./channel/item/title") == "R&D for Q&A: 5 > 3"
    entry = feedparser.parse(raw).entries[0]
    assert (entry.title, entry.title_detail.type) == ("R&D for Q&A: 5 > 3", "text/plain")


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_feed_titles_and_descriptions_stay_literal(title):
    """Topic and tag names come from PR-edited files, so the feed's own text is untrusted too."""
    spec = FeedSpec(title, title, SITE, "tags/x/", "tags/x/feed")
    papers = seed_papers()[:1]
    rss = feedparser.parse(feeds.render_rss(spec, papers))
    assert rss.bozo == 0, rss.get("bozo_exception")
    assert rss_text(rss.feed.title, rss.feed.title_detail.type) == title
    assert rss_text(rss.feed.subtitle, rss.feed.subtitle_detail.type) == title
    atom = feedparser.parse(feeds.render_atom(spec, papers))
    assert atom.bozo == 0, atom.get("bozo_exception")
    assert (atom.feed.title, atom.feed.subtitle) == (title, title)
    feed = validate_json_feed(feeds.render_json_feed(spec, papers))
    assert (feed["title"], feed["description"]) == (title, title)
