"""RSS 2.0, Atom and JSON Feed 1.1 for one list of papers, and an OPML list of feeds.

Every feed is a pure function of its inputs: dates come from the papers (the newest
listing day stands in for "last built"), the generator string is fixed, so an unchanged
archive rebuilds byte-identical feeds and the deploy diff stays empty.

Paper text is untrusted plain text. It goes into XML through lxml (via feedgen), which
escapes it; RSS ``<description>`` is HTML by the RSS spec, so it is HTML-escaped once more
there, and readers show the literal text instead of running it as markup. Characters that
XML 1.0 forbids (C0 controls, lone surrogates, U+FFFE/U+FFFF) are dropped from every feed.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from generator.model import Paper
from generator.site import urls
from generator.site.markup import clean_text
from generator.site.pages import card_text, summary_line

FEED_LIMIT = 50  # entries in the archive's own feed: a day of Daily Papers
SUBJECT_FEED_LIMIT = 20  # in a topic's, tag's or organization's feed, and the weekly digest
GENERATOR = "paper-archive"
LANGUAGE = "en"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# A feed with no papers still needs an "updated" date; a fixed one keeps it deterministic.
EMPTY_FEED_DATE = dt.date(1970, 1, 1)

# What an HTML-minded reader would not show as typed: a tag start or a character reference.
_LOOKS_LIKE_MARKUP = re.compile(r"<|&#?\w+;")


@dataclass(frozen=True)
class FeedSpec:
    """Where one feed lives; the three formats share ``feed_path`` and differ by extension."""

    title: str
    description: str
    site_url: str
    page_path: str
    feed_path: str
    # How many of the newest papers, and whether each carries its abstract or only its
    # summary (the TL;DR, else the AI summary, else the abstract cut short, as a card shows).
    limit: int = FEED_LIMIT
    abstracts: bool = True

    def __post_init__(self) -> None:
        if not self.site_url.endswith("/"):
            raise ValueError(f"site_url must end with '/': {self.site_url!r}")
        for name in ("page_path", "feed_path"):
            if getattr(self, name).startswith("/"):
                raise ValueError(f"{name} must be site-relative (no leading '/')")

    @property
    def rss_path(self) -> str:
        return urls.feed_files(self.feed_path).rss

    @property
    def atom_path(self) -> str:
        return urls.feed_files(self.feed_path).atom

    @property
    def json_path(self) -> str:
        return urls.feed_files(self.feed_path).json

    @property
    def page_url(self) -> str:
        return self.site_url + self.page_path

    @property
    def rss_url(self) -> str:
        return self.site_url + self.rss_path

    @property
    def atom_url(self) -> str:
        return self.site_url + self.atom_path

    @property
    def json_url(self) -> str:
        return self.site_url + self.json_path


def paper_url(site_url: str, paper: Paper) -> str:
    return site_url + urls.paper(paper.id).url


def render_rss(
    spec: FeedSpec,
    papers: Sequence[Paper],
    *,
    topics: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """RSS 2.0; authors go in ``dc:creator`` because RSS ``<author>`` must be an e-mail."""
    fg = _feed(spec)
    fg.title(_rss_title(spec.title))
    # feedgen makes the last link the channel's <link>: the page, not the feed itself.
    fg.link(href=spec.rss_url, rel="self", type="application/rss+xml")
    fg.link(href=spec.page_url, rel="alternate")
    fg.description(html.escape(clean_text(spec.description) or clean_text(spec.title), quote=False))
    fg.lastBuildDate(_midnight(_newest(papers[: spec.limit])))
    fg.load_extension("dc", atom=False, rss=True)
    for paper in papers[: spec.limit]:
        entry = _entry(fg, spec, paper, topics)
        entry.title(_rss_title(paper.title))
        entry.guid(paper.arxiv_url, permalink=True)
        entry.description(html.escape(_item_text(spec, paper), quote=False))
        entry.pubDate(_midnight(paper.listed))
        authors = [name for name in map(clean_text, paper.authors) if name]
        if authors:
            entry.dc.dc_creator(authors)
    return fg.rss_str(pretty=False).decode("utf-8")


def render_atom(
    spec: FeedSpec,
    papers: Sequence[Paper],
    *,
    topics: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """Atom (RFC 4287) with ``type="text"`` title and summary: plain text by definition."""
    fg = _feed(spec)
    fg.id(spec.atom_url)
    fg.link(href=spec.page_url, rel="alternate", type="text/html")
    fg.link(href=spec.atom_url, rel="self", type="application/atom+xml")
    if spec.description:
        fg.subtitle(clean_text(spec.description))
    fg.updated(_midnight(_newest(papers[: spec.limit])))
    for paper in papers[: spec.limit]:
        entry = _entry(fg, spec, paper, topics)
        entry.id(paper.arxiv_url)
        entry.summary(_item_text(spec, paper), type="text")
        entry.published(_midnight(paper.listed))
        entry.updated(_midnight(paper.listed))
        for name in map(clean_text, paper.authors):
            if name:
                entry.author(name=name)
    return fg.atom_str(pretty=False).decode("utf-8")


def render_json_feed(
    spec: FeedSpec,
    papers: Sequence[Paper],
    *,
    topics: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """JSON Feed 1.1; only ``content_html`` may hold HTML, so everything here is text."""
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": clean_text(spec.title),
        "home_page_url": spec.page_url,
        "feed_url": spec.json_url,
    }
    if spec.description:
        feed["description"] = clean_text(spec.description)
    feed["language"] = LANGUAGE
    items = []
    for paper in papers[: spec.limit]:
        item: dict[str, object] = {
            "id": paper.arxiv_url,
            "url": paper_url(spec.site_url, paper),
            "external_url": paper.arxiv_url,
            "title": clean_text(paper.title),
            "content_text": _item_text(spec, paper),
            "date_published": _midnight(paper.listed).isoformat().replace("+00:00", "Z"),
        }
        authors = [{"name": name} for name in map(clean_text, paper.authors) if name]
        if authors:
            item["authors"] = authors
        tags = _topics(paper, topics)
        if tags:
            item["tags"] = tags
        items.append(item)
    feed["items"] = items
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":")) + "\n"


@dataclass(frozen=True)
class DigestEntry:
    """One week of the weekly digest: its page, its last day, its most upvoted papers."""

    title: str
    page_path: str
    day: dt.date  # the week's Sunday: the entry's date
    papers: Sequence[Paper]


def digest_html(spec: FeedSpec, entry: DigestEntry) -> str:
    """The entry as HTML: a numbered list of links, every paper string escaped."""
    items = "".join(
        f'<li><a href="{html.escape(paper_url(spec.site_url, p))}">'
        f"{html.escape(clean_text(p.title))}</a> (▲ {p.upvotes or 0}) — "
        f"{html.escape(clean_text(summary_line(p)))}</li>"
        for p in entry.papers
    )
    more = html.escape(spec.site_url + entry.page_path)
    return f'<ol>{items}</ol><p><a href="{more}">Every paper of the week</a></p>'


def digest_text(spec: FeedSpec, entry: DigestEntry) -> str:
    lines = [
        f"{n}. {clean_text(p.title)} (▲ {p.upvotes or 0}) {paper_url(spec.site_url, p)}"
        for n, p in enumerate(entry.papers, 1)
    ]
    return "\n".join([*lines, f"Every paper of the week: {spec.site_url}{entry.page_path}"])


def render_digest(spec: FeedSpec, entries: Sequence[DigestEntry]) -> tuple[str, str, str]:
    """RSS 2.0, Atom and JSON Feed of the weekly digest, entries newest first.

    Unlike the paper feeds, an entry's text is HTML (a list of links): RSS carries it in
    ``description``, Atom as ``type="html"`` content, JSON Feed as ``content_html`` beside
    a plain ``content_text``. That HTML is built here from escaped strings only.
    """
    entries = entries[: spec.limit]
    newest = max((e.day for e in entries), default=EMPTY_FEED_DATE)
    rss = _feed(spec)
    rss.title(_rss_title(spec.title))
    rss.link(href=spec.rss_url, rel="self", type="application/rss+xml")
    rss.link(href=spec.page_url, rel="alternate")
    rss.description(html.escape(clean_text(spec.description), quote=False))
    rss.lastBuildDate(_midnight(newest))
    atom = _feed(spec)
    atom.id(spec.atom_url)
    atom.link(href=spec.page_url, rel="alternate", type="text/html")
    atom.link(href=spec.atom_url, rel="self", type="application/atom+xml")
    atom.subtitle(clean_text(spec.description))
    atom.updated(_midnight(newest))
    items = []
    for e in entries:
        url = spec.site_url + e.page_path
        body = digest_html(spec, e)
        item = rss.add_entry(order="append")
        item.title(_rss_title(e.title))
        item.link(href=url)
        item.guid(url, permalink=True)
        item.description(body)
        item.pubDate(_midnight(e.day))
        item = atom.add_entry(order="append")
        item.title(clean_text(e.title))
        item.id(url)
        item.link(href=url, rel="alternate")
        item.content(body, type="html")
        item.published(_midnight(e.day))
        item.updated(_midnight(e.day))
        items.append(
            {
                "id": url,
                "url": url,
                "title": clean_text(e.title),
                "content_html": body,
                "content_text": digest_text(spec, e),
                "date_published": _midnight(e.day).isoformat().replace("+00:00", "Z"),
            }
        )
    feed = {
        "version": JSON_FEED_VERSION,
        "title": clean_text(spec.title),
        "home_page_url": spec.page_url,
        "feed_url": spec.json_url,
        "description": clean_text(spec.description),
        "language": LANGUAGE,
        "items": items,
    }
    return (
        rss.rss_str(pretty=False).decode("utf-8"),
        atom.atom_str(pretty=False).decode("utf-8"),
        json.dumps(feed, ensure_ascii=False, separators=(",", ":")) + "\n",
    )


def render_opml(specs: Sequence[FeedSpec], *, title: str, site_url: str) -> str:
    """OPML 2.0 subscription list: one outline per feed, pointing at its RSS version.

    Listing the Atom and JSON twins as well would make a reader that imports the file
    subscribe to every feed three times.
    """
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = clean_text(title)
    ElementTree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    ElementTree.SubElement(head, "ownerId").text = site_url
    body = ElementTree.SubElement(root, "body")
    for spec in specs:
        ElementTree.SubElement(
            body,
            "outline",
            type="rss",
            text=clean_text(spec.title),
            title=clean_text(spec.title),
            description=clean_text(spec.description),
            xmlUrl=spec.rss_url,
            htmlUrl=spec.page_url,
            language=LANGUAGE,
            version="RSS2",
        )
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _feed(spec: FeedSpec) -> FeedGenerator:
    fg = FeedGenerator()
    fg.title(clean_text(spec.title))
    fg.language(LANGUAGE)
    fg.generator(GENERATOR)
    return fg


def _entry(
    fg: FeedGenerator,
    spec: FeedSpec,
    paper: Paper,
    topics: Mapping[str, Sequence[str]] | None,
) -> FeedEntry:
    entry = fg.add_entry(order="append")
    entry.title(clean_text(paper.title))
    entry.link(href=paper_url(spec.site_url, paper), rel="alternate")
    for name in _topics(paper, topics):
        entry.category(term=name)
    return entry


def _rss_title(title: str) -> str:
    """RSS leaves it open whether a title is text or HTML, and readers differ.

    Plain titles stay plain (a reader showing ``&amp;`` for "R&D" would be worse); a title
    holding something tag- or entity-like is HTML-escaped, so readers that treat titles as
    HTML show it literally instead of stripping or running it.
    """
    text = clean_text(title)
    return html.escape(text, quote=False) if _LOOKS_LIKE_MARKUP.search(text) else text


def _topics(paper: Paper, topics: Mapping[str, Sequence[str]] | None) -> list[str]:
    names = (topics or {}).get(paper.id) or ()
    return [name for name in map(clean_text, names) if name]


def _item_text(spec: FeedSpec, paper: Paper) -> str:
    text = paper.tldr or (paper.abstract if spec.abstracts else card_text(paper))
    return clean_text(text or paper.title)


def _newest(papers: Sequence[Paper]) -> dt.date:
    return max((p.listed for p in papers), default=EMPTY_FEED_DATE)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
