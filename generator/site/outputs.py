"""Everything the site publishes besides MkDocs' own output, as (path, text) pairs.

A path ending in ``.gz`` names a file published gzip-compressed; its text is the content
before compression, which is what the caller compares to decide whether to write.

Pages, feeds, BibTeX files and the open-data export all come from one grouped
:class:`~generator.site.structure.Archive`, in a fixed order, so the build writes each
file once and only when its content changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator

from generator.config import SiteConfig
from generator.errors import ArchiveError
from generator.site import bibtex, export, feeds, trends, urls
from generator.site.pages import PageRenderer
from generator.site.structure import Archive, week_days
from generator.store.status import DayStatus

WEEKLY_TOP = 10  # papers in each entry of the weekly digest


class OutputError(ArchiveError, ValueError):
    """Something in the archive cannot be published; the message names the paper."""


Files = Iterable[tuple[str, str]]


def site_files(
    archive: Archive,
    config: SiteConfig,
    statuses: dict[dt.date, DayStatus],
    renderer: PageRenderer,
) -> list[Callable[[], Files]]:
    """Every generated file but the paper pages, in parts the build writes apart, on all
    cores: each part a function that gives its files (path, text) when called.

    The open-data export runs now, before the caller writes anything, since it is the one
    step that can refuse a paper; the rest is produced as the caller calls the parts.
    """
    data = _open_data(archive, config)
    return [
        *renderer.list_pages(),
        lambda: [renderer.status_page(statuses)],
        lambda: _feeds(archive, config, renderer),
        lambda: trends.charts(archive),
        lambda: _bibliographies(archive, renderer.keys),
        lambda: data,
    ]


def _feeds(
    archive: Archive, config: SiteConfig, renderer: PageRenderer
) -> Iterator[tuple[str, str]]:
    """RSS, Atom and JSON Feed for the archive, every topic, tag and organization, the weekly
    digest, and an OPML list.

    Organization feeds are linked from their pages but left out of the OPML list and the
    feeds page: there may be thousands, and importing the list would subscribe to them all.
    The archive's feed carries the latest papers with their abstracts; a topic's, tag's or
    organization's feed fewer, each with its summary (the paper page has the abstract): one
    such feed per organization and tag makes their size a multiple of the archive's.
    """
    subject = {"limit": feeds.SUBJECT_FEED_LIMIT, "abstracts": False}
    names = {slug: topic.name for slug, topic in archive.taxonomy.by_slug.items()}
    topic_names = {pid: [names[s] for s in slugs] for pid, slugs in archive.topics_of.items()}
    site = config.site_url
    specs = [
        (
            feeds.FeedSpec(
                title=config.site_name,
                description="The latest papers listed on Hugging Face Daily Papers.",
                site_url=site,
                page_path=urls.home().url,
                feed_path=urls.site_feed().stem,
            ),
            archive.papers,
        )
    ]
    for slug, topic in archive.taxonomy.by_slug.items():
        # Empty topics get a valid, empty feed too: their pages link it.
        spec = feeds.FeedSpec(
            title=f"{config.site_name} — {topic.name}",
            description=topic.description,
            site_url=site,
            page_path=urls.topic(slug).url,
            feed_path=urls.topic_feed(slug).stem,
            **subject,
        )
        specs.append((spec, archive.by_topic[slug]))
    for tag, papers in archive.by_tag.items():
        spec = feeds.FeedSpec(
            title=f"{config.site_name} — tag {tag}",
            description=f"Papers annotated with the tag {tag}.",
            site_url=site,
            page_path=urls.tag(tag).url,
            feed_path=urls.tag_feed(tag).stem,
            **subject,
        )
        specs.append((spec, papers))
    org_specs = [
        (
            feeds.FeedSpec(
                title=f"{config.site_name} — {org.fullname}",
                description=f"Papers from {org.fullname} ({org.name}) on Daily Papers.",
                site_url=site,
                page_path=urls.org(org.slug).url,
                feed_path=urls.org_feed(org.slug).stem,
                **subject,
            ),
            org.papers,
        )
        for org in archive.orgs.values()
    ]
    for spec, papers in specs + org_specs:
        yield spec.rss_path, feeds.render_rss(spec, papers, topics=topic_names)
        yield spec.atom_path, feeds.render_atom(spec, papers, topics=topic_names)
        yield spec.json_path, feeds.render_json_feed(spec, papers, topics=topic_names)
    weekly = feeds.FeedSpec(
        title=f"{config.site_name} — weekly digest",
        description=f"Each finished week's {WEEKLY_TOP} most upvoted papers, one entry a week.",
        site_url=site,
        page_path=urls.weeks().url,
        feed_path=urls.weekly_feed().stem,
        limit=feeds.SUBJECT_FEED_LIMIT,
    )
    yield from zip(
        (weekly.rss_path, weekly.atom_path, weekly.json_path),
        feeds.render_digest(weekly, weekly_digest(archive)),
        strict=True,
    )
    # Every feed file is written, but feeds with no paper yet are not offered to readers.
    listed = [specs[0][0], weekly, *(spec for spec, papers in specs[1:] if papers)]
    yield urls.opml(), feeds.render_opml(listed, title=config.site_name, site_url=site)
    yield renderer.render(
        "feeds.md.j2",
        urls.feeds(),
        specs=listed,
        site_url=site,
        limit=feeds.FEED_LIMIT,
        subject_limit=feeds.SUBJECT_FEED_LIMIT,
    )


def weekly_digest(archive: Archive) -> list[feeds.DigestEntry]:
    """One entry per finished week, newest first, with its most upvoted papers.

    A week counts as finished once the archive holds a day listed after its Sunday: the
    archive, not the clock, decides, so the same archive gives the same feed, and a
    subscriber by e-mail gets each week once, whole, instead of a week in progress.
    """
    latest = archive.days[-1] if archive.days else None
    entries = []
    for week in reversed(archive.weeks):
        monday, sunday = week_days(week)
        if latest is None or sunday >= latest:
            continue
        entries.append(
            feeds.DigestEntry(
                title=f"Week {week[0]}-W{week[1]:02d} ({monday:%-d %b} – {sunday:%-d %b %Y}): "
                f"the {WEEKLY_TOP} most upvoted papers",
                page_path=urls.week(monday).url,
                day=sunday,
                papers=archive.week_papers(week)[:WEEKLY_TOP],
            )
        )
    return entries


def _bibliographies(archive: Archive, keys: dict[str, str]) -> Iterator[tuple[str, str]]:
    """Downloadable .bib files: one per paper and one per day, beside their pages. A topic
    page's download is put together in the browser from the day files (pa-bib.js)."""
    entries = {paper.id: bibtex.render_entry(paper, keys[paper.id]) for paper in archive.papers}
    for paper in archive.papers:
        yield urls.paper_bib(paper.id), entries[paper.id]
    for day, papers in archive.by_day.items():
        yield urls.day_bib(day), bibtex.join_entries(entries[p.id] for p in papers)


def _open_data(archive: Archive, config: SiteConfig) -> list[tuple[str, str]]:
    try:
        files = export.export_records(
            archive.papers, archive.topics_of, config.site_url, archive.related
        )
    except export.ExportError as exc:
        raise OutputError(f"open data export: {exc}") from None
    return sorted(files.items())
