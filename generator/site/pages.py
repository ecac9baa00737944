"""Render every generated page of the site as Markdown (front matter + an HTML block), and
each paper page as its parts (``paperpages_hook.py`` puts them into the rendered theme).

Pages are written into ``docs/`` before ``mkdocs build`` (not by a build-time plugin) so the
site stays portable to ProperDocs or Zensical and ``--dirty`` rebuilds keep working.
The body of each page is one raw HTML block from autoescaping Jinja templates: untrusted
text is escaped once, here, and Markdown never reinterprets it.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import jinja2
from markupsafe import Markup

from generator import buildcache, ids
from generator.config import Paths, SiteConfig
from generator.model import Paper
from generator.site import bibtex, markup, paperpages_hook, trends, urls
from generator.site.structure import Archive, top_voted, week_days
from generator.store.status import DayState, DayStatus, status_path

TOPIC_PAGE_LIMIT = 200  # a topic larger than this is split into month pages
HOME_LATEST_LIMIT = 30
WEEK_TOP = 10
CARD_TEXT = 280  # characters: about three lines of a card on a desktop
WEEK_CARD_LIMIT = 50  # a week page shows this many as cards, the rest as one line each
MONTH_TOP = 20
YEAR_TOP = 50
META_DESCRIPTION = 160  # characters: about what search engines show under a result


def _month_name(ym: tuple[int, int], short: bool = False) -> str:
    names = calendar.month_abbr if short else calendar.month_name
    return f"{names[ym[1]]} {ym[0]}"


def _short_authors(authors: list[str]) -> str:
    if not authors:
        return "Unknown authors"
    return ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")


_VENUE = re.compile(r"\b(accepted|published|to appear|camera[- ]ready)\b", re.IGNORECASE)


def venue_of(paper: Paper) -> str:
    """An arXiv comment such as "Accepted at ICLR 2026" is shown as the venue."""
    comment = paper.arxiv_comment or ""
    return comment if _VENUE.search(comment) else ""


def bib_sources(papers: list[Paper]) -> str:
    """Where a topic page's BibTeX download takes its entries (assets/pa-bib.js): each
    listing day's file and the ids from it, in page order: ``<day file>:id,id ...``."""
    runs: list[tuple[str, list[str]]] = []
    for p in papers:
        day = urls.day_bib(p.listed)
        if runs and runs[-1][0] == day:
            runs[-1][1].append(p.id)
        else:
            runs.append((day, [p.id]))
    return " ".join(f"{day}:{','.join(ids)}" for day, ids in runs)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def summary_line(paper: Paper, limit: int = 200) -> str:
    """A short description for meta tags: the TL;DR, else the abstract's opening."""
    return _shorten(paper.tldr or paper.abstract or paper.title, limit)


def card_text(paper: Paper, limit: int = CARD_TEXT) -> str:
    """The lines under a card's title: the human TL;DR, else Hugging Face's AI summary, else
    the abstract, cut at a word, so a list of papers reads at a glance and stays light."""
    return _shorten(paper.tldr or paper.ai_summary or paper.abstract or "", limit)


# Where Hugging Face keeps paper thumbnails: a card list names this folder once and each
# card its file in it, so a card does not repeat the folder (see assets/pa-cards.js).
THUMBNAILS = "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/"
_THUMB_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def thumb_ref(paper: Paper) -> str:
    """A card's thumbnail relative to :data:`THUMBNAILS` (the file name) when it is there,
    else the whole URL; "" when it may not become a URL at all (``ids.safe_url``)."""
    url = ids.safe_url(paper.thumbnail)
    if not url:
        return ""
    rest = url.removeprefix(THUMBNAILS)
    return rest if rest != url and _THUMB_FILE.fullmatch(rest) else url


def _fm(value: str) -> Markup:
    return Markup(markup.front_matter_value(value))


def _json(value: str) -> Markup:
    return Markup(json.dumps(value, ensure_ascii=False))


def _count(number: int, noun: str) -> str:
    """ "1 paper", "2 papers": the count and its noun, plural unless it is one."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


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
        count=_count,
        month_name=_month_name,
        short_authors=_short_authors,
        safe_url=ids.safe_url,
        summary_line=summary_line,
        card_text=card_text,
        thumb=thumb_ref,
        slug=ids.slugify,
        latex=lambda text: Markup(markup.render_latex(text)),
        abstract=lambda text: Markup(markup.render_abstract(text)),
    )
    env.globals["urls"] = urls  # templates write no URL shape of their own
    env.globals["thumbnails"] = THUMBNAILS
    return env


_LINE = '<meta {attr}="{name}" content="{value}">'


def paper_head(paper: Paper, config: SiteConfig) -> str:
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
    description = summary_line(paper, META_DESCRIPTION)
    tags += [
        ("property", "og:type", "article"),
        ("property", "og:title", paper.title),
        ("property", "og:description", description),
        ("property", "og:url", config.site_url + urls.paper(paper.id).url),
        ("property", "og:site_name", config.site_name),
    ]
    image = ids.safe_url(paper.thumbnail)
    if image:
        tags.append(("property", "og:image", image))
    # Twitter/X falls back to the og: tags for title, description and image.
    tags.append(("name", "twitter:card", "summary_large_image" if image else "summary"))
    return "".join(
        _LINE.format(attr=attr, name=name, value=markup.escape(value)) for attr, name, value in tags
    )


def _split_by_month(
    papers: list[Paper], page: urls.Page, month_page: Callable[[int, int], urls.Page]
) -> Iterator[tuple[urls.Page, dict[str, object]]]:
    """A list of papers (newest first) as one page, or, past :data:`TOPIC_PAGE_LIMIT`, as
    a page of the latest papers with links to one page per month."""
    if len(papers) <= TOPIC_PAGE_LIMIT:
        yield page, {"papers": papers, "total": len(papers), "month": None, "month_links": None}
        return
    by_month: dict[tuple[int, int], list[Paper]] = {}
    for p in papers:
        by_month.setdefault((p.listed.year, p.listed.month), []).append(p)
    links = [(ym, len(ps)) for ym, ps in by_month.items()]
    yield (
        page,
        {
            "papers": papers[: TOPIC_PAGE_LIMIT // 4],
            "total": len(papers),
            "month": None,
            "month_links": links,
        },
    )
    # A month page shows only its month, so a new paper rewrites one month page.
    for ym, ps in by_month.items():
        yield month_page(*ym), {"papers": ps, "total": len(ps), "month": ym, "month_links": None}


class PaperRef(NamedTuple):
    """What a paper page shows of another paper (a related paper, the day's next one)."""

    id: str
    title: str
    listed: dt.date

    @classmethod
    def of(cls, paper: Paper) -> PaperRef:
        return cls(paper.id, paper.title, paper.listed)


class OrgRef(NamedTuple):
    """What a paper page shows of its organization."""

    slug: str
    name: str
    fullname: str


_PAPER_FIELDS = tuple(f.name for f in dataclasses.fields(Paper) if f.name != "path")


class PaperInputs(NamedTuple):
    """Everything a paper page is made of, with the site's configuration and the code.

    :meth:`PageRenderer.render_paper` gives the template these and nothing else (no
    archive to reach into), so two pages with equal inputs are the same bytes, which is
    what lets the build keep a page whose :meth:`key` did not change (``buildcache.py``).
    """

    paper: Paper
    source: str  # the paper's file, relative to the repository
    topics: tuple[tuple[str, str], ...]  # (slug, name)
    org: OrgRef | None
    cite_key: str
    related: tuple[tuple[PaperRef, tuple[str, ...]], ...]  # with the terms shared
    prev: PaperRef | None  # in the day's order
    next: PaperRef | None
    day_count: int

    def key(self) -> bytes:
        """A digest of the inputs: the paper's fields (not where its file is) and the rest.
        ``repr`` is exact for what they hold (text, numbers, dates, lists, mappings)."""
        fields = tuple(getattr(self.paper, name) for name in _PAPER_FIELDS)
        return buildcache.digest(repr((fields, self[1:])).encode())


class PageRenderer:
    """Turns an :class:`Archive` into ``{path under docs/: Markdown text}``."""

    def __init__(self, archive: Archive, config: SiteConfig, keys: dict[str, str]) -> None:
        self.archive = archive
        self.config = config
        self.keys = keys
        self.env = make_env()
        self.by_id = {p.id: p for p in archive.papers}
        # list.index would compare whole papers field by field, once per paper page
        self.day_index = {p.id: i for day in archive.by_day.values() for i, p in enumerate(day)}
        self.common = {
            "archive": archive,
            "taxonomy": archive.taxonomy,
            "topics_of": archive.topics_of,
            "org_of": archive.org_of,
            "by_day": archive.by_day,
            "site_name": config.site_name,
            "show_date": False,
            "template": None,
            "feed": None,
            "head": None,
            "description": None,
            "hide": "toc",
        }

    def render(self, template: str, page: urls.Page, **context: object) -> tuple[str, str]:
        """(source path under docs/, text) of ``page``; links in it are relative to it."""
        base = "../" * page.url.count("/")
        text = self.env.get_template(template).render(
            self.common, base=base, here=page.url, **context
        )
        return page.source, text

    def list_pages(self) -> list[Callable[[], Iterable[tuple[str, str]]]]:
        """Every list page as (path relative to docs/, text), in parts the build writes
        apart; paper pages come from :meth:`render_paper`."""
        return [
            self.day_pages,
            self.week_pages,
            self.topic_pages,
            self.tag_pages,
            self.org_pages,
            lambda: [
                self.trends_page(),
                self.render("annotated.md.j2", urls.annotated(), papers=self.archive.annotated),
                self.home(),
            ],
        ]

    def paper_inputs(self, p: Paper) -> PaperInputs:
        """Everything ``p``'s page is made of (see :class:`PaperInputs`)."""
        root = self.archive
        day = root.by_day[p.listed]
        at = self.day_index[p.id]
        org = root.org_of.get(p.id)
        names = root.taxonomy.by_slug
        return PaperInputs(
            paper=p,
            # papers/YYYY/MM/DD/<id>.md, whatever folder the checkout lives in
            source="/".join(["papers", *(p.path.parts[-4:] if p.path else ())]),
            topics=tuple((slug, names[slug].name) for slug in root.topics_of[p.id]),
            org=OrgRef(org.slug, org.name, org.fullname) if org else None,
            cite_key=self.keys[p.id],
            related=tuple(
                (PaperRef.of(self.by_id[r.id]), tuple(r.terms)) for r in root.related.get(p.id, ())
            ),
            prev=PaperRef.of(day[at - 1]) if at else None,
            next=PaperRef.of(day[at + 1]) if at + 1 < len(day) else None,
            day_count=len(day),
        )

    def render_paper(self, inputs: PaperInputs) -> tuple[str, str]:
        """(source under docs/, the page's parts) of a paper page (see paperpages_hook),
        from its inputs alone."""
        p = inputs.paper
        page = urls.paper(p.id)
        content = self.env.get_template("paper.html.j2").render(
            base="../" * page.url.count("/"),
            here=page.url,
            p=p,
            topics=inputs.topics,
            org=inputs.org,
            venue=venue_of(p),
            bibtex=bibtex.render_entry(p, inputs.cite_key),
            notes_html=markup.render_notes(p.notes),
            edit_url=self.config.edit_url(inputs.source),
            source=inputs.source,
            related=inputs.related,
            prev=inputs.prev,
            next=inputs.next,
            day_count=inputs.day_count,
        )
        parts = paperpages_hook.encode(
            title=markup.escape(p.title),
            description=markup.escape(summary_line(p, META_DESCRIPTION)),
            head=paper_head(p, self.config),
            content=content.strip(),
        )
        return page.source, parts

    def day_pages(self) -> Iterator[tuple[str, str]]:
        root = self.archive
        days = root.days
        for i, day in enumerate(days):
            yield self.render(
                "day.md.j2",
                urls.day(day),
                day=day,
                papers=root.by_day[day],
                prev=days[i - 1] if i else None,
                next=days[i + 1] if i + 1 < len(days) else None,
            )
        for ym, month_days in root.months.items():
            yield self.render(
                "month.md.j2",
                urls.month(*ym),
                first=month_days[0],
                days=month_days,
                total=root.month_count(ym),
                top=top_voted(root.month_papers(ym), MONTH_TOP),
            )
        for year, months in root.years.items():
            yield self.render(
                "year.md.j2",
                urls.year(year),
                year=year,
                months=months,
                total=root.year_count(year),
                top=top_voted([p for ym in months for p in root.month_papers(ym)], YEAR_TOP),
            )
        yield self.render("days.md.j2", urls.days())

    def week_pages(self) -> Iterator[tuple[str, str]]:
        root = self.archive
        weeks = list(root.weeks)
        for i, week in enumerate(weeks):
            papers = root.week_papers(week)
            yield self.render(
                "week.md.j2",
                urls.week(week_days(week)[0]),
                week=week,
                span=week_days(week),
                days=root.weeks[week],
                papers=papers[:WEEK_CARD_LIMIT],
                rest=papers[WEEK_CARD_LIMIT:],
                total=len(papers),
                prev=week_days(weeks[i - 1])[0] if i else None,
                next=week_days(weeks[i + 1])[0] if i + 1 < len(weeks) else None,
            )
        rows = [(w, week_days(w), root.week_papers(w)) for w in reversed(weeks)]
        yield self.render("weeks.md.j2", urls.weeks(), rows=rows)

    def topic_pages(self) -> Iterator[tuple[str, str]]:
        root = self.archive
        every = [*root.taxonomy.topics, root.taxonomy.other]
        shown = sorted(
            (t for t in every if root.by_topic[t.slug]),
            key=lambda t: (-len(root.by_topic[t.slug]), t.name),
        )
        yield self.render("topics.md.j2", urls.topics(), topics=shown)
        for topic in every:
            feed = urls.topic_feed(topic.slug).rss
            for page, context in _split_by_month(
                root.by_topic[topic.slug],
                urls.topic(topic.slug),
                lambda y, m, slug=topic.slug: urls.topic_month(slug, y, m),
            ):
                sources = bib_sources(context["papers"])  # type: ignore[arg-type]
                yield self.render(
                    "topic.md.j2", page, topic=topic, feed=feed, bib_sources=sources, **context
                )

    def org_pages(self) -> Iterator[tuple[str, str]]:
        orgs = self.archive.orgs
        yield self.render("orgs.md.j2", urls.orgs(), orgs=list(orgs.values()))
        for org in orgs.values():
            feed = urls.org_feed(org.slug).rss
            for page, context in _split_by_month(
                org.papers,
                urls.org(org.slug),
                lambda y, m, slug=org.slug: urls.org_month(slug, y, m),
            ):
                yield self.render("org.md.j2", page, org=org, feed=feed, **context)

    def trends_page(self) -> tuple[str, str]:
        root = self.archive
        months, series = trends.monthly_counts(root)
        return self.render(
            "trends.md.j2",
            urls.trends(),
            months=months,
            series=series,
            rising=trends.rising_keywords(root),
            window=trends.RISING_WINDOW,
            min_count=trends.RISING_MIN_COUNT,
        )

    def tag_pages(self) -> Iterator[tuple[str, str]]:
        yield self.render("tags.md.j2", urls.tags())
        for tag, papers in self.archive.by_tag.items():
            feed = urls.tag_feed(tag).rss
            yield self.render("tag.md.j2", urls.tag(tag), tag=tag, papers=papers, feed=feed)

    def status_page(
        self, statuses: dict[dt.date, DayStatus], *, recent: int = 90
    ) -> tuple[str, str]:
        """Lets readers tell a day without a Daily Papers batch from a fetch that failed."""
        context: dict[str, object] = {"rows": []}
        if statuses:
            days = sorted(statuses)
            first, last = days[0], days[-1]
            span = (last - first).days + 1
            known = set(days)
            counts = {state.value: 0 for state in DayState}
            for status in statuses.values():
                counts[status.state.value] += 1
            context = {
                "rows": [statuses[d] for d in reversed(days[-recent:])],
                "first": first,
                "last": last,
                "last_update": max(s.fetched for s in statuses.values()),
                "counts": counts,
                "failed": [s for d, s in sorted(statuses.items()) if s.state is DayState.FAILED],
                "gaps": [
                    first + dt.timedelta(days=n)
                    for n in range(span)
                    if first + dt.timedelta(days=n) not in known
                ],
            }
        # The repository's file the page reads (named to readers of an imported archive).
        status_file = status_path(Paths(Path())).as_posix()
        return self.render("status.md.j2", urls.status(), status_file=status_file, **context)

    def home(self) -> tuple[str, str]:
        root = self.archive
        latest = root.days[-1] if root.days else None
        week: list[Paper] = []
        week_start = None
        if latest:
            # The latest day is listed in full above the week, so the week shows the rest.
            week_start = latest - dt.timedelta(days=6)
            week = sorted(
                (p for d in root.days if week_start <= d < latest for p in root.by_day[d]),
                key=lambda p: (-(p.upvotes or 0), p.id),
            )[:WEEK_TOP]
        return self.render(
            "home.md.j2",
            urls.home(),
            latest=latest,
            week=week,
            week_start=week_start,
            week_end=latest - dt.timedelta(days=1) if latest else None,
            latest_limit=HOME_LATEST_LIMIT,
            topic_count=sum(1 for papers in root.by_topic.values() if papers),
        )
