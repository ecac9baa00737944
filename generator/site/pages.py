"""Render every generated page of the site as Markdown (front matter + an HTML block).

Pages are written into ``docs/`` before ``mkdocs build`` (not by a build-time plugin) so the
site stays portable to ProperDocs or Zensical and ``--dirty`` rebuilds keep working.
The body of each page is one raw HTML block from autoescaping Jinja templates: untrusted
text is escaped once, here, and Markdown never reinterprets it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from generator.model import Paper
from generator.site import markup
from generator.site.structure import Archive, tags_of

TOPIC_PAGE_LIMIT = 200  # a topic larger than this is split into month pages
HOME_LATEST_LIMIT = 30
WEEK_TOP = 10


@dataclass(frozen=True)
class SiteConfig:
    """What the pages need to know about where the site and its sources live."""

    site_name: str
    site_url: str  # absolute, ends with '/'
    repo_url: str | None = None
    branch: str = "main"

    def edit_url(self, source: str) -> str:
        if not self.repo_url:
            return "https://github.com/"
        return f"{self.repo_url.rstrip('/')}/edit/{self.branch}/{source}"


def day_url(day: dt.date) -> str:
    return f"days/{day:%Y/%m/%d}/"


def month_url(day: dt.date) -> str:
    return f"days/{day:%Y/%m}/"


def _month_name(ym: tuple[int, int], short: bool = False) -> str:
    names = calendar.month_abbr if short else calendar.month_name
    return f"{names[ym[1]]} {ym[0]}"


def _short_authors(authors: list[str]) -> str:
    if not authors:
        return "Unknown authors"
    return ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")


def summary_line(paper: Paper, limit: int = 200) -> str:
    """A short description for meta tags: the TL;DR, else the abstract's opening."""
    text = paper.tldr or paper.abstract or paper.title
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def _slug(value: object) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-") or "x"


def _fm(value: str) -> Markup:
    return Markup(markup.front_matter_value(value))


def _json(value: str) -> Markup:
    return Markup(json.dumps(value, ensure_ascii=False))


def make_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        fm=_fm,
        json=_json,
        day_url=day_url,
        month_url=month_url,
        month_name=_month_name,
        short_authors=_short_authors,
        safe_url=markup.safe_url,
        summary_line=summary_line,
        slug=_slug,
    )
    return env


_LINE = "<meta {attr}=\"{name}\" content=\"{value}\">"


def paper_head(paper: Paper, config: SiteConfig, topics: list[str]) -> str:
    """Citation (Highwire), Open Graph and Twitter tags that Zotero and Scholar read."""
    tags: list[tuple[str, str, str]] = [("name", "citation_title", paper.title)]
    tags += [("name", "citation_author", a) for a in paper.authors]
    date = paper.published or paper.listed
    tags += [
        ("name", "citation_date", date.strftime("%Y/%m/%d")),
        ("name", "citation_publication_date", date.strftime("%Y/%m/%d")),
        ("name", "citation_arxiv_id", paper.id),
        ("name", "citation_pdf_url", paper.pdf_url),
        ("name", "citation_abstract_html_url", paper.arxiv_url),
    ]
    if paper.doi:
        tags.append(("name", "citation_doi", paper.doi))
    description = summary_line(paper)
    tags += [
        ("property", "og:type", "article"),
        ("property", "og:title", paper.title),
        ("property", "og:description", description),
        ("property", "og:url", f"{config.site_url}papers/{paper.id}/"),
        ("property", "og:site_name", config.site_name),
    ]
    image = markup.safe_url(paper.thumbnail)
    if image:
        tags.append(("property", "og:image", image))
    # Twitter/X falls back to the og: tags for title, description and image.
    tags.append(("name", "twitter:card", "summary_large_image" if image else "summary"))
    return "".join(
        _LINE.format(attr=attr, name=name, value=markup.escape(value)) for attr, name, value in tags
    )


class PageRenderer:
    """Turns an :class:`Archive` into ``{path under docs/: Markdown text}``."""

    def __init__(self, archive: Archive, config: SiteConfig) -> None:
        self.archive = archive
        self.config = config
        self.env = make_env()
        self.common = {
            "archive": archive,
            "taxonomy": archive.taxonomy,
            "topics_of": archive.topics_of,
            "by_day": archive.by_day,
            "site_name": config.site_name,
            "show_date": False,
            "template": None,
            "feed": None,
            "head": None,
            "description": None,
            "hide": "toc",
        }

    def render(self, template: str, url: str, **context: object) -> str:
        base = "../" * url.count("/")
        return self.env.get_template(template).render(self.common, base=base, **context)

    def pages(self, papers: bool = True) -> Iterator[tuple[str, str]]:
        """Every generated page as (path relative to docs/, text). One pass per grouping.

        ``papers=False`` leaves out the paper pages, which the build renders in parallel.
        """
        if papers:
            yield from self.paper_pages()
        yield from self.day_pages()
        yield from self.topic_pages()
        yield from self.tag_pages()
        yield "annotated/index.md", self.render(
            "annotated.md.j2", "annotated/", papers=self.archive.annotated
        )
        yield "index.md", self.home()

    def paper_pages(self, papers: list[Paper] | None = None) -> Iterator[tuple[str, str]]:
        root = self.archive
        for p in root.papers if papers is None else papers:
            ann = p.annotation or {}
            source = p.path.as_posix().split("/papers/", 1)[-1] if p.path else ""
            source = f"papers/{source}"
            links = [
                {"title": str(link.get("title") or link["url"]), "url": link["url"]}
                for link in ann.get("links") or []
                if isinstance(link, dict) and markup.safe_url(link.get("url"))
            ]
            contributors = [
                c for c in ann.get("contributors") or []
                if isinstance(c, str) and re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})", c)
            ]
            comment = p.arxiv_comment or ""
            venue = comment if re.search(r"\b(accepted|published|to appear)\b", comment, re.I) else ""
            yield f"papers/{p.id}.md", self.render(
                "paper.md.j2",
                f"papers/{p.id}/",
                p=p,
                ann=ann if p.is_annotated else None,
                topics=root.topics_of[p.id],
                tags=tags_of(p),
                links=links,
                contributors=contributors,
                venue=venue,
                notes_html=markup.render_notes(p.notes),
                edit_url=self.config.edit_url(source),
                source=source,
                head=paper_head(p, self.config, root.topics_of[p.id]),
            )

    def day_pages(self) -> Iterator[tuple[str, str]]:
        root = self.archive
        days = root.days
        for i, day in enumerate(days):
            yield f"days/{day:%Y/%m/%d}.md", self.render(
                "day.md.j2",
                day_url(day),
                day=day,
                papers=root.by_day[day],
                prev=days[i - 1] if i else None,
                next=days[i + 1] if i + 1 < len(days) else None,
            )
        for ym, month_days in root.months.items():
            yield f"days/{ym[0]}/{ym[1]:02d}/index.md", self.render(
                "month.md.j2",
                f"days/{ym[0]}/{ym[1]:02d}/",
                first=month_days[0],
                days=month_days,
                total=root.month_count(ym),
            )
        for year, months in root.years.items():
            yield f"days/{year}/index.md", self.render(
                "year.md.j2", f"days/{year}/", year=year, months=months,
                total=root.year_count(year),
            )
        yield "days/index.md", self.render("days.md.j2", "days/")

    def topic_pages(self) -> Iterator[tuple[str, str]]:
        root = self.archive
        shown = [t for t in [*root.taxonomy.topics, root.taxonomy.other] if root.by_topic[t.slug]]
        yield "topics/index.md", self.render("topics.md.j2", "topics/", topics=shown)
        for topic in [*root.taxonomy.topics, root.taxonomy.other]:
            papers = root.by_topic[topic.slug]
            url = f"topics/{topic.slug}/"
            feed = f"{url}feed.xml"
            if len(papers) <= TOPIC_PAGE_LIMIT:
                yield f"{url}index.md", self.render(
                    "topic.md.j2", url, topic=topic, papers=papers, total=len(papers),
                    month=None, month_links=None, feed=feed,
                )
                continue
            by_month: dict[tuple[int, int], list[Paper]] = {}
            for p in papers:
                by_month.setdefault((p.listed.year, p.listed.month), []).append(p)
            links = [(ym, len(ps)) for ym, ps in by_month.items()]
            yield f"{url}index.md", self.render(
                "topic.md.j2", url, topic=topic, papers=papers[:TOPIC_PAGE_LIMIT // 4],
                total=len(papers), month=None, month_links=links, feed=feed,
            )
            for ym, ps in by_month.items():
                month_url_ = f"{url}{ym[0]}-{ym[1]:02d}/"
                yield f"{url}{ym[0]}-{ym[1]:02d}.md", self.render(
                    "topic.md.j2", month_url_, topic=topic, papers=ps, total=len(ps),
                    month=ym, month_links=None, feed=feed,
                )

    def tag_pages(self) -> Iterator[tuple[str, str]]:
        yield "tags/index.md", self.render("tags.md.j2", "tags/")
        for tag, papers in self.archive.by_tag.items():
            yield f"tags/{tag}.md", self.render("tag.md.j2", f"tags/{tag}/", tag=tag, papers=papers)

    def home(self) -> str:
        root = self.archive
        latest = root.days[-1] if root.days else None
        week: list[Paper] = []
        week_start = None
        if latest:
            week_start = latest - dt.timedelta(days=6)
            week = sorted(
                (p for d in root.days if d >= week_start for p in root.by_day[d]),
                key=lambda p: (-(p.upvotes or 0), p.id),
            )[:WEEK_TOP]
        return self.render(
            "home.md.j2", "", latest=latest, week=week, week_start=week_start,
            latest_limit=HOME_LATEST_LIMIT,
            topic_count=sum(1 for papers in root.by_topic.values() if papers),
        )
