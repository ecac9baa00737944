"""The archive grouped the ways the site shows it: by day, week, month, year, topic, tag
and organization.

Built in one pass over the papers; every list is sorted with a total order (ties broken
by id) so the generated pages are byte-identical from run to run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from generator.ids import SLUG, slugify
from generator.model import Paper
from generator.site.related import Related
from generator.topics import Taxonomy


def by_votes(paper: Paper) -> tuple:
    return (-(paper.upvotes or 0), paper.id)


def newest_first(paper: Paper) -> tuple:
    return (-paper.listed.toordinal(), -(paper.upvotes or 0), paper.id)


def annotated_on(paper: Paper) -> dt.date:
    """When a paper was last annotated: ``annotation.updated`` if given, else its listing."""
    value = (paper.annotation or {}).get("updated")
    return value if isinstance(value, dt.date) else paper.listed


Week = tuple[int, int]  # ISO year and week number


def week_of(day: dt.date) -> Week:
    year, number, _ = day.isocalendar()
    return (year, number)


def week_days(week: Week) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of an ISO week."""
    monday = dt.date.fromisocalendar(week[0], week[1], 1)
    return monday, monday + dt.timedelta(days=6)


def top_voted(papers: list[Paper], limit: int) -> list[Paper]:
    return sorted(papers, key=by_votes)[:limit]


SLUG_MAX = 60  # a path segment stays far below every file system's 255 bytes


def _hashed(base: str, name: str) -> str:
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{base}-{digest}"


@dataclass
class Org:
    """An organization Daily Papers names, by its Hugging Face name (``organization.name``)."""

    slug: str
    name: str
    fullname: str  # from its newest paper that gives one, else the name
    papers: list[Paper]  # newest first


def group_orgs(ordered: list[Paper]) -> dict[str, Org]:
    """Organizations by slug, most papers first (ties by slug).

    The slug is :func:`slugify` of the name, so a hostile name never becomes a path. A name
    that slugifies to nothing gets ``org-`` and 8 hex digits of its SHA-256; when names
    collide on one slug, the one listed first keeps it (so a newcomer never moves a
    published page) and each other gets the slug plus the digits of its own name.
    """
    papers_of: dict[str, list[Paper]] = defaultdict(list)
    for paper in ordered:  # newest first
        name = (paper.organization or {}).get("name", "").strip()
        if name:
            papers_of[name].append(paper)
    first_seen = sorted(papers_of, key=lambda n: (papers_of[n][-1].listed, n))
    taken: set[str] = set()
    orgs: list[Org] = []
    for name in first_seen:
        base = slugify(name)[:SLUG_MAX].strip("-")
        slug = base if base and base not in taken else _hashed(base or "org", name)
        assert SLUG.fullmatch(slug), slug
        taken.add(slug)
        papers = papers_of[name]
        fullname = next(
            (f for p in papers if (f := (p.organization or {}).get("fullname", "").strip())),
            name,
        )
        orgs.append(Org(slug=slug, name=name, fullname=fullname, papers=papers))
    orgs.sort(key=lambda o: (-len(o.papers), o.slug))
    return {org.slug: org for org in orgs}


@dataclass
class Archive:
    taxonomy: Taxonomy
    papers: list[Paper]  # newest first
    topics_of: dict[str, list[str]]
    by_day: dict[dt.date, list[Paper]]  # by upvotes
    days: list[dt.date]  # oldest first
    by_topic: dict[str, list[Paper]]  # newest first
    by_tag: dict[str, list[Paper]]  # newest first
    annotated: list[Paper]  # most recently annotated first
    months: dict[tuple[int, int], list[dt.date]] = field(default_factory=dict)
    years: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    weeks: dict[Week, list[dt.date]] = field(default_factory=dict)  # oldest first
    orgs: dict[str, Org] = field(default_factory=dict)  # by slug, most papers first
    org_of: dict[str, Org] = field(default_factory=dict)  # by paper id
    # Filled by the build's related step (generator.site.related); empty until then.
    related: dict[str, list[Related]] = field(default_factory=dict)

    @classmethod
    def group(
        cls,
        papers: list[Paper],
        taxonomy: Taxonomy,
        topics_of: dict[str, list[str]] | None = None,
    ) -> Archive:
        """``topics_of`` may come precomputed (the build assigns topics while loading)."""
        ordered = sorted(papers, key=newest_first)
        if topics_of is None:
            topics_of = {p.id: taxonomy.assign(p) for p in ordered}
        else:
            topics_of = {p.id: topics_of[p.id] for p in ordered}
        by_day: dict[dt.date, list[Paper]] = defaultdict(list)
        by_topic: dict[str, list[Paper]] = {slug: [] for slug in taxonomy.by_slug}
        by_tag: dict[str, list[Paper]] = defaultdict(list)
        for paper in ordered:
            by_day[paper.listed].append(paper)
            for slug in topics_of[paper.id]:
                by_topic[slug].append(paper)
            for tag in paper.tags:
                by_tag[tag].append(paper)
        for day_papers in by_day.values():
            day_papers.sort(key=by_votes)
        days = sorted(by_day)
        months: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
        for day in days:
            months[(day.year, day.month)].append(day)
        years: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for ym in sorted(months):
            years[ym[0]].append(ym)
        weeks: dict[Week, list[dt.date]] = defaultdict(list)
        for day in days:
            weeks[week_of(day)].append(day)
        orgs = group_orgs(ordered)
        annotated = sorted(
            (p for p in ordered if p.is_annotated),
            key=lambda p: (-annotated_on(p).toordinal(), *newest_first(p)),
        )
        return cls(
            taxonomy=taxonomy,
            papers=ordered,
            topics_of=topics_of,
            by_day=dict(by_day),
            days=days,
            by_topic=by_topic,
            by_tag=dict(sorted(by_tag.items())),
            annotated=annotated,
            months=dict(months),
            years=dict(years),
            weeks=dict(weeks),
            orgs=orgs,
            org_of={p.id: org for org in orgs.values() for p in org.papers},
        )

    def month_count(self, ym: tuple[int, int]) -> int:
        return sum(len(self.by_day[d]) for d in self.months[ym])

    def year_count(self, year: int) -> int:
        return sum(self.month_count(ym) for ym in self.years[year])

    def week_papers(self, week: Week) -> list[Paper]:
        """The week's papers, most upvoted first."""
        return sorted((p for d in self.weeks[week] for p in self.by_day[d]), key=by_votes)

    def month_papers(self, ym: tuple[int, int]) -> list[Paper]:
        return [p for d in self.months[ym] for p in self.by_day[d]]
