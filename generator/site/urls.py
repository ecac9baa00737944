"""The site's permanent URLs, and the file under ``docs/`` each one is built from.

Published URLs are permanent (DESIGN.md's site map), so their shapes are written here
only: every module and every template asks this module (templates through the ``urls``
global that :func:`generator.site.pages.make_env` registers, the theme's through
``urls_hook.py``; the search script reads a paper's URL from the ``bundles.js`` that
``search.py`` writes). A page is a
:class:`Page`: its site-relative URL and the Markdown source MkDocs renders to it
(``days/2024/01/15.md`` becomes ``days/2024/01/15/``; a paper page is made of parts, see
:func:`paper`). A file (feed, BibTeX, open data) is
published where it is written, so its URL and its path under ``docs/`` are one string.

URLs are site-relative (no leading ``/``, the home page is ``""``): the site may live under
a GitHub Pages project sub-path, so pages link with a relative ``base`` in front and feeds
with the absolute ``site_url``.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from typing import NamedTuple
from urllib.parse import quote


class Page(NamedTuple):
    url: str  # site-relative; "" for the home page, else ending with "/"
    source: str  # the Markdown file under docs/ that MkDocs renders to ``url``


class Feed(NamedTuple):
    """One feed in three formats side by side, named from one stem (see :func:`feed_files`)."""

    stem: str
    rss: str  # RSS 2.0
    atom: str
    json: str  # JSON Feed 1.1


def _folder(url: str) -> Page:
    """A page whose URL has more of the site below it: ``<url>index.md``."""
    return Page(url, f"{url}index.md")


def _leaf(url: str) -> Page:
    """A page with nothing below its URL: ``<url without the slash>.md`` beside its siblings
    (one file, not a folder, for each of tens of thousands of papers and days)."""
    return Page(url, f"{url[:-1]}.md")


# -- pages -----------------------------------------------------------------------------


def home() -> Page:
    return Page("", "index.md")


def search(query: str) -> str:
    """The home page searching for ``query``: the header search reads ``?q=`` on any page."""
    return f"{search_prefix()}{quote(query, safe='')}"


def search_prefix() -> str:
    """A search link before its percent-encoded query: a paper page names its authors as
    text, and its script links each to this plus the quoted name (``search('"Name"')``)."""
    return f"{home().url}?q="


def relative(target: str, start: str) -> str:
    """The site-relative URL ``target`` as a link from the page at ``start``, as short as a
    relative path gets (``../2401.09419/`` from one paper page to another)."""
    to, at = target.rstrip("/"), start.rstrip("/")
    to_parts, at_parts = to.split("/") if to else [], at.split("/") if at else []
    if {"", ".", ".."} & {*to_parts, *at_parts}:  # not this module's shape: normalize first
        path = posixpath.relpath(to or ".", at or ".")
    else:  # what posixpath.relpath gives, without its abspath() and getcwd() per call
        same = 0
        for a, b in zip(to_parts, at_parts, strict=False):
            if a != b:
                break
            same += 1
        path = "/".join([".."] * (len(at_parts) - same) + to_parts[same:]) or "."
    if path == ".":
        return "./"
    return f"{path}/" if target.endswith("/") or not target else path


_PAPERS = "papers/"


_PAPER_PARTS = ".page.json"


def paper(arxiv_id: str) -> Page:
    """``arxiv_id`` must have passed :func:`generator.ids.normalize`: it becomes a path.
    (``search.py`` passes a placeholder instead, which the search box replaces with an id.)
    Its source is not Markdown but the page's parts, which ``paperpages_hook.py`` puts
    into the rendered paper template."""
    return Page(f"{_PAPERS}{arxiv_id}/", f"{_PAPERS}{arxiv_id}{_PAPER_PARTS}")


def paper_of_source(source: str) -> str | None:
    """The arXiv id whose paper page ``source`` (a path under ``docs/``) is, if it is one."""
    if not (source.startswith(_PAPERS) and source.endswith(_PAPER_PARTS)):
        return None
    arxiv_id = source[len(_PAPERS) : -len(_PAPER_PARTS)]
    return None if "/" in arxiv_id or not arxiv_id else arxiv_id


def days() -> Page:
    return _folder("days/")


def year(number: int) -> Page:
    return _folder(f"days/{number}/")


def month(year: int, month: int) -> Page:
    return _folder(f"days/{year}/{month:02d}/")


def day(date: dt.date) -> Page:
    return _leaf(f"days/{date:%Y/%m/%d}/")


def topics() -> Page:
    return _folder("topics/")


def topic(slug: str) -> Page:
    return _folder(f"topics/{slug}/")


def topic_month(slug: str, year: int, month: int) -> Page:
    """One month of a topic too large for one page."""
    return _leaf(f"topics/{slug}/{year}-{month:02d}/")


def tags() -> Page:
    return _folder("tags/")


def tag(name: str) -> Page:
    return _folder(f"tags/{name}/")


def weeks() -> Page:
    return _folder("weeks/")


def week(date: dt.date) -> Page:
    """The ISO week holding ``date``: ``weeks/2026-W10/`` (ISO year, which may differ from
    the calendar year in the first and last days of a year)."""
    year, number, _ = date.isocalendar()
    return _leaf(f"weeks/{year}-W{number:02d}/")


def orgs() -> Page:
    return _folder("orgs/")


def org(slug: str) -> Page:
    """``slug`` must come from :func:`generator.site.structure.org_slugs`: it becomes a path."""
    return _folder(f"orgs/{slug}/")


def org_month(slug: str, year: int, month: int) -> Page:
    """One month of an organization too large for one page."""
    return _leaf(f"orgs/{slug}/{year}-{month:02d}/")


def trends() -> Page:
    return _folder("trends/")


def annotated() -> Page:
    return _folder("annotated/")


def feeds() -> Page:
    """The page that lists every feed."""
    return _folder("feeds/")


def status() -> Page:
    return _folder("status/")


def annotate() -> Page:
    """Hand-written (``docs/annotate.md``), linked from generated pages."""
    return _leaf("annotate/")


# -- files -----------------------------------------------------------------------------


def feed_files(stem: str) -> Feed:
    return Feed(stem, f"{stem}.xml", f"{stem}.atom", f"{stem}.json")


def site_feed() -> Feed:
    return feed_files("feed")


def topic_feed(slug: str) -> Feed:
    return feed_files(f"topics/{slug}/feed")


def tag_feed(name: str) -> Feed:
    return feed_files(f"tags/{name}/feed")


def org_feed(slug: str) -> Feed:
    return feed_files(f"orgs/{slug}/feed")


def weekly_feed() -> Feed:
    """The weekly digest: one entry per complete week, its most upvoted papers."""
    return feed_files("weekly")


def opml() -> str:
    return "feeds.opml"


def paper_bib(arxiv_id: str) -> str:
    return f"papers/{arxiv_id}.bib"


def day_bib(date: dt.date) -> str:
    return f"days/{date:%Y/%m/%d}.bib"


def archive_chart() -> str:
    """The whole archive's papers-per-month chart (SVG), on the trends page."""
    return "trends/all.svg"


def topic_chart(slug: str) -> str:
    """One topic's papers-per-month chart (SVG), on the trends page."""
    return f"trends/topics/{slug}.svg"


def data_year(number: int) -> str:
    """Published gzip-compressed; the build compresses what it is given for this path."""
    return f"data/papers-{number}.jsonl.gz"


def data_index() -> str:
    return "data/index.json"


def data_schema() -> str:
    return "data/record.schema.json"


# -- the sitemap -----------------------------------------------------------------------

SITEMAP_LIMIT = 50_000  # URLs in one sitemap file: the sitemaps.org protocol's limit


def sitemap() -> str:
    """The sitemap index (where MkDocs puts its sitemap, so the URL stays)."""
    return "sitemap.xml"


def sitemap_part(name: str) -> str:
    return f"sitemaps/{name}.xml"


def sitemap_group(url: str) -> str:
    """The part of the sitemap that lists a page: paper pages by the year of their arXiv id
    (new-style ids start with it: ``2401.`` is 2024), every other page in one part."""
    if url.startswith(_PAPERS) and url[len(_PAPERS) : len(_PAPERS) + 2].isdigit():
        return f"papers-20{url[len(_PAPERS) : len(_PAPERS) + 2]}"
    return "pages"


# -- the whole map ---------------------------------------------------------------------


def every_kind(
    arxiv_id: str, date: dt.date, slug: str, tag_name: str, org_slug: str
) -> dict[str, Page | str]:
    """One URL of each kind the build generates, for the given values.

    The generated folders of ``docs/`` derive from it (so a new kind added here is pruned
    and gitignored like the others), and the site-map test walks it over a built site.
    """
    return {
        "home": home(),
        "paper": paper(arxiv_id),
        "days": days(),
        "year": year(date.year),
        "month": month(date.year, date.month),
        "day": day(date),
        "topics": topics(),
        "topic": topic(slug),
        "topic_month": topic_month(slug, date.year, date.month),
        "tags": tags(),
        "tag": tag(tag_name),
        "weeks": weeks(),
        "week": week(date),
        "orgs": orgs(),
        "org": org(org_slug),
        "org_month": org_month(org_slug, date.year, date.month),
        "trends": trends(),
        "annotated": annotated(),
        "feeds": feeds(),
        "status": status(),
        **_formats("site_feed", site_feed()),
        **_formats("topic_feed", topic_feed(slug)),
        **_formats("tag_feed", tag_feed(tag_name)),
        **_formats("org_feed", org_feed(org_slug)),
        **_formats("weekly_feed", weekly_feed()),
        "opml": opml(),
        "paper_bib": paper_bib(arxiv_id),
        "day_bib": day_bib(date),
        "archive_chart": archive_chart(),
        "topic_chart": topic_chart(slug),
        "data_year": data_year(date.year),
        "data_index": data_index(),
        "data_schema": data_schema(),
    }


def _formats(kind: str, feed: Feed) -> dict[str, str]:
    return {f"{kind}.rss": feed.rss, f"{kind}.atom": feed.atom, f"{kind}.json": feed.json}


def _generated() -> tuple[tuple[str, ...], tuple[str, ...]]:
    folders: set[str] = set()
    files: set[str] = set()
    for target in every_kind("2401.00001", dt.date(2024, 1, 1), "x", "x", "x").values():
        path = target.source if isinstance(target, Page) else target
        top, sep, _ = path.partition("/")
        (folders if sep else files).add(top)
    return tuple(sorted(folders)), tuple(sorted(files))


# Everything under these docs/ folders, and these docs/ files, is generated (.gitignore
# lists exactly them; a test checks it).
GENERATED_DIRS, GENERATED_FILES = _generated()
